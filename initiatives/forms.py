"""Forms of the initiative pages: the list's filters (in the URL), entry, reach, import."""

from __future__ import annotations

import re
from datetime import date

from django import forms

from initiatives.choices import Funding, Kind, PartnerKind, Status, TargetGroup
from initiatives.gaps import DEFAULT_THRESHOLD
from initiatives.rules import Area, InitiativeRecord, record_problems
from initiatives.selectors import ListFilters
from initiatives.tabular import ReachRecord
from monitoring.conditions import Condition
from monitoring.forms import METHOD_CHOICES
from monitoring.periods import InvalidPeriod, Period

MAX_IMPORT_MB = 5
ENDING_SOON = "loopt-af"
_WARD_CODE = re.compile(r"^WK\d{6,8}$", re.I)


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "alle"), *choices]


class ListFilterForm(forms.Form):
    """``?q=…&wijk=…&conditie=…&soort=…&doelgroep=…&status=…&financiering=loopt-af``."""

    q = forms.CharField(required=False, max_length=100, label="Zoeken")
    wijk = forms.RegexField(required=False, regex=_WARD_CODE, max_length=12, label="Wijk")
    conditie = forms.ChoiceField(
        required=False, choices=_blank(Condition.choices), label="Conditie"
    )
    soort = forms.ChoiceField(required=False, choices=_blank(Kind.choices), label="Soort")
    doelgroep = forms.ChoiceField(
        required=False, choices=_blank(TargetGroup.choices), label="Doelgroep"
    )
    status = forms.ChoiceField(required=False, choices=_blank(Status.choices), label="Status")
    financiering = forms.ChoiceField(
        required=False,
        choices=[("", "alle"), (ENDING_SOON, "tijdelijk, loopt binnen zes maanden af")],
        label="Financiering",
    )

    def filters(self, *, private: bool) -> tuple[ListFilters, list[str]]:
        """The valid filters, and a Dutch word for each value that was ignored. Without
        ``private``, only what the public may filter on (never target groups or funding)."""
        self.is_valid()
        data = {n: ("" if n in self.errors else self.cleaned_data.get(n, "")) for n in self.fields}
        ignored = [f"{name}: {' '.join(e)}" for name, e in self.errors.items()]
        return (
            ListFilters(
                query=(data["q"] or "").strip(),
                ward=(data["wijk"] or "").upper(),
                condition=data["conditie"] or "",
                kind=data["soort"] or "",
                target_group=(data["doelgroep"] or "") if private else "",
                status=(data["status"] or "") if private else "",
                funding_ending=private and data["financiering"] == ENDING_SOON,
                search_private_fields=private,
            ),
            ignored,
        )


class SocialBaseForm(forms.Form):
    periode = forms.CharField(required=False, max_length=10)
    methode = forms.ChoiceField(required=False, choices=METHOD_CHOICES)
    drempel = forms.FloatField(required=False, min_value=0, max_value=200)
    format = forms.ChoiceField(required=False, choices=[("csv", "CSV"), ("xlsx", "Excel")])
    tabel = forms.SlugField(required=False, max_length=40)

    def params(self) -> dict:
        self.is_valid()
        data = {n: (None if n in self.errors else self.cleaned_data.get(n)) for n in self.fields}
        period = data["periode"] or None
        if period:
            try:
                period = str(Period.parse(period))
            except InvalidPeriod:
                period = None
        return {
            "period": period,
            "method": data["methode"] or METHOD_CHOICES[0][0],
            "threshold": DEFAULT_THRESHOLD if data["drempel"] is None else data["drempel"],
            "format": data["format"] or "",
            "table": data["tabel"] or "",
            "ignored": [f"{name}: {' '.join(e)}" for name, e in self.errors.items()],
        }


def _checkboxes(choices, label: str, required: bool = False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, required=required, label=label, widget=forms.CheckboxSelectMultiple
    )


