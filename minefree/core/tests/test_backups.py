"""``minefree backup`` and ``minefree restore``: a round trip gives back, byte for byte, every
open dataset the site offers and every uploaded file; a corrupted archive, an archive of the
other engine or of a newer minefree, and a restore over data without ``--yes`` are refused
before anything is touched.

The round trip runs on the test run's database (SQLite's in-memory database, or the
PostgreSQL test database through pg_dump and pg_restore). A restore replaces the database
under the test's connection, so that test commits its writes (``transaction=True``) and runs
after the others; the command line is proven on a throwaway SQLite file in a subprocess.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from minefree.accounts.tests.factories import make_cast
from minefree.clearance.tests.factories import submitted as extension_submitted
from minefree.cooperation.demo import demo_cooperation_load
from minefree.core import backups
from minefree.core.audit import SYSTEM
from minefree.core.backups import BackupError, Manifest, backup_create, backup_restore
from minefree.core.models import AuditEvent, ContentVersion, Origin
from minefree.core.schemas import MAX_LIMIT
from minefree.fund import services as fund
from minefree.fund.tests import steps as fund_steps
from minefree.fund.tests.world import fund_cast
from minefree.indicators import selectors as indicators
from minefree.knowledge import services as knowledge
from minefree.knowledge.models import Passage
from minefree.registry.models import Actor
from minefree.reporting import services as reporting
from minefree.reporting.exchange.imports import reports_import_history
from minefree.reporting.exchange.synthetic import synthetic_history
from minefree.reporting.models import ReportVersion, VersionStatus
from minefree.reporting.tests.factories import submit_explained

ROOT = Path(__file__).resolve().parents[3]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SYNTHETIC_STATES = ["AFG", "AGO", "COL", "KHM", "NOR"]

#: downloads whose address names a file type and that are printed documents or one
#: uploaded file, not datasets: PDF and DOCX embed the moment they were printed
NOT_DATASETS = {
    "clearance/<int:pk>/analysis/v<int:number>/analysis.<str:fmt>": "the analysis, PDF or DOCX",
    "clearance/v/<int:pk>/request.pdf": "the uploaded request (its bytes are compared as a file)",
    "fund/report/<int:year>.docx": "the fund's yearly report, printed",
    "fund/report/<int:year>.pdf": "the fund's yearly report, printed",
    "indicators/documents/<int:pk>/v<int:number>.<str:fmt>": "committee documents, PDF or DOCX",
}


# --- the data ------------------------------------------------------------------------------


def _reference_data() -> None:
    """Tests that commit run after the others and end with every table emptied; the
    reference data is loaded again when an earlier one took it away."""
    from minefree.registry.services import reference_load

    if not Actor.objects.filter(slug="nigeria-nmac").exists():
        reference_load(actor=SYSTEM, directory=django_settings.REFERENCE_DATA_DIR)


def _build_data() -> dict[str, Any]:
    """Reports (synthetic history of a few states, Peru's own with an attachment), their
    flows and passages, needs, offers and partnerships, an extension request, a knowledge
    document and a fund application with a letter of support."""
    cast = make_cast()
    reports_import_history(
        actor=SYSTEM,
        reports=synthetic_history(states=SYNTHETIC_STATES, last_year=2024),
        origin=Origin.SYNTHETIC,
    )
    peru = Actor.objects.get(iso3="PER")
    focal_point = cast["focal_point_peru"]
    version = reporting.report_open(actor=focal_point, state=peru, year=2023)
    attachment = reporting.attachment_add(
        actor=focal_point, version=version, letter="A", file=io.BytesIO(PDF), name="law.pdf"
    )
    submit_explained(focal_point, version)
    demo_cooperation_load(actor=SYSTEM, needs=20, offers=10, partnerships=3)
    extension = extension_submitted(focal_point)
    document = knowledge.document_add(
        actor=cast["isu_staff"],
        title="Statement of Peru",
        kind="statement",
        language="en",
        file=SimpleUploadedFile("statement.txt", b"Difficult terrain and a lack of funding."),
        states=[peru],
        year=2024,
    )
    users = fund_cast()
    application = fund_steps.draft(users, fund_steps.open_call(users["isu"]))
    letter = fund.support_letter_add(
        actor=users["nigeria"],
        application=application,
        title="Support of the ministry",
        file=io.BytesIO(PDF),
        name="letter.pdf",
    )
    return {
        "cast": cast,
        "peru": peru,
        "report": version,
        "attachment": attachment,
        "extension": extension,
        "document": document,
        "letter": letter,
    }


# --- every open dataset --------------------------------------------------------------------


def _routes() -> dict[str, str]:
    """Every address pattern of the site: route → the view's name."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found[prefix + str(pattern.pattern)] = pattern.lookup_str

    walk(get_resolver().url_patterns, "")
    return found


def _file_routes() -> set[str]:
    """The routes whose last segment names a file type (``.csv``, ``.<str:fmt>``)."""
    return {
        route
        for route in _routes()
        if not route.startswith(("admin/", "api/")) and "." in route.rsplit("/", 1)[-1]
    }


def _api_lists() -> list[str]:
    """The API's addresses without a parameter (its lists and summaries)."""
    return sorted(
        "/" + route
        for route in _routes()
        if route.startswith("api/") and "<" not in route and route not in ("api/", "api/docs")
    )


def dataset_urls() -> list[str]:
    """Every dataset the site offers to anyone, as the addresses to download it."""
    urls = [
        f"/reports/data/{dataset}.{fmt}"
        for dataset in ("reports", "rows")
        for fmt in ("csv", "json")
    ]
    urls += [
        "/reports/compliance.csv",
        "/reports/compliance/states.csv",
        "/reports/compliance/states.csv?year=2023",
        "/knowledge/challenges.csv",
        "/cooperation/flows/export.csv",
        "/cooperation/flows/export.xml?synthetic=include",
        "/clearance/template/PER.xlsx",
    ]
    for code in indicators.indicators().values_list("code", flat=True):
        urls += [f"/indicators/{code}.csv", f"/indicators/{code}.csv?year=2023"]
    published = ReportVersion.objects.filter(status=VersionStatus.SUBMITTED).order_by("pk")
    for pk in published.values_list("pk", flat=True):
        urls.append(f"/reports/v/{pk}/report.json")
    first = published.first()
    if first is not None:
        urls.append(f"/reports/v/{first.pk}/report.xlsx")
        for attachment in first.attachments.all():
            urls.append(f"/reports/v/{first.pk}/attachments/{attachment.pk}/")
    from minefree.clearance.models import RequestVersion

    for version in RequestVersion.objects.exclude(submitted_at=None).select_related("request"):
        urls.append(f"/clearance/requests/{version.request_id}/v{version.number}.xlsx")
    from minefree.knowledge.models import Document

    for document in Document.objects.exclude(file="").order_by("pk"):
        urls.append(f"/knowledge/documents/{document.pk}/file")
    urls += _api_lists()
    return urls


def _paged(client: Client, url: str) -> bytes:
    """Every page of a paginated API list, joined."""
    pages = []
    offset = 0
    while True:
        response = client.get(url, {"limit": MAX_LIMIT, "offset": offset})
        assert response.status_code == 200, (url, response.status_code)
        pages.append(response.content)
        body = json.loads(response.content)
        offset += MAX_LIMIT
        if offset >= body["count"]:
            return b"\n".join(pages)


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


XLSX_TIMES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
IATI_TIME = re.compile(rb'generated-datetime="[^"]*"')


def normalised(url: str, content: bytes) -> bytes:
    """The bytes compared: a workbook's members with its creation and change times blanked
    (openpyxl stamps the moment it wrote the file), and the IATI file's generated-datetime
    blanked; everything else exactly as served."""
    if url.split("?")[0].endswith(".xlsx"):
        parts = []
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            for name in sorted(workbook.namelist()):
                parts.append(name.encode() + b"\0" + XLSX_TIMES.sub(b"", workbook.read(name)))
        return b"\0\0".join(parts)
    if url.split("?")[0].endswith(".xml"):
        return IATI_TIME.sub(b'generated-datetime=""', content)
    return content


def export(client: Client) -> dict[str, str]:
    """Every dataset (SHA-256 of its normalised bytes) and every uploaded file (of its bytes)."""
    found: dict[str, str] = {}
    for url in dataset_urls():
        if url in ("/api/open-data/reports", "/api/open-data/rows"):
            content = _paged(client, url)
        else:
            response = client.get(url)
            if url.startswith("/api/") and response.status_code in (401, 403, 405):
                continue  # an API list for signed-in users only, or a write
            assert response.status_code == 200, (url, response.status_code)
            content = _content(response)
        found[url] = hashlib.sha256(normalised(url, content)).hexdigest()
    root = Path(django_settings.MEDIA_ROOT)
    for path in backups.media_files():
        found[f"file:{path.relative_to(root).as_posix()}"] = hashlib.sha256(
            path.read_bytes()
        ).hexdigest()
    return found


def tables() -> dict[str, str]:
    """Each table's rows (SHA-256), the audit log and page-cache counters left out."""
    skipped = {AuditEvent, ContentVersion}
    return {
        model._meta.label: hashlib.sha256(
            repr(list(model._base_manager.order_by("pk").values_list())).encode()
        ).hexdigest()
        for model in apps.get_models()
        if model not in skipped and not model._meta.proxy
    }


def test_every_download_named_by_a_file_type_is_a_dataset_here_or_a_printed_document():
    """A new CSV, JSON or workbook download joins ``dataset_urls`` (and the round trip), or
    is named in NOT_DATASETS with the reason."""
    covered = {resolve(url.split("?")[0]).route for url in _covered_samples()}
    assert _file_routes() - covered - set(NOT_DATASETS) == set()
    assert set(NOT_DATASETS) <= _file_routes()


def _covered_samples() -> list[str]:
    """One address of each kind ``dataset_urls`` downloads, without needing the records."""
    return [
        "/reports/data/rows.csv",
        "/reports/compliance.csv",
        "/reports/compliance/states.csv",
        "/knowledge/challenges.csv",
        "/cooperation/flows/export.csv",
        "/clearance/template/PER.xlsx",
        "/indicators/some-code.csv",
        "/reports/v/1/report.json",
        "/reports/v/1/report.xlsx",
        "/clearance/requests/1/v1.xlsx",
    ]


# --- the round trip ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_gives_back_every_dataset_and_file_byte_for_byte(settings, tmp_path):
    _reference_data()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINEFREE_API_RATE_ANONYMOUS = "100000/m"
    data = _build_data()
    client = Client()

    saved = export(client)
    assert export(client) == saved, "an export differs from itself: not comparable"
    uploads = {"file:" + data[name].file.name for name in ("attachment", "document", "letter")}
    assert uploads <= set(saved), sorted(saved)
    assert len([u for u in saved if not u.startswith("file:")]) > 40
    saved_tables = tables()
    events = list(AuditEvent.objects.order_by("pk").values_list("pk", "action"))

    archives = tmp_path / "archives"
    archives.mkdir()

    def cut_short(step: str, done: int, total: int) -> None:
        if step == "uploaded files":
            raise KeyboardInterrupt  # as if the backup were stopped half-way

    with pytest.raises(KeyboardInterrupt):
        backup_create(archives, progress=cut_short)
    assert list(archives.iterdir()) == [], "a backup cut short left a file"
    outcome = backup_create(archives)
    assert outcome.path.name.startswith("minefree-backup-") and outcome.path.suffix == ".tar"
    assert not list(outcome.path.parent.glob(".*")), "a partial file or dump left behind"
    assert AuditEvent.objects.latest("pk").action == "database.backed_up"

    # then things change: a report submitted, a flow recorded, passages and files gone
    cast, peru = data["cast"], data["peru"]
    submit_explained(
        cast["focal_point_peru"],
        reporting.report_open(actor=cast["focal_point_peru"], state=peru, year=2024),
    )
    Passage.objects.all().delete()
    Path(data["document"].file.path).write_bytes(b"Another text.")
    Path(data["letter"].file.path).unlink()
    (Path(settings.MEDIA_ROOT) / "stray.txt").write_text("not in the archive")
    changed = export(client)
    differ = {url for url in saved if changed.get(url) != saved[url]}
    assert {
        "/reports/data/reports.csv",
        "/reports/data/reports.json",
        "/knowledge/challenges.csv",
        "file:" + data["document"].file.name,
        "file:" + data["letter"].file.name,
    } <= differ
    counters_before = dict(ContentVersion.objects.values_list("key", "version"))

    restored = backup_restore(outcome.path, confirmed=True, operator="ops")

    assert restored.migrations_behind == []
    again = export(client)
    assert again == saved, sorted(url for url in saved if again.get(url) != saved[url])
    assert tables() == saved_tables
    after = list(AuditEvent.objects.order_by("pk").values_list("pk", "action"))
    assert after[:-1] == events and after[-1][1] == "database.restored"
    record = AuditEvent.objects.latest("pk")
    assert (record.actor_label, record.object_type, record.object_id) == (
        "system",
        "core.backup",
        outcome.path.name,
    )
    assert record.after["operator"] == "ops"
    assert record.after["database_sha256"] == outcome.manifest.database.sha256
    counters = dict(ContentVersion.objects.values_list("key", "version"))
    assert all(counters[key] > value for key, value in counters_before.items()), (
        "a page cached before the restore could be served again"
    )


def test_an_archive_is_never_written_inside_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "knowledge").mkdir()
    with pytest.raises(BackupError, match="outside MEDIA_ROOT"):
        backup_create(tmp_path / "knowledge")
    assert [p.name for p in tmp_path.rglob("*")] == ["knowledge"]


