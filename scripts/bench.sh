#!/usr/bin/env bash
# Every benchmark of BENCHMARKS.md in one run, side by side with the alternatives, on the
# real upstream snapshot (../shared/upstream/current):
#   - check and export: wall time and peak memory;
#   - permcat build vs mdBook building the same catalog as a book (one chapter per
#     permission and per resource, written by scripts/bench/catalog-book.py from the
#     catalog export): pages per second, wall time, peak memory, output and search index
#     sizes; both against the I/O floors (cp -r of the output, warm cache; reading every
#     input file);
#   - build growth: the build at 1x, 4x, 40,000 and 100,000 permissions
#     (scripts/bench/scale-data.py), each against cp -r of its own output;
#   - search: permcat's index vs Pagefind indexing the same built site: index bytes,
#     bytes fetched for a first query in headless Chromium, typo-query recall@1/@10 on
#     scripts/bench/typo-queries.txt (scripts/bench/search-bench.mjs);
#   - `which`: in-process lookups per second (criterion, benches/hot_paths.rs) and one
#     command-line call;
#   - `audit`: a 50-permission manifest with 1,000 requests, against `which --file`;
#   - `serve` vs `python3 -m http.server` (scripts/bench-serve.sh).
# Wall times are hyperfine medians; peak memory is GNU time's maximum resident set size of
# one run. Everything goes to standard output as the markdown for BENCHMARKS.md; progress
# goes to standard error.
#
# Usage: scripts/bench.sh > bench.md          (from anywhere; about 15 minutes on 2 cores)
#        RUNS=5 SLOW_RUNS=1 scripts/bench.sh  (fewer runs; defaults 10, and 3 for mdBook
#                                              and Pagefind)
#        ONLY="which serve" scripts/bench.sh  (re-run sections, keep the others' figures)
#        SCALE_RUNS=1 ONLY=scale scripts/bench.sh (the growth section, one run per size;
#                                              default 3; needs about 20 GB free disk)
#        REPORT_ONLY=1 scripts/bench.sh       (print the last run's report again)
# Before each section it waits (QUIET_WAIT seconds at most, default 600) for a one-minute
# load average under QUIET_LOAD (default 0.7); the report says when each section ran.
# Installs what is missing: hyperfine, wrk, nginx, GNU time, bc, curl and chromium with apt-get
# (needs root), mdBook with cargo into target/bench-tools, Pagefind and playwright-core
# with `npm ci` in scripts/bench (versions pinned in its package-lock.json). Playwright
# never downloads a browser: it drives Debian's /usr/bin/chromium. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
data=../shared/upstream/current
[ -d "$data" ] || { echo "error: $data not found" >&2; exit 1; }
RUNS=${RUNS:-10}
SLOW_RUNS=${SLOW_RUNS:-3}
MDBOOK_VERSION=0.5.4
say() { echo "== $*" >&2; }

# ---------------------------------------------------------------- tools
need=()
for pair in hyperfine:hyperfine wrk:wrk nginx:nginx /usr/bin/time:time bc:bc curl:curl /usr/bin/chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need[@]}" >&2
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "error: node and npm are needed" >&2; exit 1; }

say "cargo build --release"
cargo build --release --quiet
bin=$repo/target/release/permcat

tools=$repo/target/bench-tools
mdbook=$tools/bin/mdbook
if ! "$mdbook" --version 2>/dev/null | grep -qF "$MDBOOK_VERSION"; then
  say "cargo install mdbook $MDBOOK_VERSION into target/bench-tools (once)"
  cargo install mdbook --version "$MDBOOK_VERSION" --locked --root "$tools" --quiet
fi

say "cargo bench --no-run (criterion, for the which figures)"
cargo bench --quiet --bench hot_paths --no-run 2>/dev/null

say "npm ci in scripts/bench"
(cd scripts/bench && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent >&2)
pagefind=$repo/scripts/bench/node_modules/.bin/pagefind

# Outputs, raw results and the state of the last run stay in target/bench-work until the
# next run, so `REPORT_ONLY=1 scripts/bench.sh` prints the report again without measuring.
work=$repo/target/bench-work
# permcat's catalog cache stays in the run's folder, never in the user's cache folder.
export PERMCAT_CACHE_DIR=$work/permcat-cache

