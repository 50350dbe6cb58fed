"""Uploads are judged by their bytes: size, real type, and the safety of ZIP-based documents."""

import io
import random
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from minefree.core.uploads import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    TEXT,
    XLSX,
    UploadKind,
    UploadRejected,
    check_upload,
)

ALL = (PDF, PNG, JPEG, DOCX, XLSX, ODT, TEXT)
MB = 1024 * 1024


# --- real files, built here ------------------------------------------------------------------


def make_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xc0\x10\x20")  # filter byte + one red-ish pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def make_jpeg() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/%s" ContentType="%s"/></Types>'
)


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_members(
    main: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES % (b"word/document.xml", main.encode()),
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document><w:body/></w:document>',
    }


def make_docx(**extra: bytes) -> bytes:
    return make_zip(docx_members() | extra)


def make_xlsx() -> bytes:
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    return make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES % (b"xl/workbook.xml", main),
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook><sheets/></workbook>',
            "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><worksheet/>',
        }
    )


def make_odt(**extra: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text")  # stored, first
        members = {"content.xml": b'<?xml version="1.0"?><office:document-content/>'} | extra
        for name, data in members.items():
            archive.writestr(name, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def patch_directory(data: bytes, name: str, *, flags: int = 0, sizes=None) -> bytes:
    """Rewrite a member's central directory entry, which is what zipfile lists.

    zipfile cannot write encrypted members, and a forged entry can declare any size.
    """
    out = bytearray(data)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46 : central + 46 + name_length] == name.encode():
            out[central + 8] |= flags
            out[struct.unpack_from("<I", out, central + 42)[0] + 6] |= flags  # local header
            if sizes:
                struct.pack_into("<II", out, central + 20, *sizes)  # compressed, uncompressed
        central = out.find(b"PK\x01\x02", central + 1)
    return bytes(out)


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def rejection(data: bytes, name: str, *, allowed=ALL, max_bytes: int = MB) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        check_upload(upload(data, name), name=name, allowed=allowed, max_bytes=max_bytes)
    return caught.value


# --- accepted files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (make_pdf(), "law.pdf", PDF),
        (make_png(), "form-h.png", PNG),
        (make_jpeg(), "form-h.jpg", JPEG),
        (make_jpeg(), "FORM-H.JPEG", JPEG),
        (make_docx(), "law.docx", DOCX),
        (make_xlsx(), "import.xlsx", XLSX),
        (make_odt(), "law.odt", ODT),
        ("Loi n° 2024-17 relative à l'interdiction des mines.\n".encode(), "law.txt", TEXT),
    ],
    ids=lambda value: value.name if isinstance(value, UploadKind) else "",
)
def test_real_files_are_recognised_by_content(data, name, kind):
    assert check_upload(upload(data, name), name=name, allowed=ALL, max_bytes=MB) == kind


def test_a_plain_binary_stream_is_accepted_and_rewound():
    stream = io.BytesIO(make_pdf())
    assert check_upload(stream, name="law.pdf", allowed=[PDF], max_bytes=MB) == PDF
    assert stream.tell() == 0


def test_a_file_already_read_is_checked_from_its_start_and_rewound():
    file = upload(make_png(), "photo.png")
    file.read(5)
    assert check_upload(file, name="photo.png", allowed=[PNG], max_bytes=MB) == PNG
    assert file.tell() == 0
    assert file.read() == make_png()


def test_a_rejected_file_is_rewound_too():
    file = upload(b"\x00" * 100, "blob.pdf")
    with pytest.raises(UploadRejected):
        check_upload(file, name="blob.pdf", allowed=ALL, max_bytes=MB)
    assert file.tell() == 0


def test_an_upload_spooled_to_disk_is_read_as_a_zip():
    file = TemporaryUploadedFile("law.docx", "application/octet-stream", 0, None)
    file.write(make_docx())
    try:
        assert check_upload(file, name="law.docx", allowed=[DOCX], max_bytes=MB) == DOCX
        assert file.tell() == 0
    finally:
        file.close()


def test_a_file_of_exactly_the_limit_is_accepted():
    data = make_pdf()
    assert check_upload(upload(data, "a.pdf"), name="a.pdf", allowed=[PDF], max_bytes=len(data))


def test_utf8_cut_across_read_chunks_is_still_text():
    data = b"a" * (64 * 1024 - 1) + "é".encode() + b"\n"
    assert check_upload(upload(data, "notes.txt"), name="notes.txt", allowed=[TEXT], max_bytes=MB)


# --- size ------------------------------------------------------------------------------------


def test_an_empty_file_is_rejected():
    assert rejection(b"", "empty.pdf").code == "empty"


