"""Personal data in free text: find it before anything is written.

Observations are about the neighbourhood, never about a person. This guard refuses the hard
identifiers (a BSN that passes the eleven-test, phone numbers, e-mail addresses, IBANs, dates of
birth, a postcode with a house number). Pure: text in, findings out. The findings name the kind
and the field, never the text itself, so that a message or a log line cannot leak what was
refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn


class Kind(StrEnum):
    BSN = "bsn"
    PHONE = "telefoon"
    EMAIL = "email"
    IBAN = "iban"
    BIRTH_DATE = "geboortedatum"
    ADDRESS = "adres"


KIND_LABELS: dict[Kind, str] = {
    Kind.BSN: "een burgerservicenummer (BSN)",
    Kind.PHONE: "een telefoonnummer",
    Kind.EMAIL: "een e-mailadres",
    Kind.IBAN: "een bankrekeningnummer (IBAN)",
    Kind.BIRTH_DATE: "een geboortedatum",
    Kind.ADDRESS: "een adres (postcode met huisnummer)",
}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    field: str  # the field's label, as the form shows it
    position: int  # character offset (from 1), to help find it in a long text

    @property
    def message(self) -> str:
        return (
            f"{self.field}: hier staat {KIND_LABELS[self.kind]} (rond teken {self.position}). "
            "Een observatie gaat over de buurt, nooit over één persoon; haal het weg."
        )


_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
# Nine digits, alone or grouped as 123.456.789 / 123 45 6789 / 1234-56-789.
_NINE_DIGITS = re.compile(r"(?<![\d.,-])\d(?:[ .-]?\d){8}(?![\d]|[.,-]\d)")
# Dutch numbers: 0 + nine digits (mobile 06), or +31 / 0031; spaces, dashes, (0) allowed.
_PHONE_NL = re.compile(
    r"(?<![\w+])(?:(?:\+|00)31[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d){8}(?!\d)"
)
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\d){6,12}(?!\d)")
# Compact (NL91ABNA0417164300) or in groups of four (NL91 ABNA 0417 1643 00).
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}\b|(?: [A-Z0-9]{4}(?![A-Z0-9])){2,7}(?: [A-Z0-9]{1,3}\b)?)",
    re.IGNORECASE,
)
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DATE_WORDS = re.compile(rf"\b(\d{{1,2}})\s+(?:{_MONTHS})\.?\s+(\d{{4}})\b", re.IGNORECASE)
_DATE_ANY = re.compile(
    rf"\d{{1,2}}[-/.]\d{{1,2}}(?:[-/.]\d{{2,4}})?|\d{{1,2}}\s+(?:{_MONTHS})\b|\d{{4}}-\d{{1,2}}-\d{{1,2}}",
    re.IGNORECASE,
)
_BIRTH_WORDS = re.compile(
    r"\b(?:geboren|geb\.|geb\b|geboortedatum|geboortedag|geboorte|jarig|verjaardag|born|dob)",
    re.IGNORECASE,
)
# 1234 AB / 1234AB (capitals with or without a space) or 1234ab; SA, SD and SS are never used.
_POSTCODE = r"[1-9]\d{3}(?: ?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})"
_HOUSE_NUMBER = r"\d{1,5}(?: ?[a-zA-Z](?![a-zA-Z])|-\d{1,4})?"
_POSTCODE_THEN_NUMBER = re.compile(
    rf"\b{_POSTCODE}\b[ ,]*(?:(?:nr|nummer|huisnummer)\.?\s*)?{_HOUSE_NUMBER}\b"
)
_NUMBER_THEN_POSTCODE = re.compile(
    rf"\b[A-Za-zÀ-ÿ][\wÀ-ÿ'.-]+ {_HOUSE_NUMBER}\s*,?\s*{_POSTCODE}\b"
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def find_personal_data(
    text: str, *, field: str = "Tekst", today: date | None = None
) -> list[Finding]:
    """Every piece of hard personal data in ``text``, in the order it appears."""
    if not text:
        return []
    this_year = (today or date.today()).year
    found: list[tuple[int, Kind]] = []
    taken: list[tuple[int, int]] = []  # spans already explained, so one number is one finding

    def add(kind: Kind, match: re.Match[str]) -> None:
        start, end = match.span()
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append((start, kind))

    for match in _EMAIL.finditer(text):
        add(Kind.EMAIL, match)
    for match in _IBAN.finditer(text):
        if _valid_iban_prefix(match.group()):
            add(Kind.IBAN, match)
    for pattern in (_PHONE_NL, _PHONE_INTERNATIONAL):
        for match in pattern.finditer(text):
            add(Kind.PHONE, match)
    for match in _NINE_DIGITS.finditer(text):
        # An invalid nine-digit number (an order number, a count) is not a BSN.
        if stdnum_bsn.is_valid(_digits(match.group())):
            add(Kind.BSN, match)
    for pattern in (_POSTCODE_THEN_NUMBER, _NUMBER_THEN_POSTCODE):
        for match in pattern.finditer(text):
            add(Kind.ADDRESS, match)
    for match in _birth_dates(text, this_year):
        add(Kind.BIRTH_DATE, match)
    found.sort()
    return [Finding(kind, field, start + 1) for start, kind in found]


def _valid_iban_prefix(candidate: str) -> bool:
    """The candidate, or the candidate without its last groups (a word that happened to have
    four letters), is a valid IBAN."""
    groups = candidate.split(" ")
    return any(stdnum_iban.is_valid(" ".join(groups[:n])) for n in range(len(groups), 0, -1))


def _birth_dates(text: str, this_year: int):
    """A date next to a word about birth, or a full date too long ago to be an event that a
    quarterly observation would mention (more than twelve years back)."""
    for word in _BIRTH_WORDS.finditer(text):
        window_end = word.end() + 40
        match = _DATE_ANY.search(text, word.end(), window_end)
        if match:
            yield match
    for pattern, order in ((_DATE_NUMERIC, "dmy"), (_DATE_WORDS, "dy"), (_DATE_ISO, "ymd")):
        for match in pattern.finditer(text):
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            year = parts["y"]
            if year < 100:
                year += 1900 if year > this_year % 100 else 2000
            if _is_date(year, parts.get("m", 1), parts["d"]) and year <= this_year - 12:
                yield match


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def check_fields(fields: dict[str, str], *, today: date | None = None) -> list[Finding]:
    """Findings for several fields at once: {label: text}."""
    return [
        finding
        for label, text in fields.items()
        for finding in find_personal_data(text, field=label, today=today)
    ]
