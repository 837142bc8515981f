/* lookup.js — the "Which permission do I need?" page.
 * Classic script, safe under the site's strict CSP (no eval, no innerHTML: every node is
 * built with createElement/textContent) and from file://.
 *
 * window.permcatLookup(text) answers exactly as `permcat which --json` does for the same
 * arguments (the text split on whitespace): it is a port of src/link/path.rs
 * (canonicalize), src/lookup/mod.rs (parse_request, Lookup::request and readings, closest,
 * parse_guid, cover) and
 * src/lookup/trie.rs (PathTrie::walk), walking the trie the build serializes into
 * assets/lookup-index.js (window.PERMCAT_LOOKUP). Keep them in step: scripts/lookup-diff.mjs
 * compares the two on real requests, the `closest` suggestions included.
 *
 * The pure part runs without a DOM (the diff script loads it into a bare vm context);
 * the page wiring at the end only runs where there is a document. */
(function (global) {
  'use strict';

  /* ---------------------------------------------------------------- text helpers */

  // Rust's char::is_whitespace (Unicode White_Space). JS's \s and trim() differ: they
  // take U+FEFF and leave U+0085, and a different trim would change a key.
  function isSpace(c) {
    return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f ||
      c === 0x205f || c === 0x3000;
  }

  // Rust's str::trim. Every White_Space character is one UTF-16 unit.
  function trim(s) {
    var a = 0;
    var b = s.length;
    while (a < b && isSpace(s.charCodeAt(a))) a++;
    while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
    return a === 0 && b === s.length ? s : s.slice(a, b);
  }

  // to_ascii_lowercase / to_ascii_uppercase: JS's toUpperCase would turn `ſ` into `S`
  // and so accept `poſt` as a method where the CLI does not.
  function asciiLower(s) {
    return s.replace(/[A-Z]+/g, function (m) { return m.toLowerCase(); });
  }
  function asciiUpper(s) {
    return s.replace(/[a-z]+/g, function (m) { return m.toUpperCase(); });
  }

  // char::to_lowercase, one code point at a time: String#toLowerCase on a whole string
  // applies the Final_Sigma context rule, which Rust's per-char mapping does not.
  function lowerChar(cp) {
    if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? String.fromCharCode(cp + 32) : String.fromCharCode(cp);
    return String.fromCodePoint(cp).toLowerCase();
  }

  // Rust orders strings by UTF-8 bytes, which is code point order; JS's < compares
  // UTF-16 units, which differs once astral characters meet U+E000–U+FFFF.
  function cmpStr(a, b) {
    if (a === b) return 0;
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      var x = a.charCodeAt(i);
      var y = b.charCodeAt(i);
      if (x === y) continue;
      if (x >= 0xd800 && x <= 0xdfff && !(y >= 0xd800 && y <= 0xdfff)) return y >= 0xe000 ? 1 : (x < y ? -1 : 1);
      if (y >= 0xd800 && y <= 0xdfff && !(x >= 0xd800 && x <= 0xdfff)) return x >= 0xe000 ? -1 : (x < y ? -1 : 1);
      return x < y ? -1 : 1;
    }
    return a.length - b.length < 0 ? -1 : (a.length === b.length ? 0 : 1);
  }

  /* ---------------------------------------------------------------- UTF-8, for percent-decoding */

  // The CLI decodes %XX into bytes and reads them as UTF-8, lossily. TextEncoder is not
  // in a bare vm context, so both directions are written out.
  function utf8Encode(s) {
    var out = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.codePointAt(i);
      if (c > 0xffff) i++;
      else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }

  // String::from_utf8_lossy: each maximal invalid subpart becomes one U+FFFD (the same
  // rule as the WHATWG decoder).
  function utf8DecodeLossy(bytes) {
    var out = '';
    var n = bytes.length;
    var i = 0;
    while (i < n) {
      var b = bytes[i];
      if (b < 0x80) { out += String.fromCharCode(b); i++; continue; }
      var need;
      var cp;
      var lo = 0x80;
      var hi = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) {
        need = 2; cp = b & 0x0f;
        if (b === 0xe0) lo = 0xa0;
        if (b === 0xed) hi = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3; cp = b & 0x07;
        if (b === 0xf0) lo = 0x90;
        if (b === 0xf4) hi = 0x8f;
      } else { out += '\ufffd'; i++; continue; }
      var j = i + 1;
      var ok = true;
      for (var k = 0; k < need; k++, j++) {
        var c = j < n ? bytes[j] : -1;
        if (c < lo || c > hi) { ok = false; break; }
        cp = (cp << 6) | (c & 0x3f);
        lo = 0x80;
        hi = 0xbf;
      }
      out += ok ? String.fromCodePoint(cp) : '\ufffd';
      i = j;
    }
    return out;
  }

  function hexVal(b) {
    if (b >= 0x30 && b <= 0x39) return b - 0x30;
    if (b >= 0x41 && b <= 0x46) return b - 0x37;
    if (b >= 0x61 && b <= 0x66) return b - 0x57;
    return -1;
  }

  // Two hex digits, as the URL standard and the CLI's decoder read them: `%+4` is not an
  // escape and stays as it is.
  function hexByte(a, b) {
    var x = hexVal(a);
    var y = hexVal(b);
    return x < 0 || y < 0 ? -1 : x * 16 + y;
  }

  // lookup::percent_decode: malformed escapes stay as they are.
  function percentDecode(s) {
    if (s.indexOf('%') < 0) return s;
    var bytes = utf8Encode(s);
    var out = [];
    var i = 0;
    while (i < bytes.length) {
      if (bytes[i] === 0x25 && i + 2 < bytes.length) {
        var v = hexByte(bytes[i + 1], bytes[i + 2]);
        if (v >= 0) { out.push(v); i += 3; continue; }
      }
      out.push(bytes[i]);
      i++;
    }
    return utf8DecodeLossy(out);
  }

  /* ---------------------------------------------------------------- canonical paths (src/link/path.rs) */

  // Segments: {t:'lit', s}, {t:'ph'}, {t:'cast', s}, {t:'call', name, params}, {t:'item', base}
  // (base null for a placeholder item). segText is Segment's Display.
  var PH = { t: 'ph' };

  function segText(seg) {
    switch (seg.t) {
      case 'lit':
      case 'cast':
        return seg.s;
      case 'ph':
        return '{}';
      case 'call':
        return seg.name + '(' + seg.params.map(function (p) { return p === '' ? '{}' : p + '={}'; }).join(',') + ')';
      default:
        return (seg.base === null ? '{}' : seg.base) + ':{}:';
    }
  }

  function segEqual(a, b) {
    return a.t === b.t && segText(a) === segText(b);
  }

  // Scanner: separators inside (...), {...} and quotes do not count. Only ASCII
  // characters matter, so UTF-16 units stand in for Rust's chars.
  function Scanner() { this.parens = 0; this.braces = 0; this.quote = ''; }
  Scanner.prototype.top = function () { return this.parens === 0 && this.braces === 0 && this.quote === ''; };
  Scanner.prototype.step = function (c) {
    if (this.quote !== '') {
      if (c === this.quote) this.quote = '';
      return;
    }
    if (this.braces > 0) {
      if (c === '{') this.braces++;
      else if (c === '}') this.braces--;
      return;
    }
    if ((c === '\'' || c === '"') && this.parens > 0) this.quote = c;
    else if (c === '(') this.parens++;
    else if (c === ')') { if (this.parens > 0) this.parens--; }
    else if (c === '{') this.braces++;
    else if (c === '}') { if (this.braces > 0) this.braces--; }
  };

  function splitTop(s, sep) {
    var out = [];
    var scan = new Scanner();
    var start = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      if (c === sep && scan.top()) {
        out.push(s.slice(start, i));
        start = i + 1;
      } else {
        scan.step(c);
      }
    }
    out.push(s.slice(start));
    return out;
  }

  function findTop(s, ch) {
    var scan = new Scanner();
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      if (c === ch && scan.top()) return i;
      scan.step(c);
    }
    return -1;
  }

  function stripHost(s) {
    var schemes = ['https://', 'http://'];
    for (var k = 0; k < schemes.length; k++) {
      var p = schemes[k];
      if (asciiLower(s.slice(0, p.length)) === p) {
        var rest = s.slice(p.length);
        var i = rest.indexOf('/');
        return i < 0 ? '' : rest.slice(i);
      }
    }
    if (s.charAt(0) !== '/') {
      var first = asciiLower(s.split('/')[0]);
      if (first.indexOf('graph.microsoft.') >= 0 || first.indexOf('microsoftgraph.') >= 0) {
        var j = s.indexOf('/');
        return j < 0 ? '' : s.slice(j);
      }
    }
    return s;
  }

  function stripQuery(s) {
    var q = findTop(s, '?');
    var h = findTop(s, '#');
    var i = q < 0 ? h : (h < 0 ? q : Math.min(q, h));
    return i < 0 ? s : s.slice(0, i);
  }

  function identifier(raw) {
    var out = '';
    for (var i = 0; i < raw.length; i++) {
      var c = raw.codePointAt(i);
      if (c > 0xffff) i++;
      if (isSpace(c) || (c < 0x80 && '(){}=,:\'"/'.indexOf(String.fromCharCode(c)) >= 0)) continue;
      out += lowerChar(c);
    }
    return out;
  }

  function matchParen(s) {
    var scan = new Scanner();
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      scan.step(c);
      if (c === ')' && scan.top()) return [s.slice(1, i), s.slice(i + 1)];
    }
    return [s.slice(1), ''];
  }

  function callName(raw) {
    var name = trim(normalizeText(raw));
    var spaces = ['microsoft.graph.', 'graph.', 'default.'];
    for (var k = 0; k < spaces.length; k++) {
      var ns = spaces[k];
      if (name.slice(0, ns.length) === ns) {
        var short = name.slice(ns.length);
        if (short !== '' && short.indexOf('.') < 0) return short;
      }
    }
    return name;
  }

  function normalizeText(s) {
    var out = '';
    var depth = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.codePointAt(i);
      if (c > 0xffff) i++;
      if (c === 0x7b) { // {
        if (depth === 0) out += '{}';
        depth++;
      } else if (c === 0x7d) { // }
        if (depth > 0) depth--;
      } else if (depth > 0) {
        // inside a placeholder: dropped
      } else if (c === 0x29 || c === 0x3f || c === 0x23 || c === 0x2f || c === 0x3a) { // ) ? # / :
        // dropped
      } else {
        out += lowerChar(c);
      }
    }
    return out;
  }

  // A piece without parentheses; null when empty.
  function literal(piece) {
    var text = trim(normalizeText(piece));
    if (text === '') return null;
    if (text === '{}') return PH;
    if (text.indexOf('{') < 0) {
      var mg = 'microsoft.graph.';
      if (text.slice(0, mg.length) === mg && text.length > mg.length) return { t: 'cast', s: text };
      if (text.slice(0, 6) === 'graph.' && text.length > 6) return { t: 'cast', s: mg + text.slice(6) };
    }
    return { t: 'lit', s: text };
  }

  function isPlaceholderPiece(p) {
    var l = literal(p);
    return l !== null && l.t === 'ph';
  }

  function parsePiece(pieces, next, piece, out) {
    piece = trim(piece);
    var colon = findTop(piece, ':');
    if (colon >= 0) {
      // Addressing opens with a colon that ends the piece or that a second colon closes;
      // a lone colon inside a value (Teams ids such as 19:abc@thread.skype) is part of it.
      var afterColon = piece.slice(colon + 1);
      if (trim(afterColon) === '' || findTop(afterColon, ':') >= 0) return itemPath(pieces, next, piece, colon, out);
    }
    var open = findTop(piece, '(');
    if (open < 0) {
      var l = literal(piece);
      if (l !== null) out.push(l);
      return next;
    }
    var name = callName(piece.slice(0, open));
    var m = matchParen(piece.slice(open));
    var inner = m[0];
    var rest = m[1];
    var params = [];
    splitTop(inner, ',').forEach(function (a) {
      var arg = trim(a);
      if (arg === '') return;
      var eq = findTop(arg, '=');
      params.push(eq >= 0 ? identifier(arg.slice(0, eq)) : '');
    });
    params.sort(cmpStr);
    var positional = params.filter(function (p) { return p === ''; }).length;
    var ln;
    if (params.length === 0) {
      ln = literal(name);
      if (ln !== null) out.push(ln);
    } else if (positional === 1 && params.length === 1) {
      ln = literal(name);
      if (ln !== null) out.push(ln);
      out.push(PH);
    } else {
      out.push({ t: 'call', name: name, params: params });
    }
    return trim(rest) === '' ? next : parsePiece(pieces, next, rest, out);
  }

  function itemPath(pieces, next, piece, colon, out) {
    var before = [];
    parsePiece([], 0, piece.slice(0, colon), before);
    var last = before.pop();
    var base;
    if (last === undefined) base = '';
    else if (last.t === 'ph') base = null;
    else if (last.t === 'lit') base = last.s;
    else { before.push(last); base = ''; }
    for (var b = 0; b < before.length; b++) out.push(before[b]);
    var item = { t: 'item', base: base };
    var after = piece.slice(colon + 1);
    var close = findTop(after, ':');
    if (close >= 0) {
      out.push(item);
      return parsePiece(pieces, next, after.slice(close + 1), out);
    }
    for (var j = next; j < pieces.length; j++) {
      var c = findTop(pieces[j], ':');
      if (c >= 0) {
        out.push(item);
        return parsePiece(pieces, j + 1, pieces[j].slice(c + 1), out);
      }
    }
    out.push(item);
    if (trim(after) === '') {
      if (next < pieces.length && isPlaceholderPiece(pieces[next])) return next + 1;
    } else if (isPlaceholderPiece(after)) {
      return next;
    }
    return pieces.length;
  }

  // canonicalize(raw): the segments and the key.
  function canonicalize(raw) {
    var path = stripQuery(stripHost(trim(raw)));
    var pieces = splitTop(path, '/').map(trim).filter(function (s) { return s !== ''; });
    if (pieces.length > 0) {
      var v = asciiLower(pieces[0]);
      if (v === 'v1.0' || v === 'beta') pieces.shift();
    }
    var segments = [];
    var i = 0;
    while (i < pieces.length) i = parsePiece(pieces, i + 1, pieces[i], segments);
    var key = segments.map(function (s) { return '/' + segText(s); }).join('');
    return { key: key === '' ? '/' : key, segments: segments };
  }

  /* ---------------------------------------------------------------- requests (src/lookup/mod.rs) */

  function parseVersion(s) {
    var v = asciiLower(trim(s));
    if (v === 'v1.0' || v === 'v1' || v === '1.0') return 'v1.0';
    if (v === 'beta') return 'beta';
    return null;
  }

  function parseRequest(method, url) {
    url = trim(url);
    var withoutHost = url;
    var scheme = url.indexOf('://');
    if (scheme >= 0) {
      var j = url.slice(scheme + 3).indexOf('/');
      withoutHost = j < 0 ? '/' : url.slice(scheme + 3 + j);
    }
    var cut = withoutHost.search(/[?#]/);
    var path = percentDecode(cut < 0 ? withoutHost : withoutHost.slice(0, cut));
    var trimmed = path.replace(/^\/+/, '');
    var version = null;
    var rest;
    var slash = trimmed.indexOf('/');
    if (slash >= 0) {
      version = parseVersion(trimmed.slice(0, slash));
      rest = version ? '/' + trimmed.slice(slash + 1) : '/' + trimmed;
    } else {
      version = parseVersion(trimmed);
      rest = version ? '/' : '/' + trimmed;
    }
    return {
      method: asciiUpper(trim(method === null ? 'GET' : method)),
      path: rest.replace(/\/+$/, ''),
      version: version
    };
  }

  var METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

  // which.rs is_cmdlet: no `/`, and the text after the first `-` starts with `mg`.
  function isCmdlet(arg) {
    if (arg.indexOf('/') >= 0) return false;
    var dash = arg.indexOf('-');
    return dash > 0 && asciiLower(arg.slice(dash + 1, dash + 3)) === 'mg';
  }

  // The textarea is the CLI's argument list: split on whitespace, so a method token
  // applies to every URL after it, across lines too.
  function tokens(text) {
    var out = [];
    var cur = '';
    for (var i = 0; i < text.length; i++) {
      if (isSpace(text.charCodeAt(i))) {
        if (cur !== '') out.push(cur);
        cur = '';
      } else {
        cur += text.charAt(i);
      }
    }
    if (cur !== '') out.push(cur);
    return out;
  }

  function parseArgs(args) {
    var method = null;
    var items = [];
    args.forEach(function (arg) {
      var upper = asciiUpper(arg);
      var id;
      if (METHODS.indexOf(upper) >= 0) method = upper;
      else if ((id = parseGuid(arg)) !== null) items.push({ input: arg, id: id });
      else if (isCmdlet(arg)) items.push({ input: arg, cmdlet: arg });
      else items.push({ input: arg, request: parseRequest(method, arg) });
    });
    return items;
  }

  /* ---------------------------------------------------------------- the trie (src/lookup/trie.rs) */

  function child(index, at, text) {
    var edges = index.nodes[at][0];
    var lo = 0;
    var hi = edges.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      var c = cmpStr(edges[mid][0], text);
      if (c === 0) return edges[mid][1];
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  // trie::value_like: a plain value may stand for `{}`; `$ref`, `$value`, `$count` not.
  function valueLike(seg) {
    return seg.t === 'ph' || (seg.t === 'lit' && seg.s.charAt(0) !== '$');
  }

  function walk(index, at, segs, i) {
    if (i === segs.length) return index.nodes[at][2] >= 0 ? at : -1;
    var seg = segs[i];
    var found;
    if (seg.t !== 'ph') {
      var n = child(index, at, segText(seg));
      if (n >= 0 && (found = walk(index, n, segs, i + 1)) >= 0) return found;
      if (seg.t === 'item' && seg.base !== null) {
        // `items/{id}:/path:` spelled with a concrete id.
        n = child(index, at, '{}:{}:');
        if (n >= 0 && (found = walk(index, n, segs, i + 1)) >= 0) return found;
      } else if (seg.t === 'call') {
        // `calendarView(startDateTime='…',endDateTime='…')`: the function itself.
        n = child(index, at, seg.name);
        if (n >= 0 && (found = walk(index, n, segs, i + 1)) >= 0) return found;
      }
    }
    var next = index.nodes[at][1];
    if (next >= 0 && valueLike(seg)) return walk(index, next, segs, i + 1);
    return -1;
  }

  /* ---------------------------------------------------------------- answers (src/lookup/mod.rs) */

  var NO_SIGNED_IN_USER = 'not usable with application permissions (no signed-in user)';
  var BATCH_NOTE = 'JSON batching needs no permission of its own; each request inside the batch needs its own permission (look each one up)';

  function isLit(seg, s) { return seg !== undefined && seg.t === 'lit' && seg.s === s; }
  function isMe(segs) { return isLit(segs[0], 'me'); }

  // lookup::readings: the request as given, then each combination of the rewrites that
  // apply, in the same order as the CLI.
  function readings(segments) {
    var out = [];
    for (var mask = 0; mask < 16; mask++) {
      var segs = segments.slice();
      var via = [];
      var applies = true;
      var i;
      if (mask & 1) {
        var changed = false;
        for (i = 1; i < segs.length; i++) {
          if (isLit(segs[i - 1], 'sites') && segs[i].t === 'item' && segs[i].base !== null) {
            segs[i] = PH;
            changed = true;
          }
        }
        applies = applies && changed;
        via.push({ kind: 'site', note: 'answered as /sites/{id}/… — hostname:/path: addresses a site, as its id does' });
      }
      if (mask & 2) {
        var casts = segs.filter(function (x) { return x.t === 'cast'; }).map(function (x) { return x.s; });
        applies = applies && casts.length > 0;
        segs = segs.filter(function (x) { return x.t !== 'cast'; });
        via.push({ kind: 'cast', note: 'answered without the type cast ' + casts.join(', ') + ' — a cast narrows the result, not the permission' });
      }
      if (mask & 4) {
        var last = segs[segs.length - 1];
        var dollar = last !== undefined && last.t === 'lit' && (last.s === '$value' || last.s === '$ref' || last.s === '$count') ? last.s : null;
        applies = applies && dollar !== null && segs.length > 1;
        if (dollar !== null) {
          segs.pop();
          via.push({ kind: 'navigation', note: 'answered as the navigation before ' + dollar + ', which has no template of its own' });
        }
      }
      if (mask & 8) {
        if (isMe(segs)) {
          segs.splice(0, 1, { t: 'lit', s: 'users' }, PH);
          via.push({ kind: 'users', note: 'answered as /users/{id}/… — /me is the signed-in user' });
        } else if (isLit(segs[0], 'users') && segs.length > 1 && valueLike(segs[1])) {
          segs.splice(0, 2, { t: 'lit', s: 'me' });
          via.push({ kind: 'me', note: "answered as /me/… — only the signed-in user's form is known; another user's data may need a broader permission" });
        } else {
          applies = false;
        }
      }
      if (applies) out.push([segs, via]);
    }
    return out;
  }

  function candidates(index, ep) {
    var schemes = {};
    index.schemes.forEach(function (scheme, s) {
      var rows = ep[2][s] || [];
      if (rows.length === 0) return;
      schemes[scheme] = rows.map(function (r) {
        var c = {
          permission: index.names[r[0]],
          least_privileged: (r[1] & 1) === 1,
          flagged_least: (r[1] & 2) === 2,
          privilege_level: r[2] === 0 ? null : r[2]
        };
        var tier = scheme === 'Application' && index.tiers ? index.tiers[r[0]] : undefined;
        if (typeof tier === 'number') c.risk_tier = tier;
        c.also_requires = r[3].map(function (a) { return index.names[a]; });
        return c;
      });
    });
    return schemes;
  }

  function miss(req, otherMethods, knownPath, closestPaths) {
    return { kind: 'miss', request: req, template: null, other_methods: otherMethods, known_path: knownPath, closest: closestPaths };
  }

  // Lookup::outcome: `$batch`, an endpoint answer or a miss.
  function answer(index, req) {
    var c = canonicalize(req.path);
    if (c.segments.length === 1 && isLit(c.segments[0], '$batch')) {
      if (req.method === 'POST') return { kind: 'batch', request: req, template: '/$batch', note: BATCH_NOTE };
      return miss(req, ['POST'], null, []);
    }
    var all = readings(c.segments);
    var firstKnown = null;
    for (var n = 0; n < all.length; n++) {
      var node = walk(index, 0, all[n][0], 0);
      if (node < 0) continue;
      var k = index.nodes[node][2];
      var ep = index.endpoints[k + ' ' + req.method];
      if (!ep) {
        if (firstKnown === null) firstKnown = [n, k];
        continue;
      }
      var schemes = candidates(index, ep);
      var notUsable = {};
      if (isMe(c.segments)) {
        delete schemes.Application;
        notUsable.Application = NO_SIGNED_IN_USER;
      }
      return {
        kind: 'endpoint',
        request: req,
        template: ep[0],
        key: index.keys[k],
        versions: ep[1].slice(),
        schemes: schemes,
        not_usable: notUsable,
        via: all[n][1],
        source: 'permissions'
      };
    }
    if (firstKnown === null) return miss(req, [], null, closest(index, c.key));
    var methods = (index.methods[firstKnown[1]] || []).slice();
    var known = firstKnown[0] > 0 ? index.endpoints[firstKnown[1] + ' ' + methods[0]][0] : null;
    return miss(req, methods, known, []);
  }

  // lookup::parse_guid: lower case, with or without braces; null when not a GUID.
  function parseGuid(text) {
    var t = trim(text);
    if (t.length === 38 && t.charAt(0) === '{' && t.charAt(37) === '}') t = t.slice(1, 37);
    if (t.length !== 36) return null;
    for (var i = 0; i < 36; i++) {
      var c = t.charAt(i);
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (c !== '-') return null;
      } else if (!/[0-9a-fA-F]/.test(c)) {
        return null;
      }
    }
    return asciiLower(t);
  }

  // Lookup::permission_id.
  function permissionId(index, id) {
    var rows = (index.ids && index.ids[id]) || [];
    if (rows.length === 0) return { kind: 'unknown_id', id: id };
    return {
      kind: 'permission',
      id: id,
      matches: rows.map(function (r) { return { permission: index.names[r[0]], type: r[1], schemes: r[2].slice() }; })
    };
  }

  // Lookup::cmdlet. The index keeps [method, path, version] per cmdlet in the command
  // map's order; the CLI deduplicates by method and canonical key, so it is done here too.
  function cmdletRequests(index, name) {
    var rows = index.cmdlets[asciiLower(trim(name))] || [];
    var seen = {};
    var out = [];
    rows.forEach(function (r) {
      var id = r[0] + ' ' + canonicalize(r[1]).key;
      if (seen[id]) return;
      seen[id] = true;
      out.push({ method: r[0], path: r[1], version: r[2] === undefined ? null : r[2] });
    });
    return out;
  }

  /* ---------------------------------------------------------------- suggestions (not compared with the CLI) */

  function codePoints(s) {
    var out = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.codePointAt(i);
      if (c > 0xffff) i++;
      out.push(c);
    }
    return out;
  }

  // strsim::normalized_levenshtein, on code point arrays with one reused row.
  var row = new Int32Array(256);
  function normalizedLevenshtein(x, y) {
    if (x.length === 0 && y.length === 0) return 1;
    if (row.length <= y.length) row = new Int32Array(y.length * 2 + 1);
    var j;
    for (j = 0; j <= y.length; j++) row[j] = j;
    for (var i = 1; i <= x.length; i++) {
      var diag = row[0];
      row[0] = i;
      var xi = x[i - 1];
      for (j = 1; j <= y.length; j++) {
        var up = row[j];
        var v = diag + (xi === y[j - 1] ? 0 : 1);
        if (up + 1 < v) v = up + 1;
        if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
        row[j] = v;
        diag = up;
      }
    }
    return 1 - row[y.length] / Math.max(x.length, y.length);
  }

  // Lookup::closest compares the first SUGGEST_CHARS characters only and passes the
  // SUGGEST_SHORTLIST keys sharing the most character pairs on to the edit distance.
  var SUGGEST_CHARS = 256;
  var SUGGEST_SHORTLIST = 40;

  // The distinct pairs of adjacent code points, sorted (as numbers a * 2^21 + b, exact
  // in a double).
  function bigrams(cps) {
    var out = [];
    for (var i = 1; i < cps.length; i++) out.push(cps[i - 1] * 2097152 + cps[i]);
    out.sort(function (a, b) { return a - b; });
    var uniq = [];
    for (i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) uniq.push(out[i]);
    return uniq;
  }

  function dice(a, b) {
    if (a.length === 0 && b.length === 0) return 0;
    var i = 0;
    var j = 0;
    var both = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) i++;
      else if (a[i] > b[j]) j++;
      else { both++; i++; j++; }
    }
    return (2 * both) / (a.length + b.length);
  }

  // Per key: its first SUGGEST_CHARS code points, their pairs and the templates spelling
  // it, in the catalog's order; computed on the first miss only.
  var suggest = null;
  function suggestions(index) {
    if (suggest && suggest.index === index) return suggest;
    var templates = index.keys.map(function () { return []; });
    // index.methods keeps each key's methods in the catalog's order.
    index.keys.forEach(function (_, k) {
      (index.methods[k] || []).forEach(function (m) {
        var ep = index.endpoints[k + ' ' + m];
        if (ep) templates[k].push(ep[0]);
      });
    });
    var keys = index.keys.map(function (key, k) {
      var cps = codePoints(key).slice(0, SUGGEST_CHARS);
      return { key: key, cps: cps, pairs: bigrams(cps), templates: templates[k] };
    });
    suggest = { index: index, keys: keys };
    return suggest;
  }

  function closest(index, key) {
    var sg = suggestions(index);
    var q = codePoints(key).slice(0, SUGGEST_CHARS);
    var qb = bigrams(q);
    // The SUGGEST_SHORTLIST best by (score, then key): what sorting all keys and taking
    // the first ones gives, without sorting all keys.
    var better = function (a, b) { return a[0] > b[0] || (a[0] === b[0] && cmpStr(a[1].key, b[1].key) < 0); };
    var pre = [];
    sg.keys.forEach(function (k) {
      var item = [dice(qb, k.pairs), k];
      if (pre.length === SUGGEST_SHORTLIST && !better(item, pre[pre.length - 1])) return;
      var at = pre.length;
      while (at > 0 && better(item, pre[at - 1])) at--;
      pre.splice(at, 0, item);
      if (pre.length > SUGGEST_SHORTLIST) pre.pop();
    });
    var scored = [];
    for (var i = 0; i < pre.length && i < SUGGEST_SHORTLIST; i++) {
      var k = pre[i][1];
      var score = normalizedLevenshtein(q, k.cps);
      k.templates.forEach(function (t) { scored.push([score, t]); });
    }
    scored.sort(function (a, b) { return b[0] - a[0] || cmpStr(a[1], b[1]); });
    var out = [];
    for (i = 0; i < scored.length && out.length < 5; i++) {
      var p = scored[i][1];
      var lp = asciiLower(p);
      if (!out.some(function (o) { return asciiLower(o) === lp; })) out.push(p);
    }
    return out;
  }

  // strsim::jaro_winkler.
  function jaroWinkler(a, b) {
    var x = codePoints(a);
    var y = codePoints(b);
    if (x.length === 0 && y.length === 0) return 1;
    if (x.length === 0 || y.length === 0) return 0;
    var range = Math.max(0, Math.floor(Math.max(x.length, y.length) / 2) - 1);
    var flagsY = [];
    var flagsX = [];
    var matches = 0;
    for (var i = 0; i < x.length; i++) {
      var lo = Math.max(0, i - range);
      var hi = Math.min(y.length - 1, i + range);
      for (var j = lo; j <= hi; j++) {
        if (!flagsY[j] && x[i] === y[j]) { flagsY[j] = flagsX[i] = true; matches++; break; }
      }
    }
    if (matches === 0) return 0;
    var t = 0;
    var k = 0;
    for (i = 0; i < x.length; i++) {
      if (!flagsX[i]) continue;
      while (!flagsY[k]) k++;
      if (x[i] !== y[k]) t++;
      k++;
    }
    t = Math.floor(t / 2);
    var jaro = (matches / x.length + matches / y.length + (matches - t) / matches) / 3;
    if (jaro <= 0.7) return jaro;
    var prefix = 0;
    while (prefix < 4 && prefix < x.length && prefix < y.length && x[prefix] === y[prefix]) prefix++;
    return jaro + 0.1 * prefix * (1 - jaro);
  }

  // Lookup::closest_cmdlets: the names as the command map spells them, compared in
  // lower case on their first 128 characters.
  function closestCmdlets(index, name) {
    var q = codePoints(asciiLower(name)).slice(0, 128).map(function (c) { return String.fromCodePoint(c); }).join('');
    return (index.cmdlet_names || [])
      .map(function (n) { return [jaroWinkler(q, asciiLower(n)), n]; })
      .filter(function (s) { return s[0] > 0.8; })
      .sort(function (a, b) { return b[0] - a[0] || cmpStr(a[1], b[1]); })
      .slice(0, 5)
      .map(function (s) { return s[1]; });
  }

  /* ---------------------------------------------------------------- cover (src/lookup/mod.rs) */

  // The smallest set of one scheme's permissions that allows every answer; null when
  // some answer has none of that scheme. Candidates are bit positions in name order, so
  // comparing index tuples is comparing the name lists as the CLI does.
  // Index lists compared as the CLI compares name lists (names sorted, so index order).
  function cmpIndexes(a, b) {
    for (var i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }

  function cover(answers, scheme) {
    var sets = [];
    var levels = {};
    var least = {};
    var i;
    for (i = 0; i < answers.length; i++) {
      var list = answers[i].schemes[scheme];
      if (!list || list.length === 0) return null;
      sets.push(list.map(function (c) { return c.permission; }));
      list.forEach(function (c) {
        levels['$' + c.permission] = c.privilege_level === null ? 6 : c.privilege_level;
        if (c.least_privileged) least['$' + c.permission] = true;
      });
    }
    var candidates = Object.keys(levels).map(function (k) { return k.slice(1); }).sort(cmpStr);
    var level = candidates.map(function (c) { return levels['$' + c]; });
    var notLeast = candidates.map(function (c) { return least['$' + c] ? 0 : 1; });
    var pos = {};
    candidates.forEach(function (c, n) { pos['$' + c] = n; });

    if (candidates.length <= 24) {
      // cover.rs `exact`: equal masks once, a mask holding another dropped, covers of
      // each size found by branching on the first request not yet allowed.
      var all = sets.map(function (s) {
        return s.reduce(function (m, p) { return m | (1 << pos['$' + p]); }, 0) >>> 0;
      });
      all.sort(function (a, b) { return a - b; });
      var masks = all.filter(function (m, k) { return k === 0 || all[k - 1] !== m; });
      masks = masks.filter(function (m) {
        return !masks.some(function (o) { return o !== m && ((o & m) >>> 0) === o; });
      });
      var maxSize = Math.min(masks.length, candidates.length);
      for (var size = 1; size <= maxSize; size++) {
        var best = null;
        var bestCost = null;
        var found = function (chosen) {
          var pick = [];
          var lv = 0;
          var nl = 0;
          for (var b = 0; b < candidates.length; b++) {
            if ((chosen >>> b) & 1) { pick.push(b); lv += level[b]; nl += notLeast[b]; }
          }
          var better = best === null || lv < bestCost[0] || (lv === bestCost[0] && (nl < bestCost[1] ||
            (nl === bestCost[1] && cmpIndexes(pick, best) < 0)));
          if (better) { best = pick; bestCost = [lv, nl]; }
        };
        // A bit tried is forbidden to the branches after it (cover.rs `branch`).
        var branch = function (chosen, forbidden, left) {
          var miss = -1;
          for (var s = 0; s < masks.length; s++) if (((masks[s] & chosen) >>> 0) === 0) { miss = masks[s]; break; }
          if (miss === -1) { found(chosen); return; }
          if (left === 0) return;
          var forbid = forbidden;
          for (var b = 0; b < candidates.length; b++) {
            if (((miss >>> b) & 1) && !((forbidden >>> b) & 1)) {
              branch((chosen | (1 << b)) >>> 0, forbid, left - 1);
              forbid = (forbid | (1 << b)) >>> 0;
            }
          }
        };
        branch(0, 0, size);
        if (best !== null) return best.map(function (n) { return candidates[n]; });
      }
    }
    // Greedy: the permission that covers the most requests left, then the lowest
    // level, then the first name.
    var left = sets.map(function (s) {
      var o = {};
      s.forEach(function (p) { o['$' + p] = true; });
      return o;
    });
    var picked = [];
    while (left.length > 0) {
      var top = -1;
      var topN = -1;
      for (i = 0; i < candidates.length; i++) {
        var key = '$' + candidates[i];
        var cnt = left.filter(function (s) { return s[key]; }).length;
        if (cnt > topN || (cnt === topN && level[i] < level[top])) { top = i; topN = cnt; }
      }
      var chosen = '$' + candidates[top];
      left = left.filter(function (s) { return !s[chosen]; });
      picked.push(candidates[top]);
    }
    return picked.sort(cmpStr);
  }

  /* ---------------------------------------------------------------- the report */

  function emptyReport() {
    return { answers: [], cover: [] };
  }

  // An entry: the argument first, then what it got.
  function entry(input, outcome) {
    var e = { input: input };
    Object.keys(outcome).forEach(function (k) { e[k] = outcome[k]; });
    return e;
  }

  // permcat which --json for the text split on whitespace.
  function permcatLookup(text) {
    var index = global.PERMCAT_LOOKUP;
    if (!index) throw new Error('the lookup index (assets/lookup-index.js) is not loaded');
    var report = emptyReport();
    parseArgs(tokens(String(text === undefined || text === null ? '' : text))).forEach(function (item) {
      if (item.id !== undefined) {
        report.answers.push(entry(item.input, permissionId(index, item.id)));
      } else if (item.request) {
        report.answers.push(entry(item.input, answer(index, item.request)));
      } else if ((index.cmdlet_sources_missing || []).length > 0) {
        report.answers.push(entry(item.input, { kind: 'no_cmdlet_source', cmdlet: item.cmdlet, sources: index.cmdlet_sources_missing.slice() }));
      } else {
        var requests = cmdletRequests(index, item.cmdlet);
        if (requests.length === 0) {
          report.answers.push(entry(item.input, { kind: 'unknown_cmdlet', cmdlet: item.cmdlet, closest: closestCmdlets(index, item.cmdlet) }));
        }
        requests.forEach(function (r) { report.answers.push(entry(item.input, answer(index, r))); });
      }
    });
    var endpoints = report.answers.filter(function (a) { return a.kind === 'endpoint'; });
    if (endpoints.length > 1) {
      report.cover = index.schemes.map(function (s) { return [s, cover(endpoints, s)]; });
    }
    return report;
  }

  global.permcatLookup = permcatLookup;
  // What the "Check an app" page (audit.js) reuses: the same readings as the CLI.
  global.permcatLookupParts = {
    trim: trim,
    isSpace: isSpace,
    asciiLower: asciiLower,
    asciiUpper: asciiUpper,
    cmpStr: cmpStr,
    codePoints: codePoints,
    jaroWinkler: jaroWinkler,
    parseGuid: parseGuid,
    parseRequest: parseRequest,
    isCmdlet: isCmdlet,
    METHODS: METHODS,
    answer: answer,
    permissionId: permissionId,
    cmdletRequests: cmdletRequests,
    closestCmdlets: closestCmdlets,
    cover: cover
  };
  // For the diff script: the key the CLI computes for a path.
  global.permcatCanonicalKey = function (raw) { return canonicalize(String(raw)).key; };

  /* ================================================================ the page */

  if (typeof document === 'undefined' || !document.querySelector) return;

  var doc = document;
  var SCHEME_LABELS = {
    DelegatedWork: 'Delegated (work or school account)',
    DelegatedPersonal: 'Delegated (personal Microsoft account)',
    Application: 'Application'
  };

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function append(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      parent.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
    }
    return parent;
  }

  function methodBadge(method) {
    return el('span', 'method method-' + asciiLower(method || 'get'), method || '—');
  }

  function permissionLink(root, index, name) {
    var i = index.names.indexOf(name);
    var slug = i >= 0 && index.slugs[i] ? index.slugs[i] : name;
    var a = el('a', null, name);
    a.href = root + 'permissions/' + slug + '.html';
    return a;
  }

  // A link that looks up another request on this page (through the hash).
  function requestLink(method, path) {
    var a = el('a', null, null);
    a.href = '#' + encodeURIComponent(method + ' ' + path);
    append(a, el('code', null, path));
    return a;
  }

  function requestLine(req) {
    var p = el('p', 'lookup-request');
    append(p, methodBadge(req.method), ' ', el('code', 'break', req.path === '' ? '/' : req.path));
    if (req.version) append(p, ' ', el('span', 'badge ' + (req.version === 'beta' ? 'badge-beta' : 'badge-v1'), req.version));
    return p;
  }

  function versionBadges(versions) {
    var span = el('span', 'lookup-versions');
    if (versions.length === 0) return append(span, el('span', 'muted', 'version not confirmed'));
    versions.forEach(function (v, i) {
      if (i > 0) append(span, ' ');
      append(span, el('span', 'badge ' + (v === 'beta' ? 'badge-beta' : 'badge-v1'), v));
    });
    return span;
  }

  function schemeTable(root, index, list) {
    var wrap = el('div', 'table-wrap');
    var table = el('table', 'data lookup-table');
    var head = el('thead');
    var hr = el('tr');
    ['Permission', 'Privilege level', 'Also requires'].forEach(function (h) {
      var th = el('th', null, h);
      th.scope = 'col';
      hr.appendChild(th);
    });
    append(table, append(head, hr));
    var body = el('tbody');
    list.forEach(function (c, i) {
      var tr = el('tr', i === 0 ? 'lookup-first' : null);
      var td = el('td');
      append(td, permissionLink(root, index, c.permission));
      if (c.least_privileged) append(td, ' ', el('span', 'badge badge-least', 'least privileged'));
      else if (c.flagged_least) append(td, ' ', el('span', 'muted', '(also flagged least in permissions.json)'));
      else if (i === 0) append(td, ' ', el('span', 'muted', '(lowest privilege level)'));
      if (i === 1) tr.className = 'lookup-alternatives';
      var lv = el('td');
      if (c.privilege_level === null) append(lv, el('span', 'muted', 'unknown'));
      else append(lv, el('span', 'badge badge-level-' + c.privilege_level, String(c.privilege_level)));
      if (c.risk_tier !== undefined) {
        var tb = el('span', 'badge badge-tier-' + c.risk_tier, 'Tier ' + c.risk_tier);
        tb.title = 'Risk tier from azure-tiering' + (c.risk_tier === 0 ? ': a known path to Global Admin' : '');
        append(lv, ' ', tb);
      }
      var also = el('td');
      if (c.also_requires.length === 0) append(also, el('span', 'muted', '—'));
      c.also_requires.forEach(function (a, j) {
        if (j > 0) append(also, ', ');
        append(also, permissionLink(root, index, a));
      });
      append(body, append(tr, td, lv, also));
    });
    append(table, body);
    return append(wrap, table);
  }

  function renderAnswer(root, index, a) {
    var art = el('article', 'card lookup-answer');
    var h = el('h2', 'lookup-template');
    append(h, methodBadge(a.request.method), ' ', el('code', 'break', a.template));
    append(art, h);
    var meta = el('p', 'lookup-meta');
    append(meta, versionBadges(a.versions));
    if (a.request.path !== a.template) {
      append(meta, el('span', 'muted', ' for '), el('code', 'break', a.request.method + ' ' + (a.request.path || '/')));
    }
    if (a.request.version && a.versions.indexOf(a.request.version) < 0 && a.versions.length > 0) {
      append(meta, ' ', el('span', 'badge badge-admin', 'not listed for ' + a.request.version));
    }
    append(art, meta);
    a.via.forEach(function (v) {
      append(art, el('p', 'note note-info lookup-via', v.note.charAt(0).toUpperCase() + v.note.slice(1) + '.'));
    });
    index.schemes.forEach(function (s) {
      var section = el('section', 'lookup-scheme');
      append(section, el('h3', null, SCHEME_LABELS[s] || s));
      var list = a.schemes[s];
      var why = a.not_usable[s];
      if (why) append(section, el('p', 'empty lookup-not-usable', why.charAt(0).toUpperCase() + why.slice(1) + '.'));
      else if (!list || list.length === 0) append(section, el('p', 'empty', 'Not supported'));
      else append(section, schemeTable(root, index, list));
      append(art, section);
    });
    return art;
  }

  function renderMiss(m) {
    var box = el('div', 'note note-warning lookup-miss');
    var p = el('p');
    if (m.other_methods.length > 0) {
      var known = m.known_path === null ? (m.request.path || '/') : m.known_path;
      if (m.known_path !== null) {
        append(p, 'No known endpoint matches ', methodBadge(m.request.method), ' ', el('code', 'break', m.request.path || '/'), '; ');
      }
      append(p, el('code', 'break', known), ' is known, but not for ', methodBadge(m.request.method),
        '; it is for ');
      m.other_methods.forEach(function (x, i) {
        if (i > 0) append(p, ' ');
        var a = el('a', null, null);
        a.href = '#' + encodeURIComponent(x + ' ' + known);
        append(a, methodBadge(x));
        append(p, a);
      });
      append(p, '.');
      return append(box, p);
    }
    append(p, 'No known endpoint matches ', methodBadge(m.request.method), ' ', el('code', 'break', m.request.path || '/'), '.');
    append(box, p);
    if (m.closest.length > 0) {
      append(box, el('p', null, 'Closest known paths:'));
      var ul = el('ul', 'lookup-closest');
      m.closest.forEach(function (c) { append(ul, append(el('li'), requestLink(m.request.method, c))); });
      append(box, ul);
    }
    return box;
  }

  function renderNoCmdletSource(u) {
    var box = el('div', 'note note-warning lookup-miss');
    append(box, append(el('p'), 'Cannot look up ', el('code', null, u.cmdlet), ': no cmdlet source is loaded.'));
    var p = append(el('p'), 'Cmdlets come from ');
    u.sources.forEach(function (s, i) {
      if (i > 0) append(p, ' or ');
      append(p, el('code', null, s));
    });
    append(box, append(p, '.'));
    return box;
  }

  function renderUnknownCmdlet(u) {
    var box = el('div', 'note note-warning lookup-miss');
    append(box, append(el('p'), 'No cmdlet named ', el('code', null, u.cmdlet), ' in ' + (global.PERMCAT_LOOKUP.cmdlet_source || 'the data') + '.'));
    if (u.closest.length > 0) {
      var p = append(el('p'), 'Did you mean: ');
      u.closest.forEach(function (c, i) {
        if (i > 0) append(p, ', ');
        var a = el('a', null, null);
        a.href = '#' + encodeURIComponent(c);
        append(a, el('code', null, c));
        append(p, a);
      });
      append(box, p);
    }
    return box;
  }

  function renderBatch(b) {
    var art = el('article', 'card lookup-answer lookup-batch');
    var h = el('h2', 'lookup-template');
    append(h, methodBadge(b.request.method), ' ', el('code', 'break', b.template));
    append(art, h, el('p', null, b.note.charAt(0).toUpperCase() + b.note.slice(1) + '.'));
    return art;
  }

  function renderPermissionId(root, index, p) {
    var art = el('article', 'card lookup-answer lookup-permission-id');
    append(art, append(el('h2', 'lookup-template'), el('code', 'break', p.id)));
    p.matches.forEach(function (m) {
      var what = m.type === 'application' ? 'application permission (app role)' : 'delegated permission (OAuth2 scope)';
      append(art, append(el('p'), 'The id of ', permissionLink(root, index, m.permission), ', a ' + what + '.'));
    });
    return art;
  }

  function renderUnknownId(u) {
    var box = el('div', 'note note-warning lookup-miss');
    return append(box, append(el('p'), 'No permission has id ', el('code', 'break', u.id), '.'));
  }

  function renderCover(root, index, report) {
    var section = el('section', 'card lookup-cover');
    var n = report.answers.filter(function (a) { return a.kind === 'endpoint'; }).length;
    append(section, el('h2', null, 'Fewest permissions for all ' + n + ' requests'));
    var wrap = el('div', 'table-wrap');
    var table = el('table', 'data');
    var head = el('tr');
    ['Account type', 'Permissions'].forEach(function (h) {
      var th = el('th', null, h);
      th.scope = 'col';
      head.appendChild(th);
    });
    append(table, append(el('thead'), head));
    var body = el('tbody');
    report.cover.forEach(function (row) {
      var tr = el('tr');
      var th = el('th', null, SCHEME_LABELS[row[0]] || row[0]);
      th.scope = 'row';
      var td = el('td');
      if (row[1] === null) append(td, el('span', 'muted', 'none covers every request'));
      else row[1].forEach(function (n, i) {
        if (i > 0) append(td, ', ');
        append(td, permissionLink(root, index, n));
      });
      append(body, append(tr, th, td));
    });
    append(table, body);
    append(section, append(wrap, table));
    registrationOf(section, report);
    return section;
  }

  // The cover as an app registration, one per account type, in the forms `permcat
  // registration` writes (audit.js renders them; the page loads it with the audit index).
  function registrationOf(section, report) {
    if (!global.permcatNeededPicks || !global.permcatRegistrationBlocks || !global.PERMCAT_AUDIT) return;
    [['DelegatedWork', 'delegated'], ['Application', 'application']].forEach(function (t) {
      var row = report.cover.filter(function (r) { return r[0] === t[0]; })[0];
      if (!row || !row[1] || row[1].length === 0) return;
      var picks = global.permcatNeededPicks({ verdicts: [{ scheme: t[0], needed: row[1] }] });
      if (picks.length === 0) return;
      var details = el('details', 'fold registration');
      append(details, el('summary', null, 'Register the ' + t[1] + ' permissions: manifest, Azure CLI, PowerShell, Terraform'));
      global.permcatRegistrationBlocks(details, picks, 'cover-reg-' + t[0] + '-');
      append(section, details);
    });
  }

  // The method of an earlier line that a later line's URLs take, as the CLI does
  // across arguments; null when every line says its own or relies on GET.
  function carriedMethod(text) {
    var method = null;
    var lines = String(text).split(/\r\n|\r|\n/);
    for (var i = 0; i < lines.length; i++) {
      var own = false;
      var words = tokens(lines[i]);
      for (var j = 0; j < words.length; j++) {
        var upper = asciiUpper(words[j]);
        if (METHODS.indexOf(upper) >= 0) { method = upper; own = true; }
        else if (!own && !isCmdlet(words[j]) && method !== null && method !== 'GET') return method;
      }
    }
    return null;
  }

  function render(results, root, index, report, ms, text) {
    while (results.firstChild) results.removeChild(results.firstChild);
    if (report.answers.length === 0) return;
    var count = function (kinds) {
      return report.answers.filter(function (a) { return kinds.indexOf(a.kind) >= 0; }).length;
    };
    var misses = count(['miss', 'unknown_id']);
    var unknown = count(['unknown_cmdlet', 'no_cmdlet_source']);
    var summary = count(['endpoint', 'batch', 'permission']) + ' answered';
    if (misses) summary += ', ' + misses + ' not found';
    if (unknown) summary += ', ' + unknown + ' unknown cmdlet' + (unknown === 1 ? '' : 's');
    append(results, el('p', 'lookup-summary muted', summary + ' (' + ms.toFixed(1) + ' ms).'));
    var carried = carriedMethod(text);
    if (carried) {
      append(results, append(el('p', 'note note-info lookup-carried'), 'A method applies to every URL after it, on later lines too, as with ',
        el('code', null, 'permcat which'), ': lines after ', methodBadge(carried), ' without a method of their own are ', carried,
        ' requests. Start a line with ', methodBadge('GET'), ' to go back.'));
    }
    if (report.cover.length > 0) append(results, renderCover(root, index, report));
    report.answers.forEach(function (a) {
      switch (a.kind) {
        case 'endpoint': append(results, renderAnswer(root, index, a)); break;
        case 'batch': append(results, renderBatch(a)); break;
        case 'permission': append(results, renderPermissionId(root, index, a)); break;
        case 'unknown_id': append(results, renderUnknownId(a)); break;
        case 'unknown_cmdlet': append(results, renderUnknownCmdlet(a)); break;
        case 'no_cmdlet_source': append(results, renderNoCmdletSource(a)); break;
        default: append(results, renderMiss(a));
      }
    });

    // The same JSON as `permcat which --json`; permcat.js copies it.
    var details = el('details', 'lookup-json');
    append(details, el('summary', null, 'JSON (as permcat which --json)'));
    var button = el('button', 'copy', 'Copy as JSON');
    button.type = 'button';
    button.setAttribute('data-copy-target', 'lookup-json');
    var pre = el('pre', null, JSON.stringify(report, null, 2));
    pre.id = 'lookup-json';
    pre.tabIndex = 0; // it scrolls: keyboard users reach it to scroll it
    append(details, append(el('p', 'actions'), button), pre);
    append(results, details);
  }

  // The hash holds the input (`#GET%20%2Fme%2Fmessages`, `#Get-MgUser`): the site search
  // links here that way, and it makes a lookup shareable.
  function hashText() {
    var h = global.location ? global.location.hash.slice(1) : '';
    if (!h) return '';
    try { return decodeURIComponent(h); } catch (e) { return h; }
  }

  function writeHash(text) {
    try {
      if (global.history && global.history.replaceState) {
        global.history.replaceState(null, '', text ? '#' + encodeURIComponent(text) : global.location.pathname + global.location.search);
      }
    } catch (e) { /* some browsers refuse replaceState on file://: the lookup still shows */ }
  }

  function init() {
    var form = doc.querySelector('[data-lookup-form]');
    var input = doc.querySelector('[data-lookup-input]');
    var results = doc.querySelector('[data-lookup-results]');
    if (!form || !input || !results) return;
    var root = form.getAttribute('data-root') || '';

    function run(text) {
      var index = global.PERMCAT_LOOKUP;
      if (!index) {
        while (results.firstChild) results.removeChild(results.firstChild);
        append(results, el('p', 'note note-warning', 'The lookup index (assets/lookup-index.js) did not load.'));
        return;
      }
      var now = global.performance && global.performance.now ? function () { return global.performance.now(); } : Date.now;
      var t0 = now();
      var report = permcatLookup(text);
      render(results, root, index, report, now() - t0, text);
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      writeHash(trim(input.value));
      run(input.value);
    });
    // Ctrl+Enter submits from the textarea, where Enter adds a line.
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    });
    function fromHash() {
      var text = hashText();
      if (!text) return;
      input.value = text;
      run(text);
    }
    global.addEventListener('hashchange', fromHash);
    fromHash();
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', init);
  else init();
})(typeof window !== 'undefined' ? window : this);
