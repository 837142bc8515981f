//! Permission pages of the real catalog in Chromium: the answer above the fold, Graph
//! methods early with the resource's list and get first, paths that break only after a
//! slash, stacked method rows on a phone, the request filter, folded parts that open
//! for print and for in-page links; screenshots of three pages for review.

use serde_json::{json, Value};

use crate::common;
use crate::pages::{
    assert_clean_console, save_png, screenshot_dir, sideways, upstream, viewport, Upstream,
};
use crate::webdriver::Browser;

const USER_READ_ALL: &str = "permissions/User.Read.All.html";

/// The page the shared browser opens first.
const NEUTRAL: &str = "about.html";

/// Pages shown in the screenshots: a large one, a common one and a small one.
const SCREENSHOT_PAGES: [&str; 3] = [
    USER_READ_ALL,
    "permissions/Mail.Send.html",
    "permissions/IndustryData-OutboundFlow.ReadWrite.All.html",
];

/// The `n` largest permission pages of the real catalog's site, by file size.
fn largest_pages(n: usize) -> Vec<String> {
    let dir = common::upstream_site().join("permissions");
    let mut pages: Vec<(u64, String)> = std::fs::read_dir(&dir)
        .expect("permissions/ of the built site")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".html"))
        .filter(|e| !e.file_name().to_string_lossy().ends_with("-examples.html"))
        .map(|e| {
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            (
                size,
                format!("permissions/{}", e.file_name().to_string_lossy()),
            )
        })
        .collect();
    pages.sort_by(|a, b| b.cmp(a));
    pages.into_iter().take(n).map(|(_, p)| p).collect()
}

/// Emulates a 390×844 phone; the page opened next lays out for it (the caller checks
/// its width with [`inner_width`]).
fn phone(b: &Browser) {
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
    );
}

/// The layout viewport's width in CSS pixels.
fn inner_width(b: &Browser) -> u32 {
    let w = b.execute("return window.innerWidth;", &[]);
    w.as_u64()
        .and_then(|w| u32::try_from(w).ok())
        .expect("a width")
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Method and path of the first rows of the first Graph methods table, as rendered.
fn first_rows(b: &Browser, n: usize) -> Vec<String> {
    let v = b.execute(
        "var rows = document.querySelectorAll('#methods table.methods tbody tr');
         return Array.prototype.slice.call(rows, 0, arguments[0]).map(function (r) {
           return r.cells[0].textContent.trim() + ' ' + r.querySelector('code.path').textContent;
         });",
        &[json!(n)],
    );
    serde_json::from_value(v).expect("a list of rows")
}

pub fn permission_page_answers_first_on_the_real_catalog() {
    let u = upstream(USER_READ_ALL);
    let b = &u.browser;
    viewport(b, 1366, 900, false);
    b.goto(&u.url(USER_READ_ALL));
    let height = number(&b.execute("return document.documentElement.scrollHeight;", &[]));
    let methods = number(&b.execute(
        "return document.getElementById('methods').getBoundingClientRect().top + scrollY;",
        &[],
    ));
    let sections = b.execute(
        "return Array.prototype.map.call(document.querySelectorAll('article > header, article > section'),
           function (s) { return (s.id || 'header') + ' ' + Math.round(s.getBoundingClientRect().height); });",
        &[],
    );
    eprintln!(
        "User.Read.All at 1366x900: {height} px tall, Graph methods at {methods} px; {sections}"
    );
    assert!(height <= 9000.0, "User.Read.All is {height} px tall");
    assert!(methods <= 2500.0, "Graph methods start at {methods} px");
    assert_eq!(
        first_rows(b, 2),
        ["GET /users", "GET /users/{id | userPrincipalName}"],
        "the first method rows are not the list and get of users"
    );
    // The summary links to rows that exist.
    let broken = b.execute(
        "return Array.prototype.filter.call(document.querySelectorAll('.reach a[href^=\"#\"]'),
           function (a) { return !document.getElementById(a.getAttribute('href').slice(1)); })
           .map(function (a) { return a.getAttribute('href'); });",
        &[],
    );
    assert_eq!(broken, json!([]), "summary links to missing rows");
    let glance = b.execute(
        "var g = document.querySelector('.glance'); var r = g.getBoundingClientRect();
         return [r.bottom, g.querySelectorAll('.glance-type').length, g.textContent];",
        &[],
    );
    assert!(
        number(&glance[0]) <= 900.0,
        "the glance ends below the fold: {glance}"
    );
    assert_eq!(glance[1], json!(2), "one glance block per type: {glance}");
    let text = glance[2].as_str().unwrap_or_default();
    for word in [
        "Admin consent",
        "Privilege level",
        "df021288-bdef-4463-88db-98f22de89214",
    ] {
        assert!(text.contains(word), "the glance lacks {word}: {text}");
    }
    assert_clean_console(b, "on User.Read.All");
}

