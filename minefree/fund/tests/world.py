"""The people of the fund's tests: ISU staff, the focal points of Nigeria (applicant) and
Türkiye (host), the committee's 2024 members sitting for their states, and others."""

from __future__ import annotations

from typing import Any

from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.fund.scenario import Cast

COMMITTEE = "cooperation_assistance"


def fund_cast() -> dict[str, Any]:
    users = {
        "isu": make_user("fund_isu", Role.ISU_STAFF),
        "nigeria": make_user("fp_nigeria", Role.STATE_FOCAL_POINT, scope="NGA"),
        "turkiye": make_user("fp_turkiye", Role.STATE_FOCAL_POINT, scope="TUR"),
        "peru": make_user("fp_peru_fund", Role.STATE_FOCAL_POINT, scope="PER"),
        "donor": make_user("donor_nld", Role.DONOR_FOCAL_POINT, scope="NLD"),
        "unseated": make_user("member_unseated", Role.COMMITTEE_MEMBER, committee=COMMITTEE),
    }
    for iso3 in ("DZA", "DNK", "JPN", "TUR"):
        users[f"member_{iso3}"] = make_user(
            f"member_{iso3.lower()}", Role.COMMITTEE_MEMBER, scope=iso3, committee=COMMITTEE
        )
    return users


def scenario_cast(users: dict[str, Any]) -> Cast:
    return Cast(
        isu=users["isu"],
        nigeria=users["nigeria"],
        turkiye=users["turkiye"],
        chair=users["member_DZA"],
        members={iso3: users[f"member_{iso3}"] for iso3 in ("DZA", "DNK", "JPN")},
    )
