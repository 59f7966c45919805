#!/usr/bin/env bash
# Build the partial plotly.js bundle once and vendor it into static/vendor/plotly/ (no CDN).
#
#   scripts/update_plotly.sh            # the version below
#   PLOTLY_VERSION=4.2.0 scripts/update_plotly.sh
#
# Installs plotly.js and esbuild from npm into a temporary folder, bundles
# scripts/plotly-entry.js (the trace types the charts use) the way plotly.js builds its own
# dist files (esbuild, IIFE, global "Plotly"), and copies the result and plotly.js's licence.
# Commit both files; the server never needs node.
set -euo pipefail
PLOTLY_VERSION="${PLOTLY_VERSION:-4.1.1}"
ESBUILD_VERSION="${ESBUILD_VERSION:-0.25.12}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/static/vendor/plotly"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --silent \
  "plotly.js@$PLOTLY_VERSION" "esbuild@$ESBUILD_VERSION"
cp "$ROOT/scripts/plotly-entry.js" entry.js
traces="$(grep -o "lib/[a-z0-9]*'" entry.js | grep -v core | sed "s#lib/##; s#'##" | paste -sd, -)"
./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --target=es2016 --define:global=window --define:define.amd=false \
  --alias:stream=stream-browserify --legal-comments=none --log-level=warning \
  --outfile=bundle.js
mkdir -p "$OUT"
{
  printf '/**\n* plotly.js (partial: scatter,%s - minified) v%s\n' "$traces" "$PLOTLY_VERSION"
  printf '* Copyright 2012-%s, Plotly, Inc.\n* All rights reserved.\n' "$(date +%Y)"
  printf '* Licensed under the MIT license (see LICENSE next to this file)\n*/\n'
  cat bundle.js
} > "$OUT/plotly.min.js"
cp node_modules/plotly.js/LICENSE "$OUT/LICENSE"
printf 'plotly.js %s, traces scatter,%s, built by scripts/update_plotly.sh with esbuild %s\n' \
  "$PLOTLY_VERSION" "$traces" "$ESBUILD_VERSION" > "$OUT/VERSION"
echo "static/vendor/plotly/plotly.min.js: $(wc -c < "$OUT/plotly.min.js") bytes (traces scatter,$traces)"
