"""Quarterly observations by social workers, per ward: ratings, signals, narratives, workflow.

Writes go only through ``observations.services``. Every write is kept by database triggers
(django-pghistory), twice:

- in the site's audit trail (``audit.history.track_history``: strictly append-only, shown on the
  beheerder's trail page), without the narratives, so that free text never sits in a log;
- in the observation's own history (``ObservationEvent``, with the narratives: the list of
  changes on the observation's page). It refuses UPDATE and DELETE too, except for the one
  purpose that must change it: after the retention period ``services.narratives_expire``
  blanks the narratives in it (``pgtrigger.ignore`` of its trigger, nowhere else).

The workflow is a separate, strictly append-only table of transitions. Refused input never
reaches the database, so it is in no history either.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from audit.history import track_history
from audit.triggers import AppendOnly
from monitoring.conditions import CONDITIONS
from monitoring.fields import PeriodField
from observations.practice import Direction, Rating
from observations.workflow import Status

CONDITION_CODES: tuple[str, ...] = tuple(info.condition.value for info in CONDITIONS)
NARRATIVE_MAX_LENGTH = 2000


class Source(models.TextChoices):
    HOME_VISITS = "huisbezoeken", "Huisbezoeken"
    OFFICE_HOURS = "spreekuur", "Spreekuur"
    NEIGHBOURHOOD_ACTIVITY = "buurtactiviteit", "Buurtactiviteit"
    PARTNERS = "partners", "Signalen van partners"


class Frequency(models.IntegerChoices):
    ONCE = 1, "een enkele keer"
    SEVERAL = 2, "een paar keer"
    OFTEN = 3, "vaak"


def rating_field(condition: str) -> str:
    return f"{condition}_rating"


def direction_field(condition: str) -> str:
    return f"{condition}_direction"


def narrative_field(condition: str) -> str:
    return f"{condition}_narrative"


NARRATIVE_FIELDS: tuple[str, ...] = tuple(narrative_field(c) for c in CONDITION_CODES)
RATING_FIELDS: tuple[str, ...] = tuple(rating_field(c) for c in CONDITION_CODES)


class SignalKindQuerySet(models.QuerySet):
    def for_municipality(self, municipality_id: int):
        """The standard list (no municipality) and the municipality's own kinds."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality_id=municipality_id))


class SignalKind(models.Model):
    """What social workers can signal in a ward. Beheerders keep the list; a kind that is no
    longer used is switched off, not deleted, so earlier observations keep their meaning."""

    municipality = models.ForeignKey(
        "monitoring.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signal_kinds",
        limit_choices_to={"level": "gemeente"},
        verbose_name="gemeente",
        help_text="Leeg: staat op de standaardlijst van elke gemeente.",
    )
    name = models.CharField("naam", max_length=80)
    description = models.CharField("uitleg", max_length=200, blank=True)
    is_active = models.BooleanField("in gebruik", default=True)
    sort_order = models.PositiveSmallIntegerField("volgorde", default=0)

    objects = SignalKindQuerySet.as_manager()

    class Meta:
        verbose_name = "soort signaal"
        verbose_name_plural = "soorten signalen"
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                nulls_distinct=False,
                name="signal_kind_unique_name",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ObservationQuerySet(models.QuerySet):
    def in_municipality(self, municipality_id: int):
        return self.filter(municipality_id=municipality_id)


HISTORY_INSERT, HISTORY_UPDATE = "versie_insert", "versie_update"
VERSIONS_TRIGGER = "keep_versions"


