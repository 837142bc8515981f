#!/usr/bin/env bash
# Measures permcat on the real upstream snapshot (../shared/upstream/current): wall time
# (hyperfine, median of repeated runs) and peak memory (GNU time's maximum resident set).
# Usage: scripts/bench.sh            (from the repository root)
# Needs: hyperfine and GNU time (Debian packages `hyperfine` and `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/upstream/current
[ -d "$data" ] || { echo "error: $data not found" >&2; exit 1; }
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: $tool missing (apt-get install -y hyperfine time)" >&2; exit 1; }
done

cargo build --release --quiet
bin=target/release/permcat

echo "## machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $($bin --version)"
echo

measure() { # name, command...
  local name=$1; shift
  local json; json=$(mktemp)
  hyperfine --warmup 2 --runs 15 --style none --export-json "$json" "$*" >/dev/null
  local median; median=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print('%.1f' % (r['median']*1000))" "$json")
  local peak; peak=$( { /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -n1 )
  printf '| %s | %s ms | %.1f MB |\n' "$name" "$median" "$(echo "$peak / 1024" | bc -l)"
  rm -f "$json"
}

echo "| command (release) | median wall time | peak memory |"
echo "|---|---|---|"
measure "permcat check" $bin check --data $data
measure "permcat export --what grants --format csv" $bin export --what grants --format csv --data $data -o /dev/null
measure "permcat export --what permissions --format json" $bin export --what permissions --format json --data $data -o /dev/null
site=$(mktemp -d)/site
measure "permcat build (full site)" $bin build --data $data --out "$site"

echo
echo "## site"
$bin build --data $data --out "$site" | head -2
echo "output: $(du -sb "$site" | cut -f1) bytes in $(find "$site" -type f | wc -l) files"
largest=$(find "$site/permissions" -name '*.html' -printf '%s %p\n' | sort -n | tail -1)
echo "largest permission page: ${largest#* } (${largest%% *} bytes)"
echo "index.html: $(stat -c %s "$site/index.html") bytes"
rm -rf "$(dirname "$site")"
