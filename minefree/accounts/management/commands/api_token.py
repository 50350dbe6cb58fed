"""``minefree api-token USERNAME``: a personal API token for scripts and operations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minefree.accounts.models import ApiToken
from minefree.accounts.services import api_token_create, api_token_revoke
from minefree.core.audit import SYSTEM, new_request_id, request_context


class Command(BaseCommand):
    help = (
        "Print a new personal API token of USERNAME (shown once, stored as a fingerprint), "
        "or revoke one with --revoke NAME."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="script", help="The token's name (default: script).")
        parser.add_argument(
            "--expires-days", type=int, default=90, help="1 to 366 days (default: 90)."
        )
        parser.add_argument("--read-only", action="store_true", help="It may only read.")
        parser.add_argument("--revoke", metavar="NAME", help="Revoke the live token NAME.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']}.")
        with request_context(new_request_id("cli-")):
            try:
                if options["revoke"]:
                    self._revoke(user, options["revoke"])
                    return
                token, secret = api_token_create(
                    actor=SYSTEM,
                    user=user,
                    name=options["name"],
                    expires_in_days=options["expires_days"],
                    read_only=options["read_only"],
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.name!r} of {user.get_username()}, "
            f"{'read only' if token.read_only else 'read and write'}, "
            f"expires {token.expires_at:%Y-%m-%d}. It is shown only now:"
        )
        self.stdout.write(secret)

    def _revoke(self, user: Any, name: str) -> None:
        token = ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).first()
        if token is None:
            raise CommandError(f"{user.get_username()} has no live token named {name!r}.")
        api_token_revoke(actor=SYSTEM, token=token)
        self.stdout.write(f"Revoked {name!r} of {user.get_username()}.")
