"""Pledges made at an individualised approach meeting: a ``Flow`` tied to the case.

The partner reports them (``reported_by`` donor), the committee records them. An in-kind
pledge may carry an amount of 0 when no value was given; its description then says what and
how much ("2 mine detection dogs with handlers, 12 months").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minefree.assistance.models import AssistanceType, Need
from minefree.casework.cases import PLEDGE_STATUSES
from minefree.casework.models import (
    IndividualisedApproachCase,
)
from minefree.core.audit import audit_record, service
from minefree.core.currency import NO_CURRENCY
from minefree.core.permissions import require
from minefree.core.workflow import actor_label, claim_once
from minefree.funding import flows
from minefree.funding.models import Flow, FlowStatus, ReportedBy
from minefree.registry.models import Actor


@service
def case_pledge(
    *,
    actor: Any,
    case: IndividualisedApproachCase,
    donor: Actor,
    amount: Decimal,
    currency: str,
    year: int,
    pillar: str,
    assistance_type: str,
    description: str,
    need: Need | None = None,
    request_key: str = "",
) -> Flow:
    """Record a partner's pledge made at the case's meeting, as a ``Flow`` tied to the case.

    Financial pledges need an amount above 0. An in-kind pledge may give 0 when the partner
    named no value: its currency is then ``XXX`` (no currency) and its description must say
    what is offered and how much. The pledge takes the visibility of the case.
    """
    require(actor, "case.run", None, _("Only committee members and ISU staff do this."))
    claim_once(actor_label=actor_label(actor), key=request_key, action="case.pledged")
    case = IndividualisedApproachCase.objects.select_related("state").get(pk=case.pk)
    if case.status not in PLEDGE_STATUSES:
        raise ValidationError(_("Pledges are recorded once the case's meeting has been held."))
    if assistance_type not in AssistanceType.values:
        raise ValidationError(_("Choose a type of assistance from the list."))
    if amount < 0:
        raise ValidationError(_("An amount cannot be negative."))
    if amount == 0:
        if assistance_type == AssistanceType.FINANCIAL:
            raise ValidationError(_("A financial pledge needs an amount."))
        if not description.strip():
            raise ValidationError(
                _("An in-kind pledge without a value must say what is offered and how much.")
            )
        currency = NO_CURRENCY
    if need is not None and need.state_id != case.state_id:
        raise ValidationError(_("The need belongs to another state."))
    fields: dict[str, Any] = {
        "donor": donor,
        "recipient": case.state,
        "status": FlowStatus.PLEDGE,
        "year": year,
        "amount": amount,
        "currency": currency,
        "reported_by": ReportedBy.DONOR,
        "pillar": pillar,
        "assistance_type": assistance_type,
        "need": need,
        "case": case,
        "description": description.strip(),
        "visibility": case.visibility,
    }
    flow = flows.flow_record(actor=actor, **fields)
    audit_record(
        actor=actor,
        action="case.pledged",
        obj=case,
        after={"flow": flow.pk, "donor": donor.pk, "amount": str(amount), "currency": currency},
        state_code=case.state.state_code,
    )
    return flow
