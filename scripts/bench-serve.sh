#!/usr/bin/env bash
# Compares `permcat serve --dir` with nginx and `python3 -m http.server`, all serving the
# same full site (built from ../shared/upstream/current) on loopback, in one run:
#   - requests/s and p50/p99 latency for one permission page, wrk -t2 -d10s --latency
#     at 32 and at 256 connections against each server in turn, and each server's peak
#     resident memory (VmHWM) after its runs;
#   - resident memory while 256 slow readers fetch an 18 MB file (each reads 16 KiB every
#     100 ms for 6 s): the peak VmRSS sampled every 100 ms, summed over nginx's master
#     and workers.
# scripts/bench.sh runs it too. Every target is 127.0.0.1; every loop is bounded.
# Usage: scripts/bench-serve.sh            (from the repository root)
# Needs: wrk, nginx, curl and python3 (Debian: apt-get install -y wrk nginx curl).
# Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/upstream/current
[ -d "$data" ] || { echo "error: $data not found" >&2; exit 1; }
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool missing (apt-get install -y wrk nginx curl)" >&2; exit 1; }
done
DURATION=${DURATION:-10s}

cargo build --release --quiet
bin=target/release/permcat
work=$(mktemp -d)
# nginx's workers run as nobody: let them read the site.
chmod 755 "$work"
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
# The large file of the slow-reader test, served by all three.
big=bench-large.bin
head -c $((18 * 1024 * 1024)) /dev/urandom >"$site/$big"
chmod -R a+rX "$site"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # url
  for _ in $(seq 100); do curl -fso /dev/null "$1" && return 0; sleep 0.1; done
  echo "error: $1 did not come up" >&2; exit 1
}

permcat_port=$(free_port)
$bin serve --dir "$site" --port "$permcat_port" >/dev/null &
permcat_pid=$!
pids+=($!)

nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $site;
  }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
pids+=($!)

python_port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$python_port" >/dev/null 2>&1 &
python_pid=$!
pids+=($!)
wait_up "http://127.0.0.1:$permcat_port/$page"
wait_up "http://127.0.0.1:$nginx_port/$page"
wait_up "http://127.0.0.1:$python_port/$page"

# A server's processes: the one started and its children (nginx's workers).
tree() { echo "$1"; pgrep -P "$1" || true; }
# Sum over those processes of a /proc/PID/status field, in kB.
status_kb() { # field pid
  local total=0 p kb
  for p in $(tree "$2"); do
    kb=$(awk -v f="$1:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null || true)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f MB", kb * 1024 / 1e6}'; }

echo "## machine"
echo "$(nproc) cores, $(uname -m), $($bin --version), $(nginx -v 2>&1 | cut -d' ' -f3) (worker_processes auto, sendfile), $(python3 --version), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2);"
echo "page: /$page ($(stat -c %s "$site/$page") bytes), wrk -t2 -d$DURATION --latency; permcat's runtime has one worker thread per core."
echo
echo "| server | connections | requests/s | p50 | p99 | errors | peak memory |"
echo "|---|---|---|---|---|---|---|"
measure() { # name, port, pid, connections
  local out; out=$(wrk -t2 -c"$4" -d"$DURATION" --latency "http://127.0.0.1:$2/$page")
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Socket errors|Non-2xx/ {sub(/^ +/, ""); printf "%s; ", $0}' <<<"$out")
  # The server's peak resident set so far (the kernel's high-water mark, summed over
  # nginx's processes).
  local peak; peak=$(mb "$(status_kb VmHWM "$3")")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$4" "$rps" "$p50" "$p99" "${errors:-none}" "$peak"
}
for c in 32 256; do
  measure "permcat serve --dir" "$permcat_port" "$permcat_pid" "$c"
  measure "nginx" "$nginx_port" "$nginx_pid" "$c"
  measure "python3 -m http.server" "$python_port" "$python_pid" "$c"
done

# 256 slow readers of the large file; prints "before peak read_MB ok_count".
slow_readers() { # port pid
  python3 - "$1" "$2" "$big" <<'PY'
import socket, sys, time
port, pid, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def rss_kb():
    total = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += f.read().split()
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total
before = rss_kb()
conns = []
for _ in range(256):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(f"GET /{path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    s.setblocking(False)
    conns.append([s, b"", 0])
peak, read = before, 0
start = time.monotonic()
while time.monotonic() - start < 6:
    for c in conns:
        try:
            data = c[0].recv(16384)
        except BlockingIOError:
            continue
        except OSError:
            continue
        if len(c[1]) < 12:
            c[1] += data[:12]
        c[2] += len(data)
        read += len(data)
    peak = max(peak, rss_kb())
    time.sleep(0.1)
ok = sum(1 for c in conns if c[1].startswith(b"HTTP/1.1 200") or c[1].startswith(b"HTTP/1.0 200"))
for c in conns:
    c[0].close()
print(before, peak, read / 1e6, ok)
PY
}
echo
echo "Resident memory while 256 clients read /$big ($(stat -c %s "$site/$big") bytes) slowly (16 KiB every 100 ms each, 6 s; peak of VmRSS sampled every 100 ms):"
echo
echo "| server | before | peak with 256 slow readers | readers answered 200 | MB read in all |"
echo "|---|---|---|---|---|"
slow() { # name port pid
  local before peak read ok
  read -r before peak read ok < <(slow_readers "$2" "$3")
  printf '| %s | %s | %s | %s | %.0f |\n' "$1" "$(mb "$before")" "$(mb "$peak")" "$ok/256" "$read"
  # Let the server close the abandoned transfers before the next one is measured.
  sleep 2
}
slow "permcat serve --dir" "$permcat_port" "$permcat_pid"
slow "nginx" "$nginx_port" "$nginx_pid"
slow "python3 -m http.server" "$python_port" "$python_pid"
