"""Check uploaded files by their content before anything stores or parses them.

The file name and the browser's content type are chosen by the sender, so the
real type is read from the bytes, and the name must agree with it. ZIP-based
documents are opened only as far as their directory, to refuse macros,
encryption, path tricks and zip bombs before a parser such as openpyxl sees them.
"""

from __future__ import annotations

import codecs
import errno
import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath, PureWindowsPath
from typing import IO, TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from minefree.core.audit import within_service

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MB = 1024 * 1024
ZIP_MAX_TOTAL = 200 * MB
ZIP_MAX_FACTOR = 50  # total uncompressed size, as a multiple of max_bytes
ZIP_MAX_RATIO = 100
ZIP_MAX_MEMBERS = 2000
_CHUNK = 64 * 1024
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_MACRO = (_("Files with macros are not accepted."), "macro")


class UploadRejected(ValidationError):  # noqa: N818 - the name callers know
    """A refused upload; ``code`` tells tests and callers why, the message tells the user."""

    def __init__(
        self, message: StrOrPromise, code: str, params: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, code=code, params=params)


class StorageFull(UploadRejected):
    """The file was accepted, but the disk holding uploads has no room left for it."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "The server has no room to store the file, so nothing was saved. Try again "
                "later; if it happens again, tell ISU staff."
            ),
            "storage_full",
        )


#: a write that failed for want of room: the disk is full, or the account's quota is
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})


@within_service
def store_upload(field_file: FieldFile, name: str, file: UploadedFile | IO[bytes]) -> None:
    """Store ``file`` as the content of ``field_file`` (the row is saved by the caller).

    When the disk is full, the part already written is removed and ``StorageFull`` is
    raised, so the service's transaction rolls back: no row, no file, a clear message.
    """
    field = field_file.field
    storage = field_file.storage
    # the name the storage will choose, to remove what it wrote if the write fails
    target = storage.get_available_name(
        field.generate_filename(field_file.instance, name), max_length=field.max_length
    )
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    try:
        field_file.save(name, File(file, name=name), save=False)
    except OSError as error:
        if error.errno not in _NO_ROOM:
            raise
        # A partial write is shorter than the file: a file of another upload that took
        # the same name in the meantime is left alone.
        if storage.exists(target) and storage.size(target) < size:
            storage.delete(target)
        raise StorageFull from error


@dataclass(frozen=True)
class UploadKind:
    """A file type accepted somewhere; ``name`` is shown to users, ``mime`` is served back."""

    name: str
    mime: str
    extensions: tuple[str, ...]


PDF = UploadKind("PDF", "application/pdf", (".pdf",))
PNG = UploadKind("PNG", "image/png", (".png",))
JPEG = UploadKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
DOCX = UploadKind(
    "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
XLSX = UploadKind(
    "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
ODT = UploadKind("ODT", _ODT_MIMETYPE.decode(), (".odt",))
TEXT = UploadKind("TXT", "text/plain", (".txt",))

_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))


def check_upload(
    file: UploadedFile | IO[bytes],
    *,
    name: str,
    allowed: Iterable[UploadKind],
    max_bytes: int,
) -> UploadKind:
    """Return the kind of ``file`` judged by its bytes, or raise ``UploadRejected``.

    The file is rewound afterwards so the caller can save it.
    """
    allowed = tuple(allowed)
    accepted = ", ".join(kind.name for kind in allowed)
    if any(unicodedata.category(c) in {"Cc", "Cs"} for c in name) or "\ufffd" in name:
        # a NUL cuts a path short on disk; an undecodable byte or control character in
        # the name would show as garbage wherever the name is listed
        raise UploadRejected(
            _(
                "The file name contains control characters or bytes that are not text; "
                "rename the file and try again."
            ),
            "bad_name",
        )
    file.seek(0)
    try:
        size, head, is_text = _measure(file, max_bytes)
        if size == 0:
            raise UploadRejected(_("The file is empty."), "empty")
        if size > max_bytes:
            raise UploadRejected(
                _("The file is larger than the limit of %(limit)s MB."),
                "too_large",
                {"limit": _megabytes(max_bytes)},
            )
        kind = _sniff(file, head, is_text, max_bytes)
    finally:
        file.seek(0)
    if kind is None:
        raise UploadRejected(
            _("The file's content is of no accepted type. Accepted: %(accepted)s."),
            "unknown_type",
            {"accepted": accepted},
        )
    if kind not in allowed:
        raise UploadRejected(
            _("The file is %(kind)s, which is not accepted here. Accepted: %(accepted)s."),
            "type_not_allowed",
            {"kind": kind.name, "accepted": accepted},
        )
    if PurePath(name).suffix.lower() not in kind.extensions:
        raise UploadRejected(
            _("The file is %(kind)s, so its name must end in %(extensions)s."),
            "extension_mismatch",
            {"kind": kind.name, "extensions": " / ".join(kind.extensions)},
        )
    if kind is PDF:  # once it is known to be welcome: a wrong type is the clearer refusal
        try:
            _check_pdf_end(file, size)
        finally:
            file.seek(0)
    return kind


def _measure(file: IO[bytes], max_bytes: int) -> tuple[int, bytes, bool]:
    """Read at most ``max_bytes + 1`` bytes: size, first chunk, and whether it is UTF-8 text.

    ``.size`` comes from the client or the upload handler, so the bytes are counted.
    """
    size, head, is_text = 0, b"", True
    decoder = codecs.getincrementaldecoder("utf-8")()
    while chunk := file.read(min(_CHUNK, max_bytes + 1 - size)):
        head = head or chunk
        size += len(chunk)
        if is_text:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                is_text = False
            is_text = is_text and b"\0" not in chunk
    if is_text:
        try:
            decoder.decode(b"", final=True)  # a multi-byte character cut off at the end
        except UnicodeDecodeError:
            is_text = False
    return size, head, is_text


def _sniff(file: IO[bytes], head: bytes, is_text: bool, max_bytes: int) -> UploadKind | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(file, max_bytes)
    return TEXT if is_text else None


_PDF_TAIL = 1024  # a PDF ends in "%%EOF", within its last 1024 bytes (ISO 32000-1, 7.5.5)


def _check_pdf_end(file: IO[bytes], size: int) -> None:
    """A PDF cut off in transfer has lost its end, where a reader starts (its xref)."""
    file.seek(max(size - _PDF_TAIL, 0))
    if b"%%EOF" not in file.read(_PDF_TAIL):
        raise UploadRejected(
            _("The PDF is incomplete (its end is missing) or damaged, so it cannot be read."),
            "damaged",
        )


def _sniff_zip(file: IO[bytes], max_bytes: int) -> UploadKind | None:
    """Refuse unsafe archives from their directory alone, then name the document type."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            _check_members(members, max_bytes)
            names = {member.filename for member in members}
            # The VBA part may have any name; its content type gives it away.
            if _mentions(archive, names, "[Content_Types].xml", (b"macroenabled", b"vbaproject")):
                raise UploadRejected(*_MACRO)
            # No XML parser (openpyxl, python-docx) is handed entities to resolve or expand.
            spreadsheet = "xl/workbook.xml" in names
            for name in sorted(names):
                if name.lower().endswith(_XML_SUFFIXES):
                    _check_xml_member(archive, name, spreadsheet=spreadsheet)
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    if member.read(len(_ODT_MIMETYPE) + 2).strip() == _ODT_MIMETYPE:
                        return ODT
    except (zipfile.BadZipFile, EOFError, NotImplementedError, OSError, zlib.error) as error:
        raise UploadRejected(_("The file is damaged and cannot be read."), "damaged") from error
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _check_members(members: list[zipfile.ZipInfo], max_bytes: int) -> None:
    bomb = UploadRejected(_("The archive expands to too much data to be safe."), "zip_bomb")
    if len(members) > ZIP_MAX_MEMBERS:
        raise bomb
    for member in members:
        path = PureWindowsPath(member.filename)  # splits on both "/" and "\"
        if member.filename.startswith(("/", "\\")) or path.drive or ".." in path.parts:
            raise UploadRejected(_("The archive contains an unsafe file path."), "unsafe_path")
        if member.flag_bits & 0x1:
            raise UploadRejected(
                _("Encrypted or password-protected files are not accepted."), "encrypted"
            )
        if member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
            raise bomb
        in_odf_macros = len(path.parts) > 1 and path.parts[0] in {"Basic", "Scripts"}  # ODF
        if path.name.lower() == "vbaproject.bin" or in_odf_macros:
            raise UploadRejected(*_MACRO)
    if sum(member.file_size for member in members) > min(ZIP_MAX_FACTOR * max_bytes, ZIP_MAX_TOTAL):
        raise bomb


