"""The preview of an initiatives or reach file: what each line would do, or why it cannot.

Reads only (the file is parsed by the pure ``initiatives.tabular``; this module compares it with
the database). ``services.initiatives_import`` applies a file by making this preview again in
its transaction and refusing it when any line has a problem: all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from initiatives.models import Initiative, InitiativeReach
from initiatives.rules import FIELD_LABELS, Area, InitiativeRecord, record_problems
from initiatives.selectors import WARDS_PREFETCH, municipality_area, reach_record_of, record_of
from initiatives.tabular import ParsedFile, ReachRecord, parse_file
from monitoring.models import Level, Region

NEW, CHANGED, UNCHANGED = "nieuw", "gewijzigd", "ongewijzigd"


@dataclass
class PreviewLine:
    number: int
    record: Any  # InitiativeRecord or ReachRecord
    action: str
    changed: list[str] = field(default_factory=list)
    existing_id: int | None = None

    @property
    def changed_labels(self) -> str:
        return ", ".join(FIELD_LABELS.get(name, name) for name in self.changed)


@dataclass
class ImportPreview:
    kind: str
    lines: list[PreviewLine] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    ward_codes: list[str] = field(default_factory=list)
    initiative_ids: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.lines)

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action)

    @property
    def new_count(self) -> int:
        return self.count(NEW)

    @property
    def changed_count(self) -> int:
        return self.count(CHANGED)

    @property
    def unchanged_count(self) -> int:
        return self.count(UNCHANGED)

    @property
    def changes_anything(self) -> bool:
        return any(line.action != UNCHANGED for line in self.lines)

    @property
    def messages(self) -> list[str]:
        """Every problem as one Dutch sentence with its line."""
        return [
            f"Regel {line}: {message}" if line else message
            for line, message in sorted(self.problems, key=lambda p: p[0])
        ]


def import_preview(
    *, municipality: Region, data: bytes, filename: str, lock: bool = False
) -> ImportPreview:
    if lock:
        # One import per municipality at a time: a second confirm of the same file waits, then
        # finds every line unchanged, instead of tripping over the first one's new rows.
        Region.objects.select_for_update().filter(pk=municipality.pk).first()
    parsed = parse_file(data, filename)
    preview = ImportPreview(kind=parsed.kind, ignored_columns=parsed.ignored_columns)
    preview.problems = list(parsed.problems)
    if parsed.kind == "initiatieven":
        _initiatives(preview, parsed, municipality)
    else:
        _reach(preview, parsed, municipality)
    return preview


def _initiatives(preview: ImportPreview, parsed: ParsedFile, municipality: Region) -> None:
    known_codes = set(
        Region.objects.filter(
            municipality=municipality, level=Level.WIJK, last_year__isnull=True
        ).values_list("code", flat=True)
    )
    needs_area = any(r.latitude is not None for _, r in parsed.records)
    area = municipality_area(municipality) if needs_area else Area()
    existing = {
        i.name.strip().lower(): i
        for i in Initiative.objects.in_municipality(municipality).prefetch_related(WARDS_PREFETCH)
    }
    codes: set[str] = set()
    for number, record in parsed.records:
        record: InitiativeRecord = record.normalised()
        problems = record_problems(record, known_ward_codes=known_codes, area=area)
        if problems:
            for name, messages in problems.items():
                for message in messages:
                    preview.problems.append(
                        (number, f"kolom ‘{FIELD_LABELS.get(name, name)}’: {message}")
                    )
            continue
        codes |= set(record.ward_codes)
        current = existing.get(record.name.lower())
        if current is None:
            preview.lines.append(PreviewLine(number, record, NEW))
            continue
        changed = record_of(current).changed_fields(record)
        preview.lines.append(
            PreviewLine(number, record, CHANGED if changed else UNCHANGED, changed, current.pk)
        )
    preview.ward_codes = sorted(codes)


def _reach(preview: ImportPreview, parsed: ParsedFile, municipality: Region) -> None:
    ids = {
        name.strip().lower(): pk
        for pk, name in Initiative.objects.in_municipality(municipality).values_list("id", "name")
    }
    preview.initiative_ids = ids
    existing = {
        (reach.initiative_id, reach.period): reach
        for reach in InitiativeReach.objects.filter(initiative__municipality=municipality)
    }
    for number, record in parsed.records:
        record: ReachRecord
        pk = ids.get(record.initiative_name.strip().lower())
        if pk is None:
            preview.problems.append(
                (
                    number,
                    f"kolom ‘initiatief’: geen initiatief ‘{record.initiative_name}’ in "
                    f"{municipality.name}; lees eerst de initiatieven in, of controleer de naam.",
                )
            )
            continue
        if len(record.missed_note) > 500:
            preview.problems.append(
                (number, "kolom ‘toelichting niet bereikt’: te lang (hoogstens 500 tekens).")
            )
            continue
        current = existing.get((pk, record.period))
        if current is None:
            preview.lines.append(PreviewLine(number, record, NEW))
            continue
        before = reach_record_of(current, record.initiative_name)
        changed = [
            name
            for name in (
                "participants",
                "volunteers",
                "reached_groups",
                "missed_groups",
                "missed_note",
            )
            if _comparable(getattr(before, name)) != _comparable(getattr(record, name))
        ]
        preview.lines.append(
            PreviewLine(number, record, CHANGED if changed else UNCHANGED, changed, current.pk)
        )


def _comparable(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(value)
    if isinstance(value, str):
        return value.strip()
    return value
