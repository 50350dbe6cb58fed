"""An upload over its endpoint's limit is refused before its body is read.

The requests go through the real WSGI handler (``minefree.wsgi.application``) with a body
made on demand that counts the bytes the server reads: ``django.test.Client`` would build
the whole body in memory, and read it whole. A 200 MB body costs nothing here unless the
server reads it.
"""

from __future__ import annotations

import inspect
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.crypto import get_random_string
from ninja.operation import PathView

from minefree.accounts import services as accounts
from minefree.accounts.models import Role
from minefree.accounts.tests.factories import make_user
from minefree.clearance.exchange import IMPORT_MAX_BYTES as REQUEST_IMPORT_MAX_BYTES
from minefree.clearance.services import DOCUMENT_MAX_BYTES as REQUEST_DOCUMENT_MAX_BYTES
from minefree.core.upload_limits import (
    ENVELOPE_BYTES,
    FileSizeLimitHandler,
    OversizeUpload,
    UploadLimit,
    UploadTooLargeError,
    limit_for,
)
from minefree.fund.services import LETTER_MAX_BYTES
from minefree.knowledge.services import DOCUMENT_MAX_BYTES
from minefree.reporting.exchange.batches import BATCH_MAX_FILES
from minefree.reporting.exchange.imports import IMPORT_MAX_BYTES
from minefree.reporting.models import ImportBatch, ImportFileStatus
from minefree.reporting.services.attachments import ATTACHMENT_MAX_BYTES

MB = 1024 * 1024
HUGE = 200 * MB
#: what the server may read of a refused body: the limit, one chunk and the envelope
SLACK = MB


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    limit: UploadLimit
    fields: tuple[tuple[str, str], ...] = ()
    file_field: str = "file"

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


ENDPOINTS = [
    Endpoint(
        "web attachment", "/reports/v/1/forms/A/attachments/", UploadLimit(ATTACHMENT_MAX_BYTES)
    ),
    Endpoint(
        "web report import", "/reports/import/", UploadLimit(IMPORT_MAX_BYTES), (("state", "1"),)
    ),
    Endpoint(
        "web bulk import",
        "/reports/import/batches/",
        UploadLimit(IMPORT_MAX_BYTES, BATCH_MAX_FILES),
        (("mode", "draft"),),
        "files",
    ),
    Endpoint(
        "web request document", "/clearance/v/1/document/", UploadLimit(REQUEST_DOCUMENT_MAX_BYTES)
    ),
    Endpoint(
        "web request import",
        "/clearance/template/import/",
        UploadLimit(REQUEST_IMPORT_MAX_BYTES),
        (("state", "PER"),),
    ),
    Endpoint(
        "web knowledge document", "/knowledge/documents/add/", UploadLimit(DOCUMENT_MAX_BYTES)
    ),
    Endpoint("web fund letter", "/fund/applications/1/letters/", UploadLimit(LETTER_MAX_BYTES)),
    Endpoint(
        "api attachment", "/api/reports/1/forms/A/attachments", UploadLimit(ATTACHMENT_MAX_BYTES)
    ),
    Endpoint(
        "api report import",
        "/api/reports/imports",
        UploadLimit(IMPORT_MAX_BYTES),
        (("state", "PER"),),
    ),
    Endpoint(
        "api request import",
        "/api/extension-requests/imports",
        UploadLimit(REQUEST_IMPORT_MAX_BYTES),
        (("state", "PER"),),
    ),
    Endpoint(
        "api knowledge document",
        "/api/knowledge/documents",
        UploadLimit(DOCUMENT_MAX_BYTES),
        (("title", "T"), ("kind", "guidance"), ("language", "en")),
    ),
    Endpoint("api fund letter", "/api/fund/applications/1/letters", UploadLimit(LETTER_MAX_BYTES)),
]
BY_NAME = {e.name: e for e in ENDPOINTS}
ONE_FILE = [e for e in ENDPOINTS if e.limit.files == 1]


class LazyBody:
    """``head``, then ``size`` filler bytes, then ``tail``, made as they are read; counts them."""

    def __init__(self, head: bytes, size: int, tail: bytes) -> None:
        self.head, self.size, self.tail = head, size, tail
        self.total = len(head) + size + len(tail)
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.total - self.read_bytes
        start, end = self.read_bytes, min(self.read_bytes + size, self.total)
        self.read_bytes = end
        return self._slice(start, end)

    def readline(self, size: int | None = -1) -> bytes:
        data = self.read(size if size is not None and size >= 0 else 64 * 1024)
        line, newline, rest = data.partition(b"\n")
        self.read_bytes -= len(rest)
        return line + newline

    def _slice(self, start: int, end: int) -> bytes:
        head_end, filler_end = len(self.head), len(self.head) + self.size
        out = self.head[start : min(end, head_end)] if start < head_end else b""
        if end > head_end and start < filler_end:
            out += b"\0" * (min(end, filler_end) - max(start, head_end))
        if end > filler_end:
            out += self.tail[max(start - filler_end, 0) : end - filler_end]
        return out


