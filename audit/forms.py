"""The trail page's filters, read from the query string (the URL holds the state)."""

from __future__ import annotations

from django import forms

from audit.selectors import TrailFilters


class TrailFilterForm(forms.Form):
    wie = forms.TypedChoiceField(label="Wie", required=False, coerce=int, empty_value=None)
    wat = forms.ChoiceField(label="Wat", required=False)
    van = forms.DateField(
        label="Van",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2024-01-31."},
    )
    tot = forms.DateField(
        label="Tot en met",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2024-12-31."},
    )
    pagina = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data, *, people: list[tuple[int, str]], kinds: dict[str, str]):
        super().__init__(data)
        self.fields["wie"].choices = [("", "iedereen"), *people]
        self.fields["wie"].error_messages["invalid_choice"] = "Kies iemand uit de lijst."
        self.fields["wat"].choices = [("", "alles"), *kinds.items()]
        self.fields["wat"].error_messages["invalid_choice"] = "Kies een soort uit de lijst."

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("van"), cleaned.get("tot")
        if since and until and since > until:
            self.add_error("tot", "De einddatum ligt vóór de begindatum.")
        return cleaned

    def filters(self) -> TrailFilters:
        """The valid filters; a field with a mistake is left out (and its message shown)."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return TrailFilters(
            who=data.get("wie"),
            kind=data.get("wat") or None,
            since=data.get("van"),
            until=data.get("tot"),
            page=data.get("pagina") or 1,
        )
