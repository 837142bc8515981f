//! The site in a real browser (headless Chromium through chromedriver). The sample site
//! is opened from disk, as a reader of `public/` would: no console errors, tabs, copy
//! buttons, theme toggle, index filters, no requests leaving the site, no sideways
//! scrolling, and screenshots of the permission page (`scripts/screenshot.sh` copies the
//! light one into the README). The real catalog is served by one `permcat serve` on the
//! upstream snapshot: search by typing, the lookup page, tabs from the keyboard, Export
//! JSON/CSV downloads, print media, and axe-core's accessibility check in both themes.
//! Screenshots go to `target/screenshots` only, for CI artifacts.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common;
use crate::webdriver::{self, Browser, LogEntry};

/// Where `npm ci --prefix tests/browser` puts the pinned axe-core.
pub fn axe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/axe-core/axe.min.js")
}

/// The sample permission with code examples, a resource and copy buttons.
const PERMISSION: &str = "permissions/IndustryData-OutboundFlow.ReadWrite.All.html";

/// One browser at a time: the tests are quicker in sequence than fighting for CPU. The
/// harness runs them on one thread unless told otherwise; this holds when it is.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A site built from the sample and a browser to look at it. Fields drop in order:
/// the browser quits before the site is deleted and the next test may start.
pub(crate) struct Setup {
    pub(crate) browser: Browser,
    pub(crate) site: tempfile::TempDir,
    /// A data directory made for this test, when it is not the sample.
    _data: Option<tempfile::TempDir>,
    _turn: MutexGuard<'static, ()>,
}

impl Setup {
    /// `file://` URL of a page of the built site.
    pub(crate) fn url(&self, page: &str) -> String {
        file_url(&self.site.path().join("site").join(page))
    }
}

/// Builds the sample site and starts a browser.
pub(crate) fn setup() -> Setup {
    setup_with(common::sample(), None)
}

/// Builds the site of a data directory and starts a browser.
pub(crate) fn setup_with(data: PathBuf, made: Option<tempfile::TempDir>) -> Setup {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let site = tempfile::tempdir().expect("temp dir for the site");
    let out = site.path().join("site");
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
    Setup {
        browser: Browser::start(),
        site,
        _data: made,
        _turn: turn,
    }
}

