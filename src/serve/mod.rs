//! The preview server behind `permcat serve`: builds the site into a directory it owns,
//! serves it over HTTP on loopback, rebuilds when the data changes and tells open pages
//! to reload.
//!
//! Every answer comes from [`respond`], a function of the served directory, the method
//! and the raw URL, so the path rules can be tested without a socket. A path is served
//! only when, after percent-decoding and canonicalization, it names a regular file inside
//! the served directory. [`http`] puts the answers on the wire (hyper on tokio, files
//! streamed by tower-http).

mod http;

use std::fs;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{anyhow, Context, Result};

use crate::render::{self, BuildOptions};

/// The same policy as the `<meta>` tag of every page, sent as a header too.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'none'";

/// Longest request target answered; longer ones get 414.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// Most header bytes (names and values) answered; more get 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Where the live-reload script is served (serve mode only).
pub const RELOAD_SCRIPT_PATH: &str = "/__permcat/reload.js";

/// Where open pages poll for the build number and error (serve mode only).
pub const STATUS_PATH: &str = "/__permcat/status";

/// The live-reload script, compiled in; never written into a built site.
const RELOAD_JS: &str = include_str!("../../site/reload.js");

/// How often the watcher looks at the data directory.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// How long the data must stay unchanged before a rebuild, so an editor's save in
/// several writes triggers one build.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// The poll interval is at least this many times the time one scan takes.
const SCAN_SHARE: u32 = 40;

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Data directory to build from and watch.
    pub data: PathBuf,
    /// Host or address to bind; loopback unless asked otherwise.
    pub host: String,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// Open the browser once serving (the command does this; kept here so the options
    /// describe the whole invocation).
    pub open: bool,
    /// Serve this already-built directory as it is: no build, no watching, no reload
    /// script. For measuring the server alone.
    pub dir: Option<PathBuf>,
}

/// The build state open pages poll: a counter that moves on every good build, and the
/// last build's error.
#[derive(Debug, Default)]
pub struct State {
    build: AtomicU64,
    error: RwLock<Option<String>>,
}

impl State {
    /// Number of the last good build (1 after the first).
    pub fn build(&self) -> u64 {
        self.build.load(Ordering::SeqCst)
    }

    /// The error of the last build attempt, if it failed.
    pub fn error(&self) -> Option<String> {
        self.error
            .read()
            .map(|e| e.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    fn succeeded(&self) -> u64 {
        self.set_error(None);
        self.build.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn set_error(&self, error: Option<String>) {
        match self.error.write() {
            Ok(mut e) => *e = error,
            Err(poisoned) => *poisoned.into_inner() = error,
        }
    }

    /// The JSON that `/__permcat/status` answers: `{"build": N, "error": null | "text"}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "build": self.build(), "error": self.error() }).to_string()
    }
}

/// An answer to one request, before it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Headers besides the ones every answer carries (see [`COMMON_HEADERS`]).
    pub headers: Vec<(&'static str, String)>,
    /// The body; for HEAD the server sends the headers only (with this length).
    pub body: Vec<u8>,
    /// A file to stream as the body instead (status 200, `body` empty): the canonical
    /// path the policy allowed. Ranges, validators and HEAD apply to it.
    pub file: Option<PathBuf>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: body.into(),
            file: None,
        }
    }

    fn file(path: PathBuf) -> Reply {
        let mut reply = Reply::new(200, content_type(&path), Vec::new());
        reply.file = Some(path);
        reply
    }

    pub(crate) fn text(status: u16, text: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", format!("{text}\n"))
    }

    /// The value of a header of this reply, if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Headers on every answer: no MIME sniffing, the site's CSP, always revalidate (the
/// site changes under the browser), and no referrer leaving the preview.
pub const COMMON_HEADERS: [(&str, &str); 4] = [
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Cache-Control", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
];

/// Why a request path was not resolved to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed: not an origin-form path, or an invalid percent escape or UTF-8 (400).
    BadRequest,
    /// Refused or missing; answered like a miss so nothing about the disk leaks (404).
    NotFound,
}

