"""The headline of an import preview: one outcome per kind of file, each with its own sentence
(pure: ``monitoring.importing.outcome``, no database)."""

from __future__ import annotations

from monitoring.importing.outcome import PreviewFacts, PreviewOutcome, preview_headline


def headline(**facts):
    return preview_headline(PreviewFacts(**facts))


def test_a_file_with_new_and_changed_values_says_what_inlezen_gives():
    result = headline(new=2067, changed=3, unchanged=10, columns_used=12)
    assert result.outcome == PreviewOutcome.CHANGES
    assert result.text == (
        "Inlezen geeft 2.067 nieuwe waarden, 3 gewijzigde waarden, 10 ongewijzigd."
    )
    assert result.can_apply and not result.is_warning


def test_one_new_value_is_singular():
    assert headline(new=1, columns_used=1).text.startswith("Inlezen geeft 1 nieuwe waarde, ")


def test_changes_beside_rejected_cells_say_both_and_that_skipping_is_a_choice():
    result = headline(new=5, unchanged=2, rejected=1, columns_used=3)
    assert result.outcome == PreviewOutcome.CHANGES_SOME_REJECTED
    assert "5 nieuwe waarden" in result.text
    assert "1 cel of rij afgewezen" in result.text and "als u dat kiest" in result.text
    assert result.can_apply and result.is_warning


def test_a_file_in_which_no_column_is_recognised_says_so_not_that_nothing_changes():
    result = headline(rejected=0, columns_used=0)
    assert result.outcome == PreviewOutcome.NOTHING_RECOGNISED
    assert "Geen enkele kolom van dit bestand is herkend" in result.text
    assert "staan er al" not in result.text
    assert not result.can_apply and result.is_warning


def test_no_recognised_column_wins_over_rejected_rows():
    result = headline(rejected=4, columns_used=0)
    assert result.outcome == PreviewOutcome.NOTHING_RECOGNISED


def test_a_file_in_which_every_row_is_rejected_says_nothing_is_read():
    result = headline(rejected=37, columns_used=5)
    assert result.outcome == PreviewOutcome.ALL_REJECTED
    assert result.text.startswith("Er wordt niets ingelezen: geen enkele waarde is bruikbaar")
    assert "37 cellen of rijen afgewezen" in result.text
    assert "staan er al" not in result.text
    assert not result.can_apply and result.is_warning


def test_recognised_columns_without_any_value_ask_for_values():
    result = headline(columns_used=2)
    assert result.outcome == PreviewOutcome.NO_VALUES
    assert "geen enkele waarde" in result.text
    assert not result.can_apply and result.is_warning


def test_a_file_whose_values_are_all_there_already_changes_nothing():
    result = headline(unchanged=120, columns_used=4)
    assert result.outcome == PreviewOutcome.NOTHING_CHANGES
    assert result.text == "Alle waarden in dit bestand staan er al; er verandert niets."
    assert not result.can_apply and not result.is_warning


def test_values_all_there_beside_rejected_cells_say_both():
    result = headline(unchanged=120, rejected=2, columns_used=4)
    assert result.outcome == PreviewOutcome.NOTHING_CHANGES_SOME_REJECTED
    assert "de bruikbare waarden staan er al" in result.text
    assert "2 cellen of rijen afgewezen" in result.text
    assert not result.can_apply and result.is_warning


def test_a_file_imported_before_names_its_import():
    result = headline(unchanged=120, columns_used=4, previous_batch_id=7)
    assert result.outcome == PreviewOutcome.ALREADY_IMPORTED
    assert result.text == "Dit bestand is al ingelezen (import #7); er verandert niets."
    assert not result.can_apply


def test_a_file_imported_before_with_rejections_names_them_too():
    result = headline(unchanged=120, rejected=1, columns_used=4, previous_batch_id=7)
    assert result.outcome == PreviewOutcome.ALREADY_IMPORTED
    assert "Net als toen zijn 1 cel of rij afgewezen." in result.text


def test_new_regions_and_renames_alone_are_changes():
    result = headline(regions_new=3, regions_renamed=1, columns_used=0)
    assert result.outcome == PreviewOutcome.CHANGES
    assert "3 nieuwe regio's" in result.text and "1 regio krijgt een nieuwe naam" in result.text


def test_a_boundary_file_speaks_of_boundaries_not_of_values():
    changed = headline(is_boundary_file=True, geometries_changed=44, geometries_unchanged=2)
    assert changed.outcome == PreviewOutcome.CHANGES
    assert changed.text == "Inlezen geeft 44 regiogrenzen bijgewerkt."
    same = headline(is_boundary_file=True, geometries_unchanged=46)
    assert same.outcome == PreviewOutcome.NOTHING_CHANGES
    assert same.text == "Alle grenzen in dit bestand staan er al; er verandert niets."


def test_a_boundary_file_of_another_municipality_is_all_rejected():
    result = headline(is_boundary_file=True, rejected=46)
    assert result.outcome == PreviewOutcome.ALL_REJECTED


def test_every_outcome_has_a_sentence():
    cases = [
        PreviewFacts(new=1, columns_used=1),
        PreviewFacts(new=1, rejected=1, columns_used=1),
        PreviewFacts(),
        PreviewFacts(rejected=1, columns_used=1),
        PreviewFacts(columns_used=1),
        PreviewFacts(unchanged=1, columns_used=1, previous_batch_id=1),
        PreviewFacts(unchanged=1, columns_used=1),
        PreviewFacts(unchanged=1, rejected=1, columns_used=1),
    ]
    outcomes = {preview_headline(facts).outcome for facts in cases}
    assert outcomes == set(PreviewOutcome)
