//! The built site in a real browser (headless Chromium through chromedriver), opened
//! from disk: no console errors, tabs, copy buttons, theme toggle, index filters, no
//! requests leaving the site, and screenshots for CI artifacts and the README.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Value};

use crate::common;
use crate::webdriver::{self, Browser, LogEntry};

/// The sample permission with code examples, a resource and copy buttons.
const PERMISSION: &str = "permissions/IndustryData-OutboundFlow.ReadWrite.All.html";

/// One browser at a time: the tests are quicker in sequence than fighting for CPU.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A site built from the sample and a browser to look at it. Fields drop in order:
/// the browser quits before the site is deleted and the next test may start.
struct Setup {
    browser: Browser,
    site: tempfile::TempDir,
    _turn: MutexGuard<'static, ()>,
}

impl Setup {
    /// `file://` URL of a page of the built site.
    fn url(&self, page: &str) -> String {
        file_url(&self.site.path().join("site").join(page))
    }
}

/// Builds the sample site and starts a browser; `None` when browser tests are skipped.
fn setup() -> Option<Setup> {
    if !webdriver::available() {
        return None;
    }
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let site = tempfile::tempdir().expect("temp dir for the site");
    let out = site.path().join("site");
    let data = common::sample();
    let o = common::permcat(&[
        "build",
        "--data",
        data.to_str().expect("UTF-8 sample path"),
        "--out",
        out.to_str().expect("UTF-8 temp path"),
    ]);
    assert!(
        o.status.success(),
        "permcat build failed:\n{}",
        common::stderr(&o)
    );
    Some(Setup {
        browser: Browser::start(),
        site,
        _turn: turn,
    })
}

/// A `file://` URL for an absolute path, percent-encoding what URLs can't hold.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_str().expect("UTF-8 path").bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Console messages a reader or the site's author would care about: errors (uncaught
/// exceptions, console.error, failed loads) and any Content Security Policy report.
fn problems(log: Vec<LogEntry>) -> Vec<LogEntry> {
    log.into_iter()
        .filter(|e| {
            e.level == "SEVERE"
                || e.source == "security"
                || e.message.contains("Content Security Policy")
                || e.message.contains("Content-Security-Policy")
        })
        .collect()
}

fn assert_clean_console(browser: &Browser, when: &str) {
    let found = problems(browser.console());
    assert!(found.is_empty(), "console problems {when}: {found:#?}");
}

fn selected(browser: &Browser, tab: &webdriver::Element) -> bool {
    browser.attribute(tab, "aria-selected").as_deref() == Some("true")
}

/// Text content of an element found by id (also for visually hidden ones).
fn text_content(browser: &Browser, id: &str) -> String {
    let v = browser.execute(
        "var el = document.getElementById(arguments[0]); return el ? el.textContent : null;",
        &[json!(id)],
    );
    v.as_str()
        .unwrap_or_else(|| panic!("no element #{id}"))
        .to_owned()
}