/// Where a request path leads inside the served directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A regular file inside the served directory (canonical path).
    File(PathBuf),
    /// A directory asked for without its trailing slash: redirect so relative links work.
    AddSlash,
}

/// Resolves a raw request target to a file inside `root`, or refuses.
///
/// In order: split off `?` and `#`; percent-decode (invalid escapes or UTF-8 → bad
/// request); refuse a NUL, a backslash, a path starting with `//`, a segment starting
/// with a dot (which covers `..` and hidden files) or a drive prefix like `C:`; join to
/// `root`, canonicalize and require the result inside the canonical `root`, which also
/// refuses symlinks leading out; a directory means its `index.html`; only regular files
/// are served. Nothing is read before every check passed.
pub fn resolve(root: &Path, raw_url: &str) -> Result<Target, Refusal> {
    let raw_path = raw_url.split(['?', '#']).next().unwrap_or_default();
    if !raw_path.starts_with('/') {
        return Err(Refusal::BadRequest);
    }
    let decoded = percent_decode(raw_path).ok_or(Refusal::BadRequest)?;
    if decoded.contains('\0') || decoded.contains('\\') || decoded.starts_with("//") {
        return Err(Refusal::NotFound);
    }
    let relative = &decoded[1..];
    if relative
        .split('/')
        .any(|segment| segment.starts_with('.') || has_drive_prefix(segment))
    {
        return Err(Refusal::NotFound);
    }
    let root = root.canonicalize().map_err(|_| Refusal::NotFound)?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|_| Refusal::NotFound)?;
    if !path.starts_with(&root) {
        return Err(Refusal::NotFound);
    }
    let meta = fs::metadata(&path).map_err(|_| Refusal::NotFound)?;
    if meta.is_dir() {
        if !decoded.ends_with('/') {
            return if path.join("index.html").is_file() {
                Ok(Target::AddSlash)
            } else {
                Err(Refusal::NotFound)
            };
        }
        let index = path
            .join("index.html")
            .canonicalize()
            .map_err(|_| Refusal::NotFound)?;
        return match fs::metadata(&index) {
            Ok(m) if m.is_file() && index.starts_with(&root) => Ok(Target::File(index)),
            _ => Err(Refusal::NotFound),
        };
    }
    if meta.is_file() {
        Ok(Target::File(path))
    } else {
        Err(Refusal::NotFound)
    }
}

