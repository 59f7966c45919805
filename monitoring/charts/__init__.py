"""Charts for the dashboards: plain data in, plotly figures plus their words and tables out.

Pure: no ORM, no request. Every chart is a :class:`ChartBlock` with a title that states the
finding, a one-sentence summary, the table behind it (also served as CSV/JSON) and a figure with
Dutch number formatting, a colour-blind-safe palette and a second carrier besides colour.

One module per family of chart, beside the plain data they share:

- ``types``: :class:`Figure` (plotly.js figure data), :class:`Table`, :class:`ChartBlock` and the
  inputs :class:`Area` and :class:`ScorePoint`;
- ``style``: palettes, fonts, axes and the common layout; ``words``: sentences and signed numbers;
- ``maps``, ``trends``, ``profiles`` (radars and likeness), ``breakdown``, ``distributions``.

A new chart goes in the module of its family and is re-exported here, so pages keep importing
``from monitoring.charts import …``. ``plotly.graph_objects.Figure(figure.to_dict())`` validates
the figures, and tests/test_charts.py does that for every chart.
"""

from monitoring.charts.breakdown import BreakdownRow, breakdown_chart, breakdown_rows
from monitoring.charts.distributions import indicator_distribution
from monitoring.charts.maps import change_map, indicator_map, municipality_map, region_map
from monitoring.charts.profiles import compare_radar, similarity_ranking, spreads, ward_radar
from monitoring.charts.style import (
    DIVERGING,
    FONT,
    MISSING_FILL,
    SEPARATORS,
    SEQUENTIAL,
    SERIES_COLOURS,
    colorscale,
    colour_at,
    condition_style,
    series_style,
)
from monitoring.charts.trends import (
    TrendSeries,
    compare_trends,
    indicator_trend,
    trend_small_multiples,
    ward_trend,
)
from monitoring.charts.types import (
    Area,
    Cell,
    ChartBlock,
    Column,
    Figure,
    ScorePoint,
    Table,
    change_cell,
    trace,
)
from monitoring.charts.words import points, score_sentence, signed

__all__ = [
    "DIVERGING",
    "FONT",
    "MISSING_FILL",
    "SEPARATORS",
    "SEQUENTIAL",
    "SERIES_COLOURS",
    "Area",
    "BreakdownRow",
    "Cell",
    "ChartBlock",
    "Column",
    "Figure",
    "ScorePoint",
    "Table",
    "TrendSeries",
    "breakdown_chart",
    "breakdown_rows",
    "change_cell",
    "change_map",
    "colorscale",
    "colour_at",
    "compare_radar",
    "compare_trends",
    "condition_style",
    "indicator_distribution",
    "indicator_map",
    "indicator_trend",
    "municipality_map",
    "points",
    "region_map",
    "score_sentence",
    "series_style",
    "signed",
    "similarity_ranking",
    "spreads",
    "trace",
    "trend_small_multiples",
    "ward_radar",
    "ward_trend",
]
