"""Bulk writes: binary COPY from a DataFrame, and loading with the indexes set aside."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.db import connection, transaction

from monitoring.bulk import copy_frame, indexes_set_aside


@pytest.fixture
def scratch_table(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bulk_scratch (id bigint NOT NULL, amount double precision, "
            "place integer, label varchar(10), flag boolean NOT NULL)"
        )
    return "bulk_scratch"


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, amount, place, label, flag FROM {table} ORDER BY id")
        return cursor.fetchall()


def test_copy_frame_stores_missing_values_as_null_never_as_nan(scratch_table):
    frame = pd.DataFrame(
        {
            "id": [1.0, 2.0, 3.0],  # ids that passed through a float column
            "amount": [0.1, np.nan, 1e-300],
            "place": pd.Series([1, None, 3], dtype="Int64"),
            "label": ["a", None, "c"],
            "flag": [True, False, True],
        }
    )
    copy_frame(scratch_table, frame, columns=["id", "amount", "place", "label", "flag"])
    assert _rows(scratch_table) == [
        (1, 0.1, 1, "a", True),
        (2, None, None, None, False),
        (3, 1e-300, 3, "c", True),
    ]


def test_copy_frame_adds_constants_and_reports_progress(scratch_table, monkeypatch):
    from monitoring import bulk

    monkeypatch.setattr(bulk, "COPY_CHUNK_ROWS", 2)
    frame = pd.DataFrame({"id": range(5), "amount": [1.5] * 5})
    seen: list[tuple[int, int]] = []
    copy_frame(
        scratch_table,
        frame,
        columns=["id", "amount"],
        constants={"label": "vast", "flag": False},
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert {row[3] for row in _rows(scratch_table)} == {"vast"}


def test_indexes_set_aside_puts_back_exactly_what_it_dropped(db):
    table = "monitoring_conditionscore"

    def definitions() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                [table],
            )
            constraints = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
            return constraints | {row[0] for row in cursor.fetchall()}

    before = definitions()
    with transaction.atomic(), indexes_set_aside(table) as set_aside:
        assert set_aside
        assert len(definitions()) < len(before)
    assert definitions() == before


def test_indexes_set_aside_refuses_outside_a_transaction(transactional_db):
    with (
        pytest.raises(RuntimeError, match="binnen een transactie"),
        indexes_set_aside("monitoring_conditionscore"),
    ):
        pass
