#!/usr/bin/env node
// Compares the lookup page's answers (site/lookup.js, window.permcatLookup) with
// `permcat which --json` for the same arguments. The page must give exactly the CLI's
// answers, suggestions for misses included.
//
//   cargo build --release
//   ./target/release/permcat build --data ../shared/upstream/current --out /tmp/lookup-site
//   ./target/release/permcat build --data data --out /tmp/lookup-sample
//   node scripts/lookup-diff.mjs [--random N] [--seed S] [--verbose]
//     [--bin target/release/permcat] [--script site/lookup.js] [--site /tmp/lookup-site]
//     [--sample-site /tmp/lookup-sample] [--data DIR] [--sample-data DIR] [--ignore-closest]
//
// Requests come from scripts/lookup-requests.txt (see its header). `--random N` adds N
// requests made from the snapshot's own templates (placeholders filled with ids, UPNs,
// quoted values; random casing, versions, query strings, trailing slashes and methods),
// sent to the CLI in batches, so the cover search is compared on large sets too.
// Exits 1 on any difference.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const bin = resolve(repo, opt('--bin', 'target/release/permcat'));
const verbose = argv.includes('--verbose');
const script = resolve(repo, opt('--script', 'site/lookup.js'));
const datasets = {
  snapshot: { data: resolve(repo, opt('--data', '../shared/upstream/current')), site: opt('--site', '/tmp/lookup-site') },
  sample: { data: resolve(repo, opt('--sample-data', 'data')), site: opt('--sample-site', '/tmp/lookup-sample') },
};

// The page's script in a bare context: only the index global, no document.
function pageContext(site) {
  const ctx = { window: {} };
  ctx.window.window = ctx.window;
  vm.createContext(ctx);
  const load = (file) => vm.runInContext(readFileSync(file, 'utf8'), ctx, { filename: file });
  const t0 = performance.now();
  load(join(site, 'assets/lookup-index.js'));
  const t1 = performance.now();
  // Run lookup.js with `window` as its global, as in the browser.
  vm.runInContext(`(function (window) { ${readFileSync(script, 'utf8')} }).call(window, window)`, ctx, {
    filename: 'site/lookup.js',
  });
  return { lookup: ctx.window.permcatLookup, key: ctx.window.permcatCanonicalKey, index: ctx.window.PERMCAT_LOOKUP, loadMs: t1 - t0 };
}

function cli(data, args) {
  try {
    return execFileSync(bin, ['which', '--json', '--data', data, '--', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 28,
    });
  } catch (e) {
    // Misses make the CLI exit 1 after printing the report.
    if (e.stdout) return e.stdout;
    throw new Error(`permcat which ${args.join(' ')}: ${e.stderr || e.message}`);
  }
}

// `--ignore-closest` leaves the suggestions out; by default they are compared too (the
// page computes them by the same bounded rules as the CLI).
const ignoreClosest = argv.includes('--ignore-closest');
function withoutClosest(report) {
  if (!ignoreClosest) return report;
  return { ...report, answers: report.answers.map(({ closest, ...a }) => a) };
}