#[test]
fn permission_page_tabs_and_copy_work_without_console_errors() {
    let Some(s) = setup() else { return };
    let b = &s.browser;
    b.goto(&s.url(PERMISSION));
    assert_clean_console(b, "after loading the permission page");

    // Tabs: the first group of code examples.
    let group = b.find(".tabs[data-tabs]");
    let tabs = b.find_in(&group, "[role=tab]");
    assert!(
        tabs.len() >= 2,
        "the first tab group has {} tabs",
        tabs.len()
    );
    let panels: Vec<_> = tabs
        .iter()
        .map(|t| {
            let id = b
                .attribute(t, "aria-controls")
                .expect("tab has aria-controls");
            b.find(&format!("[id='{id}']"))
        })
        .collect();
    assert!(
        selected(b, &tabs[0]) && b.displayed(&panels[0]),
        "the first tab starts selected"
    );
    assert!(!b.displayed(&panels[1]), "the second panel starts hidden");

    b.click(&tabs[1]);
    assert!(selected(b, &tabs[1]), "clicking the second tab selects it");
    assert!(
        !selected(b, &tabs[0]),
        "clicking the second tab deselects the first"
    );
    assert_eq!(
        b.attribute(&panels[1], "hidden"),
        None,
        "second panel still hidden"
    );
    assert!(b.displayed(&panels[1]), "second panel not shown");
    assert!(
        !b.displayed(&panels[0]),
        "first panel still shown after choosing the second tab"
    );

    b.send_keys(&tabs[1], "\u{E012}"); // ArrowLeft
    assert!(
        selected(b, &tabs[0]),
        "ArrowLeft did not move the selection back to the first tab"
    );
    assert!(
        !selected(b, &tabs[1]),
        "ArrowLeft left the second tab selected"
    );
    assert!(
        b.displayed(&panels[0]) && !b.displayed(&panels[1]),
        "ArrowLeft did not switch panels"
    );
    let focused = b.execute(
        "return document.activeElement === arguments[0];",
        &[tabs[0].arg()],
    );
    assert_eq!(
        focused,
        json!(true),
        "ArrowLeft did not move focus to the first tab"
    );

    // Copy: the button of the code block now shown.
    let copy = b
        .find_in(&panels[0], ".copy[data-copy-target]")
        .into_iter()
        .next()
        .expect("the code panel has a copy button");
    let idle = b.text(&copy);
    assert_eq!(idle, "Copy");
    b.click(&copy);
    let label = b.wait_for("the copy button's label to change", || {
        let t = b.text(&copy);
        (t != idle).then_some(t)
    });
    assert_eq!(label, "Copied", "the copy button reports failure");
    let live = b.wait_for("a message in #permcat-live", || {
        let t = text_content(b, "permcat-live");
        (!t.is_empty()).then_some(t)
    });
    assert_eq!(live, "Copied", "the live region announces something else");
    b.wait_for("the copy button's label to return to Copy", || {
        (b.text(&copy) == idle).then_some(())
    });

    assert_clean_console(b, "after using tabs and the copy button");
}

/// The console check itself: a page that throws while loading and breaks the CSP
/// must be reported, or a quiet log would prove nothing.
#[test]
fn console_check_catches_load_time_errors_and_csp_reports() {
    let Some(s) = setup() else { return };
    let b = &s.browser;
    let dir = s.site.path().join("site/permissions");
    let page = std::fs::read_to_string(dir.join("IndustryData-OutboundFlow.ReadWrite.All.html"))
        .expect("read the permission page");
    let broken = page.replacen(
        "</head>",
        "<script src=\"broken.js\"></script><script>document.title = 'inline';</script></head>",
        1,
    );
    assert_ne!(broken, page, "the page has no </head>");
    std::fs::write(dir.join("broken.html"), broken).expect("write broken.html");
    std::fs::write(
        dir.join("broken.js"),
        "throw new Error('thrown while loading');",
    )
    .expect("write broken.js");

    b.goto(&s.url("permissions/broken.html"));
    let found = problems(b.console());
    assert!(
        found
            .iter()
            .any(|e| e.message.contains("thrown while loading")),
        "a load-time exception was not reported: {found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.message.contains("Content Security Policy")),
        "a blocked inline script was not reported: {found:#?}"
    );
}

/// `document.documentElement.dataset.theme`, `null` when unset.
fn theme(b: &Browser) -> Value {
    b.execute(
        "return document.documentElement.dataset.theme || null;",
        &[],
    )
}

fn background(b: &Browser) -> Value {
    b.execute(
        "return getComputedStyle(document.body).backgroundColor;",
        &[],
    )
}

