#!/usr/bin/env bash
# Look at the built site as a reader would: headless Chromium renders pages of docs/_build/html
# to PNG (docs/_build/screenshots/, not committed). Needs Debian's chromium; not run by CI.
#   bash docs/screenshots.sh [PAGE ...]     PAGE like reference/rulesets (default: two pages)
set -euo pipefail
cd "$(dirname "$0")"
out=_build/screenshots
mkdir -p "$out"
pages=("$@")
((${#pages[@]})) || pages=(reference/rulesets reference/document)
for page in "${pages[@]}"; do
  png="$out/${page//\//-}.png"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2000 \
    --screenshot="$png" "file://$PWD/_build/html/$page.html" 2>/dev/null
  echo "$png"
done