// Key order counts too (the page shows this JSON for copying), so compare the text.
function firstDifference(a, b) {
  const x = JSON.stringify(a, null, 1).split('\n');
  const y = JSON.stringify(b, null, 1).split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n    js:  ${x[i]}\n    cli: ${y[i]}`;
  }
  return null;
}

// Splits like the page does (Rust's whitespace); the list keeps one space between arguments.
const split = (line) => line.split(/[\s\u0085]+/).filter(Boolean);

function readList() {
  const lines = readFileSync(join(repo, 'scripts/lookup-requests.txt'), 'utf8').split('\n');
  let set = 'snapshot';
  const out = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^\[(\w+)\]$/.exec(line);
    if (m) {
      set = m[1];
      continue;
    }
    out.push({ set, line });
  }
  return out;
}

// A small deterministic generator, so a failing seed can be rerun.
function rng(seed) {
  let s = BigInt(seed) & 0xffffffffffffffffn;
  return () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number(s >> 33n) / 2 ** 31;
  };
}

function randomRequests(index, n, seed) {
  const rand = rng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const values = [
    'adele@contoso.com', 'adele%40contoso.com', '48d31887-5fad-4d73-a9f5-3c356e68a038', 'AAMkAGI2TAAA=',
    '01ABC', 'b!xyz', '42', "'quoted'", 'x', 'delta', 'me', 'root', '%7Bid%7D', 'caf%C3%A9',
  ];
  const ids = Object.keys(index.endpoints);
  const out = [];
  for (let i = 0; i < n; i++) {
    const id = pick(ids);
    const method = id.slice(id.indexOf(' ') + 1);
    let path = index.endpoints[id][0];
    // Fill placeholders, but keep some: the templates' own spelling must match too.
    path = path.replace(/\{[^{}]*\}/g, (ph) => (rand() < 0.2 ? ph : pick(values)));
    path = path.replace(/=\s*'?\{[^{}]*\}'?/g, () => `='${pick(values)}'`);
    if (rand() < 0.3) path = path.split('').map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
    if (rand() < 0.2) path += '/';
    if (rand() < 0.2) path += pick(['?$top=5', '?$select=id,displayName&$top=1', '#x', '?$filter=startswith(displayName,%27a%27)']);
    // Odd input too: the characters the path parser cares about, anywhere.
    if (rand() < 0.3) {
      const odd = "/{}()':,\"=?#$.%|-é用😀";
      const chars = Array.from(path);
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
        chars.splice(Math.floor(rand() * (chars.length + 1)), 0, pick(Array.from(odd)));
      }
      path = chars.join('');
    }
    const prefix = pick(['', '', '/v1.0', '/beta', 'https://graph.microsoft.com/v1.0', 'https://graph.microsoft.com/beta']);
    if (path.includes(' ')) continue; // a template with a space is not one argument
    const m = rand() < 0.1 ? pick(['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'head']) : method;
    out.push([m, prefix + path]);
  }
  return out;
}

const ctxs = {};
let compared = 0;
let failed = 0;

function compare(set, args) {
  const ds = datasets[set];
  if (!ds) throw new Error(`unknown data set [${set}]`);
  ctxs[set] ||= pageContext(ds.site);
  const js = withoutClosest(ctxs[set].lookup(args.join(' ')));
  const want = withoutClosest(JSON.parse(cli(ds.data, args)));
  compared++;
  const diff = firstDifference(js, want);
  if (diff) {
    failed++;
    console.log(`DIFF [${set}] ${args.join(' ')}\n  ${diff}`);
  } else if (verbose) {
    console.log(`ok   [${set}] ${args.join(' ')}`);
  }
  return js;
}

let requests = 0;
for (const { set, line } of readList()) {
  const args = split(line);
  const js = compare(set, args);
  requests += js.answers.length;
}
const listed = compared;
let batches = 0;

const random = Number(opt('--random', 0));
if (random > 0) {
  const seed = Number(opt('--seed', 1));
  const reqs = randomRequests(ctxs.snapshot.index, random, seed);
  for (let i = 0; i < reqs.length; i += 40) {
    const batch = reqs.slice(i, i + 40);
    // One method per URL: `M URL M URL …`.
    const js = compare('snapshot', batch.flat());
    batches++;
    requests += js.answers.length;
  }
}

// Timing of one lookup on the real index, after a warm-up.
const snap = ctxs.snapshot;
if (snap) {
  const q = 'https://graph.microsoft.com/v1.0/users/adele@contoso.com/messages?$top=5';
  for (let i = 0; i < 200; i++) snap.lookup(q);
  const t0 = performance.now();
  const n = 2000;
  for (let i = 0; i < n; i++) snap.lookup(q);
  const each = (performance.now() - t0) / n;
  const t1 = performance.now();
  snap.lookup('/totally/unknown/path');
  const miss = performance.now() - t1;
  // A 16 KB path: suggestions compare a bounded prefix, so this stays as fast as a miss.
  const long = '/users/' + 'abcdefghij/'.repeat(1490);
  const t2 = performance.now();
  const longReport = snap.lookup(long);
  const longMs = performance.now() - t2;
  const want = JSON.parse(cli(datasets.snapshot.data, [long]));
  compared++;
  const longDiff = firstDifference(withoutClosest(longReport), withoutClosest(want));
  if (longDiff) {
    failed++;
    console.log(`DIFF [snapshot] a 16 KB path\n  ${longDiff}`);
  }
  console.log(
    `timing: index load ${snap.loadMs.toFixed(0)} ms; one lookup ${(each * 1000).toFixed(1)} µs; a miss with suggestions ${miss.toFixed(1)} ms; a ${long.length}-character path ${longMs.toFixed(1)} ms`
  );
}

console.log(
  `${compared - failed}/${compared} CLI invocations identical (${listed} from the list, ${batches} random batches, one 16 KB path; ${requests} requests in all)`
);
process.exit(failed ? 1 : 0);