#[test]
fn theme_toggle_switches_and_remembers_the_theme() {
    let Some(s) = setup() else { return };
    let b = &s.browser;
    b.goto(&s.url(PERMISSION));
    let toggle = b.find(".theme-toggle");
    assert_eq!(
        b.attribute(&toggle, "aria-pressed").as_deref(),
        Some("false"),
        "headless Chromium prefers light, so the dark theme should start off"
    );
    let light = background(b);

    b.click(&toggle);
    assert_eq!(theme(b), json!("dark"));
    assert_eq!(
        b.attribute(&toggle, "aria-pressed").as_deref(),
        Some("true")
    );
    assert_ne!(
        background(b),
        light,
        "the dark theme did not change the page background"
    );

    b.click(&toggle);
    assert_eq!(theme(b), json!("light"));
    assert_eq!(
        b.attribute(&toggle, "aria-pressed").as_deref(),
        Some("false")
    );
    assert_eq!(
        background(b),
        light,
        "back to light, the background differs from before"
    );

    // The choice is remembered on reload and on other pages.
    b.click(&toggle);
    b.refresh();
    assert_eq!(
        theme(b),
        json!("dark"),
        "the dark theme is forgotten on reload"
    );
    b.goto(&s.url("index.html"));
    assert_eq!(
        theme(b),
        json!("dark"),
        "the dark theme does not carry to the index"
    );
    let toggle = b.find(".theme-toggle");
    assert_eq!(
        b.attribute(&toggle, "aria-pressed").as_deref(),
        Some("true")
    );
    assert_clean_console(b, "after switching themes");
}

/// The lower-case name (the link text) of every `li.perm`, with whether it is shown.
fn perm_visibility(b: &Browser) -> Vec<(String, bool)> {
    let v = b.execute(
        "return Array.prototype.map.call(document.querySelectorAll('li.perm'), \
         function (li) { return [li.querySelector('a').textContent.toLowerCase(), !li.hidden && li.offsetParent !== null]; });",
        &[],
    );
    v.as_array()
        .expect("list of items")
        .iter()
        .map(|p| {
            (
                p[0].as_str().expect("a name").to_owned(),
                p[1].as_bool().expect("visibility"),
            )
        })
        .collect()
}

fn shown(items: &[(String, bool)], name: &str) -> bool {
    items
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no li.perm named {name}"))
        .1
}

/// Waits until the filter count says `n of total permissions` for the items shown.
/// Waits until the filter has applied `hash` (it writes its state into the URL after
/// filtering) and the count matches the items shown; before the first input event the
/// unfiltered page would satisfy the count alone.
fn settled_count(
    b: &Browser,
    count: &webdriver::Element,
    what: &str,
    hash: &str,
) -> (Vec<(String, bool)>, String) {
    b.wait_for(what, || {
        let now = b.execute("return window.location.hash;", &[]);
        if now.as_str() != Some(hash) {
            return None;
        }
        let items = perm_visibility(b);
        let n = items.iter().filter(|i| i.1).count();
        let text = b.text(count);
        (text == format!("{n} of {} permissions", items.len())).then_some((items, text))
    })
}

