"""From a parsed file's columns to indicators, through the indicators' aliases (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

_UNIT_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")
_EDITION_SUFFIX = re.compile(r"_\d+$")


def alias_key(text: str) -> str:
    """The form in which a column name and an alias are compared.

    Case, repeated spaces, a trailing unit in brackets (StatLine labels) and an OData edition
    suffix (``_72``) do not matter: ``HuishoudensMetEenLaagInkomen_72`` and
    ``huishoudensmeteenlaaginkomen`` are the same column.
    """
    text = _UNIT_SUFFIX.sub("", str(text))
    text = " ".join(text.split()).casefold()
    return _EDITION_SUFFIX.sub("", text)


def alias_index(indicators: Iterable[tuple[int, str, list[str]]]) -> dict[str, int]:
    """``{alias_key: indicator_id}`` from ``(id, code, aliases)``; the code is an alias too."""
    index: dict[str, int] = {}
    for indicator_id, code, aliases in indicators:
        for alias in (code, *aliases):
            index.setdefault(alias_key(alias), indicator_id)
    return index


def map_columns(values: pd.DataFrame, index: dict[str, int]) -> pd.DataFrame:
    """Add ``indicator_id`` to a long frame with ``column`` (and ``key``); unmatched get NA."""

    def lookup(series: pd.Series) -> pd.Series:
        # Match each distinct name once: a national file has millions of cells, few columns.
        table = {name: index.get(alias_key(name)) for name in series.unique()}
        return series.map(table)

    by_key = lookup(values["key"]) if "key" in values else None
    by_column = lookup(values["column"])
    mapped = values.copy()
    ids = by_column if by_key is None else by_key.fillna(by_column)
    mapped["indicator_id"] = ids.astype("Int64")
    return mapped