BOUNDARY = "----minefreeBoundary7MA4YWxkTrZu0gW"


def _field(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    )


def _file_head(field: str, name: str, content_type: str = "application/pdf") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"'
        f"\r\nContent-Type: {content_type}\r\n\r\n"
    ).encode()


END = f"--{BOUNDARY}--\r\n".encode()


def multipart(
    endpoint: Endpoint,
    size: int,
    name: str = "big.pdf",
    fields: tuple[tuple[str, str], ...] | None = None,
    before: tuple[tuple[str, bytes], ...] = (),
) -> LazyBody:
    """A multipart body of ``endpoint``'s fields (or ``fields``), the small files ``before``
    (name, content) and one file of ``size`` bytes (``%PDF-``…)."""
    head = b"".join(_field(k, v) for k, v in (endpoint.fields if fields is None else fields))
    for small_name, content in before:
        head += _file_head(endpoint.file_field, small_name) + content + b"\r\n"
    head += _file_head(endpoint.file_field, name) + b"%PDF-1.4\n"
    return LazyBody(head, size - 9, b"\r\n" + END)


@contextmanager
def _no_connection_closing() -> Iterator[None]:
    """As ``django.test.Client`` does: the test's database connection outlives the request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def send(path: str, body: LazyBody, content_length: int | None, **extra: str) -> tuple[int, bytes]:
    """The request through the WSGI application, as a server would pass it."""
    from minefree.wsgi import application

    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **extra,
    }
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    answer: dict[str, int] = {}

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        answer["status"] = int(status.split()[0])
        return lambda data: None

    with _no_connection_closing():
        result = application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            result.close()  # type: ignore[attr-defined]
    return answer["status"], content


@pytest.fixture
def bearer(db: Any) -> dict[str, str]:
    """An API token, so that an API endpoint goes as far as reading its files."""
    user = make_user("uploader")
    _token, secret = accounts.api_token_create(actor=user, user=user, name="t", expires_in_days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _assert_refused_as_too_large(endpoint: Endpoint, status: int, content: bytes) -> None:
    assert status == 413, content[:300]
    if endpoint.api:
        assert b'"code": "too_large"' in content
    else:
        assert b"<h1>Upload too large</h1>" in content
    assert b"Nothing was saved" in content
    assert b"MB" in content


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_body_declared_over_the_limit_is_refused_unread(endpoint: Endpoint, bearer: Any):
    """(The bulk import takes 3 GB: the length it is told is over that.)"""
    body = multipart(endpoint, HUGE)
    told = max(body.total, endpoint.limit.body_bytes + HUGE)
    status, content = send(endpoint.path, body, told, **bearer)
    _assert_refused_as_too_large(endpoint, status, content)
    assert body.read_bytes == 0


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_body_declared_just_over_the_limit_is_refused_unread(endpoint: Endpoint, bearer: Any):
    body = multipart(endpoint, 10)
    status, content = send(endpoint.path, body, endpoint.limit.body_bytes + 1, **bearer)
    _assert_refused_as_too_large(endpoint, status, content)
    assert body.read_bytes == 0


@pytest.mark.parametrize("endpoint", ONE_FILE, ids=lambda e: e.name)
def test_a_file_past_its_limit_under_a_lying_length_is_cut_off(endpoint: Endpoint, bearer: Any):
    """``Content-Length`` within the limit, the file far bigger: the server stops reading
    at the first chunk past the file's limit."""
    body = multipart(endpoint, HUGE, name="huge.pdf")
    status, content = send(endpoint.path, body, endpoint.limit.body_bytes, **bearer)
    _assert_refused_as_too_large(endpoint, status, content)
    assert b"huge.pdf" in content  # the file is named
    assert body.read_bytes < endpoint.limit.file_bytes + SLACK


