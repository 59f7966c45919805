"""The pure core of observations: workflow table, personal-data guard, practice score, history
diff, quarters. No database."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from observations import privacy
from observations.history import signal_changes, snapshot_changes
from observations.practice import (
    Leaning,
    disagreement,
    practice_label,
    practice_leaning,
    practice_mean,
    practice_text,
    statistical_leaning,
)
from observations.privacy import Kind, find_personal_data
from observations.quarters import parse_quarter, quarter_end, quarter_of, recent_quarters
from observations.workflow import (
    ALLOWED_TRANSITIONS,
    Actor,
    Status,
    TransitionRefused,
    transition_check,
    transitions_from,
)

TODAY = date(2026, 12, 1)

# --- Workflow ---------------------------------------------------------------------------------

EXPECTED_TABLE = {
    (Status.CONCEPT, Status.SUBMITTED): Actor.AUTHOR,
    (Status.SUBMITTED, Status.ACCEPTED): Actor.COORDINATOR,
    (Status.SUBMITTED, Status.RETURNED): Actor.COORDINATOR,
    (Status.SUBMITTED, Status.CONCEPT): Actor.AUTHOR,
    (Status.RETURNED, Status.SUBMITTED): Actor.AUTHOR,
    (Status.ACCEPTED, Status.RETURNED): Actor.COORDINATOR,
}


def test_the_transition_table_is_exactly_the_documented_workflow():
    table = {
        (source, target): transition.actor
        for source, targets in ALLOWED_TRANSITIONS.items()
        for target, transition in targets.items()
    }
    assert table == EXPECTED_TABLE


@pytest.mark.parametrize(("source", "target"), list(product(Status, Status)))
def test_every_pair_of_states_is_allowed_only_as_the_table_says(source, target):
    actor = EXPECTED_TABLE.get((source, target))
    if actor is None:
        with pytest.raises(TransitionRefused, match="kan niet naar"):
            transition_check(
                current=source, target=target, actors={Actor.AUTHOR, Actor.COORDINATOR}, note="x"
            )
    else:
        assert transition_check(current=source, target=target, actors={actor}, note="reden")
        other = {Actor.AUTHOR, Actor.COORDINATOR} - {actor}
        with pytest.raises(TransitionRefused, match="mag alleen"):
            transition_check(current=source, target=target, actors=other, note="reden")


def test_a_transition_outside_the_table_is_refused_in_dutch():
    with pytest.raises(TransitionRefused) as refused:
        transition_check(current="concept", target="geaccepteerd", actors={Actor.COORDINATOR})
    assert str(refused.value) == "Een observatie met status ‘Concept’ kan niet naar ‘Geaccepteerd’."


def test_returning_needs_a_reason():
    with pytest.raises(TransitionRefused, match="Geef een reden"):
        transition_check(
            current="ingediend", target="teruggestuurd", actors={Actor.COORDINATOR}, note="  "
        )


def test_an_unknown_status_is_refused():
    with pytest.raises(TransitionRefused, match="Onbekende status"):
        transition_check(current="concept", target="gepubliceerd", actors={Actor.AUTHOR})


def test_the_buttons_follow_the_table():
    coordinator = [t for t, _ in transitions_from("ingediend", {Actor.COORDINATOR})]
    assert coordinator == [Status.ACCEPTED, Status.RETURNED]
    assert [t for t, _ in transitions_from("ingediend", {Actor.AUTHOR})] == [Status.CONCEPT]
    assert transitions_from("geaccepteerd", {Actor.AUTHOR}) == []


# --- Personal data ----------------------------------------------------------------------------


def kinds(text: str) -> list[Kind]:
    return [finding.kind for finding in find_personal_data(text, today=TODAY)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mevrouw met BSN 111222333 vroeg om hulp.", Kind.BSN),
        ("bsn 111.222.333 staat in het dossier", Kind.BSN),
        ("BSN 1112 22 333", Kind.BSN),
        ("Bel haar op 06-12345678.", Kind.PHONE),
        ("telefoon 070 123 4567", Kind.PHONE),
        ("+31 6 12345678 is het nummer", Kind.PHONE),
        ("bereikbaar via +31(0)70-1234567", Kind.PHONE),
        ("mail naar jan.jansen@example.nl", Kind.EMAIL),
        ("Rekening NL91ABNA0417164300 staat rood.", Kind.IBAN),
        ("iban NL91 ABNA 0417 1643 00", Kind.IBAN),
        ("geboren op 12-03-1985, woont alleen", Kind.BIRTH_DATE),
        ("geb. 3 maart 1950", Kind.BIRTH_DATE),
        ("Een man van 12 maart 1948 zit vaak alleen.", Kind.BIRTH_DATE),
        ("1948-03-12", Kind.BIRTH_DATE),
        ("woont op 2517 AB 12", Kind.ADDRESS),
        ("Laan van Meerdervoort 12, 2517 AB is een adres", Kind.ADDRESS),
        ("2517ab 3a", Kind.ADDRESS),
    ],
)
def test_each_kind_of_personal_data_is_found(text, kind):
    assert kinds(text) == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "Nummer 123456789 voldoet niet aan de elfproef.",  # an invalid BSN is not refused
        "In 2017 en 2018 was het rustig in de wijk.",
        "In 2024 bereikten we 35 bewoners met 12 huisbezoeken en 3 spreekuren.",
        "Er zijn 1200 huishoudens, 45% eenpersoons.",
        "De postcode 2517 AB is druk bezocht.",  # a postcode alone is an area
        "Spreekuur tussen 10.00-12.00 uur.",
        "Op 12-03-2024 was er een buurtfeest.",  # a recent date is an event
        "In de periode 2019-2024 groeide de groep.",
        "Rekening NL91ABNA0417164301 is geen geldige IBAN.",
        "Eenzaamheid onder ouderen neemt toe; de buurtkamer helpt.",
        "",
    ],
)
def test_ordinary_neighbourhood_text_passes(text):
    assert kinds(text) == []


def test_a_valid_bsn_is_refused_and_an_invalid_one_is_not():
    assert kinds("BSN 111222333") == [Kind.BSN]
    assert kinds("BSN 111222334") == []


def test_the_message_names_the_kind_and_the_field_but_not_the_text():
    [finding] = find_personal_data(
        "Zij belde vanaf 06-12345678.", field="Toelichting sociale cohesie", today=TODAY
    )
    assert finding.message.startswith(
        "Toelichting sociale cohesie: hier staat een telefoonnummer (rond teken 17)."
    )
    assert "12345678" not in finding.message


def test_several_fields_are_checked_at_once_in_order():
    findings = privacy.check_fields(
        {"Toelichting A": "mail a@b.nl", "Toelichting B": "niets", "Reden": "BSN 111222333"},
        today=TODAY,
    )
    assert [(f.field, f.kind) for f in findings] == [
        ("Toelichting A", Kind.EMAIL),
        ("Reden", Kind.BSN),
    ]


def test_one_number_is_one_finding():
    # A phone number is not also reported as a BSN or a date.
    assert kinds("06 1234 5678 en later 111222333") == [Kind.PHONE, Kind.BSN]


# --- Practice score ---------------------------------------------------------------------------


def test_the_practice_mean_leaves_out_no_view_and_empty():
    assert practice_mean([2, 3, 0, None, 4]) == 3
    assert practice_mean([0, None]) is None


@pytest.mark.parametrize(
    ("mean", "label"),
    [
        (1.0, "sterk onder druk"),
        (2.3, "onder druk"),
        (2.5, "onder druk"),
        (3.4, "neutraal"),
        (4.6, "sterk"),
    ],
)
def test_a_mean_is_named_by_the_nearest_step_of_the_scale(mean, label):
    assert practice_label(mean) == label


def test_the_practice_text_says_how_many_observations_are_behind_it():
    assert practice_text(7 / 3, 3) == "onder druk (2,3; 3 observaties)"
    assert practice_text(4.0, 1) == "goed (4,0; 1 observatie)"


def test_leanings_of_statistics_and_practice():
    assert statistical_leaning(101, 100, "basisjaar") == Leaning.AROUND
    assert statistical_leaning(90, 100, "basisjaar") == Leaning.BELOW
    assert statistical_leaning(62, 50, "percentiel") == Leaning.ABOVE
    assert practice_leaning(2.0) == Leaning.BELOW
    assert practice_leaning(3.0) == Leaning.AROUND
    assert practice_leaning(4.0) == Leaning.ABOVE


def _disagreement(statistical, practice):
    return disagreement(
        condition="cohesie",
        condition_name="Sociale cohesie",
        statistical=statistical,
        average=100,
        statistical_period="2021",
        method="basisjaar",
        practice=practice,
        practice_count=4,
        practice_period="2024-K4",
    )


def test_statistics_around_average_and_practice_under_pressure_disagree_in_words():
    found = _disagreement(101, 2.0)
    assert found is not None
    assert found.sentence.startswith(
        "Sociale cohesie: praktijk en statistiek wijzen verschillende kanten op."
    )
    assert "onder druk (2,0; 4 observaties)" in found.sentence
    assert "rond het gemiddelde van de wijken" in found.sentence


def test_agreeing_practice_and_statistics_say_nothing():
    assert _disagreement(90, 2.0) is None
    assert _disagreement(101, 3.0) is None
    assert _disagreement(None, 2.0) is None
    assert _disagreement(90, 4.2) is not None  # good in practice, below average in figures


# --- History ----------------------------------------------------------------------------------


def test_snapshot_changes_list_what_differs_in_words():
    fields = [("cohesie_rating", "Oordeel sociale cohesie"), ("version", "Versie")]
    labels = {2: "onder druk", 3: "neutraal"}
    changes = snapshot_changes(
        {"cohesie_rating": 3, "version": 1},
        {"cohesie_rating": 2, "version": 2},
        fields=fields,
        display=lambda name, value: labels.get(value, str(value or "")),
    )
    assert [c.sentence for c in changes] == ["Oordeel sociale cohesie: neutraal → onder druk"]


def test_signal_changes_say_added_removed_and_changed():
    changes = signal_changes(
        {"Eenzaamheid": "vaak", "Zorgmijding": "vaak"},
        {"Eenzaamheid": "een paar keer", "Woonproblemen": "vaak"},
    )
    assert [c.sentence for c in changes] == [
        "Signaal Eenzaamheid: vaak → een paar keer",
        "Signaal Woonproblemen: toegevoegd (vaak)",
        "Signaal Zorgmijding: weggehaald (was vaak)",
    ]


# --- Quarters ---------------------------------------------------------------------------------


def test_quarters_of_dates_and_their_ends():
    assert str(quarter_of(date(2024, 5, 17))) == "2024-K2"
    assert quarter_end("2024-K1") == date(2024, 3, 31)
    assert quarter_end("2024-K4") == date(2024, 12, 31)
    assert [str(q) for q in recent_quarters(date(2025, 2, 1), 3)] == [
        "2025-K1",
        "2024-K4",
        "2024-K3",
    ]


def test_a_year_is_not_a_quarter():
    with pytest.raises(ValueError, match="observaties gaan per kwartaal"):
        parse_quarter("2024")
