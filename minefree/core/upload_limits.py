"""Upload limits that hold before the request's body is read.

Each upload endpoint declares its limit once, next to the view (``@upload_limit``); a
web view and an API operation alike. ``UploadLimitMiddleware`` finds the limit of the
address before anything reads the body (``CsrfViewMiddleware`` reads ``request.POST``
of every form):

- a ``Content-Length`` over the limit is refused with 413 at once: not a byte is read;
- otherwise the body is parsed through ``FileSizeLimitHandler``, which counts each file's
  bytes as they arrive. An endpoint taking one file stops reading as soon as it passes its
  limit, so at most the limit and one chunk (64 KB) of it is ever read or spooled to disk,
  whatever the client said the body's size was. An endpoint taking many files (the bulk
  import) goes on past a file over its limit without keeping the rest of it: the view
  receives an empty ``OversizeUpload`` saying the file's name and size, and the other
  files are imported; reading stops once all the files together pass the endpoint's total.

An address that declares no limit takes no more than Django takes for a body it reads
whole (``DATA_UPLOAD_MAX_MEMORY_SIZE``), files included.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.operation import PathView

from minefree.core.audit import request_id_var
from minefree.core.uploads import MB, megabytes

F = TypeVar("F", bound=Callable[..., Any])

#: what a multipart body carries besides the files: boundaries, part headers, form fields
ENVELOPE_BYTES = 256 * 1024
#: where the refusal is kept on the request (``request.META``) for the response
REFUSED = "minefree.upload_refused"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class UploadLimit:
    """The most an endpoint takes: ``files`` files of at most ``file_bytes`` each."""

    file_bytes: int
    files: int = 1

    @property
    def body_bytes(self) -> int:
        """The largest request body: the files at their limit and the multipart envelope."""
        return self.file_bytes * self.files + ENVELOPE_BYTES


def upload_limit(file_bytes: int, *, files: int = 1) -> Callable[[F], F]:
    """Declare a view's (or an API operation's) upload limit; the view is not wrapped."""

    def decorator(view: F) -> F:
        view.upload_limit = UploadLimit(file_bytes, files)  # type: ignore[attr-defined]
        return view

    return decorator


def limit_for(request: HttpRequest) -> UploadLimit | None:
    """The declared limit of the view the request goes to, or ``None``."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view: Any = _ninja_operation_view(match.func, request.method or "") or match.func
    limit = getattr(view, "upload_limit", None)
    return limit if isinstance(limit, UploadLimit) else None


def _ninja_operation_view(func: Callable[..., Any], method: str) -> Callable[..., Any] | None:
    """The function of the API operation behind a django-ninja address, for ``method``.

    Ninja answers every method of a path with one view that closes over its ``PathView``."""
    for cell in getattr(func, "__closure__", None) or ():
        path_view = cell.cell_contents
        if isinstance(path_view, PathView):
            for operation in path_view.operations:
                if method in operation.methods:
                    return operation.view_func
    return None


def default_limit() -> UploadLimit | None:
    """What an address that declares no limit takes: what Django reads whole, at most."""
    most = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if most is None else UploadLimit(max(most - ENVELOPE_BYTES, 0))


