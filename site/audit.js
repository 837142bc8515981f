/* permcat "Check an app": the audit of src/audit/ in the browser, offline.
 *
 * window.permcatAudit(input, requests) returns exactly what `permcat audit --json`
 * prints for the same input file and --requests file (requests empty: no --requests),
 * or { error } where the CLI exits 2. It reads assets/lookup-index.js
 * (PERMCAT_LOOKUP: names, requests), assets/audit-index.js (PERMCAT_AUDIT: GUIDs, types,
 * tiers) and the readings lookup.js shares (permcatLookupParts). Keep it in step with
 * src/audit/mod.rs and src/audit/input.rs; the browser tests compare the two.
 */
(function (global) {
  'use strict';

  var GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
  var AUDITED = ['DelegatedWork', 'Application'];
  var KIND_OF = { DelegatedWork: 'delegated', DelegatedPersonal: 'delegated', Application: 'application' };

  function parts() {
    var p = global.permcatLookupParts;
    if (!p) throw new Error('the lookup script (assets/lookup.js) is not loaded');
    return p;
  }

  /* ---------------------------------------------------------------- input (src/audit/input.rs) */

  function failure(message) {
    var e = new Error(message);
    e.permcat = true;
    return e;
  }

  function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
  function get(v, key) { return isObject(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined; }
  function strOf(v, key) {
    var s = get(v, key);
    return typeof s === 'string' ? parts().trim(s) : null;
  }
  function items(value) {
    if (Array.isArray(value)) return value;
    var v = get(value, 'value');
    return Array.isArray(v) ? v : null;
  }

  function detect(value) {
    if (get(value, 'requiredResourceAccess') !== undefined) return 'manifest';
    var list = items(value);
    if (!list) return null;
    var has = function (key) { return list.some(function (i) { return get(i, key) !== undefined; }); };
    if (has('requiredResourceAccess') || has('resourceAccess')) return 'manifest';
    if (has('appRoleId')) return 'assignments';
    if (has('scope')) return 'grants';
    if (list.length === 0 && get(value, 'value') !== undefined) return 'assignments';
    return null;
  }

  function claimed(input, line, app, resourceName, kind, id) {
    return { input: input, line: line, resource_app_id: app, resource_name: resourceName, kind: kind, id: id };
  }

  function manifest(name, value) {
    var entries = function (rra) {
      if (!Array.isArray(rra)) throw failure('`' + name + '`: requiredResourceAccess is not a list');
      return rra;
    };
    var resources = [];
    if (get(value, 'requiredResourceAccess') !== undefined) {
      resources = entries(value.requiredResourceAccess).slice();
    } else {
      var list = items(value);
      if (!list) throw failure('`' + name + '`: no requiredResourceAccess');
      list.forEach(function (item) {
        var rra = get(item, 'requiredResourceAccess');
        if (rra !== undefined) resources = resources.concat(entries(rra));
        else if (get(item, 'resourceAccess') !== undefined) resources.push(item);
      });
    }
    var out = [];
    resources.forEach(function (r) {
      var app = strOf(r, 'resourceAppId');
      if (app !== null) app = parts().asciiLower(app);
      var access = get(r, 'resourceAccess');
      if (!Array.isArray(access)) throw failure('`' + name + '`: a requiredResourceAccess entry without a resourceAccess list');
      access.forEach(function (a) {
        var id = strOf(a, 'id');
        if (id === null) id = '';
        var t = strOf(a, 'type');
        t = t === null ? null : parts().asciiLower(t);
        var kind = t === 'scope' ? 'delegated' : t === 'role' ? 'application' : null;
        out.push(claimed(id, null, app, null, kind, parts().parseGuid(id)));
      });
    });
    return out;
  }

  function assignments(name, value) {
    var list = items(value);
    if (!list) throw failure('`' + name + '`: not a list of app role assignments');
    var out = [];
    list.forEach(function (a) {
      var id = strOf(a, 'appRoleId');
      if (id === null) return;
      out.push(claimed(id, null, null, strOf(a, 'resourceDisplayName'), 'application', parts().parseGuid(id)));
    });
    return out;
  }

  function splitWhitespace(s) {
    var out = [];
    var cur = '';
    for (var i = 0; i < s.length; i++) {
      if (parts().isSpace(s.charCodeAt(i))) { if (cur) out.push(cur); cur = ''; } else cur += s.charAt(i);
    }
    if (cur) out.push(cur);
    return out;
  }

  function grants(name, value) {
    var list = items(value);
    if (!list) throw failure('`' + name + '`: not a list of oauth2PermissionGrants');
    var out = [];
    list.forEach(function (g) {
      var scope = strOf(g, 'scope');
      splitWhitespace(scope === null ? '' : scope).forEach(function (word) {
        out.push(claimed(word, null, null, strOf(g, 'resourceDisplayName'), 'delegated', null));
      });
    });
    return out;
  }

  // str::lines: split on \n, a trailing \r dropped, no last empty line.
  function lines(text) {
    var out = text.split('\n');
    if (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out.map(function (l) { return l.charAt(l.length - 1) === '\r' ? l.slice(0, -1) : l; });
  }

  function list(name, text) {
    var out = [];
    lines(text).forEach(function (raw, i) {
      var line = parts().trim(raw.split('#')[0]);
      if (!line) return;
      var words = splitWhitespace(line);
      var first = words[0];
      var kind = null;
      if (words.length > 1) {
        var t = parts().asciiLower(words[1]);
        if (t === 'delegated' || t === 'scope') kind = 'delegated';
        else if (t === 'application' || t === 'role' || t === 'app') kind = 'application';
        else throw failure('`' + name + '`:' + (i + 1) + ': `' + words[1] + '` after `' + first + '`: the type is `delegated` or `application`');
      }
      if (words.length > 2) throw failure('`' + name + '`:' + (i + 1) + ': unexpected `' + words[2] + '`: one permission per line');
      out.push(claimed(first, i + 1, null, null, kind, parts().parseGuid(first)));
    });
    return out;
  }

  function readInput(name, text, format) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (!parts().trim(text)) throw failure('`' + name + '` is empty: pass an app manifest, a Graph response or a list of permissions');
    var start = parts().trim(text).charAt(0);
    var looksJson = start === '{' || start === '[';
    if (format === 'list' || ((format || 'auto') === 'auto' && !looksJson)) return { format: 'list', claimed: list(name, text) };
    var value;
    try { value = JSON.parse(text); } catch (e) { throw failure('`' + name + '`: invalid JSON: ' + e.message); }
    var detected = format && format !== 'auto' ? format : detect(value);
    if (!detected) {
      throw failure('`' + name + '`: neither an app manifest (requiredResourceAccess), an appRoleAssignments nor an oauth2PermissionGrants response; pass --input-format to say which');
    }
    var read = { manifest: manifest, assignments: assignments, grants: grants }[detected];
    return { format: detected, claimed: read(name, value) };
  }

  /* ---------------------------------------------------------------- resolving (src/audit/mod.rs) */

  function Catalog(lookup, audit) {
    this.lookup = lookup;
    this.audit = audit;
    this.suggested = 0;
    this.byName = {};
    for (var i = 0; i < lookup.names.length; i++) this.byName['$' + lookup.names[i]] = i;
  }

  // Catalog::permission_ignore_case: the exact name, else the first in catalog order
  // that equals it ignoring ASCII case.
  Catalog.prototype.permissionIgnoreCase = function (name) {
    var exact = this.byName['$' + name];
    if (exact !== undefined) return exact;
    var lower = parts().asciiLower(name);
    for (var i = 0; i < this.lookup.names.length; i++) {
      if (parts().asciiLower(this.lookup.names[i]) === lower) return i;
    }
    return -1;
  };

  // model::closest_names, on the first 128 characters of the query.
  Catalog.prototype.closestNames = function (query, n) {
    var P = parts();
    var q = P.codePoints(query).slice(0, 128).map(function (c) { return String.fromCodePoint(c); }).join('');
    q = P.asciiLower(P.trim(q));
    return this.lookup.names
      .map(function (name) {
        var lower = P.asciiLower(name);
        var similar = P.jaroWinkler(q, lower);
        var score = lower.indexOf(q) >= 0 || q.indexOf(lower) >= 0 ? 1 + similar : similar;
        return [score, name];
      })
      .filter(function (s) { return s[0] >= 0.85; })
      .sort(function (a, b) { return b[0] - a[0] || P.cmpStr(a[1], b[1]); })
      .slice(0, n)
      .map(function (s) { return s[1]; });
  };

  Catalog.prototype.facts = function (i, kind) {
    var row = this.audit.types[i];
    return row ? row[kind === 'delegated' ? 0 : 1] : null;
  };

  Catalog.prototype.appName = function (appId) {
    if (appId === null || appId === undefined) return null;
    var n = this.audit.apps[parts().asciiLower(appId)];
    return n === undefined ? null : n;
  };

  function appLabel(cat, f) {
    var n = cat.appName(f[2]);
    return n === null ? 'resource app ' + f[2] : n + ' (' + f[2] + ')';
  }

  function graph(cat, c, i, kind) {
    var f = cat.facts(i, kind) || { id: null, privilege_level: null, requires_admin_consent: null, risk: null };
    return {
      input: c.input,
      line: c.line,
      status: 'graph',
      permission: cat.lookup.names[i],
      type: kind,
      id: f.id,
      resource_app_id: GRAPH_APP_ID,
      resource_app: 'Microsoft Graph',
      requires_admin_consent: f.requires_admin_consent,
      privilege_level: f.privilege_level,
      risk: f.risk,
      note: null
    };
  }

  function other(cat, c, status, note) {
    var app = cat.appName(c.resource_app_id);
    return {
      input: c.input,
      line: c.line,
      status: status,
      permission: null,
      type: c.kind,
      id: c.id,
      resource_app_id: c.resource_app_id,
      resource_app: app !== null ? app : c.resource_name,
      requires_admin_consent: null,
      privilege_level: null,
      risk: null,
      note: note
    };
  }

  function resolve(cat, c) {
    var forGraph = c.resource_app_id === null || c.resource_app_id === GRAPH_APP_ID;
    var g;
    if (c.id !== null) {
      var foreign = cat.audit.foreign[c.id] || [];
      if (!forGraph) {
        var known = foreign.filter(function (f) { return f[2] === c.resource_app_id; })[0];
        g = other(cat, c, 'other-resource-app', known ? known[0] + ' (' + known[1] + ')' : null);
        g.permission = known ? known[0] : null;
        return [g];
      }
      var byId = cat.audit.by_id[c.id];
      if (byId) {
        g = graph(cat, c, byId[0], byId[1]);
        if (c.kind !== null && c.kind !== byId[1]) {
          g.note = 'the input calls it ' + c.kind + ', but ' + c.id + ' is the ' + byId[1] + ' id of ' + cat.lookup.names[byId[0]];
        }
        return [g];
      }
      if (foreign.length > 0) {
        var f = foreign[0];
        g = other(cat, c, 'other-resource-app', f[0] + ' (' + f[1] + ') of ' + appLabel(cat, f));
        g.permission = f[0];
        g.resource_app_id = f[2];
        g.resource_app = cat.appName(f[2]);
        return [g];
      }
      var tiered = cat.audit.unlisted[c.id];
      var note;
      if (tiered) {
        note = "not in Microsoft's permission files; azure-tiering names it " + tiered[0] + ' (' + (tiered[1] === null ? 'not tiered yet' : 'Tier ' + tiered[1]) + ')';
      } else if (c.id === '00000000-0000-0000-0000-000000000000') {
        note = 'the default app role: access to the app without a permission';
      } else if (c.resource_name !== null && c.resource_name !== 'Microsoft Graph') {
        return [other(cat, c, 'other-resource-app', null)];
      } else {
        note = 'no Microsoft Graph permission has this id';
      }
      g = other(cat, c, 'unknown', note);
      if (tiered) {
        g.permission = tiered[0];
        g.risk = { tier: tiered[1], tier_name: null, path_type: null, shortest_path: null, disagrees_with_privilege_level: false };
      }
      return [g];
    }
    if (!forGraph) return [other(cat, c, 'other-resource-app', null)];
    var i = cat.permissionIgnoreCase(c.input);
    if (i < 0) {
      if (c.resource_name !== null && c.resource_name !== 'Microsoft Graph') return [other(cat, c, 'other-resource-app', null)];
      // SUGGESTED_NAMES in src/audit/mod.rs: the first 100 unknown names only.
      var close = [];
      if (cat.suggested < 100) {
        cat.suggested++;
        close = cat.closestNames(c.input, 3);
      }
      return [other(cat, c, 'unknown', close.length === 0
        ? 'no Microsoft Graph permission has this name'
        : 'no Microsoft Graph permission has this name; did you mean ' + close.join(', ') + '?')];
    }
    var kinds = c.kind !== null ? [c.kind] : ['delegated', 'application'].filter(function (k) { return cat.facts(i, k) !== null; });
    if (kinds.every(function (k) { return cat.facts(i, k) === null; })) {
      g = other(cat, c, 'unknown', cat.lookup.names[i] + ' has no ' + (c.kind || '') + ' type');
      g.permission = cat.lookup.names[i];
      return [g];
    }
    return kinds.map(function (k) { return graph(cat, c, i, k); });
  }

  /* ---------------------------------------------------------------- requests */

  // Lookup::query for one argument: the request line as one piece.
  function query(index, arg) {
    var P = parts();
    var NO_REQUEST = 'no request given: pass a URL such as /me/messages or a cmdlet such as Get-MgUser';
    arg = P.trim(arg);
    if (!arg || P.METHODS.indexOf(P.asciiUpper(arg)) >= 0) return { error: NO_REQUEST };
    var space = -1;
    for (var k = 0; k < arg.length; k++) if (P.isSpace(arg.charCodeAt(k))) { space = k; break; }
    if (space >= 0) {
      var m = P.asciiUpper(arg.slice(0, space));
      if (P.METHODS.indexOf(m) >= 0) return { outcomes: [P.answer(index, P.parseRequest(m, P.trim(arg.slice(space + 1))))] };
    }
    var id = P.parseGuid(arg);
    if (id !== null) return { outcomes: [P.permissionId(index, id)] };
    if (P.isCmdlet(arg) && (index.cmdlet_sources_missing || []).length > 0) return { outcomes: [{ kind: 'no_cmdlet_source' }] };
    if (P.isCmdlet(arg)) {
      var found = P.cmdletRequests(index, arg);
      if (found.length === 0) return { outcomes: [{ kind: 'unknown_cmdlet' }] };
      return { outcomes: found.map(function (r) { return P.answer(index, r); }) };
    }
    return { outcomes: [P.answer(index, P.parseRequest(null, arg))] };
  }

  function requestLines(text) {
    var out = [];
    text.split('\n').forEach(function (raw, n) {
      var t = parts().trim(raw);
      if (t && t.charAt(0) !== '#') out.push([n + 1, t]);
    });
    return out;
  }

  function allows(granted, permission, also) {
    return granted['$' + permission] === true && also.every(function (a) { return granted['$' + a] === true; });
  }

  function weigh(index, grantsList, lines) {
    var P = parts();
    var granted = {};
    AUDITED.forEach(function (s) {
      granted[s] = {};
      grantsList.forEach(function (g) {
        if (g.status === 'graph' && g.type === KIND_OF[s] && g.permission !== null) granted[s]['$' + g.permission] = true;
      });
    });
    var names = function (set) { return Object.keys(set).map(function (k) { return k.slice(1); }).sort(P.cmpStr); };
    var audited = AUDITED.filter(function (s) { return names(granted[s]).length > 0; });
    if (audited.length === 0) audited = AUDITED.slice();
    var needs = [];
    var answers = [];
    lines.forEach(function (l) {
      var q = query(index, l[1]);
      if (q.error) {
        needs.push({ input: l[1], line: l[0], template: null, least_privileged: {}, allowed_by: {}, note: q.error });
        return;
      }
      q.outcomes.forEach(function (o) {
        var need = { input: l[1], line: l[0], template: null, least_privileged: {}, allowed_by: {}, note: null };
        if (o.kind === 'endpoint') {
          need.template = o.template;
          AUDITED.forEach(function (s) {
            var list = o.schemes[s] && o.schemes[s].length > 0 ? o.schemes[s] : null;
            need.least_privileged[s] = list ? list[0].permission : null;
            need.allowed_by[s] = (list || [])
              .filter(function (c) { return allows(granted[s], c.permission, c.also_requires); })
              .map(function (c) { return c.permission; });
          });
          answers.push([needs.length, o]);
        } else if (o.kind === 'batch') {
          need.template = o.template;
          need.note = o.note;
        } else if (o.kind === 'miss') {
          need.note = 'no known endpoint matches this request';
        } else if (o.kind === 'permission' || o.kind === 'unknown_id') {
          need.note = 'a permission id, not a request';
        } else if (o.kind === 'unknown_cmdlet') {
          need.note = 'no known cmdlet has this name';
        } else {
          need.note = 'no cmdlet source is loaded';
        }
        needs.push(need);
      });
    });
    var verdicts = audited.map(function (s) {
      var hasList = function (a) { return a[1].schemes[s] && a[1].schemes[s].length > 0; };
      var possible = answers.filter(hasList);
      var notPossible = answers.filter(function (a) { return !hasList(a); }).map(function (a) { return needs[a[0]].input; });
      var needed = P.cover(possible.map(function (a) { return a[1]; }), s) || [];
      var unmet = possible.filter(function (a) { var x = needs[a[0]].allowed_by[s]; return !x || x.length === 0; });
      var missing = P.cover(unmet.map(function (a) { return a[1]; }), s) || [];
      var excess = names(granted[s])
        .filter(function (p) { return needed.indexOf(p) < 0; })
        .map(function (p) {
          return {
            permission: p,
            allows_requests: possible.filter(function (a) { return needs[a[0]].allowed_by[s].indexOf(p) >= 0; }).length
          };
        });
      return { scheme: s, needed: needed, missing: missing, excess: excess, not_possible: notPossible };
    });
    return { needs: needs, verdicts: verdicts };
  }

  // permcat audit --json for an input text and a requests text (empty: no --requests).
  function permcatAudit(inputText, requestsText, inputFormat) {
    var lookup = global.PERMCAT_LOOKUP;
    var auditIndex = global.PERMCAT_AUDIT;
    if (!lookup) return { error: 'the lookup index (assets/lookup-index.js) is not loaded' };
    if (!auditIndex) return { error: 'the audit index (assets/audit-index.js) is not loaded' };
    try {
      var cat = new Catalog(lookup, auditIndex);
      var input = readInput('input', String(inputText === undefined || inputText === null ? '' : inputText), inputFormat);
      var resolved = [];
      input.claimed.forEach(function (c) { resolved = resolved.concat(resolve(cat, c)); });
      var tier0 = {};
      resolved.forEach(function (g) { if (g.risk && g.risk.tier === 0 && g.permission !== null) tier0['$' + g.permission] = true; });
      var findings = {
        tier0: Object.keys(tier0).map(function (k) { return k.slice(1); }).sort(parts().cmpStr),
        excess: 0,
        missing: 0,
        unknown: resolved.filter(function (g) { return g.status === 'unknown'; }).length
      };
      var requests = null;
      var verdicts = null;
      var text = requestsText === undefined || requestsText === null ? '' : String(requestsText);
      if (parts().trim(text)) {
        var lines = requestLines(text);
        if (lines.length === 0) throw failure('no request in the requests: write one request or cmdlet per line');
        var w = weigh(lookup, resolved, lines);
        requests = w.needs;
        verdicts = w.verdicts;
        findings.unknown += requests.filter(function (n) { return n.template === null; }).length;
        verdicts.forEach(function (v) { findings.excess += v.excess.length; findings.missing += v.missing.length; });
      }
      return {
        format: 'permcat.audit',
        version: 1,
        data_date: auditIndex.data_date,
        input_format: input.format,
        grants: resolved,
        requests: requests,
        verdicts: verdicts,
        findings: findings,
        risk_tiers_loaded: auditIndex.risk_tiers_loaded
      };
    } catch (e) {
      if (e && e.permcat) return { error: e.message };
      throw e;
    }
  }

  /* ---------------------------------------------------------------- registration (src/registration.rs) */

  function safeName(name) {
    return name.replace(/[^A-Za-z0-9._-]/g, '?');
  }

  function accessType(p) { return p.type === 'delegated' ? 'Scope' : 'Role'; }

  var FORMS = [
    ['json', 'App manifest (requiredResourceAccess)'],
    ['az', 'Azure CLI'],
    ['powershell', 'Microsoft Graph PowerShell'],
    ['terraform', 'Terraform (azuread)']
  ];

  function render(picks, form) {
    var out = [];
    if (form === 'json') {
      var doc = { requiredResourceAccess: [{ resourceAppId: GRAPH_APP_ID, resourceAccess: picks.map(function (p) { return { id: p.id, type: accessType(p) }; }) }] };
      return JSON.stringify(doc, null, 2) + '\n';
    }
    if (form === 'az') {
      out.push('# Microsoft Graph permissions; replace <app-id> with the application (client) id.');
      picks.forEach(function (p) { out.push('# ' + p.id + ' = ' + safeName(p.permission) + ' (' + p.type + ')'); });
      out.push('az ad app permission add --id <app-id> --api ' + GRAPH_APP_ID + ' --api-permissions ' +
        picks.map(function (p) { return p.id + '=' + accessType(p); }).join(' '));
      if (picks.some(function (p) { return p.admin_consent; })) {
        out.push('# An administrator must consent:');
        out.push('az ad app permission admin-consent --id <app-id>');
      }
      return out.join('\n') + '\n';
    }
    if (form === 'powershell') {
      out.push("# Microsoft Graph permissions; replace <app-object-id> with the application's object id.");
      out.push('# Update-MgApplication replaces the whole list: add the entries of other APIs the app keeps.');
      out.push('Connect-MgGraph -Scopes "Application.ReadWrite.All"');
      out.push('$graph = @{');
      out.push('    ResourceAppId  = "' + GRAPH_APP_ID + '"');
      out.push('    ResourceAccess = @(');
      picks.forEach(function (p, i) {
        out.push('        @{ Id = "' + p.id + '"; Type = "' + accessType(p) + '" }' + (i + 1 < picks.length ? ',' : '') +
          '  # ' + safeName(p.permission) + ' (' + p.type + ')');
      });
      out.push('    )');
      out.push('}');
      out.push('Update-MgApplication -ApplicationId "<app-object-id>" -RequiredResourceAccess @($graph)');
      return out.join('\n') + '\n';
    }
    out.push('# Microsoft Graph permissions (hashicorp/azuread provider).');
    out.push('resource "azuread_application" "app" {');
    out.push('  display_name = "app"');
    out.push('');
    out.push('  required_resource_access {');
    out.push('    resource_app_id = "' + GRAPH_APP_ID + '" # Microsoft Graph');
    picks.forEach(function (p) {
      out.push('');
      out.push('    resource_access {');
      out.push('      id   = "' + p.id + '" # ' + safeName(p.permission) + ' (' + p.type + ')');
      out.push('      type = "' + accessType(p) + '"');
      out.push('    }');
    });
    out.push('  }');
    out.push('}');
    return out.join('\n') + '\n';
  }

  var GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  // registration::picks for the needed set of an audit, in verdict order, each once.
  function neededPicks(audit) {
    var lookup = global.PERMCAT_LOOKUP;
    var cat = new Catalog(lookup, global.PERMCAT_AUDIT);
    var out = [];
    var seen = {};
    (audit.verdicts || []).forEach(function (v) {
      var kind = KIND_OF[v.scheme];
      v.needed.forEach(function (name) {
        var i = cat.permissionIgnoreCase(name);
        var f = i < 0 ? null : cat.facts(i, kind);
        if (!f || !f.id || !GUID.test(f.id)) return;
        var key = kind + ' ' + lookup.names[i];
        if (seen[key]) return;
        seen[key] = true;
        out.push({ permission: lookup.names[i], type: kind, id: f.id, admin_consent: kind === 'application' || f.requires_admin_consent === true });
      });
    });
    return out;
  }

  global.permcatAudit = permcatAudit;
  global.permcatRegistration = function (picks, form) { return render(picks, form); };
  global.permcatNeededPicks = neededPicks;

  /* ================================================================ the page */

  if (typeof document === 'undefined' || !document.querySelector) return;
  var doc = document;
  var SCHEME_LABELS = {
    DelegatedWork: 'Delegated (work or school account)',
    Application: 'Application'
  };

  function el(tag, className, text) {
    var e = doc.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function append(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      parent.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
    }
    return parent;
  }
  function table(headers) {
    var t = el('table', 'data');
    var tr = el('tr');
    headers.forEach(function (h) { var th = el('th', null, h); th.scope = 'col'; tr.appendChild(th); });
    append(t, append(el('thead'), tr));
    var body = el('tbody');
    t.appendChild(body);
    return { table: t, body: body };
  }
  function permissionLink(root, name) {
    var lookup = global.PERMCAT_LOOKUP;
    var i = lookup.names.indexOf(name);
    if (i < 0) return el('code', null, name);
    var slug = (lookup.slugs && lookup.slugs[i]) || name;
    var a = el('a', null, name);
    a.href = root + 'permissions/' + encodeURIComponent(slug) + '.html';
    return a;
  }
  function tierBadge(risk) {
    if (!risk) return el('span', 'muted', '—');
    if (risk.tier === null) return el('span', 'muted', 'not tiered yet');
    var b = el('span', 'badge badge-tier-' + risk.tier, 'Tier ' + risk.tier);
    if (risk.tier_name) b.title = risk.tier_name;
    return b;
  }

  // The four forms of `picks`, each under a heading with a copy button; the code
  // elements' ids are `prefix` + the form id. The lookup page's cover uses it too.
  function registrationBlocks(parent, picks, prefix) {
    FORMS.forEach(function (f) {
      append(parent, el('h3', 'registration-form', f[1]));
      var id = prefix + f[0];
      var button = el('button', 'copy no-print', 'Copy');
      button.type = 'button';
      button.setAttribute('data-copy-target', id);
      var code = el('code', null, render(picks, f[0]));
      code.id = id;
      var pre = append(el('pre', 'code'), code);
      pre.tabIndex = 0;
      append(parent, append(el('div', 'code-block'), button, pre));
    });
  }
  global.permcatRegistrationBlocks = registrationBlocks;

  function renderAudit(results, root, a) {
    while (results.firstChild) results.removeChild(results.firstChild);
    if (a.error) {
      append(results, el('p', 'note note-warning', a.error));
      return;
    }
    var f = a.findings;
    append(results, el('p', 'audit-findings' + (f.tier0.length || f.missing || f.unknown ? ' note note-warning' : ' note note-info'),
      f.tier0.length + ' Tier-0 grant' + (f.tier0.length === 1 ? '' : 's') + (f.tier0.length ? ' (' + f.tier0.join(', ') + ')' : '') +
      ' · ' + f.excess + ' excess · ' + f.missing + ' missing · ' + f.unknown + ' unknown'));
    if (!a.risk_tiers_loaded) append(results, el('p', 'source', 'Risk tiers are not loaded (azure-tiering is not in the data): Tier 0 is not checked.'));

    append(results, el('h2', null, 'Grants (' + a.grants.length + ', read as ' + a.input_format + ')'));
    if (a.grants.length === 0) append(results, el('p', 'empty', 'The input grants nothing.'));
    else if (!a.grants.some(function (g) { return g.status === 'graph'; })) append(results, el('p', 'note note-info', 'No Microsoft Graph permission is granted.'));
    var g = table(['Permission', 'Type', 'GUID', 'Status', 'Privilege level', 'Risk tier']);
    a.grants.forEach(function (x) {
      var tr = el('tr');
      var name = el('td');
      if (x.status === 'graph') append(name, permissionLink(root, x.permission));
      else append(name, el('code', null, x.permission || x.input));
      if (x.note) append(name, el('br'), el('span', 'muted', x.note));
      var status = x.status === 'graph' ? 'Microsoft Graph' : x.status === 'unknown' ? 'unknown' : 'other resource app' + (x.resource_app ? ': ' + x.resource_app : '');
      var risk = el('td');
      append(risk, tierBadge(x.risk));
      if (x.risk && x.risk.disagrees_with_privilege_level) append(risk, ' ', el('span', 'badge badge-changed', 'disagrees with level ' + x.privilege_level));
      if (x.risk && x.risk.shortest_path) append(risk, el('br'), el('span', 'muted', x.risk.shortest_path));
      append(g.body, append(tr, name, el('td', null, x.type || ''), append(el('td'), el('code', null, x.id || '')),
        el('td', null, status), el('td', null, x.privilege_level === null ? '' : x.privilege_level), risk));
    });
    append(results, g.table);

    if (a.requests) {
      append(results, el('h2', null, 'Requests (' + a.requests.length + ')'));
      var r = table(['Request'].concat(AUDITED.map(function (s) { return SCHEME_LABELS[s]; })));
      a.requests.forEach(function (n) {
        var tr = el('tr');
        var req = append(el('td'), el('code', null, n.input));
        if (n.note) append(req, el('br'), el('span', 'muted', n.note));
        append(tr, req);
        AUDITED.forEach(function (s) {
          var td = el('td');
          if (!(s in n.least_privileged)) append(td, el('span', 'muted', '—'));
          else if (n.least_privileged[s] === null) append(td, el('span', 'muted', 'not possible'));
          else {
            append(td, permissionLink(root, n.least_privileged[s]));
            var by = n.allowed_by[s];
            append(td, el('br'), el('span', by.length ? 'muted' : 'badge badge-admin', by.length ? 'granted: ' + by.join(', ') : 'not granted'));
          }
          append(tr, td);
        });
        append(r.body, tr);
      });
      append(results, r.table);
      a.verdicts.forEach(function (v) {
        append(results, el('h2', null, SCHEME_LABELS[v.scheme]));
        var dl = el('dl', 'facts');
        var row = function (label, items) {
          append(dl, el('dt', null, label));
          var dd = el('dd');
          if (items.length === 0) append(dd, el('span', 'muted', 'none'));
          items.forEach(function (it, i) { if (i) append(dd, ', '); append(dd, it); });
          append(dl, dd);
        };
        row('Needed', v.needed.map(function (p) { return permissionLink(root, p); }));
        row('Missing', v.missing.map(function (p) { return permissionLink(root, p); }));
        row('Excess', v.excess.map(function (e) {
          return append(el('span'), permissionLink(root, e.permission), ' (' + (e.allows_requests === 0 ? 'needed by no request' : 'broader than needed') + ')');
        }));
        if (v.not_possible.length) row('Not possible with this type', v.not_possible.map(function (p) { return el('code', null, p); }));
        append(results, dl);
      });
      var picks = neededPicks(a);
      if (picks.length) {
        append(results, el('h2', null, 'Registration of the needed permissions'));
        registrationBlocks(results, picks, 'audit-reg-');
      }
    }
  }

  function init() {
    var form = doc.querySelector('[data-audit-form]');
    var results = doc.querySelector('[data-audit-results]');
    if (!form || !results) return;
    var root = form.getAttribute('data-root') || '';
    var input = form.querySelector('[data-audit-input]');
    var requests = form.querySelector('[data-audit-requests]');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      renderAudit(results, root, permcatAudit(input.value, requests.value));
    });
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', init);
  else init();
})(typeof window !== 'undefined' ? window : this);
