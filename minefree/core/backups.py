"""Backups: one archive file holding the database, every uploaded file and a manifest; and
the restore that checks such an archive whole before it replaces anything.

An archive is an uncompressed tar file (``minefree-backup-2026-12-07T031500Z.tar``):

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the site runs)
  or ``database.pgdump`` (``pg_dump --format=custom``, already compressed);
- ``media/...``: every file under ``MEDIA_ROOT`` (Article 7 attachments, knowledge
  documents, fund letters, extension request documents);
- ``manifest.json``, written last: minefree's version and commit, the database engine, the
  migrations applied per app, when it was made, and the SHA-256 and size of the dump and of
  every file.

It is written under a hidden temporary name (``.minefree-backup-....tar.partial``) and
renamed when complete, so a backup that was killed never leaves a file that looks complete.

A restore reads the manifest, refuses an archive of the other engine or one whose
migrations this code does not know (made by a newer minefree), asks for ``confirmed`` when
the database or ``MEDIA_ROOT`` holds anything, then unpacks the whole archive into a
staging folder beside ``MEDIA_ROOT`` and compares every checksum before it touches the
database or the files. Then the database is replaced (SQLite: the backup API into the live
connection; PostgreSQL: ``pg_restore --clean --if-exists --no-owner --single-transaction``),
``MEDIA_ROOT`` is made to hold exactly the archive's files, every page-cache counter moves
past any value it ever had (no worker can serve a page cached before the restore) and the
restore is recorded in the audit log of the restored database.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from minefree.core.audit import SYSTEM, audit_record, service, versions_move_past
from minefree.core.models import ContentVersion, IdempotencyKey
from minefree.core.permissions import require

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
NAME_PREFIX = "minefree-backup-"
#: hidden working names: a partial archive, a restore's staging folder
PARTIAL_SUFFIX = ".partial"
STAGING_PREFIX = ".minefree-restore-"
CHUNK = 1 << 20
#: bookkeeping, not data a restore would lose (page-cache counters, keys of requests)
BOOKKEEPING = {ContentVersion, IdempotencyKey}

#: ``progress(step, done, total)``, as ``core.console.ProgressBar`` draws it
Progress = Callable[[str, int, int], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Entry:
    """A file of the archive: its name in the archive, SHA-256 and size in bytes."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """The archive's table of contents (``manifest.json``), written last: an archive without
    one was cut short."""

    created_at: str
    engine: str
    database: Entry
    migrations: dict[str, list[str]]
    files: list[Entry] = field(default_factory=list)
    minefree_version: str = ""
    git_commit: str | None = None
    format: int = FORMAT

    def to_json(self) -> bytes:
        return (json.dumps(asdict(self), indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data["format"] != FORMAT:
                raise BackupError(
                    f"The archive's manifest is of format {data['format']}; this minefree "
                    f"reads format {FORMAT}."
                )
            return cls(
                created_at=str(data["created_at"]),
                engine=str(data["engine"]),
                database=Entry(**data["database"]),
                migrations={str(k): [str(n) for n in v] for k, v in data["migrations"].items()},
                files=[Entry(**f) for f in data["files"]],
                minefree_version=str(data.get("minefree_version", "")),
                git_commit=data.get("git_commit"),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"The archive's manifest cannot be read: {exc!r}.") from exc


@dataclass(frozen=True)
class Outcome:
    """What a backup wrote or a restore replaced."""

    path: Path
    manifest: Manifest
    #: the archive's size (a backup)
    size: int = 0
    #: migrations of this code that the restored database lacks (run ``minefree migrate``)
    migrations_behind: list[str] = field(default_factory=list)


class ArchiveRecord:
    """What the audit log names for an archive: archives live in files, not in a table."""

    class _meta:  # noqa: N801 (read by the audit as a model's ``_meta``)
        label_lower = "core.backup"

    def __init__(self, name: str) -> None:
        self.pk = name[-64:]
        self.name = name

    def __str__(self) -> str:
        return self.name


# --- what the database is -------------------------------------------------------------------


def engine() -> str:
    """``sqlite`` or ``postgresql``: the two engines minefree backs up."""
    if connection.vendor not in DUMPS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def applied_migrations() -> dict[str, list[str]]:
    """The migrations recorded in the database, per app, in the order they were applied."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    found: dict[str, list[str]] = {}
    for app, name in recorder.migration_qs.order_by("id").values_list("app", "name"):
        found.setdefault(app, []).append(name)
    return found


