#!/usr/bin/env bash
# Compares `permcat serve --dir` with `python3 -m http.server` serving the same full site
# (built from ../shared/upstream/current) on loopback: requests per second and p99
# latency for one permission page, wrk -t2 -c32 -d10s --latency against each in turn, and
# each server's peak resident memory (VmHWM) after its run. scripts/bench.sh runs it too.
# Usage: scripts/bench-serve.sh            (from the repository root)
# Needs: wrk (Debian: apt-get install -y wrk) and python3. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/upstream/current
[ -d "$data" ] || { echo "error: $data not found" >&2; exit 1; }
for tool in wrk python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool missing (apt-get install -y wrk)" >&2; exit 1; }
done

cargo build --release --quiet
bin=target/release/permcat
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

site=$work/site
$bin build --data "$data" --out "$site" >/dev/null
page=permissions/User.Read.All.html
[ -f "$site/$page" ] || { echo "error: $page not built" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # url
  for _ in $(seq 100); do curl -fso /dev/null "$1" && return 0; sleep 0.1; done
  echo "error: $1 did not come up" >&2; exit 1
}

permcat_port=$(free_port)
$bin serve --dir "$site" --port "$permcat_port" >/dev/null &
permcat_pid=$!
pids+=($!)
python_port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$python_port" >/dev/null 2>&1 &
python_pid=$!
pids+=($!)
wait_up "http://127.0.0.1:$permcat_port/$page"
wait_up "http://127.0.0.1:$python_port/$page"

echo "## machine"
echo "$(nproc) cores, $(uname -m), $($bin --version), $(python3 --version), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2);"
echo "page: /$page ($(stat -c %s "$site/$page") bytes)"
echo
echo "| server | requests/s | p50 | p99 | errors | peak memory |"
echo "|---|---|---|---|---|---|"
measure() { # name, port, pid
  local out; out=$(wrk -t2 -c32 -d10s --latency "http://127.0.0.1:$2/$page")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Socket errors|Non-2xx/ {sub(/^ +/, ""); printf "%s; ", $0}' <<<"$out")
  # The server's peak resident set so far (the kernel's high-water mark).
  local peak; peak=$(awk '/^VmHWM:/ {printf "%.1f MB", $2 * 1024 / 1e6}' "/proc/$3/status")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errors:-none}" "$peak"
}
measure "permcat serve --dir" "$permcat_port" "$permcat_pid"
measure "python3 -m http.server" "$python_port" "$python_pid"