def test_a_file_over_the_limit_is_rejected_with_the_limit_in_mb():
    error = rejection(make_pdf() + b"\n" * MB, "big.pdf", max_bytes=MB)
    assert error.code == "too_large"
    assert "1 MB" in error.messages[0]


def test_a_fractional_limit_is_shown_in_mb():
    error = rejection(b"x" * 600_000, "big.txt", max_bytes=MB // 2)
    assert error.code == "too_large" and "0.5 MB" in error.messages[0]


def test_the_declared_size_is_not_trusted():
    file = upload(b"x" * 2000, "notes.txt")
    file.size = 10
    with pytest.raises(UploadRejected) as caught:
        check_upload(file, name="notes.txt", allowed=[TEXT], max_bytes=1000)
    assert caught.value.code == "too_large"


def test_at_most_one_byte_past_the_limit_is_read():
    class CountingStream(io.BytesIO):
        bytes_read = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.bytes_read += len(data)
            return data

    stream = CountingStream(b"x" * (5 * MB))
    with pytest.raises(UploadRejected):
        check_upload(stream, name="huge.txt", allowed=[TEXT], max_bytes=MB)
    assert stream.bytes_read == MB + 1


# --- type ------------------------------------------------------------------------------------


def test_a_png_named_pdf_is_rejected_saying_what_it_really_is():
    error = rejection(make_png(), "law.pdf")
    assert error.code == "extension_mismatch"
    assert "PNG" in error.messages[0] and ".png" in error.messages[0]


def test_a_name_without_extension_is_rejected():
    assert rejection(make_pdf(), "law").code == "extension_mismatch"


def test_a_kind_not_allowed_is_rejected_with_the_accepted_kinds():
    error = rejection(make_png(), "photo.png", allowed=[PDF, DOCX])
    assert error.code == "type_not_allowed"
    assert "PNG" in error.messages[0] and "PDF, DOCX" in error.messages[0]


def test_the_browser_content_type_is_ignored():
    file = SimpleUploadedFile(
        "law.pdf", b"MZ\x90\x00\x03" + bytes(200), content_type="application/pdf"
    )
    with pytest.raises(UploadRejected) as caught:
        check_upload(file, name="law.pdf", allowed=[PDF], max_bytes=MB)
    assert caught.value.code == "unknown_type"
    assert "PDF" in caught.value.messages[0]


@pytest.mark.parametrize(
    "data",
    [
        b"Legislation\x00text",
        b"caf\xe9 latin-1, not UTF-8",
        "tronqué".encode()[:-1],  # UTF-8 cut in the middle of a character
        random.Random(7).randbytes(4096),
    ],
    ids=["nul", "latin1", "truncated-utf8", "random"],
)
def test_binary_or_non_utf8_text_is_of_unknown_type(data):
    assert rejection(data, "notes.txt").code == "unknown_type"


def test_a_zip_that_is_no_office_document_is_of_unknown_type():
    assert rejection(make_zip({"photo.png": make_png()}), "law.docx").code == "unknown_type"


def test_a_damaged_zip_is_rejected():
    assert rejection(b"PK\x03\x04" + bytes(300), "law.docx").code == "damaged"


def test_a_docx_named_xlsx_is_rejected():
    assert rejection(make_docx(), "import.xlsx").code == "extension_mismatch"


# --- ZIP safety ------------------------------------------------------------------------------


def test_a_docx_with_a_vba_project_is_rejected():
    assert rejection(
        make_docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "law.docx"
    ).code == ("macro")


def test_a_macro_enabled_content_type_is_rejected():
    members = docx_members("application/vnd.ms-word.document.macroEnabled.main+xml")
    assert rejection(make_zip(members), "law.docx").code == "macro"


def test_a_vba_part_under_another_name_is_found_by_its_content_type():
    padding = b"<!-- " + random.Random(5).randbytes(50_000).hex().encode() + b" -->"
    override = (
        b'<Override PartName="/word/innocent.dat" ContentType="application/vnd.ms-office.'
        b'vbaProject"/>'
    )
    members = docx_members() | {"word/innocent.dat": b"\xd0\xcf\x11\xe0"}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        padding + override + b"</Types>",  # past the first chunk read
    )
    assert rejection(make_zip(members), "law.docx").code == "macro"


def test_an_xlsm_renamed_xlsx_is_rejected():
    data = make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES
            % (b"xl/workbook.xml", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
            "xl/workbook.xml": b"<workbook/>",
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0",
        }
    )
    assert rejection(data, "import.xlsx").code == "macro"


def test_an_odt_with_basic_macros_is_rejected():
    assert rejection(make_odt(**{"Basic/Standard/Module1.xml": b"<module/>"}), "a.odt").code == (
        "macro"
    )


