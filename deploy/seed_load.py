"""The accounts of the production rehearsal's load scenario (``deploy/locustfile.py``).

``python -m deploy.seed_load --focal-points 40 --out accounts.json`` with the app's
environment (``DATABASE_URL`` ...), after the reference data and the demo accounts:

- one synthetic focal point per State Party (``load_fp_<iso3>``, labelled "synthetic load
  test account"), for as many states as asked, each with its state's Article 7 draft of the
  current reporting year open (opened by them through the reporting service) and a personal
  API token;
- the demo committee member (``committee_chair``) and ISU staff (``isu_staff``) sign-ins,
  and one API token of ISU staff.

Everything goes through minefree's services, audited. Run it again and it finds what it
made: the same users and drafts; the passwords of the previous ``--out`` file are kept
(unless ``--password`` is given); the load tokens are replaced by new ones (a secret is
shown only once). The file holds passwords and tokens: it is written readable by its
owner only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

#: the demo accounts' password (``minefree demo-accounts``)
DEMO_PASSWORD = "minefree-demo"
COMMITTEE_USERNAME = "committee_chair"
ISU_USERNAME = "isu_staff"
#: the name of every token this module makes; a new run revokes the old ones by it
TOKEN_NAME = "load-test"
TOKEN_DAYS = 7
USERNAME_PREFIX = "load_fp_"
NOTE = "synthetic load test account (production rehearsal)"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minefree.settings")
    import django

    django.setup()


def reporting_year() -> int:
    """The year the reports due on 30 April cover: last year (the open-draft form's default)."""
    from django.utils import timezone

    return timezone.localdate().year - 1


def _draftable_states(year: int) -> list[Any]:
    """States Parties, by name, whose report for ``year`` is not submitted already (a
    submitted report takes an amendment, not a draft)."""
    from django.utils import timezone

    from minefree.registry.models import ActorKind
    from minefree.registry.selectors import parties_on
    from minefree.reporting.models import Article7Report, ReportKind, VersionStatus

    submitted = set(
        Article7Report.objects.filter(year=year, kind=ReportKind.ANNUAL)
        .exclude(versions__status=VersionStatus.DRAFT)
        .filter(versions__isnull=False)
        .values_list("state_id", flat=True)
    )
    return [
        state
        for state in parties_on(timezone.localdate()).filter(kind=ActorKind.STATE)
        if state.iso3 and state.pk not in submitted
    ]


def _user(username: str, password: str) -> Any:
    """The account ``username`` with ``password``: created, or found with that password."""
    from django.contrib.auth import get_user_model

    from minefree.accounts.services import user_create
    from minefree.core.audit import SYSTEM

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return user_create(actor=SYSTEM, username=username, password=password, full_name=NOTE)
    if not user.check_password(password):
        raise SystemExit(
            f"{username} exists with another password: give --password, or --out the file "
            "of the run that made it."
        )
    return user


def _focal_point_of(user: Any, state: Any) -> None:
    from minefree.accounts.models import Role
    from minefree.accounts.selectors import active_memberships
    from minefree.accounts.services import membership_grant
    from minefree.core.audit import SYSTEM

    if not active_memberships(user).filter(role=Role.STATE_FOCAL_POINT, actor=state).exists():
        membership_grant(
            actor=SYSTEM, user=user, role=Role.STATE_FOCAL_POINT, scope_actor=state, note=NOTE
        )


def _token(user: Any) -> str:
    """A new load token of ``user``, its previous live ones revoked."""
    from minefree.accounts.models import ApiToken
    from minefree.accounts.services import api_token_create, api_token_revoke
    from minefree.core.audit import SYSTEM

    for old in ApiToken.objects.filter(user=user, name=TOKEN_NAME, revoked_at__isnull=True):
        api_token_revoke(actor=SYSTEM, token=old)
    _token_row, secret = api_token_create(
        actor=SYSTEM, user=user, name=TOKEN_NAME, expires_in_days=TOKEN_DAYS
    )
    return secret


def _demo_account(username: str) -> Any:
    """A demo account, made by ``minefree demo-accounts`` if the demo has not made it yet."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    users = get_user_model().objects
    if not users.filter(username=username).exists():
        call_command("demo_accounts", stdout=io.StringIO())
    return users.get(username=username)


def seed(
    focal_points: int, password: str | None = None, known: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Make (or find) the load scenario's accounts and drafts; what ``--out`` holds.

    ``known`` is a previous run's output: its passwords are reused for its users."""
    from django.db import transaction

    from minefree.core.audit import new_request_id, request_context
    from minefree.reporting.services import draft_open

    previous = {fp["username"]: fp["password"] for fp in (known or {}).get("focal_points", [])}
    year = reporting_year()
    states = _draftable_states(year)
    mine = [s for s in states if _username(s) in previous]
    states = mine + [s for s in states if _username(s) not in previous]
    if len(states) < focal_points:
        raise SystemExit(f"Only {len(states)} States Parties can open a {year} draft.")
    out: dict[str, Any] = {"year": year, "focal_points": []}
    with request_context(new_request_id("load-seed-")):
        for state in states[:focal_points]:
            username = _username(state)
            secret = password or previous.get(username) or secrets.token_urlsafe(12)
            with transaction.atomic():
                user = _user(username, secret)
                _focal_point_of(user, state)
                # opened by the focal point, as on the page: the audit names them
                version = draft_open(actor=user, state=state, year=year).version
                token = _token(user)
            out["focal_points"].append(
                {
                    "username": username,
                    "password": secret,
                    "state": state.iso3,
                    "draft_version_id": version.pk,
                    "token": token,
                }
            )
        committee = _demo_account(COMMITTEE_USERNAME)
        isu = _demo_account(ISU_USERNAME)
        with transaction.atomic():
            isu_token = _token(isu)
    out["committee"] = {"username": committee.get_username(), "password": DEMO_PASSWORD}
    out["isu"] = {"username": isu.get_username(), "password": DEMO_PASSWORD, "token": isu_token}
    return out


def _username(state: Any) -> str:
    return f"{USERNAME_PREFIX}{state.iso3.lower()}"


def write(accounts: dict[str, Any], path: Path) -> None:
    """Write the accounts file, readable by its owner only (it holds secrets)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(accounts, out, indent=2)
        out.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.seed_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--focal-points", type=int, default=40, help="How many (default 40).")
    parser.add_argument("--out", type=Path, required=True, help="The accounts JSON file.")
    parser.add_argument(
        "--password",
        help="The focal points' password (default: the previous --out file's, else random).",
    )
    args = parser.parse_args(argv)
    if args.focal_points < 1:
        parser.error("--focal-points must be at least 1")
    known = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else None
    setup_django()
    accounts = seed(args.focal_points, password=args.password, known=known)
    write(accounts, args.out)
    print(
        f"{len(accounts['focal_points'])} focal points with {accounts['year']} drafts, "
        f"the committee and ISU staff: {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