/// `C:` or `c:foo`: a Windows drive prefix, which `Path::join` would treat as absolute
/// there.
fn has_drive_prefix(segment: &str) -> bool {
    let b = segment.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file name, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Answers one request against the site in `root`.
///
/// `reload` is the build state in serve mode: it enables `/__permcat/…` and the reload
/// script in HTML pages. Without it (a plain directory) the site is served as built.
/// HEAD gets the same reply as GET; the server leaves the body off the wire.
pub fn respond(root: &Path, method: &str, raw_url: &str, reload: Option<&State>) -> Reply {
    if method != "GET" && method != "HEAD" {
        let mut reply = Reply::text(405, "method not allowed: only GET and HEAD");
        reply.headers.push(("Allow", "GET, HEAD".into()));
        return reply;
    }
    if raw_url.len() > MAX_URL_BYTES {
        return Reply::text(414, "request URL too long");
    }
    if let Some(state) = reload {
        let path = raw_url.split(['?', '#']).next().unwrap_or_default();
        if path == RELOAD_SCRIPT_PATH {
            return Reply::new(200, "text/javascript; charset=utf-8", RELOAD_JS);
        }
        if path == STATUS_PATH {
            let mut reply = Reply::new(200, "application/json", state.to_json());
            reply.headers.push(("Cache-Control", "no-store".into()));
            return reply;
        }
    }
    match resolve(root, raw_url) {
        Ok(Target::File(path)) => match reload {
            // Pages get the reload script, so they are read and changed in memory; they
            // are small. Everything else is streamed from disk as it is.
            Some(state) if content_type(&path).starts_with("text/html") => match fs::read(&path) {
                Ok(body) => Reply::new(
                    200,
                    content_type(&path),
                    with_reload_script(body, state.build()),
                ),
                // Gone between the check and the read: a rebuild is swapping the site.
                Err(_) => not_found(root, reload),
            },
            _ => Reply::file(path),
        },
        Ok(Target::AddSlash) => {
            let path = raw_url.split(['?', '#']).next().unwrap_or_default();
            let mut reply = Reply::text(301, "moved: add a trailing slash");
            reply.headers.push(("Location", format!("{path}/")));
            reply
        }
        Err(Refusal::BadRequest) => Reply::text(400, "bad request path"),
        Err(Refusal::NotFound) => not_found(root, reload),
    }
}

/// The site's own 404 page with status 404, or plain text if the site has none.
fn not_found(root: &Path, reload: Option<&State>) -> Reply {
    match fs::read(root.join("404.html")) {
        Ok(body) => {
            let body = match reload {
                Some(state) => with_reload_script(body, state.build()),
                None => body,
            };
            Reply::new(404, "text/html; charset=utf-8", body)
        }
        Err(_) => Reply::text(404, "not found"),
    }
}

/// Inserts the live-reload script before `</head>`, tagged with the build the page came
/// from.
fn with_reload_script(mut html: Vec<u8>, build: u64) -> Vec<u8> {
    const HEAD_END: &[u8] = b"</head>";
    if let Some(at) = html.windows(HEAD_END.len()).position(|w| w == HEAD_END) {
        let tag = format!(
            "<script src=\"{RELOAD_SCRIPT_PATH}\" data-build=\"{build}\" defer></script>\n"
        );
        html.splice(at..at, tag.into_bytes());
    }
    html
}

/// The served directory and, in serve mode, the build state: what [`http`] answers from.
pub(crate) struct Site {
    root: PathBuf,
    state: Option<Arc<State>>,
}

impl Site {
    /// See [`respond`].
    pub(crate) fn respond(&self, method: &str, raw_url: &str) -> Reply {
        respond(&self.root, method, raw_url, self.state.as_deref())
    }

    /// The answer for a file that vanished after the checks.
    pub(crate) fn not_found(&self) -> Reply {
        not_found(&self.root, self.state.as_deref())
    }
}

/// Something the server reports while it runs; the command prints these.
#[derive(Debug, Clone)]
pub enum Event {
    /// A build succeeded: its number and how long loading and rendering took.
    Built {
        /// Build number (1 for the first).
        build: u64,
        /// Wall time of loading and rendering.
        took: Duration,
        /// Permissions in the catalog.
        permissions: usize,
    },
    /// A rebuild failed; the last good site stays up.
    Failed {
        /// The error with its causes, naming file, line and column where known.
        error: String,
    },
}

/// A running preview server. Dropping it without [`Server::stop`] also stops it.
pub struct Server {
    addr: SocketAddr,
    root: PathBuf,
    state: Option<Arc<State>>,
    stop: Arc<AtomicBool>,
    listening: http::Listening,
    watcher: Option<JoinHandle<()>>,
    // Owned so the built site is removed when the server stops.
    _site: Option<tempfile::TempDir>,
}

impl Server {
    /// Binds, builds the site (unless serving a built directory), starts the workers and
    /// the watcher. `on_event` hears of every build and failed rebuild, the first
    /// included; it runs on the watcher thread.
    pub fn start(
        opts: &ServeOptions,
        on_event: impl Fn(Event) + Send + Sync + 'static,
    ) -> Result<Server> {
        // Bind first: a taken port fails at once, before a build that would be wasted.
        let addr = (opts.host.as_str(), opts.port)
            .to_socket_addrs()
            .with_context(|| format!("cannot resolve host `{}`", opts.host))?
            .next()
            .ok_or_else(|| anyhow!("host `{}` has no address", opts.host))?;
        let bound = http::bind(addr).map_err(|e| bind_error(e, opts))?;
        let addr = bound
            .local_addr()
            .context("failed to read the bound address")?;
        let stop = Arc::new(AtomicBool::new(false));

        let (root, state, site) = match &opts.dir {
            Some(dir) => {
                let root = dir
                    .canonicalize()
                    .with_context(|| format!("cannot serve `{}`", dir.display()))?;
                if !root.is_dir() {
                    return Err(anyhow!("`{}` is not a directory", dir.display()));
                }
                (root, None, None)
            }
            None => {
                let site = tempfile::Builder::new()
                    .prefix("permcat-serve-")
                    .tempdir()
                    .context("failed to create a directory for the built site")?;
                let root = site.path().join("site");
                let state = Arc::new(State::default());
                // Taken before reading the data, so an edit made during the first build
                // or before the watcher runs is still seen as a change.
                let before = fingerprint(&opts.data);
                let started = Instant::now();
                let permissions = rebuild(&opts.data, &root)?;
                let build = state.succeeded();
                on_event(Event::Built {
                    build,
                    took: started.elapsed(),
                    permissions,
                });
                (root, Some((state, before)), Some(site))
            }
        };

        let (state, before) = match state {
            Some((state, before)) => (Some(state), Some(before)),
            None => (None, None),
        };
        let listening = bound.serve(Arc::new(Site {
            root: root.clone(),
            state: state.clone(),
        }));
        let watcher = match (&state, before) {
            (Some(state), Some(before)) => {
                let (stop, root, state, data) =
                    (stop.clone(), root.clone(), state.clone(), opts.data.clone());
                Some(thread::spawn(move || {
                    watch(&data, before, &root, &state, &stop, &on_event)
                }))
            }
            _ => None,
        };
        Ok(Server {
            addr,
            root,
            state,
            stop,
            listening,
            watcher,
            _site: site,
        })
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the site's front page.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The directory being served.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The build state, in serve mode (not when serving a built directory).
    pub fn state(&self) -> Option<&State> {
        self.state.as_deref()
    }

    /// Stops accepting requests, lets the workers and the watcher finish, and removes
    /// the built site.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.listening.stop();
        if let Some(t) = self.watcher.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Whether an address is on this machine only.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Turns a bind error into one that says what to do.
fn bind_error(err: io::Error, opts: &ServeOptions) -> anyhow::Error {
    match err.kind() {
        io::ErrorKind::AddrInUse => anyhow!(
            "port {} on {} is in use; pass --port N, or --port 0 to pick a free one",
            opts.port,
            opts.host
        ),
        _ => anyhow!("cannot listen on {}:{}: {err}", opts.host, opts.port),
    }
}

/// Loads the data and renders it into `root` (atomically, so a failure leaves the last
/// good site); returns the number of permissions.
fn rebuild(data: &Path, root: &Path) -> Result<usize> {
    let (catalog, _) = crate::load(data)?;
    render::build(
        &catalog,
        &BuildOptions {
            out: root.to_path_buf(),
            base_url: None,
            previous: None,
        },
    )?;
    Ok(catalog.permissions.len())
}

/// Size and modification time of every file under the data directory, by path.
type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

/// Walks the data directory; polling works on every filesystem, unlike change events.
fn fingerprint(data: &Path) -> Fingerprint {
    let mut files: Fingerprint = walkdir::WalkDir::new(data)
        .follow_links(true)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file()
                .then(|| (e.into_path(), meta.len(), meta.modified().ok()))
        })
        .collect();
    files.sort();
    files
}

/// The watcher: polls the data directory and rebuilds once it has been quiet for the
/// debounce time after a change; `built` is the fingerprint the current site came from.
fn watch(
    data: &Path,
    mut built: Fingerprint,
    root: &Path,
    state: &State,
    stop: &AtomicBool,
    on_event: &(dyn Fn(Event) + Send + Sync),
) {
    let mut seen = built.clone();
    let mut changed_at = Instant::now();
    let mut interval = POLL_EVERY;
    while !stop.load(Ordering::SeqCst) {
        let wake = Instant::now() + interval;
        while Instant::now() < wake {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let scan = Instant::now();
        let now = fingerprint(data);
        // A large data directory (the full snapshot has some 19,000 files) takes tens of
        // milliseconds to walk: poll less often then, so an idle preview stays near
        // 1/SCAN_SHARE of a core.
        interval = POLL_EVERY.max(scan.elapsed() * SCAN_SHARE);
        if now != seen {
            seen = now;
            changed_at = Instant::now();
        }
        if seen == built || changed_at.elapsed() < DEBOUNCE {
            continue;
        }
        // What is built is what was seen before reading: a change during the build
        // differs from it and triggers another.
        built = seen.clone();
        let started = Instant::now();
        match rebuild(data, root) {
            Ok(permissions) => on_event(Event::Built {
                build: state.succeeded(),
                took: started.elapsed(),
                permissions,
            }),
            Err(e) => {
                let error = format!("{e:#}");
                state.set_error(Some(error.clone()));
                on_event(Event::Failed { error });
            }
        }
    }
}

/// Opens `url` in the default browser; best effort, a failure is only reported.
pub fn open_in_browser(url: &str) -> io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A served directory with a page, an asset, a folder with and without an index,
    /// a hidden file, and a secret beside it.
    fn site() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join("site");
        for (rel, text) in [
            (
                "index.html",
                "<html><head><title>i</title></head><body>front</body></html>",
            ),
            (
                "404.html",
                "<html><head></head><body>missing page</body></html>",
            ),
            ("assets/permcat.css", "body {}"),
            (
                "resources/index.html",
                "<html><head></head><body>resources</body></html>",
            ),
            ("empty/.keep", ""),
            (".permcat-site", "marker"),
        ] {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, text).expect("write");
        }
        fs::write(tmp.path().join("secret.txt"), "SECRET").expect("write secret");
        (tmp, root)
    }

    fn file(root: &Path, rel: &str) -> Result<Target, Refusal> {
        Ok(Target::File(root.join(rel).canonicalize().expect("exists")))
    }

    #[test]
    fn files_and_directory_indexes_resolve() {
        let (_tmp, root) = site();
        assert_eq!(resolve(&root, "/"), file(&root, "index.html"));
        assert_eq!(
            resolve(&root, "/index.html?x=1#top"),
            file(&root, "index.html")
        );
        assert_eq!(
            resolve(&root, "/resources/"),
            file(&root, "resources/index.html")
        );
        assert_eq!(resolve(&root, "/resources"), Ok(Target::AddSlash));
        assert_eq!(
            resolve(&root, "/assets/perm%63at.css"),
            file(&root, "assets/permcat.css")
        );
    }

    #[test]
    fn no_directory_listings() {
        let (_tmp, root) = site();
        assert_eq!(resolve(&root, "/assets/"), Err(Refusal::NotFound));
        assert_eq!(resolve(&root, "/empty/"), Err(Refusal::NotFound));
        assert_eq!(resolve(&root, "/empty"), Err(Refusal::NotFound));
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        let (_tmp, root) = site();
        for url in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/..%2fsecret.txt",
            "/assets/..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "/assets%5c..%5c..%5csecret.txt",
            "/index.html%00",
            "/%00",
            "//etc/passwd",
            "/C:/Windows/win.ini",
            "/c:secret.txt",
            "/.permcat-site",
            "/./index.html",
            "/etc/passwd",
            "/nope.html",
        ] {
            assert_eq!(resolve(&root, url), Err(Refusal::NotFound), "{url}");
        }
        let absolute = format!("/{}", _tmp.path().join("secret.txt").display());
        assert_eq!(resolve(&root, &absolute), Err(Refusal::NotFound));
    }

    #[test]
    fn malformed_targets_are_bad_requests() {
        let (_tmp, root) = site();
        for url in [
            "/%",
            "/%2",
            "/%zz",
            "/%ff%fe",
            "index.html",
            "http://evil/",
            "*",
        ] {
            assert_eq!(resolve(&root, url), Err(Refusal::BadRequest), "{url}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_site_are_refused_and_inside_it_followed() {
        let (tmp, root) = site();
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("leak.txt"))
            .expect("symlink");
        std::os::unix::fs::symlink(tmp.path(), root.join("up")).expect("symlink");
        std::os::unix::fs::symlink(root.join("index.html"), root.join("alias.html"))
            .expect("symlink");
        assert_eq!(resolve(&root, "/leak.txt"), Err(Refusal::NotFound));
        assert_eq!(resolve(&root, "/up/secret.txt"), Err(Refusal::NotFound));
        assert_eq!(resolve(&root, "/alias.html"), file(&root, "index.html"));
        let reply = respond(&root, "GET", "/leak.txt", None);
        assert_eq!(reply.status, 404);
        assert!(!String::from_utf8_lossy(&reply.body).contains("SECRET"));
    }

    #[test]
    fn replies_carry_types_and_statuses() {
        let (_tmp, root) = site();
        let page = respond(&root, "GET", "/", None);
        assert_eq!(page.status, 200);
        assert_eq!(
            page.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
        let css = respond(&root, "HEAD", "/assets/permcat.css", None);
        assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
        let missing = respond(&root, "GET", "/nope", None);
        assert_eq!(missing.status, 404);
        assert!(String::from_utf8_lossy(&missing.body).contains("missing page"));
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "TRACE"] {
            let reply = respond(&root, method, "/", None);
            assert_eq!(reply.status, 405, "{method}");
            assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
        }
        let long = format!("/{}", "a".repeat(MAX_URL_BYTES));
        assert_eq!(respond(&root, "GET", &long, None).status, 414);
        assert_eq!(respond(&root, "GET", "/%zz", None).status, 400);
        let moved = respond(&root, "GET", "/resources?x", None);
        assert_eq!(
            (moved.status, moved.header("Location")),
            (301, Some("/resources/"))
        );
    }

    #[test]
    fn content_types_by_extension() {
        for (name, kind) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.CSS", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.json", "application/json"),
            ("a.csv", "text/csv; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.xml", "application/xml"),
            ("a.txt", "text/plain; charset=utf-8"),
            ("a.png", "image/png"),
            ("a", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), kind, "{name}");
        }
    }

    #[test]
    fn reload_only_in_serve_mode() {
        let (_tmp, root) = site();
        let state = State::default();
        state.succeeded();
        let served = respond(&root, "GET", "/", Some(&state));
        let html = String::from_utf8_lossy(&served.body);
        assert!(html.contains(
            "<script src=\"/__permcat/reload.js\" data-build=\"1\" defer></script>\n</head>"
        ));
        let plain = respond(&root, "GET", "/", None);
        assert_eq!(
            plain.file,
            Some(root.join("index.html").canonicalize().expect("page"))
        );
        assert!(plain.body.is_empty());
        assert_eq!(respond(&root, "GET", RELOAD_SCRIPT_PATH, None).status, 404);
        assert_eq!(respond(&root, "GET", STATUS_PATH, None).status, 404);
        assert_eq!(
            respond(&root, "GET", RELOAD_SCRIPT_PATH, Some(&state)).status,
            200
        );

        state.set_error(Some("`permissions.json`:3:1: invalid JSON".into()));
        let status = respond(&root, "GET", STATUS_PATH, Some(&state));
        let json: serde_json::Value = serde_json::from_slice(&status.body).expect("JSON");
        assert_eq!(json["build"], 1);
        assert_eq!(json["error"], "`permissions.json`:3:1: invalid JSON");
        assert_eq!(state.succeeded(), 2);
        assert_eq!(state.to_json(), r#"{"build":2,"error":null}"#);
    }
}
