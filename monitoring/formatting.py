"""Numbers the Dutch way: decimal comma, dot between thousands (pure, no Django)."""

from __future__ import annotations

import math


def nl_number(value: float | int | None, decimals: int = 0, *, missing: str = "–") -> str:
    """``1234.5`` → ``"1.234,5"`` (``decimals=1``); ``None``/NaN → ``missing``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def decimals_for_unit(unit: str) -> int:
    """Counts have no decimals; percentages, rates and amounts have one."""
    return 0 if unit in ("aantal", "inwoners/km²", "1–5") else 1