class CoordinateField(forms.CharField):
    """A decimal degree; a comma or a dot as decimal sign."""

    def to_python(self, value):
        text = (super().to_python(value) or "").strip().replace(",", ".")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise forms.ValidationError("Vul een getal in, zoals 52,0799.") from None


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InitiativeForm(forms.Form):
    name = forms.CharField(label="Naam", max_length=200)
    kind = forms.ChoiceField(label="Soort", choices=Kind.choices)
    description = forms.CharField(
        label="Beschrijving", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    ward_codes = _checkboxes([], "Wijken die het initiatief bedient", required=True)
    conditions = _checkboxes(Condition.choices, "Condities waaraan het werkt")
    target_groups = _checkboxes(TargetGroup.choices, "Doelgroepen")
    partner_kinds = _checkboxes(PartnerKind.choices, "Partners (soort)")
    start_date = forms.DateField(label="Start", required=False, widget=_DATE)
    end_date = forms.DateField(label="Einde", required=False, widget=_DATE)
    status = forms.ChoiceField(label="Status", choices=Status.choices, initial=Status.ACTIEF)
    funding = forms.ChoiceField(
        label="Financiering", choices=Funding.choices, widget=forms.RadioSelect
    )
    funding_until = forms.DateField(
        label="Tijdelijke financiering tot", required=False, widget=_DATE
    )
    funder = forms.CharField(label="Financier", required=False, max_length=200)
    contact_organisation = forms.CharField(
        label="Contactorganisatie",
        required=False,
        max_length=200,
        help_text="Een organisatie, nooit een privépersoon.",
    )
    contact_email = forms.CharField(
        label="Algemeen e-mailadres van de organisatie", required=False, max_length=254
    )
    contact_phone = forms.CharField(
        label="Algemeen telefoonnummer van de organisatie", required=False, max_length=30
    )
    website = forms.CharField(label="Website", required=False, max_length=200)
    latitude = CoordinateField(
        label="Breedtegraad", required=False, help_text="Bijv. 52,0799 (optioneel)."
    )
    longitude = CoordinateField(
        label="Lengtegraad", required=False, help_text="Bijv. 4,3113 (optioneel)."
    )

    def __init__(self, *args, ward_choices: list[tuple[str, str]], area_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward_codes"].choices = [
            (code, f"{name} ({code})") for code, name in ward_choices
        ]
        self._known_codes = {code for code, _ in ward_choices}
        self._area_of = area_of  # called only when a point is given (it reads outlines)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        record = self.record()
        area = self._area_of() if record.latitude is not None else Area()
        for name, messages in record_problems(
            record, known_ward_codes=self._known_codes, area=area
        ).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return data

    def record(self, *, is_example: bool = False) -> InitiativeRecord:
        d = self.cleaned_data
        return InitiativeRecord(
            name=d["name"],
            kind=d["kind"],
            description=d.get("description", ""),
            ward_codes=list(d.get("ward_codes", [])),
            conditions=list(d.get("conditions", [])),
            target_groups=list(d.get("target_groups", [])),
            partner_kinds=list(d.get("partner_kinds", [])),
            start_date=d.get("start_date"),
            end_date=d.get("end_date"),
            status=d["status"],
            funding=d["funding"],
            funding_until=d.get("funding_until"),
            funder=d.get("funder", ""),
            contact_organisation=d.get("contact_organisation", ""),
            contact_email=d.get("contact_email", ""),
            contact_phone=d.get("contact_phone", ""),
            website=d.get("website", ""),
            latitude=d.get("latitude"),
            longitude=d.get("longitude"),
            is_example=is_example,
        ).normalised()

    @staticmethod
    def initial_of(record: InitiativeRecord) -> dict:
        return {name: getattr(record, name) for name in InitiativeForm.base_fields}


class ReachForm(forms.Form):
    kwartaal = forms.CharField(label="Kwartaal", max_length=10, help_text="Bijv. 2025-K2.")
    deelnemers = forms.IntegerField(label="Deelnemers", required=False, min_value=0)
    vrijwilligers = forms.IntegerField(label="Vrijwilligers", required=False, min_value=0)
    bereikt = _checkboxes(TargetGroup.choices, "Bereikte doelgroepen")
    niet_bereikt = _checkboxes(TargetGroup.choices, "Wie bereiken we (nog) niet")
    toelichting = forms.CharField(
        label="Toelichting: wie bereiken we (nog) niet, en waarom",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_kwartaal(self):
        try:
            period = Period.parse(self.cleaned_data["kwartaal"])
        except InvalidPeriod as error:
            raise forms.ValidationError(str(error)) from None
        if not period.is_quarter:
            raise forms.ValidationError("Vul een kwartaal in, zoals 2025-K2 (niet een heel jaar).")
        return str(period)

    def record(self, initiative_name: str) -> ReachRecord:
        d = self.cleaned_data
        return ReachRecord(
            initiative_name=initiative_name,
            period=d["kwartaal"],
            participants=d.get("deelnemers"),
            volunteers=d.get("vrijwilligers"),
            reached_groups=list(d.get("bereikt", [])),
            missed_groups=list(d.get("niet_bereikt", [])),
            missed_note=d.get("toelichting", ""),
        )


def current_quarter(today: date) -> str:
    return str(Period(today.year, (today.month - 1) // 3 + 1))


class ImportForm(forms.Form):
    bestand = forms.FileField(
        label="Bestand (CSV of Excel)",
        help_text="Met de kolommen van een export van deze pagina; hoogstens 5 MB.",
    )

    def clean_bestand(self):
        upload = self.cleaned_data["bestand"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx).")
        if upload.size > MAX_IMPORT_MB * 1024 * 1024:
            raise forms.ValidationError(f"Het bestand is groter dan {MAX_IMPORT_MB} MB.")
        return upload
