#!/usr/bin/env bash
# Vendor NL Design System CSS into static/vendor/nl-design-system/ (no CDN): the component CSS
# of the Utrecht component library and the design tokens of the NL Design System example theme
# ("Voorbeeld"), both EUPL-1.2. Gemeente Utrecht's own tokens (@utrecht/design-tokens) are not
# used: their licence says they are Utrecht's proprietary brand assets.
#
#   scripts/update_nl_design_system.sh                          # the versions below
#   COMPONENTS_VERSION=9.0.5 TOKENS_VERSION=7.4.2 scripts/update_nl_design_system.sh
#
# Fetches the npm packages with `npm pack` (no install scripts run; scripts/lib/npm_pack.sh)
# and copies the built CSS and both licences. Commit the result; the server never needs node.
# The component CSS only defines `.utrecht-*` classes and the theme only `--*` custom
# properties under `.voorbeeld-theme`, so existing styles keep working; static/css/theme.css
# (`.skm-theme`) then sets the tokens that give the components the monitor's own look.
set -euo pipefail
COMPONENTS_VERSION="${COMPONENTS_VERSION:-9.0.4}"
TOKENS_VERSION="${TOKENS_VERSION:-7.4.1}"
source "$(dirname "$0")/lib/npm_pack.sh"

npm_vendor_start static/vendor/nl-design-system
npm_pack_into components "@utrecht/component-library-css@$COMPONENTS_VERSION"
npm_pack_into tokens "@nl-design-system-unstable/voorbeeld-design-tokens@$TOKENS_VERSION"
npm_vendor_copy components/dist/index.css utrecht-components.css
npm_vendor_copy components/LICENSE.md LICENSE-utrecht-components.md
npm_vendor_copy tokens/dist/theme.css voorbeeld-design-tokens.css
npm_vendor_copy tokens/LICENSE.md LICENSE-voorbeeld-design-tokens.md
npm_vendor_version \
  "@utrecht/component-library-css $COMPONENTS_VERSION (EUPL-1.2)" \
  "@nl-design-system-unstable/voorbeeld-design-tokens $TOKENS_VERSION (EUPL-1.2)" \
  "Updated by scripts/update_nl_design_system.sh"
npm_vendor_report utrecht-components.css voorbeeld-design-tokens.css
