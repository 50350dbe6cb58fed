"""Memberships give rights: a user holds a role for a state, an organisation or a
committee during a period. Ending a membership keeps it as history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minefree.registry.models import Actor, Committee


class Role(models.TextChoices):
    STATE_FOCAL_POINT = "state_focal_point", _("state focal point")
    STATE_DELEGATE = "state_delegate", _("delegate of a state focal point")
    DONOR_FOCAL_POINT = "donor_focal_point", _("donor focal point")
    COMMITTEE_MEMBER = "committee_member", _("committee member")
    ISU_STAFF = "isu_staff", _("ISU staff")
    ADMINISTRATOR = "administrator", _("administrator")


#: Roles held for one state or organisation (``actor`` required).
ACTOR_ROLES = {Role.STATE_FOCAL_POINT, Role.STATE_DELEGATE, Role.DONOR_FOCAL_POINT}
#: Roles held for a committee (``committee`` required).
COMMITTEE_ROLES = {Role.COMMITTEE_MEMBER}
#: Roles with system-wide scope.
GLOBAL_ROLES = {Role.ISU_STAFF, Role.ADMINISTRATOR}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    actor = models.ForeignKey(
        Actor,
        verbose_name=_("state or organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    delegated_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegations",
        help_text=_("The focal point membership this delegation derives from."),
    )
    succeeded = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
        help_text=_("The membership this one took over at a hand-over."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        scope = self.actor or self.committee or _("all")
        return f"{self.user} · {self.get_role_display()} · {scope}"

    def is_active(self, on: dt.date | None = None) -> bool:
        day = on or dt.date.today()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class ApiToken(models.Model):
    """A personal API token: it acts with its user's memberships at the time of each call.

    Only a SHA-256 digest of the secret is stored (the secret has 256 random bits, so a slow
    hash adds nothing); ``prefix`` finds the row without revealing the secret.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    read_only = models.BooleanField(_("read only"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(
        _("last used"), null=True, blank=True, help_text=_("To the hour.")
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_token_name_per_user",
            )
        ]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"
