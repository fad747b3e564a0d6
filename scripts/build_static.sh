#!/usr/bin/env bash
# Builds the front end into static/ (git-ignored output, safe to run again at any time):
#   static/css/app.css            NHS.UK frontend compiled from its SCSS, without CDN fonts
#   static/vendor/nhsuk/          NHS.UK frontend's JavaScript (an ES module) and its assets
# Only the npm registry is needed; nothing is fetched from a CDN at build time or at run time.
# Run from the repository root: bash scripts/build_static.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

frontend=node_modules/nhsuk-frontend/dist/nhsuk
lock_stamp=node_modules/.build-static-lock.sha256

# 1. Dependencies, exactly as locked. Skipped when node_modules was installed from this same
#    lock file. No install scripts run: nothing we use needs one (sass is plain JavaScript).
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$lock_stamp" && "$(cat "$lock_stamp")" == "$lock_hash" && -d "$frontend" ]]; then
  echo "node_modules is up to date with package-lock.json"
else
  npm ci --ignore-scripts --no-audit --no-fund
  echo "$lock_hash" >"$lock_stamp"
fi

# 2. Stylesheet. Written to a temporary file first so a failed build never leaves half a file.
mkdir -p static/css
node_modules/.bin/sass --pkg-importer=node --style=compressed --no-source-map \
  static/src/app.scss static/css/app.css.tmp
mv static/css/app.css.tmp static/css/app.css

# 3. NHS.UK frontend JavaScript and assets (icons, favicons), replaced wholesale each time.
#    The source map goes too: the minified file names it, and collectstatic's manifest
#    storage refuses a file whose sourceMappingURL points nowhere.
vendor=static/vendor/nhsuk
rm -rf "$vendor"
mkdir -p "$vendor"
cp "$frontend/nhsuk-frontend.min.js" "$frontend/nhsuk-frontend.min.js.map" "$vendor/"
cp -R "$frontend/assets" "$vendor/assets"

echo "Built static/css/app.css and $vendor/ (nhsuk-frontend $(node -p 'require("nhsuk-frontend/package.json").version'))"
