#!/usr/bin/env node
// Search side by side in headless Chromium: permcat's own search (site/search.js, as the
// page runs it) and Pagefind (its JS API, /pagefind/pagefind.js) on the same built site.
//
//   node scripts/bench/search-bench.mjs --site DIR [--queries FILE] [--page /] [--runs 3]
//     [--first-query user.read.all] [--chromium /usr/bin/chromium] [--misses]
//
// DIR is a site built by `permcat build` with a Pagefind index written into it
// (`pagefind --site DIR`). The site is served from 127.0.0.1 by a small static server in
// this script that records, per response, the bytes it wrote to the socket (status line,
// headers and body, no compression) and the body's gzip size (level 6, text types only,
// what a compressing host would send; Pagefind's own files are already compressed).
//
// Bytes fetched: a fresh browser context (empty cache) opens the page and waits until the
// network is idle ("page"); then the first query runs, and every request the server
// received before its results were there is "search" (the bytes before the first
// result). permcat: the search box is focused and the query typed, done when the
// dropdown shows an option (a MutationObserver in the page notes the moment); permcat
// then goes on loading the parts that complete the results, which "searchAll*" counts
// (everything requested until 300 ms after the results). Pagefind:
// `import('/pagefind/pagefind.js')`, `init()`, `search(q)` and `data()` of the first 10
// results (what showing 10 titles needs); all of it is before its results. Median of
// --runs runs (the figures are byte counts, so they rarely vary).
//
// Recall: each line of --queries (see scripts/bench/typo-queries.txt) is searched with
// `permcatSearch.query(q, 10)` (the function the dropdown calls) and with
// `pagefind.search(q)` + `data()` of the first 10 results; a query is found at k when
// one of the first k results is an expected permission's page. As a control, the same
// is measured for the expected names spelled right.
//
// Prints one JSON document on standard output. Never downloads a browser: it launches
// the Chromium at --chromium (Debian's package).

import { createServer } from 'node:http';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const site = resolve(opt('--site', ''));
const queriesFile = resolve(opt('--queries', new URL('./typo-queries.txt', import.meta.url).pathname));
const pagePath = opt('--page', '/');
const runs = Number(opt('--runs', '3'));
const firstQuery = opt('--first-query', 'user.read.all');
const executablePath = opt('--chromium', '/usr/bin/chromium');
const showMisses = argv.includes('--misses');
if (!statSync(join(site, 'pagefind', 'pagefind.js'), { throwIfNoEntry: false })) {
  console.error(`error: ${site} has no pagefind/pagefind.js (run pagefind --site on it first)`);
  process.exit(2);
}

/* ------------------------------------------------------------ a static server that counts */

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.xml': 'application/xml',
  '.csv': 'text/csv; charset=utf-8',
};
const TEXT = /^(text\/|application\/(json|xml)|image\/svg)/;
const log = []; // {path, status, wire, body, gzipWire}
const gzipCache = new Map();

function gzipSize(file) {
  if (!gzipCache.has(file)) gzipCache.set(file, gzipSync(readFileSync(file), { level: 6 }).length);
  return gzipCache.get(file);
}

