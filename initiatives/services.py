"""Writes of initiatives and their reach: keyword-only, typed, atomic.

The rules are checked here too (``initiatives.rules``), not only in the form: a command or an
import cannot store what the screen would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from initiatives.importing import ImportPreview, import_preview
from initiatives.models import Initiative, InitiativeReach
from initiatives.rules import Area, InitiativeRecord, record_problems
from initiatives.selectors import municipality_area, wards_by_code
from initiatives.tabular import ReachRecord
from monitoring.models import Region
from monitoring.services.data_version import bumps_data_version


class InitiativeInvalid(ValueError):
    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__(" ".join(m for messages in problems.values() for m in messages))


class ImportRefused(ValueError):
    def __init__(self, preview: ImportPreview):
        self.preview = preview
        super().__init__(f"{len(preview.problems)} problemen; niets ingelezen.")


def _checked(municipality: Region, record: InitiativeRecord) -> tuple[InitiativeRecord, list]:
    record = record.normalised()
    wards = wards_by_code(municipality, record.ward_codes)
    problems = record_problems(
        record,
        known_ward_codes={w.code for w in wards},
        area=municipality_area(municipality) if record.latitude is not None else Area(),
    )
    if problems:
        raise InitiativeInvalid(problems)
    return record, wards


def _fill(initiative: Initiative, record: InitiativeRecord) -> None:
    for name in (
        "name",
        "kind",
        "description",
        "conditions",
        "target_groups",
        "partner_kinds",
        "start_date",
        "end_date",
        "status",
        "funding",
        "funding_until",
        "funder",
        "contact_organisation",
        "contact_email",
        "contact_phone",
        "website",
        "latitude",
        "longitude",
        "is_example",
    ):
        setattr(initiative, name, getattr(record, name))


@bumps_data_version
@transaction.atomic
def initiative_create(*, municipality: Region, record: InitiativeRecord) -> Initiative:
    record, wards = _checked(municipality, record)
    if Initiative.objects.filter(municipality=municipality, name__iexact=record.name).exists():
        raise InitiativeInvalid({"name": [f"Er is al een initiatief ‘{record.name}’."]})
    initiative = Initiative(municipality=municipality)
    _fill(initiative, record)
    initiative.save()
    initiative.wards.set(wards)
    return initiative


@bumps_data_version
@transaction.atomic
def initiative_update(*, initiative: Initiative, record: InitiativeRecord) -> Initiative:
    record, wards = _checked(initiative.municipality, record)
    clash = (
        Initiative.objects.filter(municipality=initiative.municipality, name__iexact=record.name)
        .exclude(pk=initiative.pk)
        .exists()
    )
    if clash:
        raise InitiativeInvalid({"name": [f"Er is al een ander initiatief ‘{record.name}’."]})
    _fill(initiative, record)
    initiative.save()
    initiative.wards.set(wards)
    return initiative


@bumps_data_version
@transaction.atomic
def reach_set(*, initiative: Initiative, record: ReachRecord) -> InitiativeReach:
    """Reach of one quarter: created, or replaced when that quarter was entered before."""
    reach, _ = InitiativeReach.objects.update_or_create(
        initiative=initiative,
        period=record.period,
        defaults={
            "participants": record.participants,
            "volunteers": record.volunteers,
            "reached_groups": list(record.reached_groups),
            "missed_groups": list(record.missed_groups),
            "missed_note": record.missed_note.strip()[:500],
        },
    )
    return reach


@bumps_data_version
@transaction.atomic
def reach_delete(*, initiative: Initiative, period: str) -> int:
    deleted, _ = InitiativeReach.objects.filter(initiative=initiative, period=period).delete()
    return deleted


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    names: list[str] = field(default_factory=list)


@bumps_data_version
@transaction.atomic
def initiatives_import(*, municipality: Region, data: bytes, filename: str) -> ImportResult:
    """Apply a file of initiatives or reach: all of it, or (on any problem) nothing.

    The preview is made again inside the transaction, so what is applied is checked against
    the database as it is now, not as it was when the preview was shown.
    """
    preview = import_preview(municipality=municipality, data=data, filename=filename, lock=True)
    if not preview.ok:
        raise ImportRefused(preview)
    result = ImportResult(kind=preview.kind)
    if preview.kind == "initiatieven":
        wards = {w.code: w for w in wards_by_code(municipality, preview.ward_codes)}
        for line in preview.lines:
            if line.action == "ongewijzigd":
                result.unchanged += 1
                continue
            initiative = (
                Initiative.objects.get(pk=line.existing_id)
                if line.existing_id
                else Initiative(municipality=municipality)
            )
            _fill(initiative, line.record)
            initiative.save()
            initiative.wards.set([wards[c] for c in line.record.ward_codes])
            result.names.append(initiative.name)
            if line.existing_id:
                result.updated += 1
            else:
                result.created += 1
        return result
    ids = preview.initiative_ids
    for line in preview.lines:
        if line.action == "ongewijzigd":
            result.unchanged += 1
            continue
        initiative = Initiative(pk=ids[line.record.initiative_name.strip().lower()])
        reach_set(initiative=initiative, record=line.record)
        result.names.append(f"{line.record.initiative_name} {line.record.period}")
        if line.action == "nieuw":
            result.created += 1
        else:
            result.updated += 1
    return result
