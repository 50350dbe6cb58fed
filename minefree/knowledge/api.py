"""The knowledge base over the API (``/api/knowledge/...``): search, classification of any
text, passages and their labels, documents, practices and the key challenges.

Reads go through the selectors the pages use (one visibility rule: what a caller may not
read is a 404 and never counted); writes call the services the pages call, so the rules
and the audit are the same. The key challenges follow the counting rule of
``knowledge.challenges`` (``rule`` in the answer says it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from minefree.accounts.tokens import WRITE_AUTH
from minefree.core.api import WRITE_ERRORS, created
from minefree.core.schemas import ErrorOut, PageQuery
from minefree.core.upload_limits import upload_limit
from minefree.core.views import or_404
from minefree.knowledge import challenges as kc
from minefree.knowledge import classify as classifier
from minefree.knowledge import services
from minefree.knowledge.models import (
    Document,
    Passage,
    PassageLabel,
    Practice,
    PracticeFeedback,
)
from minefree.knowledge.schemas import (
    ClassifiedLabelOut,
    ClassifyTextIn,
    ClassifyTextOut,
    KnowledgeSearchFacetValueOut,
    KnowledgeSearchHitOut,
    KnowledgeSearchOut,
    KnowledgeSearchQuery,
)
from minefree.knowledge.search import filters_from, search
from minefree.knowledge.selectors import documents_for, passages_for, practices_for
from minefree.knowledge.taxonomy import CHALLENGE_CODES, CODES, label
from minefree.registry.models import Actor, Meeting
from minefree.registry.selectors import get_actor, get_state

router = Router(tags=["knowledge"])

PERSONAL = "Writes need a personal API token (Authorization: Bearer) or a session and CSRF."
RULE = (
    "A passage counts for a category when its label is stated by the state (Form J's kind "
    "of challenge), confirmed, or suggested by the classifier and not rejected; rejected "
    "labels and `none` never count. A state counts once per year per category, from the "
    "passages the caller may read. `share` is over the States Parties that submitted an "
    "Article 7 report for that year. Synthetic demo data (`data` `synthetic`) is counted "
    "apart. The ranking follows the state-years over the years chosen."
)


# --- the key challenges ----------------------------------------------------------------------


class ChallengeQuery(Schema):
    year_from: int | None = Field(None, ge=1997, le=2100)
    year_to: int | None = Field(None, ge=1997, le=2100)
    region: str = Field("", description="A UN M49 region, as the states list gives it")
    state: str = Field("", description="ISO 3166 alpha-3 code")

    def filters(self) -> kc.ChallengeFilters:
        return kc.ChallengeFilters(self.year_from, self.year_to, self.region, self.state)


class ChallengeYearOut(Schema):
    year: int
    states: int = Field(description="States Parties naming the category that year")
    reporting_states_naming_it: int
    reporting_states: int = Field(description="States Parties that submitted a report")
    share: float | None = Field(description="reporting_states_naming_it / reporting_states")
    rank: int | None = Field(description="The category's rank that year; null: not named")
    passages: str = Field(description="The passages behind the number (API)")


class ChallengeCategoryOut(Schema):
    code: str
    name: str
    rank: int | None
    state_years: int
    passages: str
    years: list[ChallengeYearOut]


class ChallengeTableOut(Schema):
    data: str = Field(description="`reported`, or `synthetic` (invented demo data)")
    years: list[int]
    categories: list[ChallengeCategoryOut]


class ChallengesOut(Schema):
    rule: str
    tables: list[ChallengeTableOut]


def _passages_link(code: str, filters: kc.ChallengeFilters, **extra: Any) -> str:
    return f"/api/knowledge/challenges/{code}/passages?{urlencode(filters.query(**extra))}"


@router.get(
    "/challenges",
    response=ChallengesOut,
    summary="The key challenges: States Parties naming each category, per year, ranked",
    description=RULE,
)
def challenges(request: HttpRequest, query: Query[ChallengeQuery]) -> ChallengesOut:
    chosen = query.filters()
    tables = kc.key_challenges(request.user, chosen)
    return ChallengesOut(
        rule=RULE,
        tables=[
            ChallengeTableOut(
                data=table.origin,
                years=table.years,
                categories=[
                    ChallengeCategoryOut(
                        code=line.code,
                        name=line.name,
                        rank=line.rank or None,
                        state_years=line.total,
                        passages=_passages_link(line.code, chosen, data=table.origin),
                        years=[
                            ChallengeYearOut(
                                year=y.year,
                                states=y.states,
                                reporting_states_naming_it=y.reporting_named,
                                reporting_states=y.reporting,
                                share=y.share,
                                rank=y.rank,
                                passages=_passages_link(
                                    line.code, chosen, year=y.year, data=table.origin
                                ),
                            )
                            for y in line.years
                        ],
                    )
                    for line in table.lines
                ],
            )
            for table in tables
        ],
    )


class ChallengePassagesQuery(ChallengeQuery, PageQuery):
    year: int | None = Field(None, ge=1997, le=2100, description="One year")
    data: str = Field("", description="`reported` or `synthetic`; blank: both")


class PassageSummaryOut(Schema):
    id: int
    state: str | None
    year: int | None
    language: str
    locator: str
    source_url: str
    text: str
    origin: str
    link: str


class ChallengePassageListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[PassageSummaryOut]


def _summary(passage: Passage) -> PassageSummaryOut:
    return PassageSummaryOut(
        id=passage.pk,
        state=passage.state.iso3 if passage.state else None,
        year=passage.year,
        language=passage.language,
        locator=passage.locator,
        source_url=passage.url,
        text=passage.text,
        origin=passage.origin,
        link=f"/api/knowledge/passages/{passage.pk}",
    )


@router.get(
    "/challenges/{category}/passages",
    response={200: ChallengePassageListOut, 404: ErrorOut},
    summary="The passages behind a number of the key challenges, newest first",
    description=RULE,
)
def challenge_passages(
    request: HttpRequest, category: str, query: Query[ChallengePassagesQuery]
) -> ChallengePassageListOut:
    if category not in CHALLENGE_CODES:
        raise Http404("Not a category of challenges: " + ", ".join(CHALLENGE_CODES))
    if query.data not in ("", kc.REPORTED, kc.SYNTHETIC):
        raise ValidationError({"data": ["reported, synthetic, or blank for both."]})
    chosen = query.filters()
    if query.year is not None:
        chosen = kc.ChallengeFilters(query.year, query.year, chosen.region, chosen.state)
    found = kc.evidence(request.user, category, chosen, data=query.data)
    page = list(found[query.offset : query.offset + query.limit])
    return ChallengePassageListOut(
        count=found.count(),
        limit=query.limit,
        offset=query.offset,
        items=[_summary(p) for p in page],
    )


# --- passages and their labels ---------------------------------------------------------------


class PassageLabelOut(Schema):
    category: str
    name: str
    status: str = Field(description="suggested, confirmed or rejected")
    method: str = Field(description="stated (Form J), person, or the classifier's method")
    confidence: float | None
    evidence: str
    decided_at: str | None


class PassageDetailOut(PassageSummaryOut):
    kind: str
    document: int | None
    visibility: str
    labels: list[PassageLabelOut]


def _label_out(item: PassageLabel) -> PassageLabelOut:
    return PassageLabelOut(
        category=item.category,
        name=label(item.category),
        status=item.status,
        method=item.method,
        confidence=item.confidence,
        evidence=item.evidence,
        decided_at=item.decided_at.isoformat() if item.decided_at else None,
    )


def _passage(request: HttpRequest, passage_id: int) -> Passage:
    found = passages_for(request.user).filter(pk=passage_id).prefetch_related("labels").first()
    return or_404(found, "No passage with this id, or not shared with you.")


def _passage_out(passage: Passage) -> PassageDetailOut:
    return PassageDetailOut(
        **_summary(passage).model_dump(),
        kind=passage.kind,
        document=passage.document_id,
        visibility=passage.visibility,
        labels=[_label_out(item) for item in passage.labels.all()],
    )


@router.get(
    "/passages/{int:passage_id}",
    response={200: PassageDetailOut, 404: ErrorOut},
    summary="A passage with its source and its challenge labels",
)
def passage_read(request: HttpRequest, passage_id: int) -> PassageDetailOut:
    return _passage_out(_passage(request, passage_id))


class LabelDecisionIn(Schema):
    category: str = Field(description="One of: " + ", ".join(CODES))
    status: str = Field(description="confirmed (adds the label if missing) or rejected")


@router.post(
    "/passages/{int:passage_id}/labels",
    response={200: PassageLabelOut, 201: PassageLabelOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Confirm, reject or add a challenge label of a passage (committee members, ISU staff)",
    description="201 when the label is added, 200 when an existing one is decided; 409 "
    "`already_done` when it already has that decision; 422 for an unknown category or "
    "status, or a label to reject that the passage does not have. Audited. " + PERSONAL,
)
def passage_label(
    request: HttpRequest, response: HttpResponse, passage_id: int, payload: LabelDecisionIn
) -> Status[PassageLabelOut]:
    passage = _passage(request, passage_id)
    existed = any(item.category == payload.category for item in passage.labels.all())
    decided = services.label_decide(
        actor=request.user, passage=passage, category=payload.category, status=payload.status
    )
    if existed:
        return Status(200, _label_out(decided))
    return created(response, f"/api/knowledge/passages/{passage.pk}", _label_out(decided))


# --- documents -------------------------------------------------------------------------------


class KnowledgeDocumentOut(Schema):
    id: int
    title: str
    kind: str
    language: str
    url: str
    file: str | None = Field(description="Where to download the uploaded file")
    pages: int | None
    states: list[str]
    year: int | None
    meeting: str | None = Field(description="The code of the meeting it was presented at")
    articles: list[int]
    actions: list[str]
    pillars: list[str]
    visibility: str
    origin: str
    passages: int


class KnowledgeDocumentListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[KnowledgeDocumentOut]


def _document_out(document: Document) -> KnowledgeDocumentOut:
    return KnowledgeDocumentOut(
        id=document.pk,
        title=document.title,
        kind=document.kind,
        language=document.language,
        url=document.url,
        file=f"/knowledge/documents/{document.pk}/file" if document.file else None,
        pages=document.pages,
        states=[s.iso3 or s.slug for s in document.states.all()],
        year=document.year,
        meeting=document.meeting.code if document.meeting else None,
        articles=list(document.articles),
        actions=list(document.actions),
        pillars=list(document.pillars),
        visibility=document.visibility,
        origin=document.origin,
        passages=getattr(document, "passage_count", 0),
    )


def _documents(request: HttpRequest, base: QuerySet[Document] | None = None) -> QuerySet[Document]:
    return (
        (documents_for(request.user) if base is None else base)
        .select_related("meeting")
        .prefetch_related("states")
        .annotate(passage_count=Count("passages"))
        # explicit: Django leaves a model's default order out of a query with GROUP BY
        .order_by("-year", "title", "pk")
    )


@router.get(
    "/documents",
    response=KnowledgeDocumentListOut,
    summary="Documents of the knowledge base you may read, newest year first",
)
def documents(request: HttpRequest, query: Query[PageQuery]) -> KnowledgeDocumentListOut:
    readable = documents_for(request.user)
    page = list(_documents(request, readable)[query.offset : query.offset + query.limit])
    return KnowledgeDocumentListOut(
        count=readable.count(),
        limit=query.limit,
        offset=query.offset,
        items=[_document_out(d) for d in page],
    )


@router.get(
    "/documents/{int:document_id}",
    response={200: KnowledgeDocumentOut, 404: ErrorOut},
    summary="A document of the knowledge base",
)
def document_read(request: HttpRequest, document_id: int) -> KnowledgeDocumentOut:
    found = _documents(request).filter(pk=document_id).first()
    return _document_out(or_404(found, "No document with this id, or not shared with you."))


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _states(text: str) -> list[Actor]:
    states = []
    for code in _codes(text):
        state = get_state(code.upper())
        if state is None:
            raise ValidationError({"states": [f"No state with the code {code}."]})
        states.append(state)
    return states


def _meeting(code: str) -> Meeting | None:
    if not code.strip():
        return None
    meeting = Meeting.objects.filter(code=code.strip()).first()
    if meeting is None:
        raise ValidationError({"meeting": [f"No meeting with the code {code.strip()}."]})
    return meeting


def _articles(text: str) -> list[int]:
    found = []
    for part in _codes(text):
        if not (part.isascii() and part.isdigit()) or not 1 <= int(part) <= 22:
            raise ValidationError({"articles": ["Article numbers from 1 to 22, comma-separated."]})
        found.append(int(part))
    return found


@router.post(
    "/documents",
    response={201: KnowledgeDocumentOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Add a document: a file (PDF, DOCX, text; its text extracted into passages) or "
    "an address (committee members, ISU staff)",
    description="A multipart form. `states`, `articles`, `actions` and `pillars` are "
    "comma-separated; `meeting` is a meeting's code (e.g. 5RC). 422 when the file is not what its name says, too large, or neither "
    "a file nor an address is given. " + PERSONAL,
)
@upload_limit(services.DOCUMENT_MAX_BYTES)
def document_create(
    request: HttpRequest,
    response: HttpResponse,
    title: Form[str],
    kind: Form[str],
    language: Form[str],
    url: Form[str] = "",
    states: Form[str] = "",
    year: Form[int | None] = None,
    meeting: Form[str] = "",
    articles: Form[str] = "",
    actions: Form[str] = "",
    pillars: Form[str] = "",
    visibility: Form[str] = "public",
    file: File[UploadedFile | None] = None,
) -> Status[KnowledgeDocumentOut]:
    document = services.document_add(
        actor=request.user,
        title=title,
        kind=kind,
        language=language,
        file=file,
        url=url,
        states=_states(states),
        year=year,
        meeting=_meeting(meeting),
        articles=_articles(articles),
        actions=[a.upper() for a in _codes(actions)],
        pillars=_codes(pillars),
        visibility=visibility,
    )
    found = _documents(request).get(pk=document.pk)
    return created(response, f"/api/knowledge/documents/{document.pk}", _document_out(found))


# --- practices -------------------------------------------------------------------------------


class PracticeOut(Schema):
    id: int
    title: str
    what: str
    where: list[str]
    who: str
    result: str
    contact: str | None
    documents: list[int]
    language: str
    status: str = Field(description="proposed (seen by ISU staff only) or published")
    visibility: str
    origin: str
    published_at: str | None
    useful: int = Field(description="Readers who found it useful")
    drawn_from: str = Field(
        "", description="The address of the record it was drawn from (e.g. a visit report), or ''"
    )


class PracticeListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[PracticeOut]


def _practices(request: HttpRequest, base: QuerySet[Practice] | None = None) -> QuerySet[Practice]:
    return (
        (practices_for(request.user) if base is None else base)
        .select_related("contact")
        .prefetch_related("where", "documents")
        .annotate(useful_count=Count("feedback", filter=Q(feedback__useful=True)))
        .order_by("-published_at", "title", "pk")
    )


def _practice_out(practice: Practice) -> PracticeOut:
    return PracticeOut(
        id=practice.pk,
        title=practice.title,
        what=practice.what,
        where=[s.iso3 or s.slug for s in practice.where.all()],
        who=practice.who,
        result=practice.result,
        contact=practice.contact.name_en if practice.contact else None,
        documents=[d.pk for d in practice.documents.all()],
        language=practice.language,
        status=practice.status,
        visibility=practice.visibility,
        origin=practice.origin,
        published_at=practice.published_at.isoformat() if practice.published_at else None,
        drawn_from=practice.source_url,
        useful=getattr(practice, "useful_count", 0),
    )


def _practice(request: HttpRequest, practice_id: int) -> Practice:
    found = _practices(request).filter(pk=practice_id).first()
    return or_404(found, "No practice with this id, or not shared with you.")


@router.get(
    "/practices",
    response=PracticeListOut,
    summary="Published practices and lessons learned (ISU staff: the proposals too)",
)
def practices(request: HttpRequest, query: Query[PageQuery]) -> PracticeListOut:
    readable = practices_for(request.user)
    page = list(_practices(request, readable)[query.offset : query.offset + query.limit])
    return PracticeListOut(
        count=readable.count(),
        limit=query.limit,
        offset=query.offset,
        items=[_practice_out(p) for p in page],
    )


@router.get(
    "/practices/{int:practice_id}",
    response={200: PracticeOut, 404: ErrorOut},
    summary="A practice or lesson learned",
)
def practice_read(request: HttpRequest, practice_id: int) -> PracticeOut:
    return _practice_out(_practice(request, practice_id))


class PracticeIn(Schema):
    title: str
    what: str = Field(description="What was done, enough for another state to do the same")
    where: list[str] = Field(default_factory=list, description="ISO alpha-3 codes")
    who: str = ""
    result: str = ""
    contact: str = Field(
        "", description="The body to contact: an ISO code or an organisation's code (its slug)"
    )
    documents: list[int] = Field(default_factory=list, description="Ids of documents")
    language: str = "en"
    visibility: str = "public"


@router.post(
    "/practices",
    response={201: PracticeOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Propose a practice (focal points, committee members, ISU staff); ISU staff publish it",
    description=PERSONAL,
)
def practice_propose(
    request: HttpRequest, response: HttpResponse, payload: PracticeIn
) -> Status[PracticeOut]:
    where = _states(",".join(payload.where))
    readable = {d.pk: d for d in documents_for(request.user).filter(pk__in=payload.documents)}
    missing = [str(pk) for pk in payload.documents if pk not in readable]
    if missing:
        raise ValidationError({"documents": ["No document with the id " + ", ".join(missing)]})
    contact = get_actor(payload.contact) if payload.contact.strip() else None
    if payload.contact.strip() and contact is None:
        raise ValidationError(
            {"contact": [f"No state or organisation with the code {payload.contact}."]}
        )
    practice = services.practice_propose(
        actor=request.user,
        title=payload.title,
        what=payload.what,
        who=payload.who,
        result=payload.result,
        where=where,
        contact=contact,
        documents=list(readable.values()),
        language=payload.language,
        visibility=payload.visibility,
    )
    found = _practices(request).filter(pk=practice.pk).first() or practice
    return created(response, f"/api/knowledge/practices/{practice.pk}", _practice_out(found))


@router.post(
    "/practices/{int:practice_id}/publish",
    response={200: PracticeOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Publish a proposed practice (ISU staff)",
    description="409 `already_done` when it is published already. " + PERSONAL,
)
def practice_publish(request: HttpRequest, practice_id: int) -> PracticeOut:
    practice = _practice(request, practice_id)
    services.practice_publish(actor=request.user, practice=practice)
    return _practice_out(_practice(request, practice_id))


class PracticeFeedbackIn(Schema):
    useful: bool = True
    follow_up: str = Field("", description="What you would like its authors to tell you")


class PracticeFeedbackOut(Schema):
    practice: int
    useful: bool
    follow_up: str


@router.post(
    "/practices/{int:practice_id}/feedback",
    response={201: PracticeFeedbackOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    summary="Say a practice was useful and ask its authors to follow up (signed-in readers)",
    description="409 `already_done` when you gave your feedback already. " + PERSONAL,
)
def practice_feedback(
    request: HttpRequest, response: HttpResponse, practice_id: int, payload: PracticeFeedbackIn
) -> Status[PracticeFeedbackOut]:
    practice = _practice(request, practice_id)
    feedback: PracticeFeedback = services.practice_feedback(
        actor=request.user, practice=practice, useful=payload.useful, follow_up=payload.follow_up
    )
    out = PracticeFeedbackOut(
        practice=practice.pk, useful=feedback.useful, follow_up=feedback.follow_up
    )
    return created(response, f"/api/knowledge/practices/{practice.pk}", out)


#: marks an operation that takes a body but stores nothing: the API's write matrix
#: (``api/tests/test_write_matrix``) checks it changes nothing for anyone instead
STORES_NOTHING = {"x-stores-nothing": True}


@router.post(
    "/classify",
    response=ClassifyTextOut,
    summary="Which challenges a text states",
    description=(
        "Classifies any text (1 to 20,000 characters, in English, French or Spanish) into the "
        "categories of challenges, each with its confidence and evidence; `none` when it "
        "states none. Stores nothing; open to anyone, counted like every API call."
    ),
    openapi_extra=STORES_NOTHING,
)
def classify_text(request: HttpRequest, body: ClassifyTextIn) -> ClassifyTextOut:
    if not body.text.strip():
        raise ValidationError({"text": [_("Give the text to classify.")]})
    found = classifier.classify([body.text], [body.lang])[0]
    labels = [
        ClassifiedLabelOut(
            category=s.category,
            label=label(s.category),
            confidence=s.confidence,
            evidence=s.evidence,
        )
        for s in found
    ]
    return ClassifyTextOut(
        labels=labels,
        evidence="\n".join(f"{s.category}: {s.evidence}" for s in found if s.evidence),
        method=classifier.METHOD,
    )


@router.get(
    "/search",
    response={200: KnowledgeSearchOut, 422: ErrorOut},
    summary="Search the passages of the knowledge base you may read",
    description="Full-text search in English, French and Spanish (accents and case folded, "
    "each word in any of its forms), ranked, with highlighted snippets and facet counts "
    "over the matched passages you may read. Filters combine: any value within a "
    "parameter, all parameters together. An unknown filter value is a 422 naming the "
    "parameter. The same search as the page /knowledge/.",
)
def search_passages(request: HttpRequest, query: Query[KnowledgeSearchQuery]) -> KnowledgeSearchOut:
    given = {
        name: [str(v) for v in getattr(query, name)]
        for name in ("kind", "state", "year", "language", "article", "pillar", "category")
    }
    for name in ("year_from", "year_to"):
        value = getattr(query, name)
        given[name] = [] if value is None else [str(value)]
    filters = filters_from(given)
    result = search(request.user, query.q, filters, query.page, query.page_size)
    return KnowledgeSearchOut(
        query=result.query,
        ranking=result.ranking,
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        hits=[
            KnowledgeSearchHitOut(
                id=hit.passage.pk,
                snippet=str(hit.snippet),
                rank=hit.rank,
                locator=hit.passage.locator,
                url=hit.passage.url,
                document=hit.passage.document.title if hit.passage.document else None,
                state=hit.passage.state.code if hit.passage.state else None,
                state_name=hit.passage.state.name if hit.passage.state else None,
                year=hit.passage.year,
                kind=hit.passage.kind,
                language=hit.passage.language,
                labels=hit.labels,
                origin=hit.passage.origin,
            )
            for hit in result.hits
        ],
        facets={
            name: [
                KnowledgeSearchFacetValueOut(
                    value=v.value, label=v.label, count=v.count, selected=v.selected
                )
                for v in values
            ]
            for name, values in result.facets.items()
        },
    )
