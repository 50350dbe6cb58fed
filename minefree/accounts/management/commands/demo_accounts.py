"""``minefree demo-accounts``: one demo account per role, printed with its password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from minefree.accounts.models import Role
from minefree.accounts.services import focal_point_delegate, membership_grant, user_create
from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.registry.models import Actor, Committee

DEMO_PASSWORD = "minefree-demo"

# (username, role, actor iso3 or key, committee code, description)
DEMO_ACCOUNTS = [
    ("focal_point_peru", Role.STATE_FOCAL_POINT, "PER", "", "focal point of Peru"),
    ("delegate_peru", Role.STATE_DELEGATE, "PER", "", "colleague delegated by Peru's focal point"),
    ("donor_japan", Role.DONOR_FOCAL_POINT, "JPN", "", "donor focal point of Japan"),
    (
        "committee_chair",
        Role.COMMITTEE_MEMBER,
        "",
        "cooperation_assistance",
        "member of the Committee on the Enhancement of Cooperation and Assistance",
    ),
    ("isu_staff", Role.ISU_STAFF, "", "", "ISU staff"),
    ("administrator", Role.ADMINISTRATOR, "", "", "administrator"),
]


class Command(BaseCommand):
    help = "Create one demo account per role (skips accounts that exist) and print them."

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        with request_context(new_request_id("cli-")):
            for username, role, scope, committee_code, _desc in DEMO_ACCOUNTS:
                if users.filter(username=username).exists():
                    continue
                scope_actor = None
                if scope:
                    scope_actor = Actor.objects.filter(iso3=scope).first()
                    if scope_actor is None:
                        raise CommandError(
                            "Load the reference data first (minefree load-reference)."
                        )
                committee = (
                    Committee.objects.filter(code=committee_code).first()
                    if committee_code
                    else None
                )
                user = user_create(
                    actor=SYSTEM,
                    username=username,
                    password=DEMO_PASSWORD,
                    staff_site=role in (Role.ISU_STAFF, Role.ADMINISTRATOR),
                )
                if role == Role.STATE_DELEGATE and scope_actor is not None:
                    focal_point_delegate(
                        actor=SYSTEM, state=scope_actor, colleague_username=username
                    )
                    continue
                membership_grant(
                    actor=SYSTEM,
                    user=user,
                    role=role,
                    scope_actor=scope_actor,
                    committee=committee,
                    note="demo account",
                )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        self.stdout.write("  anonymous visitor         (no account: the public site)")
        for username, _role, _scope, _committee, desc in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<25} {desc}")
