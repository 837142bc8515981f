//! A minimal synchronous W3C WebDriver client: finds Debian's Chromium and chromedriver,
//! starts chromedriver on a free loopback port and drives one headless session over HTTP.

use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;

/// Debian's Chromium: `$PERMCAT_CHROMIUM`, or `chromium` on the `PATH`.
pub fn chromium() -> Option<PathBuf> {
    program("PERMCAT_CHROMIUM", "chromium")
}

/// Debian's chromedriver, matching [`chromium`]: `$PERMCAT_CHROMEDRIVER`, or
/// `chromedriver` on the `PATH`.
pub fn chromedriver() -> Option<PathBuf> {
    program("PERMCAT_CHROMEDRIVER", "chromedriver")
}

/// The file an environment variable names (none when it names no file), else the first
/// `name` on the `PATH`.
fn program(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// What the browser tests lack to start a browser: an empty list when both programs
/// are there.
pub fn missing() -> Vec<String> {
    let mut missing = Vec::new();
    if chromium().is_none() {
        missing.push("Chromium (`chromium` on the PATH, or $PERMCAT_CHROMIUM)".to_string());
    }
    if chromedriver().is_none() {
        missing.push(
            "chromedriver (`chromedriver` on the PATH, or $PERMCAT_CHROMEDRIVER)".to_string(),
        );
    }
    missing
}

/// The key under which W3C WebDriver passes element references.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The session's script timeout, for [`Browser::execute`] and by default for
/// [`Browser::execute_async`].
const SCRIPT_MS: u64 = 10_000;

/// How long [`Browser::wait_for`] waits before failing.
const WAIT: Duration = Duration::from_secs(5);

/// A reference to an element on the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Element {
    /// The element as a script argument.
    pub fn arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

/// One console message from the browser log.
#[derive(Debug)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`, …
    pub level: String,
    /// `javascript`, `console-api`, `security`, `network`, …
    pub source: String,
    /// The text, starting with the URL and position it came from.
    pub message: String,
}

