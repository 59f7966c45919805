"""Observations on the ward and municipality dashboards: the practice line next to the
statistical score, disagreement in words, signals and quotes for staff only, the demo's
example data marked, nothing for anonymous visitors; fixed query counts."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go
import pytest
from django.urls import reverse

from access.models import MunicipalityAccess
from monitoring.models import Region
from monitoring.services.data_version import data_version
from observations.demo import NARRATIVES, QUARTERS, STORIES, demo_observations_load
from observations.models import Observation, ObservationEvent
from observations.workflow import Status
from tests.observation_helpers import csv_table, observations_with_history, town_create
from tests.test_dashboard import PAGE_CACHE_MISS

DISAGREEING = "WK051807"  # Scheveningen: statistics around average, practice "onder druk"
AGREEING = "WK051808"  # Duindorp
DEMO_TEXTS = [text for by_rating in NARRATIVES.values() for text in by_rating.values()]


def _figure(html: str, chart: str) -> dict:
    match = re.search(
        rf'<script type="application/json" id="figuur-{chart}">(.*?)</script>', html, re.S
    )
    assert match, f"no figure {chart}"
    return json.loads(match.group(1))


@pytest.fixture
def staff(demo, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="beleid"))
    return client


# --- The trend --------------------------------------------------------------------------------


def test_the_practice_line_appears_next_to_the_statistical_score_on_the_ward_trend(staff):
    html = staff.get(f"/wijk/{DISAGREEING}/").content.decode()
    figure = _figure(html, "trend")
    go.Figure(figure)  # plotly accepts it
    statistical = [t for t in figure["data"] if t.get("yaxis") != "y2"]
    practice = [t for t in figure["data"] if t.get("yaxis") == "y2"]
    assert {t["name"] for t in statistical} >= {"Sociaaleconomische zekerheid"}
    assert [t["name"] for t in practice] == [
        "Zekerheid – praktijkscore",
        "Inclusie – praktijkscore",
        "Cohesie – praktijkscore",
        "Empowerment – praktijkscore",
    ]
    zekerheid = practice[0]
    assert zekerheid["x"] == list(QUARTERS)
    assert zekerheid["y"][0] == 3 and zekerheid["y"][-1] == 2  # a trend
    assert zekerheid["text"][-1] == "onder druk (2,0; 1 observatie)"  # n behind the point
    # Its own dash and marker, not colour alone; its own axis, labelled in words.
    assert zekerheid["line"]["dash"] == "longdash"
    assert zekerheid["marker"]["symbol"] == "circle-open"
    assert all(t["line"].get("dash") != "longdash" for t in statistical)
    axis = figure["layout"]["yaxis2"]
    assert axis["overlaying"] == "y" and axis["ticktext"][0] == "sterk onder druk"
    assert "2024-K4" in figure["layout"]["xaxis"]["categoryarray"]
    assert "2019" in figure["layout"]["xaxis"]["categoryarray"]
    assert "praktijkscore van sociaal werkers" in html


def test_the_trend_table_holds_the_practice_rows_beside_the_scores(staff):
    header, rows = csv_table(staff.get(f"/wijk/{DISAGREEING}/?format=csv&tabel=trend"))
    assert "2019" in header and "2024-K4" in header
    names = [row[0] for row in rows]
    assert "Sociaaleconomische zekerheid" in names
    assert "Zekerheid – praktijkscore (1–5)" in names
    assert "Aantal geaccepteerde observaties" in names
    zekerheid = rows[names.index("Zekerheid – praktijkscore (1–5)")]
    assert zekerheid[header.index("2024-K4")] == "2,0"


def test_the_practice_score_is_never_mixed_into_the_statistical_score(staff):
    html = staff.get(f"/wijk/{DISAGREEING}/").content.decode()
    figure = _figure(html, "trend")
    statistical = next(t for t in figure["data"] if t["name"] == "Sociaaleconomische zekerheid")
    assert not any(str(x).count("-K") for x in statistical["x"] if x in QUARTERS)
    assert all(x not in QUARTERS for x in statistical["x"])


# --- Words, signals, quotes -------------------------------------------------------------------


def test_the_page_says_in_words_where_practice_and_statistics_differ(staff):
    html = staff.get(f"/wijk/{DISAGREEING}/").content.decode()
    assert (
        "Sociaaleconomische zekerheid: praktijk en statistiek wijzen verschillende kanten op."
        in html
    )
    assert "rond het gemiddelde van de wijken" in html
    html = staff.get(f"/wijk/{AGREEING}/").content.decode()
    assert "wijzen verschillende kanten op" not in html


def test_the_ward_page_shows_signals_timeline_and_short_quotes_to_staff(staff):
    response = staff.get(f"/wijk/{DISAGREEING}/")
    practice = response.context["practice"]
    assert [s["kind"] for s in practice["signals"]][:2] == ["Eenzaamheid", "Geldzorgen en schulden"]
    assert [row["period"] for row in practice["timeline"]] == list(reversed(QUARTERS))
    assert practice["quotes"] and all(len(q["text"]) <= 222 for q in practice["quotes"])
    html = response.content.decode()
    assert "Meest gesignaleerd" in html and "Uit de toelichtingen" in html
    assert practice["quotes"][0]["text"] in html


def test_the_municipality_page_has_practice_per_ward_and_signals_per_ward(staff):
    response = staff.get("/gemeente/GM0518/")
    practice = response.context["practice"]
    assert practice["period"] == "2024-K4"
    names = [row["ward"].name for row in practice["rows"]]
    assert len(names) >= 5
    scheveningen = next(row for row in practice["rows"] if row["ward"].code == DISAGREEING)
    assert scheveningen["differing"] == ["Zekerheid"]
    assert "Geldzorgen en schulden" in practice["signal_kinds"]
    html = response.content.decode()
    assert "Praktijkscore per wijk, 2024-K4" in html and "Signalen per wijk in 2024-K4" in html


def test_the_municipality_page_maps_the_signals_of_the_quarter_and_downloads_their_table(staff):
    html = staff.get("/gemeente/GM0518/").content.decode()
    figure = _figure(html, "signalenkaart")
    assert figure["data"], "the map draws the wards"
    assert "Signalen per wijk, 2024-K4" in html
    header, rows = csv_table(staff.get("/gemeente/GM0518/?format=csv&tabel=signalenkaart"))
    assert header[:3] == ["Wijk", "Code", "Meldingen van signalen"]
    assert any("geen observatie" in ";".join(row) for row in rows), "unobserved wards are said"


def test_every_page_that_shows_example_observations_says_voorbeeldgegevens(staff):
    from django.contrib.auth import get_user_model

    example = Observation.objects.filter(ward__code=DISAGREEING, status=Status.ACCEPTED).first()
    for url in (f"/wijk/{DISAGREEING}/", "/gemeente/GM0518/", f"/observaties/{example.pk}/"):
        assert "voorbeeldgegevens" in staff.get(url).content.decode().lower(), url
    staff.force_login(get_user_model().objects.get(username="beheerder"))
    coordination = staff.get("/observaties/gemeente/GM0518/?kwartaal=2024-K4").content.decode()
    assert "voorbeeldgegevens" in coordination
    header, rows = csv_table(staff.get("/observaties/gemeente/GM0518/export/?format=csv"))
    assert header[4] == "Voorbeeldgegevens"
    assert rows and all(row[4] == "ja" for row in rows)


# --- Who sees it ------------------------------------------------------------------------------


def _public_pages(client) -> dict[str, str]:
    wards = sorted({story.ward for story in STORIES})
    urls = [
        "/",
        "/gemeente/GM0518/",
        "/gemeente/GM0518/?format=json",
        "/vergelijk/?wijk=" + wards[0],
    ]
    for code in wards:
        urls += [
            f"/wijk/{code}/",
            f"/wijk/{code}/?format=json",
            f"/wijk/{code}/?format=csv&tabel=trend",
            f"/wijk/{code}/?deel=opbouw",
        ]
    pk = Observation.objects.filter(status=Status.ACCEPTED).values_list("pk", flat=True).first()
    urls += [
        "/observaties/",
        f"/observaties/{pk}/",
        f"/observaties/wijk/{wards[0]}/2024-K4/",
        "/observaties/gemeente/GM0518/",
        "/observaties/gemeente/GM0518/export/?format=csv&toelichting=1",
        "/observaties/gemeente/GM0518/export/?format=xlsx&toelichting=1",
    ]
    return {url: client.get(url).content.decode(errors="replace") for url in urls}


def test_an_anonymous_visitor_of_the_published_demo_sees_no_observation_text(demo, client):
    # The demo is published: its statistics are the public site.
    assert MunicipalityAccess.objects.get(municipality__code="GM0518").is_published
    pages = _public_pages(client)
    for url, body in pages.items():
        for text in DEMO_TEXTS:
            assert text not in body, (url, text)
        assert "praktijkscore" not in body.lower(), url
        assert "voorbeeldgegevens" not in body.lower(), url
    assert 'id="observaties"' not in pages[f"/wijk/{DISAGREEING}/"]
    assert 'id="praktijk"' not in pages["/gemeente/GM0518/"]


def test_staff_of_another_municipality_see_no_observations_of_this_one(demo, client):
    from django.contrib.auth import get_user_model

    from monitoring.models import Membership, Role

    outsider = get_user_model().objects.create(username="elders")
    other = Region.objects.create(code="GM0999", name="Elders", level="gemeente")
    Membership.objects.create(user=outsider, municipality=other, role=Role.POLICY_OFFICER)
    client.force_login(outsider)
    html = client.get(f"/wijk/{DISAGREEING}/").content.decode()
    assert not any(text in html for text in DEMO_TEXTS)
    pk = Observation.objects.filter(ward__code=DISAGREEING).values_list("pk", flat=True).first()
    assert client.get(f"/observaties/{pk}/").status_code == 404


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_has_eight_quarters_for_six_wards_by_two_social_workers(demo):
    observations = Observation.objects.filter(municipality__code="GM0518")
    assert set(observations.values_list("period", flat=True)) == set(QUARTERS)
    assert observations.values("ward").distinct().count() >= 6
    assert set(observations.values_list("author__username", flat=True)) == {
        "sociaalwerker",
        "buurtwerker",
    }
    assert not observations.filter(is_example=False).exists()
    assert observations.filter(status=Status.SUBMITTED).exists()  # something to coordinate


def test_the_ward_practice_sql_gives_what_the_orm_gives_for_every_demo_ward(demo):
    """The ward page's practice aggregates are written in SQL for speed; the ORM is the reference."""
    from django.contrib.postgres.aggregates import BoolOr
    from django.db.models import Avg, Count, Q, Sum

    from observations.dashboard_selectors import ward_practice
    from observations.models import ObservationSignal
    from observations.workflow import COUNTED

    wards = Region.objects.filter(observations__isnull=False).distinct()
    assert wards.count() >= 6
    for ward in wards:
        got = ward_practice(ward=ward, with_quotes=False)
        accepted = Observation.objects.filter(ward=ward, status__in=COUNTED)
        aggregates = {"n": Count("id"), "example": BoolOr("is_example")}
        for c in ("zekerheid", "inclusie", "cohesie", "empowerment"):
            rated = Q(**{f"{c}_rating__gte": 1, f"{c}_rating__lte": 5})
            aggregates[f"mean_{c}"] = Avg(f"{c}_rating", filter=rated)
            aggregates[f"rated_{c}"] = Count("id", filter=rated)
        expected = list(accepted.values("period").annotate(**aggregates).order_by("period"))
        assert [q.period for q in got.quarters] == [row["period"] for row in expected]
        for quarter, row in zip(got.quarters, expected, strict=True):
            assert quarter.observations == row["n"]
            assert quarter.has_example == row["example"]
            for c in quarter.means:
                assert quarter.rated[c] == row[f"rated_{c}"]
                assert quarter.means[c] == pytest.approx(row[f"mean_{c}"])
        signals = (
            ObservationSignal.objects.filter(
                observation__ward=ward, observation__status__in=COUNTED
            )
            .values_list("observation__period", "kind__name")
            .annotate(n=Count("id"), weight=Sum("frequency"))
            .order_by("observation__period", "kind__name")
        )
        assert [(s.period, s.kind, s.observations, s.weight) for s in got.signals] == [
            tuple(row) for row in signals
        ]


def test_loading_the_example_observations_again_changes_nothing(demo):
    before = (Observation.objects.count(), ObservationEvent.objects.count())
    assert demo_observations_load() == 0
    assert (Observation.objects.count(), ObservationEvent.objects.count()) == before


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 100])
# The ward page: 12 for the statistics and the practice (the memberships and the published
# municipalities in one query), 2 for its initiatives and their reach.
@pytest.mark.parametrize(("page", "queries"), [("ward", 14), ("municipality", 10)])
def test_dashboard_pages_with_observations_use_a_fixed_number_of_queries(
    db, client, django_assert_num_queries, count, page, queries
):
    town = town_create()
    observations_with_history(town, count)
    client.force_login(town.policy)
    url = (
        reverse("ward", args=[town.wards[0].code])
        if page == "ward"
        else reverse("municipality", args=[town.municipality.code])
    )
    data_version()  # stored once for the whole site; not part of the page's count
    # And the page cache's reads and write (a first visit), as every dashboard page.
    with django_assert_num_queries(queries + PAGE_CACHE_MISS):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["practice"]["visible"]
