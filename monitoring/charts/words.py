"""The words around a chart: signed changes, points, the one-sentence score summary."""

from __future__ import annotations

from monitoring.formatting import nl_number


def points(value: float, decimals: int = 0) -> str:
    text = nl_number(abs(value), decimals)
    return f"{text} punt" if text == "1" else f"{text} punten"


def signed(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    rounded = round(value, decimals)
    sign = "+" if rounded > 0 else "−" if rounded < 0 else "±"
    return f"{sign}{nl_number(abs(value), decimals)}"


# Differences of fewer points than this (half a standard deviation) are "rond het gemiddelde".
AROUND_AVERAGE_POINTS = 5


def score_sentence(
    *,
    condition_name: str,
    value: float | None,
    status: str,
    municipal: float | None,
    previous: float | None,
    previous_period: str | None,
    area_word: str = "gemeentelijk gemiddelde",
) -> str:
    """E.g. "Sociale cohesie: 94, 6 punten onder het gemeentelijk gemiddelde, gedaald sinds 2019"."""
    if value is None:
        return f"{condition_name}: {status or 'onvoldoende gegevens'}."
    parts = [f"{condition_name}: {nl_number(value)}"]
    if municipal is not None:
        diff = round(value) - round(municipal)
        if diff == 0:
            parts.append(f"gelijk aan het {area_word}")
        elif abs(diff) < AROUND_AVERAGE_POINTS:
            # Within half a standard deviation: no page says "onder het gemiddelde" for a
            # difference that the margin of a small ward's score (often ±5) can explain.
            parts.append(
                f"rond het {area_word} ({points(diff)} {'erboven' if diff > 0 else 'eronder'})"
            )
        else:
            parts.append(f"{points(diff)} {'boven' if diff > 0 else 'onder'} het {area_word}")
    if previous is not None and previous_period:
        change = round(value) - round(previous)
        if change > 0:
            parts.append(f"gestegen sinds {previous_period} ({signed(change)})")
        elif change < 0:
            parts.append(f"gedaald sinds {previous_period} ({signed(change)})")
        else:
            parts.append(f"gelijk gebleven sinds {previous_period}")
    return ", ".join(parts) + "."
