"""Provenance of a value: CBS's "." as "niet beschikbaar" (not yet published) or "geheim", and a
period inferred rather than stated (docs/methodology.md, "Herkomst van een waarde")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from monitoring.importing.provenance import SECRET, UNAVAILABLE, missing_reasons
from monitoring.models import ImportBatch, IndicatorValue, MissingReason
from monitoring.services import import_apply, import_preview

HEADER = (
    "ID;WijkenEnBuurten;SoortRegio_2;Codering_3;AantalInwoners_5;HuishoudensMetEenLaagInkomen_72;"
    "GemiddeldInkomenPerInwoner_66"
)
# Income per inhabitant is "." for every area: CBS has not published it yet. The low-income
# share has a figure for two areas and "." for the third: that one is withheld.
ROWS = [
    "1;GM0518;Gemeente;GM0518;537833;12.1;.",
    "2;WK051801;Wijk;WK051801;1000;8.4;.",
    "3;WK051802;Wijk;WK051802;2500;.;.",
]


def _file() -> bytes:
    return ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8")


def test_a_dot_in_a_column_without_any_figure_is_not_available_and_beside_figures_secret():
    values = pd.DataFrame(
        {
            "column": ["a", "a", "a", "b", "b", "c"],
            "period": "2019",
            "value": [1.0, np.nan, np.nan, np.nan, np.nan, np.nan],
            "suppressed": [False, True, False, True, True, True],
            "raw": ["1", ".", "", ".", ".", "x"],
        }
    )
    assert missing_reasons(values).tolist() == [
        "",  # a figure
        SECRET,  # "." beside a figure of another area
        "",  # simply empty: nobody marked it
        UNAVAILABLE,  # "." in a column without any figure
        UNAVAILABLE,
        SECRET,  # "x" is always geheim
    ]


def test_a_column_with_figures_in_another_period_is_still_not_available_in_this_one():
    values = pd.DataFrame(
        {
            "column": ["a", "a"],
            "period": ["2019", "2021"],
            "value": [1.0, np.nan],
            "suppressed": [False, True],
            "raw": ["1", "."],
        }
    )
    assert missing_reasons(values).tolist() == ["", UNAVAILABLE]


def test_the_import_stores_why_a_figure_is_missing_and_the_preview_says_it(framework):
    preview = import_preview(data=_file(), filename="kwb-2019-proef.csv", period="2019")
    notes = " ".join(preview.notes)
    assert "3 cellen zijn ‘niet beschikbaar’" in notes and "inkomen_per_inwoner" in notes
    assert "1 cellen zijn geheim" in notes
    import_apply(data=_file(), filename="kwb-2019-proef.csv", period="2019")
    stored = {
        (code, indicator): reason
        for code, indicator, reason in IndicatorValue.objects.filter(
            is_suppressed=True
        ).values_list("region__code", "indicator__code", "missing_reason")
    }
    assert stored[("WK051802", "sez_laag_inkomen")] == MissingReason.SECRET
    assert stored[("WK051801", "inkomen_per_inwoner")] == MissingReason.UNAVAILABLE


def test_a_period_taken_from_the_file_name_is_marked_as_inferred_in_the_preview(framework):
    preview = import_preview(data=_file(), filename="kwb-2019-proef.csv")
    assert preview.period == "2019" and preview.period_source == "bestandsnaam"
    assert "afgeleid uit de bestandsnaam" in preview.period_source_text
    assert any("periode afgeleid" in note for note in preview.notes)
    result = import_apply(data=_file(), filename="kwb-2019-proef.csv")
    assert ImportBatch.objects.get(pk=result.batch.pk).period_source == "bestandsnaam"
    given = import_preview(data=_file(), filename="kwb-2019-proef.csv", period="2019")
    assert given.period_source == "opgegeven"
    assert not any("afgeleid" in note for note in given.notes)


@pytest.mark.django_db
def test_the_ward_page_says_which_figure_is_secret_and_which_is_not_yet_published(
    framework, client, django_user_model
):
    import_apply(data=_file(), filename="kwb-2019-proef.csv")
    from monitoring.models import Region
    from monitoring.selectors import ward_dashboard
    from monitoring.ward_indicators import indicator_table

    ward = Region.objects.get(code="WK051802")
    data = ward_dashboard(region=ward, method="basisjaar")
    rows = {row["name"]: row for row in indicator_table(data, context=False).table.rows}
    low_income = next(r for name, r in rows.items() if "laag inkomen" in name.lower())
    assert low_income["value"] == "geheim"
    assert low_income["provenance"].startswith("2019: geheim: CBS toont dit cijfer niet")
    other = Region.objects.get(code="WK051801")
    data = ward_dashboard(region=other, method="basisjaar")
    rows = (
        indicator_table(data, context=True).table.rows
        + indicator_table(data, context=False).table.rows
    )
    income = next(r for r in rows if r["provenance"] and "niet beschikbaar" in r["provenance"])
    assert income["value"] == "niet beschikbaar"
    assert "(nog) niet gepubliceerd" in income["provenance"]
    shown = next(r for r in rows if "laag inkomen" in r["name"].lower())
    assert shown["value"] == pytest.approx(8.4)
    assert shown["provenance"] == (
        "2019: periode afgeleid uit de bestandsnaam, niet in het bestand vermeld."
    )