/// chromedriver with one headless Chromium session. Dropping it ends the session and
/// kills chromedriver (and the browser, if ending the session failed), also when a
/// test fails halfway.
pub struct Browser {
    agent: ureq::Agent,
    base: String,
    session: String,
    browser_pid: Option<u64>,
    driver: Child,
    profile: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session.
    pub fn start() -> Browser {
        let profile = tempfile::tempdir().expect("temp dir for the browser profile");
        let port = free_port();
        let log = File::create(profile.path().join("chromedriver.log")).expect("chromedriver log");
        let driver = Command::new(chromedriver().expect("chromedriver is installed"))
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("chromedriver log handle"))
            .stderr(log)
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut browser = Browser {
            agent,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            browser_pid: None,
            driver,
            profile,
        };
        browser.wait_ready();
        browser.open_session();
        // Headless Chromium starts on its new tab page, which loads chrome:// resources
        // in the background; leave it and forget its log so tests see only their pages.
        browser.goto("about:blank");
        browser.console();
        browser.requests();
        browser
    }

    /// Polls `GET /status` until chromedriver says it is ready (at most ~10 s).
    fn wait_ready(&mut self) {
        let mut last = String::from("no answer");
        for _ in 0..200 {
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!("chromedriver exited with {status}:\n{}", self.driver_log());
            }
            match self.request("GET", "/status", None) {
                Ok(v) if v["ready"] == json!(true) => return,
                Ok(v) => last = v.to_string(),
                Err(e) => last = e,
            }
            sleep(Duration::from_millis(50));
        }
        panic!(
            "chromedriver not ready after 10 s ({last}):\n{}",
            self.driver_log()
        );
    }

    fn open_session(&mut self) {
        let user_data = self.profile.path().join("profile");
        let downloads = self.downloads();
        std::fs::create_dir_all(&downloads).expect("create the downloads folder");
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "pageLoadStrategy": "normal",
                "timeouts": { "pageLoad": 20000, "script": SCRIPT_MS, "implicit": 0 },
                "goog:chromeOptions": {
                    "binary": chromium().expect("Chromium is installed"),
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run",
                        format!("--user-data-dir={}", user_data.display()),
                        "--window-size=1280,1000",
                    ],
                    // Downloads land in the session's own folder, without a dialog, so a
                    // test can read what a link or button saved.
                    "prefs": {
                        "download.default_directory": downloads,
                        "download.prompt_for_download": false,
                        "download.directory_upgrade": true,
                    },
                },
                // browser: console messages, load-time errors included; performance:
                // DevTools events, for every request the page makes (file:// too).
                "goog:loggingPrefs": { "browser": "ALL", "performance": "ALL" },
            }}
        });
        let value = self
            .request("POST", "/session", Some(&caps))
            .unwrap_or_else(|e| panic!("starting Chromium failed: {e}\n{}", self.driver_log()));
        self.session = value["sessionId"]
            .as_str()
            .expect("new session has an id")
            .to_owned();
        self.browser_pid = value["capabilities"]["goog:processID"].as_u64();
    }

    /// Where this session's downloads are saved (inside its temporary profile).
    pub fn downloads(&self) -> PathBuf {
        self.profile.path().join("downloads")
    }

    fn driver_log(&self) -> String {
        std::fs::read_to_string(self.profile.path().join("chromedriver.log")).unwrap_or_default()
    }

    /// Sends one HTTP request to chromedriver; the response's `value`, or the
    /// WebDriver error as text.
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(body.unwrap_or(&json!({})).to_string()),
        };
        let mut response = response.map_err(|e| format!("{method} {path}: {e}"))?;
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("{method} {path}: reading the response: {e}"))?;
        let parsed: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{method} {path}: not JSON ({e}): {text}"))?;
        let value = parsed.get("value").cloned().unwrap_or(Value::Null);
        if let Some(error) = value.get("error").and_then(Value::as_str) {
            let message = value["message"].as_str().unwrap_or("");
            return Err(format!("{method} {path}: {error}: {message}"));
        }
        Ok(value)
    }

    /// A session command; fails the test on a WebDriver error.
    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let full = format!("/session/{}{path}", self.session);
        self.request(method, &full, body)
            .unwrap_or_else(|e| panic!("WebDriver command failed: {e}"))
    }

    /// Opens `url` and waits for its load event.
    pub fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    /// Reloads the current page.
    pub fn refresh(&self) {
        self.command("POST", "/refresh", None);
    }

    /// The first element matching a CSS selector; fails the test when there is none.
    pub fn find(&self, css: &str) -> Element {
        self.find_all(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no element matches `{css}`"))
    }

    /// Every element matching a CSS selector.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let body = json!({ "using": "css selector", "value": css });
        elements(self.command("POST", "/elements", Some(&body)))
    }

    /// Every element inside `parent` matching a CSS selector.
    pub fn find_in(&self, parent: &Element, css: &str) -> Vec<Element> {
        let body = json!({ "using": "css selector", "value": css });
        elements(self.command(
            "POST",
            &format!("/element/{}/elements", parent.0),
            Some(&body),
        ))
    }

    /// Clicks an element like a user would. It is scrolled into view at once first:
    /// the site scrolls smoothly, and chromedriver would otherwise click where the
    /// element was before the scroll finished.
    pub fn click(&self, el: &Element) {
        self.execute(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
            &[el.arg()],
        );
        self.command("POST", &format!("/element/{}/click", el.0), None);
    }

    /// Types text (WebDriver key codes such as `\u{E012}` for ArrowLeft included) into
    /// an element, focusing it first.
    pub fn send_keys(&self, el: &Element, text: &str) {
        let body = json!({ "text": text });
        self.command("POST", &format!("/element/{}/value", el.0), Some(&body));
    }

    /// Empties an input field.
    pub fn clear(&self, el: &Element) {
        self.command("POST", &format!("/element/{}/clear", el.0), None);
    }

    /// The element's rendered text.
    pub fn text(&self, el: &Element) -> String {
        let v = self.command("GET", &format!("/element/{}/text", el.0), None);
        v.as_str().unwrap_or_default().to_owned()
    }

    /// An attribute of the element, `None` when it is absent.
    pub fn attribute(&self, el: &Element, name: &str) -> Option<String> {
        let v = self.command("GET", &format!("/element/{}/attribute/{name}", el.0), None);
        v.as_str().map(str::to_owned)
    }

    /// Whether the element is rendered visibly.
    pub fn displayed(&self, el: &Element) -> bool {
        let v = self.command("GET", &format!("/element/{}/displayed", el.0), None);
        v.as_bool().expect("displayed is a boolean")
    }

    /// Runs a script in the page (`arguments[i]` are `args`) and returns its result.
    pub fn execute(&self, script: &str, args: &[Value]) -> Value {
        let body = json!({ "script": script, "args": args });
        self.command("POST", "/execute/sync", Some(&body))
    }

    /// Runs an asynchronous script: it ends by calling its last argument with the result
    /// (`arguments[arguments.length - 1]`). `limit` replaces the session's script
    /// timeout for this call.
    pub fn execute_async(&self, script: &str, args: &[Value], limit: Duration) -> Value {
        let ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
        self.command("POST", "/timeouts", Some(&json!({ "script": ms })));
        let body = json!({ "script": script, "args": args });
        let result = self.request(
            "POST",
            &format!("/session/{}/execute/async", self.session),
            Some(&body),
        );
        self.command("POST", "/timeouts", Some(&json!({ "script": SCRIPT_MS })));
        result.unwrap_or_else(|e| panic!("WebDriver command failed: {e}"))
    }

    /// The URL of the current page.
    pub fn current_url(&self) -> String {
        let v = self.command("GET", "/url", None);
        v.as_str().expect("the URL is text").to_owned()
    }

    /// Runs a Chrome DevTools Protocol command.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        let body = json!({ "cmd": cmd, "params": params });
        self.command("POST", "/goog/cdp/execute", Some(&body))
    }

    /// Console messages (including uncaught errors, CSP violations and failed loads)
    /// since the last call.
    pub fn console(&self) -> Vec<LogEntry> {
        let v = self.command("POST", "/se/log", Some(&json!({ "type": "browser" })));
        v.as_array()
            .expect("the browser log is a list")
            .iter()
            .map(|e| LogEntry {
                level: e["level"].as_str().unwrap_or_default().to_owned(),
                source: e["source"].as_str().unwrap_or_default().to_owned(),
                message: e["message"].as_str().unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// URLs of the requests the browser started since the last call (from the
    /// performance log's `Network.requestWillBeSent` events).
    pub fn requests(&self) -> Vec<String> {
        let v = self.command("POST", "/se/log", Some(&json!({ "type": "performance" })));
        v.as_array()
            .expect("the performance log is a list")
            .iter()
            .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
            .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
            .filter_map(|m| {
                m["message"]["params"]["request"]["url"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let v = self.command("GET", "/screenshot", None);
        decode_base64(v.as_str().expect("screenshot is base64 text"))
    }

    /// Polls `probe` until it returns `Some` (at most 5 s); fails naming `what`.
    pub fn wait_for<T>(&self, what: &str, probe: impl FnMut() -> Option<T>) -> T {
        self.wait_for_at_most(WAIT, what, probe)
    }

    /// [`Browser::wait_for`] with a chosen limit.
    pub fn wait_for_at_most<T>(
        &self,
        limit: Duration,
        what: &str,
        mut probe: impl FnMut() -> Option<T>,
    ) -> T {
        let start = Instant::now();
        loop {
            if let Some(v) = probe() {
                return v;
            }
            assert!(
                start.elapsed() < limit,
                "timed out after {limit:?} waiting for {what}"
            );
            sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session quits Chromium; killing chromedriver alone would orphan it.
        let ended = self.session.is_empty()
            || self
                .request("DELETE", &format!("/session/{}", self.session), None)
                .is_ok();
        if !ended {
            if let Some(pid) = self.browser_pid {
                let _ = Command::new("kill").arg(pid.to_string()).status();
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("bound address").port()
}

fn elements(value: Value) -> Vec<Element> {
    value
        .as_array()
        .expect("find elements returns a list")
        .iter()
        .map(|e| {
            Element(
                e[ELEMENT_KEY]
                    .as_str()
                    .expect("element reference")
                    .to_owned(),
            )
        })
        .collect()
}

/// Standard base64 (with padding) to bytes.
fn decode_base64(text: &str) -> Vec<u8> {
    fn sextet(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {:?}", c as char),
        }
    }
    let digits: Vec<u8> = text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n =
            chunk.iter().fold(0u32, |acc, &c| (acc << 6) | sextet(c)) << (6 * (4 - chunk.len()));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
