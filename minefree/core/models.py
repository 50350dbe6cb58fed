"""Cross-cutting records: sources of facts, the audit log, cache versions."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    """Where a value comes from; synthetic data never mixes silently with real data."""

    REFERENCE = "reference", _("reference data")
    REPORTED = "reported", _("reported by a state")
    ENTERED = "entered", _("entered by staff")
    SYNTHETIC = "synthetic", _("synthetic demo data")


REFERENCE_PREFIX = "data/reference/"
#: a file of the reference data folder that minefree serves (no sub-folders, no dot files)
REFERENCE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.(md|csv)$")
#: documents the reference data cites by their path in the project's records, with no
#: public copy known: shown as a citation, never as a link that would answer 404
CITED_DOCUMENTS = {
    "seed/committee-statement-5RC-2024.txt": _(
        "Statement of the Committee on the Enhancement of Cooperation and Assistance, "
        "Fifth Review Conference, Siem Reap, 25–29 November 2024"
    ),
}


class Source(models.Model):
    """A document or page a fact was taken from, with the edition where sources revise."""

    url = models.CharField(
        _("address"),
        max_length=1000,
        blank=True,
        help_text=_("One address, or several separated by ' ; ' when a fact rests on several."),
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    edition = models.CharField(_("edition"), max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["url", "title", "edition"], name="source_unique")
        ]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def urls(self) -> list[str]:
        return [u.strip() for u in self.url.split(" ; ") if u.strip()]

    @property
    def links(self) -> list[tuple[str | None, str]]:
        """Each address as (where a reader can open it, label); None where no copy is public.

        Web addresses stay as they are; the reference data's own files (``data/reference/``)
        are served by minefree at ``/sources/reference/<file>``; a document named by its
        path in the project's records (the committee statement) is cited, not linked.
        """
        result: list[tuple[str | None, str]] = []
        for url in self.urls:
            if url.startswith(("http://", "https://")):
                result.append((url, self.title or Source(url=url).label))
            elif url.startswith(REFERENCE_PREFIX) and REFERENCE_FILE.match(
                name := url.removeprefix(REFERENCE_PREFIX)
            ):
                result.append((f"/sources/reference/{name}", self.title or name))
            else:
                result.append((None, str(CITED_DOCUMENTS.get(url, self.title or url))))
        return result

    @property
    def label(self) -> str:
        if self.title:
            return f"{self.title} ({self.edition})" if self.edition else self.title
        first = self.urls[0] if self.urls else ""
        return urlparse(first).netloc.removeprefix("www.") or first


class AuditEvent(models.Model):
    """One change made through a service. Append-only: rows are never edited or deleted."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    state_code = models.CharField(_("state"), max_length=3, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    api_token = models.CharField(
        _("API token"),
        max_length=60,
        blank=True,
        help_text=_("The name of the personal API token the change came through, if any."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")


class ContentVersion(models.Model):
    """A counter bumped whenever data behind cached pages changes.

    Page caches are keyed by these counters, so a change is visible in every
    worker at once (exact invalidation without a shared cache server).
    """

    key = models.CharField(max_length=40, primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.version}"


class Visibility(models.TextChoices):
    """Who may read a record (``accounts.readers.visible``): kept where the real world keeps
    things confidential (offers, pledges, notes of meetings, documents)."""

    PUBLIC = "public", _("public")
    STATES_PARTIES = "states_parties", _("States Parties")
    COMMITTEE = "committee", _("committee")
    PRIVATE = "private", _("private to its owner and ISU staff")


class IdempotencyKey(models.Model):
    """A request that must take effect once: the key its form (or API client) sent with it.

    A form that adds a record carries a fresh random key. Posting it twice (a double
    click, a reload, a retry after a timeout) sends the same key again, and the service
    that claims it refuses the repeat instead of adding a second record.

    An API client sends its key as ``Idempotency-Key``: the row then keeps the request's
    fingerprint and the first answer, which a retry gets again (``api.idempotency``).
    """

    actor_label = models.CharField(_("actor label"), max_length=150)
    key = models.CharField(_("key"), max_length=64)
    action = models.CharField(_("action"), max_length=80)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    fingerprint = models.CharField(
        _("request fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of the API request's method, address and body."),
    )
    status_code = models.PositiveSmallIntegerField(_("answer status"), null=True, blank=True)
    answer = models.JSONField(
        _("answer"),
        null=True,
        blank=True,
        help_text=_("The first answer to the API request: its headers and body."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor_label", "key"], name="idempotency_key_unique")
        ]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.action} {self.key}"


class HookFailure(models.Model):
    """An effect on another app that failed after the change causing it had committed.

    The change itself stands (a submitted report stays submitted); the effect waits here,
    with its error, until ISU staff retry it or a retry succeeds.
    """

    event = models.CharField(_("event"), max_length=80)
    handler = models.CharField(_("handler"), max_length=120)
    payload = models.JSONField(_("payload"))
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    error = models.TextField(_("error"))
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    failed_at = models.DateTimeField(_("first failed"), auto_now_add=True)
    last_failed_at = models.DateTimeField(_("last failed"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = _("failed follow-up")
        verbose_name_plural = _("failed follow-ups")

    def __str__(self) -> str:
        return f"{self.handler} after {self.event}"


class JobWorker(models.Model):
    """A running ``minefree db_worker`` process and its last heartbeat (``core.jobs``).

    The tasks package records which worker claimed a job but not whether that worker still
    lives; a job whose worker stopped beating for longer than the lease was abandoned (the
    process was killed, its machine lost) and is handed to another worker.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        ordering = ["-seen_at"]
        verbose_name = _("background worker")
        verbose_name_plural = _("background workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}, pid {self.pid})"
