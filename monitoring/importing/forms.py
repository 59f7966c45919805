"""The upload form of the web import."""

from __future__ import annotations

from django import forms
from django.conf import settings

from monitoring.models import Region
from monitoring.periods import InvalidPeriod, Period

FORMATS = [
    ("auto", "Automatisch herkennen"),
    ("cbs", "CBS-bestand (OData, StatLine of Excel)"),
    ("long", "Lang: regiocode, indicator, periode, waarde"),
    ("wide", "Breed: regiocode, periode, één kolom per indicator"),
    ("geojson", "Gebiedsgrenzen (GeoJSON of TopoJSON)"),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Bestand",
        help_text="CSV, Excel (.xlsx), GeoJSON of TopoJSON; "
        f"hoogstens {settings.IMPORT_MAX_UPLOAD_MB} MB.",
    )
    period = forms.CharField(
        label="Periode",
        required=False,
        max_length=10,
        help_text="Alleen nodig als het bestand de periode niet noemt: 2023 of 2024-K3.",
    )
    file_format = forms.ChoiceField(label="Soort bestand", choices=FORMATS, initial="auto")
    municipality = forms.ModelChoiceField(
        label="Gemeente",
        queryset=Region.objects.none(),
        required=False,
        empty_label="Alle gemeenten (landelijk bestand)",
        help_text="Regio's van andere gemeenten worden dan afgewezen.",
    )

    def __init__(self, *args, municipalities: list[Region] | None, **kwargs) -> None:
        """``municipalities``: those the user may import for; None means all (staff)."""
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        if municipalities is None:
            field.queryset = Region.objects.municipalities().order_by("name")
        else:
            field.queryset = Region.objects.filter(pk__in=[m.pk for m in municipalities])
            field.required = True
            field.empty_label = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                f"Het bestand is {upload.size / 1024 / 1024:.1f} MB; de grens is "
                f"{settings.IMPORT_MAX_UPLOAD_MB} MB.".replace(".", ",", 1)
            )
        if upload.size == 0:
            raise forms.ValidationError("Het bestand is leeg.")
        return upload

    def clean_period(self) -> str:
        text = self.cleaned_data["period"].strip()
        if not text:
            return ""
        try:
            return str(Period.parse(text))
        except InvalidPeriod as error:
            raise forms.ValidationError(str(error)) from None


class ApplyForm(forms.Form):
    skip_rejected = forms.BooleanField(
        label="Afgewezen cellen overslaan en de rest inlezen", required=False
    )
