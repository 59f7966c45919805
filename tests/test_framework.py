"""The default indicator framework: consistent, documented and installed without overwriting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitoring.conditions import CONDITIONS, IndicatorRole
from monitoring.models import Indicator
from monitoring.services import framework_install

ROOT = Path(__file__).parent.parent
FRAMEWORK = ROOT / "fixtures" / "indicator_framework.json"
INDICATORS = json.loads(FRAMEWORK.read_text(encoding="utf-8"))["indicators"]
BY_CODE = {item["code"]: item for item in INDICATORS}


def test_every_condition_has_scored_indicators_with_a_direction_and_weight():
    for info in CONDITIONS:
        members = [i for i in INDICATORS if i["role"] == info.condition.value]
        assert members, info.name_nl
        assert all(i["direction"] in (1, -1) and i["weight"] > 0 for i in members)


def test_every_derived_indicator_is_built_from_indicators_in_the_framework():
    for item in INDICATORS:
        for code in (*item["numerator"], *item["denominator"]):
            assert code in BY_CODE, f"{item['code']} uses unknown {code}"
        if item["numerator"]:
            assert item["denominator"], item["code"]


def test_migration_background_is_never_an_indicator():
    aliases = " ".join(" ".join(i["aliases"]) for i in INDICATORS).lower()
    for word in ("westers", "marokko", "turkije", "suriname", "herkomst", "a_nl_all"):
        assert word not in aliases


def test_the_methodology_documents_every_indicator():
    text = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    missing = [code for code in BY_CODE if f"`{code}`" not in text]
    assert not missing


def test_roles_are_known():
    assert {i["role"] for i in INDICATORS} <= set(IndicatorRole.values)


@pytest.mark.django_db
def test_installing_twice_keeps_what_an_admin_changed():
    assert framework_install(path=FRAMEWORK) == len(INDICATORS)
    Indicator.objects.filter(code="sez_laag_inkomen").update(weight=3)
    assert framework_install(path=FRAMEWORK) == 0
    assert Indicator.objects.get(code="sez_laag_inkomen").weight == 3
