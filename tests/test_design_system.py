"""The NL Design System CSS is vendored (no CDN), with its licences and the script that updates
it, and every page loads it before our own styles."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor" / "nl-design-system"


def test_the_components_and_tokens_are_vendored_with_their_licences():
    components = (VENDOR / "utrecht-components.css").read_text()
    tokens = (VENDOR / "voorbeeld-design-tokens.css").read_text()
    assert ".utrecht-button--primary-action" in components
    assert ".utrecht-skip-link--visible-on-focus" in components
    assert tokens.lstrip().startswith("/**") and ".voorbeeld-theme {" in tokens
    for licence in ("LICENSE-utrecht-components.md", "LICENSE-voorbeeld-design-tokens.md"):
        assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in (VENDOR / licence).read_text()
    version = (VENDOR / "VERSION").read_text()
    script = (ROOT / "scripts" / "update_nl_design_system.sh").read_text()
    for package, variable in (
        ("@utrecht/component-library-css", "COMPONENTS_VERSION"),
        ("@nl-design-system-unstable/voorbeeld-design-tokens", "TOKENS_VERSION"),
    ):
        pinned = re.search(rf'{variable}="\$\{{{variable}:-([0-9.]+)\}}"', script).group(1)
        assert f"{package} {pinned}" in version, "vendored files out of date: run the script"


def test_the_vendored_css_styles_only_its_own_classes():
    # So the existing styles keep working: no element selectors, nothing fetched from elsewhere.
    components = re.sub(
        r"/\*.*?\*/", "", (VENDOR / "utrecht-components.css").read_text(), flags=re.S
    )
    for selector in re.findall(r"(?:^|})\s*([^{}@]+?)\s*\{", components):
        for part in selector.split(","):
            part = part.strip()
            assert part.startswith((".utrecht", ":where(.utrecht", "[aria-", ":")) or re.fullmatch(
                r"from|to|\d+%", part
            ), part
    for name in ("utrecht-components.css", "voorbeeld-design-tokens.css"):
        text = (VENDOR / name).read_text()
        assert "@import" not in text
        assert not re.search(r"url\((?!\"?data:)", text), name


def test_every_page_loads_the_design_system_before_our_styles_from_our_own_server():
    base = (ROOT / "templates" / "base.html").read_text()
    order = [
        base.index("vendor/nl-design-system/utrecht-components.css"),
        base.index("vendor/nl-design-system/voorbeeld-design-tokens.css"),
        base.index("css/theme.css"),
        base.index("css/app.css"),
    ]
    assert order == sorted(order)
    assert '<body class="voorbeeld-theme skm-theme">' in base
    # Styles and scripts come from our own server (links to other sites are fine).
    assert not re.search(r'<(link|script)[^>]+(href|src)="(https?:)?//', base)


# --- Every form and page uses the NL Design System components -----------------------------------

TEMPLATE_DIRS = [
    ROOT / "templates",
    ROOT / "initiatives" / "templates",
    ROOT / "observations" / "templates",
]


def _templates():
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            if path.name != "500.html":  # stands alone, without static files
                yield path, path.read_text()


def test_a_form_field_renders_as_a_utrecht_form_field_with_its_errors_linked():
    from initiatives.forms import InitiativeForm

    form = InitiativeForm(
        data={"name": ""}, ward_choices=[("WK051801", "Oost")], area_of=lambda: None
    )
    assert not form.is_valid()
    name = form["name"].as_field_group()
    assert 'class="utrecht-form-field utrecht-form-field--distanced' in name
    assert "utrecht-form-field--invalid" in name
    assert '<label class="utrecht-form-label" for="id_name">Naam</label>' in name
    assert 'class="utrecht-form-field__error-message utrecht-form-field-error-message"' in name
    assert 'id="id_name_error"' in name
    assert 'aria-invalid="true"' in name and 'aria-describedby="id_name_error"' in name
    assert "utrecht-textbox utrecht-textbox--html-input utrecht-textbox--invalid" in name

    latitude = form["latitude"].as_field_group()
    assert 'class="utrecht-form-field__description utrecht-form-field-description"' in latitude
    assert 'aria-describedby="id_latitude_helptext"' in latitude

    kind = form["kind"].as_field_group()
    assert 'class="utrecht-select utrecht-select--html-select' in kind
    assert 'class="utrecht-textarea utrecht-textarea--html-textarea"' in str(form["description"])

    funding = form["funding"].as_field_group()  # radio buttons: a fieldset with a legend
    assert funding.lstrip().startswith('<fieldset class="utrecht-form-fieldset')
    assert 'class="utrecht-form-fieldset__legend' in funding
    assert 'aria-describedby="id_funding_error"' in funding
    assert funding.count("utrecht-radio-button utrecht-radio-button--html-input") == 3
    assert 'class="utrecht-form-label utrecht-form-label--radio" for="id_funding_0"' in funding

    wards = form["ward_codes"].as_field_group()
    assert "utrecht-checkbox utrecht-checkbox--html-input" in wards
    assert 'class="utrecht-form-field utrecht-form-field--checkbox"' in wards


def test_checkboxes_say_when_there_is_nothing_to_choose():
    from django import forms

    from socialquality.forms import Checkboxes

    class Choose(forms.Form):
        wards = forms.MultipleChoiceField(
            label="Wijken", choices=[], required=False, widget=Checkboxes(empty_text="Geen wijken.")
        )

    assert "Geen wijken." in Choose()["wards"].as_field_group()


def test_every_button_control_table_and_message_in_the_templates_is_a_utrecht_component():
    problems = []
    for path, text in _templates():
        for tag in re.findall(r"<(?:button|select|textarea|table)\b[^>]*>", text):
            if "utrecht-" not in tag:
                problems.append(f"{path.relative_to(ROOT)}: {tag}")
    assert problems == []
    messages = (ROOT / "templates" / "_messages.html").read_text()
    assert "utrecht-alert utrecht-alert--" in messages and 'role="{% if' in messages
    base = (ROOT / "templates" / "base.html").read_text()
    for part in ("utrecht-page-header", "utrecht-page-body__content", "utrecht-page-footer"):
        assert part in base


def test_only_classes_that_the_vendored_css_defines_are_used():
    components = (VENDOR / "utrecht-components.css").read_text()
    defined = set(re.findall(r"\.(utrecht-[a-z0-9_-]+)", components))
    sources = [text for _path, text in _templates()]
    sources.append((ROOT / "socialquality" / "forms.py").read_text())
    sources.append((ROOT / "monitoring" / "charts" / "types.py").read_text())
    used = set()
    for text in sources:
        used |= set(re.findall(r"\butrecht-[a-z0-9_-]*[a-z0-9]", text))
    assert sorted(used - defined - {"utrecht-components"}) == []  # the file's own name
