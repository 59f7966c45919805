"""What every import format shares: the result types, the error, and cleaning of codes,
numbers, headers and periods. Pure: no Django, no database.

A format module (``odata``, ``statline``, ...) turns a grid of text fields into a
``ParsedTable``; the rules in this module are the ones that must be the same whatever the format:
what counts as a region code, which spellings of a number are read and which tokens mean
"missing" or "secret", how a header is checked and where a file's period comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Since 2022 CBS uses letters in the last positions of new wijk/buurt codes (WK0363AA, BU0363AA01).
REGION_CODE_RE = re.compile(r"^(?:NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
LEVEL_BY_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
LEVEL_BY_SOORT = {
    "land": "land",
    "nederland": "land",
    "gemeente": "gemeente",
    "wijk": "wijk",
    "buurt": "buurt",
}

# CBS statistical symbols: "." = missing or secret, "x"/"×" = secret in older tables.
SUPPRESSED_TOKENS = frozenset({".", "x", "X", "×"})
# Empty and R/pandas "not available" spellings: missing, but nobody marked them as secret.
EMPTY_TOKENS = frozenset({"", "NA", "NaN", "nan", "N/A", "n/a", "#N/A"})

MAX_PROBLEMS_PER_KIND = 1000  # a totally wrong file should not produce a million problem rows


class ImportFileError(Exception):
    """The whole file is unusable; ``message`` is Dutch and shown to the admin as is.

    ``unexpected`` is True only when the error wraps a bug in this module (a Python exception we
    did not foresee); the property tests assert that this never happens.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        unexpected: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.unexpected = unexpected

    def __str__(self) -> str:
        return self.message


@dataclass
class CellProblem:
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return self.reason  # the reason already starts with "Regel N[, kolom X]: "


@dataclass
class ParsedTable:
    format: str
    period: str | None
    regions: pd.DataFrame
    values: pd.DataFrame
    problems: list[CellProblem] = field(default_factory=list)
    metadata_columns: list[str] = field(default_factory=list)
    # One row per data column: column (as in the file), key (matching key), label (full label,
    # whitespace normalised), unit ("" when the file gives none).
    columns: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    # Columns left out because not one of their cells is a number (names, postcodes as text...).
    text_columns: list[str] = field(default_factory=list)
    period_source: str | None = None  # "kolom" | "titel" | "bestandsnaam" | "opgegeven" | None
    encoding: str = "utf-8"
    delimiter: str | None = None

    @property
    def value_count(self) -> int:
        """Number of cells with a number (what an import would store at most)."""
        return int(self.values["value"].notna().sum())


REGION_COLUMNS = ["code", "name", "level", "municipality_name", "line"]
VALUE_COLUMNS = ["code", "column", "key", "period", "value", "suppressed", "line", "raw"]


# --------------------------------------------------------------------------------------------
# Keys, ranges
# --------------------------------------------------------------------------------------------

_EDITION_RE = re.compile(r"^(?P<base>.*[^_\d].*?)_(?P<num>\d+)$")


def edition_key(column: str) -> str:
    """Strip the per-edition ``_NN`` suffix of a CBS OData key.

    ``HuishoudensMetEenLaagInkomen_72`` -> ``HuishoudensMetEenLaagInkomen``;
    ``k_65JaarOfOuder_12`` -> ``k_65JaarOfOuder``. Only the last ``_digits`` goes, and only when
    something that is not just ``k`` (CBS's prefix for keys starting with a digit) remains.
    """
    col = column.strip()
    match = _EDITION_RE.match(col)
    if not match:
        return col
    base = match.group("base")
    if base in {"k", "K"} or not base:
        return col
    return base


def normalise_period(value: str) -> str:
    """CBS period codes ``2019JJ00`` mean the year 2019; labels are already ``2019``."""
    text = " ".join(str(value).split())
    match = re.fullmatch(r"(\d{4})JJ00", text)
    if match:
        return match.group(1)
    match = re.fullmatch(r"(\d{4})\*{0,2}", text)  # "2023*" = voorlopig cijfer
    if match:
        return match.group(1)
    return text


def range_problems(
    values: pd.DataFrame, limits: dict[str, tuple[float | None, float | None]]
) -> list[CellProblem]:
    """Cells outside ``limits[key] = (low, high)`` (inclusive; None = open), as problems.

    Pure and vectorised: the importer supplies limits from the indicator definitions (for example
    ``(0, 100)`` for a percentage) because this module does not know what a column means.
    """
    problems: list[CellProblem] = []
    if values.empty or not limits:
        return problems
    for key, (low, high) in limits.items():
        sub = values[values["key"] == key]
        if sub.empty:
            continue
        nums = sub["value"]
        bad = pd.Series(False, index=sub.index)
        if low is not None:
            bad |= nums < low
        if high is not None:
            bad |= nums > high
        for row in sub[bad].itertuples(index=False):
            problems.append(
                CellProblem(
                    line=int(row.line),
                    column=str(row.column),
                    value=str(row.raw),
                    reason=(
                        f"Regel {int(row.line)}, kolom {row.column}: {row.raw} ligt buiten het "
                        f"toegestane bereik ({_fmt_limit(low)} tot en met {_fmt_limit(high)})."
                    ),
                )
            )
    problems.sort(key=lambda p: (p.line, p.column))
    return problems


