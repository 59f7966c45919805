"""Every page that scores follows the site's thresholds: too few inhabitants, no rank.

The stored scores, the breakdown and the change page each recompute scores from values; they
all go through ``scoring_inputs.score_read_inputs``, which passes ``SMALL_REGION_MIN_INHABITANTS``
and ``RANK_MIN_INHABITANTS``, so they cannot disagree on which areas are too small.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from monitoring import change_selectors
from monitoring.models import ConditionScore, IndicatorValue, Region, Role
from monitoring.services import scores_recompute
from tests.conftest import member
from tests.test_dashboard_fixtures import synthetic_municipality

ROOT = Path(__file__).resolve().parent.parent
SMALL_WARD_INHABITANTS = 200


def _with_a_small_ward(code: str) -> tuple[Region, Region]:
    """A municipality of six wards, one of which has fewer inhabitants than a rank needs (but
    enough for a score)."""
    municipality = synthetic_municipality(code=code, wards=6)
    small = Region.objects.filter(municipality=municipality, level="wijk").order_by("code")[0]
    assert settings.SMALL_REGION_MIN_INHABITANTS <= SMALL_WARD_INHABITANTS
    assert SMALL_WARD_INHABITANTS < settings.RANK_MIN_INHABITANTS
    small.inhabitants = SMALL_WARD_INHABITANTS
    small.save(update_fields=["inhabitants"])
    IndicatorValue.objects.filter(region=small, indicator__code="inwoners").update(
        value=SMALL_WARD_INHABITANTS
    )
    scores_recompute(municipality=municipality)
    return municipality, small


def test_the_change_page_does_not_rank_an_area_too_small_to_rank(framework, client, monkeypatch):
    municipality, small = _with_a_small_ward("GM9914")
    computed = []
    score_read_inputs = change_selectors.score_read_inputs

    def recording(inputs, **options):
        results = score_read_inputs(inputs, **options)
        computed.extend(results)
        return results

    monkeypatch.setattr(change_selectors, "score_read_inputs", recording)
    client.force_login(member(Role.POLICY_OFFICER, municipality, username="bea"))
    response = client.get("/verandering/?van=2019&tot=2021&gemeente=GM9914")

    assert response.status_code == 200
    assert len(computed) == 1, "the change page scores through score_read_inputs"
    scores = computed[0].scores
    own = scores[scores["region"] == str(small.pk)]
    others = scores[scores["region"] != str(small.pk)]
    assert own["value"].notna().all(), "a small area keeps its score"
    assert own["rank"].isna().all(), own[["period", "condition", "rank"]]
    assert others["rank"].notna().all()
    # The others are ranked among themselves: 1 to 5, as the stored ranks are.
    for _, ranks in others.groupby(["period", "condition"])["rank"]:
        assert ranks.min() == 1 and ranks.max() <= 5
    stored = ConditionScore.objects.filter(region=small, method="basisjaar")
    assert stored.exists() and all(s.rank is None for s in stored)
    # The page still shows the small ward's change: a rank is held back, a score is not.
    assert small.name in response.content.decode()


def test_nothing_outside_the_scoring_core_calls_it_but_the_shared_helper():
    """A second caller with its own keywords could leave out a threshold again."""
    pattern = re.compile(r"\bscore(_methods)?\(")
    allowed = {ROOT / "monitoring" / "scoring_inputs.py"}
    core = ROOT / "monitoring" / "scoring"
    callers = [
        path.relative_to(ROOT)
        for folder in ("monitoring", "access", "observations", "initiatives", "audit")
        for path in (ROOT / folder).rglob("*.py")
        if core not in path.parents
        and path not in allowed
        and "migrations" not in path.parts
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert callers == [], f"score through scoring_inputs.score_read_inputs: {callers}"


@pytest.mark.parametrize("method", ["basisjaar", "percentiel"])
def test_the_stored_scores_do_not_rank_an_area_too_small_to_rank(framework, method):
    municipality, small = _with_a_small_ward("GM9915")
    ranked = ConditionScore.objects.filter(
        region__municipality=municipality, method=method, period="2021", condition="zekerheid"
    ).exclude(region=small)
    ranks = [s.rank for s in ranked]
    assert len(ranks) == 5 and min(ranks) == 1 and max(ranks) <= 5
    assert (
        ConditionScore.objects.get(
            region=small, method=method, period="2021", condition="zekerheid"
        ).rank
        is None
    )
