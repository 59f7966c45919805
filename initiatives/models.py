"""Community initiatives (the 'sociale basis'): who runs what, in which wards, for whom.

Only the shape is here yet; screens and imports come with their own issue.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from monitoring.conditions import Condition
from monitoring.fields import PeriodField


class Initiative(models.Model):
    municipality = models.ForeignKey(
        "monitoring.Region", on_delete=models.CASCADE, related_name="initiatives"
    )
    name = models.CharField("naam", max_length=200)
    organisation = models.CharField("organisatie", max_length=200, blank=True)
    description = models.TextField("beschrijving", blank=True)
    wards = models.ManyToManyField(
        "monitoring.Region", related_name="serving_initiatives", verbose_name="wijken"
    )
    conditions = ArrayField(
        models.CharField(max_length=12, choices=Condition.choices),
        verbose_name="condities",
        default=list,
        blank=True,
    )
    target_groups = models.TextField("doelgroepen", blank=True)
    started = models.DateField("gestart", null=True, blank=True)
    ended = models.DateField("gestopt", null=True, blank=True)

    class Meta:
        verbose_name = "initiatief"
        verbose_name_plural = "initiatieven"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InitiativeReach(models.Model):
    """Quarterly reach: how many people took part, and who was missed."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="reach")
    period = PeriodField("kwartaal")
    participants = models.PositiveIntegerField("deelnemers", null=True, blank=True)
    volunteers = models.PositiveIntegerField("vrijwilligers", null=True, blank=True)
    reached_groups = models.TextField("bereikt", blank=True)
    missed_groups = models.TextField("niet bereikt", blank=True)

    class Meta:
        verbose_name = "bereik"
        verbose_name_plural = "bereik"
        constraints = [
            models.UniqueConstraint(fields=["initiative", "period"], name="reach_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} {self.period}"
