"""Writes of national mine action platforms, their meetings, and the committee's bilateral
meetings with states.

A platform belongs to its state: the state's focal point and delegates (and ISU staff)
keep it. Bilateral meetings belong to the committee; their notes are confidential by
default (``committee`` visibility), and their follow-up actions are ``cases.action_add``
with ``bilateral_meeting=``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minefree.casework.cases import check_not_future, check_visibility, creator
from minefree.casework.models import BilateralMeeting, NationalPlatform, PlatformMeeting
from minefree.core.audit import audited_create, audited_save, service, snapshot
from minefree.core.models import Visibility
from minefree.core.permissions import require
from minefree.core.versions import check_version, version_of
from minefree.core.workflow import actor_label, claim_once, lock_rows
from minefree.registry.models import Actor, ActorKind, Committee

MAX_TOPIC_LENGTH = 200


class BilateralTopic(models.TextChoices):
    """What the committee raises in bilateral meetings; anything else is kept as free text."""

    NATIONAL_PLATFORM = "national_platform", gettext_lazy("establishing a national platform")
    FORM_J = "form_j", gettext_lazy("submitting a detailed Form J")
    INDIVIDUALISED_APPROACH = (
        "individualised_approach",
        gettext_lazy("using the individualised approach"),
    )
    RESOURCE_MOBILISATION = (
        "resource_mobilisation",
        gettext_lazy("a resource mobilisation plan"),
    )
    ARTICLE7 = "article7", gettext_lazy("detailed Article 7 reporting")
    COUNTRY_PAGE = "country_page", gettext_lazy("the country page and the online tool")
    EXTENSION_REQUEST = "extension_request", gettext_lazy("an Article 5 extension request")
    BEST_PRACTICE = "best_practice", gettext_lazy("sharing best practices")
    FUND = "fund", gettext_lazy("the Cooperation and Assistance Fund")
    GENDER_DIVERSITY = "gender_diversity", gettext_lazy("gender and diversity")


def topic_label(topic: str) -> str:
    """The translated label of a topic code; free-text topics are shown as written."""
    if topic in BilateralTopic.values:
        return str(BilateralTopic(topic).label)
    return topic


def _clean_topics(topics: list[str]) -> list[str]:
    cleaned = [t.strip() for t in topics if t.strip()]
    if not cleaned:
        raise ValidationError(_("Name at least one topic of the meeting."))
    if any(len(t) > MAX_TOPIC_LENGTH for t in cleaned):
        raise ValidationError(
            _("A topic has at most %(max)d characters.") % {"max": MAX_TOPIC_LENGTH}
        )
    return list(dict.fromkeys(cleaned))


def _require_platform_editor(actor: Any, state: Actor) -> None:
    require(
        actor,
        "platform.edit",
        state,
        _("Only the state's focal point and delegates and ISU staff keep its platform."),
    )


# --- national platforms ---------------------------------------------------------------------

#: what a platform's version covers: the fields ``platform_save`` audits, and its members
PLATFORM_FIELDS = [
    "state",
    "convening_authority",
    "established_on",
    "terms_of_reference",
    "visibility",
    "origin",
]


def platform_version(platform: NationalPlatform) -> str:
    """The version a writer names to change ``platform`` (``If-Match``); its members
    are part of it (read from a prefetch when there is one)."""
    members = sorted(m.pk for m in platform.members.all())
    return version_of(platform, PLATFORM_FIELDS, {"members": members})


@service
def platform_save(
    *,
    actor: Any,
    state: Actor,
    convening_authority: Actor | None,
    established_on: dt.date | None,
    members: list[Actor],
    terms_of_reference: str,
    visibility: str = Visibility.PUBLIC,
    expected_version: str | None = None,
) -> NationalPlatform:
    """Create or update the state's platform (one per state).

    ``expected_version`` is the version the writer read, or ``""`` when they saw no
    platform yet: a platform changed (or first recorded) since then is not overwritten
    (``VersionConflictError``). None compares nothing.
    """
    _require_platform_editor(actor, state)
    if state.kind != ActorKind.STATE:
        raise ValidationError(_("A national platform belongs to a state."))
    check_visibility(visibility)
    if established_on is not None:
        check_not_future(established_on, _("The date the platform was established"))
    if convening_authority is not None and state.pk not in (
        convening_authority.pk,
        convening_authority.parent_id,
    ):
        raise ValidationError(
            _("The convening authority is the state itself or one of its national bodies.")
        )
    lock_rows(Actor.objects.filter(pk=state.pk))  # two first records: the second finds one
    platform = NationalPlatform.objects.select_for_update().filter(state=state).first()
    if platform is not None:
        check_version(platform, platform_version(platform), expected_version)
    before: dict[str, Any] | None = None
    if platform is None:
        platform = NationalPlatform(state=state, created_by=creator(actor))
    else:
        before = snapshot(platform) | {
            "members": sorted(platform.members.values_list("pk", flat=True))
        }
    platform.convening_authority = convening_authority
    platform.established_on = established_on
    platform.terms_of_reference = terms_of_reference.strip()
    platform.visibility = visibility
    audited_save(
        actor=actor,
        obj=platform,
        action="platform.updated" if before else "platform.created",
        before=before,
        links={"members": members},
        state_code=state.state_code,
    )
    return platform


@service
def platform_meeting_record(
    *,
    actor: Any,
    platform: NationalPlatform,
    held_on: dt.date,
    participants: list[Actor],
    progress: str,
    funding_gap_usd: Decimal | None,
    commitments: str,
    visibility: str = Visibility.PUBLIC,
    request_key: str = "",
) -> PlatformMeeting:
    """Record a meeting of the platform: who came, progress, the funding gap, commitments."""
    _require_platform_editor(actor, platform.state)
    claim_once(actor_label=actor_label(actor), key=request_key, action="platform.meeting_recorded")
    check_visibility(visibility)
    check_not_future(held_on, _("The date of a meeting held"))
    if platform.established_on is not None and held_on < platform.established_on:
        raise ValidationError(_("The meeting cannot come before the platform was established."))
    if funding_gap_usd is not None and funding_gap_usd < 0:
        raise ValidationError(_("A funding gap cannot be negative."))
    meeting = PlatformMeeting(
        platform=platform,
        held_on=held_on,
        progress=progress.strip(),
        funding_gap_usd=funding_gap_usd,
        commitments=commitments.strip(),
        visibility=visibility,
        created_by=creator(actor),
    )
    audited_save(
        actor=actor,
        obj=meeting,
        action="platform.meeting_recorded",
        links={"participants": participants},
        state_code=platform.state.state_code,
    )
    return meeting


# --- the committee's bilateral meetings -------------------------------------------------------


@service
def bilateral_meeting_record(
    *,
    actor: Any,
    committee: Committee,
    counterpart: Actor,
    held_on: dt.date,
    topics: list[str],
    notes: str,
    visibility: str = Visibility.COMMITTEE,
    request_key: str = "",
) -> BilateralMeeting:
    """Record the committee's meeting with a state or organisation (notes confidential by default).

    ``topics`` mixes ``BilateralTopic`` codes and free text; both are kept as given.
    """
    require(
        actor,
        "bilateral_meeting.record",
        None,
        _("Only committee members and ISU staff record bilateral meetings."),
    )
    claim_once(actor_label=actor_label(actor), key=request_key, action="bilateral.recorded")
    check_visibility(visibility)
    check_not_future(held_on, _("The date of a meeting held"))
    meeting = BilateralMeeting(
        committee=committee,
        counterpart=counterpart,
        held_on=held_on,
        topics=_clean_topics(topics),
        notes=notes.strip(),
        visibility=visibility,
        created_by=creator(actor),
    )
    audited_create(
        actor=actor, obj=meeting, action="bilateral.recorded", state_code=counterpart.state_code
    )
    return meeting
