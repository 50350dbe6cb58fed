"""``check-translations`` refuses catalogues that would show English or break at run time."""

from __future__ import annotations

from pathlib import Path

from minefree.core.management.commands.check_translations import missing_translations

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

"""


def _catalogue(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(HEADER + body, encoding="utf-8")
    return tmp_path


def test_a_complete_catalogue_has_no_problems(tmp_path: Path) -> None:
    locale = _catalogue(
        tmp_path,
        '#, python-format\nmsgid "covers about %(percent)s%% of it"\n'
        'msgstr "couvre environ %(percent)s %% de celui-ci"\n',
    )
    assert missing_translations(locale, "fr") == []


def test_untranslated_fuzzy_and_wrong_placeholders_are_each_reported(tmp_path: Path) -> None:
    locale = _catalogue(
        tmp_path,
        'msgid "Overview"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Meetings"\nmsgstr "Réunions"\n\n'
        '#, python-format\nmsgid "%(state)s needs help"\nmsgstr "%(pays)s a besoin d\'aide"\n\n'
        '#, python-format\nmsgid "less than 1% of it"\nmsgstr "moins de 1 % de celui-ci"\n',
    )
    problems = missing_translations(locale, "fr")
    assert "fr: untranslated: 'Overview'" in problems
    assert "fr: fuzzy: 'Meetings'" in problems
    assert any(p.startswith("fr: placeholders: '%(state)s needs help'") for p in problems)
    assert any(p.startswith("fr: placeholders: 'less than 1% of it'") for p in problems)
    assert len(problems) == 4