def _code_migrations() -> set[tuple[str, str]]:
    """Every migration this code ships (read from disk, not from any database)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _data_models() -> list[type[models.Model]]:
    """The models whose rows a restore would replace: minefree's and the user accounts."""
    user = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        model
        for model in apps.get_models()
        if (model.__module__.startswith("minefree.") or model is user)
        and model not in BOOKKEEPING
        and not model._meta.proxy
    ]


def database_contents() -> list[tuple[str, int]]:
    """(what, how many) for every table holding rows, the fullest first; none on an
    empty or never migrated database."""
    tables = set(connection.introspection.table_names())
    counts = [
        (str(model._meta.verbose_name_plural), model._base_manager.count())
        for model in _data_models()
        if model._meta.db_table in tables
    ]
    return sorted(((name, n) for name, n in counts if n), key=lambda item: (-item[1], item[0]))


def media_files() -> list[Path]:
    """Every file under ``MEDIA_ROOT`` (symbolic links and folders left out), sorted."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _versions() -> dict[str, int]:
    if ContentVersion._meta.db_table not in connection.introspection.table_names():
        return {}
    return dict(ContentVersion.objects.values_list("key", "version"))


# --- PostgreSQL's tools ----------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: the one on PATH, else the newest Debian installs."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in path.parent.parent.name.split(".") if p.isdigit())

    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=version)
    if not candidates:
        raise BackupError(
            f"{name} was not found on PATH nor under /usr/lib/postgresql/*/bin: install "
            "PostgreSQL's client programs (Debian: postgresql-client)."
        )
    return str(candidates[-1])


#: ``DATABASES[...]["OPTIONS"]`` that libpq also reads from the environment
_PG_OPTIONS_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def _pg_connection() -> tuple[list[str], dict[str, str]]:
    """The arguments and environment that point PostgreSQL's tools at Django's database;
    the password goes through ``PGPASSWORD``, never on a command line others can read."""
    conf = connection.settings_dict
    args = ["--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if conf.get(key):
            args.append(f"{option}={conf[key]}")
    args.append(f"--dbname={conf['NAME']}")
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    for option, variable in _PG_OPTIONS_ENV.items():
        if conf.get("OPTIONS", {}).get(option):
            env[variable] = str(conf["OPTIONS"][option])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}")


# --- backup ----------------------------------------------------------------------------------


def archive_name(moment: dt.datetime) -> str:
    return f"{NAME_PREFIX}{moment.astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}.tar"


def default_directory() -> Path:
    return Path(settings.DATA_DIR) / "backups"


def _minefree_version() -> str:
    try:
        return metadata.version("minefree")
    except metadata.PackageNotFoundError:
        return ""


def _git_commit() -> str | None:
    """The commit of the code that made the archive, when it runs from a git checkout."""
    base = Path(settings.BASE_DIR)
    git = shutil.which("git")
    if git is None or not (base / ".git").exists():
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(base), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode:
        return None
    return done.stdout.strip() or None


@contextmanager
def _sqlite_source() -> Iterator[sqlite3.Connection]:
    """A connection of its own to the database file, or Django's connection to
    an in-memory database (the test suite's), which must then be outside a transaction:
    SQLite answers "locked" for ever to a backup of a connection that is writing."""
    if not connection.creation.is_in_memory_db(connection.settings_dict["NAME"]):  # type: ignore[attr-defined]
        with closing(sqlite3.connect(connection.settings_dict["NAME"])) as own:
            yield own
        return
    if connection.in_atomic_block:
        raise BackupError("An in-memory SQLite database cannot be backed up inside a transaction.")
    connection.ensure_connection()
    yield cast(sqlite3.Connection, connection.connection)


def _dump_database(kind: str, target: Path) -> None:
    if kind == "sqlite":
        # The copy is one read transaction: consistent while the site writes (WAL).
        with _sqlite_source() as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return
    args, env = _pg_connection()
    _run([pg_tool("pg_dump"), "--format=custom", f"--file={target}", *args], env)


class _Hashing:
    """A file read once into the archive, its SHA-256 and length counted on the way."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.read_bytes += len(data)
        return data


def _add(tar: tarfile.TarFile, name: str, path: Path) -> Entry:
    info = tarfile.TarInfo(name)
    stat = path.stat()
    info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
    with path.open("rb") as raw:
        reader = _Hashing(raw)
        tar.addfile(info, cast(IO[bytes], reader))
    return Entry(name, reader.digest.hexdigest(), reader.read_bytes)


def _target(output: Path | None, name: str) -> Path:
    if output is None:
        directory = default_directory()
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / name
    elif output.is_dir():
        target = output / name
    elif not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    else:
        target = output
    media = Path(settings.MEDIA_ROOT).resolve()
    if target.parent.resolve().is_relative_to(media):
        raise BackupError(f"Write the archive outside MEDIA_ROOT ({media}), which it copies.")
    return target


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_create(
    output: Path | None = None, *, progress: Progress | None = None, actor: Any = SYSTEM
) -> Outcome:
    """Write one archive of the database and every uploaded file (``output``: a file, or a
    folder for the default name; by default ``DATA_DIR/backups/``), and record it."""
    report = progress or (lambda _step, _done, _total: None)
    kind = engine()
    moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
    target = _target(output, archive_name(moment))
    if target.exists():
        raise BackupError(f"{target} already exists.")
    partial = target.with_name(f".{target.name}{PARTIAL_SUFFIX}")
    media_root = Path(settings.MEDIA_ROOT)
    try:
        with tempfile.TemporaryDirectory(prefix=".minefree-dump-", dir=target.parent) as tmp:
            dump = Path(tmp) / DUMPS[kind]
            report("database", 0, 1)
            migrations = applied_migrations()
            _dump_database(kind, dump)
            report("database", 1, 1)
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                database = _add(tar, DUMPS[kind], dump)
                dump.unlink()
                files = media_files()
                entries = []
                for n, path in enumerate(files, 1):
                    name = MEDIA_PREFIX + path.relative_to(media_root).as_posix()
                    entries.append(_add(tar, name, path))
                    report("uploaded files", n, len(files))
                manifest = Manifest(
                    created_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    engine=kind,
                    database=database,
                    migrations=migrations,
                    files=entries,
                    minefree_version=_minefree_version(),
                    git_commit=_git_commit(),
                )
                raw = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(raw), int(moment.timestamp()), 0o644
                tar.addfile(info, io.BytesIO(raw))
        _fsync(partial)
        partial.replace(target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    size = target.stat().st_size
    backup_record(actor=actor, name=target.name, manifest=manifest, size=size)
    return Outcome(path=target, manifest=manifest, size=size)


@service
def backup_record(*, actor: Any, name: str, manifest: Manifest, size: int) -> None:
    """The audit log's line for an archive made (the archive itself is a file)."""
    require(actor, "database.back_up", None, "Only ISU staff back up the database.")
    audit_record(
        actor=actor,
        action="database.backed_up",
        obj=cast(models.Model, ArchiveRecord(name)),
        after={
            "archive": name,
            "size": size,
            "engine": manifest.engine,
            "database_sha256": manifest.database.sha256,
            "files": len(manifest.files),
        },
    )


# --- restore ---------------------------------------------------------------------------------


def manifest_read(path: Path) -> Manifest:
    """The archive's manifest; refused if the file is no minefree archive."""
    try:
        with tarfile.open(path, "r:") as tar:
            member = tar.getmember(MANIFEST)
            raw = tar.extractfile(member)
            if raw is None:
                raise BackupError(f"{MANIFEST} in {path.name} is not a file.")
            return Manifest.from_json(raw.read())
    except FileNotFoundError as exc:
        raise BackupError(f"{path} does not exist.") from exc
    except KeyError as exc:
        raise BackupError(
            f"{path.name} has no {MANIFEST}: it is not a minefree backup, or its writing "
            "was cut short."
        ) from exc
    except tarfile.TarError as exc:
        raise BackupError(f"{path.name} is not a readable archive: {exc}.") from exc


def compatibility_problems(manifest: Manifest) -> list[str]:
    """Why this code cannot take the archive's database: another engine, or migrations
    only a newer minefree has."""
    problems = []
    here = engine()
    if manifest.engine != here:
        problems.append(
            f"The archive holds a {ENGINE_NAMES.get(manifest.engine, manifest.engine)} "
            f"database; this site runs on {ENGINE_NAMES[here]}."
        )
    known = _code_migrations()
    newer = [
        f"{app}.{name}"
        for app, names in sorted(manifest.migrations.items())
        for name in names
        if (app, name) not in known
    ]
    if newer:
        problems.append(
            "The archive was made by a newer minefree: this code does not have the "
            f"migrations {', '.join(newer[:10])}"
            + (f" and {len(newer) - 10} more" if len(newer) > 10 else "")
            + ". Install the code the archive was made with first"
            + (f" (commit {manifest.git_commit})." if manifest.git_commit else ".")
        )
    return problems


def replaced_summary() -> str:
    """What a restore would replace here, or "" when the database and MEDIA_ROOT are empty."""
    contents = database_contents()
    files = media_files()
    if not contents and not files:
        return ""
    parts = [f"{n:,} {name}" for name, n in contents[:8]]
    if len(contents) > 8:
        parts.append(f"{sum(n for _name, n in contents[8:]):,} rows of {len(contents) - 8} more")
    held = (
        f"The database holds {sum(n for _name, n in contents):,} rows ({'; '.join(parts)})"
        if contents
        else "The database is empty"
    )
    return (
        f"{held}, and MEDIA_ROOT ({settings.MEDIA_ROOT}) holds {len(files):,} uploaded "
        f"file{'' if len(files) == 1 else 's'}. "
        "The restore replaces all of them with the archive's."
    )


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def archive_verify(path: Path, staging: Path, *, progress: Progress | None = None) -> Manifest:
    """Unpack the archive into ``staging`` (``database.*`` and ``media/``) and compare every
    file with the manifest; refused, naming the file, at the first difference."""
    report = progress or (lambda _step, _done, _total: None)
    manifest = manifest_read(path)
    expected = {manifest.database.path: manifest.database} | {f.path: f for f in manifest.files}
    if manifest.database.path != DUMPS.get(manifest.engine) or any(
        not f.path.startswith(MEDIA_PREFIX) or not _safe_name(f.path) for f in manifest.files
    ):
        raise BackupError(f"The manifest of {path.name} names files no backup writes.")
    seen: set[str] = set()
    with tarfile.open(path, "r:") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            entry = expected.get(member.name)
            if entry is None or not member.isfile() or member.name in seen:
                raise BackupError(
                    f"{member.name} in {path.name} is not in its manifest: refused, nothing "
                    "was changed."
                )
            seen.add(member.name)
            source = tar.extractfile(member)
            assert source is not None  # a regular file
            target = staging / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            with target.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if digest.hexdigest() != entry.sha256 or size != entry.size:
                raise BackupError(
                    f"{member.name} in {path.name} is corrupted: its SHA-256 is "
                    f"{digest.hexdigest()} ({size:,} bytes), the manifest says {entry.sha256} "
                    f"({entry.size:,} bytes). Refused, nothing was changed."
                )
            report("checked", len(seen), len(expected))
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"{missing[0]} is missing from {path.name}"
            + (f" (and {len(missing) - 1} more files)" if len(missing) > 1 else "")
            + ": refused, nothing was changed."
        )
    return manifest


@contextmanager
def _staging() -> Iterator[Path]:
    """A folder beside MEDIA_ROOT (same disk: the files are moved, not copied, into place)."""
    parent = Path(settings.MEDIA_ROOT).parent
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _restore_database(kind: str, dump: Path) -> None:
    if kind == "sqlite":
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("A restore cannot run inside a transaction.")
        with closing(sqlite3.connect(dump)) as source:
            source.backup(cast(sqlite3.Connection, connection.connection))
        return
    connection.close()  # pg_restore drops the tables: no session of ours may hold them
    args, env = _pg_connection()
    _run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(dump),
        ],
        env,
    )


