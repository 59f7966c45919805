"""The second demo municipality, Amsterdam (GM0363): real CBS files of 2017, 2019 and 2021, so
that scores exist in two years and the change page has something to show."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count

from monitoring import scoring
from monitoring.models import ConditionScore, IndicatorValue, Level, Region
from monitoring.scoring_inputs import score_inputs, score_read_inputs
from tests.test_dashboard import PAGE_CACHE_MISS


def _scored_wards(period: str) -> dict[str, int]:
    rows = (
        ConditionScore.objects.filter(
            region__municipality__code="GM0363",
            region__level=Level.WIJK,
            method="basisjaar",
            period=period,
            value__isnull=False,
        )
        .values("condition")
        .annotate(n=Count("pk"))
    )
    return {row["condition"]: row["n"] for row in rows}


def test_amsterdam_has_its_99_wards_with_boundaries(demo):
    wards = Region.objects.filter(municipality__code="GM0363", level=Level.WIJK)
    assert wards.count() == 99
    assert not wards.filter(geometry=None).exists()


def test_amsterdam_has_ward_scores_on_at_least_two_conditions_in_2017_and_in_2019(demo):
    for period in ("2017", "2019"):
        scored = _scored_wards(period)
        well_covered = [condition for condition, n in scored.items() if n >= 90]
        assert len(well_covered) >= 2, (period, scored)


def test_amsterdams_indicator_trends_run_over_three_years(demo):
    periods = set(
        IndicatorValue.objects.filter(
            region__municipality__code="GM0363",
            indicator__code="coh_eenpersoons_hh",
            value__isnull=False,
        ).values_list("period", flat=True)
    ) | set(
        IndicatorValue.objects.filter(
            region__municipality__code="GM0363",
            indicator__code="eenpersoonshuishoudens",
            value__isnull=False,
        ).values_list("period", flat=True)
    )
    assert {"2017", "2019", "2021"} <= periods


def test_the_r_rewritten_2017_file_brings_the_distances_and_income(demo):
    stored = set(
        IndicatorValue.objects.filter(
            region__municipality__code="GM0363", period="2017", value__isnull=False
        ).values_list("indicator__code", flat=True)
    )
    assert {
        "sez_laag_inkomen",
        "sez_sociaal_minimum",
        "inc_afstand_huisarts",
        "inkomen_per_inwoner",
    } <= stored


def test_the_change_page_for_amsterdam_2017_2019_lists_its_wards_and_their_basis(
    demo, client, django_assert_num_queries
):
    # An anonymous visitor of a published municipality: access 1, the page 6, the page cache.
    with django_assert_num_queries(7 + PAGE_CACHE_MISS):
        response = client.get("/verandering/?gemeente=GM0363&conditie=zekerheid&van=2017&tot=2019")
    html = response.content.decode()
    assert "Burgwallen-Oude Zijde" in html
    assert "geen wijken met scores in beide perioden" not in html
    # 2017 has no standardised income: the change rests on the four indicators of both years.
    assert html.count("op basis van 4 van 5 indicatoren") >= 90


def test_an_inclusion_change_resting_on_proximity_alone_is_not_given(demo, client):
    # Participation is "actieven" in 2017 and net labour participation from 2018: different
    # figures, so only the distance to the GP is common, too little for a comparison.
    html = client.get(
        "/verandering/?gemeente=GM0363&conditie=inclusie&van=2017&tot=2019"
    ).content.decode()
    assert "op basis van 1 van 3 indicatoren: te weinig voor een vergelijking" in html


@pytest.mark.parametrize(
    ("code", "indicator", "tolerance"),
    [
        ("GM0518", "sez_laag_inkomen", 0.2),
        ("GM0518", "sez_gest_inkomen", 0.2),
        ("GM0518", "inc_arbeidsparticipatie", 0.5),
        ("GM0363", "sez_laag_inkomen", 0.2),
        ("GM0363", "sez_bijstand", 0.5),
    ],
)
def test_100_is_the_municipality_as_a_whole_within_cbs_rounding(demo, code, indicator, tolerance):
    municipality = Region.objects.get(code=code)
    own = IndicatorValue.objects.get(
        region=municipality, indicator__code=indicator, period="2019"
    ).value
    inputs = score_inputs(
        municipality_ids=[municipality.pk], levels=("wijk",), with_national=False, bulk=False
    )
    (result,) = score_read_inputs(inputs, methods=(scoring.BASE_YEAR,), base_period="2019")
    reference = result.references.set_index("indicator").loc[indicator]
    assert bool(reference["weighted"])
    assert reference["reference"] == pytest.approx(own, abs=tolerance)


def test_the_score_page_gives_the_margin_of_the_score_and_of_the_place(demo, client):
    html = client.get("/wijk/WK036300/zekerheid/?periode=2019").content.decode()
    margin = html[html.index('id="marge"') :][:900]
    assert re.search(r"<strong>\d+, tussen \d+ en \d+</strong>", margin), margin
    assert re.search(r"<strong>plaats \d+(–\d+)?</strong>", margin), margin


def test_the_ward_page_gives_the_margin_and_the_places_and_bands_the_trend(demo, client):
    html = client.get("/wijk/WK036300/?periode=2019").content.decode()
    assert re.search(r"Met marge \(95 %\): \d+, tussen \d+ en \d+\.", html)
    assert re.search(r"\(plaats \d+(–\d+)? bij andere redelijke gewichten\)", html)
    trend = html[html.index('id="blok-trend"') :]
    assert "De lichte band om een lijn is de marge van de score (95 %)" in trend
    assert re.search(r"marge \(95 %\)</th>(<td[^>]*>(–|\d+ tot \d+)</td>)+", trend), trend[:3000]
