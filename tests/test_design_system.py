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
