"""Text helpers of the knowledge base: the language of a passage, folded forms for
matching, and the text of uploaded files (with maintained libraries: pypdf, python-docx)."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from minefree.core.uploads import UploadRejected

#: frequent words of each language: the language of a passage is the one whose words it
#: uses most (reports carry no language of their own; a tie or no hit gives "other")
STOPWORDS = {
    "en": {
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "are",
        "was",
        "were",
        "for",
        "with",
        "on",
        "by",
        "that",
        "this",
        "from",
        "has",
        "have",
        "be",
        "not",
        "which",
        "as",
        "at",
        "or",
        "an",
        "its",
        "their",
        "been",
    },
    "fr": {
        "le",
        "la",
        "les",
        "des",
        "du",
        "de",
        "et",
        "est",
        "sont",
        "une",
        "un",
        "pour",
        "dans",
        "par",
        "sur",
        "avec",
        "que",
        "qui",
        "pas",
        "au",
        "aux",
        "ont",
        "été",
        "ses",
        "leur",
        "cette",
    },
    "es": {
        "el",
        "la",
        "los",
        "las",
        "del",
        "de",
        "y",
        "es",
        "son",
        "una",
        "un",
        "para",
        "en",
        "por",
        "con",
        "que",
        "no",
        "se",
        "al",
        "sus",
        "su",
        "ha",
        "han",
        "sido",
        "esta",
        "este",
    },
}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents: "Déminage" and "deminage" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def guess_language(text: str) -> str:
    """``en``, ``fr``, ``es`` or ``other``, by the frequent words each language uses."""
    counts = dict.fromkeys(STOPWORDS, 0)
    for word in words(text):
        for lang, common in STOPWORDS.items():
            if word in common:
                counts[lang] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    if ranked[0][1] == 0 or ranked[0][1] == ranked[1][1]:
        return "other"
    return ranked[0][0]


@dataclass(frozen=True)
class Page:
    number: int
    text: str


def pdf_pages(data: bytes) -> list[Page]:
    """The text of each page of a PDF (a scanned page without text gives an empty one).

    A file the reader cannot read is refused as damaged (``UploadRejected``): pypdf
    raises many kinds of errors on a broken file, none of them a fault of minefree."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        return [
            Page(n, (page.extract_text() or "").strip()) for n, page in enumerate(reader.pages, 1)
        ]
    except Exception as error:  # whatever the parser's complaint
        raise _damaged() from error


def docx_paragraphs(data: bytes) -> list[str]:
    """The paragraphs of a DOCX; a file python-docx cannot read is refused as damaged."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        return [p.text.strip() for p in document.paragraphs if p.text.strip()]
    except Exception as error:  # whatever the parser's complaint
        raise _damaged() from error


def _damaged() -> UploadRejected:
    return UploadRejected(_("The file is damaged and cannot be read."), "damaged")


def split_passages(text: str, *, target: int = 1200) -> list[str]:
    """Paragraphs joined into passages of about ``target`` characters: long enough to say
    something, short enough for a search result to point at. A line broken inside a
    paragraph (as a PDF's lines are) is joined again, a word hyphenated at the end of a
    line too."""
    paragraphs = [
        re.sub(r"\s*\n\s*", " ", re.sub(r"(\w)-\n(\w)", r"\1\2", p.strip()))
        for p in re.split(r"\n\s*\n|\r\n\s*\r\n", text)
        if p.strip()
    ]
    passages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        if current and len(current) + len(paragraph) > target:
            passages.append(current)
            current = paragraph
        elif current and not current.rstrip().endswith((".", "!", "?", ":", ";")):
            current = f"{current} {paragraph}"  # a sentence broken over lines goes on
        else:
            current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        passages.append(current)
    return passages
