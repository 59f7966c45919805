"""Who may see what: per municipality, whether it is published and how strict its login is.

Roles themselves are `monitoring.Membership` (user × municipality × role, with assigned wards).
"""

from __future__ import annotations

from django.db import models


class MunicipalityAccess(models.Model):
    """Access settings a beheerder keeps for their municipality. No row means the defaults:
    not published, second factor optional."""

    municipality = models.OneToOneField(
        "monitoring.Region",
        on_delete=models.CASCADE,
        related_name="access",
        limit_choices_to={"level": "gemeente"},
        verbose_name="gemeente",
    )
    is_published = models.BooleanField(
        "openbaar",
        default=False,
        help_text="Statistieken en scores zijn zonder inloggen te zien (nooit observaties, "
        "toelichtingen of contactgegevens van initiatieven).",
    )
    require_mfa_for_admins = models.BooleanField(
        "tweede factor verplicht voor beheerders", default=False
    )

    class Meta:
        verbose_name = "toegang per gemeente"
        verbose_name_plural = "toegang per gemeente"

    def __str__(self) -> str:
        return f"Toegang {self.municipality_id}"
