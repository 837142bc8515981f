/* permcat.js — progressive enhancement for the permcat static catalog.
 * Classic script (no modules, no build step), safe under a strict CSP
 * (no eval, no inline styles in markup, no innerHTML) and when opened from file://.
 * Every page works without it; this adds the theme toggle, tabs, copy/print
 * buttons, index filters and the description language switch. */
(function () {
  'use strict';

  var doc = document;
  var root = doc.documentElement;
  var KEY_THEME = 'permcat-theme';
  var KEY_CODE_LANG = 'permcat-code-lang';
  var KEY_LANG = 'permcat-lang';

  /* ---------------------------------------------------------------- helpers */

  // localStorage throws in some browsers on file://, in private modes or when full:
  // treat every failure as "nothing stored" so the page keeps working.
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* choice just isn't remembered */ }
  }

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function words(value) {
    return String(value || '').toLowerCase().split(/\s+/).filter(Boolean);
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  /* ---------------------------------------------------------------- theme */

  // Applied at the very start of the script (not on DOMContentLoaded) so a stored
  // choice lands before first paint whenever the browser allows it.
  var darkQuery = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var storedTheme = load(KEY_THEME);
  if (storedTheme === 'light' || storedTheme === 'dark') root.setAttribute('data-theme', storedTheme);

  // The effective theme: the attribute if set, otherwise what the system prefers
  // (the stylesheet follows prefers-color-scheme when the attribute is absent).
  function currentTheme() {
    var theme = root.getAttribute('data-theme');
    if (theme === 'light' || theme === 'dark') return theme;
    return darkQuery && darkQuery.matches ? 'dark' : 'light';
  }

  // aria-pressed tells assistive technology whether the dark theme is on.
  function syncThemeButtons() {
    var pressed = currentTheme() === 'dark' ? 'true' : 'false';
    each(doc.querySelectorAll('.theme-toggle'), function (b) { b.setAttribute('aria-pressed', pressed); });
  }

  function toggleTheme() {
    var next = currentTheme() === 'dark' ? 'light' : 'dark';
    root.setAttribute('data-theme', next);
    save(KEY_THEME, next);
    syncThemeButtons();
  }

  // Without a stored choice the system setting can change while the page is open.
  if (darkQuery) {
    if (darkQuery.addEventListener) darkQuery.addEventListener('change', syncThemeButtons);
    else if (darkQuery.addListener) darkQuery.addListener(syncThemeButtons);
  }

  /* ---------------------------------------------------------------- live region */

  // One polite live region for the whole page, created up front: screen readers
  // announce changes to regions that already exist more reliably than new ones.
  var live = null;
  function ensureLiveRegion() {
    live = doc.getElementById('permcat-live');
    if (live) return;
    live = doc.createElement('div');
    live.id = 'permcat-live';
    live.className = 'visually-hidden';
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('aria-atomic', 'true');
    doc.body.appendChild(live);
  }

  // Clearing first and writing after a tick makes a repeated message announce again.
  function announce(message) {
    if (!live) return;
    live.textContent = '';
    window.setTimeout(function () { live.textContent = message; }, 60);
  }

  /* ---------------------------------------------------------------- copy */

  // file:// pages and older browsers often have no async clipboard; a temporary
  // off-screen textarea with execCommand('copy') still works there.
  function fallbackCopy(text) {
    var previous = doc.activeElement;
    var area = doc.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.setAttribute('aria-hidden', 'true');
    area.tabIndex = -1;
    area.style.position = 'fixed';
    area.style.top = '0';
    area.style.left = '-9999px';
    area.style.opacity = '0';
    doc.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = doc.execCommand('copy'); } catch (e) { ok = false; }
    doc.body.removeChild(area);
    if (previous && previous.focus) previous.focus({ preventScroll: true });
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext !== false) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return fallbackCopy(text); } // permission denied, not focused, …
      );
    }
    return Promise.resolve(fallbackCopy(text));
  }

  // The canonical URL is the stable address to share; location.href otherwise
  // (it keeps the filter state in the hash on the index page).
  function pageUrl() {
    var canonical = doc.querySelector('link[rel="canonical"]');
    return canonical && canonical.href ? canonical.href : window.location.href;
  }

  function copySource(button) {
    if (button.hasAttribute('data-copy-text')) return button.getAttribute('data-copy-text');
    if (button.hasAttribute('data-copy-url')) return pageUrl();
    var target = doc.getElementById(button.getAttribute('data-copy-target'));
    return target ? target.textContent : null;
  }

  // Sighted users see the label change; screen reader users hear the same message.
  var feedbackTimers = new WeakMap();
  function copyFeedback(button, ok) {
    var message = ok ? 'Copied' : 'Copy failed';
    if (!button.hasAttribute('data-idle-label')) button.setAttribute('data-idle-label', button.textContent);
    button.textContent = message;
    button.classList.toggle('is-copied', ok);
    button.classList.toggle('is-failed', !ok);
    announce(message);
    window.clearTimeout(feedbackTimers.get(button));
    feedbackTimers.set(button, window.setTimeout(function () {
      button.textContent = button.getAttribute('data-idle-label');
      button.removeAttribute('data-idle-label');
      button.classList.remove('is-copied', 'is-failed');
    }, 1500));
  }

  function copyFrom(button) {
    var text = copySource(button);
    if (text === null) { copyFeedback(button, false); return; }
    copyText(text).then(function (ok) { copyFeedback(button, ok); }, function () { copyFeedback(button, false); });
  }

  /* ---------------------------------------------------------------- buttons (one delegated listener) */

  // Delegation keeps one listener for every button on the page, including ones
  // inside tab panels that were hidden when the page loaded.
  doc.addEventListener('click', function (event) {
    var el = event.target.closest ? event.target.closest(
      '.theme-toggle, [data-copy-target], [data-copy-text], [data-copy-url], [data-print], [data-tabs] [role="tab"]'
    ) : null;
    if (!el) return;
    if (el.getAttribute('role') === 'tab') chooseTab(el, false);
    else if (el.classList.contains('theme-toggle')) toggleTheme();
    else if (el.hasAttribute('data-print')) window.print();
    else copyFrom(el);
  });

  /* ---------------------------------------------------------------- tabs (WAI-ARIA tabs pattern) */

  // Only the tabs that belong to this group, not those of a nested group.
  function tabsOf(group) {
    return Array.prototype.filter.call(group.querySelectorAll('[role="tab"]'), function (tab) {
      return tab.closest('[data-tabs]') === group;
    });
  }

  function tabLabel(tab) {
    return (tab.getAttribute('data-label') || tab.textContent).trim();
  }

  // Roving tabindex: only the selected tab is in the Tab order; panels follow `hidden`.
  function selectTab(tab) {
    tabsOf(tab.closest('[data-tabs]')).forEach(function (t) {
      var on = t === tab;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      t.tabIndex = on ? 0 : -1;
      var panel = doc.getElementById(t.getAttribute('aria-controls'));
      if (panel && panel.hidden === on) panel.hidden = !on;
    });
  }

  // data-tabs-sync="lang" groups share one remembered choice (permcat-code-lang);
  // any other sync name gets its own key so unrelated groups don't interfere.
  function syncKey(name) { return name === 'lang' ? KEY_CODE_LANG : 'permcat-tabs-' + name; }

  function selectLabelIn(group, label) {
    var match = tabsOf(group).filter(function (t) { return tabLabel(t) === label; })[0];
    if (match && match.getAttribute('aria-selected') !== 'true') selectTab(match);
  }

  function chooseTab(tab, focus) {
    var group = tab.closest('[data-tabs]');
    var name = group.getAttribute('data-tabs-sync');
    var before = tab.getBoundingClientRect().top;
    selectTab(tab);
    if (focus) tab.focus();
    if (!name) return;
    var label = tabLabel(tab);
    save(syncKey(name), label);
    each(doc.querySelectorAll('[data-tabs][data-tabs-sync]'), function (other) {
      if (other !== group && other.getAttribute('data-tabs-sync') === name) selectLabelIn(other, label);
    });
    // Synced groups above may change height; keep the tab under the reader's pointer still.
    var shift = tab.getBoundingClientRect().top - before;
    if (shift) window.scrollBy(0, shift);
  }

  doc.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return; // leave browser shortcuts alone
    var tab = event.target.closest ? event.target.closest('[role="tab"]') : null;
    var group = tab && tab.closest('[data-tabs]');
    if (!group) return;
    var tabs = tabsOf(group);
    var i = tabs.indexOf(tab);
    var next;
    switch (event.key) {
      case 'ArrowRight': next = tabs[(i + 1) % tabs.length]; break;
      case 'ArrowLeft': next = tabs[(i - 1 + tabs.length) % tabs.length]; break;
      case 'Home': next = tabs[0]; break;
      case 'End': next = tabs[tabs.length - 1]; break;
      default: return;
    }
    event.preventDefault();
    chooseTab(next, true);
  });

  // Make each group consistent (one selected tab) and apply remembered synced choices.
  // Pages ship the tab list hidden and every panel shown, so that without this script
  // each language's code is there under its label; here the list appears and the
  // panels become tabs.
  function initTabs() {
    each(doc.querySelectorAll('[data-tabs]'), function (group) {
      var tabs = tabsOf(group);
      if (!tabs.length) return;
      var list = tabs[0].closest('[role="tablist"]');
      if (list && list.hidden) list.hidden = false;
      var selected = tabs.filter(function (t) { return t.getAttribute('aria-selected') === 'true'; })[0];
      selectTab(selected || tabs[0]);
      var name = group.getAttribute('data-tabs-sync');
      var stored = name ? load(syncKey(name)) : null;
      if (stored) selectLabelIn(group, stored);
    });
  }

  /* ---------------------------------------------------------------- index filters */

  // Each select and the token its value stands for in the facts of an item
  // (assets/index-facts.js, one string per item in page order; see render/index.rs).
  var FILTER_TOKENS = {
    type: { delegated: 'd', application: 'a' },
    admin: { yes: 'ay', no: 'an' },
    privilege: null, // level N → pN
    version: { 'v1.0': 'v1', beta: 'vb' },
    risk: { '0': 't0', '1': 't1', '2': 't2', untiered: 'tu', unlisted: 'tn' }
  };
  function filterToken(name, value) {
    if (name === 'privilege') return 'p' + value;
    var map = FILTER_TOKENS[name];
    return map && map[value] ? map[value] : '';
  }

  function initFilters(form) {
    var perms = doc.querySelectorAll('.perm');
    var facts = window.PERMCAT_INDEX_FACTS;
    // Without the facts (the script missing or out of step with the page) only the
    // text filter works; the selects stay hidden.
    var hasFacts = Array.isArray(facts) && facts.length === perms.length;
    each(form.querySelectorAll('[data-needs-facts]'), function (f) { f.hidden = !hasFacts; });
    var fields = Array.prototype.filter.call(form.elements, function (f) {
      return f.name && (f.name === 'q' || (hasFacts && f.name in FILTER_TOKENS));
    });
    var output = form.querySelector('[data-filter-count]');
    var emptyNote = doc.querySelector('[data-filter-empty]');
    var items = [];
    var categories = [];
    var byElement = new Map();

    // Read every item's data once: filtering then touches no DOM except the writes.
    // The text searched is the name and the description, not the badges.
    each(perms, function (el, i) {
      var link = el.querySelector('a');
      var summary = el.querySelector('p');
      var item = {
        el: el,
        name: (link ? link.textContent : '').toLowerCase(),
        text: (summary ? summary.textContent : '').toLowerCase(),
        tokens: hasFacts ? words(facts[i]) : [],
        hidden: el.hidden,
        match: true
      };
      items.push(item);
      // A category is a heading and the list after it.
      var list = el.parentNode;
      var heading = list && list.previousElementSibling;
      if (!heading || heading.tagName !== 'H2') return;
      var cat = byElement.get(list);
      if (!cat) {
        cat = { els: [heading, list], count: heading.querySelector('span'), items: [], hidden: list.hidden, shown: -1 };
        byElement.set(list, cat);
        categories.push(cat);
      }
      cat.items.push(item);
    });

    function state() {
      var s = {};
      fields.forEach(function (f) { var v = f.value.trim(); if (v) s[f.name] = v; });
      return s;
    }

    // Keep the filter in the hash (#q=mail&type=application) so a view can be shared.
    // replaceState avoids a history entry per keystroke; file:// may refuse it.
    function writeHash(s) {
      var params = new URLSearchParams();
      fields.forEach(function (f) { if (s[f.name]) params.set(f.name, s[f.name]); });
      var hash = params.toString();
      var current = window.location.hash.slice(1);
      if (hash === current || (!hash && current.indexOf('=') === -1)) return; // leave plain #anchors alone
      var base = window.location.href.split('#')[0];
      try {
        window.history.replaceState(window.history.state, '', hash ? base + '#' + hash : base);
      } catch (e) {
        try { window.location.replace('#' + hash); } catch (e2) { /* not shareable, still filtered */ }
      }
    }

    function readHash() {
      var hash = window.location.hash.slice(1);
      if (hash.indexOf('=') === -1) return false; // an ordinary #anchor, not filter state
      var params = new URLSearchParams(hash);
      fields.forEach(function (f) {
        var v = params.get(f.name) || '';
        if (f.tagName === 'SELECT' && !hasOption(f, v)) v = '';
        f.value = v;
      });
      return true;
    }

    function apply() {
      var s = state();
      var q = (s.q || '').toLowerCase();
      var wanted = Object.keys(s).filter(function (k) { return k !== 'q'; }).map(function (k) { return filterToken(k, s[k]); });
      var shown = 0;
      // Pass 1: decide from cached data only.
      items.forEach(function (item) {
        var ok = !q || item.name.indexOf(q) !== -1 || item.text.indexOf(q) !== -1;
        for (var i = 0; ok && i < wanted.length; i++) ok = item.tokens.indexOf(wanted[i]) !== -1;
        item.match = ok;
        if (ok) shown++;
      });
      // Pass 2: write only what changed, and never read layout in between.
      items.forEach(function (item) {
        if (item.hidden === item.match) { item.hidden = !item.match; item.el.hidden = item.hidden; }
      });
      categories.forEach(function (cat) {
        var n = cat.items.filter(function (item) { return item.match; }).length;
        if (cat.count && n !== cat.shown) cat.count.textContent = String(n);
        cat.shown = n;
        var hide = n === 0;
        if (hide !== cat.hidden) { cat.hidden = hide; cat.els.forEach(function (el) { el.hidden = hide; }); }
      });
      var summary = shown + ' of ' + items.length + ' permissions';
      if (output && output.textContent !== summary) output.textContent = summary;
      if (emptyNote) emptyNote.hidden = shown !== 0;
      writeHash(s);
    }

    // Coalesce bursts of input/change events into one pass per frame.
    var pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; apply(); });
    }

    form.addEventListener('input', schedule);
    form.addEventListener('change', schedule);
    form.addEventListener('submit', function (event) { event.preventDefault(); apply(); });
    form.addEventListener('reset', function () { window.setTimeout(apply, 0); }); // values reset after the event
    window.addEventListener('hashchange', function () { if (readHash()) apply(); });

    readHash();
    apply(); // also honours values the browser restored into the fields on back/forward
  }

  // The facts script comes after this one in the page (both deferred): wait for the
  // document to be ready unless the facts are already there.
  function whenFactsReady(fn) {
    var done = false;
    function once() { if (!done) { done = true; fn(); } }
    if (window.PERMCAT_INDEX_FACTS || doc.readyState === 'complete') { once(); return; }
    doc.addEventListener('DOMContentLoaded', once);
    window.addEventListener('load', once);
  }

  /* ---------------------------------------------------------------- description language */

  // Show each set of blocks in `lang`, else in English, else its first block. Blocks
  // that share a parent form one set, so a scope may hold several translated texts
  // (e.g. the Application and the Delegated description) that fall back independently.
  function setLang(lang) {
    var wanted = String(lang).toLowerCase();
    each(doc.querySelectorAll('[data-lang-scope]'), function (scope) {
      var sets = new Map();
      each(scope.querySelectorAll('.localized[data-lang]'), function (block) {
        if (block.closest('[data-lang-scope]') !== scope) return; // belongs to a nested scope
        var set = sets.get(block.parentNode);
        if (!set) sets.set(block.parentNode, set = []);
        set.push(block);
      });
      sets.forEach(function (blocks) {
        var langs = blocks.map(function (b) { return b.getAttribute('data-lang').toLowerCase(); });
        var show = langs.indexOf(wanted) !== -1 ? wanted : langs.indexOf('en') !== -1 ? 'en' : langs[0];
        blocks.forEach(function (b, i) {
          var hide = langs[i] !== show;
          if (b.hidden !== hide) b.hidden = hide;
        });
      });
    });
    each(doc.querySelectorAll('select[data-lang-switch]'), function (s) {
      if (hasOption(s, lang) && s.value !== lang) s.value = lang;
    });
  }

  // Every switch on the page drives every scope, and the choice carries to later pages.
  doc.addEventListener('change', function (event) {
    var select = event.target;
    if (!select.matches || !select.matches('select[data-lang-switch]')) return;
    save(KEY_LANG, select.value);
    setLang(select.value);
  });

  function initLang() {
    var stored = load(KEY_LANG);
    if (stored && doc.querySelector('[data-lang-scope]')) setLang(stored);
  }

  /* ---------------------------------------------------------------- print: every section open */

  // Collapsed <details> print as their summary alone; open them for print and close
  // the ones that were closed afterwards.
  var openedForPrint = [];
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(doc.querySelectorAll('details:not([open])'), function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
  });
  window.addEventListener('afterprint', function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });

  /* ---------------------------------------------------------------- start */

  function init() {
    ensureLiveRegion();
    syncThemeButtons();
    initTabs();
    var form = doc.querySelector('form[data-filter-form]');
    if (form) whenFactsReady(function () { initFilters(form); });
    initLang();
  }

  // Works deferred (DOM already parsed) and also if a template loads it in <head> without defer.
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', init);
  else init();
})();

