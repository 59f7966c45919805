"""From selector data to what the sociale-basis page and the ward section show. No queries.

``private`` is whether the reader may see what is not public (``Capability.VIEW_PRIVATE``):
without it only names, kinds, wards, conditions and the gap matrix are shown, never contacts,
funding, reach or who is not reached.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from initiatives.charts import reach_chart, sum_by_quarter
from initiatives.choices import Kind, Status, TargetGroup, label_of, labels_of
from initiatives.gaps import (
    CellStatus,
    InitiativeFacts,
    funding_ends_soon,
    gap_matrix,
    is_active,
    missed_target_groups,
)
from initiatives.selectors import InitiativeSummary, ReachRow, SocialBase, WardInitiatives
from monitoring.charts import ChartBlock, Column, Table
from monitoring.conditions import CONDITIONS
from monitoring.formatting import nl_number

CONDITION_CODES = [info.condition.value for info in CONDITIONS]
CONDITION_NAME = {info.condition.value: info.name_nl for info in CONDITIONS}


def score_band(score: float | None, threshold: float) -> str:
    """A light tint per score band (black text stays readable on every one)."""
    if score is None:
        return "band-none"
    if score < threshold - 10:
        return "band-1"
    if score < threshold:
        return "band-2"
    if score < 100:
        return "band-3"
    if score < 110:
        return "band-4"
    return "band-5"


def band_legend(threshold: float) -> list[tuple[str, str]]:
    t = nl_number(threshold)
    low = nl_number(threshold - 10)
    return [
        ("band-1", f"lager dan {low}"),
        ("band-2", f"{low} tot {t} (onder de drempel)"),
        ("band-3", f"{t} tot 100"),
        ("band-4", "100 tot 110"),
        ("band-5", "110 of hoger"),
        ("band-none", "geen score"),
    ]


def _latest_by_initiative(reach: list[ReachRow]) -> dict[int, ReachRow]:
    latest: dict[int, ReachRow] = {}
    for row in reach:  # ordered by period
        latest[row.initiative_id] = row
    return latest


def initiative_url(municipality_code: str, pk: int) -> str:
    return reverse("initiatives:detail", args=[municipality_code, pk])


def list_url(municipality_code: str, **filters: str) -> str:
    from urllib.parse import urlencode

    base = reverse("initiatives:list", args=[municipality_code])
    query = urlencode({k: v for k, v in filters.items() if v})
    return f"{base}?{query}" if query else base


# --- Sociale basis ----------------------------------------------------------------------------


@dataclass
class MatrixCell:
    condition: str
    score: float | None
    count: int
    status: CellStatus
    symbol: str
    band: str
    list_url: str

    @property
    def is_gap(self) -> bool:
        return self.status == CellStatus.GAP


@dataclass
class MatrixRow:
    code: str
    name: str
    url: str
    cells: list[MatrixCell]


@dataclass
class SocialBasePage:
    context: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)


def social_base_page(data: SocialBase, *, threshold: float, private: bool) -> SocialBasePage:
    code = data.municipality.code
    facts = [s.facts for s in data.initiatives]
    matrix = gap_matrix(
        ward_ids=[w.id for w in data.wards],
        conditions=CONDITION_CODES,
        scores=data.scores,
        initiatives=facts,
        on=data.today,
        threshold=threshold,
    )
    ward_url = reverse("ward", args=["CODE0000"])
    rows = []
    gaps = []
    for ward in data.wards:
        cells = []
        for condition in CONDITION_CODES:
            cell = matrix[(ward.id, condition)]
            cells.append(
                MatrixCell(
                    condition=condition,
                    score=cell.score,
                    count=cell.active_initiatives,
                    status=cell.status,
                    symbol=cell.symbol,
                    band=score_band(cell.score, threshold),
                    list_url=list_url(code, wijk=ward.code, conditie=condition, status="actief"),
                )
            )
            if cell.is_gap:
                gaps.append((ward, condition, cell.score))
        rows.append(MatrixRow(ward.code, ward.name, ward_url.replace("CODE0000", ward.code), cells))
    tables = {"matrix": _matrix_table(rows, data)}
    gap_table = Table(
        caption=f"Hiaten: score onder {nl_number(threshold)} en geen actief initiatief op die conditie",
        columns=[
            Column("ward", "Wijk", decimals=None, link_key="url"),
            Column("code", "Code", decimals=None),
            Column("condition", "Conditie", decimals=None),
            Column("score", "Score", decimals=0),
        ],
        rows=[
            {
                "ward": ward.name,
                "code": ward.code,
                "url": ward_url.replace("CODE0000", ward.code),
                "condition": CONDITION_NAME[condition],
                "score": score,
            }
            for ward, condition, score in sorted(gaps, key=lambda g: (g[2], g[0].code))
        ],
        header_key="ward",
    )
    tables["hiaten"] = gap_table
    scored_cells = sum(1 for c in matrix.values() if c.score is not None)
    gap_wards = sorted({w.name for w, _, _ in gaps})
    if not data.period:
        gap_summary = (
            "Nog geen scores voor de wijken: zonder scores zijn er geen hiaten te bepalen."
        )
    elif gaps:
        gap_summary = (
            f"{len(gaps)} {'hiaat' if len(gaps) == 1 else 'hiaten'} in {len(gap_wards)} "
            f"wijk{'en' if len(gap_wards) != 1 else ''}: een score onder {nl_number(threshold)} "
            f"zonder actief initiatief op die conditie ({scored_cells} cellen met een score)."
        )
    else:
        gap_summary = (
            f"Geen hiaten: elke score onder {nl_number(threshold)} heeft minstens één actief "
            f"initiatief op die conditie ({scored_cells} cellen met een score)."
        )
    active = [s for s in data.initiatives if is_active(s.facts, data.today)]
    context: dict[str, Any] = {
        "data": data,
        "municipality": data.municipality,
        "threshold": threshold,
        "matrix_rows": rows,
        "conditions": CONDITIONS,
        "legend": band_legend(threshold),
        "gap_table": gap_table,
        "gap_summary": gap_summary,
        "gap_count": len(gaps),
        "initiative_count": len(data.initiatives),
        "active_count": len(active),
        "has_examples": any(s.is_example for s in data.initiatives),
        "private": private,
    }
    if private:
        ending = sorted(
            (
                s
                for s in data.initiatives
                if funding_ends_soon(s.funding, s.funding_until, data.today)
            ),
            key=lambda s: (s.funding_until, s.name),
        )
        funding_table = Table(
            caption="Initiatieven waarvan de tijdelijke financiering binnen zes maanden afloopt",
            columns=[
                Column("name", "Initiatief", decimals=None, link_key="url"),
                Column("until", "Financiering tot", decimals=None),
                Column("status", "Status", decimals=None),
                Column("wards", "Wijken", decimals=None),
            ],
            rows=[
                {
                    "name": s.name,
                    "url": initiative_url(code, s.id),
                    "until": s.funding_until.strftime("%d-%m-%Y"),
                    "status": label_of(Status, s.status),
                    "wards": ", ".join(
                        sorted(data.ward_names.get(w, "") for w in s.facts.ward_ids)
                    ),
                }
                for s in ending
            ],
            header_key="name",
        )
        tables["financiering"] = funding_table
        reach = reach_chart(
            chart_id="bereik",
            subject=f"alle initiatieven in {data.municipality.name}",
            quarters=sum_by_quarter([(r.period, r.participants, r.volunteers) for r in data.reach]),
        )
        tables["bereik"] = reach.table
        missed_table = _missed_table(data)
        tables["doelgroepen"] = missed_table
        context.update(
            funding_table=funding_table,
            funding_count=len(ending),
            reach_chart=reach,
            missed_table=missed_table,
        )
    return SocialBasePage(context, tables)


def _matrix_table(rows: list[MatrixRow], data: SocialBase) -> Table:
    columns = [
        Column("ward", "Wijk", decimals=None, link_key="url"),
        Column("code", "Code", decimals=None),
    ]
    for info in CONDITIONS:
        c = info.condition.value
        columns += [
            Column(f"{c}_score", f"{info.short_nl}: score", decimals=0),
            Column(f"{c}_count", f"{info.short_nl}: actieve initiatieven", decimals=0),
            Column(f"{c}_status", f"{info.short_nl}: oordeel", decimals=None),
        ]
    table_rows = []
    for row in rows:
        values: dict[str, Any] = {"ward": row.name, "code": row.code, "url": row.url}
        for cell in row.cells:
            values[f"{cell.condition}_score"] = cell.score
            values[f"{cell.condition}_count"] = cell.count
            values[f"{cell.condition}_status"] = str(cell.status)
        table_rows.append(values)
    return Table(
        caption=f"Wijken × condities in {data.period or '–'}: score, actieve initiatieven, oordeel",
        columns=columns,
        rows=table_rows,
        header_key="ward",
    )


def _missed_table(data: SocialBase) -> Table:
    latest = _latest_by_initiative(data.reach)
    reached = {pk: row.reached_groups for pk, row in latest.items() if row.reached_groups}
    rows = []
    for ward in data.wards:
        in_ward = [s for s in data.initiatives if ward.id in s.facts.ward_ids]
        active = [s for s in in_ward if is_active(s.facts, data.today)]
        if not active:
            missed_text = "geen actief initiatief"
        else:
            missed = missed_target_groups(
                ward_id=ward.id,
                initiatives=[s.facts for s in active],
                reached=reached,
                on=data.today,
                all_groups=TargetGroup.values,
            )
            missed_text = ", ".join(labels_of(TargetGroup, missed)) or "–"
        reported = set()
        for s in active:
            row = latest.get(s.id)
            if row:
                reported |= row.missed_groups
        rows.append(
            {
                "ward": ward.name,
                "code": ward.code,
                "active": len(active),
                "missed": missed_text,
                "reported": ", ".join(
                    labels_of(TargetGroup, [g for g in TargetGroup.values if g in reported])
                )
                or "–",
            }
        )
    return Table(
        caption="Per wijk: doelgroepen die geen actief initiatief bereikt, en wie initiatieven "
        "zelf (nog) niet bereiken (laatste kwartaal)",
        columns=[
            Column("ward", "Wijk", decimals=None),
            Column("code", "Code", decimals=None),
            Column("active", "Actieve initiatieven", decimals=0),
            Column("missed", "Geen actief initiatief bereikt", decimals=None),
            Column("reported", "Initiatieven melden: (nog) niet bereikt", decimals=None),
        ],
        rows=rows,
        header_key="ward",
    )


# --- Ward section -----------------------------------------------------------------------------


@dataclass
class WardItem:
    id: int
    name: str
    url: str
    kind: str
    status: str
    active: bool
    is_example: bool
    target_groups: list[str]
    contact_organisation: str


def ward_section(
    data: WardInitiatives, *, municipality_code: str, private: bool, can_keep: bool
) -> dict[str, Any]:
    today = data.today

    def item(s: InitiativeSummary) -> WardItem:
        return WardItem(
            id=s.id,
            name=s.name,
            url=initiative_url(municipality_code, s.id),
            kind=label_of(Kind, s.kind),
            status=label_of(Status, s.status),
            active=is_active(s.facts, today),
            is_example=s.is_example,
            target_groups=labels_of(TargetGroup, s.target_groups),
            contact_organisation=s.contact_organisation,
        )

    items = {s.id: item(s) for s in data.initiatives}
    by_condition = []
    for info in CONDITIONS:
        c = info.condition.value
        working = [items[s.id] for s in data.initiatives if c in s.conditions]
        working.sort(key=lambda i: (not i.active, i.name))
        by_condition.append(
            {
                "info": info,
                "initiatives": working,
                "active": sum(1 for i in working if i.active),
            }
        )
    context: dict[str, Any] = {
        "ward": data.ward,
        "municipality_code": municipality_code,
        "items": list(items.values()),
        "active_count": sum(1 for i in items.values() if i.active),
        "by_condition": by_condition,
        "has_examples": any(i.is_example for i in items.values()),
        "private": private,
        "can_keep": can_keep,
        "list_url": list_url(municipality_code, wijk=data.ward.code),
        "new_url": reverse("initiatives:create", args=[municipality_code])
        + f"?wijk={data.ward.code}",
        "social_base_url": reverse("initiatives:social_base", args=[municipality_code]),
    }
    if not private:
        return context
    latest = _latest_by_initiative(data.reach)
    by_group = []
    groups_aimed: dict[str, list[WardItem]] = defaultdict(list)
    for s in data.initiatives:
        for group in s.target_groups:
            groups_aimed[group].append(items[s.id])
    for group in TargetGroup.values:
        reached_by = [
            items[pk].name
            for pk, row in latest.items()
            if group in row.reached_groups and items[pk].active
        ]
        if groups_aimed.get(group) or reached_by:
            by_group.append(
                {
                    "label": label_of(TargetGroup, group),
                    "initiatives": sorted(groups_aimed.get(group, []), key=lambda i: i.name),
                    "reached_by": sorted(reached_by),
                }
            )
    active_facts: list[InitiativeFacts] = [
        s.facts for s in data.initiatives if is_active(s.facts, today)
    ]
    missed = missed_target_groups(
        ward_id=data.ward.pk,
        initiatives=active_facts,
        reached={pk: row.reached_groups for pk, row in latest.items() if row.reached_groups},
        on=today,
        all_groups=TargetGroup.values,
    )
    notes = [
        {
            "name": items[pk].name,
            "groups": labels_of(TargetGroup, sorted(row.missed_groups)),
            "note": row.missed_note,
            "period": row.period,
        }
        for pk, row in latest.items()
        if items[pk].active and (row.missed_groups or row.missed_note)
    ]
    reach: ChartBlock = reach_chart(
        chart_id="initiatieven-bereik",
        subject=f"initiatieven in {data.ward.name}",
        quarters=sum_by_quarter([(r.period, r.participants, r.volunteers) for r in data.reach]),
    )
    context.update(
        by_group=by_group,
        missed=labels_of(TargetGroup, missed),
        missed_notes=sorted(notes, key=lambda n: n["name"]),
        reach_chart=reach,
    )
    return context
