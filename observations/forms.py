"""The observation form and the coordinator's decision form. Clean input into the services'
``ObservationInput``; every rule that matters is checked again by the service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from monitoring.conditions import CONDITIONS
from observations.models import (
    NARRATIVE_MAX_LENGTH,
    Frequency,
    Observation,
    SignalKind,
    Source,
    direction_field,
    narrative_field,
    rating_field,
)
from observations.practice import Direction, Rating
from observations.services import ObservationInput

NO_SIGNAL = ""
SAVE, SUBMIT = "opslaan", "indienen"


def signal_field(kind_id: int) -> str:
    return f"signaal_{kind_id}"


class ObservationForm(forms.Form):
    """Ratings, directions and narratives per condition, reach, sources and signals; the
    hidden version makes a save conditional on what the form was built from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    residents_reached = forms.IntegerField(
        label="Bereikte bewoners",
        min_value=0,
        max_value=100000,
        required=False,
        help_text="Ongeveer hoeveel bewoners u dit kwartaal in deze wijk sprak.",
    )
    sources = forms.MultipleChoiceField(
        label="Bronnen",
        choices=Source.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Waar uw beeld op steunt.",
    )

    def __init__(self, *args: Any, signal_kinds: Sequence[SignalKind] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.signal_kinds = list(signal_kinds)
        self.condition_fields = []
        for info in CONDITIONS:
            c = info.condition.value
            self.fields[rating_field(c)] = forms.TypedChoiceField(
                label=f"Oordeel {info.name_nl.lower()}",
                choices=[(r.value, r.label) for r in Rating],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[direction_field(c)] = forms.ChoiceField(
                label="Sinds vorig kwartaal",
                choices=Direction.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[narrative_field(c)] = forms.CharField(
                label=f"Toelichting {info.name_nl.lower()}",
                max_length=NARRATIVE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                help_text="Over de buurt, nooit over één persoon: geen namen, adressen, "
                "telefoonnummers, BSN of geboortedata.",
            )
            self.condition_fields.append(
                {
                    "info": info,
                    "rating": self[rating_field(c)],
                    "direction": self[direction_field(c)],
                    "narrative": self[narrative_field(c)],
                }
            )
        self.signal_fields = []
        for kind in self.signal_kinds:
            name = signal_field(kind.pk)
            self.fields[name] = forms.TypedChoiceField(
                label=kind.name,
                choices=[(NO_SIGNAL, "niet"), *Frequency.choices],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=kind.description,
            )
            self.signal_fields.append(self[name])

    @classmethod
    def initial_for(cls, observation: Observation | None) -> dict[str, Any]:
        if observation is None:
            return {"version": 0}
        initial: dict[str, Any] = {
            "version": observation.version,
            "residents_reached": observation.residents_reached,
            "sources": observation.sources,
        }
        for info in CONDITIONS:
            c = info.condition.value
            for name in (rating_field(c), direction_field(c), narrative_field(c)):
                initial[name] = getattr(observation, name)
        for signal in observation.signals.all():
            initial[signal_field(signal.kind_id)] = signal.frequency
        return initial

    def to_input(self) -> ObservationInput:
        data = self.cleaned_data
        codes = [info.condition.value for info in CONDITIONS]
        return ObservationInput(
            ratings={c: data.get(rating_field(c)) for c in codes},
            directions={c: data.get(direction_field(c)) or "" for c in codes},
            narratives={c: data.get(narrative_field(c)) or "" for c in codes},
            residents_reached=data.get("residents_reached"),
            sources=data.get("sources") or [],
            signals={
                kind.pk: data[signal_field(kind.pk)]
                for kind in self.signal_kinds
                if data.get(signal_field(kind.pk))
            },
        )

    @property
    def wants_submit(self) -> bool:
        return self.is_bound and self.data.get("action") == SUBMIT


class DecisionForm(forms.Form):
    """A coordinator's (or author's) step in the workflow."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    target = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Reden",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Verplicht bij terugsturen of heropenen. Geen persoonsgegevens.",
    )
