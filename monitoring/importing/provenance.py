"""Where a figure came from, and why one is missing: pure functions on a parsed file.

CBS marks a cell without a figure with a symbol. ``x`` (older tables) is *geheim*: suppressed
for privacy or because too few observations make it unreliable. ``.`` means "gegevens
ontbreken", which covers both a suppressed cell and a figure CBS has not published yet: the
Kerncijfers wijken en buurten of a year first appear without, for example, the income figures,
which are added a year or more later. Showing every "." as "geheim" tells a council that a ward
hides something when CBS simply has not published the figure.

The rule: a "." in a column that has no figure for any area of that period in the file is *niet
beschikbaar* (not yet published, or not published for this level); a "." beside figures of other
areas is *geheim* (the other areas have one, so CBS withheld this one). ``x`` is always geheim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SECRET = "geheim"
UNAVAILABLE = "niet_beschikbaar"
SECRET_SYMBOLS = frozenset({"x", "X", "×"})

REASON_TEXT = {
    SECRET: (
        "geheim: CBS toont dit cijfer niet, omdat het te weinig inwoners of waarnemingen telt "
        "(privacy of betrouwbaarheid)"
    ),
    UNAVAILABLE: (
        "niet beschikbaar: CBS heeft dit cijfer voor deze periode (nog) niet gepubliceerd; het "
        "bestand heeft voor geen enkel gebied een waarde"
    ),
}

# Period sources (importing.formats.common.choose_period) that infer the period instead of
# reading it from the file or from the person importing.
INFERRED_PERIOD_TEXT = {
    "bestandsnaam": "periode afgeleid uit de bestandsnaam, niet in het bestand vermeld",
    "afgeleid": "periode afgeleid, niet in het bestand vermeld",
}


def missing_reasons(values: pd.DataFrame) -> np.ndarray:
    """Per row of a parsed file's ``values`` (``column``, ``period``, ``value``, ``suppressed``,
    ``raw``): ``"geheim"``, ``"niet_beschikbaar"`` or ``""`` (a figure, or simply empty)."""
    n = len(values)
    reasons = np.full(n, "", dtype=object)
    if n == 0:
        return reasons
    suppressed = values["suppressed"].fillna(False).astype(bool).to_numpy()
    raw = values["raw"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
    has_value = values["value"].notna().to_numpy()
    period = (
        values["period"].fillna("").astype(str)
        if "period" in values.columns
        else pd.Series("", index=values.index)
    )
    column_has_values = (
        pd.Series(has_value, index=values.index)
        .groupby([values["column"].astype(str), period])
        .transform("any")
        .to_numpy(dtype=bool)
    )
    symbol_secret = np.isin(raw, list(SECRET_SYMBOLS))
    reasons[suppressed & (symbol_secret | column_has_values)] = SECRET
    reasons[suppressed & ~symbol_secret & ~column_has_values] = UNAVAILABLE
    return reasons


def reason_text(reason: str) -> str:
    return REASON_TEXT.get(reason, "")


def is_inferred_period(period_source: str | None) -> bool:
    return (period_source or "") in INFERRED_PERIOD_TEXT
