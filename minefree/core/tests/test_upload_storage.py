"""A disk with no room left: an accepted upload that cannot be stored leaves nothing behind
(no row, no partial file) and the user reads why, at every endpoint that stores files.

The disk is a real one when the tests may mount a 1 MB tmpfs (as root) and fill it;
otherwise a storage that fails its write after 64 KB, as a full disk does (the partial
file is on disk, as it would be, for ``store_upload`` to remove).
"""

from __future__ import annotations

import errno
import html
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.core.files.storage import FileSystemStorage

from minefree.accounts.tests.factories import make_cast
from minefree.api.tests.writes import database_state
from minefree.core.tests.test_uploads import make_pdf
from minefree.core.tests.upload_endpoints import ENDPOINTS, UploadEndpoint, client_for, post

pytestmark = pytest.mark.django_db

KB = 1024
ROOM = 64 * KB
STORING = [e for e in ENDPOINTS if e.stores == "file" and "import" not in e.name]
PDF = make_pdf().replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + b"x" * (300 * KB) + b"\n", 1)
TEXT = b"Land release in the Andes, by survey and clearance.\n" * 6000
FILLER = "filler.bin"


class _Filling(File):  # type: ignore[type-arg]
    """The content of a write that runs out of room after ``room`` bytes."""

    def __init__(self, content: Any, room: int) -> None:
        super().__init__(content.file, content.name)
        self.room = room

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        written = 0
        for chunk in super().chunks(chunk_size):
            if written + len(chunk) > self.room:
                yield chunk[: self.room - written]
                raise OSError(errno.ENOSPC, "No space left on device")
            written += len(chunk)
            yield chunk


class FullDiskStorage(FileSystemStorage):
    """A file system with ``ROOM`` bytes left."""

    def _save(self, name: str, content: Any) -> str:
        return str(super()._save(name, _Filling(content, ROOM)))


def _mount_full_tmpfs(root: Path) -> bool:
    """A 1 MB tmpfs at ``root``, filled to ``ROOM`` from full; False where mounts are not
    allowed."""
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(root)], capture_output=True
    )
    if mounted.returncode != 0:
        return False
    (root / FILLER).write_bytes(bytes(1024 * KB - ROOM))
    return True


@pytest.fixture(params=["tmpfs", "simulated"])
def full_disk(request: Any, tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A full disk under MEDIA_ROOT: a real tmpfs where it can be mounted (as root), else
    the simulated one, which is also always tested on its own."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    real = request.param == "tmpfs" and _mount_full_tmpfs(root)
    if not real:
        settings.STORAGES = settings.STORAGES | {
            "default": {"BACKEND": f"{__name__}.FullDiskStorage"}
        }
    try:
        yield root
    finally:
        if real:
            subprocess.run(["umount", str(root)], check=True)


def _upload_for(endpoint: UploadEndpoint) -> tuple[bytes, bytes]:
    if "knowledge" in endpoint.name:
        return b"guide.txt", TEXT
    return b"law.pdf", PDF


@pytest.mark.parametrize("endpoint", STORING, ids=lambda e: e.name)
def test_a_full_disk_keeps_nothing_and_says_so(endpoint: UploadEndpoint, full_disk: Path):
    ctx = make_cast()
    ctx |= endpoint.setup(ctx)
    client, auth = client_for(endpoint, ctx[endpoint.role])
    before = database_state()
    name, data = _upload_for(endpoint)
    response = post(endpoint, client, auth, ctx, name, data)
    assert response.status_code < 500 or endpoint.api, response.content[:500]
    assert database_state() == before  # the row was rolled back with the rest
    assert [p.name for p in full_disk.rglob("*") if p.is_file() and p.name != FILLER] == []
    if endpoint.api:
        assert response.status_code == 507
        assert response.json()["code"] == "storage_full"
        said = response.json()["detail"]
    else:
        if response.status_code == 302:
            response = client.get(response["Location"])
        said = html.unescape(response.content.decode())
    assert "The server has no room to store the file, so nothing was saved." in said


def test_the_same_upload_is_stored_when_there_is_room(settings: Any, tmp_path: Path):
    """The upload of the tests above is an accepted one: a full disk alone refuses it."""
    settings.MEDIA_ROOT = tmp_path
    endpoint = next(e for e in STORING if e.name == "api attachment")
    ctx = make_cast()
    ctx |= endpoint.setup(ctx)
    client, auth = client_for(endpoint, ctx[endpoint.role])
    response = post(endpoint, client, auth, ctx, *_upload_for(endpoint))
    assert response.status_code == 201, response.content[:300]
    assert [p.stat().st_size for p in tmp_path.rglob("*.pdf")] == [len(PDF)]


class BrokenStorage(FileSystemStorage):
    """A disk that fails for another reason than room."""

    def _save(self, name: str, content: Any) -> str:
        raise OSError(errno.EIO, "Input/output error")


def test_another_write_error_is_not_taken_for_a_full_disk(settings: Any, tmp_path: Path):
    """Only a full disk (or quota) is the user's to wait out; any other failure is a fault."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": f"{__name__}.BrokenStorage"}}
    endpoint = next(e for e in STORING if e.name == "api attachment")
    ctx = make_cast()
    ctx |= endpoint.setup(ctx)
    client, auth = client_for(endpoint, ctx[endpoint.role])
    with pytest.raises(OSError, match="Input/output error"):
        post(endpoint, client, auth, ctx, *_upload_for(endpoint))