/// A `file://` URL for an absolute path, percent-encoding what URLs can't hold.
pub(crate) fn file_url(path: &Path) -> String {
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
pub(crate) fn problems(log: Vec<LogEntry>) -> Vec<LogEntry> {
    log.into_iter()
        .filter(|e| {
            e.level == "SEVERE"
                || e.source == "security"
                || e.message.contains("Content Security Policy")
                || e.message.contains("Content-Security-Policy")
        })
        .collect()
}

pub(crate) fn assert_clean_console(browser: &Browser, when: &str) {
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

pub fn permission_page_tabs_and_copy_work_without_console_errors() {
    let s = setup();
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
pub fn console_check_catches_load_time_errors_and_csp_reports() {
    let s = setup();
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
pub(crate) fn theme(b: &Browser) -> Value {
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

pub fn theme_toggle_switches_and_remembers_the_theme() {
    let s = setup();
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

pub fn index_filters_hide_and_count_permissions() {
    let s = setup();
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

    // The risk filter: Tier 0 leaves exactly the Tier-0 entries of the sample's raw
    // tiering file that name one of its permissions.
    b.clear(&q);
    b.click(&b.find("[data-filter-form] select[name=type] option[value='']"));
    b.click(&b.find("[data-filter-form] select[name=risk] option[value='0']"));
    let (items, _) = settled_count(b, &count, "the count after choosing Tier 0", "#risk=0");
    let raw = common::raw_json(&common::tiered_json(&common::sample()));
    let mut want: Vec<String> = raw
        .as_array()
        .expect("tiered list")
        .iter()
        .filter(|e| e["tier"] == "0")
        .filter_map(|e| e["assetName"].as_str())
        .map(str::to_ascii_lowercase)
        .filter(|n| items.iter().any(|(m, _)| m == n))
        .collect();
    want.sort();
    let mut got: Vec<String> = items.iter().filter(|i| i.1).map(|i| i.0.clone()).collect();
    got.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want, "Tier 0 shows other permissions");
    assert_clean_console(b, "after filtering");
}

/// URLs that stay on the reader's disk: the site's files and inline `data:` images.
fn local(url: &str) -> bool {
    url.starts_with("file://") || url.starts_with("data:")
}

pub fn no_request_leaves_the_site() {
    let s = setup();
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
pub(crate) fn viewport(b: &Browser, width: u32, height: u32, mobile: bool) {
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
    );
    let inner = b.execute("return [window.innerWidth, window.innerHeight];", &[]);
    assert_eq!(inner, json!([width, height]), "viewport not resized");
}

/// How far a page scrolls sideways (CSS pixels) in the current viewport.
pub(crate) fn sideways(b: &Browser) -> i64 {
    b.execute(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        &[],
    )
    .as_i64()
    .expect("a number of pixels")
}

/// Regression: the Sources table and long conflict subjects once widened pages.
pub fn pages_do_not_scroll_sideways() {
    let s = setup();
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

pub(crate) fn save_png(png: &[u8], path: &Path) {
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "screenshot is not a PNG"
    );
    std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Writes into `target/screenshots` only; `scripts/screenshot.sh` runs this test and
/// copies `permission-light.png` to `docs/screenshot-permission.png` for the README.
pub fn screenshots_of_permission_page_and_index() {
    let s = setup();
    let b = &s.browser;
    let dir = screenshot_dir();

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

    // The light one is the README's picture: keep it small enough for the repository.
    assert!(
        light.len() < 400 * 1024,
        "light screenshot is {} bytes",
        light.len()
    );
    assert_clean_console(b, "while taking screenshots");
}

/// The real catalog as a user has it after `permcat sync --docs`: the upstream snapshot
/// with today's Learn docs beside it (symlinks in a temp dir). The reference page lists
/// the cmdlets of the Learn PowerShell snippets and shows code examples with a tab per
/// language; `scripts/screenshot.sh` copies the screenshot to
/// `docs/screenshot-after-sync-docs.png` for the README.
pub fn the_real_catalog_with_todays_docs_shows_cmdlets_and_every_language() {
    let data = common::combined_docs_dir(true);
    let s = setup_with(data.path().to_path_buf(), Some(data));
    let b = &s.browser;
    b.goto(&s.url(PERMISSION));
    assert_clean_console(b, "after loading the permission page of the real catalog");

    let powershell = text_of(b, "#powershell");
    assert!(
        powershell.contains("From Learn PowerShell snippets."),
        "{powershell}"
    );
    for cmdlet in [
        "Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSet",
        "New-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow",
        "Reset-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow",
    ] {
        assert!(powershell.contains(cmdlet), "{cmdlet} not in {powershell}");
    }

    // The first example: a tab per language, in the page's order, each showing its code.
    let group = b.find("#examples .tabs[data-tabs]");
    let tabs = b.find_in(&group, "[role=tab]");
    let names: Vec<String> = tabs.iter().map(|t| b.text(t)).collect();
    for lang in [
        "C#",
        "Go",
        "Java",
        "JavaScript",
        "PHP",
        "PowerShell",
        "Python",
    ] {
        assert!(
            names.iter().any(|n| n == lang),
            "no {lang} tab in {names:?}"
        );
    }
    let go = tabs.iter().find(|t| b.text(t) == "Go").expect("a Go tab");
    b.click(go);
    assert!(selected(b, go), "clicking Go selects it");
    let panel = b
        .attribute(go, "aria-controls")
        .expect("tab has aria-controls");
    let code = b.text(&b.find(&format!("[id='{panel}']")));
    assert!(
        code.contains("msgraph-beta-sdk-go"),
        "the Go panel shows {code}"
    );

    viewport(b, 1100, 1400, false);
    // Instantly, not smoothly: the screenshot is taken right after.
    b.execute(
        "var top = document.getElementById('powershell').getBoundingClientRect().top;\
         window.scrollTo({ top: window.scrollY + top - 72, behavior: 'instant' });",
        &[],
    );
    let shot = b.screenshot();
    save_png(&shot, &screenshot_dir().join("permission-docs-light.png"));
    assert!(
        shot.len() < 400 * 1024,
        "screenshot is {} bytes",
        shot.len()
    );
    assert_clean_console(b, "after choosing a language");
}

/// `permcat serve` on the upstream snapshot, shared by every test of this module that
/// looks at the real catalog: one build for all of them, served over HTTP the way a
/// reader previews it.
struct Served {
    /// `http://127.0.0.1:PORT/`
    base: String,
    /// A shell that runs the server while a subshell waits on the shell's standard
    /// input, which only this process holds: closing it (or this process ending in any
    /// way) stops the server, so no `permcat serve` outlives the tests. The shell exits
    /// with the server, so a server that fails to start closes the output at once.
    _watchdog: Child,
}

impl Served {
    fn start() -> Served {
        let mut watchdog = Command::new("sh")
            .args([
                "-c",
                r#"exec 3<&0; "$0" serve --data "$1" --port 0 3<&- & pid=$!
                   (read _ <&3; kill "$pid") >/dev/null 2>&1 & wait "$pid""#,
            ])
            .arg(env!("CARGO_BIN_EXE_permcat"))
            .arg(common::upstream())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sh starts permcat serve");
        let stderr = common::drain(watchdog.stderr.take().expect("stderr"), None);
        let (tx, rx) = mpsc::channel();
        common::drain(watchdog.stdout.take().expect("stdout"), Some(tx));
        // The first build of the full snapshot takes seconds, more while the rest of the
        // suite shares the CPU; this bounds the wait, it is no timing assertion.
        let deadline = Instant::now() + Duration::from_secs(180);
        let base = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("serving http://") {
                        let addr = rest.split('/').next().expect("an address");
                        break format!("http://{addr}/");
                    }
                }
                Err(_) => {
                    drop(watchdog.stdin.take());
                    panic!(
                        "permcat serve printed no `serving` line; stderr:\n{}",
                        stderr.lock().map(|s| s.clone()).unwrap_or_default()
                    );
                }
            }
        };
        Served {
            base,
            _watchdog: watchdog,
        }
    }
}

/// The shared server, started by the first test that needs it. It runs until the
/// browser tests' process ends (their own binary, so no other test pays for the
/// watcher polling the snapshot's ~19,000 files), when the watchdog stops it.
static SERVED: Mutex<Option<Served>> = Mutex::new(None);

/// A browser on the served upstream site, holding the module's turn.
pub(crate) struct Upstream {
    pub(crate) browser: Browser,
    pub(crate) base: String,
    _turn: MutexGuard<'static, ()>,
}

impl Upstream {
    /// URL of a page of the served site (`page` relative to its root).
    pub(crate) fn url(&self, page: &str) -> String {
        format!("{}{page}", self.base)
    }
}

/// A browser on a page of the upstream site served by `permcat serve`.
pub(crate) fn upstream(page: &str) -> Upstream {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let base = {
        let mut served = SERVED.lock().unwrap_or_else(|e| e.into_inner());
        served.get_or_insert_with(Served::start).base.clone()
    };
    let u = Upstream {
        browser: Browser::start(),
        base,
        _turn: turn,
    };
    u.browser.goto(&u.url(page));
    u
}

/// Every request since the last call must stay on the served site (or be an inline
/// `data:` image); `page` names the page in the message.
pub(crate) fn assert_stays_on_site(b: &Browser, base: &str, page: &str) {
    let requests = b.requests();
    let outside: Vec<_> = requests
        .iter()
        .filter(|u| !u.starts_with(base) && !u.starts_with("data:"))
        .collect();
    assert!(
        outside.is_empty(),
        "{page}: requests leave the site: {outside:#?}"
    );
}

/// The site search's results for a query: (kind, title).
pub(crate) fn search(b: &Browser, q: &str) -> Vec<(String, String)> {
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

pub(crate) fn first_of(results: &[(String, String)], kind: &str) -> Vec<String> {
    results
        .iter()
        .filter(|(k, _)| k == kind)
        .map(|(_, t)| t.clone())
        .collect()
}

pub fn search_ranks_exact_prefix_typo_and_paths_on_the_real_index() {
    let u = upstream("index.html");
    let b = &u.browser;
    let user_read = search(b, "user.read");
    assert_eq!(
        first_of(&user_read, "permission")
            .first()
            .map(String::as_str),
        Some("User.Read"),
        "{user_read:?}"
    );
    let typo = search(b, "usr.red.all");
    let perms = first_of(&typo, "permission");
    assert!(
        perms.iter().take(3).any(|p| p == "User.Read.All"),
        "{perms:?}"
    );
    let path = search(b, "/me/messages");
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
    assert_clean_console(b, "after searching the real index");
    assert_stays_on_site(b, &u.base, "index.html");
}

pub fn search_finds_cmdlets_in_the_sample() {
    let s = setup();
    s.browser.goto(&s.url("index.html"));
    let results = search(&s.browser, "Get-MgUser");
    assert_eq!(
        first_of(&results, "cmdlet").first().map(String::as_str),
        Some("Get-MgUser"),
        "{results:?}"
    );
}

/// Compares the page's `permcatLookup` with the library's `Lookup::query` (what
/// `permcat which --json` prints) for each input, suggestions for misses included;
/// returns the differences.
fn compare_lookup(b: &Browser, catalog: &permcat::Catalog, inputs: &[String]) -> Vec<String> {
    let lookup = permcat::lookup::Lookup::new(catalog);
    let mut differences = Vec::new();
    for input in inputs {
        let args: Vec<String> = input.split_whitespace().map(str::to_string).collect();
        let cli = match lookup.query(&args) {
            Ok(report) => serde_json::to_value(report).expect("JSON"),
            Err(e) => json!({ "error": e.to_string() }),
        };
        let page = b.execute(
            "try { return window.permcatLookup(arguments[0]); } catch (e) { return { error: String(e) }; }",
            &[json!(input)],
        );
        if cli != page {
            differences.push(format!("{input}\n  cli:  {cli}\n  page: {page}"));
        }
    }
    differences
}

/// The page's answers must equal the CLI's on every request of the `which` table and
/// every line of `scripts/lookup-requests.txt` (its `[sample]` lines on the sample).
pub fn lookup_page_answers_exactly_like_the_cli() {
    let listed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lookup-requests.txt"),
    )
    .expect("scripts/lookup-requests.txt");
    let mut upstream_inputs: Vec<String> = crate::which_cases::CASES
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

    let u = upstream("lookup.html");
    let mut differences = compare_lookup(&u.browser, common::upstream_catalog(), &upstream_inputs);
    assert_clean_console(&u.browser, "after the lookups on the real catalog");
    drop(u);
    let s = setup();
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

/// The page shows the fallbacks, `/me` without Application, `$batch` and permission ids
/// as the CLI words them.
pub fn lookup_page_shows_fallbacks_batch_and_permission_ids() {
    let u = upstream("lookup.html");
    let b = &u.browser;
    let input = b.find("[data-lookup-input]");
    b.send_keys(
        &input,
        "PATCH /me\nPOST /$batch\n810c84a8-4a9e-49e6-bf7d-12d183f40d01\nGET /me/photo/$value\n00000000-0000-0000-0000-000000000000",
    );
    b.click(&b.find("[data-lookup-form] button[type=submit]"));
    b.wait_for("five results", || {
        (b.find_all(".lookup-answer").len() == 4 && b.find_all(".lookup-miss").len() == 1)
            .then_some(())
    });
    let via = text_of(b, ".lookup-via");
    assert!(via.contains("/me is the signed-in user"), "{via}");
    let not_usable = text_of(b, ".lookup-not-usable");
    assert!(
        not_usable.contains("ot usable with application permissions (no signed-in user)"),
        "{not_usable}"
    );
    let batch = text_of(b, ".lookup-batch");
    assert!(batch.contains("needs no permission of its own"), "{batch}");
    let id = text_of(b, ".lookup-permission-id");
    assert!(
        id.contains("Mail.Read") && id.contains("application permission"),
        "{id}"
    );
    let miss = text_of(b, ".lookup-miss");
    assert!(miss.contains("No permission has id"), "{miss}");
    // Results follow the input order.
    let order = b.execute(
        "return Array.from(document.querySelectorAll('[data-lookup-results] > .card, [data-lookup-results] > .lookup-miss')).map(function (n) { return n.className; });",
        &[],
    );
    let order: Vec<&str> = order
        .as_array()
        .expect("classes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(order.len() >= 5, "{order:?}");
    let tail = &order[order.len() - 5..];
    assert!(
        tail[1].contains("lookup-batch")
            && tail[2].contains("lookup-permission-id")
            && tail[4].contains("lookup-miss"),
        "{order:?}"
    );
    assert_clean_console(b, "after looking up the new shapes");
}

/// The real permission the served-site tests open: many grants, two versions, code
/// examples in two languages and a resource page.
const REAL_PERMISSION: &str = "permissions/User.Read.All.html";

/// `target/screenshots`, created; CI keeps it as an artifact.
pub(crate) fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// Text of the first element matching a CSS selector.
pub(crate) fn text_of(b: &Browser, css: &str) -> String {
    b.text(&b.find(css))
}

pub fn typing_in_the_search_box_opens_the_permission() {
    let u = upstream("index.html");
    let b = &u.browser;
    let input = b.find("#site-search");
    b.send_keys(&input, "user.read.all");
    let first = b.wait_for_at_most(
        Duration::from_secs(15),
        "results under the search box",
        || {
            let v = b.execute(
                "var list = document.getElementById('site-search-results'); \
                 var opt = list && !list.hidden && list.querySelector('[role=option]'); \
                 return opt ? opt.querySelector('.search-option-title').textContent : null;",
                &[],
            );
            v.as_str().map(str::to_owned)
        },
    );
    assert_eq!(
        first, "User.Read.All",
        "the first result of `user.read.all`"
    );
    assert_eq!(
        b.attribute(&input, "aria-expanded").as_deref(),
        Some("true"),
        "the combobox does not say its list is open"
    );

    // ArrowDown makes the first option active (announced through aria-activedescendant),
    // Enter opens it.
    b.send_keys(&input, "\u{E015}");
    let active = b
        .attribute(&input, "aria-activedescendant")
        .expect("ArrowDown sets aria-activedescendant");
    let option = b.find(&format!("[id='{active}']"));
    assert_eq!(
        b.attribute(&option, "aria-selected").as_deref(),
        Some("true")
    );
    b.send_keys(&input, "\u{E007}");
    b.wait_for("Enter to open the permission page", || {
        b.current_url().ends_with(REAL_PERMISSION).then_some(())
    });
    b.wait_for("the permission page to load", || {
        let h1 = b.execute(
            "return document.readyState === 'complete' && document.querySelector('h1') ? document.querySelector('h1').textContent : null;",
            &[],
        );
        (h1.as_str() == Some("User.Read.All")).then_some(())
    });
    assert_clean_console(b, "after searching and opening a result");
    assert_stays_on_site(b, &u.base, "search and result");
}

pub fn lookup_page_answers_typed_requests() {
    let u = upstream("lookup.html");
    let b = &u.browser;
    let input = b.find("[data-lookup-input]");
    b.send_keys(&input, "GET /me/messages\nPOST /me/sendMail");
    b.click(&b.find("[data-lookup-form] button[type=submit]"));
    let answers = b.wait_for("two answers and a cover", || {
        let answers = b.find_all(".lookup-answer");
        (answers.len() == 2 && !b.find_all(".lookup-cover").is_empty()).then_some(answers)
    });
    let send = b.text(&answers[1]);
    assert!(
        send.contains("/me/sendMail") && send.contains("Mail.Send"),
        "POST /me/sendMail should name Mail.Send:\n{send}"
    );
    let cover = text_of(b, ".lookup-cover");
    assert!(
        cover.contains("Mail.Send"),
        "the cover of both requests lacks Mail.Send:\n{cover}"
    );
    let hash = b.execute("return decodeURIComponent(location.hash.slice(1));", &[]);
    assert_eq!(
        hash,
        json!("GET /me/messages\nPOST /me/sendMail"),
        "the lookup is not kept in the URL"
    );
    assert_clean_console(b, "after a lookup");
    assert_stays_on_site(b, &u.base, "lookup.html");
}

/// Keys as WebDriver sends them.
const TAB: &str = "\u{E004}";
const HOME: &str = "\u{E011}";
const ARROW_RIGHT: &str = "\u{E014}";
const END: &str = "\u{E010}";

/// `[aria-selected, tabindex]` of every tab in each language tab group, and the id of
/// the focused element.
fn tab_state(b: &Browser) -> (Vec<Vec<(bool, String)>>, String) {
    let v = b.execute(
        "return [Array.prototype.map.call(document.querySelectorAll('[data-tabs]'), function (g) { \
           return Array.prototype.map.call(g.querySelectorAll('[role=tab]'), function (t) { \
             return [t.getAttribute('aria-selected') === 'true', t.getAttribute('tabindex')]; }); }), \
           document.activeElement ? document.activeElement.id : ''];",
        &[],
    );
    let groups = v[0]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            g.as_array()
                .expect("tabs")
                .iter()
                .map(|t| {
                    (
                        t[0].as_bool().expect("selected"),
                        t[1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .collect();
    (groups, v[1].as_str().unwrap_or_default().to_owned())
}

pub fn language_tabs_work_from_the_keyboard() {
    let u = upstream(REAL_PERMISSION);
    let b = &u.browser;
    let tabs = b.find_all("[data-tabs] [role=tab]");
    let (groups, _) = tab_state(b);
    assert!(
        groups.len() >= 2 && groups[0].len() >= 2,
        "User.Read.All should have several examples in several languages: {groups:?}"
    );
    let n = groups[0].len();
    let first = &tabs[0];
    let id = |i: usize| {
        b.attribute(&tabs[i], "id")
            .expect("tabs have ids")
            .to_string()
    };
    b.execute("arguments[0].focus();", &[first.arg()]);

    // One tab per group is in the Tab order (roving tabindex), the selected one.
    let roving = |groups: &[Vec<(bool, String)>], at: usize| {
        groups.iter().all(|g| {
            g.iter().enumerate().all(|(i, (sel, tabindex))| {
                *sel == (i == at) && tabindex == if i == at { "0" } else { "-1" }
            })
        })
    };

    b.send_keys(first, ARROW_RIGHT);
    let (groups, focused) = tab_state(b);
    assert_eq!(
        focused,
        id(1),
        "ArrowRight did not move focus to the second tab"
    );
    assert!(
        roving(&groups, 1),
        "ArrowRight should select the second language in every synced group: {groups:?}"
    );
    b.send_keys(&tabs[1], END);
    let (groups, focused) = tab_state(b);
    assert_eq!(focused, id(n - 1), "End did not focus the last tab");
    assert!(roving(&groups, n - 1), "End: {groups:?}");
    b.send_keys(&tabs[n - 1], HOME);
    let (groups, focused) = tab_state(b);
    assert_eq!(focused, id(0), "Home did not focus the first tab");
    assert!(roving(&groups, 0), "Home: {groups:?}");

    // Tab leaves the tab list for the shown panel: its Copy button, then the code,
    // which scrolls and so takes focus too.
    let panel = b
        .attribute(first, "aria-controls")
        .expect("the tab names its panel");
    let focus_in_panel = || {
        b.execute(
            "var p = document.getElementById(arguments[0]), a = document.activeElement; \
             return p.contains(a) ? a.tagName.toLowerCase() + (a.className ? '.' + a.className.split(' ')[0] : '') : null;",
            &[json!(panel)],
        )
    };
    b.send_keys(first, TAB);
    assert_eq!(
        focus_in_panel(),
        json!("button.copy"),
        "Tab from the selected tab should reach the Copy button of its panel"
    );
    b.send_keys(&b.find(&format!("[id='{panel}'] .copy")), TAB);
    assert_eq!(
        focus_in_panel(),
        json!("pre.code"),
        "the code block should be next in the Tab order"
    );
    assert_clean_console(b, "after using the tabs from the keyboard");
}

/// Waits for a finished download named `name` in `dir` and reads it.
fn downloaded(b: &Browser, dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    b.wait_for_at_most(
        Duration::from_secs(15),
        &format!("{name} to be downloaded into {}", dir.display()),
        || {
            // Chromium writes into `<name>.crdownload` and renames it when complete.
            let partial = std::fs::read_dir(dir)
                .map(|d| {
                    d.filter_map(Result::ok)
                        .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"))
                })
                .unwrap_or(false);
            if partial {
                return None;
            }
            std::fs::read(&path).ok()
        },
    )
}

pub fn export_buttons_download_json_and_csv_of_the_permission() {
    let u = upstream(REAL_PERMISSION);
    let b = &u.browser;
    let dir = b.downloads();
    // Also through DevTools: headless Chromium has refused downloads in some versions
    // unless told where they go.
    b.cdp(
        "Browser.setDownloadBehavior",
        json!({ "behavior": "allow", "downloadPath": dir }),
    );
    let name = text_of(b, "h1");
    assert_eq!(name, "User.Read.All");
    // The page counts its endpoints per version; the exports must hold the same ones.
    let endpoints: usize = b
        .find_all("#methods h3 .count")
        .iter()
        .map(|c| b.text(c).parse::<usize>().expect("a count"))
        .sum();
    assert!(
        endpoints > 100,
        "User.Read.All grants {endpoints} endpoints"
    );

    b.click(&b.find(".page-head .actions a[href$='.json']"));
    let json_bytes = downloaded(b, &dir, "User.Read.All.json");
    let export: Value = serde_json::from_slice(&json_bytes).expect("Export JSON is JSON");
    assert_eq!(export["format"], json!("permcat.permission"));
    assert_eq!(export["permission"]["name"], json!(name));
    let grants = export["grants"].as_array().expect("grants");
    assert!(grants.iter().all(|g| g["permission"] == json!(name)));
    let distinct = |pairs: Vec<(String, String)>| {
        pairs
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let json_endpoints = distinct(
        grants
            .iter()
            .map(|g| {
                (
                    g["method"].as_str().expect("method").to_owned(),
                    g["key"].as_str().expect("key").to_owned(),
                )
            })
            .collect(),
    );
    assert_eq!(
        json_endpoints, endpoints,
        "the page lists {endpoints} endpoints, Export JSON {json_endpoints}"
    );

    b.click(&b.find(".page-head .actions a[href$='.csv']"));
    let csv_bytes = downloaded(b, &dir, "User.Read.All.csv");
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("Export CSV has a header")
        .iter()
        .map(str::to_owned)
        .collect();
    for column in [
        "permission",
        "method",
        "path",
        "key",
        "scheme",
        "least_privileged",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "Export CSV lacks the `{column}` column: {header:?}"
        );
    }
    let col = |c: &str| header.iter().position(|h| h == c).expect("column");
    let (p, m, k) = (col("permission"), col("method"), col("key"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(
        rows.len(),
        grants.len(),
        "Export CSV and Export JSON hold different numbers of grants"
    );
    assert!(rows.iter().all(|r| &r[p] == name.as_str()));
    let csv_endpoints = distinct(
        rows.iter()
            .map(|r| (r[m].to_owned(), r[k].to_owned()))
            .collect(),
    );
    assert_eq!(
        csv_endpoints, endpoints,
        "the page lists {endpoints} endpoints, Export CSV {csv_endpoints}"
    );
    assert_clean_console(b, "after both exports");
    assert_stays_on_site(b, &u.base, "the exports");
}

/// Whether the first element matching each selector is rendered (it and its ancestors
/// are displayed); `null` when none matches.
fn rendered(b: &Browser, selectors: &[&str]) -> Vec<(String, Value)> {
    let v = b.execute(
        "return arguments[0].map(function (css) { var el = document.querySelector(css); \
           return el ? el.checkVisibility() : null; });",
        &[json!(selectors)],
    );
    selectors
        .iter()
        .map(|s| s.to_string())
        .zip(v.as_array().expect("a list").iter().cloned())
        .collect()
}

pub fn print_media_hides_navigation_and_buttons() {
    let u = upstream(REAL_PERMISSION);
    let b = &u.browser;
    let chrome = [
        ".site-header",
        ".site-nav",
        "#site-search",
        ".theme-toggle",
        ".page-head .actions",
        ".page-head .actions a[href$='.json']",
        "[data-print]",
        ".toc",
        "[role=tablist]",
        ".copy",
        ".site-footer",
    ];
    let content = [
        "h1",
        ".page-head .lede",
        "#details h2 a.anchor", // the section headings are self-links holding their text
        "#details .card",
        "#methods table",
        "#examples [role=tabpanel][hidden]", // every language prints
    ];
    // On screen the same elements are shown: the check below can fail.
    let off_screen: Vec<_> = rendered(b, &chrome)
        .into_iter()
        .filter(|(_, r)| r != &json!(true))
        .collect();
    assert!(off_screen.is_empty(), "not shown on screen: {off_screen:?}");

    b.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    let printing = b.execute("return matchMedia('print').matches;", &[]);
    assert_eq!(printing, json!(true), "print media is not emulated");
    let printed: Vec<_> = rendered(b, &chrome)
        .into_iter()
        .filter(|(_, r)| r != &json!(false))
        .collect();
    assert!(printed.is_empty(), "shown in print: {printed:?}");
    let missing: Vec<_> = rendered(b, &content)
        .into_iter()
        .filter(|(_, r)| r != &json!(true))
        .collect();
    assert!(missing.is_empty(), "not printed: {missing:?}");
    save_png(
        &b.screenshot(),
        &screenshot_dir().join("catalog-permission-print.png"),
    );
    b.cdp("Emulation.setEmulatedMedia", json!({ "media": "" }));
    assert_clean_console(b, "in print media");
}

/// axe-core's source, from `npm ci --prefix tests/browser`.
pub(crate) fn axe_source() -> &'static str {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path = axe_path();
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}\naxe-core is not installed: run `npm ci --prefix tests/browser` \
                 (or set PERMCAT_SKIP_BROWSER=1 to skip the browser tests)",
                path.display()
            )
        })
    })
}

/// Runs axe-core on the current page; its serious and critical violations.
pub(crate) fn axe_violations(b: &Browser) -> Vec<Value> {
    // WebDriver scripts run outside the page's Content Security Policy, which would
    // refuse a script the site did not ship.
    let loaded = b.execute("return typeof window.axe;", &[]);
    if loaded != json!("object") {
        b.execute(&format!("{}\n;return null;", axe_source()), &[]);
    }
    let v = b.execute_async(
        "var done = arguments[arguments.length - 1]; \
         axe.run(document, { resultTypes: ['violations'] }).then(function (r) { \
           done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; }) \
             .map(function (v) { return { id: v.id, impact: v.impact, help: v.help, count: v.nodes.length, \
               targets: v.nodes.slice(0, 4).map(function (n) { return n.target.join(' '); }), \
               summary: v.nodes.length ? v.nodes[0].failureSummary : '' }; })); \
         }, function (e) { done({ error: String(e) }); });",
        &[],
        Duration::from_secs(90),
    );
    match v {
        Value::Array(list) => list,
        other => panic!("axe.run failed: {other}"),
    }
}

/// One line per violation, for the failure message.
pub(crate) fn describe(page: &str, violations: &[Value]) -> Vec<String> {
    violations
        .iter()
        .map(|v| {
            format!(
                "{page}: {} ({}): {} — {} element(s), e.g. {}\n    {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                v["count"],
                v["targets"],
                v["summary"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', "\n    "),
            )
        })
        .collect()
}

/// Waits until no CSS transition (the theme's colours fade on buttons) is running, so
/// axe and the screenshot see the final colours.
pub(crate) fn settle(b: &Browser) {
    b.wait_for("transitions to finish", || {
        let running = b.execute(
            "return document.getAnimations().filter(function (a) { return a.playState === 'running'; }).length;",
            &[],
        );
        (running == json!(0)).then_some(())
    });
}

/// axe-core on the index, a permission, a resource, the lookup page (with answers) and
/// the "Check an app" page (with an audit),
/// in the light and the dark theme, with a screenshot of each for CI.
pub fn main_pages_have_no_serious_accessibility_violations() {
    let u = upstream("about.html");
    axe_source(); // fail early, with the install hint, when axe-core is missing
    let b = &u.browser;
    let dir = screenshot_dir();
    let mut found = Vec::new();
    for (shot, page) in [
        ("index", "index.html"),
        ("permission", REAL_PERMISSION),
        ("resource", "resources/v1.0/microsoft.graph.user.html"),
        (
            "lookup",
            "lookup.html#GET%20%2Fme%2Fmessages%0APOST%20%2Fme%2FsendMail",
        ),
        ("audit", "audit.html"),
    ] {
        b.requests();
        b.goto(&u.url(page));
        if shot == "lookup" {
            b.wait_for("the lookup answers", || {
                (!b.find_all(".lookup-answer").is_empty()).then_some(())
            });
        }
        if shot == "audit" {
            b.execute(
                "document.querySelector('[data-audit-input]').value = 'Mail.ReadWrite application\\nUser.Read delegated\\n12345678-1234-4234-8234-123456789abc'; \
                 document.querySelector('[data-audit-requests]').value = 'GET /me/messages\\nGET /users/{id}/messages';",
                &[],
            );
            b.click(&b.find("[data-audit-form] button[type=submit]"));
            b.wait_for("the audit", || {
                (!b.find_all("[data-audit-results] table").is_empty()).then_some(())
            });
        }
        for theme_name in ["light", "dark"] {
            if theme(b).as_str().unwrap_or("light") != theme_name {
                b.click(&b.find(".theme-toggle"));
                b.execute("window.scrollTo(0, 0); document.activeElement.blur();", &[]);
            }
            assert_eq!(theme(b).as_str().unwrap_or("light"), theme_name);
            settle(b);
            save_png(
                &b.screenshot(),
                &dir.join(format!("catalog-{shot}-{theme_name}.png")),
            );
            found.extend(describe(
                &format!("{page} ({theme_name})"),
                &axe_violations(b),
            ));
        }
        // Back to light, remembered for the next page.
        b.click(&b.find(".theme-toggle"));
        assert_clean_console(b, &format!("on {page}"));
        assert_stays_on_site(b, &u.base, page);
    }
    assert!(
        found.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The accessibility check itself: an image without a text alternative and text too
/// faint to read, put on a page, must be reported, or a clean result would prove nothing.
pub fn accessibility_check_catches_injected_violations() {
    let u = upstream("lookup.html");
    let b = &u.browser;
    b.execute(
        "var main = document.querySelector('main'); \
         var img = document.createElement('img'); \
         img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw='; img.width = 20; img.height = 20; \
         main.appendChild(img); \
         var p = document.createElement('p'); p.textContent = 'Faint text nobody can read'; \
         p.style.color = '#d0d0d0'; p.style.background = '#ffffff'; \
         main.appendChild(p);",
        &[],
    );
    let violations = axe_violations(b);
    let ids: Vec<&str> = violations.iter().filter_map(|v| v["id"].as_str()).collect();
    for expected in ["image-alt", "color-contrast"] {
        assert!(
            ids.contains(&expected),
            "axe did not report `{expected}`: {:#?}",
            describe("lookup.html", &violations)
        );
    }
}