def test_a_zip_bomb_by_compression_ratio_is_rejected():
    data = make_docx(**{"word/media/blank.bin": bytes(10 * MB)})
    assert len(data) < MB
    assert rejection(data, "law.docx").code == "zip_bomb"


def test_a_zip_bomb_by_total_size_is_rejected():
    rng = random.Random(3)
    # Each member compresses about 80:1, under the ratio limit, but together they expand
    # to more than 50 times the size of the file, which is also the size limit.
    members = {f"word/media/part{i}.bin": rng.randbytes(1000) + bytes(90_000) for i in range(20)}
    data = make_docx(**members)
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert all(i.file_size <= 100 * i.compress_size for i in infos)
    assert sum(i.file_size for i in infos) > 50 * len(data)
    assert rejection(data, "law.docx", max_bytes=len(data)).code == "zip_bomb"


def test_the_total_size_is_capped_at_200_mb_whatever_the_limit():
    members = {f"word/media/part{i}.bin": b"x" for i in range(3)}
    data = make_docx(**members)
    for i in range(3):  # 3 × 70 MB at 70:1, declared in the directory
        data = patch_directory(data, f"word/media/part{i}.bin", sizes=(MB, 70 * MB))
    assert rejection(data, "law.docx", max_bytes=10 * MB).code == "zip_bomb"
    for i in range(3):
        data = patch_directory(data, f"word/media/part{i}.bin", sizes=(MB, 60 * MB))
    file = upload(data, "law.docx")  # 180 MB is under the cap; only the directory is read
    assert check_upload(file, name="law.docx", allowed=[DOCX], max_bytes=10 * MB) == DOCX


def test_a_zip_with_too_many_members_is_rejected():
    members = {f"word/media/{i}.txt": b"" for i in range(2001)}
    assert rejection(make_docx(**members), "law.docx").code == "zip_bomb"


def test_an_encrypted_member_is_rejected():
    data = patch_directory(make_docx(), "word/document.xml", flags=0x1)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").flag_bits & 0x1
    assert rejection(data, "law.docx").code == "encrypted"


@pytest.mark.parametrize(
    "member",
    ["../../etc/cron.d/evil", "word/../../evil.xml", "/etc/passwd", "..\\evil.dll", "C:evil"],
)
def test_a_member_path_outside_the_archive_is_rejected(member):
    assert rejection(make_docx(**{member: b"x"}), "law.docx").code == "unsafe_path"


def test_the_rejection_is_a_django_validation_error_with_a_code():
    from django.core.exceptions import ValidationError

    error = rejection(b"", "empty.txt")
    assert isinstance(error, ValidationError)
    assert error.code == "empty" and error.messages == ["The file is empty."]


# --- the end of a PDF, XML declarations in any office document, names --------------------------


def test_a_pdf_cut_off_before_its_end_is_rejected():
    data = make_pdf()
    assert rejection(data[: len(data) // 2], "law.pdf").code == "damaged"
    assert "incomplete" in str(rejection(data[:-20], "law.pdf").message)


def test_a_pdf_may_end_in_a_little_padding_after_its_eof():
    data = make_pdf() + b"\n" * 500
    assert check_upload(upload(data, "law.pdf"), name="law.pdf", allowed=ALL, max_bytes=MB) == PDF
    assert rejection(make_pdf() + b"\n" * 2000, "law.pdf").code == "damaged"


def _xlsx_with(members: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(make_xlsx())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    return make_zip(parts | members)


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (
            make_docx(**{"word/styles.xml": b'<!DOCTYPE s [<!ENTITY e "x">]><s/>'}),
            "a.docx",
            "office",
        ),
        (
            _xlsx_with(
                {"xl/worksheets/sheet1.xml": b"<!DOCTYPE w SYSTEM 'http://x/'><worksheet/>"}
            ),
            "a.xlsx",
            "spreadsheets",
        ),
        (make_odt(**{"styles.xml": b"<!ENTITY x SYSTEM 'file:///etc/passwd'>"}), "a.odt", "office"),
    ],
)
def test_an_xml_declaration_in_any_office_document_is_rejected(data, name, says):
    refused = rejection(data, name)
    assert refused.code == "xml_declaration"
    assert f"which {says}" in str(refused.message)


@pytest.mark.parametrize(
    "name", ["law\x07.pdf", "law\x1b[31m.pdf", "d\ufffdcret.pdf", "\ud800.pdf"]
)
def test_a_name_with_control_characters_or_undecodable_bytes_is_rejected(name):
    assert rejection(make_pdf(), name).code == "bad_name"


def test_a_name_in_any_script_is_accepted():
    name = "décret n° 2024 — ley 28824 法律.pdf"
    assert check_upload(upload(make_pdf(), name), name=name, allowed=ALL, max_bytes=MB) == PDF
