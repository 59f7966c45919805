"""Forms of a municipality's beheer screens (Dutch labels, server-side checks)."""

from __future__ import annotations

from django import forms

from monitoring.models import Level, Region, Role
from socialquality.forms import Checkboxes


class MunicipalitySettingsForm(forms.Form):
    is_published = forms.BooleanField(
        label="Openbaar: statistieken en scores zonder inloggen te zien",
        required=False,
        help_text="Nooit observaties, toelichtingen of contactgegevens van initiatieven; cijfers "
        "van gebieden met weinig inwoners worden niet getoond.",
    )
    require_mfa_for_admins = forms.BooleanField(
        label="Tweede factor (TOTP) verplicht voor beheerders van deze gemeente", required=False
    )
    base_period = forms.ChoiceField(
        label="Basisjaar van de index",
        required=False,
        help_text="Het jaar waarin 100 het gemiddelde is. Een ander basisjaar berekent alle "
        "scores van de gemeente opnieuw.",
    )

    def __init__(self, *args, periods: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base_period"].choices = [
            ("", "Automatisch: het eerste jaar met genoeg gegevens"),
            *((p, p) for p in periods),
        ]


def _ward_choices(municipality: Region):
    return Region.objects.filter(
        municipality=municipality, level=Level.WIJK, last_year__isnull=True
    ).order_by("code")


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label="Rol", choices=Role.choices)
    wards = forms.ModelMultipleChoiceField(
        label="Wijken (voor sociaal werkers)",
        queryset=Region.objects.none(),
        required=False,
        widget=Checkboxes(empty_text="Deze gemeente heeft nog geen wijken."),
        help_text="Sociaal werkers leggen observaties vast voor deze wijken.",
    )
    is_coordinator = forms.BooleanField(
        label="Buurtcoördinator: mag observaties accepteren of terugsturen", required=False
    )

    def __init__(self, *args, municipality: Region, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wards"].queryset = _ward_choices(municipality)

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.SOCIAL_WORKER and not data.get("wards"):
            self.add_error("wards", "Kies ten minste één wijk voor een sociaal werker.")
        return data


class NewMemberForm(MembershipForm):
    username = forms.RegexField(
        label="Gebruikersnaam",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": "Alleen letters, cijfers en . @ + - _ (geen spaties)."},
    )
    first_name = forms.CharField(label="Voornaam", max_length=150)
    last_name = forms.CharField(label="Achternaam", max_length=150)
    email = forms.EmailField(
        label="E-mailadres",
        help_text="Hiermee kiest de gebruiker zelf een wachtwoord (“wachtwoord vergeten” op de "
        "inlogpagina).",
    )
    field_order = ["username", "first_name", "last_name", "email", "role", "wards"]


class RegionNameForm(forms.Form):
    name = forms.CharField(
        label="Naam",
        max_length=200,
        help_text="Zoals inwoners het gebied kennen. Een nieuwe CBS-import kan de naam weer "
        "die van het CBS maken.",
    )