def _replace_media(staged: Path, aside: Path) -> None:
    """Make MEDIA_ROOT hold exactly the staged files: its entries are moved aside, the
    staged ones moved in, then the old ones removed."""
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    aside.mkdir()
    for entry in list(root.iterdir()):
        shutil.move(entry, aside / entry.name)
    if staged.is_dir():
        for entry in list(staged.iterdir()):
            shutil.move(entry, root / entry.name)
    shutil.rmtree(aside)


def backup_restore(
    path: Path,
    *,
    confirmed: bool,
    operator: str = "",
    progress: Progress | None = None,
    check_only: bool = False,
) -> Outcome:
    """Replace the database and MEDIA_ROOT with the archive's, after every check passed.

    ``confirmed`` must be given when anything is there to replace; ``check_only`` verifies
    the archive (checksums, engine, migrations) and changes nothing."""
    report = progress or (lambda _step, _done, _total: None)
    manifest = manifest_read(path)
    problems = compatibility_problems(manifest)
    if problems:
        raise BackupError(" ".join(problems) + " Refused, nothing was changed.")
    if not check_only and not confirmed:
        replaced = replaced_summary()
        if replaced:
            raise BackupError(f"{replaced} Run again with --yes to replace them.")
    before = _versions()
    with _staging() as staging:
        manifest = archive_verify(path, staging, progress=report)
        if check_only:
            return Outcome(path=path, manifest=manifest)
        report("database", 0, 1)
        _restore_database(manifest.engine, staging / manifest.database.path)
        report("database", 1, 1)
        _replace_media(staging / MEDIA_PREFIX.rstrip("/"), staging / "replaced")
        report("uploaded files", len(manifest.files), len(manifest.files))
    restore_record(
        actor=SYSTEM,
        archive=path.name,
        manifest=manifest,
        versions_before=before,
        operator=operator or _login(),
    )
    cache.clear()  # this process's pages; other workers' are passed by the counters
    applied = {(app, name) for app, names in applied_migrations().items() for name in names}
    behind = sorted(f"{app}.{name}" for app, name in _code_migrations() - applied)
    return Outcome(path=path, manifest=manifest, migrations_behind=behind)


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


@service
def restore_record(
    *,
    actor: Any,
    archive: str,
    manifest: Manifest,
    versions_before: dict[str, int],
    operator: str,
) -> None:
    """After a restore: move every page-cache counter past both its value before the restore
    and the archive's (a page cached under any earlier value is never served again), and
    record the restore in the audit log of the restored database."""
    require(actor, "database.restore", None, "Only ISU staff restore the database.")
    versions_move_past(versions_before)
    audit_record(
        actor=actor,
        action="database.restored",
        obj=cast(models.Model, ArchiveRecord(archive)),
        after={
            "archive": archive,
            "created_at": manifest.created_at,
            "engine": manifest.engine,
            "database_sha256": manifest.database.sha256,
            "files": len(manifest.files),
            "minefree_version": manifest.minefree_version,
            "git_commit": manifest.git_commit,
            "operator": operator,
            "host": socket.gethostname(),
        },
    )
