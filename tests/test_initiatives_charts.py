"""The reach chart: words, table and a figure plotly accepts, without a database."""

from __future__ import annotations

import plotly.graph_objects as go

from initiatives.charts import reach_chart, sum_by_quarter


def test_reach_is_summed_per_quarter_and_unknown_stays_unknown():
    quarters = sum_by_quarter([("2025-K1", 10, None), ("2025-K1", 5, None), ("2025-K2", None, 3)])
    assert [(q.period, q.participants, q.volunteers, q.initiatives) for q in quarters] == [
        ("2025-K1", 15, None, 2),
        ("2025-K2", None, 3, 1),
    ]


def test_the_chart_says_the_latest_quarter_and_the_change_in_words():
    block = reach_chart(
        chart_id="bereik",
        subject="Wijk 1",
        quarters=sum_by_quarter([("2024-K3", 10, 2), ("2025-K2", 12, 1), ("2025-K2", 3, None)]),
    )
    assert block.summary == (
        "In het 2e kwartaal 2025 deden 15 deelnemers mee aan 2 initiatieven met bereik, met 1 "
        "vrijwilliger; dat zijn 5 deelnemers meer dan in het 3e kwartaal 2024."
    )
    assert [row["period"] for row in block.table.rows] == ["2024-K3", "2025-K2"]
    figure = go.Figure(block.figure.to_dict())  # plotly validates it
    # The quarters without reach are on the axis, as gaps.
    assert list(figure.data[0].x) == ["2024-K3", "2024-K4", "2025-K1", "2025-K2"]
    assert list(figure.data[0].y) == [10, None, None, 15]


def test_without_reach_the_chart_says_what_to_do():
    block = reach_chart(chart_id="bereik", subject="Wijk 1", quarters=[])
    assert block.figure is None
    assert "Vul per kwartaal het bereik" in block.summary