# ---------------------------------------------------------------- helpers
ms() { python3 -c "import sys; print(f'{float(sys.argv[1])*1000:,.0f}' if float(sys.argv[1]) >= 1 else f'{float(sys.argv[1])*1000:.1f}')" "$1"; }
mb() { python3 -c "import sys; print(f'{int(sys.argv[1])/1e6:,.1f} MB')" "$1"; }
kb() { python3 -c "import sys; n=int(sys.argv[1]); print(f'{n/1e6:,.2f} MB' if n >= 1e6 else f'{n/1e3:,.1f} KB')" "$1"; }
peak_kb() { /usr/bin/time -o "$work/peak.txt" -f '%M' "$@" >/dev/null 2>&1 || true; tail -n1 "$work/peak.txt"; }
html_pages() { find "$1" -name '*.html' | wc -l; }
gz() { gzip -6 -c "$1" | wc -c; }

# measure NAME RUNS PREPARE COMMAND... → sets MEDIAN (s), SPREAD text, PEAK (KB)
# PREPARE (may be empty) runs before each timed run and before the memory run.
declare -A MEDIAN SPREAD PEAK
measure() {
  local name=$1 runs=$2 prepare=$3; shift 3
  local json=$work/hyperfine-$name.json
  say "$name ($runs runs)"
  # A warm-up run before many short runs; the slow ones (mdBook, Pagefind) run right
  # after their inputs were written, so the cache is warm already.
  local args=(--warmup $((runs >= 5 ? 1 : 0)) --runs "$runs" --style none --export-json "$json")
  [ -n "$prepare" ] && args+=(--prepare "$prepare")
  hyperfine "${args[@]}" "$(printf '%q ' "$@")" >/dev/null
  read -r MEDIAN[$name] SPREAD[$name] < <(python3 - "$json" <<'EOF'
import json, sys, statistics
r = json.load(open(sys.argv[1]))['results'][0]
t = r['times']
rel = statistics.pstdev(t) / r['median'] if len(t) > 1 else 0
flag = ' (noisy)' if rel > 0.10 else ''
lo, hi = min(t), max(t)
fmt = lambda s: f'{s*1000:,.0f}' if s >= 1 else f'{s*1000:.1f}'
print(r['median'], f'{fmt(lo)}–{fmt(hi)}{flag}')
EOF
)
  [ -n "$prepare" ] && bash -c "$prepare"
  PEAK[$name]=$(peak_kb "$@")
}
row() { # NAME LABEL
  printf '| %s | %s ms | %s ms | %s |\n' "$2" "$(ms "${MEDIAN[$1]}")" "${SPREAD[$1]}" "$(mb $((PEAK[$1] * 1024)))"
}
pages_per_s() { python3 -c "import sys; print(f'{int(sys.argv[1])/float(sys.argv[2]):,.0f}')" "$1" "$2"; }

site=$work/site
book_out=$work/book-out
pfsite=$work/pfsite
# ONLY="which serve" re-runs those sections (load, book, floors, scale, search, which, cli, serve)
# and keeps the other figures of the last run: for a measurement that other work disturbed.
want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
declare -A LOAD SCALE_PERMS SCALE_ARGS SCALE_OUT SCALE_LOAD
lookups_s='' lookup_time='' index_build='' book_gen='' cli_cache_files=''
save_state() { declare -p MEDIAN SPREAD PEAK LOAD SCALE_PERMS SCALE_ARGS SCALE_OUT SCALE_LOAD lookups_s lookup_time index_build book_gen cli_cache_files >"$work/state.sh"; }
if [ -n "${REPORT_ONLY:-}${ONLY:-}" ] && [ -f "$work/state.sh" ]; then
  # shellcheck source=/dev/null
  source "$work/state.sh"
elif [ -n "${REPORT_ONLY:-}" ]; then
  echo "error: no earlier run in $work" >&2
  exit 1
elif [ -n "${ONLY:-}" ]; then
  # The first run of a checkout: the sections named, the others left out of the report.
  mkdir -p "$work"
else
  rm -rf "$work"
  mkdir -p "$work"
fi
# On a shared machine other builds disturb the figures: wait (at most QUIET_WAIT seconds,
# default 600) until the one-minute load average is under QUIET_LOAD (default 0.7).
quiet() {
  local until=$((SECONDS + ${QUIET_WAIT:-600}))
  while awk -v max="${QUIET_LOAD:-0.7}" '{exit !($1 >= max)}' /proc/loadavg && [ $SECONDS -lt $until ]; do
    say "load average $(cut -d' ' -f1 /proc/loadavg): waiting for a quieter machine"
    sleep 20
  done
}
# section NAME: whether to run it; records the time and load average it started with.
section() {
  save_state
  want "$1" || return 1
  quiet
  LOAD[$1]="$(date -u +%H:%M) ($(cut -d' ' -f1 /proc/loadavg))"
  say "section $1 (${LOAD[$1]})"
}

