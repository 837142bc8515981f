//! The index and the resources index of the real catalog in Chromium: the category jump
//! bar stays in view on desktop and becomes a select that navigates on a phone, nothing
//! is wider than a phone's screen, the resources filter narrows the list, the header's
//! search placeholder is not cut off, and axe-core finds nothing serious on the
//! resources index. Screenshots of both pages at both sizes go to `target/screenshots`.

use serde_json::{json, Value};

use crate::pages::{
    assert_clean_console, axe_violations, describe, save_png, screenshot_dir, settle, sideways,
    upstream, viewport,
};
use crate::webdriver::Browser;

/// Where the top and bottom of an element are in the viewport (CSS pixels).
fn rect(b: &Browser, css: &str) -> (f64, f64) {
    let v = b.execute(
        "var r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.top, r.bottom];",
        &[json!(css)],
    );
    (
        v[0].as_f64().expect("a top"),
        v[1].as_f64().expect("a bottom"),
    )
}

fn scroll_y(b: &Browser) -> f64 {
    b.execute("return window.scrollY;", &[])
        .as_f64()
        .expect("a scroll offset")
}

/// The page's full height, for the report of what a reader scrolls through.
fn page_height(b: &Browser) -> i64 {
    b.execute("return document.documentElement.scrollHeight;", &[])
        .as_i64()
        .expect("a height")
}

/// Whether the placeholder of the header's search box shows whole: the text, measured
/// in the box's own font, fits the room inside its padding.
fn placeholder_fits(b: &Browser) -> (bool, String) {
    let v = b.execute(
        "var i = document.getElementById('site-search'); var s = getComputedStyle(i); \
         var c = document.createElement('canvas').getContext('2d'); \
         c.font = s.fontStyle + ' ' + s.fontWeight + ' ' + s.fontSize + ' ' + s.fontFamily; \
         var text = c.measureText(i.placeholder).width; \
         var room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); \
         return [i.value === '' && i.placeholder !== '', text, room, i.scrollWidth <= i.clientWidth, i.placeholder];",
        &[],
    );
    let shown = v[0].as_bool().unwrap_or(false);
    let text = v[1].as_f64().unwrap_or(f64::MAX);
    let room = v[2].as_f64().unwrap_or(0.0);
    let no_scroll = v[3].as_bool().unwrap_or(false);
    (
        shown && no_scroll && text <= room,
        format!(
            "placeholder {:?}: {text:.0} px of text in {room:.0} px",
            v[4]
        ),
    )
}

pub fn index_jump_bar_sticks_on_desktop_and_is_a_select_on_a_phone() {
    let u = upstream("index.html");
    let b = &u.browser;
    let dir = screenshot_dir();

    viewport(b, 1366, 900, false);
    b.goto(&u.url("index.html"));
    let (fits, said) = placeholder_fits(b);
    assert!(fits, "desktop: the search placeholder is cut off: {said}");
    save_png(&b.screenshot(), &dir.join("index-desktop.png"));
    eprintln!("index at 1366 px: {} px tall", page_height(b));

    // Follow a letter of the bar: the page scrolls and the bar stays in view, under the
    // header, with the category heading it went to below both.
    let letters = b.find_all(".jump-letters a");
    assert!(
        letters.len() > 5,
        "the jump bar has {} letters",
        letters.len()
    );
    let target = b
        .attribute(&letters[letters.len() / 2], "href")
        .expect("a letter links somewhere");
    b.click(&letters[letters.len() / 2]);
    b.wait_for("the jump to scroll the page", || {
        (scroll_y(b) > 2000.0).then_some(())
    });
    // Smooth scrolling may still be moving: wait until it rests.
    b.wait_for("the scroll to settle", || {
        let before = scroll_y(b);
        std::thread::sleep(std::time::Duration::from_millis(150));
        (scroll_y(b) == before).then_some(())
    });
    let (header_top, header_bottom) = rect(b, ".site-header");
    let (bar_top, bar_bottom) = rect(b, ".jump");
    assert!(
        header_top <= 0.5 && bar_top >= header_bottom - 1.0 && bar_bottom < 300.0,
        "the jump bar is not kept under the header after scrolling: header {header_top}..{header_bottom}, bar {bar_top}..{bar_bottom}"
    );
    let heading = format!("[id=\"{}\"]", target.trim_start_matches('#'));
    let (h_top, _) = rect(b, &heading);
    assert!(
        h_top >= bar_bottom - 1.0 && h_top < 900.0,
        "{target}: the heading is at {h_top} px, hidden under the bar (ends at {bar_bottom})"
    );
    save_png(&b.screenshot(), &dir.join("index-desktop-scrolled.png"));

    // A phone: the select alone, which goes to the category chosen.
    viewport(b, 390, 844, true);
    b.goto(&u.url("index.html"));
    let (fits, said) = placeholder_fits(b);
    assert!(fits, "390 px: the search placeholder is cut off: {said}");
    assert_eq!(sideways(b), 0, "the index scrolls sideways at 390 px");
    let wide = b.execute(
        "return Array.prototype.filter.call(document.querySelectorAll('main *'), function (e) { \
           var r = e.getBoundingClientRect(); return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5); \
         }).slice(0, 5).map(function (e) { return e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40); });",
        &[],
    );
    assert_eq!(wide, json!([]), "wider than the 390 px screen");
    let select = b.find("[data-jump-select]");
    assert!(b.displayed(&select), "no category select on a phone");
    assert!(
        !b.displayed(&b.find(".jump-letters")),
        "the letters still show beside the select on a phone"
    );
    save_png(&b.screenshot(), &dir.join("index-mobile.png"));
    eprintln!("index at 390 px: {} px tall", page_height(b));
    let options = b.execute(
        "return Array.prototype.map.call(document.querySelectorAll('[data-jump-select] option'), function (o) { return o.value; }).filter(Boolean);",
        &[],
    );
    let options: Vec<String> = options
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let headings = b.find_all(".index-list > h2[id]").len();
    assert_eq!(options.len(), headings, "the select lists every category");
    let pick = &options[options.len() * 3 / 4];
    b.execute(
        "var s = document.querySelector('[data-jump-select]'); s.value = arguments[0]; \
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        &[json!(pick)],
    );
    b.wait_for("the select to go to its category", || {
        let hash = b.execute("return window.location.hash;", &[]);
        (hash.as_str() == Some(&format!("#{pick}"))).then_some(())
    });
    b.wait_for("the category heading to come into view", || {
        let (top, _) = rect(b, &format!("[id=\"{pick}\"]"));
        ((0.0..844.0).contains(&top) && scroll_y(b) > 2000.0).then_some(())
    });
    save_png(&b.screenshot(), &dir.join("index-mobile-jumped.png"));
    assert_clean_console(b, "on the index");
}

