"""Which column names an import accepts, and template files to fill in (pure: rows in, bytes out).

Generated from the indicator framework as it stands (the ``Indicator`` rows), so a new alias
or indicator shows on the upload page and in the templates at once. Templates are headed with
indicator codes (stable; names may be edited); the import accepts names and aliases as well.
A template may carry the regions of one municipality: cells left empty are simply missing, so
a half-filled template imports what was filled in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

LONG_HEADER = ("regiocode", "regionaam", "indicator", "periode", "waarde")
WIDE_HEADER = ("regiocode", "regionaam", "periode")


@dataclass(frozen=True)
class GuideRow:
    """One indicator as the upload page lists it."""

    code: str
    name: str
    unit: str
    role: str  # the condition's Dutch label, or context
    aliases: tuple[str, ...]
    derived: bool  # computed from other indicators: not a column to fill


@dataclass(frozen=True)
class TemplateRegion:
    code: str
    name: str


@dataclass(frozen=True)
class TemplateKind:
    slug: str  # in the URL
    label: str
    layout: str  # "long" or "wide"
    extension: str  # "csv" or "xlsx"

    @property
    def file_name(self) -> str:
        return f"sjabloon-{'lang' if self.layout == 'long' else 'breed'}.{self.extension}"


TEMPLATE_KINDS = (
    TemplateKind("breed-csv", "Breed, CSV (één kolom per indicator)", "wide", "csv"),
    TemplateKind("breed-xlsx", "Breed, Excel (één kolom per indicator)", "wide", "xlsx"),
    TemplateKind("lang-csv", "Lang, CSV (één regel per waarde)", "long", "csv"),
    TemplateKind("lang-xlsx", "Lang, Excel (één regel per waarde)", "long", "xlsx"),
)
TEMPLATE_BY_SLUG = {kind.slug: kind for kind in TEMPLATE_KINDS}


def readable(rows: list[GuideRow]) -> list[GuideRow]:
    """The indicators a file may hold (derived ones are computed, never read)."""
    return [row for row in rows if not row.derived]


def template_rows(
    layout: str, indicators: list[GuideRow], regions: list[TemplateRegion]
) -> list[list[str]]:
    """The template as rows of text: a header, then one empty row per region (wide) or per
    region and indicator (long), to be filled in."""
    codes = [row.code for row in readable(indicators)]
    if layout == "wide":
        return [
            [*WIDE_HEADER, *codes],
            *([r.code, r.name, ""] + [""] * len(codes) for r in regions),
        ]
    return [
        list(LONG_HEADER),
        *([r.code, r.name, code, "", ""] for r in regions for code in codes),
    ]


def template_csv(rows: list[list[str]]) -> bytes:
    """CSV as Dutch Excel opens it: semicolons, UTF-8 with BOM, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(rows: list[list[str]], indicators: list[GuideRow]) -> bytes:
    """A workbook: the sheet to fill in first, the list of indicators and their names second
    (the importer reads the sheet with region codes, so the list never gets in the way)."""
    import openpyxl  # only templates and exports need it
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Gegevens"
    _put_rows(sheet, rows)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Indicatoren")
    _put_rows(
        guide,
        [
            ["code", "naam", "eenheid", "conditie", "andere kolomnamen"],
            *(
                [row.code, row.name, row.unit, row.role, "; ".join(row.aliases)]
                for row in readable(indicators)
            ),
        ],
    )
    for table in (sheet, guide):
        for cell in table[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _put_rows(sheet, rows: list[list[str]]) -> None:
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            if value:
                cell = sheet.cell(row=number, column=column)
                cell.value = value
                cell.data_type = "s"  # after the value: "=..." stays text, never a formula


def template_file(
    kind: TemplateKind, indicators: list[GuideRow], regions: list[TemplateRegion]
) -> bytes:
    rows = template_rows(kind.layout, indicators, regions)
    if kind.extension == "csv":
        return template_csv(rows)
    return template_xlsx(rows, indicators)
