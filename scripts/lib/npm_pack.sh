# Shared by the scripts that vendor an npm package into static/vendor/ (source it, do not run it):
# a temporary folder that is removed on exit, fetching packages without running their install
# scripts, copying files and licences, and the VERSION file. Each script then only says which
# package, which version and which files.
#
#   source "$(dirname "$0")/lib/npm_pack.sh"
#   npm_vendor_start static/vendor/example      # sets ROOT, OUT and WORK; cd "$WORK"
#   npm_pack_into components "@scope/name@1.2.3"  # the package's files in $WORK/components
#   npm_vendor_copy components/dist/index.css example.css
#   npm_vendor_version "@scope/name 1.2.3 (EUPL-1.2)" "Updated by scripts/update_example.sh"
set -euo pipefail

# The repository root (the folder above scripts/), whichever folder the script is started from.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# npm_vendor_start OUT_RELATIVE: where the vendored files go (relative to the repository root),
# and a fresh temporary folder to work in, removed however the script ends.
npm_vendor_start() {
  OUT="$ROOT/$1"
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  cd "$WORK"
  mkdir -p "$OUT"
}

# npm_pack_into DIR PACKAGE@VERSION: the published files of one package in $WORK/DIR, fetched
# with `npm pack` (nothing is installed and no install script runs).
npm_pack_into() {
  local dir="$1" spec="$2" tarball
  tarball="$(npm pack --silent "$spec" | tail -n 1)"
  mkdir -p "$dir"
  tar xzf "$tarball" -C "$dir" --strip-components=1 # every npm tarball has one folder, package/
  rm -f "$tarball"
}

# npm_install_into DIR PACKAGE@VERSION...: the packages and their dependencies in DIR/node_modules
# (for a build step that needs them), without install scripts.
npm_install_into() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts --silent "$@")
}

# npm_vendor_copy SOURCE NAME: copy one file from the work folder into $OUT under NAME.
npm_vendor_copy() {
  cp "$1" "$OUT/$2"
}

# npm_vendor_version LINE...: $OUT/VERSION, one line each (which package, version, licence).
npm_vendor_version() {
  printf '%s\n' "$@" >"$OUT/VERSION"
}

# npm_vendor_report NAME...: the size of each vendored file, for the commit message.
npm_vendor_report() {
  local name line=""
  for name in "$@"; do
    line+="${line:+, }$name $(wc -c <"$OUT/$name") bytes"
  done
  echo "${OUT#"$ROOT"/}: $line"
}
