"""Quarters for observations: which one it is now, when one ends, which ones can be written.
Pure (the date is passed in)."""

from __future__ import annotations

from datetime import date, timedelta

from monitoring.periods import InvalidPeriod, Period

# A social worker can still write (or correct) the last four quarters and the current one.
OPEN_QUARTERS = 5


def quarter_of(day: date) -> Period:
    return Period(day.year, (day.month - 1) // 3 + 1)


def quarter_end(period: Period | str) -> date:
    quarter = Period.parse(period)
    if quarter.quarter is None:
        raise InvalidPeriod(f"{quarter} is geen kwartaal.")
    if quarter.quarter == 4:
        return date(quarter.year, 12, 31)
    return date(quarter.year, quarter.quarter * 3 + 1, 1) - timedelta(days=1)


def recent_quarters(today: date, count: int = OPEN_QUARTERS) -> list[Period]:
    """The current quarter first, then the ones before it."""
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


def parse_quarter(text: str) -> Period:
    """A quarter (``2024-K3``), with a Dutch message for a year or nonsense."""
    period = Period.parse(text)
    if not period.is_quarter:
        raise InvalidPeriod(
            f"‘{text}’ is een jaar; observaties gaan per kwartaal (bijv. {text}-K1)."
        )
    return period
