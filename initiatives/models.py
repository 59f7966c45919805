"""Initiatives of the sociale basis: who runs what, in which wards, for whom, and whom it misses.

Writes go through ``initiatives.services``; reads through ``initiatives.selectors``. Nothing
here decides anything: the gap rule and "active on a date" are pure functions in
``initiatives.gaps``.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from initiatives.choices import Funding, Kind, PartnerKind, Status, TargetGroup
from monitoring.conditions import Condition
from monitoring.fields import PeriodField


def _choice_array(choices, verbose_name: str, max_length: int = 20) -> ArrayField:
    return ArrayField(
        models.CharField(max_length=max_length, choices=choices),
        verbose_name=verbose_name,
        default=list,
        blank=True,
    )


class InitiativeQuerySet(models.QuerySet):
    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)


class Initiative(models.Model):
    municipality = models.ForeignKey(
        "monitoring.Region",
        on_delete=models.CASCADE,
        related_name="initiatives",
        limit_choices_to={"level": "gemeente"},
        verbose_name="gemeente",
    )
    name = models.CharField("naam", max_length=200)
    description = models.TextField("beschrijving", blank=True)
    kind = models.CharField("soort", max_length=24, choices=Kind.choices, default=Kind.ACTIVITEIT)
    wards = models.ManyToManyField(
        "monitoring.Region", related_name="serving_initiatives", verbose_name="wijken"
    )
    conditions = _choice_array(Condition.choices, "condities", max_length=12)
    target_groups = _choice_array(TargetGroup.choices, "doelgroepen")
    partner_kinds = _choice_array(PartnerKind.choices, "partners (soort)")
    start_date = models.DateField("start", null=True, blank=True)
    end_date = models.DateField("einde", null=True, blank=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.IDEE)
    funding = models.CharField(
        "financiering", max_length=12, choices=Funding.choices, default=Funding.GEEN
    )
    funding_until = models.DateField(
        "tijdelijke financiering tot", null=True, blank=True, help_text="Alleen bij tijdelijk."
    )
    funder = models.CharField("financier", max_length=200, blank=True)
    # Contact is an organisation, never a private person (privacy by design): a general
    # address and number of the organisation that runs or hosts the initiative.
    contact_organisation = models.CharField(
        "contactorganisatie",
        max_length=200,
        blank=True,
        help_text="Een organisatie, nooit een privépersoon.",
    )
    contact_email = models.EmailField("algemeen e-mailadres", blank=True)
    contact_phone = models.CharField("algemeen telefoonnummer", max_length=30, blank=True)
    website = models.URLField("website", blank=True)
    # A point on the municipality's own map (WGS84), optional.
    latitude = models.FloatField("breedtegraad", null=True, blank=True)
    longitude = models.FloatField("lengtegraad", null=True, blank=True)
    is_example = models.BooleanField(
        "voorbeeldgegevens", default=False, help_text="Verzonnen voorbeeld uit de demo."
    )
    created_at = models.DateTimeField("aangemaakt", auto_now_add=True)
    updated_at = models.DateTimeField("gewijzigd", auto_now=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = "initiatief"
        verbose_name_plural = "initiatieven"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="initiative_unique_name_per_municipality"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="initiative_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(funding=Funding.TIJDELIJK, funding_until__isnull=False)
                | (~Q(funding=Funding.TIJDELIJK) & Q(funding_until__isnull=True)),
                name="initiative_temporary_funding_has_end",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="initiative_location_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InitiativeReach(models.Model):
    """Quarterly reach: how many took part, who was reached, and who was not (yet)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="reach")
    period = PeriodField("kwartaal")
    participants = models.PositiveIntegerField("deelnemers", null=True, blank=True)
    volunteers = models.PositiveIntegerField("vrijwilligers", null=True, blank=True)
    reached_groups = _choice_array(TargetGroup.choices, "bereikte doelgroepen")
    missed_groups = _choice_array(TargetGroup.choices, "wie bereiken we (nog) niet")
    missed_note = models.CharField(
        "toelichting: wie bereiken we (nog) niet", max_length=500, blank=True
    )

    class Meta:
        verbose_name = "bereik"
        verbose_name_plural = "bereik"
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "period"], name="reach_unique_period"),
            models.CheckConstraint(
                condition=Q(period__regex=r"^\d{4}-K[1-4]$"), name="reach_period_is_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} {self.period}"