@track_history(
    kind="observatie",
    label="Observaties",
    municipality="municipality",
    title="period",
    exclude=list(NARRATIVE_FIELDS),  # free text stays out of the audit trail
    model_name="ObservationAuditEvent",
    verbose_name="observatie",
)
@pghistory.track(
    pghistory.InsertEvent(HISTORY_INSERT),
    pghistory.UpdateEvent(HISTORY_UPDATE),
    model_name="ObservationEvent",
    obj_field=pghistory.ObjForeignKey(related_name="versions", on_delete=models.DO_NOTHING),
    # Append-only, with pgtrigger's per-session switch kept for the retention job alone.
    meta={
        "triggers": [
            pgtrigger.Protect(name=VERSIONS_TRIGGER, operation=pgtrigger.Update | pgtrigger.Delete)
        ]
    },
)
class Observation(models.Model):
    """One social worker's view of one ward in one quarter."""

    ward = models.ForeignKey(
        "monitoring.Region",
        on_delete=models.PROTECT,
        related_name="observations",
        limit_choices_to={"level": "wijk"},
        verbose_name="wijk",
    )
    # The ward's municipality, kept on the row so that every list is scoped in one filter.
    municipality = models.ForeignKey(
        "monitoring.Region", on_delete=models.PROTECT, related_name="+", verbose_name="gemeente"
    )
    period = PeriodField("kwartaal")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name="sociaal werker",
    )
    status = models.CharField(
        "status", max_length=13, choices=Status.choices, default=Status.CONCEPT
    )
    # Optimistic locking: every write is `UPDATE … WHERE version = <the version the form had>`.
    version = models.PositiveIntegerField("versie", default=1)
    residents_reached = models.PositiveIntegerField("bereikte bewoners", null=True, blank=True)
    sources = ArrayField(
        models.CharField(max_length=20, choices=Source.choices),
        verbose_name="bronnen",
        default=list,
        blank=True,
    )
    # Per condition: a rating (or "geen zicht"), the direction since last quarter, a narrative.
    zekerheid_rating = models.SmallIntegerField(
        "oordeel sociaaleconomische zekerheid", choices=Rating.choices, null=True, blank=True
    )
    zekerheid_direction = models.CharField(
        "richting sociaaleconomische zekerheid",
        max_length=12,
        choices=Direction.choices,
        blank=True,
    )
    zekerheid_narrative = models.TextField(
        "toelichting sociaaleconomische zekerheid", max_length=NARRATIVE_MAX_LENGTH, blank=True
    )
    inclusie_rating = models.SmallIntegerField(
        "oordeel sociale inclusie", choices=Rating.choices, null=True, blank=True
    )
    inclusie_direction = models.CharField(
        "richting sociale inclusie", max_length=12, choices=Direction.choices, blank=True
    )
    inclusie_narrative = models.TextField(
        "toelichting sociale inclusie", max_length=NARRATIVE_MAX_LENGTH, blank=True
    )
    cohesie_rating = models.SmallIntegerField(
        "oordeel sociale cohesie", choices=Rating.choices, null=True, blank=True
    )
    cohesie_direction = models.CharField(
        "richting sociale cohesie", max_length=12, choices=Direction.choices, blank=True
    )
    cohesie_narrative = models.TextField(
        "toelichting sociale cohesie", max_length=NARRATIVE_MAX_LENGTH, blank=True
    )
    empowerment_rating = models.SmallIntegerField(
        "oordeel sociale empowerment", choices=Rating.choices, null=True, blank=True
    )
    empowerment_direction = models.CharField(
        "richting sociale empowerment", max_length=12, choices=Direction.choices, blank=True
    )
    empowerment_narrative = models.TextField(
        "toelichting sociale empowerment", max_length=NARRATIVE_MAX_LENGTH, blank=True
    )
    is_example = models.BooleanField(
        "voorbeeldgegevens",
        default=False,
        help_text="Voorbeeld uit de demo, geen echte waarneming.",
    )
    created_at = models.DateTimeField("aangemaakt", auto_now_add=True)
    updated_at = models.DateTimeField("gewijzigd")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="laatst gewijzigd door",
    )
    narratives_removed_at = models.DateTimeField(
        "toelichtingen verwijderd", null=True, blank=True, help_text="Na de bewaartermijn."
    )

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = "observatie"
        verbose_name_plural = "observaties"
        ordering = ["-period", "ward__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "period", "author"], name="observation_one_per_author"
            ),
            models.CheckConstraint(
                condition=Q(period__regex=r"^\d{4}-K[1-4]$"), name="observation_period_is_quarter"
            ),
        ]
        indexes = [
            models.Index(fields=["ward", "period"], name="observation_ward_period"),
            models.Index(fields=["municipality", "period"], name="observation_municipality"),
        ]

    def __str__(self) -> str:
        return f"Observatie {self.ward_id} {self.period} ({self.get_status_display()})"

    def rating(self, condition: str) -> int | None:
        return getattr(self, rating_field(condition))

    def narrative(self, condition: str) -> str:
        return getattr(self, narrative_field(condition))

    def source_labels(self) -> list[str]:
        labels = dict(Source.choices)
        return [labels.get(source, source) for source in self.sources]


@track_history(
    kind="observatie",
    label="Observaties",
    municipality="observation__municipality",
    title="kind_id",
    model_name="ObservationSignalEvent",
    verbose_name="signaal bij een observatie",
)
class ObservationSignal(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="signals")
    kind = models.ForeignKey(SignalKind, on_delete=models.PROTECT, related_name="+")
    frequency = models.SmallIntegerField("hoe vaak", choices=Frequency.choices)

    class Meta:
        verbose_name = "signaal"
        verbose_name_plural = "signalen"
        constraints = [
            models.UniqueConstraint(fields=["observation", "kind"], name="signal_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind_id}: {self.get_frequency_display()}"


class ObservationTransition(models.Model):
    """One step in the workflow: who, when, from, to, and the note (a reason when returned).
    Append-only: the database refuses UPDATE and DELETE."""

    # Like the audit trail's tables: no database constraint, so that a row outlives what it
    # points at (the demo's example observations and accounts can be removed; this row stays).
    observation = models.ForeignKey(
        Observation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="transitions"
    )
    from_status = models.CharField("van", max_length=13, choices=Status.choices, blank=True)
    to_status = models.CharField("naar", max_length=13, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="door",
    )
    created_at = models.DateTimeField("wanneer", auto_now_add=True)
    note = models.TextField("toelichting", blank=True, max_length=1000)

    class Meta:
        verbose_name = "statuswijziging"
        verbose_name_plural = "statuswijzigingen"
        ordering = ["created_at", "pk"]
        triggers = [AppendOnly(name="keep_transitions")]

    def __str__(self) -> str:
        return f"{self.from_status or '–'} → {self.to_status}"


# The observation's own history (with narratives); the audit trail's is ObservationAuditEvent.
ObservationEvent: type[models.Model] = Observation.pgh_event_models[HISTORY_UPDATE]
