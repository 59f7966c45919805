"""The gap rule of the sociale basis at its edges, without a database."""

from __future__ import annotations

from datetime import date

from initiatives.gaps import (
    CellStatus,
    InitiativeFacts,
    add_months,
    cell_status,
    funding_ends_soon,
    gap_matrix,
    is_active,
    missed_target_groups,
)

TODAY = date(2025, 6, 15)
WARD, OTHER_WARD = 1, 2


def initiative(
    pk=1,
    *,
    status="actief",
    start=None,
    end=None,
    wards=(WARD,),
    conditions=("cohesie",),
    groups=(),
):
    return InitiativeFacts(
        id=pk,
        status=status,
        start_date=start,
        end_date=end,
        ward_ids=frozenset(wards),
        conditions=frozenset(conditions),
        target_groups=frozenset(groups),
    )


def cell(score, initiatives, threshold=90.0, condition="cohesie"):
    matrix = gap_matrix(
        ward_ids=[WARD],
        conditions=[condition],
        scores={(WARD, condition): score},
        initiatives=initiatives,
        on=TODAY,
        threshold=threshold,
    )
    return matrix[(WARD, condition)]


def test_a_low_score_without_any_initiative_is_a_gap():
    assert cell(80.0, []).status == CellStatus.GAP
    assert cell(80.0, []).is_gap


def test_a_score_exactly_at_the_threshold_is_not_a_gap():
    assert cell(90.0, []).status == CellStatus.OK
    assert cell(89.999, []).status == CellStatus.GAP


def test_the_threshold_can_be_set():
    assert cell(94.0, [], threshold=95).status == CellStatus.GAP
    assert cell(94.0, [], threshold=94).status == CellStatus.OK


def test_a_low_score_with_an_active_initiative_on_that_condition_is_not_a_gap():
    found = cell(80.0, [initiative()])
    assert found.status == CellStatus.LOW_COVERED
    assert found.active_initiatives == 1


def test_an_ended_initiative_does_not_fill_the_gap():
    ended_by_date = initiative(end=date(2025, 6, 14))
    stopped = initiative(2, status="gestopt")
    assert cell(80.0, [ended_by_date, stopped]).status == CellStatus.GAP


def test_an_initiative_on_its_last_day_still_counts():
    assert cell(80.0, [initiative(end=TODAY)]).status == CellStatus.LOW_COVERED


def test_an_idea_or_an_initiative_that_has_not_started_does_not_fill_the_gap():
    idea = initiative(status="idee")
    later = initiative(2, start=date(2025, 7, 1))
    assert cell(80.0, [idea, later]).status == CellStatus.GAP


def test_an_initiative_for_another_condition_does_not_fill_the_gap():
    assert cell(80.0, [initiative(conditions=("zekerheid",))]).status == CellStatus.GAP


def test_an_initiative_in_another_ward_does_not_fill_the_gap():
    assert cell(80.0, [initiative(wards=(OTHER_WARD,))]).status == CellStatus.GAP


def test_a_ward_without_a_score_is_not_a_gap_but_has_no_score():
    found = cell(None, [])
    assert found.status == CellStatus.NO_SCORE
    assert not found.is_gap
    assert found.symbol == "–"
    missing = gap_matrix(
        ward_ids=[WARD], conditions=["cohesie"], scores={}, initiatives=[], on=TODAY
    )
    assert missing[(WARD, "cohesie")].status == CellStatus.NO_SCORE


def test_every_status_has_a_word_and_a_gap_has_a_symbol():
    assert cell_status(70, 0, 90) == "hiaat"
    assert cell(70, []).symbol == "⚠"
    assert {str(s) for s in CellStatus} == {
        "hiaat",
        "geen score",
        "laag, met initiatief",
        "niet laag",
    }


def test_active_counts_per_ward_and_condition():
    both = initiative(1, wards=(WARD, OTHER_WARD), conditions=("cohesie", "inclusie"))
    one = initiative(2, conditions=("cohesie",))
    matrix = gap_matrix(
        ward_ids=[WARD, OTHER_WARD],
        conditions=["cohesie", "inclusie", "zekerheid"],
        scores={},
        initiatives=[both, one],
        on=TODAY,
    )
    assert matrix[(WARD, "cohesie")].active_initiatives == 2
    assert matrix[(OTHER_WARD, "cohesie")].active_initiatives == 1
    assert matrix[(WARD, "inclusie")].active_initiatives == 1
    assert matrix[(WARD, "zekerheid")].active_initiatives == 0


def test_is_active_reads_status_start_and_end():
    assert is_active(initiative(start=TODAY), TODAY)
    assert not is_active(initiative(start=date(2025, 6, 16)), TODAY)
    assert not is_active(initiative(status="gestopt"), TODAY)


def test_missed_target_groups_are_those_no_active_initiative_in_the_ward_reaches():
    elderly = initiative(1, groups=("ouderen", "mantelzorgers"))
    youth_elsewhere = initiative(2, wards=(OTHER_WARD,), groups=("jongeren",))
    stopped = initiative(3, status="gestopt", groups=("gezinnen",))
    all_groups = ["ouderen", "jongeren", "gezinnen", "mantelzorgers"]
    missed = missed_target_groups(
        ward_id=WARD,
        initiatives=[elderly, youth_elsewhere, stopped],
        reached={},
        on=TODAY,
        all_groups=all_groups,
    )
    assert missed == ["jongeren", "gezinnen"]
    # Reported reach counts over the groups aimed at: it reached only the elderly.
    missed = missed_target_groups(
        ward_id=WARD,
        initiatives=[elderly],
        reached={1: frozenset({"ouderen"})},
        on=TODAY,
        all_groups=all_groups,
    )
    assert missed == ["jongeren", "gezinnen", "mantelzorgers"]


def test_funding_ends_soon_within_six_months_from_today():
    assert funding_ends_soon("tijdelijk", date(2025, 12, 15), TODAY)
    assert not funding_ends_soon("tijdelijk", date(2025, 12, 16), TODAY)
    assert not funding_ends_soon("tijdelijk", date(2025, 6, 14), TODAY)  # already ended
    assert not funding_ends_soon("structureel", None, TODAY)


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 8, 29), 6) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 15), 12) == date(2026, 1, 15)
