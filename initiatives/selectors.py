"""Reads for the initiative pages, each in a fixed number of queries (pinned in the tests).

"Fixed": the number depends on the page asked for, never on how many initiatives, wards or
quarters there are. Access is decided in ``access.permissions``; the functions here take a
municipality the view has already checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Prefetch, Q
from django.http import Http404

from access.permissions import Capability, require
from initiatives.choices import Funding
from initiatives.gaps import InitiativeFacts, add_months
from initiatives.models import Initiative, InitiativeReach
from initiatives.rules import Area, InitiativeRecord, area_from_geometries
from initiatives.tabular import ReachRecord
from monitoring.models import ConditionScore, Level, Region, ScoreMethod

FUNDING_HORIZON_MONTHS = 6


def municipality_for(user, code: str, capability: Capability = Capability.VIEW) -> Region:
    """The municipality with this code when the user may do this there; else what
    ``access.permissions.require`` answers (login page, 403 or 404). One query, plus the user's
    memberships and the published municipalities, each read once per request."""
    municipality = Region.objects.municipalities().filter(code=str(code).upper()).first()
    require(user, capability, municipality)  # None: the login page or 404, as for any other
    return municipality


def _current_wards(municipality: Region):
    return Region.objects.filter(
        municipality=municipality, level=Level.WIJK, last_year__isnull=True
    ).order_by("code")


def ward_choices(municipality: Region) -> list[tuple[str, str]]:
    """(code, name) of the municipality's current wards: one query."""
    return list(_current_wards(municipality).values_list("code", "name"))


def municipality_area(municipality: Region) -> Area:
    """The outline in which an initiative's point must lie: one query."""
    geometries = [
        g
        for g in _current_wards(municipality)
        .exclude(geometry__isnull=True)
        .values_list("geometry", flat=True)
    ]
    return area_from_geometries(geometries)


def wards_by_code(municipality: Region, codes: list[str]) -> list[Region]:
    return list(_current_wards(municipality).filter(code__in=[c.upper() for c in codes]))


# --- Records (plain data of the model, for forms, files and comparisons) --------------------


def record_of(initiative: Initiative) -> InitiativeRecord:
    """The initiative as plain data; its wards must be prefetched."""
    return InitiativeRecord(
        name=initiative.name,
        kind=initiative.kind,
        description=initiative.description,
        ward_codes=sorted(w.code for w in initiative.wards.all()),
        conditions=list(initiative.conditions),
        target_groups=list(initiative.target_groups),
        partner_kinds=list(initiative.partner_kinds),
        start_date=initiative.start_date,
        end_date=initiative.end_date,
        status=initiative.status,
        funding=initiative.funding,
        funding_until=initiative.funding_until,
        funder=initiative.funder,
        contact_organisation=initiative.contact_organisation,
        contact_email=initiative.contact_email,
        contact_phone=initiative.contact_phone,
        website=initiative.website,
        latitude=initiative.latitude,
        longitude=initiative.longitude,
        is_example=initiative.is_example,
    ).normalised()


def reach_record_of(reach: InitiativeReach, initiative_name: str) -> ReachRecord:
    return ReachRecord(
        initiative_name=initiative_name,
        period=reach.period,
        participants=reach.participants,
        volunteers=reach.volunteers,
        reached_groups=list(reach.reached_groups),
        missed_groups=list(reach.missed_groups),
        missed_note=reach.missed_note,
    )


WARDS_PREFETCH = Prefetch(
    "wards", queryset=Region.objects.only("id", "code", "name", "level").order_by("code")
)


# --- List -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    query: str = ""
    ward: str = ""
    condition: str = ""
    kind: str = ""
    target_group: str = ""
    status: str = ""
    funding_ending: bool = False
    # The public searches names only: a match on a description or a contact organisation
    # would tell what the page does not show.
    search_private_fields: bool = True

    @property
    def any(self) -> bool:
        return any(
            (
                self.query,
                self.ward,
                self.condition,
                self.kind,
                self.target_group,
                self.status,
                self.funding_ending,
            )
        )


def initiatives_filtered(*, municipality: Region, filters: ListFilters, today: date):
    """The municipality's initiatives that pass the filters, wards prefetched: two queries."""
    queryset = Initiative.objects.in_municipality(municipality)
    if filters.query:
        words = filters.query.split()
        for word in words[:8]:
            match = Q(name__icontains=word)
            if filters.search_private_fields:
                match |= Q(description__icontains=word) | Q(contact_organisation__icontains=word)
            queryset = queryset.filter(match)
    if filters.ward:
        queryset = queryset.filter(wards__code=filters.ward.upper())
    if filters.condition:
        queryset = queryset.filter(conditions__contains=[filters.condition])
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.target_group:
        queryset = queryset.filter(target_groups__contains=[filters.target_group])
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.funding_ending:
        queryset = queryset.filter(
            funding=Funding.TIJDELIJK,
            funding_until__gte=today,
            funding_until__lte=add_months(today, FUNDING_HORIZON_MONTHS),
        )
    return list(queryset.distinct().prefetch_related(WARDS_PREFETCH).order_by("name"))


def initiative_get(*, municipality: Region, pk: int) -> Initiative:
    """One initiative of this municipality with its wards and reach (else 404): three queries."""
    initiative = (
        Initiative.objects.in_municipality(municipality)
        .filter(pk=pk)
        .prefetch_related(
            WARDS_PREFETCH, Prefetch("reach", InitiativeReach.objects.order_by("period"))
        )
        .first()
    )
    if initiative is None:
        raise Http404("Onbekend initiatief.")
    return initiative


