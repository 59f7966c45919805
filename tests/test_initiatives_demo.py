"""The demo's example initiatives: clearly marked, with reach, funding that ends soon and gaps."""

from __future__ import annotations

from django.utils import timezone

from initiatives.demo import demo_initiatives_load
from initiatives.gaps import funding_ends_soon, gap_matrix
from initiatives.models import Initiative, InitiativeReach
from initiatives.selectors import social_base
from monitoring.models import Region
from tests.initiatives_fixtures import member


def _demo_initiatives():
    return Initiative.objects.filter(municipality__code="GM0518")


def test_the_demo_has_at_least_ten_example_initiatives_all_marked(demo):
    assert _demo_initiatives().count() >= 10
    assert not _demo_initiatives().filter(is_example=False).exists()


def test_demo_reach_covers_at_least_four_quarters(demo):
    periods = set(
        InitiativeReach.objects.filter(initiative__municipality__code="GM0518").values_list(
            "period", flat=True
        )
    )
    assert len(periods) >= 4
    assert all("-K" in p for p in periods)


def test_some_demo_funding_ends_within_six_months(demo):
    today = timezone.localdate()
    ending = [
        i for i in _demo_initiatives() if funding_ends_soon(i.funding, i.funding_until, today)
    ]
    assert len(ending) >= 2


def test_the_demo_has_at_least_one_gap(demo):
    data = social_base(
        municipality=Region.objects.get(code="GM0518"),
        method="basisjaar",
        period=None,
        today=timezone.localdate(),
    )
    matrix = gap_matrix(
        ward_ids=[w.id for w in data.wards],
        conditions=["zekerheid", "inclusie", "cohesie", "empowerment"],
        scores=data.scores,
        initiatives=[s.facts for s in data.initiatives],
        on=data.today,
    )
    assert any(cell.is_gap for cell in matrix.values())


def test_loading_the_demo_initiatives_again_changes_nothing(demo):
    before = (
        list(_demo_initiatives().order_by("pk").values()),
        list(InitiativeReach.objects.order_by("pk").values()),
    )
    assert demo_initiatives_load() == 0
    after = (
        list(_demo_initiatives().order_by("pk").values()),
        list(InitiativeReach.objects.order_by("pk").values()),
    )
    assert after == before


def test_every_page_that_shows_them_says_voorbeeldgegevens(demo, client):
    municipality = Region.objects.get(code="GM0518")
    client.force_login(member(municipality, "beleid", username="demo-lezer"))
    example = _demo_initiatives().get(name="Buurtkamer De Schilders")
    for url in (
        "/gemeente/GM0518/initiatieven/",
        f"/gemeente/GM0518/initiatieven/{example.pk}/",
        "/gemeente/GM0518/sociale-basis/",
        "/wijk/WK051829/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Voorbeeldgegevens" in response.content.decode(), url
