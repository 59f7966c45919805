"""The query string of the dashboards, validated: every page state is a bookmarkable URL.

A bad or missing value never gives an error page: it falls back to a safe default, and the page
says which value it ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms

from monitoring.conditions import Condition
from monitoring.models import Level, ScoreMethod
from monitoring.periods import InvalidPeriod, Period

MAX_COMPARE = 6
_AREA_CODE = re.compile(r"^(WK|BU)\d{6,8}$")
_MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")

METHOD_CHOICES = [(m.value, m.label) for m in ScoreMethod if m != ScoreMethod.PRACTICE]
LEVEL_CHOICES = [(Level.WIJK.value, "Wijken"), (Level.BUURT.value, "Buurten")]
SORT_CHOICES = [
    ("naam", "naam"),
    *((c.value, c.label) for c in Condition),
    *((f"-{c.value}", c.label) for c in Condition),
    ("-naam", "naam"),
]
# Sections a page loads after itself (htmx); without JavaScript their content is a link away.
PART_CHOICES = [("opbouw", "opbouw van de scores")]
FORMAT_CHOICES = [("html", "HTML"), ("csv", "CSV"), ("json", "JSON"), ("xlsx", "Excel")]


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        try:
            return str(Period.parse(value))
        except InvalidPeriod as error:
            raise forms.ValidationError(str(error)) from error


class AreaCodesField(forms.Field):
    """Repeated ``?wijk=WK051801&wijk=…``: upper-cased, de-duplicated, in the given order."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        codes: list[str] = []
        for item in value:
            for part in str(item).replace(",", " ").split():
                code = part.strip().upper()
                if code and code not in codes:
                    codes.append(code)
        return codes

    def validate(self, value):
        super().validate(value)
        bad = [c for c in value if not _AREA_CODE.match(c)]
        if bad:
            raise forms.ValidationError(f"Geen geldige wijk- of buurtcode: {', '.join(bad)}.")


class DashboardForm(forms.Form):
    periode = PeriodField(required=False, max_length=10)
    van = PeriodField(required=False, max_length=10)
    tot = PeriodField(required=False, max_length=10)
    conditie = forms.ChoiceField(required=False, choices=Condition.choices)
    niveau = forms.ChoiceField(required=False, choices=LEVEL_CHOICES)
    methode = forms.ChoiceField(required=False, choices=METHOD_CHOICES)
    sorteer = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    gemeente = forms.RegexField(required=False, regex=_MUNICIPALITY_CODE, max_length=6)
    wijk = AreaCodesField(required=False)
    format = forms.ChoiceField(required=False, choices=FORMAT_CHOICES)
    tabel = forms.SlugField(required=False, max_length=40)
    deel = forms.ChoiceField(required=False, choices=PART_CHOICES)

    def __init__(self, data=None, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            data = data.copy()
            if "gemeente" in data:
                data["gemeente"] = data["gemeente"].upper()
        super().__init__(data, **kwargs)

    def params(self) -> DashboardParams:
        """Every field's clean value, or its default where the value was missing or invalid."""
        self.is_valid()
        data = {
            name: (None if name in self.errors else self.cleaned_data.get(name))
            for name in self.fields
        }
        ignored = [
            f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in self.errors.items()
        ]
        codes = data["wijk"] or []
        if len(codes) > MAX_COMPARE:
            ignored.append(
                f"wijk: hoogstens {MAX_COMPARE} wijken; de eerste {MAX_COMPARE} getoond."
            )
            codes = codes[:MAX_COMPARE]
        return DashboardParams(
            period=data["periode"] or None,
            start=data["van"] or None,
            end=data["tot"] or None,
            condition=data["conditie"] or Condition.ZEKERHEID.value,
            level=data["niveau"] or Level.WIJK.value,
            method=data["methode"] or ScoreMethod.BASE_YEAR.value,
            sort=data["sorteer"] or "naam",
            municipality=data["gemeente"] or None,
            codes=codes,
            format=data["format"] or "html",
            table=data["tabel"] or None,
            part=data["deel"] or None,
            ignored=ignored,
        )


@dataclass(frozen=True)
class DashboardParams:
    period: str | None = None
    start: str | None = None
    end: str | None = None
    condition: str = Condition.ZEKERHEID.value
    level: str = Level.WIJK.value
    method: str = ScoreMethod.BASE_YEAR.value
    sort: str = "naam"
    municipality: str | None = None
    codes: list[str] = field(default_factory=list)
    format: str = "html"
    table: str | None = None
    part: str | None = None  # a section loaded after the page, e.g. "opbouw"
    ignored: list[str] = field(default_factory=list)


def choose_period(
    requested: str | None,
    available: list[str],
    *,
    preferred: list[str] | None = None,
    default_index: int = -1,
) -> str | None:
    """The requested period when it is available; else the latest (or first) of the preferred
    periods (those with values), else of all available periods."""
    if requested in available:
        return requested
    pool = preferred or available
    return pool[default_index] if pool else None


def area_period(requested: str | None, periods: list[str], scored_periods: list[str]) -> str | None:
    """The period an area's page shows: the requested one when there are scores in it, else the
    area's latest period with a score, else the latest period with any score row."""
    if requested in periods:
        return requested
    if scored_periods:
        return max(scored_periods)
    return max(periods) if periods else None


def params_from(data) -> DashboardParams:
    return DashboardForm(data).params()