// ---- index and resources index: the category jump select, the jump bar's place under
// the header, the resources filter
(function () {
  'use strict';

  var doc = document;
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // The sticky jump bar sits just under the header where the header itself is sticky;
  // its height depends on how its row wraps, so it is measured, not guessed.
  function placeJumpBar() {
    var header = doc.querySelector('.site-header');
    if (!header) return;
    var sticky = window.getComputedStyle(header).position === 'sticky';
    doc.documentElement.style.setProperty('--jump-top', sticky ? header.offsetHeight + 'px' : '0px');
  }

  // The select lists every category under its letter, built from the headings so the
  // page carries the names once; choosing one goes to its heading like a link would.
  function initJump(nav) {
    var select = nav.querySelector('[data-jump-select]');
    if (!select) return;
    var group = null;
    each(doc.querySelectorAll('.index-list > h2[id]'), function (h) {
      var name = (h.firstChild && h.firstChild.nodeType === 3 ? h.firstChild.nodeValue : h.textContent).trim();
      var count = h.querySelector('span');
      var letter = /^[a-z]/i.test(name) ? name.charAt(0).toUpperCase() : '#';
      if (!group || group.label !== letter) {
        group = doc.createElement('optgroup');
        group.label = letter;
        select.appendChild(group);
      }
      var option = doc.createElement('option');
      option.value = h.id;
      option.textContent = count ? name + ' (' + count.textContent.trim() + ')' : name;
      group.appendChild(option);
    });
    select.hidden = false;
    nav.classList.add('has-select');
    select.addEventListener('change', function () {
      var target = select.value && doc.getElementById(select.value);
      if (!target) return;
      window.location.hash = '#' + select.value;
    });
  }

  // Narrows the resources list to the names that contain the text typed (the full
  // name, so `security.alert` works), with the counts of each group and in all.
  function initResourceFilter(form) {
    var input = form.querySelector('input[name="q"]');
    var output = form.querySelector('[data-resource-count]');
    var empty = doc.querySelector('[data-resource-empty]');
    if (!input) return;
    var groups = [];
    var versions = new Map();
    var total = 0;
    each(doc.querySelectorAll('.res-ns'), function (section) {
      var ns = (section.getAttribute('data-ns') || '').toLowerCase();
      var items = Array.prototype.map.call(section.querySelectorAll('li'), function (li) {
        var name = li.textContent.trim().toLowerCase();
        return { el: li, text: ns ? ns + '.' + name : name, match: true };
      });
      total += items.length;
      var version = section.closest('.res-version');
      var group = { el: section, count: section.querySelector('h3 .count'), items: items, version: version };
      groups.push(group);
      if (version && !versions.has(version)) versions.set(version, { el: version, count: version.querySelector('h2 .count'), groups: [] });
      if (version) versions.get(version).groups.push(group);
    });

    function apply() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      groups.forEach(function (g) {
        var n = 0;
        g.items.forEach(function (item) {
          var ok = !q || item.text.indexOf(q) !== -1;
          if (ok) n++;
          if (item.el.hidden === ok) item.el.hidden = !ok;
        });
        g.shown = n;
        shown += n;
        if (g.count) g.count.textContent = String(n);
        g.el.hidden = n === 0;
      });
      versions.forEach(function (v) {
        var n = v.groups.reduce(function (sum, g) { return sum + g.shown; }, 0);
        if (v.count) v.count.textContent = String(n);
        v.el.hidden = n === 0;
      });
      if (output) output.textContent = shown + ' of ' + total + ' resources';
      if (empty) empty.hidden = shown !== 0;
    }

    var pending = false;
    input.addEventListener('input', function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; apply(); });
    });
    form.addEventListener('submit', function (event) { event.preventDefault(); apply(); });
    form.hidden = false;
    apply(); // honours a value the browser restored on back/forward
  }

  function init() {
    var nav = doc.querySelector('[data-jump]');
    if (nav) {
      initJump(nav);
      placeJumpBar();
      window.addEventListener('resize', placeJumpBar);
    }
    var form = doc.querySelector('form[data-resource-filter]');
    if (form) initResourceFilter(form);
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', init);
  else init();
})();