# 1,000 requests from the snapshot's own grants into $1: every 40th distinct (method,
# path), with the placeholders filled in as a script would.
requests_1000() {
  "$bin" export --what grants --format csv --data "$data" -o "$work/grants.csv"
  python3 - "$work/grants.csv" >"$1" <<'EOF'
import csv, re, sys
rows = csv.DictReader(open(sys.argv[1], encoding='utf-8'))
pairs = sorted({(r['method'], r['path']) for r in rows})
step = max(1, len(pairs) // 1000)
picked = (pairs[::step] * 2)[:1000]
for m, p in picked:
    print(m, re.sub(r'\{[^}]*\}', '48d31887-5fad-4d73-a9f5-3c356e68a038', p))
EOF
}

if [ -z "${REPORT_ONLY:-}" ]; then
if section load; then
  # Loading and linking every file each time (--no-cache); the cli section has the
  # same commands with the catalog cache.
  measure check "$RUNS" "" "$bin" check --no-cache --data "$data"
  measure grants_csv "$RUNS" "" "$bin" export --no-cache --what grants --format csv --data "$data" -o /dev/null
  measure perms_json "$RUNS" "" "$bin" export --no-cache --what permissions --format json --data "$data" -o /dev/null
  # Into a fresh directory each run, like the cp -r it is compared with; the last
  # run's site stays for the floors and search sections.
  measure build "$RUNS" "rm -rf $site" "$bin" build --data "$data" --out "$site"
fi

if section book; then
  say "catalog export and markdown for mdBook"
  "$bin" export --what catalog --format json --data "$data" -o "$work/catalog.json"
  rm -rf "$work/book" "$work/book-noprint"
  book_gen=$(python3 scripts/bench/catalog-book.py "$work/catalog.json" "$work/book")
  measure mdbook "$SLOW_RUNS" "" "$mdbook" build "$work/book" -d "$book_out"
  # The same book without print.html (one page of every chapter), the largest single output.
  cp -r "$work/book" "$work/book-noprint"
  printf '\n[output.html.print]\nenable = false\n' >>"$work/book-noprint/book.toml"
  measure mdbook_noprint "$SLOW_RUNS" "" "$mdbook" build "$work/book-noprint" -d "$work/book-noprint-out"
fi

if section floors; then
  # Right after a build of the same site, so both meet the same page cache.
  measure build_floor "$RUNS" "rm -rf $work/copy" "$bin" build --data "$data" --out "$work/copy"
  measure cp_site "$RUNS" "rm -rf $work/copy" cp -r "$site" "$work/copy"
  # mdBook's output is there once the book section has run, in this run or an earlier one.
  if [ -d "$book_out" ]; then
    measure cp_book "$RUNS" "rm -rf $work/copy" cp -r "$book_out" "$work/copy"
  fi
  rm -rf "$work/copy"
  measure read_inputs "$RUNS" "" bash -c "find $data -type f -print0 | xargs -0 cat >/dev/null"
  if [ -d "$work/book/src" ]; then
    measure read_book_src "$RUNS" "" bash -c "find $work/book/src -type f -print0 | xargs -0 cat >/dev/null"
  fi
fi

if section search; then
  rm -rf "$pfsite"
  cp -r "$site" "$pfsite"
  measure pagefind "$SLOW_RUNS" "rm -rf $pfsite/pagefind" "$pagefind" --site "$pfsite" # its index stays
  say "search in headless Chromium (bytes per first query, typo recall)"
  node scripts/bench/search-bench.mjs --site "$pfsite" --runs 3 --misses >"$work/search.json"
fi

if section which; then
  say "criterion: which lookups and the search index build (cargo bench --bench hot_paths)"
  cargo bench --quiet --bench hot_paths -- 'which/lookups|catalog/search index' >"$work/criterion.txt" 2>&1
  # "NAME  time: [lo mid hi]", then "thrpt: [lo mid hi]": the middle values.
  read -r lookups_s lookup_time index_build < <(python3 - "$work/criterion.txt" <<'EOF'
import re, sys
t = open(sys.argv[1], encoding='utf-8').read()
def mid(name, what):
    m = re.search(what + r':\s*\[\S+ \S+ (\S+) (\S+) \S+ \S+\]', t[t.index(name):])
    return float(m.group(1)), m.group(2)
n, unit = mid('which/lookups', 'thrpt')
scale = {'elem/s': 1, 'Kelem/s': 1e3, 'Melem/s': 1e6, 'Gelem/s': 1e9}[unit]
print(f'{n * scale:,.0f}\u00a0lookups/s', '%s\u00a0%s' % mid('which/lookups', 'time'), '%s\u00a0%s' % mid('catalog/search index', 'time'))
EOF
  )
  measure which_cli "$RUNS" "" "$bin" which --no-cache --data "$data" GET https://graph.microsoft.com/v1.0/me/messages POST /me/sendMail GET /users/adele@contoso.com
fi

# Growth: the same build on data with 4x the permissions (full copies) and with 40,000
# and 100,000 (copies with their first pathSet only, so the output stays a few GB),
# made by scripts/bench/scale-data.py; each next to cp -r of its own output. Outputs
# and scaled data are deleted after each size.
# On ext4 without a journal (this machine's root file system) creating a file skips, one
# by one, the inodes deleted in the last 60 s (recently_deleted in fs/ext4/ialloc.c; 360 s
# while their table block is dirty), which adds kernel time to a build or copy that
# starts right after 134,000 files were deleted. The sizes whose outputs run into six
# figures of files (40k, 100k) therefore wait SCALE_SETTLE seconds (default 61) after
# `sync` whenever a run's preparation deleted something: the figures are those of a
# build into a file system at rest, as a user's build is, for the build and cp -r alike.
settle_cmd() { # DIR SECONDS: the preparation that deletes DIR, then lets the deletion age
  if [ "$2" -gt 0 ]; then
    printf 'if [ -e %q ]; then rm -rf %q && sync && sleep %d; fi' "$1" "$1" "$2"
  else
    printf 'rm -rf %q' "$1"
  fi
}
if section scale; then
  scale=$work/scale
  for spec in "1x|" "4x|4" "40k|--count 40000 --first-pathset" "100k|--count 100000 --first-pathset"; do
    name=${spec%%|*} args=${spec#*|}
    wait_s=0
    case $name in 40k | 100k) wait_s=${SCALE_SETTLE:-61} ;; esac
    bash -c "$(settle_cmd "$scale" "$wait_s")" && mkdir -p "$scale"
    d=$data
    if [ -n "$args" ]; then
      d=$scale/data
      # shellcheck disable=SC2086
      SCALE_PERMS[$name]=$(python3 scripts/bench/scale-data.py "$data" "$d" $args | cut -d' ' -f1)
    else
      SCALE_PERMS[$name]=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['permissions']))" "$data/microsoft-graph-devx-content/permissions/new/permissions.json")
    fi
    SCALE_ARGS[$name]=${args:-the real data}
    measure "scale_$name" "${SCALE_RUNS:-3}" "$(settle_cmd "$scale/site" "$wait_s")" "$bin" build --data "$d" --out "$scale/site"
    SCALE_OUT[$name]="$(find "$scale/site" -type f | wc -l) files, $(mb "$(du -sb "$scale/site" | cut -f1)")"
    measure "scale_cp_$name" "${SCALE_RUNS:-3}" "$(settle_cmd "$scale/copy" "$wait_s")" cp -r "$scale/site" "$scale/copy"
    SCALE_LOAD[$name]=$(cut -d' ' -f1 /proc/loadavg)
    rm -rf "$scale"
  done
