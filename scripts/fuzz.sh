#!/usr/bin/env bash
# Fuzzes permcat's parsers with cargo-fuzz (libFuzzer): builds the targets of fuzz/,
# writes seed corpora taken from the real upstream snapshot (../shared/upstream) and the
# bundled sample (data/), runs each target for a while and prints one summary line per
# target, also appended to target/fuzz-runs.log. See FUZZING.md for the figures.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (from the repository root)
#   SECONDS_PER_TARGET  default 300; TARGET defaults to all of them, run one after another.
#
# Needs: cargo-fuzz (`cargo install cargo-fuzz --locked`), python3 for the seeds, and
# preferably a nightly toolchain (`rustup toolchain install nightly`), which cargo-fuzz
# is made for. Without nightly (or with FUZZ_STABLE=1) the stable toolchain is used with
# RUSTC_BOOTSTRAP=1, so that it accepts any unstable flag cargo-fuzz may pass. Checked
# with cargo-fuzz 0.13.2 and Rust 1.95 stable: without a sanitizer (as built here) the
# targets build and run on stable; a sanitizer build (`-s address`) needs nightly.
#
# Outputs (all under target/, none committed): target/fuzz-corpus/<target>/ the seeds
# plus what libFuzzer added; target/fuzz-artifacts/<target>/ crashing, timing-out or
# out-of-memory inputs; target/fuzz-logs/ full libFuzzer output per run. To replay an
# artifact: fuzz/target/<host>/release/<target> target/fuzz-artifacts/<target>/<file>.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(permissions_json descriptions_json commands_json provisioning_json snapshot_json
  csdl docs_api_page docs_include docs_resource_page docs_snippet canonicalize which)

# Longest input libFuzzer may generate, per target: large enough for one real record of
# the format (a permission with its paths, a resource page, a CSDL type with its
# annotations), small enough to keep executions fast. Longer seeds are truncated.
max_len_of() {
  case $1 in
    permissions_json | commands_json | csdl | docs_api_page | docs_resource_page) echo 16384 ;;
    descriptions_json | provisioning_json | snapshot_json) echo 8192 ;;
    docs_include | docs_snippet) echo 4096 ;;
    which) echo 1024 ;;
    canonicalize) echo 512 ;;
    *) return 1 ;;
  esac
}

secs=300
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  secs=$1
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  max_len_of "$t" >/dev/null || { echo "error: unknown target $t (known: ${all_targets[*]})" >&2; exit 1; }
done

