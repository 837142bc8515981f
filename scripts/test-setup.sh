#!/usr/bin/env bash
# Installs what the tests need when it is missing, on a fresh Debian machine: git (the
# `sync --docs` tests clone repositories they make), Chromium and chromedriver from
# Debian, Node.js and npm, the axe-core version pinned in
# tests/browser/package-lock.json. The README's test command runs it and then
# `cargo test --locked`, so the browser tests run instead of being reported ignored.
#
# The tests also read the real upstream snapshot in ../shared/upstream beside the repo.
# PERMCAT_SKIP_BROWSER=1 installs nothing for the browser and reports those tests skipped
# (an error when CI=true). Installing needs root, or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "error: installing $* needs root (or sudo)" >&2
    exit 1
  fi
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The axe-core version tests/browser/package-lock.json pins, and the installed one.
axe_wanted() {
  sed -n '/"node_modules\/axe-core"/,/"version"/s/.*"version": *"\([^"]*\)".*/\1/p' \
    tests/browser/package-lock.json
}
axe_installed() {
  local f=tests/browser/node_modules/axe-core/package.json
  [ -f "$f" ] && sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$f" | head -n 1
}

if ! command -v git >/dev/null; then
  echo "== installing git for the sync --docs tests" >&2
  apt_install git
fi

if [ "${PERMCAT_SKIP_BROWSER:-}" = 1 ]; then
  echo "== PERMCAT_SKIP_BROWSER=1: nothing installed for the browser tests" >&2
else
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "== installing Debian's chromium and chromium-driver for the browser tests" >&2
    apt_install chromium chromium-driver
  fi
  chromium --version >&2 2>/dev/null || true
  chromedriver --version >&2
  if [ "$(axe_installed || true)" != "$(axe_wanted)" ]; then
    if ! command -v npm >/dev/null; then
      echo "== installing nodejs and npm for axe-core" >&2
      apt_install nodejs npm
    fi
    echo "== installing axe-core $(axe_wanted) (pinned in tests/browser/package-lock.json)" >&2
    npm ci --prefix tests/browser --no-audit --no-fund >&2
  fi
  echo "axe-core $(axe_installed)" >&2
fi

