"""The scores service: stored scores of the demo municipality, and how they explain themselves."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from monitoring.models import ConditionScore, Indicator, Region
from monitoring.selectors import score_breakdowns
from monitoring.services import scores_recompute, scores_recompute_all


def _scores(**filters):
    """The default-method scores of 's-Gravenhage (the demo also holds Amsterdam)."""
    return ConditionScore.objects.filter(
        method="basisjaar", region__municipality__code="GM0518", **filters
    )


def test_every_ward_with_figures_gets_one_score_per_condition_and_method(demo):
    from collections import Counter

    per_ward_and_period = Counter(_scores(region__level="wijk").values_list("region_id", "period"))
    assert set(per_ward_and_period.values()) == {4}
    wards_2019 = {region for region, period in per_ward_and_period if period == "2019"}
    assert len(wards_2019) == 44
    methods = set(ConditionScore.objects.values_list("method", flat=True))
    assert {"basisjaar", "zscore", "minmax", "percentiel"} <= methods


def test_2019_is_the_base_year_of_den_haag(demo):
    assert set(_scores().values_list("base_period", flat=True)) == {"2019"}


def test_the_base_year_mean_of_the_wards_is_100(demo):
    values = list(
        _scores(region__level="wijk", period="2019", condition="zekerheid")
        .exclude(value=None)
        .values_list("value", flat=True)
    )
    assert len(values) > 30
    # Each indicator's index has mean 100 over the wards that have it; the score's mean is near.
    assert sum(values) / len(values) == pytest.approx(100, abs=3)


def test_cohesion_says_insufficient_data_rather_than_a_number(demo):
    cohesion = _scores(region__code="WK051829", period="2019", condition="cohesie").get()
    assert cohesion.value is None
    assert cohesion.status == "onvoldoende gegevens"
    # The share of single-person households is context (it describes who lives there): without
    # GGD or survey figures, cohesion has no indicator with an index at all.
    assert cohesion.coverage == 0


@pytest.mark.parametrize("method", ["basisjaar", "zscore", "minmax", "percentiel"])
def test_the_breakdown_of_every_ward_score_adds_up_to_the_stored_score(demo, method):
    active = list(Indicator.objects.filter(is_active=True))
    scored = ConditionScore.objects.filter(
        method=method, region__level="wijk", period="2019"
    ).exclude(value=None)
    assert scored.count() > 100
    per_ward = {}
    for score in scored.select_related("region"):
        if score.region_id not in per_ward:
            per_ward[score.region_id] = score_breakdowns(
                region=score.region,
                method=method,
                period="2019",
                base_period=score.base_period,
                indicators=active,
            )
        breakdown = per_ward[score.region_id][score.condition]
        assert {item["indicator"] for item in breakdown} == {
            i.code for i in active if i.role == score.condition
        }
        total = sum(item["contribution"] or 0 for item in breakdown)
        assert total == pytest.approx(score.value, abs=1e-9)


def test_a_full_recompute_keeps_the_unique_and_foreign_key_constraints(demo, monkeypatch):
    from django.db import connection

    from monitoring.services import scores as scores_service

    # National scale loads without them and creates them again; the demo is small, so force it.
    monkeypatch.setattr(scores_service, "BULK_LOAD_MIN_ROWS", 0)

    def constraints() -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'monitoring_conditionscore'::regclass"
            )
            return set(cursor.fetchall())

    before = constraints()
    counts = ConditionScore.objects.count()
    scores_recompute_all()
    assert constraints() == before
    assert {kind for kind, _ in before} >= {"p", "u", "f"}
    assert ConditionScore.objects.count() == counts


def test_a_ward_with_too_few_inhabitants_gets_no_score_and_no_rank(demo):
    # Oostduinen (WK051801) is dunes: 0 inhabitants.
    for score in _scores(region__code="WK051801"):
        assert score.value is None
        assert score.rank is None
        assert score.status == "te weinig inwoners"


def test_ranks_start_at_1_for_the_best_score_and_ties_share_a_place(demo):
    scored = list(
        _scores(region__level="wijk", period="2019", condition="inclusie")
        .exclude(rank=None)
        .order_by("-value")
        .values_list("value", "rank")
    )
    assert scored[0][1] == 1
    # Ranks are taken on the scores as shown, in whole points: 93,4 and 92,6 share a place.
    for position, (value, rank) in enumerate(scored, start=1):
        better = sum(1 for other, _ in scored if round(other) > round(value))
        assert rank == better + 1, (position, value, rank)


