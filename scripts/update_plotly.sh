#!/usr/bin/env bash
# Build the partial plotly.js bundle once and vendor it into static/vendor/plotly/ (no CDN).
#
#   scripts/update_plotly.sh            # the version below
#   PLOTLY_VERSION=4.2.0 scripts/update_plotly.sh
#
# Installs plotly.js and esbuild from npm into a temporary folder (scripts/lib/npm_pack.sh),
# bundles scripts/plotly-entry.js (the trace types the charts use) the way plotly.js builds its
# own dist files (esbuild, IIFE, global "Plotly"), and copies the result and plotly.js's
# licence. Commit both files; the server never needs node.
set -euo pipefail
PLOTLY_VERSION="${PLOTLY_VERSION:-4.1.1}"
ESBUILD_VERSION="${ESBUILD_VERSION:-0.25.12}"
source "$(dirname "$0")/lib/npm_pack.sh"

npm_vendor_start static/vendor/plotly
# The bundle needs plotly.js's dependencies, so this one is installed rather than packed.
npm_install_into build "plotly.js@$PLOTLY_VERSION" "esbuild@$ESBUILD_VERSION"
cp "$ROOT/scripts/plotly-entry.js" build/entry.js
traces="$(grep -o "lib/[a-z0-9]*'" build/entry.js | grep -v core | sed "s#lib/##; s#'##" | paste -sd, -)"
(cd build && ./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife \
  --global-name=Plotly --target=es2016 --define:global=window --define:define.amd=false \
  --alias:stream=stream-browserify --legal-comments=none --log-level=warning \
  --outfile=bundle.js)
{
  printf '/**\n* plotly.js (partial: scatter,%s - minified) v%s\n' "$traces" "$PLOTLY_VERSION"
  printf '* Copyright 2012-%s, Plotly, Inc.\n* All rights reserved.\n' "$(date +%Y)"
  printf '* Licensed under the MIT license (see LICENSE next to this file)\n*/\n'
  cat build/bundle.js
} >bundle-with-header.js
npm_vendor_copy bundle-with-header.js plotly.min.js
npm_vendor_copy build/node_modules/plotly.js/LICENSE LICENSE
npm_vendor_version \
  "plotly.js $PLOTLY_VERSION, traces scatter,$traces, built by scripts/update_plotly.sh with esbuild $ESBUILD_VERSION"
npm_vendor_report plotly.min.js
echo "(traces scatter,$traces)"
