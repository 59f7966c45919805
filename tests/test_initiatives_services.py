"""Writing initiatives and reach: the same rules as on screen, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from initiatives.models import Initiative, InitiativeReach
from initiatives.services import InitiativeInvalid, initiative_create, initiative_update, reach_set
from initiatives.tabular import ReachRecord
from tests.initiatives_fixtures import record, small_municipality


@pytest.fixture
def place(db):
    return small_municipality()


def test_it_creates_an_initiative_with_its_wards_and_profile(place):
    initiative = initiative_create(
        municipality=place, record=record(ward_codes=["WK990101", "wk990102"])
    )
    assert sorted(w.code for w in initiative.wards.all()) == ["WK990101", "WK990102"]
    assert initiative.conditions == ["inclusie", "cohesie"]  # in the fixed order
    assert initiative.funding_until == date(2025, 12, 31)


def test_it_refuses_what_the_form_would_refuse(place):
    cases = {
        "ward_codes": record(ward_codes=[]),
        "end_date": record(start_date=date(2025, 1, 1), end_date=date(2024, 1, 1)),
        "funding_until": record(funding="structureel"),
        "contact_organisation": record(contact_organisation=""),
        "latitude": record(latitude=52.37, longitude=4.89),
    }
    for field, bad in cases.items():
        with pytest.raises(InitiativeInvalid) as refused:
            initiative_create(municipality=place, record=bad)
        assert field in refused.value.problems, field
    assert not Initiative.objects.exists()


def test_names_are_unique_per_municipality_whatever_their_case(place):
    initiative_create(municipality=place, record=record())
    with pytest.raises(InitiativeInvalid):
        initiative_create(municipality=place, record=record(name="KOFFIE OP DE HOEK"))
    other = small_municipality("GM9902")
    initiative_create(
        municipality=other, record=record(ward_codes=["WK990201"], latitude=None, longitude=None)
    )


def test_a_ward_of_another_municipality_is_refused(place):
    small_municipality("GM9902")
    with pytest.raises(InitiativeInvalid) as refused:
        initiative_create(municipality=place, record=record(ward_codes=["WK990201"]))
    assert "WK990201" in refused.value.problems["ward_codes"][0]


def test_update_replaces_the_profile_and_wards(place):
    initiative = initiative_create(municipality=place, record=record())
    initiative_update(
        initiative=initiative, record=record(status="gestopt", ward_codes=["WK990103"])
    )
    initiative.refresh_from_db()
    assert initiative.status == "gestopt"
    assert [w.code for w in initiative.wards.all()] == ["WK990103"]


def test_reach_per_quarter_is_replaced_when_entered_again(place):
    initiative = initiative_create(municipality=place, record=record())
    reach_set(initiative=initiative, record=ReachRecord(initiative.name, "2025-K1", 10, 2))
    reach_set(
        initiative=initiative,
        record=ReachRecord(
            initiative.name, "2025-K1", 12, 3, ["ouderen"], ["jongeren"], "Nog niet"
        ),
    )
    reach = InitiativeReach.objects.get()
    assert (reach.participants, reach.missed_groups, reach.missed_note) == (
        12,
        ["jongeren"],
        "Nog niet",
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_free_text_target_groups_forward():
    executor = MigrationExecutor(connection)
    executor.migrate([("initiatives", "0001_initial")])
    old = executor.loader.project_state([("initiatives", "0001_initial")]).apps
    Region = old.get_model("monitoring", "Region")
    OldInitiative = old.get_model("initiatives", "Initiative")
    OldReach = old.get_model("initiatives", "InitiativeReach")
    town = Region.objects.create(code="GM9903", name="Oudstad", level="gemeente")
    first = OldInitiative.objects.create(
        municipality=town, name="Buurtkamer", target_groups="Ouderen, mantelzorgers, buren"
    )
    OldInitiative.objects.create(municipality=town, name="Buurtkamer")
    OldReach.objects.create(
        initiative=first,
        period="2024-K1",
        reached_groups="ouderen",
        missed_groups="Jongeren, statushouders",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    initiative = Initiative.objects.get(pk=first.pk)
    assert initiative.target_groups == ["ouderen", "mantelzorgers"]
    assert "Doelgroepen: buren" in initiative.description
    assert sorted(Initiative.objects.values_list("name", flat=True)) == [
        "Buurtkamer",
        "Buurtkamer (2)",
    ]
    reach = InitiativeReach.objects.get()
    assert reach.reached_groups == ["ouderen"]
    assert reach.missed_groups == ["jongeren"]
    assert reach.missed_note == "statushouders"
