#!/usr/bin/env bash
# Copy the pinned NL Design System (Utrecht) component CSS from node_modules into portal/static,
# and axe-core (browser tests only) into tests/e2e/vendor.
# Run after `npm ci` whenever package.json changes the version. The app itself never needs npm.
# We vendor only the component CSS (EUPL-1.2); our own theme tokens live in portal/static/css/werkbrug.css.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/node_modules/@utrecht/component-library-css"
DEST="$ROOT/portal/static/vendor/utrecht"

if [ ! -f "$PKG/dist/index.css" ]; then
  echo "Missing $PKG/dist/index.css: run 'npm ci' first." >&2
  exit 1
fi

VERSION="$(node -p "require('$PKG/package.json').version")"
mkdir -p "$DEST"
cp "$PKG/dist/index.css" "$DEST/index.css"
cp "$PKG/LICENSE.md" "$DEST/LICENSE.md"
cat > "$DEST/README.txt" <<TXT
NL Design System component CSS, vendored unchanged.

Package: @utrecht/component-library-css
Version: $VERSION
Licence: EUPL-1.2 (see LICENSE.md)
Source:  the nl-design-system/utrecht repository, packages/component-library-css
File:    dist/index.css -> index.css

Update: change the pinned version in package.json, run 'npm install', then 'bash scripts/vendor-css.sh'.
The design tokens (--utrecht-*) are NOT taken from @utrecht/design-tokens (Gemeente Utrecht's own
brand); Werkbrug defines its own theme in ../../css/werkbrug.css.
TXT
echo "Vendored @utrecht/component-library-css $VERSION into ${DEST#"$ROOT"/}"

# axe-core, for the browser tests' accessibility scan only (tests/e2e/test_axe.py); never served.
AXE="$ROOT/node_modules/axe-core"
AXE_DEST="$ROOT/tests/e2e/vendor/axe-core"
AXE_VERSION="$(node -p "require('$AXE/package.json').version")"
mkdir -p "$AXE_DEST"
cp "$AXE/axe.min.js" "$AXE/LICENSE" "$AXE_DEST/"
sed -i "s/^Version: .*/Version: $AXE_VERSION/" "$AXE_DEST/README.txt"
echo "Vendored axe-core $AXE_VERSION into ${AXE_DEST#"$ROOT"/}"