#[test]
fn index_filters_hide_and_count_permissions() {
    let Some(s) = setup() else { return };
    let b = &s.browser;
    b.goto(&s.url("index.html"));
    let form = b.find("[data-filter-form]");
    let q = b.find("[data-filter-form] input[name=q]");
    let count = b
        .find_in(&form, "[data-filter-count]")
        .into_iter()
        .next()
        .expect("the filter form has a count");
    let all = perm_visibility(b);
    assert!(
        all.iter().all(|i| i.1),
        "some permissions are hidden before filtering: {all:?}"
    );
    assert_eq!(
        b.text(&count),
        format!("{} of {} permissions", all.len(), all.len())
    );

    b.send_keys(&q, "mail");
    let (items, text) = settled_count(
        b,
        &count,
        "the count to match the items shown after typing `mail`",
        "#q=mail",
    );
    assert!(
        !shown(&items, "user.read"),
        "User.Read still shown for `mail`"
    );
    assert!(shown(&items, "mail.read"), "Mail.Read hidden for `mail`");
    assert!(shown(&items, "mail.send"), "Mail.Send hidden for `mail`");
    assert!(
        text.starts_with("2 of "),
        "`mail` should leave Mail.Read and Mail.Send: {text}"
    );

    // `user` matches User.Read (delegated only); the type filter must drop it.
    b.clear(&q);
    b.send_keys(&q, "user");
    let (before, _) = settled_count(b, &count, "the count after typing `user`", "#q=user");
    assert!(shown(&before, "user.read") && shown(&before, "user.read.all"));
    b.click(&b.find("[data-filter-form] select[name=type] option[value=application]"));
    let (after, text) = settled_count(
        b,
        &count,
        "the count after choosing Application",
        "#q=user&type=application",
    );
    let n_before = before.iter().filter(|i| i.1).count();
    let n_after = after.iter().filter(|i| i.1).count();
    assert!(
        n_after < n_before,
        "Application did not restrict `user` ({n_before} → {n_after}): {text}"
    );
    assert!(
        !shown(&after, "user.read"),
        "User.Read (delegated only) shown for Application"
    );
    assert!(
        shown(&after, "user.read.all"),
        "User.Read.All (has Application) hidden"
    );
    assert!(
        after
            .iter()
            .all(|(n, v)| !v || before.iter().any(|(m, w)| m == n && *w)),
        "Application showed items `user` had hidden"
    );

    let hash = b.execute("return window.location.hash;", &[]);
    assert_eq!(
        hash,
        json!("#q=user&type=application"),
        "the filter is not kept in the URL"
    );
    assert_clean_console(b, "after filtering");
}

/// URLs that stay on the reader's disk: the site's files and inline `data:` images.
fn local(url: &str) -> bool {
    url.starts_with("file://") || url.starts_with("data:")
}

#[test]
fn no_request_leaves_the_site() {
    let Some(s) = setup() else { return };
    let b = &s.browser;
    for page in [PERMISSION, "index.html"] {
        b.requests(); // forget earlier pages
        b.goto(&s.url(page));

        // What the page itself can see. Chromium records no resource timing for
        // file:// loads, so this list stays empty unless something comes from elsewhere.
        let v = b.execute(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; });",
            &[],
        );
        let timed: Vec<&str> = v
            .as_array()
            .expect("resource list")
            .iter()
            .map(|u| u.as_str().expect("resource URL"))
            .collect();
        let outside: Vec<_> = timed.iter().filter(|u| !u.starts_with("file://")).collect();
        assert!(
            outside.is_empty(),
            "{page}: resources from outside the site: {outside:?}"
        );

        // Every request the browser started for the page, file:// ones included.
        let requests = b.requests();
        for asset in ["/assets/permcat.css", "/assets/permcat.js"] {
            assert!(
                requests
                    .iter()
                    .any(|u| u.starts_with("file://") && u.ends_with(asset)),
                "{page}: {asset} was not loaded from disk: {requests:#?}"
            );
        }
        let outside: Vec<_> = requests.iter().filter(|u| !local(u)).collect();
        assert!(
            outside.is_empty(),
            "{page}: requests leave the site: {outside:#?}"
        );
    }
}

/// Sets the viewport size (CSS pixels) as a phone or desktop would have it; call it on
/// a page of the site, whose viewport meta tag a phone honours.
fn viewport(b: &Browser, width: u32, height: u32, mobile: bool) {
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
    );
    let inner = b.execute("return [window.innerWidth, window.innerHeight];", &[]);
    assert_eq!(inner, json!([width, height]), "viewport not resized");
}

/// How far a page scrolls sideways (CSS pixels) in the current viewport.
fn sideways(b: &Browser) -> i64 {
    b.execute(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        &[],
    )
    .as_i64()
    .expect("a number of pixels")
}

/// Regression: the Sources table and long conflict subjects once widened pages.
#[test]
fn pages_do_not_scroll_sideways() {
    let Some(s) = setup() else { return };
    let b = &s.browser;
    let mut wide = Vec::new();
    b.goto(&s.url("index.html")); // a page with the site's viewport meta tag
    for (width, mobile) in [(390, true), (900, false), (1100, false)] {
        viewport(b, width, 900, mobile);
        for page in [
            PERMISSION,
            "permissions/Mail.Read.html",
            "about.html",
            "index.html",
        ] {
            b.goto(&s.url(page));
            let extra = sideways(b);
            if extra > 0 {
                wide.push(format!("{page} at {width} px: {extra} px too wide"));
            }
        }
    }
    assert!(
        wide.is_empty(),
        "pages scroll sideways:\n{}",
        wide.join("\n")
    );
}

