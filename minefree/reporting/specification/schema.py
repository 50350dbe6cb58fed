"""Forms A–J of the Article 7 report, declared once.

The tool, the validation rules, the diffs and the exports all read this
description, so adding a column to a form is one line here. Rows are stored as
JSON keyed by these field names (``FormRow.data``); the schema decides their types.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TEXT, LONG_TEXT, INTEGER, AREA_M2, DATE, CHOICE, ACTOR, AMOUNT, CURRENCY, YEAR = (
    "text",
    "long_text",
    "integer",
    "area_m2",
    "date",
    "choice",
    "actor",
    "amount",
    "currency",
    "year",
)
NUMERIC = {INTEGER, AREA_M2, AMOUNT, YEAR}

PILLARS = (
    ("survey_clearance", _("survey and clearance")),
    ("risk_education", _("explosive ordnance risk education")),
    ("victim_assistance", _("victim assistance")),
    ("stockpile_destruction", _("stockpile destruction")),
    ("capacity_building", _("capacity building")),
    ("information_management", _("information management")),
    ("advocacy", _("advocacy and universalisation")),
    ("other", _("other")),
)
CHANNELS = (
    ("bilateral", _("bilateral")),
    ("un", _("United Nations")),
    ("ngo", _("non-governmental organisation")),
    ("trust_fund", _("trust fund")),
    ("other", _("other")),
)


@dataclass(frozen=True)
class Field:
    name: str
    label: Promise | str
    kind: str = TEXT
    required: bool = False
    help: Promise | str = ""
    choices: tuple[tuple[str, Promise | str], ...] = ()
    signed: bool = False  # numeric fields are non-negative unless signed

    @property
    def max_length(self) -> int:
        return LONG_TEXT_MAX if self.kind == LONG_TEXT else TEXT_MAX


#: the longest value a row's field takes as typed, on the page and through the API alike
TEXT_MAX = 1000
LONG_TEXT_MAX = 20000


@dataclass(frozen=True)
class Table:
    code: str
    label: Promise | str
    fields: tuple[Field, ...]
    help: Promise | str = ""
    #: Stock-type tables (what exists) carry over into next year's draft; flows of the
    #: year (what was destroyed, released, given) start empty.
    carry_over: bool = True
    #: Numeric field whose sum a declared total must equal (error MF-E02).
    total_of: str = ""

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @functools.cached_property
    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


@dataclass(frozen=True)
class FormSpec:
    letter: str
    title: Promise | str
    article: Promise | str
    tables: tuple[Table, ...]
    narratives: tuple[Field, ...] = field(default_factory=tuple)
    help: Promise | str = ""

    def table(self, code: str) -> Table:
        return next(t for t in self.tables if t.code == code)


MINE_TYPE = Field("mine_type", _("Type of mine"), required=True, help=_("e.g. PMN-2, PFM-1"))
QUANTITY = Field("quantity", _("Quantity"), INTEGER, required=True)
LOTS = Field("lot_numbers", _("Lot numbers"), help=_("If possible (Article 7.1(b))."))
NOTES = Field("notes", _("Supplementary information"), LONG_TEXT)
REGION = Field(
    "region",
    _("Administrative region"),
    required=True,
    help=_("Province or district. Never give coordinates: they are not published."),
)

FORMS: dict[str, FormSpec] = {
    spec.letter: spec
    for spec in (
        FormSpec(
            "A",
            _("National implementation measures"),
            _("Article 7.1(a), Article 9"),
            (
                Table(
                    "measures",
                    _("Measures"),
                    (
                        Field(
                            "kind",
                            _("Kind of measure"),
                            CHOICE,
                            required=True,
                            choices=(
                                ("legislation", _("legislation")),
                                ("regulation", _("regulation or decree")),
                                ("administrative", _("administrative measure")),
                                ("penal_sanctions", _("penal sanctions")),
                                ("other", _("other")),
                            ),
                        ),
                        Field("title", _("Title"), required=True),
                        Field("date", _("Date"), DATE),
                        Field("reference", _("Reference"), help=_("Official gazette or number.")),
                    ),
                ),
            ),
        ),
        FormSpec(
            "B",
            _("Stockpiled anti-personnel mines"),
            _("Article 7.1(b)"),
            (
                Table(
                    "stockpile",
                    _("Stockpile at the end of the year"),
                    (MINE_TYPE, QUANTITY, LOTS, NOTES),
                    total_of="quantity",
                ),
                Table(
                    "previously_unknown",
                    _("Previously unknown stockpiles found (B-bis)"),
                    (Field("found_on", _("Date found"), DATE), MINE_TYPE, QUANTITY, NOTES),
                    carry_over=False,
                    help=_("Stockpiles discovered after the Article 4 deadline (8MSP revision)."),
                ),
            ),
        ),
        FormSpec(
            "C",
            _("Mined areas and land release"),
            _("Article 7.1(c)"),
            (
                Table(
                    "mined_areas",
                    _("Remaining mined areas at the end of the year, by region"),
                    (
                        REGION,
                        Field(
                            "hazard_class",
                            _("Hazard class"),
                            CHOICE,
                            required=True,
                            choices=(
                                ("SHA", _("suspected hazardous area (SHA)")),
                                ("CHA", _("confirmed hazardous area (CHA)")),
                            ),
                        ),
                        Field("areas", _("Number of areas"), INTEGER),
                        Field("area_m2", _("Area (m²)"), AREA_M2, required=True),
                        Field("mine_types", _("Types of mines")),
                        Field("emplaced", _("When emplaced"), help=_("A year or a period.")),
                        NOTES,
                    ),
                    total_of="area_m2",
                ),
                Table(
                    "newly_found",
                    _("Newly found or re-surveyed areas in the year"),
                    (
                        REGION,
                        Field(
                            "reason",
                            _("Reason"),
                            CHOICE,
                            required=True,
                            choices=(
                                ("newly_found", _("newly found")),
                                ("resurvey", _("re-survey adjustment")),
                            ),
                        ),
                        Field(
                            "area_m2",
                            _("Area added (m²)"),
                            AREA_M2,
                            required=True,
                            signed=True,
                            help=_("Negative for a re-survey that reduced the estimate."),
                        ),
                        NOTES,
                    ),
                    carry_over=False,
                ),
                Table(
                    "land_release",
                    _("Land released in the year"),
                    (
                        REGION,
                        Field(
                            "method",
                            _("Method"),
                            CHOICE,
                            required=True,
                            choices=(
                                ("cancelled", _("cancelled by non-technical survey")),
                                ("reduced", _("reduced by technical survey")),
                                ("cleared", _("cleared")),
                            ),
                        ),
                        Field("area_m2", _("Area (m²)"), AREA_M2, required=True),
                        Field("ap_mines_destroyed", _("AP mines destroyed"), INTEGER),
                        Field("other_items_destroyed", _("Other items destroyed"), INTEGER),
                    ),
                    carry_over=False,
                    total_of="area_m2",
                ),
            ),
        ),
        FormSpec(
            "D",
            _("Mines retained or transferred"),
            _("Article 7.1(d), Article 3"),
            (
                Table(
                    "retained",
                    _("Mines retained or transferred"),
                    (
                        Field("institution", _("Institution authorised"), required=True),
                        MINE_TYPE,
                        QUANTITY,
                        LOTS,
                        Field(
                            "purpose",
                            _("Purpose"),
                            CHOICE,
                            required=True,
                            choices=(
                                ("retained", _("retained for training and development")),
                                ("transferred_training", _("transferred for training")),
                                ("transferred_destruction", _("transferred for destruction")),
                            ),
                        ),
                        Field("start_of_year", _("At the start of the year"), INTEGER),
                        Field("used", _("Used or consumed"), INTEGER),
                        Field(
                            "transferred", _("Transferred in (+) or out (−)"), INTEGER, signed=True
                        ),
                        Field("end_of_year", _("At the end of the year"), INTEGER),
                        Field("intended_use", _("Intended use"), LONG_TEXT),
                        Field("actual_use", _("Actual use"), LONG_TEXT),
                    ),
                    help=_("The start/used/end figures and uses follow the revised Form D (6MSP)."),
                ),
            ),
        ),
        FormSpec(
            "E",
            _("Conversion or decommissioning of production facilities"),
            _("Article 7.1(e)"),
            (
                Table(
                    "facilities",
                    _("Production facilities"),
                    (
                        Field("facility", _("Facility"), required=True),
                        Field(
                            "action",
                            _("Conversion or decommissioning"),
                            CHOICE,
                            choices=(
                                ("convert", _("conversion")),
                                ("decommission", _("decommissioning")),
                            ),
                        ),
                        Field(
                            "status",
                            _("Status"),
                            CHOICE,
                            choices=(
                                ("in_process", _("in process")),
                                ("completed", _("completed")),
                            ),
                        ),
                        NOTES,
                    ),
                ),
            ),
        ),
        FormSpec(
            "F",
            _("Destruction programmes"),
            _("Article 7.1(f)"),
            (
                Table(
                    "programmes",
                    _("Programmes"),
                    (
                        Field(
                            "article",
                            _("Under"),
                            CHOICE,
                            required=True,
                            choices=(
                                ("4", _("Article 4 (stockpiles)")),
                                ("5", _("Article 5 (mined areas)")),
                            ),
                        ),
                        Field("status", _("Status of the programme"), LONG_TEXT),
                        Field("methods", _("Destruction methods"), LONG_TEXT),
                        Field("sites", _("Location of destruction sites"), LONG_TEXT),
                        Field("safety_standards", _("Safety standards"), LONG_TEXT),
                        Field("environmental_standards", _("Environmental standards"), LONG_TEXT),
                    ),
                ),
            ),
        ),
        FormSpec(
            "G",
            _("Anti-personnel mines destroyed"),
            _("Article 7.1(g)"),
            (
                Table(
                    "destroyed",
                    _("Mines destroyed in the year"),
                    (
                        Field(
                            "category",
                            _("Destroyed under"),
                            CHOICE,
                            required=True,
                            choices=(
                                ("art4", _("Article 4: stockpiles")),
                                ("art5", _("Article 5: mined areas")),
                                ("bis", _("previously unknown stockpiles (G-bis)")),
                            ),
                        ),
                        MINE_TYPE,
                        QUANTITY,
                        LOTS,
                        Field("destroyed_on", _("Date"), DATE),
                        NOTES,
                    ),
                    carry_over=False,
                    total_of="quantity",
                ),
            ),
        ),
        FormSpec(
            "H",
            _("Technical characteristics"),
            _("Article 7.1(h)"),
            (
                Table(
                    "mine_types",
                    _("Mine types produced, owned or possessed"),
                    (
                        MINE_TYPE,
                        Field("dimensions", _("Dimensions")),
                        Field("fusing", _("Fusing")),
                        Field("explosive", _("Explosive type and content (g)")),
                        Field("metal_g", _("Metallic content (g)"), INTEGER),
                        Field("other", _("Other information that helps clearance"), LONG_TEXT),
                    ),
                ),
            ),
        ),
        FormSpec(
            "I",
            _("Warning measures"),
            _("Article 7.1(i)"),
            (
                Table(
                    "warnings",
                    _("Measures to warn the population"),
                    (
                        Field("region", _("Administrative region")),
                        Field(
                            "measures",
                            _("Marking, fencing, monitoring, risk education"),
                            LONG_TEXT,
                            required=True,
                        ),
                    ),
                ),
            ),
        ),
        FormSpec(
            "J",
            _("Other relevant matters"),
            _("voluntary"),
            (
                Table(
                    "assistance",
                    _("Cooperation and assistance provided or received"),
                    (
                        Field(
                            "direction",
                            _("Provided or received"),
                            CHOICE,
                            required=True,
                            choices=(("provided", _("provided")), ("received", _("received"))),
                        ),
                        Field(
                            "counterpart",
                            _("Counterpart"),
                            ACTOR,
                            required=True,
                            help=_("A state or organisation; any of its names works."),
                        ),
                        Field(
                            "kind",
                            _("Financial or in kind"),
                            CHOICE,
                            choices=(("financial", _("financial")), ("in_kind", _("in kind"))),
                        ),
                        Field("amount", _("Amount"), AMOUNT),
                        Field(
                            "currency", _("Currency"), CURRENCY, help=_("ISO code, e.g. USD, EUR.")
                        ),
                        Field("year", _("Year"), YEAR),
                        Field("pillar", _("Pillar"), CHOICE, choices=PILLARS),
                        Field("channel", _("Channel"), CHOICE, choices=CHANNELS),
                        NOTES,
                    ),
                    carry_over=False,
                ),
                Table(
                    "national_resources",
                    _("National resources committed"),
                    (
                        Field("amount", _("Amount"), AMOUNT, required=True),
                        Field("currency", _("Currency"), CURRENCY, required=True),
                        Field("pillar", _("Pillar"), CHOICE, choices=PILLARS),
                        NOTES,
                    ),
                    carry_over=False,
                ),
                Table(
                    "challenges",
                    _("Challenges"),
                    (
                        Field(
                            "category",
                            _("Kind of challenge"),
                            CHOICE,
                            required=True,
                            choices=(
                                ("financial", _("lack of financial resources")),
                                ("capacity", _("capacity")),
                                ("expertise", _("technical expertise")),
                                ("access", _("access and security")),
                                ("other", _("other")),
                            ),
                        ),
                        Field("description", _("Description"), LONG_TEXT, required=True),
                    ),
                ),
                Table(
                    "needs",
                    _("Needs for assistance"),
                    (
                        Field("pillar", _("Pillar"), CHOICE, required=True, choices=PILLARS),
                        Field("description", _("Description"), LONG_TEXT, required=True),
                        Field("amount", _("Amount"), AMOUNT),
                        Field("currency", _("Currency"), CURRENCY),
                    ),
                ),
            ),
            narratives=(
                Field("victim_assistance", _("Victim assistance"), LONG_TEXT),
                Field("other_matters", _("Other matters"), LONG_TEXT),
            ),
        ),
    )
}
