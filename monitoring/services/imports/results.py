"""What the import services return and raise, and the numbers they work with."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from monitoring.importing.outcome import Headline, PreviewFacts, preview_headline
from monitoring.importing.parsers import CellProblem, ImportFileError
from monitoring.importing.provenance import INFERRED_PERIOD_TEXT
from monitoring.models import ImportBatch
from monitoring.services.values import (
    ValueCounts,
)

FORMAT_CHOICES = ("auto", "cbs", "long", "wide", "geojson")
BOUNDARY_FORMATS = frozenset({"geojson", "topojson"})
PREVIEW_MAX_REJECTED = 500  # shown and stored; the total is always counted
SCORES_ONE_PASS_FROM = 10  # municipalities; above this, scores are recomputed in one pass
ANALYZE_FROM_ROWS = 20_000  # after merging this many values, refresh the planner's statistics

# progress(percent, phase, rows_done, rows_total)
ProgressReport = Callable[[int, str, int, int], None]


class ImportRefused(ImportFileError):
    """``import_apply`` writes nothing because cells were rejected and skipping was not chosen."""


class RollbackRefused(Exception):
    """The batch cannot be rolled back; ``message`` says why, in Dutch."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- What a preview tells -------------------------------------------------------------------


@dataclass
class ImportPreview:
    file_name: str
    sha256: str
    size: int
    file_format: str
    period: str
    periods: list[str]
    municipality_code: str | None
    counts: ValueCounts
    regions_new: list[dict] = field(default_factory=list)  # {code, name, level}
    regions_renamed: int = 0
    regions_unknown: list[str] = field(default_factory=list)
    regions_outside: list[str] = field(default_factory=list)
    columns_used: list[dict] = field(default_factory=list)  # {column, indicator, name}
    columns_unused: list[str] = field(default_factory=list)
    rejected: list[CellProblem] = field(default_factory=list)
    rejected_total: int = 0
    notes: list[str] = field(default_factory=list)
    geometries_changed: int = 0
    geometries_unchanged: int = 0
    previous_batch_id: int | None = None
    # "kolom", "titel", "opgegeven", or inferred: "bestandsnaam", "afgeleid" (importing.provenance)
    period_source: str = ""

    @property
    def period_source_text(self) -> str:
        """Where the period came from, in words; an inferred period says so."""
        stated = {
            "kolom": "uit de periodekolom van het bestand",
            "titel": "uit de titel van het bestand",
            "opgegeven": "opgegeven bij het inlezen",
        }
        return stated.get(self.period_source) or INFERRED_PERIOD_TEXT.get(self.period_source, "")

    @property
    def has_rejections(self) -> bool:
        return self.rejected_total > 0

    @property
    def is_boundary_file(self) -> bool:
        return self.file_format in BOUNDARY_FORMATS

    @property
    def headline(self) -> Headline:
        """The outcome of this preview and its Dutch headline (``preview_headline``)."""
        return preview_headline(
            PreviewFacts(
                new=self.counts.new,
                changed=self.counts.changed,
                unchanged=self.counts.unchanged,
                rejected=self.rejected_total,
                columns_used=len(self.columns_used),
                regions_new=len(self.regions_new),
                regions_renamed=self.regions_renamed,
                geometries_changed=self.geometries_changed,
                geometries_unchanged=self.geometries_unchanged,
                is_boundary_file=self.is_boundary_file,
                previous_batch_id=self.previous_batch_id,
            )
        )

    @property
    def nothing_to_do(self) -> bool:
        return not self.headline.can_apply

    @property
    def summary(self) -> str:
        """One Dutch sentence: what applying would do, or why nothing would happen."""
        return self.headline.text

    def to_json(self) -> dict:
        data = asdict(self)
        data["counts"] = asdict(self.counts)
        data["rejected"] = [asdict(p) for p in self.rejected]
        return data

    @classmethod
    def from_json(cls, data: dict) -> ImportPreview:
        data = dict(data)
        data["counts"] = ValueCounts(**data["counts"])
        data["rejected"] = [CellProblem(**p) for p in data["rejected"]]
        return cls(**data)


@dataclass
class ImportResult:
    preview: ImportPreview
    batch: ImportBatch | None
    counts: ValueCounts
    regions_created: int = 0
    already_imported: bool = False
    message: str = ""

    @property
    def file_name(self) -> str:
        return self.preview.file_name

    @property
    def period(self) -> str:
        return self.preview.period

    @property
    def file_format(self) -> str:
        return self.preview.file_format


@dataclass
class RollbackResult:
    batch: ImportBatch
    values_restored: int
    regions_deleted: int
    regions_kept: int
    message: str


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def nl_int(number: int) -> str:
    return f"{number:,}".replace(",", ".")