upstream=../shared/upstream
[ -d "$upstream/current" ] || { echo "error: $upstream/current not found" >&2; exit 1; }
command -v cargo-fuzz >/dev/null || { echo "error: cargo-fuzz missing (cargo install cargo-fuzz --locked)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "error: python3 missing (it writes the seeds)" >&2; exit 1; }

if [ -z "${FUZZ_STABLE:-}" ] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
  toolchain="$(rustc +nightly --version)"
else
  fuzz=(env RUSTC_BOOTSTRAP=1 cargo +stable fuzz)
  toolchain="$(rustc +stable --version) (RUSTC_BOOTSTRAP=1)"
fi
host=$(rustc -vV | sed -n 's/^host: //p')

# 1. Build. No sanitizer: permcat and its parsers are safe Rust, so AddressSanitizer
# would only slow the runs down. Panics, overflow checks (debug assertions are on),
# stack overflows, timeouts and memory blow-ups are all caught by libFuzzer itself.
echo "building fuzz targets with $toolchain" >&2
if [ ${#targets[@]} -eq ${#all_targets[@]} ]; then
  "${fuzz[@]}" build -s none
else
  for t in "${targets[@]}"; do "${fuzz[@]}" build -s none "$t"; done
fi

# 2. Seeds, written fresh on every run (file names are content hashes, so rewriting
# adds nothing twice). Never committed: they are pieces of the upstream data.
echo "writing seed corpora under target/fuzz-corpus/" >&2
python3 - "$upstream" target/fuzz-corpus "${targets[@]}" <<'PY'
import copy, hashlib, json, os, random, re, sys
import xml.etree.ElementTree as ET

upstream, out_root, targets = sys.argv[1], sys.argv[2], set(sys.argv[3:])
cur, prev = f"{upstream}/current", f"{upstream}/previous"
devx, docs = "microsoft-graph-devx-content/permissions", "microsoft-graph-docs/api-reference"
rng = random.Random(2026)  # a fixed sample, so runs start from the same seeds


def read(path):
    with open(path, "rb") as f:
        return f.read()


def load_json(path):
    return json.loads(read(path).decode("utf-8-sig"))


def existing(*paths):
    return [p for p in paths if os.path.isfile(p)]


def sample(items, n):
    items = sorted(items)
    return items if len(items) <= n else rng.sample(items, n)


def write(target, seeds):
    d = os.path.join(out_root, target)
    os.makedirs(d, exist_ok=True)
    n = 0
    for s in seeds:
        b = s if isinstance(s, bytes) else s.encode("utf-8")
        name = "seed-" + hashlib.sha1(b).hexdigest()[:16]
        with open(os.path.join(d, name), "wb") as f:
            f.write(b)
        n += 1
    print(f"  {target}: {n} seeds", file=sys.stderr)


def dump(doc):
    return json.dumps(doc, ensure_ascii=False, indent=2)


def md_files(version, folder, n):
    d = f"{cur}/{docs}/{version}/{folder}"
    names = [x for x in os.listdir(d) if x.endswith(".md")] if os.path.isdir(d) else []
    return [f"{d}/{x}" for x in sample(names, n)]


def sample_md(rel):
    base = f"data/{docs}"
    found = []
    for version in ("v1.0", "beta"):
        d = f"{base}/{version}/{rel}"
        for root, _, files in os.walk(d):
            found += [os.path.join(root, f) for f in files if f.endswith(".md")]
    return sorted(found)


REQUEST = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE)\s+(\S.*?)\s*$", re.M)


def request_lines():
    """(method, url) of every request line of the API pages, both versions."""
    lines = []
    for version in ("v1.0", "beta"):
        d = f"{cur}/{docs}/{version}/api"
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            text = read(f"{d}/{name}").decode("utf-8", "replace")
            lines += REQUEST.findall(text)
    return sorted(set(lines))


def permission_paths():
    paths = set()
    for f in existing(f"{cur}/{devx}/new/permissions.json", f"{prev}/{devx}/new/permissions.json"):
        for perm in load_json(f)["permissions"].values():
            for ps in perm.get("pathSets", []):
                paths.update(ps.get("paths", {}))
    return sorted(paths)


if "permissions_json" in targets:
    seeds = []
    for f in existing(f"{cur}/{devx}/new/permissions.json", f"{prev}/{devx}/new/permissions.json",
                      f"data/{devx}/new/permissions.json"):
        seeds.append(read(f))
        for name, perm in load_json(f)["permissions"].items():
            seeds.append(dump({"permissions": {name: perm}}))
    write("permissions_json", seeds)

if "descriptions_json" in targets:
    seeds = []
    files = existing(f"{cur}/{devx}/permissions-descriptions.json",
                     f"{prev}/{devx}/permissions-descriptions.json",
                     *(f"{cur}/{devx}/permissions-descriptions_{l}.json"
                       for l in ("de-DE", "es-ES", "fr-FR", "ja-JP", "pt-BR", "ru-RU", "zh-CN")))
    for i, f in enumerate(files):
        doc = load_json(f)
        for key in ("delegatedScopesList", "applicationScopesList"):
            entries = doc.get(key, [])
            # Every English entry, a sample of the others: they share their shape.
            for e in entries if i == 0 else sample([json.dumps(x) for x in entries], 40):
                e = json.loads(e) if isinstance(e, str) else e
                seeds.append(dump({key: [e]}))
    seeds += [read(f) for f in existing(f"data/{devx}/permissions-descriptions.json",
                                        f"data/{devx}/permissions-descriptions_de-DE.json")]
    write("descriptions_json", seeds)

if "commands_json" in targets:
    # The real command map is not in the snapshot; the bundled sample has its shape.
    f = "data/msgraph-sdk-powershell/src/Authentication/Authentication/custom/common/MgCommandMetadata.json"
    seeds = [read(f)] + [dump([e]) for e in load_json(f)]
    write("commands_json", seeds)

if "provisioning_json" in targets:
    seeds = []
    for f in existing(f"{cur}/{devx}/new/provisioningInfo.json", f"data/{devx}/new/provisioningInfo.json"):
        seeds.append(read(f))
        for name, deps in load_json(f).get("permissionDeployments", {}).items():
            seeds.append(dump({"permissionDeployments": {name: deps}}))
    write("provisioning_json", seeds)

if "snapshot_json" in targets:
    seeds = []
    for f in existing(f"{cur}/SNAPSHOT.json", f"{prev}/SNAPSHOT.json", "data/SNAPSHOT.json"):
        seeds.append(read(f))
        doc = load_json(f)
        for s in doc.get("sources", []):
            seeds.append(dump({"name": doc.get("name"), "sources": [s]}))
    write("snapshot_json", seeds)

if "csdl" in targets:
    EDMX, EDM = "http://docs.oasis-open.org/odata/ns/edmx", "http://docs.oasis-open.org/odata/ns/edm"
    ET.register_namespace("edmx", EDMX)
    ET.register_namespace("", EDM)

    def wrap(schema_attrib, elements):
        root = ET.Element(f"{{{EDMX}}}Edmx", Version="4.0")
        ds = ET.SubElement(root, f"{{{EDMX}}}DataServices")
        schema = ET.SubElement(ds, f"{{{EDM}}}Schema", attrib=dict(schema_attrib))
        schema.extend(copy.deepcopy(e) for e in elements)
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")

    seeds = []
    for f in existing(f"{cur}/msgraph-metadata/clean_v10_metadata/cleanMetadata.xml",
                      f"{cur}/msgraph-metadata/clean_beta_metadata/cleanMetadataWithDescriptionsbeta.xml",
                      f"{prev}/msgraph-metadata/clean_v10_metadata/cleanMetadataWithDescriptionsv1.0.xml"):
        for schema in ET.parse(f).getroot().iter(f"{{{EDM}}}Schema"):
            children = list(schema)
            by_kind = {}
            for c in children:
                by_kind.setdefault(c.tag.split("}")[-1], []).append(c)
            for kind, items in sorted(by_kind.items()):
                if kind == "EntityContainer":
                    for ec in items:
                        small = ET.Element(ec.tag, ec.attrib)
                        small.extend(list(ec)[:30])
                        seeds.append(wrap(schema.attrib, [small]))
                    continue
                # One element per seed, with the Annotations block aimed at it if any.
                for e in rng.sample(items, min(len(items), 60)):
                    seeds.append(wrap(schema.attrib, [e]))
    seeds += [read(f) for f in existing(
        "data/msgraph-metadata/clean_v10_metadata/cleanMetadataWithDescriptionsv1.0.xml",
        "data/msgraph-metadata/clean_beta_metadata/cleanMetadataWithDescriptionsbeta.xml")]
    write("csdl", seeds)

if "docs_api_page" in targets:
    files = md_files("v1.0", "api", 200) + md_files("beta", "api", 200) + sample_md("api")
    write("docs_api_page", [read(f) for f in files])

if "docs_include" in targets:
    seeds = [read(f) for f in sample_md("includes/permissions")]
    # The 2021 docs keep the table inline; its section is what an include file holds.
    for f in md_files("v1.0", "api", 150) + md_files("beta", "api", 150):
        text = read(f).decode("utf-8", "replace")
        m = re.search(r"^## Permissions.*?(?=^## )", text, re.M | re.S)
        if m:
            seeds.append(m.group(0))
    write("docs_include", seeds)

if "docs_resource_page" in targets:
    files = md_files("v1.0", "resources", 200) + md_files("beta", "resources", 200) + sample_md("resources")
    write("docs_resource_page", [read(f) for f in files])

if "docs_snippet" in targets:
    files = []
    for version in ("v1.0", "beta"):
        for lang in ("csharp", "javascript"):
            files += md_files(version, f"includes/snippets/{lang}", 75)
    write("docs_snippet", [read(f) for f in files + sample_md("includes/snippets")])

if "canonicalize" in targets or "which" in targets:
    lines = request_lines()
    paths = permission_paths()
if "canonicalize" in targets:
    write("canonicalize", paths + sample([url for _, url in lines], 4000))

if "which" in targets:
    seeds = [f"{m}\n{url}" for m, url in sample(lines, 3000)]
    seeds += sample(paths, 1000)
    with open("scripts/lookup-requests.txt", encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith(("#", "[")):
                seeds.append("\n".join(line.split()))
    write("which", seeds)
PY

# 3. Run, and 4. summarize: wall seconds, executions, executions per second, libFuzzer's
# final coverage (cov: edges, ft: features), the corpus it kept in memory and the files
# in the corpus folder (seeds plus additions), and the new crash, timeout or OOM inputs.
# libFuzzer stops at the first crash, so crashes is 0 or 1 per run.
mkdir -p target/fuzz-logs
for t in "${targets[@]}"; do
  bin=fuzz/target/$host/release/$t
  corpus=target/fuzz-corpus/$t
  artifacts=target/fuzz-artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  log=target/fuzz-logs/$t-$(date -u +%Y%m%dT%H%M%SZ).log
  before=$(find "$artifacts" -type f | sort)
  echo "fuzzing $t for ${secs}s (log: $log)" >&2
  start=$SECONDS
  status=0
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a blow-up, not a big file.
  "$bin" "$corpus" -max_total_time="$secs" -max_len="$(max_len_of "$t")" -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  elapsed=$((SECONDS - start))
  final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n1; }
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  units=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  new=$(comm -13 <(echo "$before") <(find "$artifacts" -type f | sort) | grep . || true)
  crashes=$(grep -c . <<<"$new" || true)
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $t seconds=$elapsed execs=$(final_stat number_of_executed_units) exec/s=$(final_stat average_exec_per_sec) cov=${cov:-?} ft=${ft:-?} corpus=${units:-?} corpus_files=$(find "$corpus" -type f | wc -l) crashes=$crashes exit=$status toolchain=\"$toolchain\""
  if [ "$crashes" -gt 0 ]; then
    line+=" artifacts: $(tr '\n' ' ' <<<"$new")"
  fi
  echo "$line"
  echo "$line" >>target/fuzz-runs.log
done
