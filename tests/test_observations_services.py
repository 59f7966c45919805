"""Writing observations: access, personal data, optimistic locking, workflow, history,
retention. Every refusal writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from observations import services
from observations.models import (
    NARRATIVE_FIELDS,
    Observation,
    ObservationEvent,
    ObservationSignal,
    ObservationTransition,
)
from observations.selectors import observation_history
from observations.services import (
    EditConflict,
    NotAllowed,
    ObservationError,
    PersonalDataRefused,
    observation_save,
    observation_transition,
)
from observations.workflow import Status, TransitionRefused
from tests.observation_helpers import complete_input, kind, town_create

TODAY = date(2024, 11, 15)


@pytest.fixture
def town(db):
    return town_create()


PERIOD = "2024-K4"


def save(town, person=None, *, version=0, ward=None, submit=False, **overrides):
    return observation_save(
        user=person or town.worker,
        ward=ward or town.wards[0],
        period=PERIOD,
        expected_version=version,
        data=complete_input(**overrides),
        submit=submit,
        today=TODAY,
    )


def everything_stored() -> str:
    """All text the database holds about observations, for 'stored nowhere' checks."""
    with connection.cursor() as cursor:
        parts = []
        for table in (
            "observations_observation",
            "observations_observationevent",
            "observations_observationauditevent",
            "observations_observationsignalevent",
            "observations_observationtransition",
            "pghistory_context",
        ):
            cursor.execute(f"SELECT t::text FROM {table} t")
            parts += [row[0] for row in cursor.fetchall()]
    return "\n".join(parts)


# --- Access -----------------------------------------------------------------------------------


def test_a_social_worker_saves_a_draft_for_an_assigned_ward(town):
    observation = save(town)
    assert observation.status == Status.CONCEPT
    assert observation.version == 1
    assert observation.municipality == town.municipality
    assert observation.cohesie_rating == 2
    assert set(observation.signals.values_list("frequency", flat=True)) == {2, 3}
    [transition] = observation.transitions.all()
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "",
        Status.CONCEPT,
        town.worker,
    )


def test_a_social_worker_is_refused_for_a_ward_not_assigned_to_them(town):
    with pytest.raises(NotAllowed, match="wijken die aan u zijn toegewezen"):
        save(town, ward=town.wards[3])
    with pytest.raises(NotAllowed):
        save(town, ward=town.other_ward)
    assert not Observation.objects.exists()


@pytest.mark.parametrize("role", ["policy", "admin", "stranger"])
def test_only_social_workers_write_observations(town, role):
    with pytest.raises(NotAllowed):
        save(town, getattr(town, role))


def test_a_year_or_a_future_quarter_is_refused(town):
    with pytest.raises(ObservationError, match="per kwartaal"):
        observation_save(
            user=town.worker,
            ward=town.wards[0],
            period="2024",
            expected_version=0,
            data=complete_input(),
            today=TODAY,
        )
    with pytest.raises(ObservationError, match="nog niet begonnen"):
        observation_save(
            user=town.worker,
            ward=town.wards[0],
            period="2025-K1",
            expected_version=0,
            data=complete_input(),
            today=TODAY,
        )


def test_one_observation_per_ward_quarter_and_author(town):
    save(town)
    save(town, town.colleague)  # a colleague writes their own
    with pytest.raises(EditConflict):
        save(town)  # a second "new" one from the same author is a conflict, not a duplicate
    assert Observation.objects.count() == 2


# --- Personal data ----------------------------------------------------------------------------

PERSONAL_DATA = {
    "bsn": "Mevrouw (BSN 111222333) heeft schulden.",
    "telefoon": "Haar nummer is 06-12345678.",
    "email": "Contact via piet@example.nl.",
    "iban": "Rekening NL91ABNA0417164300 staat rood.",
    "geboortedatum": "Meneer, geboren 12-03-1948, is eenzaam.",
    "adres": "Op Dorpsstraat 12, 2517 AB woont een gezin in nood.",
}


@pytest.mark.parametrize("kind_of_data", list(PERSONAL_DATA))
def test_each_kind_of_personal_data_is_refused_and_stored_nowhere(town, kind_of_data):
    text = PERSONAL_DATA[kind_of_data]
    with pytest.raises(PersonalDataRefused) as refused:
        save(town, narratives={"cohesie": text})
    assert [f.kind.value for f in refused.value.findings] == [kind_of_data]
    assert refused.value.messages[0].startswith("Toelichting sociale cohesie: hier staat")
    assert not Observation.objects.exists()
    assert text not in everything_stored()


def test_personal_data_in_an_edit_leaves_the_saved_version_and_its_history_untouched(town):
    first = save(town)
    text = "Bel mevrouw op 06-12345678."
    with pytest.raises(PersonalDataRefused):
        save(town, version=first.version, narratives={"zekerheid": text})
    first.refresh_from_db()
    assert first.version == 1
    assert first.zekerheid_narrative.startswith("Meer bewoners")
    assert text not in everything_stored()
    assert len(observation_history(first)) == 1


def test_a_valid_bsn_is_refused_and_an_invalid_one_is_saved(town):
    with pytest.raises(PersonalDataRefused):
        save(town, narratives={"inclusie": "nummer 111222333"})
    saved = save(town, narratives={"inclusie": "ordernummer 111222334"})
    assert saved.inclusie_narrative == "ordernummer 111222334"


def test_a_return_reason_with_personal_data_is_refused(town):
    submitted = save(town, submit=True)
    with pytest.raises(PersonalDataRefused):
        observation_transition(
            user=town.admin,
            observation=submitted,
            target=Status.RETURNED,
            expected_version=submitted.version,
            note="Bel haar op 0612345678",
        )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


# --- Optimistic locking -----------------------------------------------------------------------


def test_a_concurrent_save_is_refused_with_who_and_what_changed_and_nothing_is_lost(town):
    first = save(town)
    # Two windows opened version 1. The first saves a change to cohesion…
    save(
        town,
        version=1,
        ratings={"zekerheid": 2, "inclusie": 3, "cohesie": 1, "empowerment": 0},
        signals={kind().pk: 3, kind("Zorgmijding").pk: 1},
    )
    # …the second, still on version 1, is refused.
    mine = "Mijn eigen tekst over de buurt die ik niet kwijt wil."
    with pytest.raises(EditConflict) as conflict:
        save(town, version=1, narratives={"cohesie": mine})
    error = conflict.value
    assert "Wim Werker heeft deze observatie intussen gewijzigd" in str(error)
    assert [c.sentence for c in error.changes] == [
        "Oordeel sociale cohesie: onder druk → sterk onder druk"
    ]
    assert [c.sentence for c in error.signal_changes] == [
        "Signaal Geldzorgen en schulden: weggehaald (was een paar keer)",
        "Signaal Zorgmijding: toegevoegd (een enkele keer)",
    ]
    first.refresh_from_db()
    assert first.version == 2
    assert first.cohesie_rating == 1  # the first save is kept
    assert mine not in everything_stored()  # the refused one is not stored…
    # …and the view shows it back from the form (see test_observations_views).


def test_a_save_after_the_coordinator_moved_it_on_is_a_conflict(town):
    submitted = save(town, submit=True)
    returned = observation_transition(
        user=town.admin,
        observation=submitted,
        target=Status.RETURNED,
        expected_version=submitted.version,
        note="Vul empowerment nog aan.",
    )
    with pytest.raises(EditConflict, match="Bert Beheer heeft deze observatie"):
        save(town, version=submitted.version)
    saved = save(town, version=returned.version)
    assert saved.status == Status.RETURNED


def test_a_submitted_observation_cannot_be_edited(town):
    submitted = save(town, submit=True)
    with pytest.raises(ObservationError, match="ingediend en kan nu niet"):
        save(town, version=submitted.version)


# --- Workflow ---------------------------------------------------------------------------------


def test_submit_accept_and_every_transition_is_an_append_only_row(town):
    submitted = save(town, submit=True)
    assert submitted.status == Status.SUBMITTED
    accepted = observation_transition(
        user=town.coordinator,
        observation=submitted,
        target=Status.ACCEPTED,
        expected_version=submitted.version,
    )
    assert accepted.status == Status.ACCEPTED
    rows = list(
        ObservationTransition.objects.filter(observation=accepted).values_list(
            "from_status", "to_status", "actor__username"
        )
    )
    assert rows == [
        ("", "concept", "werker"),
        ("concept", "ingediend", "werker"),
        ("ingediend", "geaccepteerd", "coordinator"),
    ]


def test_the_transition_table_refuses_accepting_a_draft(town):
    draft = save(town)
    with pytest.raises(TransitionRefused, match="kan niet naar ‘Geaccepteerd’"):
        observation_transition(
            user=town.admin, observation=draft, target=Status.ACCEPTED, expected_version=1
        )
    draft.refresh_from_db()
    assert draft.status == Status.CONCEPT


def test_returning_needs_a_reason_and_keeps_it(town):
    submitted = save(town, submit=True)
    with pytest.raises(TransitionRefused, match="Geef een reden"):
        observation_transition(
            user=town.admin,
            observation=submitted,
            target=Status.RETURNED,
            expected_version=submitted.version,
        )
    observation_transition(
        user=town.admin,
        observation=submitted,
        target=Status.RETURNED,
        expected_version=submitted.version,
        note="Inclusie lijkt te positief; graag toelichten.",
    )
    assert submitted.transitions.last().note == "Inclusie lijkt te positief; graag toelichten."


def test_a_social_worker_cannot_accept_and_a_coordinator_not_their_own(town):
    submitted = save(town, submit=True)
    with pytest.raises(TransitionRefused, match="coördinator"):
        observation_transition(
            user=town.worker,
            observation=submitted,
            target=Status.ACCEPTED,
            expected_version=submitted.version,
        )
    own = save(town, town.coordinator, ward=town.wards[2], submit=True)
    with pytest.raises(TransitionRefused):
        observation_transition(
            user=town.coordinator,
            observation=own,
            target=Status.ACCEPTED,
            expected_version=own.version,
        )
    with pytest.raises(NotAllowed):
        observation_transition(
            user=town.stranger,
            observation=submitted,
            target=Status.ACCEPTED,
            expected_version=submitted.version,
        )


def test_an_incomplete_observation_is_not_submitted_and_not_saved(town):
    with pytest.raises(ObservationError) as refused:
        save(town, submit=True, ratings={"zekerheid": 2}, directions={})
    assert "Sociale inclusie: kies een oordeel, of ‘geen zicht’." in refused.value.messages
    assert (
        "Sociaaleconomische zekerheid: geef aan of het verslechterd, gelijk of verbeterd is."
        in refused.value.messages
    )
    assert not Observation.objects.exists()


def test_the_database_refuses_to_change_or_delete_a_transition(town):
    save(town)
    row = ObservationTransition.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        ObservationTransition.objects.filter(pk=row.pk).update(note="achteraf")
    with pytest.raises(DatabaseError), transaction.atomic():
        ObservationTransition.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM observations_observationtransition")


def test_the_database_refuses_to_change_the_history(town):
    from observations.models import ObservationAuditEvent, ObservationSignalEvent

    observation = save(town)
    events = ObservationEvent.objects.filter(pgh_obj_id=observation.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        events.update(cohesie_narrative="vervalst")
    with pytest.raises(DatabaseError), transaction.atomic():
        events.delete()
    # The audit trail's copies refuse it whoever asks (no per-session escape).
    for model in (ObservationAuditEvent, ObservationSignalEvent):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SET LOCAL pgtrigger.ignore = '{{}}'; DELETE FROM {model._meta.db_table}"
            )


def test_the_audit_trail_keeps_the_ratings_but_never_the_narratives(town):
    from observations.models import ObservationAuditEvent

    observation = save(town)
    [event] = ObservationAuditEvent.objects.filter(pgh_obj_id=observation.pk).values()
    assert event["cohesie_rating"] == 2 and event["status"] == "concept"
    assert not any(name.endswith("_narrative") for name in event)


# --- History ----------------------------------------------------------------------------------


def test_every_edit_is_kept_and_listed_as_changes(town):
    first = save(town)
    second = save(
        town,
        version=first.version,
        narratives={"cohesie": "De buurtkamer is weer open; ouderen komen terug."},
        residents_reached=55,
        signals={kind().pk: 2},
    )
    observation_transition(
        user=town.worker, observation=second, target=Status.SUBMITTED, expected_version=2
    )
    entries = observation_history(second)
    assert [(e.version, e.title, e.who) for e in entries] == [
        (3, "Status: ingediend", "Wim Werker"),
        (2, "Gewijzigd", "Wim Werker"),
        (1, "Aangemaakt", "Wim Werker"),
    ]
    edit = entries[1]
    sentences = [c.sentence for c in edit.changes]
    assert "Bereikte bewoners: 40 → 55" in sentences
    assert any(s.startswith("Toelichting sociale cohesie: Ouderen in de flats") for s in sentences)
    assert any(
        s.startswith("Toelichting sociaaleconomische zekerheid: leeggemaakt") for s in sentences
    )
    assert [c.sentence for c in edit.signal_changes] == [
        "Signaal Eenzaamheid: vaak → een paar keer",
        "Signaal Geldzorgen en schulden: weggehaald (was een paar keer)",
    ]
    assert entries[2].signal_changes and entries[2].changes  # the first version, as filled in


# --- Retention --------------------------------------------------------------------------------


def test_after_the_retention_period_narratives_go_and_ratings_stay(town, settings):
    settings.OBSERVATION_NARRATIVE_RETENTION_DAYS = 365
    old = observation_save(
        user=town.worker,
        ward=town.wards[0],
        period="2023-K2",
        expected_version=0,
        data=complete_input(),
        today=TODAY,
    )
    recent = save(town)  # 2024-K4
    narrative = old.cohesie_narrative
    assert services.narratives_expire(today=date(2024, 8, 1)) == 1  # 2023-K2 ended 2023-06-30
    old.refresh_from_db()
    recent.refresh_from_db()
    assert all(getattr(old, name) == "" for name in NARRATIVE_FIELDS)
    assert old.narratives_removed_at is not None
    assert old.cohesie_rating == 2 and old.signals.count() == 2
    assert recent.cohesie_narrative  # not yet expired
    assert narrative not in everything_stored().replace(recent.cohesie_narrative, "")
    assert observation_history(old)[0].title.startswith("Bewaartermijn verstreken")
    assert services.narratives_expire(today=date(2024, 8, 1)) == 0  # once


def test_the_retention_command_uses_the_setting(town, settings):
    from django.core.management import call_command

    settings.OBSERVATION_NARRATIVE_RETENTION_DAYS = 30
    save(town)
    call_command("expire_narratives", "--today", "2025-01-15")
    assert Observation.objects.get().cohesie_narrative  # 2024-K4 has not ended 30 days ago
    call_command("expire_narratives", "--today", "2025-03-01")
    assert Observation.objects.get().cohesie_narrative == ""
    assert ObservationSignal.objects.count() == 2


def test_the_standard_signal_kinds_come_back_after_a_flushed_database(db):
    from observations.models import SignalKind
    from observations.services import standard_signal_kinds_ensure

    SignalKind.objects.all().delete()  # as a transactional test's flush does
    assert standard_signal_kinds_ensure() == 10
    assert standard_signal_kinds_ensure() == 0
    assert SignalKind.objects.filter(municipality=None, name="Eenzaamheid").exists()
