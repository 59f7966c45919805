"""From a parsed file's columns to indicators, through the indicators' aliases (pure).

One CBS figure has several names: the OData key with an edition suffix
(``HuishoudensMetEenLaagInkomen_78``), the short name of the Excel edition (``p_hh_lkk``), the
StatLine label (``Inkomen/Inkomen van huishoudens/Huishoudens met een laag inkomen (%)``), and that
label as R's ``write.csv`` rewrote it, with a dot for every space, slash and bracket
(``Inkomen.Inkomen.van.huishoudens.Huishoudens.met.een.laag.inkomen....``). A column is matched
exactly first (:func:`alias_key`) and, failing that, ignoring punctuation and spaces
(:func:`loose_key`), but only where that loose form points at one indicator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

_UNIT_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")
_EDITION_SUFFIX = re.compile(r"_\d+$")

# The units CBS puts in brackets behind a StatLine label, as R's make.names writes them: every
# character that is not a letter or digit becomes a dot ("(x 1 000 euro)" -> "x.1.000.euro.",
# "(aantal inwoners per km²)" -> "aantal.inwoners.per.km..", "(%)" -> "...").
_R_UNITS = (
    r"aantal\.inwoners\.per\.km",
    r"per\.1\.000\.inwoners",
    r"x\.1\.000\.euro",
    r"per\.huishouden",
    r"per\.km",
    r"aantal",
    r"omschrijving",
    r"naam",
    r"code",
    r"kwh",
    r"km",
    r"ha",
    r"m",
)
_R_UNIT_SUFFIX = re.compile(
    r"(?:\.{2,3}(?:" + "|".join(_R_UNITS) + r")\.{1,2}|\.{4,5})$", re.IGNORECASE
)
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def _is_r_label(text: str) -> bool:
    return " " not in text and ".." in text


def alias_key(text: str) -> str:
    """The form in which a column name and an alias are compared exactly.

    Case, repeated spaces, a trailing unit in brackets (StatLine labels) or in R's dotted form
    (``..aantal.``, ``...x.1.000.euro.``, ``....`` for ``(%)``) and an OData edition suffix
    (``_72``) do not matter: ``HuishoudensMetEenLaagInkomen_72`` and
    ``huishoudensmeteenlaaginkomen`` are the same column.
    """
    text = str(text).replace("\ufeff", "").strip()
    text = _R_UNIT_SUFFIX.sub("", text) if _is_r_label(text) else _UNIT_SUFFIX.sub("", text)
    text = " ".join(text.split()).casefold()
    return _EDITION_SUFFIX.sub("", text)


def loose_key(text: str) -> str:
    """:func:`alias_key` without punctuation and spaces: how a StatLine label and its R rewrite
    (``Nabijheid voorzieningen/Afstand tot school`` and ``Nabijheid.voorzieningen.Afstand.tot.
    school..km.``) meet. Letters with accents stay (R keeps them: ``Wmo.cliënten``)."""
    return _NOT_ALPHANUMERIC.sub("", alias_key(text))


def alias_index(indicators: Iterable[tuple[int, str, list[str]]]) -> dict[str, int]:
    """``{alias_key: indicator_id}`` from ``(id, code, aliases)``; the code is an alias too."""
    index: dict[str, int] = {}
    for indicator_id, code, aliases in indicators:
        for alias in (code, *aliases):
            index.setdefault(alias_key(alias), indicator_id)
    return index


def loose_index(index: dict[str, int]) -> dict[str, int | None]:
    """``{loose_key: indicator_id}`` from an :func:`alias_index`; ``None`` where two indicators
    share a loose form (then only an exact match counts)."""
    loose: dict[str, int | None] = {}
    for key, indicator_id in index.items():
        name = loose_key(key)
        loose[name] = indicator_id if loose.get(name, indicator_id) == indicator_id else None
    return loose


def match_column(name: str, index: dict[str, int], loose: dict[str, int | None]) -> int | None:
    """The indicator a column name means: exact alias first, then the unambiguous loose form."""
    found = index.get(alias_key(name))
    if found is None:
        found = loose.get(loose_key(name))
    return found


def map_columns(values: pd.DataFrame, index: dict[str, int]) -> pd.DataFrame:
    """Add ``indicator_id`` to a long frame with ``column`` (and ``key``); unmatched get NA.

    The parser's ``key`` (an OData key, a label without its unit) is tried before the raw column
    name; each is tried exactly and then loosely (see :func:`match_column`).
    """
    loose = loose_index(index)

    def lookup(series: pd.Series) -> pd.Series:
        # Match each distinct name once: a national file has millions of cells, few columns.
        table = {name: match_column(name, index, loose) for name in series.unique()}
        return series.map(table)

    by_key = lookup(values["key"]) if "key" in values else None
    by_column = lookup(values["column"])
    mapped = values.copy()
    ids = by_column if by_key is None else by_key.fillna(by_column)
    mapped["indicator_id"] = ids.astype("Int64")
    return mapped