def test_a_file_past_its_limit_in_a_bulk_import_is_rejected_and_the_others_kept(
    db: Any, settings: Any, tmp_path: Path
):
    """The bulk import's body may hold 300 files of 10 MB each: one of 200 MB among them is
    read through without being kept, and the batch lists it as too large beside the rest."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    client = Client()
    client.force_login(make_user("isu", Role.ISU_STAFF))
    endpoint = BY_NAME["web bulk import"]
    small = b"PK\x03\x04 not really a workbook"
    body = multipart(
        endpoint,
        HUGE,
        name="huge.xlsx",
        fields=(("mode", "drafts"), ("received_on", "")),
        before=(("peru.xlsx", small),),
    )
    csrf = get_random_string(32)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}; csrftoken={csrf}"
    status, content = send(
        endpoint.path, body, body.total, HTTP_COOKIE=cookie, HTTP_X_CSRFTOKEN=csrf
    )
    assert status == 302, content[:300]
    assert body.read_bytes == body.total
    batch = ImportBatch.objects.get()
    huge, peru = batch.files.order_by("name")
    assert (huge.name, huge.size, huge.status, bytes(huge.content)) == (
        "huge.xlsx",
        HUGE,
        ImportFileStatus.REJECTED,
        b"",
    )
    assert "larger than 10 MB" in huge.messages[0]
    assert (peru.name, bytes(peru.content), peru.status) == (
        "peru.xlsx",
        small,
        ImportFileStatus.PENDING,
    )


class _Kept(FileUploadHandler):
    """The handler after the limit: what it was given to keep, file by file."""

    def __init__(self, request: Any) -> None:
        super().__init__(request)
        self.kept: dict[str, int] = {}

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.kept[self.file_name or ""] = self.kept.get(self.file_name or "", 0) + len(raw_data)

    def file_complete(self, file_size: int) -> Any:
        return SimpleUploadedFile(self.file_name or "", b"x" * file_size)


def _parse(limit: UploadLimit, sizes: dict[str, int]) -> tuple[Any, _Kept]:
    body = b"".join(
        _file_head("files", name) + b"\0" * size + b"\r\n" for name, size in sizes.items()
    )
    body += END
    request = RequestFactory().post(
        "/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    kept = _Kept(request)
    limited = FileSizeLimitHandler(request, limit)
    limited.chunk_size = kept.chunk_size = 256  # a file arrives in several chunks
    request.upload_handlers = [limited, kept]
    return request.FILES, kept


def test_a_many_file_upload_keeps_nothing_of_a_file_past_its_limit_and_stops_at_the_total():
    files, kept = _parse(UploadLimit(1000, files=3), {"a": 300, "big": 2000, "c": 500})
    a, big, c = files.getlist("files")
    assert isinstance(big, OversizeUpload) and (big.name, big.size, big.read()) == (
        "big",
        2000,
        b"",
    )
    assert (a.size, c.size) == (300, 500)
    # only chunks before the one that passed its limit went on (the parser's first chunk
    # of a file may be larger than the others), nothing after; the size counts them all
    assert kept.kept.get("big", 0) <= 1000
    assert kept.kept["a"] == 300 and kept.kept["c"] == 500
    with pytest.raises(UploadTooLargeError):
        _parse(UploadLimit(1000, files=3), {"a": 900, "b": 900, "c": 900, "d": 900})


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_a_body_without_length_is_not_read(endpoint: Endpoint, bearer: Any):
    """A chunked body reaches a WSGI application without ``Content-Length``: Django reads
    none of it, so nothing is stored and nothing fails."""
    body = multipart(endpoint, HUGE)
    status, _content = send(endpoint.path, body, None, **bearer)
    assert body.read_bytes == 0
    assert status < 500


def test_the_total_of_many_files_is_capped_too():
    limit = UploadLimit(4 * MB, files=2)
    assert limit.body_bytes == 8 * MB + ENVELOPE_BYTES


def test_an_address_without_a_declared_limit_takes_what_django_reads_whole(
    bearer: Any, settings: Any
):
    body = multipart(Endpoint("contact", "/api/reports/1/contact", UploadLimit(1)), HUGE)
    status, content = send("/api/reports/1/contact", body, body.total, **bearer)
    assert status == 413 and b'"code": "too_large"' in content
    assert body.read_bytes == 0
    body = multipart(Endpoint("sign in", "/sign-in/", UploadLimit(1)), HUGE, name="x.pdf")
    status, content = send("/sign-in/", body, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, **bearer)
    assert status == 413 and b"x.pdf" in content
    assert body.read_bytes < settings.DATA_UPLOAD_MAX_MEMORY_SIZE + SLACK


def test_the_refusal_speaks_the_readers_language(bearer: Any):
    endpoint = BY_NAME["web attachment"]
    body = multipart(endpoint, HUGE)
    status, content = send("/fr" + endpoint.path, body, body.total)
    assert status == 413 and b'lang="fr"' in content


def test_an_upload_within_the_limit_still_goes_through(db: Any, settings: Any, tmp_path: Path):
    """The limit is not a refusal of everything: the test client's upload reaches the view
    (refused there for want of rights, after reading the file)."""
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(make_user("someone"))
    response = client.post(
        "/fund/applications/999/letters/", {"title": "t", "file": _named(b"%PDF-1.4\n%%EOF\n")}
    )
    assert response.status_code in (403, 404)


def _named(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("letter.pdf", data, "application/pdf")


# --- every upload endpoint declares its limit -------------------------------------------------


def _views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any, str]]:
    """(address, view function, method) of every address; an API operation per method."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            path_view = next(
                (
                    c.cell_contents
                    for c in getattr(pattern.callback, "__closure__", None) or ()
                    if isinstance(c.cell_contents, PathView)
                ),
                None,
            )
            if path_view is None:
                yield prefix + str(pattern.pattern), pattern.callback, "POST"
            else:
                for operation in path_view.operations:
                    for method in operation.methods:
                        yield prefix + str(pattern.pattern), operation.view_func, method


