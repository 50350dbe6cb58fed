"""``minefree import-extension-request FILE [--state ISO3]``: a filled MINEFREE-A5X-1
workbook into the state's draft (a request received by e-mail, entered by ISU staff)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minefree.clearance.exchange import IMPORT_MAX_BYTES, request_import
from minefree.clearance.xlsx import parse_xlsx
from minefree.core.audit import SYSTEM, new_request_id, request_context
from minefree.registry.selectors import get_state


class Command(BaseCommand):
    help = (
        "Import a filled extension request template (MINEFREE-A5X-1) into the state's draft: "
        "a new request's, or the revision open. All or nothing: every problem is listed with "
        "its sheet, row and column, and nothing is saved. The state is the workbook's unless "
        "--state names it (and then they must agree)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .xlsx workbook.")
        parser.add_argument("--state", help="ISO 3166 alpha-3 code of the requesting state.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as file:
            data = file.read(IMPORT_MAX_BYTES + 1)  # one byte more is refused as too large
        try:
            code = options["state"] or parse_xlsx(data).state
            state = get_state(code)
            if state is None:
                raise CommandError(f"No state with the code {code!r}.")
            with request_context(new_request_id("cli-")):
                version = request_import(actor=SYSTEM, state=state, data=data, name=path.name)
        except ValidationError as refused:
            raise CommandError("\n".join(["Nothing was imported:", *refused.messages])) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into the draft (version {version.number}) of request "
                f"{version.request_id} of {state.name_en}."
            )
        )