def _fmt_limit(limit: float | None) -> str:
    if limit is None:
        return "onbeperkt"
    return f"{limit:g}".replace(".", ",")


# --------------------------------------------------------------------------------------------
# Headers and region codes
# --------------------------------------------------------------------------------------------

CODE_HEADERS = {
    "code",
    "regiocode",
    "regio_code",
    "regio",
    "gebied",
    "gebiedcode",
    "gebiedscode",
    "gebied_code",
    "wijkcode",
    "buurtcode",
    "gemeentecode",
    "gwb_code",
    "gwb_code_10",
    "statcode",
    "region",
    "region_code",
    "regioncode",
    "wijkenenbuurten",
    "codering",
    "cbs_code",
    "cbscode",
}
NAME_HEADERS = {
    "naam",
    "regionaam",
    "regio_naam",
    "gebiedsnaam",
    "gebiednaam",
    "gebied_naam",
    "wijknaam",
    "buurtnaam",
    "statnaam",
    "name",
    "omschrijving",
    "wijken en buurten",
}
INDICATOR_HEADERS = {
    "indicator",
    "indicatorcode",
    "indicator_code",
    "indicatorsleutel",
    "variabele",
    "kenmerk",
    "onderwerp",
    "sleutel",
    "key",
}
PERIOD_HEADERS = {"periode", "perioden", "jaar", "period", "year", "peiljaar", "jaartal"}
VALUE_HEADERS = {"waarde", "value", "getal", "score", "cijfer"}


def norm_header(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).strip().lower()


def mostly_codes(column: pd.Series) -> bool:
    sample = column.head(500).str.strip().str.upper()
    sample = sample[sample != ""]
    if sample.empty:
        return False
    return bool(sample.str.fullmatch(REGION_CODE_RE.pattern).mean() >= 0.5)


def code_column_by_content(header: list[str], frame: pd.DataFrame) -> str | None:
    for h in header:
        if mostly_codes(frame[h]):
            return h
    return None


def row_preview(row: list[str]) -> str:
    text = ";".join(c.strip() for c in row)
    return text if len(text) <= 120 else text[:117] + "..."


def check_header(header: list[str], first_line: int) -> list[str]:
    header = [h.replace("\ufeff", "") for h in header]
    # A trailing empty header (line ending in a delimiter) is not a column anybody meant.
    while len(header) > 1 and not header[-1].strip():
        header = header[:-1]
    seen: dict[str, int] = {}
    for i, h in enumerate(header, start=1):
        key = h.strip()
        if key and key in seen:
            raise ImportFileError(
                f"Regel {first_line}: kolom '{key}' komt twee keer voor in de kop "
                f"(kolom {seen[key]} en {i}).",
                line=first_line,
                column=key,
            )
        seen[key] = i
    return header


# --------------------------------------------------------------------------------------------
# Numbers: text -> float, vectorised
# --------------------------------------------------------------------------------------------

_DECIMAL_COMMA = r"[+-]?\d*,\d+"
_NL_THOUSANDS = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"
_EN_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_DOT_THOUSANDS = r"[+-]?\d{1,3}(?:\.\d{3})+"


@dataclass
class Cells:
    values: np.ndarray  # float64, NaN where missing or not a number
    suppressed: np.ndarray  # bool: CBS "." / "x"
    bad: np.ndarray  # bool: text that is no number (report it)
    formula: np.ndarray  # bool: starts with "=" (subset of bad)
    missing: np.ndarray  # bool: empty, ".", NA...