const server = createServer((req, res) => {
  const sock = req.socket;
  const before = sock.bytesWritten;
  let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (rel.endsWith('/')) rel += 'index.html';
  const file = normalize(join(site, rel));
  let st = null;
  if (file.startsWith(site + sep)) st = statSync(file, { throwIfNoEntry: false });
  const entry = { path: rel, status: 200, wire: 0, body: 0, gzipWire: 0, at: Date.now() };
  log.push(entry);
  res.on('finish', () => {
    entry.wire = sock.bytesWritten - before;
  });
  if (!st || !st.isFile()) {
    entry.status = 404;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  const type = TYPES[extname(file)] || 'application/octet-stream';
  entry.body = st.size;
  const compressible = TEXT.test(type);
  const gz = compressible ? gzipSize(file) : st.size;
  res.writeHead(200, { 'content-type': type, 'content-length': st.size, 'cache-control': 'no-cache' });
  res.on('finish', () => {
    // The same response with the body gzip'd (headers as sent, plus content-encoding).
    entry.gzipWire = entry.wire - st.size + gz + (compressible ? 24 : 0);
  });
  createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

/* ------------------------------------------------------------ browser */

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

// The pages carry a strict Content-Security-Policy (script-src 'self'), which forbids
// the WebAssembly compilation Pagefind needs; a site adopting Pagefind would add
// 'wasm-unsafe-eval'. The contexts bypass the CSP for both engines alike.
const newContext = () => browser.newContext({ bypassCSP: true });

const sum = (entries, key) => entries.reduce((n, e) => n + e[key], 0);
const settle = () => new Promise((ok) => setTimeout(ok, 300));

async function firstQueryBytes(engine) {
  const ctx = await newContext();
  const page = await ctx.newPage();
  const start = log.length;
  await page.goto(origin + pagePath, { waitUntil: 'networkidle' });
  await settle();
  const mid = log.length;
  let t0 = Date.now();
  let titles, shownAt;
  if (engine === 'permcat') {
    // The moment the first option is in the list, in the page's own clock (Date.now is
    // the same clock as the server's here).
    await page.evaluate(() => {
      const list = document.getElementById('site-search-results');
      const seen = () => {
        if (!window.__shownAt && list.querySelector('[role=option]')) window.__shownAt = Date.now();
      };
      new MutationObserver(seen).observe(list, { childList: true, subtree: true });
    });
    t0 = Date.now();
    await page.focus('#site-search');
    await page.keyboard.type(firstQuery);
    await page.waitForSelector('#site-search-results [role=option]', { timeout: 30000 });
    shownAt = await page.evaluate(() => window.__shownAt);
    titles = await page.$$eval('#site-search-results [role=option]', (els) => els.slice(0, 3).map((e) => e.textContent.trim().slice(0, 60)));
  } else {
    titles = await page.evaluate(async (q) => {
      const pf = await import('/pagefind/pagefind.js');
      await pf.init();
      const r = await pf.search(q);
      const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
      return data.slice(0, 3).map((d) => d.meta.title || d.url);
    }, firstQuery);
  }
  if (!shownAt) shownAt = Date.now();
  const ms = shownAt - t0;
  await settle();
  const end = log.length;
  await ctx.close();
  const pageEntries = log.slice(start, mid);
  const allEntries = log.slice(mid, end);
  const searchEntries = allEntries.filter((e) => e.at <= shownAt);
  return {
    pageRequests: pageEntries.length,
    pageBytes: sum(pageEntries, 'wire'),
    pageBytesGzip: sum(pageEntries, 'gzipWire'),
    searchRequests: searchEntries.length,
    searchBytes: sum(searchEntries, 'wire'),
    searchBytesGzip: sum(searchEntries, 'gzipWire'),
    searchFiles: searchEntries.map((e) => `${e.path} ${e.wire}`),
    searchAllRequests: allEntries.length,
    searchAllBytes: sum(allEntries, 'wire'),
    searchAllBytesGzip: sum(allEntries, 'gzipWire'),
    firstQueryMs: ms,
    titles,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function medianRun(list) {
  const out = { ...list[0] };
  for (const k of Object.keys(out)) if (typeof out[k] === 'number') out[k] = median(list.map((r) => r[k]));
  return out;
}

/* ------------------------------------------------------------ recall */

function readQueries() {
  return readFileSync(queriesFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [query, expected] = l.split('\t');
      if (!expected) throw new Error(`${queriesFile}: no tab-separated expectation in: ${l}`);
      return { query, expected: expected.trim().split('|') };
    });
}

function matcher(expected, names) {
  const pats = expected.map((e) => {
    if (e.endsWith('*')) {
      const prefix = e.slice(0, -1);
      if (!names.some((n) => n.startsWith(prefix))) throw new Error(`no permission starts with ${prefix}`);
      return (n) => n.startsWith(prefix);
    }
    if (!names.includes(e)) throw new Error(`unknown permission in the query list: ${e}`);
    return (n) => n === e;
  });
  return (n) => n != null && pats.some((p) => p(n));
}

const queries = readQueries();
// The control: each expected name spelled right (single-name expectations only), to show
// what each engine does without typos.
const controls = queries
  .filter((q) => q.expected.length === 1 && !q.expected[0].endsWith('*'))
  .map((q) => ({ query: q.expected[0], expected: q.expected }));

async function recall(queries) {
  const ctx = await newContext();
  const page = await ctx.newPage();
  await page.goto(origin + pagePath, { waitUntil: 'networkidle' });
  // permcat: the dropdown's own function, first 10 results of any kind, with every part
  // of the index loaded (ready()).
  const permcat = await page.evaluate(async (qs) => {
    await window.permcatSearch.ready();
    const idx = window.PERMCAT_SEARCH;
    const byFile = {};
    // Format 2: [name, display name, type flags, words, page name if not the name].
    for (const p of idx.permissions) byFile[(p[4] || p[0]) + '.html'] = p[0];
    const out = [];
    for (const q of qs) {
      const t0 = performance.now();
      const r = window.permcatSearch.query(q, 10);
      const ms = performance.now() - t0;
      out.push({ ms, top: r.slice(0, 10).map((x) => (x.kind === 'permission' ? x.title : `${x.kind}: ${x.title}`)) });
    }
    return { names: idx.permissions.map((p) => p[0]), byFile, out };
  }, queries.map((q) => q.query));
  // Pagefind: search() and data() of the first 10 results; a result is a page URL.
  const pagefind = await page.evaluate(async ({ qs, byFile }) => {
    const pf = await import('/pagefind/pagefind.js');
    await pf.init();
    const out = [];
    for (const q of qs) {
      const t0 = performance.now();
      const r = await pf.search(q);
      const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
      const ms = performance.now() - t0;
      out.push({
        ms,
        top: data.map((d) => {
          const m = /\/permissions\/([^/?#]+)$/.exec(d.url);
          return m ? byFile[decodeURIComponent(m[1])] || d.url : d.url;
        }),
      });
    }
    return out;
  }, { qs: queries.map((q) => q.query), byFile: permcat.byFile });
  await ctx.close();

  const score = (outs) => {
    let at1 = 0, at10 = 0;
    const misses = [];
    outs.forEach((o, i) => {
      const ok = matcher(queries[i].expected, permcat.names);
      const pos = o.top.findIndex(ok);
      if (pos === 0) at1++;
      if (pos >= 0 && pos < 10) at10++;
      if (pos !== 0) misses.push({ query: queries[i].query, expected: queries[i].expected.join('|'), rank: pos < 0 ? null : pos + 1, top3: o.top.slice(0, 3) });
    });
    return { queries: outs.length, at1, at10, medianQueryMs: median(outs.map((o) => o.ms)), misses };
  };
  return { permcat: score(permcat.out), pagefind: score(pagefind) };
}

/* ------------------------------------------------------------ run */

try {
  const bytes = {};
  for (const engine of ['permcat', 'pagefind']) {
    const list = [];
    for (let i = 0; i < runs; i++) list.push(await firstQueryBytes(engine));
    bytes[engine] = medianRun(list);
  }
  const r = await recall(queries);
  const control = await recall(controls);
  if (!showMisses) for (const e of [...Object.values(r), ...Object.values(control)]) delete e.misses;
  console.log(JSON.stringify({ page: pagePath, firstQuery, runs, chromium: browser.version(), bytes, recall: r, control }, null, 2));
} finally {
  await browser.close();
  server.close();
}
