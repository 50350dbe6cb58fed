"""The international funding a submitted request seeks becomes needs in cooperation.

Each year of the workplan's budget with money sought from abroad is one financial need of
the state (pillar survey and clearance, source "Article 5 extension request", the request
as reference), so that matching suggests offers for it and coverage counts what donors
commit and pay against it. Run after the submission commits (``core.hooks``); a revision
updates the needs of the same request instead of adding others.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from minefree.assistance import services as assistance
from minefree.assistance.models import AssistanceType, Need, NeedSource
from minefree.clearance.models import FundingSource, RequestVersion
from minefree.core.audit import service
from minefree.core.models import Origin, Visibility
from minefree.core.permissions import require

PILLAR = "survey_clearance"


def source_ref(request_id: int) -> str:
    """How a need names the request it comes from."""
    return f"extension-request:{request_id}"


@service
def needs_from_request(*, actor: Any, request_id: int, version_id: int) -> list[Need]:
    """Create or update one need per year of international funding sought (idempotent)."""
    version = RequestVersion.objects.select_related("request__state").get(pk=version_id)
    request = version.request
    # the state's own act carried on, run (and retried) as the person who submitted
    require(actor, "extension_request.draft", request.state)
    sought: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for line in version.budget.filter(source=FundingSource.INTERNATIONAL_SOUGHT):
        sought[(line.year, line.currency)] += line.amount
    existing = {
        (n.year_from, n.currency): n
        for n in Need.objects.filter(
            state=request.state,
            source_kind=NeedSource.EXTENSION_REQUEST,
            source_ref=source_ref(request.pk),
        )
    }
    origin = Origin.SYNTHETIC if request.origin == Origin.SYNTHETIC else Origin.REPORTED
    saved = []
    for (year, currency), amount in sorted(sought.items()):
        data = assistance.NeedInput(
            pillar=PILLAR,
            assistance_type=AssistanceType.FINANCIAL,
            title=_("Article 5 workplan %(year)s: international funding sought") % {"year": year},
            description=_("From the Article 5 extension request of %(state)s (version %(n)s).")
            % {"state": request.state.name_en, "n": version.number},
            year_from=year,
            year_to=year,
            amount=amount,
            currency=currency,
            visibility=Visibility.PUBLIC,
            source_kind=NeedSource.EXTENSION_REQUEST,
            source_ref=source_ref(request.pk),
            origin=origin,
        )
        need = existing.get((year, currency))
        saved.append(assistance.need_save(actor=actor, state=request.state, data=data, need=need))
    return saved