fi

if section cli; then
  # The catalog cache (PERMCAT_CACHE_DIR, here a folder of the run): `which` with a
  # fresh cache against --no-cache, 1,000 requests through --stdin, `check` with the
  # cache emptied before each run and with a fresh one. References in the same minute:
  # reading every input file, and the whole catalog reloaded from the cache (`show`).
  cli_cache=$work/cli-cache
  cached() { env PERMCAT_CACHE_DIR="$cli_cache" "$bin" "$@"; }
  rm -rf "$cli_cache"
  cached which --data "$data" GET /me/messages >/dev/null
  cached show --data "$data" User.Read >/dev/null
  requests_1000 "$work/requests-1000.txt"
  measure cli_which_warm "$RUNS" "" env PERMCAT_CACHE_DIR="$cli_cache" "$bin" which --data "$data" GET /me/messages
  measure cli_which_nocache "$RUNS" "" "$bin" which --no-cache --data "$data" GET /me/messages
  measure cli_batch "$RUNS" "" bash -c "PERMCAT_CACHE_DIR=$cli_cache $bin which --data $data --stdin --json-lines <$work/requests-1000.txt >/dev/null || true"
  # What the cache holds before the cold-check runs below empty it.
  cli_cache_files=$(find "$cli_cache" -name '*.bin' -printf '%f %s\n' | sort | awk '{printf "%s`%s` %.1f MB", sep, $1, $2/1e6; sep=", "}')
  # The freshness proof's floor: every entry's size, times and inode, one thread.
  measure cli_stat_walk "$RUNS" "" find "$data" -printf '%s %T@ %C@ %i\n'
  measure cli_check_cold "$RUNS" "rm -rf $cli_cache" env PERMCAT_CACHE_DIR="$cli_cache" "$bin" check --data "$data"
  measure cli_check_warm "$RUNS" "" env PERMCAT_CACHE_DIR="$cli_cache" "$bin" check --data "$data"
  cached show --data "$data" User.Read >/dev/null
  measure cli_show_warm "$RUNS" "" env PERMCAT_CACHE_DIR="$cli_cache" "$bin" show --data "$data" User.Read
  measure cli_read_inputs "$RUNS" "" bash -c "find $data -type f -print0 | xargs -0 cat >/dev/null"
