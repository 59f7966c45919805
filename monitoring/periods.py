"""Periods: years (``2019``) and quarters (``2024-K3``) in one text form that sorts correctly.

The text form is what the database stores: ``"2019" < "2019-K1" < "2019-K4" < "2020"`` holds for
plain string comparison, so ``ORDER BY period`` and ``period >= '2019'`` just work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_PERIOD_RE = re.compile(r"^\s*(\d{4})(?:\s*[-/ ]?\s*[KkQq]\s*([1-4]))?\s*$")


class InvalidPeriod(ValueError):
    pass


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2100:
            raise InvalidPeriod(f"Jaar {self.year} ligt buiten 1900–2100.")
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise InvalidPeriod(f"Kwartaal {self.quarter} bestaat niet (1 t/m 4).")

    @classmethod
    def parse(cls, text: str | int | Period) -> Period:
        """Read ``2019``, ``"2024-K3"``, ``"2024 Q3"`` or ``"2024K3"``."""
        if isinstance(text, Period):
            return text
        match = _PERIOD_RE.match(str(text))
        if not match:
            raise InvalidPeriod(
                f"'{text}' is geen geldige periode: gebruik een jaar (2019) of kwartaal (2024-K3)."
            )
        year, quarter = match.groups()
        return cls(int(year), int(quarter) if quarter else None)

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def label(self) -> str:
        """How a Dutch reader writes it: ``2019`` or ``3e kwartaal 2024``."""
        return str(self.year) if self.quarter is None else f"{self.quarter}e kwartaal {self.year}"

    def __str__(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-K{self.quarter}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.year, self.quarter or 0) < (other.year, other.quarter or 0)