// ---- permission page: folded sections and the request filter
(function () {
  'use strict';
  var doc = document;

  // Opens every <details> around an element, and the folded content of a section the
  // link points at, so an in-page link never lands on something hidden.
  function reveal(el) {
    for (var d = el; d; d = d.parentElement) {
      if (d.tagName === 'DETAILS') d.open = true;
    }
    if (el.tagName === 'SECTION') {
      Array.prototype.forEach.call(el.children, function (c) {
        if (c.tagName === 'DETAILS') c.open = true;
      });
    }
  }

  function revealHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = doc.getElementById(id);
    if (!el) return;
    var wasHidden = el.closest('details:not([open])') !== null;
    reveal(el);
    if (wasHidden) el.scrollIntoView();
  }

  window.addEventListener('hashchange', revealHash);
  doc.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="#"]');
    if (!a) return;
    var el = doc.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
    if (el) reveal(el);
  });

  // Narrows the rows of a section's tables to those whose text holds every word typed;
  // rows in a folded part open their fold while a filter is set.
  function initRowFilter(box) {
    var input = box.querySelector('input[data-filter-rows]');
    var scope = input && doc.getElementById(input.getAttribute('data-filter-rows'));
    if (!scope) return;
    var count = box.querySelector('[data-filter-count]');
    var rows = Array.prototype.slice.call(scope.querySelectorAll('table tbody tr'));
    var texts = rows.map(function (r) { return r.textContent.toLowerCase().replace(/\s+/g, ' '); });
    var folds = Array.prototype.slice.call(scope.querySelectorAll('details'));
    var opened = [];
    box.hidden = false;
    input.addEventListener('input', function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (r, i) {
        var hit = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        if (hit) { r.removeAttribute('data-filtered'); shown++; } else r.setAttribute('data-filtered', '');
      });
      if (words.length) {
        folds.forEach(function (d) {
          if (!d.open) { d.open = true; opened.push(d); }
        });
      } else {
        opened.forEach(function (d) { d.open = false; });
        opened = [];
      }
      if (count) count.textContent = words.length ? shown + ' of ' + rows.length + ' requests' : '';
    });
  }

  function init() {
    Array.prototype.forEach.call(doc.querySelectorAll('[data-row-filter]'), initRowFilter);
    revealHash();
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', init);
  else init();
})();