# --- refusals ------------------------------------------------------------------------------


def _rewrite(
    archive: Path,
    target: Path,
    *,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    member: Callable[[str, bytes], bytes | None] | None = None,
) -> Path:
    """A copy of ``archive`` with its manifest or a member's bytes changed (None drops it)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for info in source.getmembers():
            raw = source.extractfile(info)
            assert raw is not None
            content: bytes | None = raw.read()
            if info.name == backups.MANIFEST and manifest is not None:
                data = json.loads(content or b"")
                manifest(data)
                content = json.dumps(data).encode()
            elif member is not None:
                content = member(info.name, content or b"")
            if content is None:
                continue
            info.size = len(content)
            copy.addfile(info, io.BytesIO(content))
    return target


def _uploads(media: Path) -> None:
    """Two uploaded files: a knowledge document and a fund letter."""
    (media / "knowledge").mkdir(parents=True)
    (media / "knowledge" / "statement.pdf").write_bytes(PDF)
    (media / "fund" / "letters" / "2024").mkdir(parents=True)
    (media / "fund" / "letters" / "2024" / "letter.pdf").write_bytes(PDF + b"x")


@pytest.fixture(scope="session")
def session_archive(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Path:
    """An archive of the session's test database (the reference data) and two uploaded
    files, made once and outside any test's transaction: SQLite cannot copy a database
    through a connection that is writing. Its audit event is taken out again, since other
    tests of the worker look at the latest events."""
    base = tmp_path_factory.mktemp("backup")
    _uploads(base / "media")
    (base / "out").mkdir()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=base / "media"):
        outcome = backup_create(base / "out")
        made = AuditEvent.objects.filter(action="database.backed_up", object_id=outcome.path.name)
        assert made.count() == 1
        made.delete()
    return outcome.path


@pytest.fixture
def archive(session_archive: Path, settings: Any, tmp_path: Path) -> Path:
    """A copy of the session's archive; MEDIA_ROOT holds the same two files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    _uploads(tmp_path / "media")
    copy = tmp_path / session_archive.name
    shutil.copyfile(session_archive, copy)
    return copy


