/* search.js — the site search box in every page header.
 * Classic script (no modules, no build step), safe under a strict CSP (no eval, no
 * innerHTML, no inline styles) and when pages are opened from file://.
 * The index loads only when the box is first used: a first script
 * (assets/search-index.js, ~190 KB, names to rank) answers the first query while the
 * parts it needs (assets/search/*.js: endpoints, descriptions, cmdlets, GUIDs) load;
 * the format and the ranking rules are documented in docs/search-index.md.
 * Tests call window.permcatSearch.ready() (everything loaded) and .query(text, limit):
 * the same code path the dropdown uses. */
(function () {
  'use strict';

  var doc = document;

  var KINDS = ['permission', 'endpoint', 'cmdlet', 'resource'];
  var GROUP_LABELS = ['Permissions', 'Endpoints', 'Cmdlets', 'Resources'];
  var PER_GROUP = 8;
  var DEFAULT_LIMIT = 30;
  // Tiers, best first. Kept in each result so tests and the docs can name them.
  var T_EXACT = 0, T_PREFIX = 1, T_WORDS = 2, T_FUZZY = 3, T_TEXT = 4;
  var NO_MATCH = 99;
  var METHOD_ORDER = { GET: 0, POST: 1, PATCH: 2, PUT: 3, DELETE: 4 };
  var PATH_QUERY = /^(?:(get|post|put|patch|delete)\s+)?(\/|https?:|[^\s\/]+\/)/i;

  /* ---------------------------------------------------------------- where the site root is */

  // Pages sit at different depths; the template writes the relative way back to the
  // root on the input. Without an input (a test page) this script's own address says it.
  var scriptSrc = doc.currentScript && doc.currentScript.getAttribute('src');
  function siteRoot() {
    var input = doc.querySelector('[data-search-input]');
    if (input && input.hasAttribute('data-root')) return input.getAttribute('data-root');
    if (scriptSrc && /assets\/search\.js(?:[?#].*)?$/.test(scriptSrc)) return scriptSrc.replace(/assets\/search\.js(?:[?#].*)?$/, '');
    return '';
  }

  /* ---------------------------------------------------------------- words */

  function isUpper(c) { return c >= 65 && c <= 90; }
  function isLower(c) { return (c >= 97 && c <= 122) || (c >= 48 && c <= 57); }

  // Words of a name with their offsets: runs of letters and digits (so `.`, `-`, `/`,
  // `_` and spaces separate), each run followed by its camelCase parts when it has
  // several. `ReadWrite` gives readwrite, read, write: a query may type either form.
  function nameWords(text, out, base) {
    var re = /[A-Za-z0-9]+/g, m;
    while ((m = re.exec(text))) {
      var run = m[0], at = base < 0 ? -1 : base + m.index;
      out.push(run.toLowerCase(), at);
      var cuts = [0];
      for (var k = 1; k < run.length; k++) {
        var a = run.charCodeAt(k - 1), b = run.charCodeAt(k), c = run.charCodeAt(k + 1);
        // userRead | APIConnector: lower→Upper, or the last capital of a capital run.
        if ((isLower(a) && isUpper(b)) || (isUpper(a) && isUpper(b) && c >= 97 && c <= 122)) cuts.push(k);
      }
      if (cuts.length < 2) continue;
      cuts.push(run.length);
      for (var i = 0; i + 1 < cuts.length; i++) {
        out.push(run.slice(cuts[i], cuts[i + 1]).toLowerCase(), at < 0 ? -1 : at + cuts[i]);
      }
    }
    return out;
  }

  // Query words split on anything that is not a letter or digit; no camelCase split,
  // since a typed `readwrite` should meet the name's whole run `ReadWrite`.
  function queryWords(q) {
    return q.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).slice(0, 8);
  }

  /* ---------------------------------------------------------------- typo distance */

  var rowA = new Int32Array(72), rowB = new Int32Array(72), rowC = new Int32Array(72);

  // Smallest optimal-string-alignment (Damerau–Levenshtein) distance between `q` and any
  // prefix of `w`, or NO_MATCH when above `budget`. Only prefixes up to |q|+budget long
  // can be within budget, which keeps every call to a few dozen cells.
  function prefixDistance(q, w, budget) {
    var m = q.length;
    var n = Math.min(w.length, m + budget, 70);
    if (n < m - budget) return NO_MATCH;
    var prev2 = rowA, prev = rowB, cur = rowC, i, j;
    for (j = 0; j <= n; j++) prev[j] = j;
    for (i = 1; i <= m; i++) {
      var qc = q.charCodeAt(i - 1);
      cur[0] = i;
      var rowMin = i;
      for (j = 1; j <= n; j++) {
        var wc = w.charCodeAt(j - 1);
        var v = prev[j - 1] + (qc === wc ? 0 : 1);
        if (prev[j] + 1 < v) v = prev[j] + 1;
        if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
        if (i > 1 && j > 1 && qc === w.charCodeAt(j - 2) && q.charCodeAt(i - 2) === wc && prev2[j - 2] + 1 < v) v = prev2[j - 2] + 1;
        cur[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > budget) return NO_MATCH;
      var t = prev2; prev2 = prev; prev = cur; cur = t;
    }
    var best = NO_MATCH;
    for (j = 0; j <= n; j++) if (prev[j] < best) best = prev[j];
    return best <= budget ? best : NO_MATCH;
  }

  // Edits a query word may spend: none under 4 letters, one from 4, two from 8. In a
  // query of several words a 3-letter word may spend one edit if its first letter is
  // right, so abbreviations like `usr.red.all` still find User.Read.All.
  function budgetOf(word, multi) {
    if (word.length >= 8) return 2;
    if (word.length >= 4) return 1;
    if (word.length === 3 && multi) return 1;
    return 0;
  }

  /* ---------------------------------------------------------------- the shipped index */

  // The build ships the index ready to use (src/search/shards.rs): every kind in rank
  // order, each entry's words as numbers into a table of distinct words of its file.
  // Here entries only get their fields named; what ranking needs per entry beyond that
  // (the text searched by tier 4, path segments) is made on first use.
  var index = null;     // { groups: [entries per kind], byName, ids, parts, loaded }

  var DIGIT = new Int8Array(128);
  '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_'.split('').forEach(function (c, i) { DIGIT[c.charCodeAt(0)] = i; });

  // `"0A1b"` with width 2 → [10, 107]: fixed-width base-64 numbers.
  function decodeWords(s, width) {
    s = String(s || '');
    var n = Math.floor(s.length / width), out = new Int32Array(n);
    for (var i = 0, at = 0; i < n; i++) {
      var v = 0;
      for (var k = 0; k < width; k++) v = v * 64 + DIGIT[s.charCodeAt(at++) & 127];
      out[i] = v;
    }
    return out;
  }

  // A table of distinct words with its per-query costs (see costsFor).
  function Vocab(words) { this.words = words || []; this.cache = new Map(); this.stamp = -1; this.costs = null; }

  // The words with their offsets in the text, for highlighting the few results shown;
  // the same split the build made, so offsets line up with the shipped numbers.
  function sourceWords(e) {
    if (e.kind === 1) return nameWords(e.name.replace(/\{[^}]*\}/g, function (s) { return new Array(s.length + 1).join(' '); }), [], 0);
    if (e.kind !== 3) return nameWords(e.name, [], 0);
    // Namespace words (security in microsoft.graph.security.alert) match but are not
    // highlighted: they are not part of the title.
    var ns = e.full.replace(/^microsoft\.graph\./i, '');
    var cut = ns.length - e.name.length;
    var flat = cut > 0 && ns.slice(cut) === e.name ? nameWords(ns.slice(0, cut), [], -1) : [];
    return nameWords(e.name, flat, 0);
  }
  function startsOf(e) {
    if (!e.starts) {
      var flat = sourceWords(e), n = e.words.length;
      e.starts = new Int32Array(n).fill(-1);
      if (flat.length === 2 * n) for (var i = 0; i < n; i++) e.starts[i] = flat[2 * i + 1];
    }
    return e.starts;
  }

  // The text tier 4 searches, lower-cased.
  function hayOf(e) {
    if (e.hay === null) {
      if (e.kind === 0) e.hay = e.lname + '\n' + (e.display + '\n' + e.description).toLowerCase();
      else if (e.kind === 1) e.hay = e.lname + '\n' + e.least.join(' ').toLowerCase();
      else if (e.kind === 2) e.hay = e.lname + '\n' + e.calls.map(function (c) { return c.method + ' ' + c.path; }).join('\n').toLowerCase();
      else e.hay = e.lname + '\n' + e.alt;
    }
    return e.hay;
  }

  // Path segments with a matcher each: a whole `{placeholder}` matches any segment, a
  // segment with a placeholder inside (`applications(appId={id})`) becomes a pattern.
  function pathSegments(path) {
    var segs = [], at = 0;
    path.split('/').forEach(function (s, i) {
      if (i > 0) segs.push({ text: s.toLowerCase(), at: at, end: at + s.length, any: /^\{[^}]*\}$/.test(s), re: null });
      at += s.length + 1;
    });
    segs.forEach(function (seg) {
      if (!seg.any && seg.text.indexOf('{') !== -1) {
        var src = seg.text.split(/\{[^}]*\}/).map(function (p) { return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }).join('[^/]*');
        seg.re = new RegExp('^' + src + '$');
      }
    });
    return segs;
  }
  function segsOf(x) { return x.segs || (x.segs = pathSegments(x.kind === 1 ? x.name : x.path)); }

  function prepare(data) {
    var vocab = new Vocab(data.vocab), width = data.width | 0 || 1;
    var versions = data.versions || ['v1.0', 'beta'];
    var byName = new Map();
    var perms = (data.permissions || []).map(function (p, i) {
      var e = {
        kind: 0, name: p[0], lname: p[0].toLowerCase(), alt: '',
        display: p[1] || '', description: '', flags: p[2] | 0,
        path: 'permissions/' + encodeURIComponent(p[4] || p[0]) + '.html',
        v: vocab, words: decodeWords(p[3], width), starts: null, hay: null, ord: i
      };
      byName.set(e.lname, e);
      return e;
    });
    var resources = (data.resources || []).map(function (p, i) {
      var code = p[1], known = typeof code === 'number';
      var full = known && code & 2 ? 'microsoft.graph.' + p[0] : p[0];
      var version = known ? versions[code & 1] : String(code || '');
      var name = p[4] || full.slice(full.lastIndexOf('.') + 1);
      return {
        kind: 3, name: name, lname: name.toLowerCase(), alt: full.toLowerCase(), full: full, version: version,
        path: p[3] || 'resources/' + version + '/' + full + '.html',
        v: vocab, words: decodeWords(p[2], width), starts: null, hay: null, ord: i
      };
    });
    return {
      groups: [perms, [], [], resources], byName: byName, ids: [],
      methods: data.methods || [], parts: data.parts || {}, loaded: {},
      cmdletsMissing: data.cmdlets_missing || ''
    };
  }

  // One part of the index, pushed by its script onto window.PERMCAT_SEARCH_PARTS.
  function register(part) {
    if (!part || !part.part || index.loaded[part.part]) return;
    var perms = index.groups[0], rows = part.rows || [], base = part.base | 0;
    if (part.kind === 'descriptions') {
      rows.forEach(function (d, i) {
        var e = perms[base + i];
        if (e) { e.description = d || ''; e.hay = null; }
      });
    } else if (part.kind === 'endpoints') {
      var vocab = new Vocab(part.vocab), width = part.width | 0 || 1, list = index.groups[1];
      rows.forEach(function (p) {
        var method = typeof p[0] === 'number' ? index.methods[p[0]] : String(p[0]).toUpperCase();
        var least = [], entries = [];
        (p[2] || []).forEach(function (x) {
          var perm = typeof x === 'number' ? perms[x] : null;
          var name = perm ? perm.name : String(x);
          least.push(name);
          var entry = index.byName.get(name.toLowerCase());
          if (entry) entries.push(entry);
        });
        list.push({
          kind: 1, name: p[1], lname: p[1].toLowerCase(), alt: '', method: method,
          least: least, leastEntries: entries, segs: null,
          path: 'lookup.html#' + encodeURIComponent(method + ' ' + p[1]),
          v: vocab, words: decodeWords(p[3], width), starts: null, hay: null, ord: p[4] | 0
        });
      });
    } else if (part.kind === 'cmdlets') {
      var cvocab = new Vocab(part.vocab), cwidth = part.width | 0 || 1, clist = index.groups[2];
      rows.forEach(function (p, i) {
        clist.push({
          kind: 2, name: p[0], lname: p[0].toLowerCase(), alt: '', version: p[1] || '',
          calls: (p[2] || []).map(function (c) { return { method: String(c[0]).toUpperCase(), path: c[1], segs: null }; }),
          path: 'lookup.html#' + encodeURIComponent(p[0]),
          v: cvocab, words: decodeWords(p[3], cwidth), starts: null, hay: null, ord: base + i
        });
      });
    } else if (part.kind === 'ids') {
      // GUIDs of delegated scopes and app roles point at their permission.
      rows.forEach(function (x) {
        var entry = perms[x[1]];
        if (entry) index.ids.push({ id: String(x[0]).toLowerCase(), entry: entry, flag: x[2] | 0 });
      });
    }
    index.loaded[part.part] = true;
  }

  function drainParts() {
    var queue = window.PERMCAT_SEARCH_PARTS;
    while (index && queue && queue.length) register(queue.shift());
  }

  // Every part file named by the first script.
  function allParts() {
    var p = index.parts, out = [];
    (p.descriptions || []).forEach(function (f) { out.push(f); });
    (p.endpoints || []).forEach(function (s) { out.push(s[0]); });
    (p.cmdlets || []).forEach(function (f) { out.push(f); });
    Object.keys(p.ids || {}).sort().forEach(function (k) { out.push(p.ids[k]); });
    return out;
  }

  // The parts a query needs: `first` before its results mean anything, `rest` to
  // complete them. A name query ranks from the first script and completes with
  // descriptions, endpoints and cmdlets; a GUID needs the one file of its first digit;
  // a path needs the endpoints under its first segment, then the rest for text matches.
  function partsFor(text) {
    var p = index.parts, raw = String(text == null ? '' : text).trim(), q = raw.toLowerCase();
    var shards = (p.endpoints || []), first = [];
    var names = (p.descriptions || []).concat(shards.map(function (s) { return s[0]; }), p.cmdlets || []);
    if (!q) return { first: [], rest: [] };
    var pq = parsePath(raw);
    if (pq) {
      var seg = pq.segs[0], key = (/^[a-z0-9]*/.exec(seg) || [''])[0];
      var partial = pq.segs.length === 1;
      shards.forEach(function (s) {
        var lo = s[1] || '', hi = s[2] || '';
        var hit = lo === '' || /^\{[^}]*\}$/.test(seg) || (partial && lo <= key + '\uffff' && hi >= key);
        for (var j = 0; j <= key.length && !hit; j++) { var k = key.slice(0, j); hit = lo <= k && k <= hi; }
        if (hit) first.push(s[0]);
      });
      return { first: first, rest: shards.map(function (s) { return s[0]; }).concat(p.cmdlets || []) };
    }
    var guid = /^\{?[0-9a-f]{8}/.test(q) ? q.replace(/[{}]/g, '').charAt(0) : '';
    if (guid && p.ids && p.ids[guid]) first.push(p.ids[guid]);
    return { first: first, rest: names };
  }

  /* ---------------------------------------------------------------- matching */

  // Cost of each distinct word for one query word: 0 when the query word is a prefix
  // of it, 1–2 edits when within the word's budget, NO_MATCH otherwise. Cached, since
  // typing `user.read.all` asks for `user` again on every keystroke.
  function costsFor(voc, word, budget) {
    var key = word + '|' + budget, cache = voc.cache;
    var hit = cache.get(key);
    if (hit) return hit;
    var vocab = voc.words, n = vocab.length;
    var costs = new Uint8Array(n);
    var first = word.charCodeAt(0), strictFirst = word.length < 4;
    for (var i = 0; i < n; i++) {
      var w = vocab[i];
      if (w.length >= word.length && w.charCodeAt(0) === first && w.lastIndexOf(word, 0) === 0) costs[i] = 0;
      else if (budget === 0 || (strictFirst && w.charCodeAt(0) !== first)) costs[i] = NO_MATCH;
      else costs[i] = prefixDistance(word, w, budget);
    }
    if (cache.size > 64) cache.clear();
    cache.set(key, costs);
    return costs;
  }

  // Each file has its own table of words: the costs of the current query's words
  // against one table, made once per query.
  var queryStamp = 0, queryWordsNow = [], queryMulti = false;
  function costsOf(voc) {
    if (voc.stamp !== queryStamp) {
      voc.stamp = queryStamp;
      voc.costs = queryWordsNow.map(function (w) { return costsFor(voc, w, budgetOf(w, queryMulti)); });
    }
    return voc.costs;
  }

  // Every query word must meet a word of the name, in order. Returns the fewest edits
  // that does it (0 = plain word prefixes), or NO_MATCH. `best` is scratch space.
  var best = new Int32Array(10);
  function wordsCost(entry, costs) {
    var words = entry.words, k = costs.length, i, j;
    // Exact word prefixes first: a greedy scan is enough when no edits are allowed.
    for (i = 0, j = 0; j < words.length && i < k; j++) if (costs[i][words[j]] === 0) i++;
    if (i === k) return 0;
    best[0] = 0;
    for (i = 1; i <= k; i++) best[i] = NO_MATCH;
    for (j = 0; j < words.length; j++) {
      var id = words[j];
      for (i = k - 1; i >= 0; i--) {
        if (best[i] === NO_MATCH) continue;
        var c = costs[i][id];
        if (c !== NO_MATCH && best[i] + c < best[i + 1]) best[i + 1] = best[i] + c;
      }
    }
    return best[k];
  }

  // Which words a match used, for highlighting (only for the few results shown).
  function matchedWords(entry, costs, qwords) {
    var words = entry.words, k = costs.length, n = words.length, starts = startsOf(entry);
    // cost[i][j]: fewest edits for the first i query words using name words before j.
    var table = [], i, j;
    for (i = 0; i <= k; i++) { table.push(new Array(n + 1).fill(NO_MATCH)); }
    for (j = 0; j <= n; j++) table[0][j] = 0;
    for (i = 1; i <= k; i++) {
      for (j = 1; j <= n; j++) {
        var skip = table[i][j - 1];
        var c = costs[i - 1][words[j - 1]];
        var take = c === NO_MATCH || table[i - 1][j - 1] === NO_MATCH ? NO_MATCH : table[i - 1][j - 1] + c;
        table[i][j] = Math.min(skip, take);
      }
    }
    var marks = [];
    for (i = k, j = n; i > 0 && j > 0; j--) {
      if (table[i][j] === table[i][j - 1]) continue;
      var start = starts[j - 1];
      var wlen = entry.v.words[words[j - 1]].length;
      // A word reached with edits marks as many letters as the typo likely covered.
      var edits = table[i][j] - table[i - 1][j - 1];
      if (start >= 0) marks.push([start, start + Math.min(wlen, qwords[i - 1].length + edits)]);
      i--;
    }
    return mergeMarks(marks);
  }

  function mergeMarks(marks) {
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var out = [];
    marks.forEach(function (m) {
      var last = out[out.length - 1];
      if (last && m[0] <= last[1]) last[1] = Math.max(last[1], m[1]);
      else out.push([m[0], m[1]]);
    });
    return out;
  }

  // Tier of one entry for a name query, with the edits as a tie-breaker inside tier 3.
  function nameTier(e, q, qwords) {
    if (e.lname === q || e.alt === q) return T_EXACT * 4;
    if (e.lname.lastIndexOf(q, 0) === 0 || (e.alt && e.alt.lastIndexOf(q, 0) === 0)) return T_PREFIX * 4;
    if (qwords.length) {
      var c = wordsCost(e, e.v.stamp === queryStamp ? e.v.costs : costsOf(e.v));
      if (c === 0) return T_WORDS * 4;
      if (c !== NO_MATCH) return T_FUZZY * 4 + Math.min(c, 3);
    }
    var hay = e.hay === null ? hayOf(e) : e.hay;
    if (hay.indexOf(q) !== -1) return T_TEXT * 4;
    if (qwords.length > 1) {
      for (var i = 0; i < qwords.length; i++) if (hay.indexOf(qwords[i]) === -1) return -1;
      return T_TEXT * 4;
    }
    return -1;
  }

  /* ---------------------------------------------------------------- path queries */

  // `GET https://graph.microsoft.com/v1.0/users/adele@contoso.com/messages?$top=5`
  // → { method: 'GET', segs: ['users', 'adele@contoso.com', 'messages'] }.
  function parsePath(text) {
    var m = PATH_QUERY.exec(text);
    if (!m) return null;
    var method = m[1] ? m[1].toUpperCase() : '';
    var rest = text.slice(m[1] ? m[0].length - m[2].length : 0).trim();
    rest = rest.replace(/^https?:\/\/[^\/]*/i, '').replace(/[?#].*$/, '');
    if (rest.charAt(0) !== '/') rest = '/' + rest;
    rest = rest.replace(/^\/(v1\.0|beta)(?=\/|$)/i, '');
    try { rest = decodeURIComponent(rest); } catch (e) { /* keep it as typed */ }
    var segs = rest.toLowerCase().split('/').slice(1);
    if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
    if (!segs.length) segs.push('');
    return { method: method, segs: segs, text: rest.toLowerCase() };
  }

  function segMatches(seg, q, partial) {
    if (seg.any || /^\{[^}]*\}$/.test(q)) return true;
    if (seg.re) return seg.re.test(q);
    return partial ? seg.text.lastIndexOf(q, 0) === 0 : seg.text === q;
  }

  // 0: the whole path matches; 1: the query is the start of the path (the last
  // segment may be half typed); 4: the path text contains the query. -1 otherwise.
  // `end` receives the offset where the matched part of the path ends.
  var pathEnd = 0;
  function pathTier(segs, lpath, pq) {
    var qs = pq.segs, n = qs.length;
    if (n === 1 && qs[0] === '') { pathEnd = 1; return T_PREFIX; }
    if (n <= segs.length) {
      var ok = true;
      for (var i = 0; i < n - 1 && ok; i++) ok = segMatches(segs[i], qs[i], false);
      if (ok) {
        var last = segs[n - 1];
        if (segMatches(last, qs[n - 1], false)) { pathEnd = last.end; return n === segs.length ? T_EXACT : T_PREFIX; }
        if (!last.any && !last.re && last.text.lastIndexOf(qs[n - 1], 0) === 0) { pathEnd = last.at + qs[n - 1].length; return T_PREFIX; }
      }
    }
    var at = lpath.indexOf(pq.text);
    if (at !== -1 && pq.text.length > 1) { pathEnd = -(at + 1); return T_TEXT; }
    return -1;
  }

  function pathMarks(end, len) {
    if (end > 0) return [[0, end]];
    if (end < 0) return [[-end - 1, -end - 1 + len]];
    return [];
  }

  /* ---------------------------------------------------------------- top results per group */

  // Keeps the `size` best candidates by key without sorting every match.
  function Top(size) { this.size = size; this.items = []; this.count = 0; }
  Top.prototype.add = function (key, entry, extra) {
    this.count++;
    var items = this.items;
    if (items.length === this.size && key >= items[items.length - 1].key) return;
    var i = items.length;
    while (i > 0 && items[i - 1].key > key) i--;
    items.splice(i, 0, { key: key, entry: entry, extra: extra });
    if (items.length > this.size) items.pop();
  };

  // tier*4+edits in the high bits, the static order below: one comparison per candidate.
  function keyOf(rank, e) { return rank * 1048576 + e.ord; }

  /* ---------------------------------------------------------------- results */

  function permissionResult(e, root, tier, marks) {
    var types = [];
    if (e.flags & 1) types.push('Delegated');
    if (e.flags & 2) types.push('Application');
    return {
      kind: 'permission', title: e.name, detail: e.display || e.description,
      href: root + e.path, tier: tier, marks: marks, tags: types,
      detailMarks: []
    };
  }

  function textMarks(text, q) {
    if (!q) return [];
    var at = text.toLowerCase().indexOf(q);
    return at === -1 ? [] : [[at, at + q.length]];
  }

  function nameMarks(e, rank, q, qwords) {
    var tier = rank >> 2;
    if (tier === T_EXACT || tier === T_PREFIX) {
      if (e.lname.lastIndexOf(q, 0) === 0) return [[0, q.length]];
      if (e.alt) {
        // Matched the full type name: mark the short name's part of it.
        var offset = e.alt.length - e.lname.length;
        var end = Math.min(q.length - offset, e.name.length);
        return end > 0 ? [[0, end]] : [];
      }
      return [];
    }
    if (tier === T_WORDS || tier === T_FUZZY) return matchedWords(e, costsOf(e.v), qwords);
    return textMarks(e.name, q);
  }

  function toResult(item, root, q, qwords, pathMode) {
    var e = item.entry, rank = item.key >> 20, tier = rank >> 2;
    if (e.kind === 0) {
      var r = permissionResult(e, root, tier, pathMode ? [] : nameMarks(e, rank, q, qwords));
      if (!pathMode && tier === T_TEXT && !r.marks.length) r.detailMarks = textMarks(r.detail, q);
      if (pathMode) r.detail = (e.display ? e.display + ' · ' : '') + 'least privileged for ' + item.extra.method + ' ' + item.extra.name;
      if (item.extra && item.extra.id) {
        r.detail = (item.extra.flag === 2 ? 'Application' : 'Delegated') + ' id ' + item.extra.id + (e.display ? ' · ' + e.display : '');
        r.tags = [item.extra.flag === 2 ? 'Application' : 'Delegated'];
        r.marks = [];
      }
      return r;
    }
    if (e.kind === 1) {
      var marks = pathMode ? pathMarks(item.extra, pathMode.text.length) : nameMarks(e, rank, q, qwords);
      var detail = e.least.length ? 'Least privileged: ' + e.least.join(', ') : 'No least-privileged permission listed';
      return {
        kind: 'endpoint', title: e.method + ' ' + e.name, detail: detail, href: root + e.path, tier: tier,
        method: e.method, label: e.name, marks: marks,
        detailMarks: !pathMode && tier === T_TEXT && !marks.length ? textMarks(detail, q) : [], tags: []
      };
    }
    if (e.kind === 2) {
      var calls = e.calls.slice(0, 3).map(function (c) { return c.method + ' ' + c.path; });
      var more = e.calls.length > 3 ? ' +' + (e.calls.length - 3) + ' more' : '';
      var cdetail = calls.join(' · ') + more;
      var cmarks = [];
      if (pathMode && item.extra) {
        var head = item.extra.call.method.length + 1 + calls.slice(0, item.extra.index).reduce(function (n, s) { return n + s.length + 3; }, 0);
        cmarks = pathMarks(item.extra.end, pathMode.text.length).map(function (m) { return [m[0] + head, m[1] + head]; });
      }
      return {
        kind: 'cmdlet', title: e.name, detail: cdetail, href: root + e.path, tier: tier,
        marks: pathMode ? [] : nameMarks(e, rank, q, qwords),
        detailMarks: pathMode ? (item.extra && item.extra.index < 3 ? cmarks : []) : (tier === T_TEXT ? textMarks(cdetail, q) : []),
        tags: e.version ? [e.version] : []
      };
    }
    var rmarks = nameMarks(e, rank, q, qwords);
    return {
      kind: 'resource', title: e.name, detail: e.full, href: root + e.path, tier: tier,
      marks: rmarks, detailMarks: !rmarks.length ? textMarks(e.full, q) : [], tags: e.version ? [e.version] : []
    };
  }

  // Trims the list to `limit` by taking from the fullest group (the later one on ties),
  // so no group disappears because earlier ones were full.
  function fit(groups, limit) {
    var total = groups.reduce(function (n, g) { return n + g.items.length; }, 0);
    while (total > limit) {
      var big = 0;
      for (var i = 1; i < groups.length; i++) if (groups[i].items.length >= groups[big].items.length) big = i;
      groups[big].items.pop();
      total--;
    }
  }

  // Groups by the rank of their best entry, so the best match of any kind comes first;
  // on a tie the fixed order Permissions, Endpoints, Cmdlets, Resources. A permission
  // whose name is the query or starts with it (tier 0 or 1) therefore always leads:
  // no endpoint or cmdlet ranks above Mail.Send for `mail.send`. Empty groups go last.
  function order(groups) {
    function best(g) { return g.items.length ? g.items[0].key >> 20 : NO_MATCH * 4; }
    var leader = groups[0].items.length && best(groups[0]) < (T_PREFIX + 1) * 4;
    return groups.map(function (g, i) { return { g: g, i: i, rank: leader && i === 0 ? -1 : best(g) }; })
      .sort(function (a, b) { return a.rank - b.rank || a.i - b.i; })
      .map(function (x) { return x.g; });
  }

  function search(text, limit) {
    if (!index) throw new Error('permcatSearch: call ready() first');
    limit = limit > 0 ? Math.floor(limit) : DEFAULT_LIMIT;
    var per = Math.max(PER_GROUP, Math.ceil(limit / 4));
    var raw = String(text == null ? '' : text).trim();
    var q = raw.toLowerCase();
    var tops = [new Top(per), new Top(per), new Top(per), new Top(per)];
    var root = siteRoot();
    var pq = q ? parsePath(raw) : null;
    var qwords = [];
    queryStamp++;
    queryWordsNow = [];
    if (!q) return { groups: [], counts: [0, 0, 0, 0], path: null };

    // A GUID, or the first 8 or more characters of one, finds its permission.
    var guid = /^\{?[0-9a-f]{8}(-[0-9a-f]{0,4}){0,3}(-[0-9a-f]{0,12})?\}?$/.test(q) ? q.replace(/[{}]/g, '') : '';
    if (guid) {
      index.ids.forEach(function (x) {
        if (x.id.indexOf(guid) === 0) tops[0].add(keyOf(0, x.entry), x.entry, { id: x.id, flag: x.flag });
      });
    }
    if (pq) {
      searchPath(pq, tops);
    } else if (guid && tops[0].count) {
      // The id answered; words of a GUID match nothing else worth showing.
    } else {
      qwords = queryWords(q);
      queryWordsNow = qwords;
      queryMulti = qwords.length > 1;
      index.groups.forEach(function (list, g) {
        var top = tops[g];
        for (var i = 0; i < list.length; i++) {
          var rank = nameTier(list[i], q, qwords);
          if (rank >= 0) top.add(keyOf(rank, list[i]), list[i], null);
        }
      });
    }

    var groups = order(tops.map(function (top, g) { return { kind: KINDS[g], label: GROUP_LABELS[g], count: top.count, items: top.items }; }));
    fit(groups, limit);
    groups.forEach(function (group) {
      group.items = group.items.map(function (item) { return toResult(item, root, q, qwords, pq); });
    });
    return { groups: groups, counts: groups.map(function (g) { return g.count; }), path: pq };
  }

  function byOrd(a, b) { return a.ord - b.ord; }

  function searchPath(pq, tops) {
    var endpoints = index.groups[1];
    // Matches per tier, sorted by rank below (the shards arrive in any order).
    var buckets = [[], [], [], [], []], found = 0;
    var passes = pq.method ? [pq.method, ''] : [''];
    // With a method, only that method's endpoints; all of them if it has none there.
    for (var p = 0; p < passes.length && !found; p++) {
      for (var i = 0; i < endpoints.length; i++) {
        var e = endpoints[i];
        if (passes[p] && e.method !== passes[p]) continue;
        var tier = pathTier(e.segs || segsOf(e), e.lname, pq);
        if (tier < 0) continue;
        found++;
        buckets[tier].push(e);
        tops[1].add(keyOf(tier * 4, e), e, pathEnd);
      }
    }
    // The permissions those endpoints need, ranked by their best endpoint's tier.
    var stamp = queryStamp;
    buckets.forEach(function (list, tier) {
      list.sort(byOrd);
      for (var i = 0; i < list.length; i++) {
        var perms = list[i].leastEntries;
        for (var j = 0; j < perms.length; j++) {
          var perm = perms[j];
          if (perm.stamp === stamp) continue;
          perm.stamp = stamp;
          tops[0].add(keyOf(tier * 4, perm), perm, list[i]);
        }
      }
    });
    index.groups[2].forEach(function (c) {
      var bestKey = -1, bestExtra = null;
      c.calls.forEach(function (call, n) {
        if (pq.method && call.method !== pq.method) return;
        var tier = pathTier(call.segs || segsOf(call), call.path.toLowerCase(), pq);
        if (tier < 0) return;
        var key = keyOf(tier * 4, c);
        if (bestKey < 0 || key < bestKey) { bestKey = key; bestExtra = { call: call, index: n, end: pathEnd }; }
      });
      if (bestKey >= 0) tops[2].add(bestKey, c, bestExtra);
    });
  }

  // The public shape: a flat list in group order.
  function query(text, limit) {
    var out = [];
    search(text, limit).groups.forEach(function (g) { out.push.apply(out, g.items); });
    return out;
  }

  /* ---------------------------------------------------------------- loading the index */

  var core = null;
  var partLoads = {};
  var partListeners = [];

  function assetsBase() { return siteRoot() + 'assets/'; }

  // A script element, not fetch(): fetch is refused on file:// pages, scripts are not.
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = doc.createElement('script');
      script.src = src;
      script.async = true;
      script.onload = function () { resolve(); };
      script.onerror = function () {
        if (script.parentNode) script.parentNode.removeChild(script);
        reject(new Error('could not load ' + src));
      };
      doc.head.appendChild(script);
    });
  }

  // The first script: what name queries rank over, and the list of the other parts.
  function loadCore() {
    if (core) return core;
    core = new Promise(function (resolve, reject) {
      function finish() {
        var data = window.PERMCAT_SEARCH;
        if (!data || !data.permissions) { fail(new Error('the search index did not define PERMCAT_SEARCH')); return; }
        try {
          var t0 = performance.now();
          index = prepare(data);
          drainParts();
          api.prepareMs = performance.now() - t0;
          resolve();
        } catch (err) { fail(err); }
      }
      function fail(err) {
        core = null; // a later focus may try again (e.g. after a flaky network)
        reject(err);
      }
      if (window.PERMCAT_SEARCH) { finish(); return; }
      loadScript(assetsBase() + 'search-index.js').then(finish, fail);
    });
    return core;
  }

  // One part, once; listeners hear of each part that arrives.
  function loadPart(file) {
    if (index.loaded[file]) return Promise.resolve();
    if (partLoads[file]) return partLoads[file];
    var p = loadScript(assetsBase() + file).then(function () {
      var t0 = performance.now();
      drainParts();
      api.prepareMs += performance.now() - t0;
      if (!index.loaded[file]) throw new Error(file + ' did not register itself');
      partListeners.forEach(function (f) { f(file); });
    });
    partLoads[file] = p;
    p.then(null, function () { delete partLoads[file]; });
    return p;
  }

  // Everything: the first script and every part (what tests and the bench rank with).
  function ready() {
    return loadCore().then(function () { return Promise.all(allParts().map(loadPart)); }).then(function () {});
  }

  var api = {
    ready: ready,
    core: loadCore,
    query: query,
    search: search,
    isReady: function () { return !!index; },
    partsLoaded: function () { return index ? Object.keys(index.loaded).sort() : []; },
    prepareMs: 0,
    lastQueryMs: 0,
    firstResultAt: 0
  };
  window.permcatSearch = api;

  /* ---------------------------------------------------------------- the dropdown */

  function initBox(input) {
    var panel = doc.getElementById(input.getAttribute('aria-controls'));
    if (!panel) return;
    var box = input.closest('.site-search') || input.parentNode;
    // Messages (loading, no results, errors) live outside the listbox, which may only
    // hold options; role=status also announces result counts to screen readers.
    var status = doc.createElement('div');
    status.className = 'search-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    status.hidden = true;
    box.appendChild(status);

    var options = [];
    var active = -1;
    var state = 'idle'; // idle | loading | ready | error
    var closeTimer = 0;
    var pending = 0;
    var lastText = null;

    function setStatus(text, visible) {
      if (status.textContent !== text) status.textContent = text;
      status.classList.toggle('visually-hidden', !visible);
      status.hidden = !text;
    }

    function open(show) {
      panel.hidden = !show;
      input.setAttribute('aria-expanded', show ? 'true' : 'false');
    }

    function close() {
      open(false);
      setStatus('', false);
      setActive(-1);
    }

    function setActive(i) {
      if (active >= 0 && options[active]) options[active].setAttribute('aria-selected', 'false');
      active = i;
      if (i >= 0 && options[i]) {
        options[i].setAttribute('aria-selected', 'true');
        input.setAttribute('aria-activedescendant', options[i].id);
        options[i].scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    // Text with <mark> around the given ranges, built node by node (never innerHTML).
    function marked(text, marks) {
      var frag = doc.createDocumentFragment(), at = 0;
      (marks || []).forEach(function (m) {
        var s = Math.max(at, m[0]), e = Math.min(text.length, m[1]);
        if (e <= s) return;
        if (s > at) frag.appendChild(doc.createTextNode(text.slice(at, s)));
        var mark = doc.createElement('mark');
        mark.textContent = text.slice(s, e);
        frag.appendChild(mark);
        at = e;
      });
      if (at < text.length) frag.appendChild(doc.createTextNode(text.slice(at)));
      return frag;
    }

    function el(tag, cls, text) {
      var node = doc.createElement(tag);
      if (cls) node.className = cls;
      if (text != null) node.textContent = text;
      return node;
    }

    function render(text) {
      // A re-render as more of the index arrives keeps the option the reader moved to.
      var keep = active >= 0 && options[active] ? options[active].getAttribute('href') : null;
      var t0 = performance.now();
      var result = search(text);
      api.lastQueryMs = performance.now() - t0;
      var frag = doc.createDocumentFragment();
      options = [];
      var n = 0;
      result.groups.forEach(function (group) {
        if (!group.items.length) return;
        var node = el('div', 'search-group');
        node.setAttribute('role', 'group');
        var more = group.count > group.items.length ? ' (' + group.items.length + ' of ' + group.count + ')' : '';
        node.setAttribute('aria-label', group.label + more);
        var head = el('div', 'search-group-label', group.label);
        head.setAttribute('aria-hidden', 'true');
        if (group.count > group.items.length) head.appendChild(el('span', 'search-group-count', group.items.length + ' of ' + group.count));
        node.appendChild(head);
        group.items.forEach(function (r) {
          var opt = el('a', 'search-option search-' + r.kind);
          opt.id = 'site-search-opt-' + n++;
          opt.href = r.href;
          opt.tabIndex = -1;
          opt.setAttribute('role', 'option');
          opt.setAttribute('aria-selected', 'false');
          var line = el('span', 'search-option-main');
          if (r.method) line.appendChild(el('span', 'method method-' + r.method.toLowerCase(), r.method));
          var title = el('span', 'search-option-title');
          title.appendChild(marked(r.label || r.title, r.marks));
          line.appendChild(title);
          r.tags.forEach(function (tag) {
            var cls = tag === 'beta' ? 'badge badge-beta' : tag === 'v1.0' ? 'badge badge-v1' : 'badge search-tag';
            line.appendChild(el('span', cls, tag));
          });
          opt.appendChild(line);
          if (r.detail) {
            var detail = el('span', 'search-option-detail');
            detail.appendChild(marked(r.detail, r.detailMarks));
            opt.appendChild(detail);
          }
          node.appendChild(opt);
          options.push(opt);
        });
        frag.appendChild(node);
      });
      panel.textContent = '';
      panel.appendChild(frag);
      active = -1;
      input.removeAttribute('aria-activedescendant');
      if (keep) for (var k = 0; k < options.length; k++) if (options[k].getAttribute('href') === keep) { setActive(k); break; }
      // A cmdlet searched for while the data holds no cmdlet source: say so.
      var t = text.trim();
      var cmdletNote = index.cmdletsMissing && t.indexOf('/') < 0 && /-mg/i.test(t) ? index.cmdletsMissing : '';
      if (options.length) {
        var total = result.counts.reduce(function (a, b) { return a + b; }, 0);
        var found = options.length + (total > options.length ? ' of ' + total : '') + ' results';
        setStatus(cmdletNote ? found + '. ' + cmdletNote : found, !!cmdletNote);
        open(true);
        if (!keep) panel.scrollTop = 0; // after showing it: a hidden list keeps no scroll position to reset
        if (!api.firstResultAt) api.firstResultAt = performance.now();
      } else {
        open(false);
        setStatus('No results for “' + t + '”' + (cmdletNote ? '. ' + cmdletNote : ''), true);
      }
    }

    function refresh() {
      pending = 0;
      var text = input.value;
      if (doc.activeElement !== input) return;
      if (!text.trim()) { lastText = text; close(); if (state === 'loading') setStatus('Loading search…', true); return; }
      if (state === 'loading' || state === 'idle') { open(false); setStatus('Loading search…', true); return; }
      if (state === 'error') { open(false); setStatus('Search is unavailable: its index could not be loaded.', true); return; }
      if (text === lastText && !panel.hidden) return;
      // Results come from what has loaded; the parts the query needs load meanwhile and
      // each one re-renders. Until the parts a path or GUID needs first are there, the
      // box says it is loading rather than that nothing matched.
      var need = partsFor(text);
      var missing = need.first.concat(need.rest).filter(function (file) { return !index.loaded[file]; });
      function fetchMissing() {
        missing.forEach(function (file) {
          loadPart(file).then(null, function (err) { if (window.console) console.warn('permcat search:', err && err.message); });
        });
      }
      if (need.first.some(function (file) { return !index.loaded[file]; })) {
        fetchMissing();
        open(false);
        setStatus('Loading search…', true);
        lastText = null;
        return;
      }
      lastText = text;
      render(text);
      // After the results are on screen: the parts only add to them.
      if (missing.length) window.setTimeout(fetchMissing, 0);
    }

    // A part arrived: show the fuller results, once per burst of arrivals.
    var partTimer = 0;
    partListeners.push(function () {
      if (partTimer) return;
      partTimer = window.setTimeout(function () {
        partTimer = 0;
        if (state !== 'ready' || pending) return;
        lastText = null;
        refresh();
      }, 16);
    });

    // Results usually take a few milliseconds; the short delay only merges fast typing.
    function schedule() {
      window.clearTimeout(pending);
      pending = window.setTimeout(refresh, 60);
    }

    function start() {
      if (state !== 'idle') return;
      state = 'loading';
      if (doc.activeElement === input) setStatus('Loading search…', true);
      loadCore().then(function () {
        state = 'ready';
        lastText = null;
        refresh();
      }, function (err) {
        state = 'error';
        if (window.console) console.warn('permcat search:', err && err.message);
        lastText = null;
        refresh();
      });
    }

    function choose(i) {
      var opt = options[i];
      if (!opt) return;
      close();
      window.location.href = opt.href;
    }

    input.addEventListener('focus', function () {
      window.clearTimeout(closeTimer);
      if (state === 'error') state = 'idle'; // try again, e.g. after a network hiccup
      start();
      lastText = null;
      refresh();
    });
    input.addEventListener('input', function () { start(); schedule(); });
    input.addEventListener('blur', function () {
      // Delayed so a click on a result lands before the list disappears.
      window.clearTimeout(closeTimer);
      closeTimer = window.setTimeout(close, 150);
    });

    input.addEventListener('keydown', function (event) {
      if (event.isComposing) return;
      var n = options.length;
      switch (event.key) {
        case 'ArrowDown':
        case 'ArrowUp':
          if (panel.hidden) { if (input.value.trim()) { lastText = null; refresh(); } n = options.length; }
          if (!n || panel.hidden) return;
          event.preventDefault();
          if (event.key === 'ArrowDown') setActive(active < n - 1 ? active + 1 : 0);
          else setActive(active > 0 ? active - 1 : n - 1);
          break;
        case 'Enter':
          if (pending) refresh();
          if (!options.length || panel.hidden) return;
          event.preventDefault();
          choose(active >= 0 ? active : 0);
          break;
        case 'Escape':
          // First Escape closes the list, the next one clears the box.
          if (!panel.hidden || !status.hidden) { event.preventDefault(); close(); }
          else if (input.value) { event.preventDefault(); input.value = ''; lastText = ''; }
          break;
        default:
      }
    });

    // Keep focus in the box while clicking: the link then opens normally.
    panel.addEventListener('mousedown', function (event) { event.preventDefault(); });
    panel.addEventListener('click', function (event) {
      var opt = event.target.closest ? event.target.closest('[role="option"]') : null;
      if (!opt) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return; // new tab or window: browser's job
      close();
    });
    panel.addEventListener('mousemove', function (event) {
      var opt = event.target.closest ? event.target.closest('[role="option"]') : null;
      var i = opt ? options.indexOf(opt) : -1;
      if (i >= 0 && i !== active) setActive(i);
    });

    // Page-wide shortcuts: `/` outside text fields, Ctrl+K / Cmd+K anywhere.
    doc.addEventListener('keydown', function (event) {
      if (event.defaultPrevented || event.isComposing) return;
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      var slash = event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
      var ctrlK = (event.key === 'k' || event.key === 'K') && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
      if (!slash && !ctrlK) return;
      event.preventDefault();
      input.focus();
      input.select();
    });

    // Back/forward cache: a restored page must not show a stale open list.
    window.addEventListener('pageshow', function () { if (doc.activeElement !== input) close(); });
  }

  /* ---------------------------------------------------------------- the 404 page */

  // The name a missed address asked for: its last segment, decoded, without `.html`.
  // `permissions/user.read.all.html` → `user.read.all`.
  function missedName(pathname) {
    var last = String(pathname || '').split('/').pop() || '';
    try { last = decodeURIComponent(last); } catch (e) { /* keep it as typed */ }
    last = last.replace(/\.html?$/i, '').trim();
    return /^(404|index)$/i.test(last) ? '' : last.slice(0, 200);
  }

  // Full optimal-string-alignment distance, or NO_MATCH once every way exceeds `budget`.
  function distance(a, b, budget) {
    if (Math.abs(a.length - b.length) > budget) return NO_MATCH;
    var prev2 = [], prev = [], cur = [], i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var rowMin = i;
      for (j = 1; j <= b.length; j++) {
        var v = prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
        if (prev[j] + 1 < v) v = prev[j] + 1;
        if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
        if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1) && prev2[j - 2] + 1 < v) v = prev2[j - 2] + 1;
        cur[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > budget) return NO_MATCH;
      prev2 = prev; prev = cur;
    }
    return prev[b.length] <= budget ? prev[b.length] : NO_MATCH;
  }

  // Up to `n` permissions whose name (or page name) is closest to `name`: the same
  // letters in another case first, then names starting with it, then by edits (at most
  // a third of the name's length, at least 2), then shorter and alphabetical. `permissions` is the index's
  // list; each answer is {name, href}.
  function closestPermissions(permissions, name, n, root) {
    var q = name.toLowerCase();
    if (!q) return [];
    var budget = Math.max(2, Math.floor(q.length / 3));
    var found = [];
    (permissions || []).forEach(function (p) {
      var page = p[4] || p[0];
      var lname = p[0].toLowerCase();
      var d = Math.min(distance(q, lname, budget), distance(q, page.toLowerCase(), budget));
      // A name that starts with the address's name is close whatever its length.
      var cls = d === 0 ? 0 : lname.lastIndexOf(q, 0) === 0 ? 1 : 2;
      if (cls === 2 && d === NO_MATCH) return;
      found.push({ name: p[0], cls: cls, d: d, href: root + 'permissions/' + encodeURIComponent(page) + '.html' });
    });
    found.sort(function (a, b) {
      return a.cls - b.cls || a.d - b.d || a.name.length - b.name.length ||
        (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0);
    });
    return found.slice(0, n).map(function (x) { return { name: x.name, href: x.href }; });
  }
  api.closestPermissions = function (name, n) {
    if (!window.PERMCAT_SEARCH) throw new Error('permcatSearch: call core() or ready() first');
    return closestPermissions(window.PERMCAT_SEARCH.permissions, name, n > 0 ? n : 5, siteRoot());
  };

  // Fills the 404 page's "Did you mean" from the search index, loaded like the search
  // box's (a script element, so it works offline and from any static host). Without
  // JavaScript, or with no close name, the section stays hidden.
  function initNotFound(box) {
    var name = missedName(window.location.pathname);
    if (!name) return;
    // Names and page names are all in the first script.
    loadCore().then(function () {
      var list = api.closestPermissions(name, 6);
      if (!list.length) return;
      var first = box.querySelector('[data-not-found-first]');
      first.textContent = 'Did you mean ';
      var link = doc.createElement('a');
      link.href = list[0].href;
      link.textContent = list[0].name;
      first.appendChild(link);
      first.appendChild(doc.createTextNode('?'));
      var more = box.querySelector('[data-not-found-more]');
      list.slice(1).forEach(function (x) {
        var li = doc.createElement('li');
        var a = doc.createElement('a');
        a.href = x.href;
        a.textContent = x.name;
        li.appendChild(a);
        more.appendChild(li);
      });
      box.querySelector('[data-not-found-more-label]').hidden = list.length < 2;
      more.hidden = list.length < 2;
      box.hidden = false;
    }, function (err) {
      if (window.console) console.warn('permcat 404:', err && err.message);
    });
  }

  function init() {
    var input = doc.querySelector('[data-search-input]');
    if (input) initBox(input);
    var missed = doc.querySelector('[data-not-found]');
    if (missed) initNotFound(missed);
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', init);
  else init();
})();