def _mentions(
    archive: zipfile.ZipFile, names: set[str], name: str, needles: tuple[bytes, ...]
) -> bool:
    """Search a member, case-insensitively and chunk by chunk, so its size costs no memory."""
    if name not in names:
        return False
    tail = b""
    with archive.open(name) as member:
        while chunk := member.read(_CHUNK):
            window = tail + chunk.lower()
            if any(needle in window for needle in needles):
                return True
            tail = window[-32:]  # a needle cut across two chunks
    return False


def megabytes(size: int) -> str:
    """``size`` in MB as users read it: "10", "2.5" (in the reader's number format)."""
    amount = max(round(size / MB, 2), 0.01)
    return formats.number_format(int(amount) if amount.is_integer() else amount)


_megabytes = megabytes


_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DECLARATIONS = (b"<!doctype", b"<!entity")
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def check_xml_parts(data: bytes, *, max_total: int, max_part: dict[str, int]) -> None:
    """Refuse an Office Open XML file whose parts a parser should never be handed.

    - Declarations (``<!DOCTYPE``, ``<!ENTITY``): OOXML never needs them, and they carry
      external entities and "billion laughs" expansions. Nothing is resolved: the file is
      refused before any XML parser sees it.
    - Parts not in UTF-8 (a UTF-16 byte order mark or NUL bytes), where a declaration
      could hide from the byte search.
    - More expanded data than ``max_total``, or a named part (e.g. the shared strings,
      which a reader loads whole) larger than its limit in ``max_part``.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > max_total:
                raise UploadRejected(
                    _("The file expands to more than %(limit)s MB of data; it cannot be a report."),
                    "too_much_data",
                    {"limit": _megabytes(max_total)},
                )
            for member in members:
                limit = max_part.get(member.filename)
                if limit is not None and member.file_size > limit:
                    raise UploadRejected(
                        _("The part %(part)s is larger than %(limit)s MB."),
                        "part_too_large",
                        {"part": member.filename, "limit": _megabytes(limit)},
                    )
                if member.filename.lower().endswith(_XML_SUFFIXES):
                    _check_xml_member(archive, member.filename, spreadsheet=True)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, OSError, zlib.error) as error:
        raise UploadRejected(_("The file is damaged and cannot be read."), "damaged") from error


def _check_xml_member(archive: zipfile.ZipFile, name: str, *, spreadsheet: bool) -> None:
    if spreadsheet:
        message = _(
            "The file contains an XML declaration of entities or a document type (%(part)s), "
            "which spreadsheets never need; it is refused for safety."
        )
    else:
        message = _(
            "The file contains an XML declaration of entities or a document type (%(part)s), "
            "which office documents never need; it is refused for safety."
        )
    declaration = UploadRejected(message, "xml_declaration", {"part": name})
    tail = b""
    with archive.open(name) as member:
        first = True
        while chunk := member.read(_CHUNK):
            if (first and chunk.startswith(_UTF16_MARKS)) or b"\x00" in chunk:
                raise UploadRejected(
                    _("The part %(part)s is not UTF-8 text; it is refused for safety."),
                    "xml_encoding",
                    {"part": name},
                )
            first = False
            window = tail + chunk.lower()
            if any(needle in window for needle in _DECLARATIONS):
                raise declaration
            tail = window[-16:]