def export_records(
    *, municipality: Region, filters: ListFilters, today: date
) -> list[InitiativeRecord]:
    return [
        record_of(i)
        for i in initiatives_filtered(municipality=municipality, filters=filters, today=today)
    ]


def reach_export_records(*, municipality: Region) -> list[ReachRecord]:
    """Every quarter of reach of the municipality's initiatives: one query."""
    rows = (
        InitiativeReach.objects.filter(initiative__municipality=municipality)
        .annotate(initiative_name=F("initiative__name"))
        .order_by("initiative__name", "period")
    )
    return [reach_record_of(r, r.initiative_name) for r in rows]


# --- Facts for the gap rule -----------------------------------------------------------------


@dataclass(frozen=True)
class InitiativeSummary:
    """An initiative as the overview pages show it."""

    id: int
    name: str
    kind: str
    status: str
    conditions: list[str]
    target_groups: list[str]
    funding: str
    funding_until: date | None
    contact_organisation: str
    is_example: bool
    facts: InitiativeFacts


@dataclass(frozen=True)
class ReachRow:
    initiative_id: int
    period: str
    participants: int | None
    volunteers: int | None
    reached_groups: frozenset[str]
    missed_groups: frozenset[str]
    missed_note: str


_SUMMARY_FIELDS = (
    "id",
    "name",
    "kind",
    "status",
    "conditions",
    "target_groups",
    "funding",
    "funding_until",
    "contact_organisation",
    "is_example",
    "start_date",
    "end_date",
)


def _summaries(queryset, wards_of: Callable[[int], Iterable[int]]) -> list[InitiativeSummary]:
    summaries = []
    for row in queryset.values_list(*_SUMMARY_FIELDS):
        (pk, name, kind, status, conditions, groups, funding, until, org, example, start, end) = row
        summaries.append(
            InitiativeSummary(
                id=pk,
                name=name,
                kind=kind,
                status=status,
                conditions=list(conditions),
                target_groups=list(groups),
                funding=funding,
                funding_until=until,
                contact_organisation=org,
                is_example=example,
                facts=InitiativeFacts(
                    id=pk,
                    status=status,
                    start_date=start,
                    end_date=end,
                    ward_ids=frozenset(wards_of(pk)),
                    conditions=frozenset(conditions),
                    target_groups=frozenset(groups),
                ),
            )
        )
    return summaries


def _reach_rows(**where) -> list[ReachRow]:
    return [
        ReachRow(pk, period, participants, volunteers, frozenset(r), frozenset(m), note)
        for pk, period, participants, volunteers, r, m, note in InitiativeReach.objects.filter(
            **where
        )
        .order_by("period")
        .values_list(
            "initiative_id",
            "period",
            "participants",
            "volunteers",
            "reached_groups",
            "missed_groups",
            "missed_note",
        )
    ]


# --- Ward section ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WardInitiatives:
    ward: Region
    initiatives: list[InitiativeSummary]
    reach: list[ReachRow]
    today: date


def ward_initiatives(*, ward: Region, today: date) -> WardInitiatives:
    """The initiatives serving one ward and their reach: two queries."""
    serving = Initiative.objects.filter(wards=ward).order_by("name")
    # Only this ward matters here: each initiative's facts name just this one.
    summaries = _summaries(serving, lambda pk: (ward.pk,))
    reach = _reach_rows(initiative__wards=ward)
    return WardInitiatives(ward=ward, initiatives=summaries, reach=reach, today=today)


# --- Municipality: sociale basis ------------------------------------------------------------


@dataclass(frozen=True)
class WardRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class SocialBase:
    municipality: Region
    method: str
    period: str | None
    periods: list[str]
    wards: list[WardRef]
    scores: dict[tuple[int, str], float | None]
    initiatives: list[InitiativeSummary]
    reach: list[ReachRow]
    today: date
    ward_names: dict[int, str] = field(default_factory=dict)


def social_base(
    *, municipality: Region, method: str, period: str | None, today: date
) -> SocialBase:
    """Wards, their scores in the period shown, every initiative with its wards, and all reach:
    five queries."""
    wards = [
        WardRef(*row) for row in _current_wards(municipality).values_list("id", "code", "name")
    ]
    ward_ids = {w.id for w in wards}
    rows = ConditionScore.objects.filter(
        region__municipality=municipality, region__level=Level.WIJK, method=method
    ).values_list("region_id", "period", "condition", "value")
    by_period: dict[str, dict[tuple[int, str], float | None]] = defaultdict(dict)
    with_values: set[str] = set()
    for region_id, score_period, condition, value in rows:
        if region_id in ward_ids:
            by_period[score_period][(region_id, condition)] = value
            if value is not None:
                with_values.add(score_period)
    periods = sorted(by_period)
    shown = period if period in by_period else (max(with_values) if with_values else None)
    ward_ids_of: dict[int, set[int]] = defaultdict(set)
    for initiative_id, ward_id in Initiative.wards.through.objects.filter(
        initiative__municipality=municipality
    ).values_list("initiative_id", "region_id"):
        ward_ids_of[initiative_id].add(ward_id)
    summaries = _summaries(
        Initiative.objects.in_municipality(municipality).order_by("name"),
        lambda pk: ward_ids_of.get(pk, ()),
    )
    reach = _reach_rows(initiative__municipality=municipality)
    return SocialBase(
        municipality=municipality,
        method=method,
        period=shown,
        periods=periods,
        wards=wards,
        scores=by_period.get(shown, {}) if shown else {},
        initiatives=summaries,
        reach=reach,
        today=today,
        ward_names={w.id: w.name for w in wards},
    )


DEFAULT_METHOD = ScoreMethod.BASE_YEAR.value