def test_changing_a_weight_and_recomputing_moves_the_scores(demo):
    municipality = Region.objects.get(code="GM0518")
    before = _scores(region__code="WK051829", period="2019", condition="zekerheid").get().value
    Indicator.objects.filter(code="sez_laag_inkomen").update(weight=5)
    scores_recompute(municipality=municipality)
    after = _scores(region__code="WK051829", period="2019", condition="zekerheid").get().value
    assert after != pytest.approx(before)


def test_recomputing_twice_gives_the_same_scores(demo):
    municipality = Region.objects.get(code="GM0518")
    snapshot = sorted(
        ConditionScore.objects.values_list("region_id", "period", "condition", "method", "value")
    )
    scores_recompute(municipality=municipality)
    again = sorted(
        ConditionScore.objects.values_list("region_id", "period", "condition", "method", "value")
    )
    assert again == snapshot


def test_the_recompute_command_reports_per_municipality(demo, capsys):
    call_command("recompute_scores", "--gemeente", "gm0518")
    out = capsys.readouterr().out
    assert "GM0518:" in out and "basisjaar 2019" in out


def test_the_national_row_of_the_demo_gives_scores_against_the_national_value(demo):
    national = Region.objects.get(code="NL00")
    assert national.level == "land" and national.municipality_id is None
    scored = ConditionScore.objects.filter(
        method="landelijk", period="2019", condition="zekerheid", region__level="wijk"
    ).exclude(value=None)
    assert scored.count() > 30
    # The national row (StatLine as rewritten by R) has net participation and the distances too,
    # now that the importer reads R's labels: inclusion is scored against the national value.
    assert (
        ConditionScore.objects.filter(
            method="landelijk", period="2019", condition="inclusie", region__level="wijk"
        )
        .exclude(value=None)
        .count()
        > 30
    )
    active = list(Indicator.objects.filter(is_active=True))
    for score in scored.select_related("region")[:5]:
        breakdown = score_breakdowns(
            region=score.region,
            method="landelijk",
            period="2019",
            base_period=score.base_period,
            indicators=active,
        )["zekerheid"]
        total = sum(item["contribution"] or 0 for item in breakdown)
        assert total == pytest.approx(score.value, abs=1e-9)


def test_choosing_another_base_year_in_beheer_recomputes_the_municipality(demo, admin_client):
    den_haag = Region.objects.get(code="GM0518")
    response = admin_client.post(
        "/beheer/monitoring/scoringsettings/add/",
        {"municipality": den_haag.pk, "base_period": "2017"},
        follow=True,
    )
    assert response.status_code == 200
    assert "opnieuw berekend" in response.content.decode()
    assert set(_scores().values_list("base_period", flat=True)) == {"2017"}


def test_the_bulk_read_of_the_recompute_gives_the_same_values_as_the_page_read(demo):
    from monitoring.scoring_inputs import score_inputs

    ids = [Region.objects.get(code="GM0518").pk]
    columns = ["group", "region", "indicator", "period", "value", "suppressed"]
    keys = ["region", "indicator", "period"]

    def frame(bulk: bool):
        inputs = score_inputs(municipality_ids=ids, bulk=bulk)
        return inputs.values[columns].sort_values(keys).reset_index(drop=True), inputs

    bulk, bulk_inputs = frame(True)
    rows, row_inputs = frame(False)
    assert len(bulk) > 1000
    assert bulk.astype(str).equals(rows.astype(str))
    assert (
        bulk_inputs.weights.sort_values(keys)
        .reset_index(drop=True)
        .equals(row_inputs.weights.sort_values(keys).reset_index(drop=True))
    )


def test_the_stored_margins_enclose_the_score_and_its_rank(demo):
    scored = _scores(region__level="wijk", period="2019").exclude(value=None)
    assert scored.exclude(low=None).count() == scored.count()
    for low, value, high in scored.values_list("low", "value", "high"):
        assert low <= value <= high
    ranked = scored.exclude(rank=None)
    assert ranked.exclude(rank_best=None).count() == ranked.count()
    for best, rank, worst in ranked.values_list("rank_best", "rank", "rank_worst"):
        assert best <= rank <= worst
    # The within-period methods store no margin.
    assert not ConditionScore.objects.filter(method="zscore").exclude(low=None).exists()