fn save_png(png: &[u8], path: &Path) {
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "screenshot is not a PNG"
    );
    std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

#[test]
fn screenshots_of_permission_page_and_index() {
    let Some(s) = setup() else { return };
    let b = &s.browser;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir: PathBuf = root.join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");

    b.goto(&s.url(PERMISSION));
    viewport(b, 1100, 1400, false);
    assert_eq!(theme(b), json!(null), "a fresh profile has no stored theme");
    let light = b.screenshot();
    save_png(&light, &dir.join("permission-light.png"));

    b.click(&b.find(".theme-toggle"));
    assert_eq!(theme(b), json!("dark"));
    b.execute("window.scrollTo(0, 0);", &[]);
    let dark = b.screenshot();
    assert_ne!(light, dark, "the dark screenshot looks like the light one");
    save_png(&dark, &dir.join("permission-dark.png"));

    b.click(&b.find(".theme-toggle"));
    b.goto(&s.url("index.html"));
    assert_eq!(theme(b), json!("light"));
    viewport(b, 390, 844, true);
    let overflow = sideways(b);
    save_png(&b.screenshot(), &dir.join("index-390.png"));
    assert_eq!(overflow, 0, "the index scrolls sideways at 390 px");

    let readme = root.join("docs/screenshot-permission.png");
    if !readme.exists() {
        assert!(
            light.len() < 400 * 1024,
            "light screenshot is {} bytes",
            light.len()
        );
        std::fs::create_dir_all(root.join("docs")).expect("create docs/");
        save_png(&light, &readme);
    }
    assert_clean_console(b, "while taking screenshots");
}

/// The site built from the upstream snapshot, once per test binary.
fn upstream_site() -> &'static Path {
    static SITE: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, out) = SITE.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("site");
        permcat::render::build(
            common::upstream_catalog(),
            &permcat::render::BuildOptions {
                out: out.clone(),
                base_url: None,
                previous: None,
            },
        )
        .expect("build the upstream site");
        (tmp, out)
    });
    out
}

/// A browser on a page of the upstream site; `None` when browser tests are skipped.
fn upstream_browser(page: &str) -> Option<(Browser, MutexGuard<'static, ()>)> {
    if !webdriver::available() {
        return None;
    }
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let browser = Browser::start();
    browser.goto(&file_url(&upstream_site().join(page)));
    Some((browser, turn))
}

/// The site search's results for a query: (kind, title).
fn search(b: &Browser, q: &str) -> Vec<(String, String)> {
    let v = b.execute(
        "var q = arguments[0]; return window.permcatSearch.ready().then(function () { \
           return window.permcatSearch.query(q, 30).map(function (r) { return [r.kind, r.title]; }); });",
        &[json!(q)],
    );
    v.as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r[0].as_str().expect("kind").to_string(),
                r[1].as_str().expect("title").to_string(),
            )
        })
        .collect()
}

fn first_of(results: &[(String, String)], kind: &str) -> Vec<String> {
    results
        .iter()
        .filter(|(k, _)| k == kind)
        .map(|(_, t)| t.clone())
        .collect()
}