def _unchanged(settings: Any) -> Callable[[], tuple[int, list[Path]]]:
    """A snapshot of the database (its audit log) and the uploaded files, to compare."""
    root = Path(settings.MEDIA_ROOT)
    return lambda: (
        AuditEvent.objects.count(),
        sorted((p, p.read_bytes()) for p in root.rglob("*") if p.is_file()),
    )


@pytest.mark.django_db
def test_a_corrupted_file_is_refused_by_name_and_nothing_is_touched(archive, settings, tmp_path):
    state = _unchanged(settings)
    before = state()
    broken = _rewrite(
        archive,
        tmp_path / "broken.tar",
        member=lambda name, content: (
            content[:-1] + b"y" if name.endswith("letter.pdf") else content
        ),
    )
    with pytest.raises(BackupError, match=r"media/fund/letters/2024/letter\.pdf .* is corrupted"):
        backup_restore(broken, confirmed=True)
    assert state() == before
    assert not list(Path(settings.MEDIA_ROOT).parent.glob(backups.STAGING_PREFIX + "*"))

    dump = backups.DUMPS[connection.vendor]
    flipped = _rewrite(
        archive,
        tmp_path / "flipped.tar",
        member=lambda name, content: (
            content[:100] + bytes([content[100] ^ 1]) + content[101:] if name == dump else content
        ),
    )
    with pytest.raises(BackupError, match=rf"{re.escape(dump)} .* is corrupted"):
        backup_restore(flipped, confirmed=True)
    missing = _rewrite(
        archive,
        tmp_path / "missing.tar",
        member=lambda name, content: None if name.endswith("statement.pdf") else content,
    )
    with pytest.raises(BackupError, match=r"media/knowledge/statement\.pdf is missing"):
        backup_restore(missing, confirmed=True, check_only=True)
    extra = _rewrite(
        archive,
        tmp_path / "extra.tar",
        manifest=lambda data: data["files"].pop(),
    )
    with pytest.raises(BackupError, match="is not in its manifest"):
        backup_restore(extra, confirmed=True)
    cut = tmp_path / "cut.tar"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError, match=r"manifest|not a readable archive"):
        backup_restore(cut, confirmed=True)
    assert state() == before
    # the intact archive passes the check
    assert backup_restore(archive, confirmed=False, check_only=True).manifest.files