/// Line boxes of each path segment's text: segments whose text spans more than one line
/// and that would fit on a line of their cell alone.
const BROKEN_SEGMENTS: &str = "
  var out = [];
  var spans = document.querySelectorAll('table.methods code.path > span');
  for (var i = 0; i < spans.length; i++) {
    var s = spans[i];
    if (!s.getClientRects().length || !s.firstChild) continue;
    var range = document.createRange();
    range.selectNodeContents(s.firstChild);
    var tops = {};
    Array.prototype.forEach.call(range.getClientRects(), function (r) {
      if (r.width > 0) tops[Math.round(r.top)] = true;
    });
    if (Object.keys(tops).length < 2) continue;
    var cell = s.closest('td').getBoundingClientRect().width;
    var probe = document.createElement('span');
    probe.style.whiteSpace = 'nowrap';
    probe.textContent = s.textContent;
    s.closest('code').appendChild(probe);
    var alone = probe.getBoundingClientRect().width;
    probe.remove();
    if (alone < cell) out.push(s.textContent + ' (' + Math.round(alone) + ' of ' + Math.round(cell) + ' px)');
  }
  return out;";

pub fn method_paths_break_only_after_a_slash() {
    let u = upstream(USER_READ_ALL);
    let b = &u.browser;
    let dir = screenshot_dir();
    for (width, height, mobile) in [(1366, 900, false), (390, 844, true)] {
        if mobile {
            phone(b);
        } else {
            viewport(b, width, height, mobile);
        }
        b.goto(&u.url(USER_READ_ALL));
        assert_eq!(inner_width(b), width, "the viewport is not {width} px wide");
        b.execute(
            "document.querySelectorAll('#methods details').forEach(function (d) { d.open = true; });",
            &[],
        );
        let checked = b.execute(
            "return document.querySelectorAll('table.methods code.path > span').length;",
            &[],
        );
        assert!(number(&checked) > 100.0, "few segments to check: {checked}");
        let broken = b.execute(BROKEN_SEGMENTS, &[]);
        assert_eq!(broken, json!([]), "segments broken at {width} px");
        if !mobile {
            let style = b.execute(
                "var s = getComputedStyle(document.querySelector('table.methods code.path > span'));
                 return [s.whiteSpace, s.overflowWrap, s.wordBreak];",
                &[],
            );
            assert_eq!(style, json!(["nowrap", "normal", "keep-all"]));
        }
        b.execute("document.getElementById('methods').scrollIntoView();", &[]);
        save_png(
            &b.screenshot(),
            &dir.join(format!("user-read-all-paths-{width}.png")),
        );
    }
}

/// Elements wider than the viewport, or sticking out of it, outside scrolling frames.
const TOO_WIDE: &str = "
  var w = arguments[0], out = [];
  document.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width <= 1 || (r.right <= w + 0.5 && r.left >= -0.5)) return;
    for (var p = e.parentElement; p; p = p.parentElement) {
      var o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') return;
    }
    out.push(e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  });
  return out.slice(0, 10);";

pub fn permission_pages_fit_a_phone() {
    let pages = largest_pages(5);
    let u = upstream(NEUTRAL);
    let b = &u.browser;
    phone(b);
    let mut wide = Vec::new();
    for page in &pages {
        b.goto(&u.url(page));
        // A phone widens its layout viewport to content wider than the screen: the
        // check below names what is wider.
        b.execute(
            "document.querySelectorAll('details').forEach(function (d) { d.open = true; });",
            &[],
        );
        let extra = sideways(b);
        let too_wide = b.execute(TOO_WIDE, &[json!(390)]);
        let width = inner_width(b);
        let stacked = b.execute(
            "var t = document.querySelector('table.methods tbody tr');
             return t ? getComputedStyle(t).display : 'block';",
            &[],
        );
        if extra > 0 || width != 390 || too_wide != json!([]) || stacked != json!("block") {
            wide.push(format!(
                "{page}: {extra} px sideways, laid out {width} px wide, rows {stacked}, {too_wide}"
            ));
        }
    }
    assert!(wide.is_empty(), "too wide at 390 px:\n{}", wide.join("\n"));
}

pub fn method_filter_narrows_the_rows() {
    let u = upstream(USER_READ_ALL);
    let b = &u.browser;
    viewport(b, 1366, 900, false);
    b.goto(&u.url(USER_READ_ALL));
    let input = b.find("#methods input[data-filter-rows]");
    assert!(
        b.displayed(&input),
        "the filter box is hidden with JavaScript on"
    );
    let count = |b: &Browser| {
        b.execute(
            "var rows = document.querySelectorAll('#methods tbody tr');
             var shown = Array.prototype.filter.call(rows, function (r) { return !r.hasAttribute('data-filtered'); });
             var want = Array.prototype.filter.call(rows, function (r) { return r.textContent.toLowerCase().indexOf('delta') !== -1; });
             return [rows.length, shown.length, want.length,
                     shown.every(function (r) { return r.textContent.toLowerCase().indexOf('delta') !== -1; }),
                     shown.every(function (r) { return r.getClientRects().length > 0; })];",
            &[],
        )
    };
    b.send_keys(&input, "delta");
    let after = count(b);
    let total = number(&after[0]);
    let shown = number(&after[1]);
    assert!(
        shown > 0.0 && shown < total,
        "filter did not narrow: {after}"
    );
    assert_eq!(
        after[1], after[2],
        "rows shown are not the rows holding `delta`"
    );
    assert_eq!(after[3], json!(true), "a row without `delta` is shown");
    assert_eq!(after[4], json!(true), "a matching row is still folded away");
    b.clear(&input);
    b.execute(
        "arguments[0].dispatchEvent(new Event('input'));",
        &[input.arg()],
    );
    let cleared = count(b);
    assert_eq!(
        cleared[0], cleared[1],
        "clearing the filter did not show every row"
    );
    assert_clean_console(b, "filtering requests");
}

