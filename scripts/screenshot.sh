#!/usr/bin/env bash
# Renews the README's pictures: runs the browser tests that photograph
# IndustryData-OutboundFlow.ReadWrite.All in headless Chromium (they write only into
# target/screenshots/) and copies their light screenshots:
#   docs/screenshot-permission.png        the page built from the bundled sample
#   docs/screenshot-after-sync-docs.png   the real catalog with today's Learn docs beside
#                                         it, as `permcat sync --docs` leaves it
# Needs what the browser tests need (`scripts/test-setup.sh` installs it) and
# ../shared beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

shots=(
  "screenshots_of_permission_page_and_index permission-light.png screenshot-permission.png"
  "the_real_catalog_with_todays_docs_shows_cmdlets_and_every_language permission-docs-light.png screenshot-after-sync-docs.png"
)
mkdir -p docs
for entry in "${shots[@]}"; do
  read -r test shot picture <<<"$entry"
  rm -f "target/screenshots/$shot"
  cargo test --locked --test browser -- --exact "$test"
  if [ ! -s "target/screenshots/$shot" ]; then
    echo "error: the browser test $test wrote no target/screenshots/$shot (were the browser tests skipped?)" >&2
    exit 1
  fi
  cp "target/screenshots/$shot" "docs/$picture"
  echo "docs/$picture renewed ($(wc -c <"target/screenshots/$shot") bytes); review it and commit"
done