def _reads_files(view: Any) -> bool:
    function = inspect.unwrap(view)
    if getattr(function, "__module__", "").startswith("django."):
        return False
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return "request.FILES" in source or "File[" in source


def test_every_view_that_takes_files_declares_its_limit():
    views = [(path, view) for path, view, _m in _views(get_resolver().url_patterns)]
    takes_files = {path for path, view in views if _reads_files(view)}
    declared = {
        path for path, view in views if isinstance(getattr(view, "upload_limit", None), UploadLimit)
    }
    assert len(takes_files) == len(ENDPOINTS)
    assert takes_files == declared


def test_the_limit_is_found_for_the_method_the_api_takes_it(rf: Any):
    assert limit_for(rf.post("/api/reports/1/forms/A/attachments")) == UploadLimit(
        ATTACHMENT_MAX_BYTES
    )
    assert limit_for(rf.post("/api/reports/1/contact")) is None
    assert limit_for(rf.post("/no/such/address/")) is None


# --- a real server's memory ---------------------------------------------------------------------

_SERVER = """
import sys
from wsgiref.simple_server import WSGIServer, WSGIRequestHandler, make_server

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

from minefree.wsgi import application
server = make_server("127.0.0.1", 0, application, handler_class=Quiet)
print(server.server_port, flush=True)
server.serve_forever()
"""


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _post_raw(port: int, path: str, body: LazyBody, content_length: int) -> bytes:
    """Send the body over a socket as fast as the server takes it; the answer's first line."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {content_length}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n"
            ).encode()
        )
        try:
            while chunk := body.read(256 * 1024):
                conn.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading and closed: the point
        answer = b""
        try:
            while data := conn.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    return answer


@pytest.mark.parametrize(
    ("name", "told", "answered"),
    [
        # one file: refused at the first chunk past its limit, whatever the length said
        ("web report import", "the limit", b"413"),
        # many files: the big one read through without being kept (then refused: the form
        # came with no CSRF token)
        ("web bulk import", "the truth", b"403"),
    ],
)
def test_a_real_server_takes_200_mb_without_growing(
    tmp_path: Path, name: str, told: str, answered: bytes
):
    """A server process (wsgiref, as simple as any) given a file of 200 MB: its peak memory
    grows by less than 30 MB."""
    env = {**os.environ, "MINEFREE_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER], stdout=subprocess.PIPE, env=env, cwd=Path.cwd()
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        endpoint = BY_NAME[name]
        warm = multipart(endpoint, 10)
        _post_raw(port, endpoint.path, warm, endpoint.limit.body_bytes + 1)  # imports all
        time.sleep(0.2)
        before = _peak_rss_kb(server.pid)
        body = multipart(endpoint, HUGE, name="huge.xlsx")
        length = endpoint.limit.body_bytes if told == "the limit" else body.total
        answer = _post_raw(port, endpoint.path, body, length)
        grown_mb = (_peak_rss_kb(server.pid) - before) / 1024
        assert answer.split(b" ")[1] == answered, answer[:200]
        if answered == b"413":
            assert body.read_bytes < HUGE  # the client could not even send it all
        assert grown_mb < 30, grown_mb
    finally:
        server.terminate()
        server.wait(timeout=10)