fi

if section audit; then
  # `permcat audit` of a manifest with 50 Graph permissions (the first 25 scopes and 25
  # app roles of the descriptions) and 1,000 requests (built as in the cli section),
  # on the snapshot with the risk tiers beside it (symlinks), fresh cache; reference in
  # the same minute: `which --stdin` of the same 1,000 requests.
  audit_data=$work/audit-data
  rm -rf "$audit_data" && mkdir -p "$audit_data"
  for f in "$data"/*; do
    [ "$(basename "$f")" = SNAPSHOT.json ] || ln -s "$(realpath "$f")" "$audit_data/$(basename "$f")"
  done
  ln -s "$(realpath ../shared/upstream/third-party/azure-tiering)" "$audit_data/azure-tiering"
  python3 - "$data/SNAPSHOT.json" ../shared/upstream/third-party/azure-tiering/SNAPSHOT.json >"$audit_data/SNAPSHOT.json" <<'EOF2'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
a["sources"] += b["sources"]
print(json.dumps(a, indent=2))
EOF2
  python3 - "$data/microsoft-graph-devx-content/permissions/permissions-descriptions.json" >"$work/audit-manifest.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8-sig"))
access = [{"id": e["id"], "type": "Scope"} for e in d["delegatedScopesList"][:25]]
access += [{"id": e["id"], "type": "Role"} for e in d["applicationScopesList"][:25]]
print(json.dumps({"requiredResourceAccess": [{"resourceAppId": "00000003-0000-0000-c000-000000000000", "resourceAccess": access}]}))
EOF2
  requests_1000 "$work/audit-requests.txt"
  audit_cache=$work/audit-cache
  rm -rf "$audit_cache"
  env PERMCAT_CACHE_DIR="$audit_cache" "$bin" audit --data "$audit_data" "$work/audit-manifest.json" --requests "$work/audit-requests.txt" --json >/dev/null
  measure audit_warm "$RUNS" "" env PERMCAT_CACHE_DIR="$audit_cache" "$bin" audit --data "$audit_data" "$work/audit-manifest.json" --requests "$work/audit-requests.txt" --json
  measure audit_no_requests "$RUNS" "" env PERMCAT_CACHE_DIR="$audit_cache" "$bin" audit --data "$audit_data" "$work/audit-manifest.json" --json
  measure audit_which_ref "$RUNS" "" bash -c "PERMCAT_CACHE_DIR=$audit_cache $bin which --data $audit_data --file $work/audit-requests.txt --json-lines >/dev/null || true"
fi

if section serve; then
  scripts/bench-serve.sh >"$work/serve.md"
fi
save_state
fi

# ---------------------------------------------------------------- report
# A section that did not run in this run or an earlier one is left out of the report.
ran() { [ -n "${LOAD[$1]:-}" ]; }
input_bytes=$(find "$data" -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
input_files=$(find "$data" -type f | wc -l)
if ran load && ran book && ran floors; then
site_pages=$(html_pages "$site")
book_pages=$(html_pages "$book_out")
noprint_pages=$(html_pages "$work/book-noprint-out")
perm_pages=$(find "$site/permissions" -name '*.html' | wc -l)
fi
if ran book; then
book_index=$(find "$book_out" -maxdepth 1 -name 'searchindex*' | sort | head -1)
fi
if ran search; then
pf_bytes=$(find "$pfsite/pagefind" -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
pf_files=$(find "$pfsite/pagefind" -type f | wc -l)
# What a search needs from Pagefind's folder: without the four UI bundles and their CSS.
pf_index_bytes=$(find "$pfsite/pagefind" -type f ! -name '*-ui.*' ! -name 'pagefind-highlight.js' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
fi

echo "## Machine and run"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); $($bin --version), $($mdbook --version), pagefind $(node -p "require('./scripts/bench/node_modules/pagefind/package.json').version"), $(hyperfine --version), $(/usr/bin/chromium --version 2>/dev/null | head -1), node $(node --version), $(python3 --version)."
echo "Sections started at (UTC, with the one-minute load average; each waits for a load under ${QUIET_LOAD:-0.7}): $(for k in load book floors scale search which cli audit serve; do printf '%s %s, ' "$k" "${LOAD[$k]:-not run}"; done | sed 's/, $//')."
echo "Wall times: hyperfine, median of $RUNS runs after 1 warm-up run ($SLOW_RUNS runs without warm-up for mdBook and Pagefind, which take tens of seconds each); \"(noisy)\" marks a spread whose standard deviation exceeds 10 % of the median. Peak memory: GNU time, maximum resident set size of one run."
echo
if ran load; then
echo "## Check and export"
echo
echo "| command (release) | median wall time | min–max | peak memory |"
echo "|---|---|---|---|"
row check "permcat check"
row grants_csv "permcat export --what grants --format csv"
row perms_json "permcat export --what permissions --format json"
echo
fi
if ran load && ran book && ran floors; then
echo "## Site build: permcat vs mdBook, and the I/O floors"
echo
echo "Input: $input_files files, $(mb "$input_bytes") in \`$data\`. The book: $book_gen (scripts/bench/catalog-book.py from the catalog export; writing it is not timed)."
echo
echo "| command | median wall time | min–max | peak memory | HTML pages | pages/s | output |"
echo "|---|---|---|---|---|---|---|"
printf '| permcat build (full site) | %s ms | %s ms | %s | %s | %s | %s files, %s |\n' "$(ms "${MEDIAN[build]}")" "${SPREAD[build]}" "$(mb $((PEAK[build] * 1024)))" "$site_pages" "$(pages_per_s "$site_pages" "${MEDIAN[build]}")" "$(find "$site" -type f | wc -l)" "$(mb "$(du -sb "$site" | cut -f1)")"
printf '| mdbook build (same catalog) | %s ms | %s ms | %s | %s | %s | %s files, %s |\n' "$(ms "${MEDIAN[mdbook]}")" "${SPREAD[mdbook]}" "$(mb $((PEAK[mdbook] * 1024)))" "$book_pages" "$(pages_per_s "$book_pages" "${MEDIAN[mdbook]}")" "$(find "$book_out" -type f | wc -l)" "$(mb "$(du -sb "$book_out" | cut -f1)")"
printf '| mdbook build, print.html off | %s ms | %s ms | %s | %s | %s | %s |\n' "$(ms "${MEDIAN[mdbook_noprint]}")" "${SPREAD[mdbook_noprint]}" "$(mb $((PEAK[mdbook_noprint] * 1024)))" "$noprint_pages" "$(pages_per_s "$noprint_pages" "${MEDIAN[mdbook_noprint]}")" "$(mb "$(du -sb "$work/book-noprint-out" | cut -f1)")"
row cp_site "floor: cp -r of permcat's site (warm cache)" | sed 's/|$/| | | |/'
row cp_book "floor: cp -r of mdBook's output (warm cache)" | sed 's/|$/| | | |/'
row read_inputs "floor: read every input file (cat > /dev/null)" | sed 's/|$/| | | |/'
row read_book_src "floor: read the book's markdown (cat > /dev/null)" | sed 's/|$/| | | |/'
echo
echo "permcat's $site_pages pages are $perm_pages permission pages, $((site_pages - perm_pages - 4)) resource pages, index, about, lookup and 404; it also writes the downloads/ exports and per-permission JSON/CSV. mdBook's are the chapters plus index.html, 404.html, toc.html and print.html ($(mb "$(stat -c %s "$book_out/print.html" 2>/dev/null || echo 0)")); its search index \`$(basename "$book_index")\` is $(kb "$(stat -c %s "$book_index")") ($(kb "$(gz "$book_index")") gzipped)."
echo
printf 'Build and cp -r of its output in the same minute (floors section): build %s ms (%s ms), cp -r %s ms: %s× the copy.\n' "$(ms "${MEDIAN[build_floor]}")" "${SPREAD[build_floor]}" "$(ms "${MEDIAN[cp_site]}")" "$(python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}')" "${MEDIAN[build_floor]}" "${MEDIAN[cp_site]}")"
echo
fi
if [ -n "${SCALE_PERMS[1x]:-}" ]; then
  echo "## Build growth (scripts/bench/scale-data.py)"
  echo
  echo "The real data, then copies of every permission under new names and GUIDs: 4× with full copies, 40,000 and 100,000 permissions with copies that keep their first pathSet only. Median of ${SCALE_RUNS:-3} runs into a fresh directory; cp -r of the same output right after. At 40k and 100k each run whose preparation deleted an earlier output starts ${SCALE_SETTLE:-61} s after that deletion (see the scale section of scripts/bench.sh)."
  echo
  echo "| permissions | scaled with | build (median) | min–max | peak memory | output | cp -r of the output | build ÷ cp -r | time ÷ 1× time | load average after |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for name in 1x 4x 40k 100k; do
    [ -n "${SCALE_PERMS[$name]:-}" ] || continue
    printf '| %s | %s | %s ms | %s ms | %s | %s | %s ms | %s× | %s× | %s |\n' "${SCALE_PERMS[$name]}" "${SCALE_ARGS[$name]}" "$(ms "${MEDIAN[scale_$name]}")" "${SPREAD[scale_$name]}" "$(mb $((PEAK[scale_$name] * 1024)))" "${SCALE_OUT[$name]}" "$(ms "${MEDIAN[scale_cp_$name]}")" "$(python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}')" "${MEDIAN[scale_$name]}" "${MEDIAN[scale_cp_$name]}")" "$(python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "${MEDIAN[scale_$name]}" "${MEDIAN[scale_1x]}")" "${SCALE_LOAD[$name]}"
  done
  echo
fi
# The search report names mdBook's index for scale.
if ran search && ran book; then
echo "## Search: permcat vs Pagefind on the same built site"
echo
# permcat's search: the first script and its parts (assets/search/).
parts_bytes=$(find "$site/assets/search" -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
parts_files=$(find "$site/assets/search" -type f | wc -l)
parts_max=$(find "$site/assets/search" -type f -printf '%s\n' | sort -n | tail -1)
python3 - "$work/search.json" "$site/assets/search-index.js" "$(gz "$site/assets/search-index.js")" "$pf_bytes" "$pf_files" "$pf_index_bytes" "$(ms "${MEDIAN[pagefind]}")" "$(mb $((PEAK[pagefind] * 1024)))" "${SPREAD[pagefind]}" "$book_index" "$(gz "$book_index")" "$index_build" "$parts_bytes" "$parts_files" "$parts_max" <<'EOF'
import json, os, sys
s = json.load(open(sys.argv[1]))
idx, idx_gz = os.path.getsize(sys.argv[2]), int(sys.argv[3])
pf_all, pf_files, pf_idx = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
pf_ms, pf_peak, pf_spread = sys.argv[7], sys.argv[8], sys.argv[9]
bi, bi_gz = os.path.getsize(sys.argv[10]), int(sys.argv[11])
def k(n): return f'{n/1e6:,.2f} MB' if n >= 1e6 else f'{n/1e3:,.1f} KB'
b, r = s['bytes'], s['recall']
print(f"Page: `{s['page']}` (index.html); first query `{s['firstQuery']}`; Chromium {s['chromium']}, fresh context (empty cache) per run, median of {s['runs']} runs. Bytes are what the server wrote (status line, headers, body, no compression); \"gzip\" is the same with text bodies gzip'd at level 6, as a compressing host would send them (Pagefind's own files are compressed already).")
print()
print('| | permcat | Pagefind |')
print('|---|---|---|')
print(f"| index build | part of `permcat build`: {sys.argv[12]} (criterion, `catalog/search index`) | `pagefind --site`: {pf_ms} ms ({pf_spread} ms), {pf_peak} peak |")
parts, parts_n, parts_max = int(sys.argv[13]), int(sys.argv[14]), int(sys.argv[15])
print(f"| index on disk | first script `assets/search-index.js` {k(idx)} ({k(idx_gz)} gzipped) + {parts_n} parts in `assets/search/` {k(parts)} (largest {k(parts_max)}) | `pagefind/` {k(pf_all)} in {pf_files} files; {k(pf_idx)} without the UI bundles |")
P, F = b['permcat'], b['pagefind']
req = lambda n: f"{n} request" + ("" if n == 1 else "s")
print(f"| page itself (same for both) | {k(P['pageBytes'])} in {req(P['pageRequests'])} ({k(P['pageBytesGzip'])} gzip) | {k(F['pageBytes'])} in {req(F['pageRequests'])} ({k(F['pageBytesGzip'])} gzip) |")
print(f"| search bytes before the first result | {k(P['searchBytes'])} in {req(P['searchRequests'])} ({k(P['searchBytesGzip'])} gzip) | {k(F['searchBytes'])} in {req(F['searchRequests'])} ({k(F['searchBytesGzip'])} gzip) |")
print(f"| all search bytes of the first query (until 300 ms after its results) | {k(P['searchAllBytes'])} in {req(P['searchAllRequests'])} ({k(P['searchAllBytesGzip'])} gzip) | {k(F['searchAllBytes'])} in {req(F['searchAllRequests'])} ({k(F['searchAllBytesGzip'])} gzip) |")
print(f"| first query, keystroke/call to results (loopback) | {P['firstQueryMs']:.0f} ms | {F['firstQueryMs']:.0f} ms |")
q = r['permcat']['queries']
pc = lambda e, n: f"{e[n]}/{q} ({100*e[n]/q:.0f} %)"
print(f"| typo queries: recall@1 | {pc(r['permcat'], 'at1')} | {pc(r['pagefind'], 'at1')} |")
print(f"| typo queries: recall@10 | {pc(r['permcat'], 'at10')} | {pc(r['pagefind'], 'at10')} |")
print(f"| median time per typo query (warm, top 10) | {r['permcat']['medianQueryMs']:.1f} ms | {r['pagefind']['medianQueryMs']:.1f} ms |")
c = s['control']
cq = c['permcat']['queries']
cc = lambda e, n: f"{e[n]}/{cq} ({100*e[n]/cq:.0f} %)"
print(f"| control, the same names spelled right: recall@1 | {cc(c['permcat'], 'at1')} | {cc(c['pagefind'], 'at1')} |")
print(f"| control: recall@10 | {cc(c['permcat'], 'at10')} | {cc(c['pagefind'], 'at10')} |")
print()
print('Requests before the first result — permcat: ' + ', '.join(f'`{x}` B' for x in P['searchFiles']) + '; Pagefind: ' + ', '.join(f'`{x}` B' for x in F['searchFiles']) + '.')
print()
print(f"mdBook's elasticlunr index for the same catalog, for scale: `{os.path.basename(sys.argv[10])}` {k(bi)} ({k(bi_gz)} gzipped), loaded whole before the first query.")
print()
for title, res in (('Typo queries', r), ('Control', c)):
    for eng in ('permcat', 'pagefind'):
        m = res[eng]['misses']
        if not m: continue
        lower = [x for x in m if x['rank']]
        gone = [x for x in m if not x['rank']]
        parts = []
        if lower: parts.append(f"found at 2–10 ({len(lower)}): " + ', '.join(f"`{x['query']}` ({x['rank']})" for x in lower))
        if gone: parts.append(f"not in the top 10 ({len(gone)}): " + ', '.join(f"`{x['query']}`" for x in gone))
        print(f"{title}, {eng}, not first: " + '; '.join(parts) + '.')
        print()
EOF
fi
if ran which; then
echo "## Reverse lookup (\`which\`)"
echo
echo "| measurement | result |"
echo "|---|---|"
echo "| in-process lookups (criterion, benches/hot_paths.rs \`which/lookups\`: 9 varied requests) | $lookups_s ($lookup_time for the 9) |"
printf '| `permcat which` from the command line, 3 requests (load + link the snapshot, then look up) | %s ms median, %s |\n' "$(ms "${MEDIAN[which_cli]}")" "$(mb $((PEAK[which_cli] * 1024)))"
echo
fi
if ran cli; then
echo "## Command line with the catalog cache"
echo
echo "Cache files of a warm \`which\` and \`show\`: ${cli_cache_files:-none}. \`--stdin\`: 1,000 requests built from the snapshot's grants, answered as JSON lines."
echo
echo "| command (release) | median wall time | min–max | peak memory |"
echo "|---|---|---|---|"
row cli_which_warm "permcat which GET /me/messages, fresh cache"
row cli_which_nocache "permcat which GET /me/messages, --no-cache"
row cli_batch "permcat which --stdin, 1,000 requests, fresh cache"
row cli_check_cold "permcat check, cache emptied before each run"
row cli_check_warm "permcat check, fresh cache"
row cli_show_warm "reference: permcat show (the whole catalog reloaded from the cache)"
row cli_read_inputs "floor: read every input file (cat > /dev/null)"
row cli_stat_walk "floor of the freshness check: every entry's metadata (find -printf, one thread)"
echo
fi
if ran audit; then
echo "## Audit of an app (\`permcat audit\`)"
echo
echo "A manifest of 50 Microsoft Graph permissions (25 scopes, 25 app roles) and the 1,000 requests of the cli section, on the snapshot with the azure-tiering risk tiers; JSON out, fresh cache."
echo
echo "| command (release) | median wall time | min–max | peak memory |"
echo "|---|---|---|---|"
row audit_warm "permcat audit, 50 permissions, 1,000 requests"
row audit_no_requests "permcat audit, 50 permissions, no requests"
row audit_which_ref "reference: permcat which --file, the same 1,000 requests"
echo
fi
if ran serve; then
echo "## Preview server (scripts/bench-serve.sh)"
echo
sed -e '/^## machine$/d' "$work/serve.md"

fi