/// Every `<details>`, open or not, and whether its last child renders.
const FOLDS: &str = "
  return Array.prototype.map.call(document.querySelectorAll('main details'), function (d) {
    var last = d.lastElementChild;
    return [d.open, !!last && last.tagName !== 'SUMMARY' && last.getClientRects().length > 0];
  });";

pub fn print_opens_every_folded_section() {
    let u = upstream(USER_READ_ALL);
    let b = &u.browser;
    viewport(b, 1366, 900, false);
    b.goto(&u.url(USER_READ_ALL));
    let folds: Vec<(bool, bool)> =
        serde_json::from_value(b.execute(FOLDS, &[])).expect("a list of folds");
    assert!(
        folds.iter().filter(|(open, _)| !open).count() >= 4,
        "few folded parts on screen: {folds:?}"
    );
    b.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    b.execute("window.dispatchEvent(new Event('beforeprint'));", &[]);
    let printed: Vec<(bool, bool)> =
        serde_json::from_value(b.execute(FOLDS, &[])).expect("a list of folds");
    assert!(
        printed.iter().all(|(open, shown)| *open && *shown),
        "folded in print: {printed:?}"
    );
    let path_width = number(&b.execute(
        "return document.querySelector('table.methods code.path').closest('td').getBoundingClientRect().width
              / document.querySelector('table.methods').getBoundingClientRect().width;",
        &[],
    ));
    assert!(
        path_width > 0.3,
        "the path column takes {path_width} of the table in print"
    );
    b.cdp("Emulation.setEmulatedMedia", json!({ "media": "" }));
    b.execute("window.dispatchEvent(new Event('afterprint'));", &[]);
}

pub fn in_page_links_open_folded_sections() {
    let u = upstream(USER_READ_ALL);
    let b = &u.browser;
    viewport(b, 1366, 900, false);
    b.goto(&u.url(&format!("{USER_READ_ALL}#relationships")));
    let open = b.execute(
        "return document.querySelector('#relationships details').open;",
        &[],
    );
    assert_eq!(
        open,
        json!(true),
        "#relationships stays folded when linked to"
    );
    b.goto(&u.url(USER_READ_ALL));
    b.click(&b.find(".toc a[href='#json']"));
    let json_open = b.execute("return document.querySelector('#json details').open;", &[]);
    assert_eq!(
        json_open,
        json!(true),
        "the JSON fold stays closed after the nav link"
    );
    // A row in the folded part of a table opens its fold when linked to.
    let id = b.execute(
        "var r = document.querySelector('#methods details tbody tr'); return r && r.id;",
        &[],
    );
    if let Some(id) = id.as_str() {
        b.goto(&u.url(&format!("{USER_READ_ALL}#{id}")));
        let shown = b.execute(
            "return document.getElementById(arguments[0]).getClientRects().length > 0;",
            &[json!(id)],
        );
        assert_eq!(shown, json!(true), "row {id} stays folded when linked to");
    }
    assert_clean_console(b, "following in-page links");
}

fn shoot(u: &Upstream, page: &str, name: &str) {
    let b = &u.browser;
    let dir = screenshot_dir();
    viewport(b, 1366, 900, false);
    b.goto(&u.url(page));
    save_png(&b.screenshot(), &dir.join(format!("{name}-desktop.png")));
    phone(b);
    b.goto(&u.url(page));
    save_png(&b.screenshot(), &dir.join(format!("{name}-mobile.png")));
    viewport(b, 1366, 900, false);
    b.goto(&u.url(page));
    b.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    b.execute("window.dispatchEvent(new Event('beforeprint'));", &[]);
    b.execute("document.getElementById('methods').scrollIntoView();", &[]);
    save_png(&b.screenshot(), &dir.join(format!("{name}-print.png")));
    b.cdp("Emulation.setEmulatedMedia", json!({ "media": "" }));
}

pub fn screenshots_of_permission_pages_on_the_real_catalog() {
    let u = upstream(USER_READ_ALL);
    for page in SCREENSHOT_PAGES {
        let name = page
            .trim_start_matches("permissions/")
            .trim_end_matches(".html")
            .replace('.', "-");
        shoot(&u, page, &name);
        let dir = screenshot_dir();
        for kind in ["desktop", "mobile", "print"] {
            let file = dir.join(format!("{name}-{kind}.png"));
            assert!(file.is_file(), "no {}", file.display());
        }
    }
    assert_clean_console(&u.browser, "taking screenshots of permission pages");
}
