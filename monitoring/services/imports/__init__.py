"""Importing a file in two steps, and undoing it: one module per step.

- ``plan``: parse, map, check and compare; ``import_preview``.
- ``apply``: ``import_apply``, one transaction.
- ``rollback``: ``import_rollback``.
- ``staging``: an upload kept under MEDIA_ROOT with its recorded preview (``import_upload``,
  ``batch_preview``), and housekeeping (``imports_prune``).
- ``worker`` and ``progress``: a batch's job in the worker (its preview, apply or rollback),
  its progress, and a dead worker told from a slow one.
- ``recompute``: scores of the municipalities concerned, after the commit.
- ``results``: what the services return and raise.

What each service does:

- ``import_preview``: parse, map columns to indicators, check every cell and compare with the
  store. Writes nothing: the values are compared in a temporary staging table inside a
  transaction that is rolled back.
- ``import_apply``: the same checks, then one transaction: regions, values (COPY + set-based
  merge), derived indicators, inhabitants, the batch record. All or nothing.
- ``import_rollback``: values the batch created disappear, values it changed get their earlier
  value back, regions it created (and no one uses since) disappear, regions it renamed or
  re-linked get their earlier state back.

Policies (also in docs/architecture.md):

- Rejected cells (text in a number column, a value outside the indicator's range, a formula, a
  shifted or duplicate row, a region of another municipality, an unknown region in a municipal
  file) block ``import_apply`` unless the caller passes ``skip_rejected=True`` (the form's
  checkbox, the command's ``--skip-rejected``). Skipped cells are never stored, not even as
  missing.
- A file whose values are all already there changes nothing and says so: no batch is recorded
  (``ImportResult.already_imported``). A file imported before whose values were changed since by
  a later file is applied again (it puts its values back) and the preview says so.
- Rollback refuses, in Dutch, when a later import (or a hand edit) changed any of the same
  values: roll that later import back first. Imports are thus undone in reverse order, one at a
  time, and every rollback restores an exact earlier state.
- Scores: after a commit, ``scores_recompute(municipality=…)`` is called for each municipality
  concerned when that service exists. A failing score recompute does not undo the import; it
  is logged and noted on the batch.
"""

from monitoring.services.imports.apply import import_apply
from monitoring.services.imports.plan import import_preview
from monitoring.services.imports.progress import (
    import_batch_outcome_take,
    import_batch_status_refresh,
    imports_refresh_active,
)
from monitoring.services.imports.results import (
    BOUNDARY_FORMATS,
    FORMAT_CHOICES,
    PREVIEW_MAX_REJECTED,
    ImportPreview,
    ImportRefused,
    ImportResult,
    ProgressReport,
    RollbackRefused,
    RollbackResult,
    sha256_of,
)
from monitoring.services.imports.rollback import import_rollback, import_rollback_queue
from monitoring.services.imports.staging import (
    PruneResult,
    batch_preview,
    import_upload,
    imports_prune,
)
from monitoring.services.imports.worker import import_batch_confirm, import_batch_run

__all__ = [
    "BOUNDARY_FORMATS",
    "FORMAT_CHOICES",
    "PREVIEW_MAX_REJECTED",
    "ImportPreview",
    "ImportRefused",
    "ImportResult",
    "ProgressReport",
    "PruneResult",
    "RollbackRefused",
    "RollbackResult",
    "batch_preview",
    "import_apply",
    "import_batch_confirm",
    "import_batch_outcome_take",
    "import_batch_run",
    "import_batch_status_refresh",
    "import_preview",
    "import_rollback",
    "import_rollback_queue",
    "import_upload",
    "imports_prune",
    "imports_refresh_active",
    "sha256_of",
]
