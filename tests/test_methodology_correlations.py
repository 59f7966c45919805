"""The correlation table of docs/methodology.md ("Samenhang") is what the demo gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitoring import scoring
from monitoring.models import Region
from monitoring.scoring_inputs import score_inputs

METHODOLOGY = Path(__file__).parent.parent / "docs" / "methodology.md"
ROW = re.compile(
    r"^\| (?P<condition>\w+) \| `(?P<a>\w+)` \| `(?P<b>\w+)` \| (?P<dh>[−\-0-9,]+) \| (?P<ams>[−\-0-9,]+) \|$"
)


def _number(text: str) -> float:
    return float(text.replace("−", "-").replace(",", "."))


def documented() -> list[dict]:
    text = METHODOLOGY.read_text(encoding="utf-8")
    section = text[text.index("### 10. Samenhang") : text.index("### 11.")]
    return [m.groupdict() for line in section.splitlines() if (m := ROW.match(line))]


def test_the_methodology_lists_the_correlations_of_every_scored_condition_with_two_indicators():
    rows = documented()
    assert {row["condition"] for row in rows} == {"zekerheid", "inclusie"}
    assert len(rows) == 11


def test_the_documented_correlations_are_those_of_the_demo(demo):
    computed = {}
    for code, column in (("GM0518", "dh"), ("GM0363", "ams")):
        municipality = Region.objects.get(code=code)
        inputs = score_inputs(
            municipality_ids=[municipality.pk], levels=("wijk",), with_national=False, bulk=False
        )
        table = scoring.indicator_correlations(inputs.values, inputs.indicators, period="2019")
        for row in table.itertuples(index=False):
            computed[(column, *sorted((row.indicator_a, row.indicator_b)))] = row.spearman
    for row in documented():
        pair = sorted((row["a"], row["b"]))
        for column in ("dh", "ams"):
            assert computed[(column, *pair)] == pytest.approx(_number(row[column]), abs=0.005), (
                column,
                pair,
            )