@pytest.mark.django_db
def test_a_restore_over_data_asks_for_yes_and_says_what_it_would_replace(archive, settings):
    state = _unchanged(settings)
    before = state()
    with pytest.raises(BackupError) as refused:
        backup_restore(archive, confirmed=False)
    message = str(refused.value)
    assert re.search(r"The database holds [\d,]+ rows \(", message), message
    assert "actors" in message and "2 uploaded files" in message
    assert "--yes" in message
    assert state() == before


@pytest.mark.django_db
def test_an_archive_of_the_other_engine_or_a_newer_minefree_is_refused(archive, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def other_engine(data: dict[str, Any]) -> None:
        data["engine"] = other
        data["database"]["path"] = backups.DUMPS[other]

    renamed = _rewrite(
        archive,
        tmp_path / "other.tar",
        manifest=other_engine,
        member=lambda name, content: content,
    )
    with pytest.raises(BackupError, match=f"holds a {backups.ENGINE_NAMES[other]} database"):
        backup_restore(renamed, confirmed=True)

    newer = _rewrite(
        archive,
        tmp_path / "newer.tar",
        manifest=lambda data: data["migrations"]["core"].append("9999_from_the_future"),
    )
    with pytest.raises(BackupError, match=r"newer minefree.*core\.9999_from_the_future"):
        backup_restore(newer, confirmed=True)


@pytest.mark.django_db
def test_the_manifest_names_the_engine_migrations_and_every_file(archive):
    manifest = backups.manifest_read(archive)
    assert manifest.engine == connection.vendor
    assert "0001_initial" in manifest.migrations["core"]
    assert [f.path for f in manifest.files] == [
        "media/fund/letters/2024/letter.pdf",
        "media/knowledge/statement.pdf",
    ]
    assert manifest.files[1].sha256 == hashlib.sha256(PDF).hexdigest()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[-1] == backups.MANIFEST and names[0] == manifest.database.path
    assert Manifest.from_json(manifest.to_json()) == manifest


# --- the command line ----------------------------------------------------------------------


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minefree", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_commands_back_up_and_restore_a_sqlite_file(session_archive, tmp_path):
    """``python -m minefree backup`` and ``restore`` on a throwaway SQLite file."""
    database = tmp_path / "site.sqlite3"
    env = {
        **os.environ,
        "MINEFREE_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "MINEFREE_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    if connection.vendor == "sqlite":  # the session's archive holds a migrated, loaded one
        with tarfile.open(session_archive) as tar:
            member = tar.extractfile(backups.DUMPS["sqlite"])
            assert member is not None
            database.write_bytes(member.read())
    else:
        done = _run(["migrate", "--noinput", "-v0"], env)
        assert done.returncode == 0, done.stderr
    media = tmp_path / "media" / "knowledge"
    media.mkdir(parents=True)
    (media / "statement.pdf").write_bytes(PDF)

    made = _run(["backup"], env)
    assert made.returncode == 0, made.stderr
    archive = next((tmp_path / "backups").glob("minefree-backup-*.tar"))
    assert str(archive) in made.stdout and "1 uploaded file" in made.stdout
    assert "uploaded files" in made.stderr  # progress

    (media / "statement.pdf").write_bytes(b"changed")
    with closing(sqlite3.connect(database)) as db:
        db.execute("DELETE FROM core_contentversion")
        db.commit()
    refused = _run(["restore", str(archive)], env)
    assert refused.returncode == 1
    assert "--yes" in refused.stderr and (media / "statement.pdf").read_bytes() == b"changed"

    checked = _run(["restore", str(archive), "--check"], env)
    assert checked.returncode == 0 and "checksums verified" in checked.stdout, checked.stderr

    done = _run(["restore", str(archive), "--yes", "--operator", "night shift"], env)
    assert done.returncode == 0, done.stderr
    assert "Restored the SQLite database" in done.stdout
    assert (media / "statement.pdf").read_bytes() == PDF
    with closing(sqlite3.connect(database)) as db:
        action, after = db.execute(
            "SELECT action, after FROM core_auditevent ORDER BY id DESC LIMIT 1"
        ).fetchone()
        counters = db.execute("SELECT count(*) FROM core_contentversion").fetchone()[0]
    assert action == "database.restored" and json.loads(after)["operator"] == "night shift"
    assert counters > 0
