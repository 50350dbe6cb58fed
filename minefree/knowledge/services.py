"""Writes to the knowledge base: passages handed in by the apps that hold the texts,
documents, the decisions on challenge labels, practices and their feedback. Every function
is an audited ``@service``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from minefree.core.audit import audit_record, audited_create, audited_update, service, snapshot
from minefree.core.models import Origin, Visibility
from minefree.core.permissions import require
from minefree.core.uploads import DOCX, PDF, TEXT, check_upload, store_upload
from minefree.core.workflow import AlreadyDone, locked
from minefree.knowledge import classify as classifier
from minefree.knowledge import fulltext, training
from minefree.knowledge.models import (
    Document,
    LabelStatus,
    Passage,
    PassageLabel,
    Practice,
    PracticeFeedback,
    PracticeStatus,
    TrainingRun,
)
from minefree.knowledge.signals import passages_rebuild_requested
from minefree.knowledge.taxonomy import CODES, FORM_J_CATEGORIES, NONE
from minefree.knowledge.text import docx_paragraphs, guess_language, pdf_pages, split_passages
from minefree.registry.models import Actor, Meeting
from minefree.reporting.models import ReportVersion, VersionStatus

DOCUMENT_MAX_BYTES = 30 * 1024 * 1024
MAX_PASSAGE = 20_000
#: the method of a label the source itself gives (Form J's kind of challenge)
STATED = "stated"


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@dataclass(frozen=True)
class PassageInput:
    """A passage as the app holding the text hands it in."""

    text: str
    locator: str
    kind: str
    state: Actor | None = None
    year: int | None = None
    language: str = ""  # guessed from the text when blank
    url: str = ""
    stated_category: str = ""
    visibility: str = Visibility.PUBLIC
    origin: str = Origin.REPORTED


@service
def passages_replace(
    *,
    actor: Any,
    source_kind: str,
    source_id: str,
    passages: Sequence[PassageInput],
    document: Document | None = None,
    state_code: str = "",
) -> list[Passage]:
    """Make ``passages`` the whole text of one source (a report, a request, a document),
    classified; the source's earlier passages and their suggested labels go, so an amended
    report or a revised request is searched as it is now. Labels people confirmed or
    rejected stay with the passage of the same text in the source (its place may say
    "version 2" now)."""
    kept = {
        (label.passage.text, label.category): label
        for label in PassageLabel.objects.filter(
            passage__source_kind=source_kind, passage__source_id=source_id
        )
        .exclude(status=LabelStatus.SUGGESTED)
        .select_related("passage")
    }
    removed = Passage.objects.filter(source_kind=source_kind, source_id=source_id).count()
    fulltext.unindex_source(source_kind, source_id)
    Passage.objects.filter(source_kind=source_kind, source_id=source_id).delete()
    rows = [
        Passage(
            source_kind=source_kind,
            source_id=source_id,
            locator=p.locator[:200],
            url=p.url[:300],
            document=document,
            state=p.state,
            year=p.year,
            kind=p.kind,
            language=p.language or guess_language(p.text),
            text=p.text.strip()[:MAX_PASSAGE],
            stated_category=p.stated_category,
            visibility=p.visibility,
            origin=p.origin,
            position=n,
        )
        for n, p in enumerate(passages)
        if p.text.strip()
    ]
    Passage.objects.bulk_create(rows)
    fulltext.index_passages(rows)
    suggestions = classifier.classify([r.text for r in rows], [r.language for r in rows])
    labels = []
    for row, found in zip(rows, suggestions, strict=True):
        decided = {c: label for (text, c), label in kept.items() if text == row.text}
        stated = FORM_J_CATEGORIES.get(row.stated_category)
        if stated and stated not in decided:
            labels.append(
                PassageLabel(
                    passage=row,
                    category=stated,
                    confidence=1.0,
                    evidence=_("the kind of challenge the state chose in Form J"),
                    method=STATED,
                )
            )
        if stated:  # the state named a challenge: the classifier's "none" does not hold
            found = [s for s in found if s.category != NONE]
        for s in found:
            if s.category not in decided and s.category != stated:
                labels.append(
                    PassageLabel(
                        passage=row,
                        category=s.category,
                        confidence=s.confidence,
                        evidence=s.evidence[:500],
                        method=s.method,
                    )
                )
        for category, label in decided.items():
            labels.append(
                PassageLabel(
                    passage=row,
                    category=category,
                    confidence=label.confidence,
                    evidence=label.evidence,
                    method=label.method,
                    status=label.status,
                    decided_by=label.decided_by,
                    decided_at=label.decided_at,
                )
            )
    PassageLabel.objects.bulk_create(labels)
    audit_record(
        actor=actor,
        action="passages.indexed",
        obj=rows[0] if rows else Passage(source_kind=source_kind, source_id=source_id),
        before={"passages": removed},
        after={
            "source": f"{source_kind}:{source_id}",
            "passages": len(rows),
            "labels": len(labels),
        },
        state_code=state_code,
    )
    return rows


def _require_labeller(actor: Any) -> None:
    require(
        actor,
        "challenge.label",
        None,
        _("Only committee members and ISU staff confirm or correct challenge labels."),
    )


@service
def label_decide(*, actor: Any, passage: Passage, category: str, status: str) -> PassageLabel:
    """Confirm a category of a passage (adding it when the classifier missed it) or reject
    it. Audited; the next training of the classifier learns from it."""
    _require_labeller(actor)
    if category not in CODES:
        raise ValidationError({"category": [_("Not a category of challenges.")]})
    if status not in (LabelStatus.CONFIRMED, LabelStatus.REJECTED):
        raise ValidationError({"status": [_("Confirm or reject.")]})
    label = PassageLabel.objects.filter(passage=passage, category=category).first()
    state_code = passage.state.state_code if passage.state else ""
    if label is None:
        if status == LabelStatus.REJECTED:
            raise ValidationError(_("The passage has no such label to reject."))
        label = PassageLabel(
            passage=passage,
            category=category,
            method="person",
            status=status,
            decided_by=_user(actor),
            decided_at=timezone.now(),
        )
        audited_create(
            actor=actor, obj=label, action="challenge_label.added", state_code=state_code
        )
        return label
    locked(label)
    if label.status == status:
        raise AlreadyDone(_("This label already has that decision."))
    audited_update(
        actor=actor,
        obj=label,
        action="challenge_label.decided",
        changes={"status": status, "decided_by": _user(actor), "decided_at": timezone.now()},
        state_code=state_code,
    )
    return label


@service
def document_add(
    *,
    actor: Any,
    title: str,
    kind: str,
    language: str,
    file: UploadedFile | None = None,
    url: str = "",
    states: Sequence[Actor] = (),
    year: int | None = None,
    meeting: Meeting | None = None,
    articles: Sequence[int] = (),
    actions: Sequence[str] = (),
    pillars: Sequence[str] = (),
    visibility: str = Visibility.PUBLIC,
    origin: str = Origin.ENTERED,
) -> Document:
    """Add a document: its file (checked by content, its text extracted into passages, a
    page each for a PDF) or its address."""
    require(actor, "document.add", None, _("Only committee members and ISU staff add documents."))
    if file is None and not url.strip():
        raise ValidationError(_("Upload the document or give its address."))
    document = Document(
        title=title.strip(),
        kind=kind,
        language=language,
        url=url.strip(),
        year=year,
        meeting=meeting,
        articles=list(articles),
        actions=list(actions),
        pillars=list(pillars),
        visibility=visibility,
        origin=origin,
        created_by=_user(actor),
    )
    pages: list[tuple[str, str]] = []
    if file is not None:
        upload = check_upload(
            file, name=file.name or "", allowed=(PDF, DOCX, TEXT), max_bytes=DOCUMENT_MAX_BYTES
        )
        data = file.read()
        file.seek(0)
        if upload is PDF:
            found = pdf_pages(data)
            document.pages = len(found)
            pages = [(_("page %(n)s") % {"n": p.number}, p.text) for p in found]
        elif upload is DOCX:
            pages = [("", "\n\n".join(docx_paragraphs(data)))]
        else:
            pages = [("", data.decode("utf-8", errors="replace"))]
        document.text = "\n\n".join(text for _where, text in pages)
        document.file = file
    document.full_clean()
    if file is not None:
        store_upload(document.file, document.file.name or "document", file)
    document.save()
    document.states.set(states)
    audit_record(
        actor=actor,
        action="document.added",
        obj=document,
        after=snapshot(document, ["title", "kind", "language", "url", "visibility"])
        | {"states": sorted(s.pk for s in states)},
        state_code=states[0].state_code if len(states) == 1 else "",
    )
    inputs = []
    for where, text in pages:
        for n, chunk in enumerate(split_passages(text), 1):
            locator = f"{where}, {n}" if where else str(n)
            inputs.append(
                PassageInput(
                    text=chunk,
                    locator=locator,
                    kind=kind,
                    state=states[0] if len(states) == 1 else None,
                    year=year,
                    language=language if language != "other" else "",
                    url=document.url,
                    visibility=visibility,
                    origin=origin,
                )
            )
    passages_replace(
        actor=actor,
        source_kind="knowledge.document",
        source_id=str(document.pk),
        passages=inputs,
        document=document,
    )
    return document


@service
def practice_propose(
    *,
    actor: Any,
    title: str,
    what: str,
    who: str = "",
    result: str = "",
    where: Sequence[Actor] = (),
    contact: Actor | None = None,
    documents: Sequence[Document] = (),
    language: str = "en",
    visibility: str = Visibility.PUBLIC,
    origin: str = Origin.ENTERED,
    source: tuple[str, str, str] = ("", "", ""),
) -> Practice:
    """A practice proposed by a focal point, a committee member or ISU staff; ``source``
    (kind, id, address) names the record it was drawn from, e.g. a visit report."""
    require(
        actor,
        "practice.propose",
        None,
        _("Sign in as a focal point, a committee member or ISU staff."),
    )
    practice = Practice(
        title=title.strip(),
        what=what.strip(),
        who=who.strip(),
        result=result.strip(),
        contact=contact,
        language=language,
        visibility=visibility,
        origin=origin,
        proposed_by=_user(actor),
        source_kind=source[0],
        source_id=source[1],
        source_url=source[2],
    )
    practice.full_clean()
    practice.save()
    practice.where.set(where)
    practice.documents.set(documents)
    audit_record(
        actor=actor,
        action="practice.proposed",
        obj=practice,
        after=snapshot(practice, ["title", "what", "who", "result", "visibility"]),
        state_code=where[0].state_code if len(where) == 1 else "",
    )
    return practice


@service
def practice_publish(*, actor: Any, practice: Practice) -> Practice:
    """ISU staff publish a proposed practice."""
    require(actor, "practice.publish", practice, _("Only ISU staff publish practices."))
    locked(practice)
    if practice.status == PracticeStatus.PUBLISHED:
        raise AlreadyDone(_("This practice is already published."))
    audited_update(
        actor=actor,
        obj=practice,
        action="practice.published",
        changes={"status": PracticeStatus.PUBLISHED, "published_at": timezone.now()},
    )
    return practice


@service
def practice_feedback(
    *, actor: Any, practice: Practice, useful: bool = True, follow_up: str = ""
) -> PracticeFeedback:
    """A reader's "useful", and a follow-up asked of the practice's authors (once each)."""
    require(actor, "practice.feedback", practice, _("Sign in to give feedback."))
    if PracticeFeedback.objects.filter(practice=practice, user=actor).exists():
        raise AlreadyDone(_("You already gave your feedback on this practice."))
    feedback = PracticeFeedback(
        practice=practice, user=actor, useful=useful, follow_up=follow_up.strip()
    )
    audited_create(actor=actor, obj=feedback, action="practice.feedback_given")
    return feedback


#: passages classified at once when a training run refreshes the suggestions
REFRESH_CHUNK = 2000


def _refresh_suggestions(passages: Any) -> int:
    """Replace the suggested labels of ``passages`` by the current model's; labels people
    decided on, and those the source states (Form J), stay as they are."""
    PassageLabel.objects.filter(passage__in=passages, status=LabelStatus.SUGGESTED).exclude(
        method=STATED
    ).delete()
    kept = set(
        PassageLabel.objects.filter(passage__in=passages).values_list("passage_id", "category")
    )
    written = 0
    rows = list(passages.order_by("pk").values_list("pk", "text", "language"))
    for start in range(0, len(rows), REFRESH_CHUNK):
        chunk = rows[start : start + REFRESH_CHUNK]
        found = classifier.classify([row[1] for row in chunk], [row[2] for row in chunk])
        labels = [
            PassageLabel(
                passage_id=pk,
                category=s.category,
                confidence=s.confidence,
                evidence=s.evidence[:500],
                method=s.method,
            )
            for (pk, _text, _language), suggestions in zip(chunk, found, strict=True)
            for s in suggestions
            if (pk, s.category) not in kept
        ]
        PassageLabel.objects.bulk_create(labels)
        written += len(labels)
    return written


@service
def classifier_train(*, actor: Any) -> TrainingRun:
    """Train the challenge classifier again on the labelled set and people's decisions,
    record the run with its scores on the set's eval split, and refresh the suggested
    labels of every passage (decided and stated labels are kept)."""
    require(actor, "classifier.train", None, _("Only ISU staff train the classifier."))
    rows = training.load_set()
    examples = training.set_examples(rows)
    examples += training.corrections_of(classifier.decisions())
    model = training.train(examples, classifier.PATTERNS)
    scores = training.evaluate(model, rows)
    run = TrainingRun(
        created_by=_user(actor),
        method=classifier.METHOD,
        set_passages=model.set_passages,
        corrections=model.corrections,
        eval_passages=scores.passages,
        macro_f1=scores.macro_f1,
        f1=scores.f1,
    )
    run.save()
    classifier.install(model, (run.pk, run.created_at.isoformat()))
    run.labels_suggested = _refresh_suggestions(Passage.objects.all())
    run.save(update_fields=["labels_suggested"])
    audit_record(
        actor=actor,
        action="classifier.trained",
        obj=run,
        after={
            "method": run.method,
            "set_passages": run.set_passages,
            "corrections": run.corrections,
            "macro_f1": run.macro_f1,
            "labels_suggested": run.labels_suggested,
        },
    )
    return run


@service
def passages_rebuild(*, actor: Any) -> dict[str, int]:
    """Make the passages and the search index of everything again: each report's latest
    submitted version, the records of the apps above (``passages_rebuild_requested``) and
    the index of every document's passages. For an installation whose reports were
    submitted before the knowledge base existed, or an index to repair. Idempotent."""
    require(actor, "passages.rebuild", None, _("Only ISU staff rebuild the knowledge base."))
    from minefree.knowledge.reports import passages_from_report_versions  # it uses this module

    submitted = ReportVersion.objects.filter(status=VersionStatus.SUBMITTED)
    counts: dict[str, int] = {
        "reports": passages_from_report_versions(
            actor=actor, version_ids=list(submitted.values_list("pk", flat=True))
        )
    }
    for _receiver, found in passages_rebuild_requested.send(Passage, actor=actor):
        if isinstance(found, dict):
            for name, count in found.items():
                counts[name] = counts.get(name, 0) + int(count)
    documents = Passage.objects.filter(source_kind="knowledge.document")
    fulltext.index_passages(documents.only("pk", "language", "text").iterator(chunk_size=2000))
    counts["document passages"] = documents.count()
    return counts