/// The visible items of the resources list and what its count says.
fn shown_resources(b: &Browser) -> (Vec<String>, String) {
    let v: Value = b.execute(
        "return [Array.prototype.filter.call(document.querySelectorAll('.res-list li'), function (li) { return li.offsetParent !== null; }) \
           .map(function (li) { return li.closest('.res-ns').getAttribute('data-ns') + '.' + li.textContent.trim(); }), \
           document.querySelector('[data-resource-count]').textContent];",
        &[],
    );
    let names = v[0]
        .as_array()
        .expect("names")
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    (names, v[1].as_str().unwrap_or_default().to_owned())
}

pub fn resources_index_filter_narrows_the_list() {
    let u = upstream("resources/index.html");
    let b = &u.browser;
    let dir = screenshot_dir();
    viewport(b, 1366, 900, false);
    b.goto(&u.url("resources/index.html"));
    let form = b.find("form[data-resource-filter]");
    assert!(
        b.displayed(&form),
        "the filter is hidden with JavaScript on"
    );
    save_png(&b.screenshot(), &dir.join("resources-desktop.png"));
    eprintln!("resources index at 1366 px: {} px tall", page_height(b));
    let (all, text) = shown_resources(b);
    assert_eq!(text, format!("{0} of {0} resources", all.len()));

    let q = b.find("form[data-resource-filter] input[name=q]");
    b.send_keys(&q, "security.alert");
    let (some, text) = b.wait_for("the filter to apply", || {
        let (names, text) = shown_resources(b);
        (names.len() < all.len()).then_some((names, text))
    });
    assert!(!some.is_empty(), "`security.alert` hides everything");
    assert!(
        some.iter()
            .all(|n| n.to_lowercase().contains("security.alert")),
        "shown for `security.alert`: {some:?}"
    );
    let expected = all
        .iter()
        .filter(|n| n.to_lowercase().contains("security.alert"))
        .count();
    assert_eq!(some.len(), expected, "{some:?}");
    assert_eq!(text, format!("{} of {} resources", some.len(), all.len()));
    // Groups left empty disappear; those left say how many they show.
    let groups = b.execute(
        "return Array.prototype.filter.call(document.querySelectorAll('.res-ns'), function (s) { return s.offsetParent !== null; }) \
           .map(function (s) { return [s.getAttribute('data-ns'), s.querySelector('h3 .count').textContent, \
             Array.prototype.filter.call(s.querySelectorAll('li'), function (li) { return !li.hidden; }).length]; });",
        &[],
    );
    for g in groups.as_array().expect("groups") {
        assert_eq!(g[0], json!("microsoft.graph.security"), "{groups}");
        assert_eq!(g[1].as_str(), Some(g[2].to_string().as_str()), "{groups}");
    }
    b.clear(&q);
    b.send_keys(&q, "zzzz-nothing");
    b.wait_for("the empty note", || {
        b.displayed(&b.find("[data-resource-empty]")).then_some(())
    });

    viewport(b, 390, 844, true);
    b.goto(&u.url("resources/index.html"));
    assert_eq!(
        sideways(b),
        0,
        "the resources index scrolls sideways at 390 px"
    );
    save_png(&b.screenshot(), &dir.join("resources-mobile.png"));
    eprintln!("resources index at 390 px: {} px tall", page_height(b));

    viewport(b, 1366, 900, false);
    for theme in ["light", "dark"] {
        b.execute(
            "document.documentElement.setAttribute('data-theme', arguments[0]);",
            &[json!(theme)],
        );
        settle(b);
        let found = axe_violations(b);
        assert!(
            found.is_empty(),
            "axe:\n{}",
            describe(&format!("resources/index.html ({theme})"), &found).join("\n")
        );
    }
    assert_clean_console(b, "on the resources index");
}
