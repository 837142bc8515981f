#!/usr/bin/env bash
# Renews docs/screenshot-permission.png, the README's picture: runs the browser test that
# photographs the sample's IndustryData-OutboundFlow.ReadWrite.All page in headless
# Chromium (it writes only into target/screenshots/) and copies its light screenshot.
# Needs what the browser tests need; `scripts/test-setup.sh` installs it.
set -euo pipefail
cd "$(dirname "$0")/.."

rm -f target/screenshots/permission-light.png
cargo test --locked --test browser -- --exact screenshots_of_permission_page_and_index
shot=target/screenshots/permission-light.png
if [ ! -s "$shot" ]; then
  echo "error: the browser test wrote no $shot (were the browser tests skipped?)" >&2
  exit 1
fi
mkdir -p docs
cp "$shot" docs/screenshot-permission.png
echo "docs/screenshot-permission.png renewed ($(wc -c <"$shot") bytes); review it and commit"