#[test]
fn search_ranks_exact_prefix_typo_and_paths_on_the_real_index() {
    let Some((b, _turn)) = upstream_browser("index.html") else {
        return;
    };
    let user_read = search(&b, "user.read");
    assert_eq!(
        first_of(&user_read, "permission")
            .first()
            .map(String::as_str),
        Some("User.Read"),
        "{user_read:?}"
    );
    let typo = search(&b, "usr.red.all");
    let perms = first_of(&typo, "permission");
    assert!(
        perms.iter().take(3).any(|p| p == "User.Read.All"),
        "{perms:?}"
    );
    let path = search(&b, "/me/messages");
    let endpoints = first_of(&path, "endpoint");
    assert!(
        endpoints
            .first()
            .is_some_and(|e| e.contains("/me/messages")),
        "{endpoints:?}"
    );
    assert!(
        first_of(&path, "permission")
            .iter()
            .any(|p| p.starts_with("Mail.")),
        "{path:?}"
    );
    // No request leaves the site while searching, and nothing logs an error.
    let problems: Vec<LogEntry> = b
        .console()
        .into_iter()
        .filter(|e| e.level == "SEVERE")
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn search_finds_cmdlets_in_the_sample() {
    let Some(s) = setup() else { return };
    s.browser.goto(&s.url("index.html"));
    let results = search(&s.browser, "Get-MgUser");
    assert_eq!(
        first_of(&results, "cmdlet").first().map(String::as_str),
        Some("Get-MgUser"),
        "{results:?}"
    );
}

/// Drops the `closest` suggestions, which the page computes on its own.
fn without_suggestions(mut v: Value) -> Value {
    for list in ["misses", "unknown_cmdlets"] {
        if let Some(items) = v.get_mut(list).and_then(Value::as_array_mut) {
            for item in items {
                if let Some(obj) = item.as_object_mut() {
                    obj.remove("closest");
                }
            }
        }
    }
    v
}

/// Compares the page's `permcatLookup` with the library's `Lookup::query` (what
/// `permcat which --json` prints) for each input; returns the differences.
fn compare_lookup(b: &Browser, catalog: &permcat::Catalog, inputs: &[String]) -> Vec<String> {
    let lookup = permcat::lookup::Lookup::new(catalog);
    let mut differences = Vec::new();
    for input in inputs {
        let args: Vec<String> = input.split_whitespace().map(str::to_string).collect();
        let cli = match lookup.query(&args) {
            Ok(report) => without_suggestions(serde_json::to_value(report).expect("JSON")),
            Err(e) => json!({ "error": e.to_string() }),
        };
        let page = without_suggestions(b.execute(
            "try { return window.permcatLookup(arguments[0]); } catch (e) { return { error: String(e) }; }",
            &[json!(input)],
        ));
        if cli != page {
            differences.push(format!("{input}\n  cli:  {cli}\n  page: {page}"));
        }
    }
    differences
}

/// The page's answers must equal the CLI's on every request of the `which` table and
/// every line of `scripts/lookup-requests.txt` (its `[sample]` lines on the sample).
#[test]
fn lookup_page_answers_exactly_like_the_cli() {
    let listed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lookup-requests.txt"),
    )
    .expect("scripts/lookup-requests.txt");
    let mut upstream_inputs: Vec<String> = crate::which::CASES
        .iter()
        .map(|(method, url, _, _)| format!("{method} {url}"))
        .collect();
    // One multi-request line, so the cover is compared too.
    upstream_inputs.push("/me /me/messages POST /me/sendMail".to_string());
    let mut sample_inputs = Vec::new();
    let mut section = "";
    for line in listed.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            section = line;
            continue;
        }
        match section {
            "[sample]" => sample_inputs.push(line.to_string()),
            _ => upstream_inputs.push(line.to_string()),
        }
    }
    assert!(upstream_inputs.len() >= 40 && !sample_inputs.is_empty());

    let Some((b, turn)) = upstream_browser("lookup.html") else {
        return;
    };
    let mut differences = compare_lookup(&b, common::upstream_catalog(), &upstream_inputs);
    drop(b);
    drop(turn);
    let Some(s) = setup() else { return };
    s.browser.goto(&s.url("lookup.html"));
    differences.extend(compare_lookup(
        &s.browser,
        &common::load(&common::sample()),
        &sample_inputs,
    ));
    let total = upstream_inputs.len() + sample_inputs.len();
    assert!(
        differences.is_empty(),
        "{} of {total} inputs differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
    println!("{total} inputs answered identically by the page and the CLI");
}
