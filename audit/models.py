"""The audit trail: security events (logins and the like) and the row history of what
beheerders and social workers change.

Both are append-only in the database (`audit.triggers.AppendOnly`): UPDATE and DELETE are
refused for everyone, the app, the admin and plain SQL alike.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from access.models import MunicipalityAccess
from audit.history import ViaHistory, track_history
from audit.triggers import AppendOnly
from initiatives.models import Initiative, InitiativeReach
from monitoring.models import ImportBatch, Indicator, Membership, ScoringSettings


class AuditEvent(models.Model):
    """A security event, with the fields BIO 8.15.01 asks for: who (actor), what (action and
    object), when, from where (address, browser) and with what result. Never a password."""

    class Action(models.TextChoices):
        LOGIN = "login", "ingelogd"
        LOGIN_FAILED = "login_failed", "inloggen mislukt"
        LOGIN_LOCKED = "login_locked", "inloggen geweigerd: te veel pogingen"
        LOGOUT = "logout", "uitgelogd"
        PASSWORD_CHANGED = "password_changed", "wachtwoord gewijzigd"
        PASSWORD_RESET = "password_reset", "wachtwoord opnieuw ingesteld"
        MFA_ADDED = "mfa_added", "tweede factor ingesteld"
        MFA_REMOVED = "mfa_removed", "tweede factor verwijderd"
        MFA_RESET = "mfa_reset", "herstelcodes vernieuwd"
        MFA_FAILED = "mfa_failed", "tweede factor onjuist"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "gelukt"
        FAILURE = "failure", "mislukt"

    occurred_at = models.DateTimeField("wanneer", default=timezone.now, db_index=True)
    action = models.CharField("wat", max_length=20, choices=Action.choices)
    outcome = models.CharField("resultaat", max_length=10, choices=Outcome.choices)
    # No database constraint and no cascade: the entry outlives the account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="account",
        help_text="Wie het deed, of bij mislukt inloggen: het account dat werd geprobeerd.",
    )
    username = models.CharField(
        "gebruikersnaam", max_length=150, blank=True, help_text="Zoals ingevoerd of bekend."
    )
    ip_address = models.GenericIPAddressField("adres", null=True, blank=True)
    user_agent = models.CharField("browser", max_length=300, blank=True)
    path = models.CharField("pagina", max_length=300, blank=True)
    detail = models.JSONField("bijzonderheden", default=dict, blank=True)

    class Meta:
        verbose_name = "beveiligingsgebeurtenis"
        verbose_name_plural = "beveiligingsgebeurtenissen"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["actor", "occurred_at"], name="auditevent_actor_time")]
        triggers = [AppendOnly()]

    def __str__(self) -> str:
        return f"{self.occurred_at:%d-%m-%Y %H:%M} {self.get_action_display()} {self.username}"


# --- Row history of other apps' models, through proxies so that migrations stay here ------

IMPORT_FIELDS = [
    "id",
    "file_name",
    "sha256",
    "period",
    "municipality",
    "user",
    "status",
    "values_new",
    "values_changed",
    "values_unchanged",
    "cells_rejected",
    "regions_created",
    "skip_rejected",
    "rolled_back_at",
    "rolled_back_by",
]


@track_history(
    kind="import",
    label="Imports en terugdraaien",
    municipality="municipality",
    title="file_name",
    # Progress fields change every second while a file is read: only the outcome counts.
    fields=IMPORT_FIELDS,
    verbose_name="import",
    # Imports and rollbacks run in the worker: the batch says who asked.
    actor_fields=("rolled_back_by", "user"),
)
class TrackedImportBatch(ImportBatch):
    class Meta:
        proxy = True


@track_history(
    kind="indicator",
    label="Indicatoren en gewichten",
    municipality=None,
    title="code",
    verbose_name="indicator",
)
class TrackedIndicator(Indicator):
    class Meta:
        proxy = True


@track_history(
    kind="score",
    label="Score-instellingen",
    municipality="municipality",
    verbose_name="score-instelling",
)
class TrackedScoringSettings(ScoringSettings):
    class Meta:
        proxy = True


@track_history(
    kind="rol",
    label="Rollen",
    municipality="municipality",
    title="user_id",
    verbose_name="rol",
)
class TrackedMembership(Membership):
    class Meta:
        proxy = True


@track_history(
    kind="rol",
    label="Rollen",
    municipality=ViaHistory("membership", "audit.MembershipEvent"),
    title="membership_id",
    model_name="MembershipWardsEvent",
    verbose_name="wijken van een rol",
    through=True,
)
class TrackedMembershipWards(Membership.wards.through):
    class Meta:
        proxy = True


@track_history(
    kind="gebruiker",
    label="Gebruikers",
    # Everyone who ever had a role in the municipality.
    municipality=ViaHistory("pgh_obj", "audit.MembershipEvent", value="user"),
    title="username",
    # Never the password (hash); logins are security events of their own.
    fields=[
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
    ],
    verbose_name="gebruiker",
)
class TrackedUser(User):
    class Meta:
        proxy = True


@track_history(
    kind="toegang",
    label="Toegang (openbaar, tweede factor)",
    municipality="municipality",
    verbose_name="toegang per gemeente",
)
class TrackedMunicipalityAccess(MunicipalityAccess):
    class Meta:
        proxy = True


@track_history(
    kind="initiatief",
    label="Initiatieven en bereik",
    municipality="municipality",
    title="name",
    # Its own "last changed" stamp would show up as a change in every entry.
    exclude=["updated_at"],
    verbose_name="initiatief",
)
class TrackedInitiative(Initiative):
    class Meta:
        proxy = True


@track_history(
    kind="initiatief",
    label="Initiatieven en bereik",
    municipality=ViaHistory("initiative", "audit.InitiativeEvent"),
    title="initiative_id",
    model_name="InitiativeWardsEvent",
    verbose_name="wijken van een initiatief",
    through=True,
)
class TrackedInitiativeWards(Initiative.wards.through):
    class Meta:
        proxy = True


@track_history(
    kind="initiatief",
    label="Initiatieven en bereik",
    municipality=ViaHistory("initiative", "audit.InitiativeEvent"),
    title="period",
    verbose_name="bereik",
)
class TrackedInitiativeReach(InitiativeReach):
    class Meta:
        proxy = True