class UploadTooLargeError(MultiPartParserError):
    """A file passed its limit while the body was read; reading stopped there."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OversizeUpload(UploadedFile):
    """A file of a many-file upload that passed its limit: its name and the size it had,
    none of its content (``read()`` gives nothing)."""

    def __init__(self, name: str, size: int, content_type: str | None) -> None:
        super().__init__(io.BytesIO(), name, content_type, size)


class FileSizeLimitHandler(FileUploadHandler):
    """The first upload handler: counts the bytes of each file and of all files. Past its
    limit, a file stops the upload (``UploadTooLargeError``) at that chunk, before the next
    handlers store it; where the endpoint takes many files, the rest of that file is read
    without being kept and it ends as an ``OversizeUpload``."""

    def __init__(self, request: HttpRequest, limit: UploadLimit) -> None:
        super().__init__(request)
        self.limit = limit
        self.file_bytes = 0
        self.total_bytes = 0
        self.oversize = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file_bytes = 0
        self.oversize = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.file_bytes += len(raw_data)
        self.total_bytes += len(raw_data)
        if self.file_bytes > self.limit.file_bytes:
            if self.limit.files == 1:
                self._refuse(file_too_large(self.file_name or "", self.limit))
            self.oversize = True
        if self.total_bytes > self.limit.file_bytes * self.limit.files:
            self._refuse(body_too_large(None, self.limit))
        return None if self.oversize else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.oversize:
            return None  # the next handler's file
        return OversizeUpload(self.file_name or "file", self.file_bytes, self.content_type)

    def _refuse(self, message: str) -> None:
        assert self.request is not None
        self.request.META[REFUSED] = message
        raise UploadTooLargeError(message)


def file_too_large(name: str, limit: UploadLimit) -> str:
    return _(
        "The file %(name)s is larger than the limit of %(limit)s MB. Nothing was saved; "
        "choose a smaller file."
    ) % {"name": name, "limit": megabytes(limit.file_bytes)}


def body_too_large(size: int | None, limit: UploadLimit) -> str:
    """The refusal of a body over the limit (``size``: what ``Content-Length`` said)."""
    if limit.files > 1:
        allowed = ngettext(
            "at most %(files)s file of %(limit)s MB",
            "at most %(files)s files of %(limit)s MB each",
            limit.files,
        ) % {"files": limit.files, "limit": megabytes(limit.file_bytes)}
    else:
        allowed = _("at most %(limit)s MB") % {"limit": megabytes(limit.file_bytes)}
    if size is None:
        return _("The upload is larger than this form takes (%(allowed)s). Nothing was saved.") % {
            "allowed": allowed
        }
    return _(
        "The upload is %(size)s MB, more than this form takes (%(allowed)s). Nothing was "
        "saved; choose a smaller file."
    ) % {"size": megabytes(max(size, MB // 100)), "allowed": allowed}


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads nothing of a body whose length it cannot read either


def refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """413 (or 400) in the API's JSON shape, or as a page of the site."""
    if request.path_info.startswith("/api/"):
        code = "too_large" if status == 413 else "bad_request"
        body = {"code": code, "detail": message, "request_id": request_id_var.get()}
        return JsonResponse(body, status=status)
    template = loader.get_template("core/upload_refused.html")
    context = {"message": message, "status": status, "request_id": request_id_var.get()}
    return HttpResponse(template.render(context), status=status)


class UploadLimitMiddleware:
    """Refuse a body over the address's limit before reading it; read the rest through
    ``FileSizeLimitHandler``. Placed before ``CsrfViewMiddleware``, which reads forms."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in _BODY_METHODS:
            return self.get_response(request)
        limit = limit_for(request) or default_limit()
        if limit is None:
            return self.get_response(request)
        size = _content_length(request)
        if size > limit.body_bytes:
            return refusal(request, 413, body_too_large(size, limit))
        handlers: list[FileUploadHandler] = [FileSizeLimitHandler(request, limit)]
        if limit.files > 1:  # many files: each on disk, not hundreds in memory
            handlers.append(TemporaryFileUploadHandler(request))
        else:
            handlers.extend(request.upload_handlers)
        request.upload_handlers = handlers
        if request.content_type == "multipart/form-data" and not request.path_info.startswith(
            "/api/"
        ):
            # A form is read here, as CsrfViewMiddleware would, to answer a refusal with a
            # page; the API reads its own when an operation (or an Idempotency-Key) needs it.
            refused_form = read_form(request)
            if refused_form is not None:
                return refused_form
        response = self.get_response(request)
        refused = request.META.get(REFUSED)
        return refusal(request, 413, refused) if refused else response


def read_form(request: HttpRequest) -> HttpResponse | None:
    """Read a multipart body's fields and files through the handlers the middleware set;
    the refusal (413 or 400) if it cannot be read, else ``None``."""
    try:
        request.POST  # noqa: B018 - reads the form and its files
    except UploadTooLargeError as error:
        return refusal(request, 413, error.message)
    except (MultiPartParserError, TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig):
        return refusal(request, 400, unreadable())
    return None


def unreadable() -> str:
    return _(
        "The upload could not be read: the form data is malformed, a file name is too long, "
        "or too many files or fields were sent. Nothing was saved."
    )
