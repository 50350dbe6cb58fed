"""The categories of challenges States Parties report, as data: a code, a name, a definition
and examples, translated. The committee's statements name lack of financial resources first,
then capacity and technical expertise; the others come from what reports and requests
describe (access, new contamination, terrain, information, coordination). ``none`` marks a
passage that states no challenge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    code: str
    name: Any
    definition: Any
    examples: Any


CATEGORIES: tuple[Category, ...] = (
    Category(
        "financial",
        _("financial resources"),
        _(
            "Too little national or international money for the work, or money that is late, "
            "uncertain or tied to other purposes."
        ),
        _("Donor funding decreased; the national budget does not cover survey teams."),
    ),
    Category(
        "capacity",
        _("capacity"),
        _("Too few people, teams, equipment or institutions to do the work at the pace needed."),
        _("Only two clearance teams are operational; the mine action centre lacks staff."),
    ),
    Category(
        "expertise",
        _("technical expertise"),
        _(
            "Missing skills or methods: survey, clearance of particular devices, quality "
            "management, victim assistance services."
        ),
        _("No trained staff for improvised mines; need for training in non-technical survey."),
    ),
    Category(
        "security_access",
        _("security and access"),
        _("Insecurity, armed conflict or restricted access that keep teams from the areas."),
        _("Operations suspended in the north because of armed groups."),
    ),
    Category(
        "new_contamination",
        _("new or previously unknown contamination"),
        _("Mined areas found after survey or completion, new use of mines, improvised mines."),
        _("New mined areas were identified along the border; improvised devices laid in 2022."),
    ),
    Category(
        "environment_terrain",
        _("environment and terrain"),
        _("Terrain, vegetation, climate or seasons that slow or stop the work."),
        _("Dense jungle and the rainy season limit clearance to six months a year."),
    ),
    Category(
        "information",
        _("data and information management"),
        _(
            "Unreliable or missing data on contamination, victims or progress; information "
            "systems and reporting."
        ),
        _("The database holds overlapping polygons; the baseline survey is incomplete."),
    ),
    Category(
        "coordination",
        _("coordination and governance"),
        _(
            "Coordination between institutions, operators and donors; legal and institutional "
            "frameworks; national ownership."
        ),
        _("No national mine action authority; roles of ministries overlap."),
    ),
    Category(
        "none",
        _("no challenge stated"),
        _("The passage states no challenge (progress, plans, figures)."),
        _("In 2023, 1.2 km² were released by technical survey."),
    ),
)
#: the code of a passage that states no challenge
NONE = "none"
CODES = tuple(c.code for c in CATEGORIES)
CHALLENGE_CODES = tuple(c for c in CODES if c != NONE)
BY_CODE = {c.code: c for c in CATEGORIES}


def label(code: str) -> str:
    """A category's name in the active language (an unknown code as it is)."""
    category = BY_CODE.get(code)
    return str(category.name) if category else code


#: Form J's own kinds of challenge (``reporting`` schema) as categories of the taxonomy;
#: "other" says nothing of the kind, so the classifier reads the text
FORM_J_CATEGORIES = {
    "financial": "financial",
    "capacity": "capacity",
    "expertise": "expertise",
    "access": "security_access",
}
