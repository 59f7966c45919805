"""Reads for the observation sections of the ward and municipality dashboards: aggregates of
accepted observations, in a fixed number of queries whatever their number (pinned in tests).
The caller decides access (``observations.dashboard``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import BoolOr
from django.db import connection
from django.db.models import Avg, Count, Q

from monitoring.models import Region
from observations.models import (
    CONDITION_CODES,
    NARRATIVE_FIELDS,
    Observation,
    ObservationSignal,
    SignalKind,
    narrative_field,
    rating_field,
)
from observations.practice import SCALE_HIGH, SCALE_LOW
from observations.workflow import COUNTED


@dataclass(frozen=True)
class QuarterPractice:
    """The accepted observations of one area in one quarter, aggregated."""

    period: str
    observations: int
    means: dict[str, float | None]  # condition → mean rating 1–5
    rated: dict[str, int]  # condition → observations with a rating (not "geen zicht")
    has_example: bool


@dataclass(frozen=True)
class SignalCount:
    period: str
    kind: str
    observations: int  # in how many observations it was signalled
    weight: int  # sum of the frequencies (1 = een enkele keer … 3 = vaak)


@dataclass(frozen=True)
class Quote:
    observation_id: int
    period: str
    condition: str
    text: str
    is_example: bool


@dataclass(frozen=True)
class WardPractice:
    quarters: list[QuarterPractice]
    signals: list[SignalCount]
    quotes: list[Quote] = field(default_factory=list)

    @property
    def has_example(self) -> bool:
        return any(q.has_example for q in self.quarters)


def _practice_aggregates() -> dict:
    aggregates: dict = {"n": Count("id"), "example": BoolOr("is_example")}
    for c in CONDITION_CODES:
        counted = Q(**{f"{rating_field(c)}__gte": SCALE_LOW, f"{rating_field(c)}__lte": SCALE_HIGH})
        aggregates[f"mean_{c}"] = Avg(rating_field(c), filter=counted)
        aggregates[f"rated_{c}"] = Count("id", filter=counted)
    return aggregates


def _quarter(row: dict) -> QuarterPractice:
    return QuarterPractice(
        period=row["period"],
        observations=row["n"],
        means={c: row[f"mean_{c}"] for c in CONDITION_CODES},
        rated={c: row[f"rated_{c}"] for c in CONDITION_CODES},
        has_example=bool(row["example"]),
    )


QUOTE_OBSERVATIONS = 4


def _ward_quarters_sql() -> str:
    observation = Observation._meta.db_table
    columns = ["period", "count(*) AS n", "bool_or(is_example) AS example"]
    for c in CONDITION_CODES:
        rated = f"{rating_field(c)} BETWEEN {SCALE_LOW:d} AND {SCALE_HIGH:d}"
        columns.append(f"avg({rating_field(c)}) FILTER (WHERE {rated})::float8 AS mean_{c}")
        columns.append(f"count(*) FILTER (WHERE {rated}) AS rated_{c}")
    return (
        f"SELECT {', '.join(columns)} FROM {observation}"
        " WHERE ward_id = %s AND status = ANY(%s) GROUP BY period ORDER BY period"
    )


def _ward_signals_sql() -> str:
    return (
        "SELECT o.period, k.name, count(*), sum(s.frequency)"
        f" FROM {ObservationSignal._meta.db_table} s"
        f" JOIN {Observation._meta.db_table} o ON o.id = s.observation_id"
        f" JOIN {SignalKind._meta.db_table} k ON k.id = s.kind_id"
        " WHERE o.ward_id = %s AND o.status = ANY(%s)"
        " GROUP BY o.period, k.name ORDER BY o.period, k.name"
    )


# Written out in SQL once, not built by the ORM per request: the two grouped queries with their
# eight filtered aggregates took 8 ms of every ward page to compile, and under 1 ms to run.
# ``tests/test_observations_dashboard.py`` checks them against the ORM's answer.
WARD_QUARTERS_SQL = _ward_quarters_sql()
WARD_SIGNALS_SQL = _ward_signals_sql()


def ward_practice(*, ward: Region, with_quotes: bool) -> WardPractice:
    """Practice score per quarter, signals per quarter and (with ``with_quotes``) narratives
    of the latest accepted observations: two queries, three with quotes."""
    counted = sorted(status.value for status in COUNTED)
    with connection.cursor() as cursor:
        cursor.execute(WARD_QUARTERS_SQL, [ward.pk, counted])
        names = [column.name for column in cursor.description]
        quarters = [_quarter(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
        cursor.execute(WARD_SIGNALS_SQL, [ward.pk, counted])
        signals = [SignalCount(*row) for row in cursor.fetchall()]
    accepted = Observation.objects.filter(ward=ward, status__in=COUNTED)
    quotes: list[Quote] = []
    if with_quotes and quarters:
        for row in accepted.order_by("-period", "pk").values(
            "pk", "period", "is_example", *NARRATIVE_FIELDS
        )[:QUOTE_OBSERVATIONS]:
            for c in CONDITION_CODES:
                text = row[narrative_field(c)].strip()
                if text:
                    quotes.append(Quote(row["pk"], row["period"], c, text, row["is_example"]))
    return WardPractice(quarters=quarters, signals=signals, quotes=quotes)


@dataclass(frozen=True)
class MunicipalityPractice:
    period: str | None  # the latest quarter with accepted observations
    wards: list[tuple[Region, QuarterPractice]]  # in that quarter, by ward name
    signals: dict[str, dict[str, int]]  # ward code → kind → observations, in that quarter
    signal_kinds: list[str]
    ward_names: dict[str, str]

    @property
    def has_example(self) -> bool:
        return any(q.has_example for _, q in self.wards)


def municipality_practice(*, municipality: Region) -> MunicipalityPractice:
    """Per ward the practice score of the latest quarter with accepted observations, and which
    signals were reported in which wards that quarter: three queries."""
    accepted = Observation.objects.filter(municipality=municipality, status__in=COUNTED)
    latest = accepted.order_by("-period").values_list("period", flat=True).first()
    if latest is None:
        return MunicipalityPractice(None, [], {}, [], {})
    rows = list(
        accepted.filter(period=latest)
        .values("ward_id", "ward__code", "ward__name", "period")
        .annotate(**_practice_aggregates())
        .order_by("ward__name")
    )
    wards = [
        (Region(pk=row["ward_id"], code=row["ward__code"], name=row["ward__name"]), _quarter(row))
        for row in rows
    ]
    signals: dict[str, dict[str, int]] = defaultdict(dict)
    kinds: dict[str, int] = {}
    for row in (
        ObservationSignal.objects.filter(
            observation__municipality=municipality,
            observation__status__in=COUNTED,
            observation__period=latest,
        )
        .values("observation__ward__code", "kind__name", "kind__sort_order")
        .annotate(n=Count("id"))
        .order_by()
    ):
        signals[row["observation__ward__code"]][row["kind__name"]] = row["n"]
        kinds[row["kind__name"]] = row["kind__sort_order"]
    return MunicipalityPractice(
        period=latest,
        wards=wards,
        signals=dict(signals),
        signal_kinds=sorted(kinds, key=lambda k: (kinds[k], k)),
        ward_names={region.code: region.name for region, _ in wards},
    )
