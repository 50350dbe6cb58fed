"""``minefree export-openapi``: write the committed OpenAPI document, or check it for drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minefree.api.api import api

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def render_schema() -> str:
    schema = api.get_openapi_schema(path_prefix="/api")
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write docs/openapi.json from the API, or with --check fail if it is out of date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Fail if the file differs.")
        parser.add_argument("--path", default=str(DEFAULT_PATH))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        current = render_schema()
        if options["check"]:
            committed = path.read_text(encoding="utf-8") if path.exists() else ""
            if committed != current:
                raise CommandError(
                    f"{path} is out of date with the API; run `minefree export-openapi` "
                    "and commit the result."
                )
            self.stdout.write("OpenAPI document is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(current, encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
