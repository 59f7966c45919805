"""Writes. Every function is keyword-only, typed and atomic; views and commands call these.

One module per area, re-exported here so callers write ``from monitoring.services import …``.
"""

from monitoring.services.imports import (
    ImportPreview,
    ImportRefused,
    ImportResult,
    PruneResult,
    RollbackRefused,
    RollbackResult,
    import_apply,
    import_preview,
    import_rollback,
    imports_prune,
)
from monitoring.services.values import (
    ValueCounts,
    batch_finish,
    batch_start,
    derived_values_recompute,
    framework_install,
    level_of_code,
    municipality_code_of,
    parent_code_of,
    region_geometry_set,
    region_inhabitants_refresh,
    regions_sync,
    values_import,
)

__all__ = [
    "ImportPreview",
    "ImportRefused",
    "ImportResult",
    "PruneResult",
    "RollbackRefused",
    "RollbackResult",
    "ValueCounts",
    "batch_finish",
    "batch_start",
    "derived_values_recompute",
    "framework_install",
    "import_apply",
    "import_preview",
    "import_rollback",
    "imports_prune",
    "level_of_code",
    "municipality_code_of",
    "parent_code_of",
    "region_geometry_set",
    "region_inhabitants_refresh",
    "regions_sync",
    "values_import",
]

from monitoring.services.scores import (
    ScoreSummary,
    scores_recompute,
    scores_recompute_all,
    scores_recompute_many,
)

__all__ += ["ScoreSummary", "scores_recompute", "scores_recompute_all", "scores_recompute_many"]
