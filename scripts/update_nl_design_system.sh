#!/usr/bin/env bash
# Vendor NL Design System CSS into static/vendor/nl-design-system/ (no CDN): the component CSS
# of the Utrecht component library and the design tokens of the NL Design System example theme
# ("Voorbeeld"), both EUPL-1.2. Gemeente Utrecht's own tokens (@utrecht/design-tokens) are not
# used: their licence says they are Utrecht's proprietary brand assets.
#
#   scripts/update_nl_design_system.sh                          # the versions below
#   COMPONENTS_VERSION=9.0.5 TOKENS_VERSION=7.4.2 scripts/update_nl_design_system.sh
#
# Fetches the npm packages with `npm pack` (no install scripts run) into a temporary folder and
# copies the built CSS and both licences. Commit the result; the server never needs node.
# The component CSS only defines `.utrecht-*` classes and the theme only `--*` custom
# properties under `.voorbeeld-theme`, so existing styles keep working; static/css/theme.css
# (`.skm-theme`) then sets the tokens that give the components the monitor's own look.
set -euo pipefail
COMPONENTS_VERSION="${COMPONENTS_VERSION:-9.0.4}"
TOKENS_VERSION="${TOKENS_VERSION:-7.4.1}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/static/vendor/nl-design-system"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "@utrecht/component-library-css@$COMPONENTS_VERSION" \
  "@nl-design-system-unstable/voorbeeld-design-tokens@$TOKENS_VERSION" >/dev/null
mkdir components tokens
tar xzf utrecht-component-library-css-*.tgz -C components
tar xzf nl-design-system-unstable-voorbeeld-design-tokens-*.tgz -C tokens
mkdir -p "$OUT"
cp components/package/dist/index.css "$OUT/utrecht-components.css"
cp components/package/LICENSE.md "$OUT/LICENSE-utrecht-components.md"
cp tokens/package/dist/theme.css "$OUT/voorbeeld-design-tokens.css"
cp tokens/package/LICENSE.md "$OUT/LICENSE-voorbeeld-design-tokens.md"
{
  printf '@utrecht/component-library-css %s (EUPL-1.2)\n' "$COMPONENTS_VERSION"
  printf '@nl-design-system-unstable/voorbeeld-design-tokens %s (EUPL-1.2)\n' "$TOKENS_VERSION"
  printf 'Updated by scripts/update_nl_design_system.sh\n'
} > "$OUT/VERSION"
echo "static/vendor/nl-design-system: utrecht-components.css $(wc -c < "$OUT/utrecht-components.css") bytes," \
  "voorbeeld-design-tokens.css $(wc -c < "$OUT/voorbeeld-design-tokens.css") bytes"
