"""Observation screens: access on the server for every request, the form's refusals shown back,
coordination, export; and their query counts, the same for 10 and 100 observations."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from observations.models import Observation
from observations.services import observation_save, observation_transition
from observations.workflow import Status
from tests.observation_helpers import (
    complete_input,
    csv_table,
    kind,
    observations_with_history,
    town_create,
)

TODAY = timezone.localdate()
PERIOD = f"{TODAY.year}-K{(TODAY.month - 1) // 3 + 1}"


@pytest.fixture
def town(db):
    return town_create()


def form_url(ward, period=PERIOD):
    return reverse("observations:form", args=[ward.code, period])


def form_post(**overrides):
    data = {
        "version": "0",
        "action": "opslaan",
        "zekerheid_rating": "2",
        "zekerheid_direction": "verslechterd",
        "zekerheid_narrative": "Meer bewoners met betalingsachterstanden.",
        "inclusie_rating": "3",
        "inclusie_direction": "gelijk",
        "cohesie_rating": "2",
        "cohesie_direction": "gelijk",
        "cohesie_narrative": "Ouderen in de flats zien elkaar weinig.",
        "empowerment_rating": "0",
        "residents_reached": "40",
        "sources": ["spreekuur"],
        f"signaal_{kind().pk}": "3",
    }
    data.update(overrides)
    return data


def saved(town, *, submit=False, person=None, ward=None, period=PERIOD):
    return observation_save(
        user=person or town.worker,
        ward=ward or town.wards[0],
        period=period,
        expected_version=0,
        data=complete_input(),
        submit=submit,
    )


# --- Access -----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, town):
    for url in (reverse("observations:index"), form_url(town.wards[0])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_social_worker_sees_their_wards_and_fills_in_the_form(client, town):
    client.force_login(town.worker)
    index = client.get(reverse("observations:index")).content.decode()
    assert "Centrum" in index and "Noord" in index and "Oost" not in index
    response = client.get(form_url(town.wards[0]))
    assert response.status_code == 200
    assert "Observatie Centrum" in response.content.decode()


@pytest.mark.parametrize(("ward_index", "status"), [(3, 403), (None, 404)])
def test_a_social_worker_is_refused_for_a_ward_not_assigned(client, town, ward_index, status):
    # 403 for a ward of their own municipality, 404 for another municipality's (no leak).
    client.force_login(town.worker)
    ward = town.wards[ward_index] if ward_index is not None else town.other_ward
    assert client.get(form_url(ward)).status_code == status
    assert client.post(form_url(ward), form_post()).status_code == status
    assert not Observation.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("policy", 403), ("admin", 403), ("stranger", 404)])
def test_other_roles_cannot_open_the_form(client, town, role, status):
    client.force_login(getattr(town, role))
    assert client.get(form_url(town.wards[0])).status_code == status


def test_save_a_draft_then_submit(client, town):
    client.force_login(town.worker)
    response = client.post(form_url(town.wards[0]), form_post())
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.status == Status.CONCEPT
    assert observation.signals.get().frequency == 3
    response = client.post(
        form_url(town.wards[0]), form_post(version="1", action="indienen"), follow=True
    )
    observation.refresh_from_db()
    assert observation.status == Status.SUBMITTED
    assert "is ingediend" in response.content.decode()


def test_personal_data_is_refused_named_by_kind_and_field_and_shown_back(client, town, caplog):
    client.force_login(town.worker)
    text = "Mevrouw op 06-12345678 is eenzaam."
    with caplog.at_level("DEBUG"):
        response = client.post(form_url(town.wards[0]), form_post(cohesie_narrative=text))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Toelichting sociale cohesie: hier staat een telefoonnummer" in page
    assert text in page  # shown back in the textarea, so nothing is lost
    assert not Observation.objects.exists()
    # Stored nowhere: not in the database, not in the session (no message), not in the logs.
    assert "06-12345678" not in caplog.text
    assert "06-12345678" not in str(client.session.items())


def test_a_concurrent_save_is_refused_and_the_refused_text_is_shown_back(client, town):
    client.force_login(town.worker)
    client.post(form_url(town.wards[0]), form_post())
    # Window A saves on version 1.
    client.post(form_url(town.wards[0]), form_post(version="1", cohesie_rating="1"))
    # Window B, also on version 1, is refused.
    mine = "Tekst uit het tweede venster die niet verloren mag gaan."
    response = client.post(form_url(town.wards[0]), form_post(version="1", cohesie_narrative=mine))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Niet opgeslagen: Wim Werker heeft deze observatie intussen gewijzigd" in page
    assert "Oordeel sociale cohesie: onder druk → sterk onder druk" in page
    assert mine in page
    assert 'name="version" value="2"' in page
    observation = Observation.objects.get()
    assert observation.cohesie_rating == 1 and mine not in observation.cohesie_narrative


def test_a_submitted_observation_shows_no_form(client, town):
    saved(town, submit=True)
    client.force_login(town.worker)
    page = client.get(form_url(town.wards[0])).content.decode()
    assert "kan nu niet worden gewijzigd" in page
    assert 'name="action"' not in page


# --- Detail and workflow ----------------------------------------------------------------------


def test_a_coordinator_accepts_and_the_history_shows_it(client, town):
    observation = saved(town, submit=True)
    client.force_login(town.admin)
    page = client.get(reverse("observations:detail", args=[observation.pk])).content.decode()
    assert "Accepteren" in page and "Terugsturen" in page
    response = client.post(
        reverse("observations:transition", args=[observation.pk]),
        {"version": observation.version, "target": "geaccepteerd"},
        follow=True,
    )
    page = response.content.decode()
    assert "Status is nu ‘geaccepteerd’" in page
    assert "Bert Beheer" in page and "Status: geaccepteerd" in page


def test_returning_without_a_reason_is_refused_with_a_message(client, town):
    observation = saved(town, submit=True)
    client.force_login(town.coordinator)
    response = client.post(
        reverse("observations:transition", args=[observation.pk]),
        {"version": observation.version, "target": "teruggestuurd", "note": ""},
    )
    assert response.status_code == 400
    assert "Geef een reden bij ‘Terugsturen’" in response.content.decode()
    observation.refresh_from_db()
    assert observation.status == Status.SUBMITTED


def test_a_transition_outside_the_table_is_refused_on_the_page(client, town):
    observation = saved(town)
    client.force_login(town.worker)
    response = client.post(
        reverse("observations:transition", args=[observation.pk]),
        {"version": observation.version, "target": "geaccepteerd"},
    )
    assert response.status_code == 400
    assert "kan niet naar ‘Geaccepteerd’" in response.content.decode()


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (Status.CONCEPT, "worker", 200),
        (Status.CONCEPT, "admin", 404),  # a draft is the author's own
        (Status.CONCEPT, "colleague", 404),
        (Status.SUBMITTED, "admin", 200),
        (Status.SUBMITTED, "coordinator", 200),
        (Status.SUBMITTED, "policy", 404),
        (Status.ACCEPTED, "policy", 200),
        (Status.ACCEPTED, "colleague", 200),
        (Status.ACCEPTED, "stranger", 404),
    ],
)
def test_who_sees_one_observation(client, town, status, role, expected):
    observation = saved(town, submit=status != Status.CONCEPT)
    if status == Status.ACCEPTED:
        observation_transition(
            user=town.admin,
            observation=observation,
            target=Status.ACCEPTED,
            expected_version=observation.version,
        )
    client.force_login(getattr(town, role))
    assert client.get(reverse("observations:detail", args=[observation.pk])).status_code == expected


# --- Coordination and export ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 200), ("coordinator", 200), ("worker", 403), ("policy", 403), ("stranger", 404)],
)
def test_only_coordinators_open_the_coordination_page(client, town, role, expected):
    client.force_login(getattr(town, role))
    url = reverse("observations:coordination", args=[town.municipality.code])
    assert client.get(url).status_code == expected


def test_the_coordination_page_lists_wards_lacking_a_submitted_observation(client, town):
    saved(town, submit=True)  # worker, Centrum: handed in
    saved(town, ward=town.wards[1])  # worker, Noord: only a draft
    client.force_login(town.admin)
    response = client.get(reverse("observations:coordination", args=[town.municipality.code]))
    data = response.context["data"]
    missing = {(row.ward.name, row.worker) for row in data.missing}
    assert missing == {
        ("Noord", "Wim Werker"),
        ("Centrum", "Cor Collega"),
        ("Oost", "Coby Coördinator"),
    }
    assert [o.ward.name for o in data.waiting] == ["Centrum"]
    assert "3 van de 4 toegewezen wijken" in response.content.decode()


def _accepted(town):
    observation = saved(town, submit=True)
    return observation_transition(
        user=town.admin,
        observation=observation,
        target=Status.ACCEPTED,
        expected_version=observation.version,
    )


def test_the_export_has_ratings_and_signals_and_narratives_only_when_asked(client, town):
    _accepted(town)
    client.force_login(town.policy)
    url = reverse("observations:export", args=[town.municipality.code])
    response = client.get(url, {"format": "csv", "kwartaal": PERIOD})
    header, [row] = csv_table(response)
    assert "Oordeel zekerheid" in header and "Signaal: Eenzaamheid" in header
    assert "onder druk" in row and "vaak" in row
    assert "betalingsachterstanden" not in response.content.decode("utf-8-sig")
    with_text = client.get(url, {"format": "csv", "toelichting": "1"}).content.decode()
    assert "betalingsachterstanden" in with_text
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    values = [cell.value for cell in workbook.active[2]]
    assert "Signaal: Geldzorgen en schulden" in values


def test_the_export_gives_other_staff_only_accepted_observations(client, town):
    saved(town, submit=True)
    url = reverse("observations:export", args=[town.municipality.code])
    client.force_login(town.policy)
    assert csv_table(client.get(url, {"format": "csv"}))[1] == []
    client.force_login(town.admin)
    assert len(csv_table(client.get(url, {"format": "csv"}))[1]) == 1


@pytest.mark.parametrize("role", ["stranger", None])
def test_the_export_of_another_municipality_is_404(client, town, role):
    _accepted(town)
    if role:
        client.force_login(getattr(town, role))
    response = client.get(reverse("observations:export", args=[town.municipality.code]))
    assert response.status_code in (404 if role else 302,)


def test_a_beheerder_keeps_the_list_of_signal_kinds(client, town):
    url = reverse("observations:signal_kinds", args=[town.municipality.code])
    client.force_login(town.worker)
    assert client.get(url).status_code == 403
    client.force_login(town.admin)
    client.post(url, {"name": "Hitte in huis", "description": "Woningen die te warm worden."})
    added = town.municipality.signal_kinds.get()
    assert added.name == "Hitte in huis"
    client.post(url, {"kind": added.pk, "active": "0"})
    added.refresh_from_db()
    assert not added.is_active
    response = client.post(url, {"name": "eenzaamheid"})
    assert response.status_code == 400
    assert "staat al op de lijst" in response.content.decode()
    client.force_login(town.stranger)
    assert client.get(url).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


PAGES = {
    # name: (who, url builder, queries)
    "index": ("worker", lambda t, o: reverse("observations:index"), 7),
    "form": ("worker", lambda t, o: form_url(t.wards[1]), 7),
    "detail": ("admin", lambda t, o: reverse("observations:detail", args=[o.pk]), 10),
    "coordination": (
        "admin",
        lambda t, o: reverse("observations:coordination", args=[t.municipality.code]),
        8,
    ),
    "export": (
        "admin",
        lambda t, o: (
            reverse("observations:export", args=[t.municipality.code]) + "?format=csv&toelichting=1"
        ),
        6,
    ),
}


@pytest.mark.parametrize("count", [10, 100])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_query_count_of_each_observation_page_is_pinned(
    client, town, django_assert_num_queries, name, count
):
    who, url, queries = PAGES[name]
    observation = observations_with_history(town, count)
    client.force_login(getattr(town, who))
    target = url(town, observation)
    with django_assert_num_queries(queries):
        response = client.get(target)
    assert response.status_code == 200
