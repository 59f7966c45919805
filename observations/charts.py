"""The map of reported signals on the municipality page: pure, data in, chart out.

Coloured by how many signals sociaal werkers reported in a ward in the quarter; a ward without an
accepted observation that quarter is "geen observatie" (hatched, as every missing value on the
monitor's maps), which is not the same as a ward where they saw nothing to report (0).
"""

from __future__ import annotations

from collections.abc import Sequence

from monitoring.charts import ChartBlock, Column, Table
from monitoring.charts.maps import region_map
from monitoring.charts.types import Area

SIGNALS_MAP_ID = "signalenkaart"


def signal_totals(
    *, observed: set[str], signals: dict[str, dict[str, int]]
) -> dict[str, int | None]:
    """Per observed ward the number of signal reports (a signal in two observations counts
    twice); ``None`` for a ward nobody observed."""
    return {code: sum(signals.get(code, {}).values()) for code in observed}


def signals_map(
    *,
    areas: Sequence[Area],
    observed: set[str],
    signals: dict[str, dict[str, int]],
    period: str,
) -> ChartBlock | None:
    """The wards on a map, coloured by the signals reported in ``period``; ``None`` when none of
    the areas is a ward with an observation (the page shows buurten, or nothing was observed)."""
    wards = [area for area in areas if area.code in observed]
    if not wards:
        return None
    totals = signal_totals(observed=observed, signals=signals)
    values: dict[str, float | None] = {a.code: totals.get(a.code) for a in areas}
    most = max(wards, key=lambda a: (totals.get(a.code) or 0, a.name))
    most_count = totals.get(most.code) or 0
    if most_count:
        title = (
            f"Signalen per wijk, {period}: de meeste in {most.name} ({most_count} "
            f"{'melding' if most_count == 1 else 'meldingen'})"
        )
    else:
        title = f"Signalen per wijk, {period}: in geen enkele wijk een signaal gemeld"
    unobserved = len(areas) - len(wards)
    summary = (
        f"In {period} meldden sociaal werkers signalen in "
        f"{sum(1 for a in wards if totals.get(a.code))} van de {len(wards)} wijken met een "
        f"geaccepteerde observatie"
        + (
            f"; van {unobserved} {'wijk' if unobserved == 1 else 'wijken'} is er geen observatie."
            if unobserved
            else "."
        )
    )

    def top_signal(code: str) -> str:
        kinds = signals.get(code, {})
        if not kinds:
            return ""
        return max(sorted(kinds), key=lambda kind: kinds[kind])

    table = Table(
        caption=f"Gemelde signalen per wijk in {period}",
        columns=[
            Column("name", "Wijk", decimals=None, link_key="url"),
            Column("code", "Code", decimals=None),
            Column("signals", "Meldingen van signalen", decimals=0),
            Column("top", "Meest gemeld", decimals=None),
        ],
        rows=sorted(
            (
                {
                    "name": a.name,
                    "code": a.code,
                    "url": a.url,
                    "signals": totals.get(a.code),
                    "top": top_signal(a.code) if a.code in observed else "geen observatie",
                }
                for a in areas
            ),
            key=lambda row: (row["signals"] is None, -(row["signals"] or 0), row["name"]),
        ),
        header_key="name",
    )
    figure = region_map(
        areas=areas,
        values=values,
        title=title,
        value_label="meldingen",
        missing_label="geen observatie",
    )
    notes = [] if figure else ["Er zijn geen grenzen bekend voor deze wijken."]
    return ChartBlock(SIGNALS_MAP_ID, title, summary, table, figure, 560, notes)
