"""Places and method dependence are stored with the scores (issue 13): computed once at
recompute time by ``scoring.places_and_dependence``, or by migration 0011 for scores stored
before it, and read by the ward page from its own rows."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring import scoring
from monitoring.models import ConditionScore


def _ranks(rows: list[tuple[str, str, str, int | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region", "method", "condition", "rank"]).assign(
        group="1-wijk", period="2019"
    )


def test_a_place_counts_the_areas_ranked_by_that_method_and_names_the_bands_it_falls_in() -> None:
    # Three wards ranked under basisjaar, two under zscore (W3 has no zscore score).
    scores = _ranks(
        [
            ("W1", "basisjaar", "zekerheid", 1),
            ("W1", "zscore", "zekerheid", 2),
            ("W2", "basisjaar", "zekerheid", 2),
            ("W2", "zscore", "zekerheid", 1),
            ("W3", "basisjaar", "zekerheid", 3),
            ("W3", "zscore", "zekerheid", None),
        ]
    )
    places = scoring.places_and_dependence(scores)
    assert places["rank_of"].tolist() == [3, 2, 3, 2, 3, 2]
    # W1: 1 of 3 is the top third (ceil(3·1/3) = 1), 2 of 2 the bottom third (ceil(3·2/2) = 3).
    assert places.loc[0, "method_dependence"] == (
        "bovenste derde bij basisjaar, onderste derde bij zscore"
    )
    assert places.loc[1, "method_dependence"] == places.loc[0, "method_dependence"]
    # W2: 2 of 3 is the middle third, 1 of 2 the middle third too (ceil(1.5) = 2).
    assert places.loc[2, "method_dependence"] == places.loc[3, "method_dependence"] == ""
    # W3 is compared over the one method it has a rank under: never dependent.
    assert places.loc[4, "method_dependence"] == places.loc[5, "method_dependence"] == ""


def test_a_ward_without_any_rank_is_not_method_dependent() -> None:
    scores = _ranks([("W1", "basisjaar", "cohesie", None), ("W1", "zscore", "cohesie", None)])
    places = scoring.places_and_dependence(scores)
    assert places["rank_of"].tolist() == [0, 0]
    assert places["method_dependence"].tolist() == ["", ""]


@st.composite
def stored_ranks(draw: st.DrawFn) -> pd.DataFrame:
    """Ranks of 1–7 wards in one or two groups, periods and conditions, under 1–4 methods."""
    methods = draw(st.lists(st.sampled_from(scoring.METHODS), min_size=1, max_size=4, unique=True))
    rows = []
    for group in draw(
        st.lists(
            st.sampled_from(["1-wijk", "1-buurt", "2-wijk"]), min_size=1, max_size=2, unique=True
        )
    ):
        wards = [f"{group}-W{i}" for i in range(draw(st.integers(1, 7)))]
        for period in draw(st.lists(st.sampled_from(["2019", "2020"]), min_size=1, unique=True)):
            for condition in draw(
                st.lists(st.sampled_from(["zekerheid", "cohesie"]), min_size=1, unique=True)
            ):
                for method in methods:
                    scored = [w for w in wards if draw(st.booleans()) or len(wards) == 1]
                    places = sorted(
                        draw(
                            st.lists(
                                st.integers(1, len(scored) or 1),
                                min_size=len(scored),
                                max_size=len(scored),
                            )
                        )
                    )
                    for ward in wards:
                        rank = places[scored.index(ward)] if ward in scored else None
                        rows.append((group, ward, period, condition, method, rank))
    return pd.DataFrame(rows, columns=["group", "region", "period", "condition", "method", "rank"])


@settings(max_examples=60, deadline=None)
@given(stored_ranks())
def test_the_stored_dependence_is_what_method_dependence_says_of_the_same_ranks(scores) -> None:
    places = scoring.places_and_dependence(scores)
    table = scoring.method_dependence(scores)
    expected = scores.merge(table, on=["group", "region", "period", "condition"], how="left")
    assert places["method_dependence"].tolist() == expected["reason"].tolist()
    counts = scores.groupby(["group", "period", "condition", "method"])["rank"].transform("count")
    assert places["rank_of"].tolist() == counts.tolist()


def _stored() -> dict[int, tuple[int | None, str]]:
    return {
        pk: (rank_of, reason)
        for pk, rank_of, reason in ConditionScore.objects.values_list(
            "id", "rank_of", "method_dependence"
        )
    }


@pytest.mark.django_db
def test_the_migration_fills_old_scores_as_a_recompute_does(demo) -> None:
    recomputed = _stored()
    assert any(reason for _, reason in recomputed.values()), "the demo has a dependent place"
    assert all(rank_of is not None for rank_of, _ in recomputed.values())
    ConditionScore.objects.update(rank_of=None, method_dependence="")
    migration = importlib.import_module("monitoring.migrations.0011_score_places")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_PLACES)
    assert _stored() == recomputed
