"""Which column headers an import accepts: an indicator's Dutch name (as the app shows it), its
code and each of its aliases, in long and wide files; and the preview's headline for files that
change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from monitoring.importing.mapping import (
    IndicatorNames,
    column_index,
    loose_index,
    match_column,
)
from monitoring.importing.outcome import PreviewOutcome
from monitoring.models import IndicatorValue, Region
from monitoring.services import import_apply, import_preview
from tests.test_import_services import empty_store  # noqa: F401  (autouse)

FRAMEWORK = json.loads(
    (Path(settings.BASE_DIR) / "fixtures" / "indicator_framework.json").read_text("utf-8")
)["indicators"]


def framework_index():
    items = [
        IndicatorNames(n, i["code"], i["name_nl"], tuple(i["aliases"]), bool(i["numerator"]))
        for n, i in enumerate(FRAMEWORK)
    ]
    index = column_index(items)
    loose = loose_index(index)

    def code_of(column: str) -> str | None:
        found = match_column(column, index, loose)
        return None if found is None else FRAMEWORK[found]["code"]

    return code_of


READ = [i for i in FRAMEWORK if not i["numerator"]]
DERIVED = [i for i in FRAMEWORK if i["numerator"]]


@pytest.mark.parametrize("indicator", READ, ids=[i["code"] for i in READ])
def test_an_indicator_is_found_by_its_dutch_name_its_code_and_each_alias(indicator):
    code_of = framework_index()
    for header in (indicator["name_nl"], indicator["code"], *indicator["aliases"]):
        assert code_of(header) == indicator["code"], header


def test_case_spaces_and_a_unit_in_brackets_behind_a_name_do_not_matter():
    code_of = framework_index()
    assert code_of("  huishoudens MET een laag   inkomen ") == "sez_laag_inkomen"
    assert code_of("Huishoudens met een laag inkomen (%)") == "sez_laag_inkomen"
    assert code_of("Afstand tot school (km)") == "inc_afstand_school"


@pytest.mark.parametrize("indicator", DERIVED, ids=[i["code"] for i in DERIVED])
def test_a_column_headed_with_a_derived_indicator_is_never_read(indicator):
    # A derived figure is computed from its numerator and denominator; a column with its name
    # holds a share, which must not land in the count it is computed from.
    code_of = framework_index()
    assert code_of(indicator["name_nl"]) is None
    assert code_of(indicator["code"]) is None


def test_a_count_and_the_share_computed_from_it_are_told_apart_by_their_unit():
    code_of = framework_index()
    assert code_of("Inwoners met een laag opleidingsniveau (aantal)") == "opleiding_laag"
    assert code_of("Inwoners met een laag opleidingsniveau") is None  # the derived share
    assert code_of("Inwoners met een laag opleidingsniveau (%)") is None
    assert code_of("Eenpersoonshuishoudens") == "eenpersoonshuishoudens"
    assert code_of("Eenpersoonshuishoudens (aandeel)") is None


# --- Through the importer ---------------------------------------------------------------------


@pytest.fixture
def den_haag(framework):
    municipality = Region.objects.create(code="GM0518", name="'s-Gravenhage", level="gemeente")
    Region.objects.create(
        code="WK051801",
        name="Oostduinen",
        level="wijk",
        parent=municipality,
        municipality=municipality,
    )
    return municipality


def stored(code: str) -> dict[str, float]:
    return dict(
        IndicatorValue.objects.filter(region__code=code).values_list("indicator__code", "value")
    )


def test_a_wide_file_headed_with_dutch_names_imports(den_haag):
    data = (
        b"regiocode;periode;Volwassenen (ernstig) eenzaam;Sociale-cohesieschaal;coh_vrijwilligerswerk\n"
        b"GM0518;2023;48,5;6,1;27,1\n"
        b"WK051801;2023;40;6,5;30\n"
    )
    preview = import_preview(data=data, filename="enquete.csv", file_format="wide")
    assert [c["indicator"] for c in preview.columns_used] == [
        "coh_eenzaam",
        "coh_buurtbinding",
        "coh_vrijwilligerswerk",
    ]
    assert preview.columns_unused == [] and preview.counts.new == 6
    import_apply(data=data, filename="enquete.csv", file_format="wide")
    assert stored("WK051801") == {
        "coh_eenzaam": 40.0,
        "coh_buurtbinding": 6.5,
        "coh_vrijwilligerswerk": 30.0,
    }


def test_a_long_file_may_name_its_indicators_by_name_code_or_alias(den_haag):
    data = (
        b"regiocode;indicator;periode;waarde\n"
        b"WK051801;Volwassenen (ernstig) eenzaam;2023;40\n"
        b"WK051801;coh_vrijwilligerswerk;2023;30\n"
        b"WK051801;AantalInwoners;2023;1200\n"
        b"WK051801;Huishoudens met een laag inkomen (%);2023;7,5\n"
    )
    import_apply(data=data, filename="enquete.csv", file_format="long")
    assert stored("WK051801") == {
        "coh_eenzaam": 40.0,
        "coh_vrijwilligerswerk": 30.0,
        "inwoners": 1200.0,
        "sez_laag_inkomen": 7.5,
    }


def test_a_column_named_after_a_derived_indicator_is_left_out_with_a_note(den_haag):
    data = b"regiocode;periode;Aandeel inwoners 65 jaar of ouder;coh_eenzaam\nWK051801;2023;18;40\n"
    preview = import_preview(data=data, filename="enquete.csv", file_format="wide")
    assert preview.columns_unused == ["Aandeel inwoners 65 jaar of ouder"]
    assert any("berekende indicator" in note and "aandeel_65plus" in note for note in preview.notes)


def test_a_file_without_one_recognised_column_says_so_in_its_headline(den_haag):
    data = b"regiocode;periode;tevredenheid buurthuis\nWK051801;2023;7,5\n"
    preview = import_preview(data=data, filename="enquete.csv", file_format="wide")
    assert preview.headline.outcome == PreviewOutcome.NOTHING_RECOGNISED
    assert "Geen enkele kolom van dit bestand is herkend" in preview.summary
    assert preview.nothing_to_do


def test_a_file_whose_every_row_is_rejected_says_so_in_its_headline(den_haag):
    data = b"regiocode;periode;coh_eenzaam\nWK051898;2023;40\nWK051899;2023;41\n"
    preview = import_preview(data=data, filename="enquete.csv", file_format="wide")
    assert preview.headline.outcome == PreviewOutcome.ALL_REJECTED
    assert "2 cellen of rijen afgewezen" in preview.summary
    assert "staan er al" not in preview.summary and preview.nothing_to_do


def test_a_file_already_there_says_nothing_changes(den_haag):
    data = b"regiocode;periode;coh_eenzaam\nWK051801;2023;40\n"
    import_apply(data=data, filename="enquete.csv", file_format="wide")
    again = import_preview(
        data=b"regiocode;periode;coh_eenzaam\nWK051801;2023;40,0\n",
        filename="enquete2.csv",
        file_format="wide",
    )
    assert again.headline.outcome == PreviewOutcome.NOTHING_CHANGES
    assert again.summary == "Alle waarden in dit bestand staan er al; er verandert niets."


# --- Templates (pure) ---------------------------------------------------------------------------


def guide_rows():
    from monitoring.importing.column_guide import GuideRow

    return [
        GuideRow("coh_eenzaam", "Volwassenen (ernstig) eenzaam", "%", "Sociale cohesie", (), False),
        GuideRow("aandeel_65plus", "Aandeel 65+", "%", "Context", (), True),
        GuideRow("inwoners", "Aantal inwoners", "", "Context", ("a_inw",), False),
    ]


def test_a_wide_template_has_a_column_per_readable_indicator_and_a_row_per_region():
    from monitoring.importing.column_guide import TemplateRegion, template_rows

    regions = [TemplateRegion("GM0518", "'s-Gravenhage"), TemplateRegion("WK051801", "Oostduinen")]
    rows = template_rows("wide", guide_rows(), regions)
    assert rows[0] == ["regiocode", "regionaam", "periode", "coh_eenzaam", "inwoners"]
    assert rows[2] == ["WK051801", "Oostduinen", "", "", ""]


def test_a_long_template_has_a_row_per_region_and_readable_indicator():
    from monitoring.importing.column_guide import TemplateRegion, template_rows

    rows = template_rows("long", guide_rows(), [TemplateRegion("WK051801", "Oostduinen")])
    assert rows == [
        ["regiocode", "regionaam", "indicator", "periode", "waarde"],
        ["WK051801", "Oostduinen", "coh_eenzaam", "", ""],
        ["WK051801", "Oostduinen", "inwoners", "", ""],
    ]


def test_the_excel_template_lists_the_indicators_on_a_second_sheet():
    import io

    from openpyxl import load_workbook

    from monitoring.importing.column_guide import TEMPLATE_BY_SLUG, template_file

    data = template_file(TEMPLATE_BY_SLUG["breed-xlsx"], guide_rows(), [])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Gegevens", "Indicatoren"]
    listed = [row for row in book["Indicatoren"].iter_rows(values_only=True)]
    assert listed[1][:2] == ("coh_eenzaam", "Volwassenen (ernstig) eenzaam")
    assert [row[0] for row in listed[1:]] == ["coh_eenzaam", "inwoners"]


def test_a_municipal_wide_file_headed_regiocode_is_read_as_wide_not_as_statline():
    from monitoring.importing.parsers import detect_format

    data = b"regiocode;regionaam;periode;coh_eenzaam\nWK051801;Oostduinen;2023;41,5\n"
    assert detect_format(data, "enquete.csv") == "wide"