def convert_numbers(raw: np.ndarray) -> Cells:
    """Vectorised text -> float for one column (or one long value column) of stripped text.

    Fast path: numpy's own float conversion over the whole column, after blanking the
    missing tokens; that covers CBS OData and most files. Only if it fails do the slower
    pandas/regex steps run, and the regexes only see the cells that failed: decimal comma
    (``2,2``), Dutch thousands (``1.234,5``), English thousands (``1,234.5``). When a column uses
    the decimal comma, ``1.234`` in that column is a thousands separator too.
    """
    suppressed = np.zeros(len(raw), dtype=bool)
    for token in SUPPRESSED_TOKENS:  # element-wise == on the object array: C speed
        suppressed |= raw == token
    missing = suppressed | (raw == "")
    work = np.array(raw, dtype=object, copy=True)
    work[missing] = np.nan
    n = len(raw)
    try:
        values = np.array(work, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        values = None
    if values is not None:
        # float() also accepts "nan"/"inf": "nan" spellings are empty cells, infinity is bad.
        text_nan = np.isnan(values) & ~missing
        missing |= text_nan
        bad = np.isinf(values)
        values[bad] = np.nan
        return Cells(values, suppressed, bad, np.zeros(n, dtype=bool), missing)

    series = pd.Series(work, dtype=object)
    # Copy: pandas (copy-on-write) may hand out a read-only view.
    values = np.array(
        pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan),
        dtype=np.float64,
        copy=True,
    )
    values[np.isinf(values)] = np.nan
    failed = np.isnan(values) & ~missing
    idx = np.flatnonzero(failed)
    sub = pd.Series(raw[idx], dtype=object)
    empty_token = sub.isin(EMPTY_TOKENS).to_numpy()
    comma = sub.str.fullmatch(_DECIMAL_COMMA).to_numpy(dtype=bool, na_value=False)
    nl = sub.str.fullmatch(_NL_THOUSANDS).to_numpy(dtype=bool, na_value=False) & ~comma
    converted = np.zeros(len(idx), dtype=bool)
    if comma.any():
        values[idx[comma]] = pd.to_numeric(
            sub[comma].str.replace(",", ".", regex=False), errors="coerce"
        ).to_numpy(dtype=np.float64, na_value=np.nan)
        converted |= comma
    if nl.any():
        values[idx[nl]] = pd.to_numeric(
            sub[nl].str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
            errors="coerce",
        ).to_numpy(dtype=np.float64, na_value=np.nan)
        converted |= nl
    if comma.any() or nl.any():
        # This column writes decimals with a comma, so "1.234" here means 1234.
        whole = pd.Series(raw, dtype=object)
        thousands = whole.str.fullmatch(_DOT_THOUSANDS).to_numpy(dtype=bool, na_value=False)
        if thousands.any():
            values[thousands] = pd.to_numeric(
                whole[thousands].str.replace(".", "", regex=False), errors="coerce"
            ).to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        en = sub.str.fullmatch(_EN_THOUSANDS).to_numpy(dtype=bool, na_value=False)
        if en.any():
            values[idx[en]] = pd.to_numeric(
                sub[en].str.replace(",", "", regex=False), errors="coerce"
            ).to_numpy(dtype=np.float64, na_value=np.nan)
            converted |= en
    missing[idx[empty_token]] = True
    bad = np.zeros(n, dtype=bool)
    bad[idx[~converted & ~empty_token]] = True
    formula = np.zeros(n, dtype=bool)
    if bad.any():
        formula[bad] = pd.Series(raw[bad], dtype=object).str.startswith("=").to_numpy(dtype=bool)
    values[bad | missing] = np.nan
    return Cells(values, suppressed, bad, formula, missing)


def cell_problem(line: int, column: str, text: str, is_formula: bool) -> CellProblem:
    if is_formula:
        reason = (
            f"Regel {line}, kolom {column}: '{_short(text)}' is een formule; die wordt niet "
            "uitgerekend en als tekst bewaard."
        )
    else:
        reason = f"Regel {line}, kolom {column}: '{_short(text)}' is geen getal."
    return CellProblem(line, column, text, reason)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------------------------
# Period from file name / title
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# The period of a file: given, from the title, or from the file name
# --------------------------------------------------------------------------------------------

_FILENAME_YEAR_RE = re.compile(
    r"(?:kwb|kerncijfers[_ -]wijken[_ -]en[_ -]buurten)[_ -]?((?:19|20)\d{2})", re.IGNORECASE
)


def _period_from_filename(filename: str) -> str | None:
    """``kwb-2023.xlsx``, ``kwb2019_...csv``, ``nabijheid_buurt_2023_utrecht.csv`` -> the year.

    A CBS name (kwb, kerncijfers) wins; otherwise exactly one distinct stand-alone year must
    appear, so ``export_20240131`` or ``2019-2021`` give nothing.
    """
    base = re.split(r"[\\/]", filename)[-1]
    match = _FILENAME_YEAR_RE.search(base)
    if match:
        return match.group(1)
    years = set(re.findall(r"(?<![\dA-Za-z])((?:19|20)\d{2})(?!\d)", base))
    return years.pop() if len(years) == 1 else None


def period_from_title(title: str) -> str | None:
    years = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", title)
    return years[-1] if years else None


def choose_period(
    period: str | None, title_period: str | None, filename: str
) -> tuple[str | None, str | None]:
    if period is not None and str(period).strip():
        return normalise_period(str(period)), "opgegeven"
    if title_period:
        return title_period, "titel"
    from_name = _period_from_filename(filename)
    if from_name:
        return from_name, "bestandsnaam"
    return None, None
