"""From a parsed file's columns to indicators, through the indicators' aliases (pure).

One CBS figure has several names: the OData key with an edition suffix
(``HuishoudensMetEenLaagInkomen_78``), the short name of the Excel edition (``p_hh_lkk``), the
StatLine label (``Inkomen/Inkomen van huishoudens/Huishoudens met een laag inkomen (%)``), and that
label as R's ``write.csv`` rewrote it, with a dot for every space, slash and bracket
(``Inkomen.Inkomen.van.huishoudens.Huishoudens.met.een.laag.inkomen....``). A column is matched
exactly first (:func:`alias_key`) and, failing that, ignoring punctuation and spaces
(:func:`loose_key`), but only where that loose form points at one indicator.

Administrators head their own files with what the app shows: an indicator's Dutch name
(``Volwassenen (ernstig) eenzaam``) or its code (``coh_eenzaam``). :func:`column_index` adds the
names, matched whole or without a unit in brackets, never loosely.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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


# Names are looked up apart from codes and aliases, and never loosely: a loose name would meet
# OData keys of other figures ("Jongeren met jeugdzorg in natura", a share, is also the key
# JongerenMetJeugdzorgInNatura, a count). Their keys carry a prefix, so they never meet alias
# keys: whole names (unit in brackets included) and names without their unit.
_WHOLE = "\x00"
_NAME = "\x01"


def name_key(text: str) -> str:
    """A name as the app shows it, compared whole: case and spaces do not matter, a unit in
    brackets does (``Inwoners met een laag opleidingsniveau (aantal)`` is a count, the same
    name without ``(aantal)`` is the share computed from it)."""
    return _WHOLE + " ".join(str(text).replace("\ufeff", "").split()).casefold()


def is_name_key(key: str) -> bool:
    """True for the keys :func:`column_index` holds names under (never matched loosely)."""
    return key.startswith((_WHOLE, _NAME))


def _bare_name_key(text: str) -> str:
    return _NAME + alias_key(text)


@dataclass(frozen=True)
class IndicatorNames:
    """What a column may be headed with for one indicator."""

    id: int
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    derived: bool = False  # computed from other indicators: never read from a file


def column_index(indicators: Iterable[IndicatorNames]) -> dict[str, int | None]:
    """``{key: indicator_id}`` for every header an indicator may have: its code, its aliases and
    its Dutch name (whole, and without a unit in brackets). ``None`` blocks a key: the code and
    the name of a derived indicator (computed, never read: a column with its name holds a share
    that must not land in the count it is computed from), and a name two indicators share.
    See :func:`match_column` for the order in which they are tried.
    """
    items = list(indicators)
    index: dict[str, int | None] = {}
    for item in items:
        if not item.derived:
            for alias in (item.code, *item.aliases):
                index.setdefault(alias_key(alias), item.id)
    # Derived indicators first, so that their names block rather than lead.
    for item in sorted(items, key=lambda i: not i.derived):
        if item.derived:
            index[alias_key(item.code)] = None
        if not item.name:
            continue
        for key in (name_key(item.name), _bare_name_key(item.name)):
            if item.derived:
                index[key] = None
            elif index.get(key, item.id) != item.id:
                index[key] = None  # two indicators with one name: neither by name
            else:
                index[key] = item.id
    return index


def derived_of_column(name: str, indicators: Iterable[IndicatorNames]) -> IndicatorNames | None:
    """The derived indicator a column is headed with (its code or name), if any: such a column
    is not read, and the preview says why."""
    keys = {name_key(name), alias_key(name), _bare_name_key(name)}
    for item in indicators:
        if item.derived and keys & {
            alias_key(item.code),
            name_key(item.name),
            _bare_name_key(item.name),
        }:
            return item
    return None


def loose_index(index: dict[str, int | None]) -> dict[str, int | None]:
    """``{loose_key: indicator_id}`` from an :func:`alias_index`; ``None`` where two indicators
    share a loose form (then only an exact match counts)."""
    loose: dict[str, int | None] = {}
    for key, indicator_id in index.items():
        if is_name_key(key):
            continue  # names are never matched loosely
        name = loose_key(key)
        loose[name] = indicator_id if loose.get(name, indicator_id) == indicator_id else None
    return loose


_MISSING = object()


def match_column(
    name: str, index: dict[str, int | None], loose: dict[str, int | None]
) -> int | None:
    """The indicator a column name means: its whole name first, then the exact alias (or
    code), then the name without its unit, then the unambiguous loose form of an alias. A key
    that is blocked (``None``) ends the search."""
    for key in (name_key(name), alias_key(name), _bare_name_key(name)):
        found = index.get(key, _MISSING)
        if found is not _MISSING:
            return found
    return loose.get(loose_key(name))


def map_columns(values: pd.DataFrame, index: dict[str, int | None]) -> pd.DataFrame:
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
