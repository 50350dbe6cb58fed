"""``minefree check-translations``: every UI string has a French and a Spanish translation.

Reads the committed catalogues with Babel, so no gettext tools are needed, and
fails on any empty or fuzzy entry, on a translation whose placeholders do not match
its source (it would fail to compile or raise at run time), or on a catalogue older
than the source strings.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

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
    for message, errors in catalog.check():
        ident = message.id if isinstance(message.id, str) else message.id[0]
        problems += [f"{language}: placeholders: {ident!r}: {error}" for error in errors]
    return problems


def _ids(path: Path, language: str) -> set[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def stale_catalogues(base_dir: Path) -> list[str]:
    """Extract the strings from the code again (into a scratch folder) and compare."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        scratch_locale = root / "locale"
        shutil.copytree(base_dir / "locale", scratch_locale)
        shutil.copytree(
            base_dir / "minefree", root / "minefree", ignore=shutil.ignore_patterns("__pycache__")
        )
        cwd = Path.cwd()
        try:
            os.chdir(root)
            with override_settings(LOCALE_PATHS=[scratch_locale]):
                call_command("makemessages", locale=list(LANGUAGES), no_location=True, verbosity=0)
        finally:
            os.chdir(cwd)
        problems = []
        for language in LANGUAGES:
            relative = Path(language) / "LC_MESSAGES" / "django.po"
            fresh = _ids(scratch_locale / relative, language)
            committed = _ids(base_dir / "locale" / relative, language)
            problems += [
                f"{language}: not in the catalogue: {i!r}" for i in sorted(fresh - committed)
            ]
        return problems


class Command(BaseCommand):
    help = (
        "Fail if a French or Spanish UI string is missing, fuzzy, or if the catalogues "
        "are older than the strings in the code (run makemessages, then translate)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        base_dir = Path(settings.BASE_DIR)
        locale_dir = base_dir / "locale"
        problems = [p for lang in LANGUAGES for p in missing_translations(locale_dir, lang)]
        problems += stale_catalogues(base_dir)
        if problems:
            raise CommandError("\n".join(problems[:50]) + f"\n{len(problems)} problems")
        self.stdout.write("French and Spanish catalogues are complete.")
