//! `permcat sync` against a loopback server serving `../shared/upstream/current`, with
//! faults switched on per test: a 500, a truncated body, invalid JSON and a stall.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use permcat::sources::upstream_files;
use permcat::sync::hex_sha256;
use serde_json::Value;

use crate::common::{drain, sample_copy, stderr, stdout, upstream};

/// What the server does wrong, and for which file (path relative to the data directory).
#[derive(Clone)]
pub(crate) enum Fault {
    None,
    Status500(&'static str),
    Truncated(&'static str),
    InvalidJson(&'static str),
    Stall(&'static str),
    Missing(&'static str),
    /// Serves these bytes instead of the file.
    Body(&'static str, Arc<[u8]>),
    /// Serves these bytes instead of every optional `.json` file.
    OptionalJson(&'static [u8]),
    /// Announces only the length of these bytes, then sends them followed by the file.
    ShortLength(&'static str, &'static [u8]),
    /// Promises the whole file, then sends one byte a second.
    Drip(&'static str),
    /// Sends half the file, then waits (at most 10 s) until the test releases it.
    Pause(&'static str),
    /// Sends no length and never stops sending.
    Endless(&'static str),
    /// Redirects the file to the same path on another loopback port.
    RedirectTo(&'static str, u16),
    /// Redirects the file to `/moved{path}` on this server.
    RedirectHere(&'static str),
}

const DESCRIPTIONS: &str = "microsoft-graph-devx-content/permissions/permissions-descriptions.json";
const PERMISSIONS: &str = "microsoft-graph-devx-content/permissions/new/permissions.json";
const GERMAN: &str = "microsoft-graph-devx-content/permissions/permissions-descriptions_de-DE.json";
const BETA_CSDL: &str =
    "msgraph-metadata/clean_beta_metadata/cleanMetadataWithDescriptionsbeta.xml";

/// State shared by the server's threads and the test.
#[derive(Default)]
struct Shared {
    /// Requests for the faulty file.
    hits: AtomicUsize,
    /// Set by the test to let a paused response finish.
    release: AtomicBool,
    /// The folder the files are served from; `current/` when unset.
    root: Option<std::path::PathBuf>,
}

/// A minimal HTTP/1.1 server on 127.0.0.1: one thread per connection, one request per
/// connection. Counts the requests for the faulty file, so retries can be checked.
pub(crate) struct Server {
    port: u16,
    shared: Arc<Shared>,
}

impl Server {
    pub(crate) fn start(fault: Fault) -> Server {
        Server::serving(fault, None)
    }

    /// A server of the files under `root` instead of `current/`.
    fn serving(fault: Fault, root: Option<std::path::PathBuf>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let shared = Arc::new(Shared {
            root,
            ..Shared::default()
        });
        let state = Arc::clone(&shared);
        // The listener thread lives until the test binary exits; it only ever answers
        // loopback connections.
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&state);
                let fault = fault.clone();
                thread::spawn(move || {
                    let _ = answer(stream, &fault, &state);
                });
            }
        });
        Server { port, shared }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn hits(&self) -> usize {
        self.shared.hits.load(Ordering::SeqCst)
    }
}

fn answer(stream: TcpStream, fault: &Fault, shared: &Shared) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (moved, target) = match target.strip_prefix("/moved") {
        Some(rest) => (true, rest),
        None => (false, target),
    };
    // Map `/{owner}/{repo}/{branch}/{path}` back to the data directory's layout.
    let found = upstream_files().into_iter().find(|f| f.url("") == target);
    let required = found.as_ref().is_some_and(|f| f.required);
    let rel = found.map(|f| f.rel());
    let root = shared.root.clone().unwrap_or_else(upstream);
    let body = rel
        .as_deref()
        .and_then(|rel| std::fs::read(root.join(rel)).ok());
    let mut out = stream;
    let missing = matches!(fault, Fault::Missing(f) if rel.as_deref() == Some(*f));
    let Some(mut body) = body.filter(|_| !missing) else {
        return out.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        );
    };
    let rel = rel.unwrap_or_default();
    let hit = |target: &str| {
        let is = rel == target;
        if is {
            shared.hits.fetch_add(1, Ordering::SeqCst);
        }
        is
    };
    let ok = |len: usize| {
        format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
    };
    match fault {
        Fault::Status500(f) if hit(f) => {
            return out.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops",
            );
        }
        Fault::Truncated(f) if hit(f) => {
            // Promise the whole file, send half of it, close.
            out.write_all(ok(body.len()).as_bytes())?;
            return out.write_all(&body[..body.len() / 2]);
        }
        Fault::InvalidJson(f) if hit(f) => {
            body = b"{\n  \"delegatedScopesList\": [\n    {,\n".to_vec();
        }
        Fault::Stall(f) if hit(f) => thread::sleep(Duration::from_secs(3)),
        Fault::Body(f, bytes) if hit(f) => body = bytes.to_vec(),
        Fault::OptionalJson(bytes) if !required && rel.ends_with(".json") => body = bytes.to_vec(),
        Fault::ShortLength(f, prefix) if hit(f) => {
            out.write_all(ok(prefix.len()).as_bytes())?;
            out.write_all(prefix)?;
            return out.write_all(&body);
        }
        Fault::Drip(f) if hit(f) => {
            out.write_all(ok(body.len()).as_bytes())?;
            for byte in &body {
                out.write_all(std::slice::from_ref(byte))?;
                out.flush()?;
                thread::sleep(Duration::from_secs(1));
            }
            return Ok(());
        }
        Fault::Pause(f) if hit(f) => {
            out.write_all(ok(body.len()).as_bytes())?;
            let half = body.len() / 2;
            out.write_all(&body[..half])?;
            out.flush()?;
            let until = Instant::now() + Duration::from_secs(10);
            while !shared.release.load(Ordering::SeqCst) && Instant::now() < until {
                thread::sleep(Duration::from_millis(20));
            }
            return out.write_all(&body[half..]);
        }
        Fault::Endless(f) if hit(f) => {
            out.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
            let chunk = vec![b' '; 64 * 1024];
            // Stops when the client hangs up, or after 1 GB at the latest.
            for _ in 0..16 * 1024 {
                out.write_all(&chunk)?;
            }
            return Ok(());
        }
        Fault::RedirectTo(f, port) if !moved && hit(f) => {
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}{target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return out.write_all(head.as_bytes());
        }
        Fault::RedirectHere(f) if !moved && hit(f) => {
            let head = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: /moved{target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return out.write_all(head.as_bytes());
        }
        _ => {}
    }
    out.write_all(ok(body.len()).as_bytes())?;
    out.write_all(&body)
}

/// `permcat sync` with the given extra flags, never through a proxy.
pub(crate) fn sync_command(server: &Server, dest: &Path, extra: &[&str]) -> Command {
    let dest = dest.to_str().expect("UTF-8 temp path");
    let base = server.base_url();
    let mut args = vec!["sync", "--dest", dest, "--base-url", base.as_str()];
    args.extend_from_slice(extra);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_permcat"));
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.args(&args);
    cmd
}

/// Runs `permcat sync` with the given extra flags.
fn sync(server: &Server, dest: &Path, extra: &[&str]) -> Output {
    sync_command(server, dest, extra)
        .output()
        .expect("permcat binary runs")
}

/// How a sync that must end on its own ended.
pub(crate) struct Bounded {
    /// Exit code; `None` when the test had to kill it.
    pub(crate) code: Option<i32>,
    pub(crate) stderr: String,
    pub(crate) elapsed: Duration,
}

/// Runs `permcat sync`, killing it after `limit` so a sync that never ends fails the
/// test instead of hanging it; `poll` runs every 20 ms while the sync is running.
fn sync_bounded(
    server: &Server,
    dest: &Path,
    extra: &[&str],
    limit: Duration,
    poll: &mut dyn FnMut(),
) -> Bounded {
    run_bounded(sync_command(server, dest, extra), limit, poll)
}

/// Runs a command as [`sync_bounded`] does.
pub(crate) fn run_bounded(mut cmd: Command, limit: Duration, poll: &mut dyn FnMut()) -> Bounded {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("permcat binary runs");
    let err = drain(child.stderr.take().expect("stderr"), None);
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        poll();
        thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    // Let the drain thread see the end of the pipe.
    thread::sleep(Duration::from_millis(50));
    let stderr = err.lock().expect("stderr lock").clone();
    Bounded {
        code,
        stderr,
        elapsed,
    }
}

/// A refusal: the process ended by itself with the error code 2.
pub(crate) fn assert_refused(out: &Output) {
    let code = out.status.code();
    assert!(
        code == Some(2),
        "expected a refusal, got {code:?}\nstdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

/// Every file under a directory with its bytes.
pub(crate) fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read(&path).expect("read file"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A previous data directory: two upstream files (one of them altered), a docs file the
/// manifest does not cover, and a SNAPSHOT.json.
fn seeded() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    let put = |rel: &str, bytes: &[u8]| {
        let path = dest.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    };
    let read = |rel: &str| std::fs::read(upstream().join(rel)).expect("upstream file");
    put(PERMISSIONS, &read(PERMISSIONS));
    put(DESCRIPTIONS, b"{\"delegatedScopesList\": []}\n");
    put(
        "microsoft-graph-docs/api-reference/v1.0/api/marker.md",
        b"# kept\n",
    );
    put(
        "SNAPSHOT.json",
        br#"{"name": "older", "sources": [{"repo": "microsoftgraph/microsoft-graph-docs",
            "folder": "microsoft-graph-docs", "commit": "abc", "date": "2021-07-16",
            "files": ["api-reference/"]}]}"#,
    );
    (tmp, dest)
}

/// The failure left the old directory byte for byte and no staging directory behind.
pub(crate) fn assert_untouched(tmp: &Path, dest: &Path, before: &BTreeMap<String, Vec<u8>>) {
    assert!(tree(dest) == *before, "the old data changed");
    let names: Vec<String> = std::fs::read_dir(tmp)
        .expect("read temp dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["data"], "leftovers beside the destination");
}

#[test]
fn full_sync_reproduces_the_upstream_files_and_records_them() {
    let server = Server::start(Fault::None);
    let (tmp, dest) = seeded();
    let started = Instant::now();
    let out = sync(&server, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let took = started.elapsed();
    let text = stdout(&out);
    assert!(text.contains("1 kept from the old directory"), "{text}");
    assert!(text.contains("MgCommandMetadata.json` not found"), "{text}");
    // Not a terminal: plain progress lines, no escape codes.
    let progress = stderr(&out);
    let size = std::fs::metadata(upstream().join(PERMISSIONS))
        .expect("upstream permissions")
        .len();
    let first = format!(
        "[1/{}] permissions.json {:.1} MB\n",
        upstream_files().len(),
        size as f64 / 1_000_000.0
    );
    assert!(progress.contains(&first), "no `{first}` in:\n{progress}");
    assert!(!progress.contains('\x1b'), "{progress}");

    let mut synced = 0;
    for file in upstream_files() {
        let rel = file.rel();
        match std::fs::read(upstream().join(&rel)) {
            Ok(want) => {
                let got = std::fs::read(dest.join(&rel)).expect("synced file");
                assert!(got == want, "{rel} differs from upstream");
                synced += 1;
            }
            Err(_) => assert!(!dest.join(&rel).exists(), "{rel} appeared from nowhere"),
        }
    }
    assert!(
        synced > 10,
        "only {synced} files of the manifest are upstream"
    );
    assert!(text.contains(&format!("synced {synced} files")), "{text}");
    assert_eq!(
        std::fs::read(dest.join("microsoft-graph-docs/api-reference/v1.0/api/marker.md"))
            .expect("carried file"),
        b"# kept\n"
    );

    let snapshot: Value =
        serde_json::from_slice(&std::fs::read(dest.join("SNAPSHOT.json")).expect("snapshot"))
            .expect("snapshot JSON");
    assert_eq!(snapshot["name"], "permcat sync");
    let sources = snapshot["sources"].as_array().expect("sources");
    let mut details = 0;
    for src in sources {
        let folder = src["folder"].as_str().expect("folder");
        for d in src["files_detail"].as_array().into_iter().flatten() {
            let rel = format!("{folder}/{}", d["path"].as_str().expect("path"));
            let bytes = std::fs::read(dest.join(&rel)).expect("listed file");
            assert_eq!(d["sha256"], hex_sha256(&bytes), "{rel}");
            assert_eq!(d["bytes"], bytes.len(), "{rel}");
            assert!(d["url"]
                .as_str()
                .expect("url")
                .starts_with(&server.base_url()));
            let retrieved = d["retrieved"].as_str().expect("retrieved");
            assert!(
                retrieved.len() == 20 && retrieved.ends_with('Z'),
                "{retrieved}"
            );
            details += 1;
        }
        assert!(src["commit"].is_null() || folder == "microsoft-graph-docs");
    }
    assert_eq!(details, synced);
    // The old record's entry for the carried docs tree survives.
    assert!(sources
        .iter()
        .any(|s| s["folder"] == "microsoft-graph-docs" && s["commit"] == "abc"));
    // The existing reader still understands the record, and the data loads.
    let dir = permcat::sources::DataDir::open(&dest).expect("data dir");
    let record = permcat::sources::snapshot::Snapshot::load(&dir)
        .expect("snapshot loads")
        .expect("snapshot present");
    assert!(record.find(PERMISSIONS).is_some());
    let check = crate::common::permcat(&["check", "--data", dest.to_str().expect("utf-8")]);
    assert!(check.status.success(), "{}", stderr(&check));
    let names: Vec<_> = std::fs::read_dir(tmp.path()).expect("read").collect();
    assert_eq!(names.len(), 1, "staging or old directory left behind");
    eprintln!("full sync from the loopback server took {took:?}");
}

#[test]
fn a_500_fails_after_retries_and_leaves_the_old_data() {
    let server = Server::start(Fault::Status500(DESCRIPTIONS));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("permissions-descriptions.json`: HTTP 500"),
        "{err}"
    );
    assert!(err.contains("after 3 attempts"), "{err}");
    assert_eq!(server.hits(), 3);
    assert_untouched(tmp.path(), &dest, &before);
}

#[test]
fn a_truncated_body_fails_and_leaves_the_old_data() {
    let server = Server::start(Fault::Truncated(BETA_CSDL));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &["--retries", "0"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cleanMetadataWithDescriptionsbeta.xml`: truncated body"),
        "{err}"
    );
    assert_untouched(tmp.path(), &dest, &before);
}

#[test]
fn invalid_json_fails_with_url_line_and_column() {
    let server = Server::start(Fault::InvalidJson(GERMAN));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let url = format!(
        "{}/microsoftgraph/microsoft-graph-devx-content/master/permissions/permissions-descriptions_de-DE.json",
        server.base_url()
    );
    assert!(err.contains(&format!("`{url}`:3:6: invalid JSON")), "{err}");
    assert_untouched(tmp.path(), &dest, &before);
}

#[test]
fn a_stalled_server_times_out_and_leaves_the_old_data() {
    let server = Server::start(Fault::Stall(PERMISSIONS));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let started = Instant::now();
    let out = sync(&server, &dest, &["--timeout", "1", "--retries", "1"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("permissions.json`: timeout"), "{err}");
    assert!(err.contains("retrying"), "{err}");
    assert_eq!(server.hits(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert_untouched(tmp.path(), &dest, &before);
}

#[test]
fn dry_run_lists_changes_and_changes_nothing() {
    let server = Server::start(Fault::None);
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("unchanged {PERMISSIONS} (3.0 MB)")),
        "{text}"
    );
    assert!(
        text.contains(&format!("changed   {DESCRIPTIONS} ")),
        "{text}"
    );
    assert!(
        text.contains(
            "added     microsoft-graph-devx-content/permissions/new/provisioningInfo.json"
        ),
        "{text}"
    );
    assert!(text.contains("16 added, 1 changed, 1 unchanged"), "{text}");
    assert!(text.contains("nothing changed"), "{text}");
    assert_untouched(tmp.path(), &dest, &before);
}

#[test]
fn refuses_the_bundled_sample_without_force() {
    let server = Server::start(Fault::None);
    let tmp = sample_copy();
    let dest = tmp.path();
    let before = tree(dest);
    let out = sync(&server, dest, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("bundled hand-written sample") && err.contains("--force"),
        "{err}"
    );
    assert!(tree(dest) == before, "the sample changed");
    let out = sync(&server, dest, &["--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let snapshot = std::fs::read_to_string(dest.join("SNAPSHOT.json")).expect("snapshot");
    assert!(snapshot.contains("\"permcat sync\""), "{snapshot}");
}

#[test]
fn a_missing_required_file_fails_and_leaves_the_old_data() {
    let server = Server::start(Fault::Missing(PERMISSIONS));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("permissions.json`: 404 Not Found"), "{err}");
    assert!(err.contains("is required"), "{err}");
    assert_untouched(tmp.path(), &dest, &before);
}

/// A data directory from a clean sync of the whole loopback mirror.
fn synced() -> (tempfile::TempDir, std::path::PathBuf) {
    let server = Server::start(Fault::None);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    let out = sync(&server, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    (tmp, dest)
}

/// The upstream permissions.json with only its first `keep` permissions.
fn permissions_with(keep: usize) -> Arc<[u8]> {
    let bytes = std::fs::read(upstream().join(PERMISSIONS)).expect("upstream permissions");
    let mut doc: Value = serde_json::from_slice(&bytes).expect("permissions JSON");
    let all = doc["permissions"]
        .as_object_mut()
        .expect("permissions object");
    let names: Vec<String> = all.keys().skip(keep).cloned().collect();
    for name in names {
        all.remove(&name);
    }
    serde_json::to_vec(&doc).expect("serialize").into()
}

#[test]
fn an_empty_permissions_file_is_refused_and_leaves_the_old_data() {
    let server = Server::start(Fault::Body(
        PERMISSIONS,
        Arc::from(&b"{\"permissions\":{}}"[..]),
    ));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &[]);
    assert_refused(&out);
    let err = stderr(&out);
    let all = crate::common::raw_permission_count(&upstream());
    assert!(
        err.contains(&format!("permissions.json: {all} → 0 permissions")),
        "{err}"
    );
    assert_untouched(tmp.path(), &dest, &before);
    // A catalog without permissions is never a catalog, whatever the flags say.
    let out = sync(&server, &dest, &["--allow-shrink"]);
    assert_refused(&out);
    assert_untouched(tmp.path(), &dest, &before);
    // Nor is it one where there was nothing before.
    let fresh = tmp.path().join("fresh");
    let out = sync(&server, &fresh, &[]);
    assert_refused(&out);
    assert!(stderr(&out).contains("no permissions"), "{}", stderr(&out));
    assert!(!fresh.exists());
}

#[test]
fn losing_more_than_a_tenth_of_the_permissions_is_refused_unless_allowed() {
    let all = crate::common::raw_permission_count(&upstream());
    let (too_few, enough) = (all * 87 / 100, all * 93 / 100);
    let server = Server::start(Fault::Body(PERMISSIONS, permissions_with(too_few)));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &[]);
    assert_refused(&out);
    let err = stderr(&out);
    let dropped = all - too_few;
    assert!(
        err.contains(&format!(
            "permissions.json: {all} → {too_few} permissions ({dropped} dropped"
        )),
        "{err}"
    );
    assert!(err.contains("--allow-shrink"), "{err}");
    assert_untouched(tmp.path(), &dest, &before);
    let out = sync(&server, &dest, &["--allow-shrink"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let count = |dir: &Path| {
        let v: Value = serde_json::from_slice(&std::fs::read(dir.join(PERMISSIONS)).expect("read"))
            .expect("JSON");
        v["permissions"].as_object().expect("object").len()
    };
    assert_eq!(count(&dest), too_few);
    // Within a tenth is an ordinary update.
    let server = Server::start(Fault::Body(PERMISSIONS, permissions_with(enough)));
    let (_tmp, dest) = seeded();
    let out = sync(&server, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&dest), enough);
}

#[test]
fn optional_files_that_come_back_empty_are_refused_where_the_old_data_had_them() {
    let (tmp, dest) = synced();
    let before = tree(&dest);
    let server = Server::start(Fault::OptionalJson(b"{}"));
    let out = sync(&server, &dest, &[]);
    assert_refused(&out);
    let err = stderr(&out);
    assert!(
        err.contains(
            "permissions-descriptions.json: top-level applicationScopesList, delegatedScopesList missing"
        ),
        "{err}"
    );
    assert!(err.contains("v1.0-entity-types.json"), "{err}");
    assert_untouched(tmp.path(), &dest, &before);
    // The keys are there but every list is empty: still a file that came back empty.
    let server = Server::start(Fault::Body(
        DESCRIPTIONS,
        Arc::from(&b"{\"delegatedScopesList\":[],\"applicationScopesList\":[]}"[..]),
    ));
    let out = sync(&server, &dest, &[]);
    assert_refused(&out);
    let err = stderr(&out);
    let raw = crate::common::raw_json(&upstream().join(DESCRIPTIONS));
    let entries: usize = ["delegatedScopesList", "applicationScopesList"]
        .iter()
        .map(|list| raw[list].as_array().map_or(0, Vec::len))
        .sum();
    assert!(
        err.contains(&format!(
            "permissions-descriptions.json: {entries} → 0 entries"
        )),
        "{err}"
    );
    assert_untouched(tmp.path(), &dest, &before);
    let out = sync(&server, &dest, &["--allow-shrink"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_content_length_shorter_than_the_body_never_replaces_the_catalog() {
    let server = Server::start(Fault::ShortLength(PERMISSIONS, b"{\"permissions\":{}}"));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &[]);
    assert_refused(&out);
    let err = stderr(&out);
    let all = crate::common::raw_permission_count(&upstream());
    assert!(err.contains(&format!("{all} → 0 permissions")), "{err}");
    assert_untouched(tmp.path(), &dest, &before);
}

#[test]
fn a_dripping_server_fails_within_the_timeout_and_names_the_file() {
    let server = Server::start(Fault::Drip(PERMISSIONS));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let run = sync_bounded(
        &server,
        &dest,
        &["--timeout", "2", "--retries", "0"],
        Duration::from_secs(20),
        &mut || {},
    );
    assert!(run.code.is_some(), "still running after {:?}", run.elapsed);
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("permissions.json`: timeout: not finished within 2 s"),
        "{}",
        run.stderr
    );
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    assert_untouched(tmp.path(), &dest, &before);
    eprintln!("the drip server failed the sync after {:?}", run.elapsed);
    // With the default retries every attempt is bounded, and so is the whole run.
    let run = sync_bounded(
        &server,
        &dest,
        &["--timeout", "2"],
        Duration::from_secs(20),
        &mut || {},
    );
    assert!(run.code.is_some(), "still running after {:?}", run.elapsed);
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("after 3 attempts"), "{}", run.stderr);
    assert!(run.elapsed < Duration::from_secs(12), "{:?}", run.elapsed);
    assert_untouched(tmp.path(), &dest, &before);
    eprintln!("with two retries: {:?}", run.elapsed);
}

#[test]
fn the_deadline_bounds_the_whole_run() {
    let server = Server::start(Fault::Drip(PERMISSIONS));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let run = sync_bounded(
        &server,
        &dest,
        &["--timeout", "60", "--deadline", "3"],
        Duration::from_secs(20),
        &mut || {},
    );
    assert!(run.code.is_some(), "still running after {:?}", run.elapsed);
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("permissions.json`: timeout: not finished within the 3 s deadline"),
        "{}",
        run.stderr
    );
    assert!(run.elapsed < Duration::from_secs(12), "{:?}", run.elapsed);
    assert_untouched(tmp.path(), &dest, &before);
}

#[test]
fn downloads_stream_into_the_staging_directory() {
    let server = Server::start(Fault::Pause(PERMISSIONS));
    let (tmp, dest) = seeded();
    let half = std::fs::metadata(upstream().join(PERMISSIONS))
        .expect("upstream file")
        .len()
        / 2;
    let mut seen = 0;
    let run = sync_bounded(&server, &dest, &[], Duration::from_secs(30), &mut || {
        // While the server holds the second half back, the first half is on disk
        // beside the destination, not in memory.
        for entry in std::fs::read_dir(tmp.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let partial = entry.path().join(PERMISSIONS);
            if entry.file_name() != "data" {
                if let Ok(m) = std::fs::metadata(&partial) {
                    seen = seen.max(m.len());
                }
            }
        }
        if seen >= half {
            server.shared.release.store(true, Ordering::SeqCst);
        }
    });
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        seen >= half,
        "staging held {seen} of the first {half} bytes"
    );
    assert_eq!(
        std::fs::read(dest.join(PERMISSIONS)).expect("synced"),
        std::fs::read(upstream().join(PERMISSIONS)).expect("upstream")
    );
}

#[test]
fn the_size_cap_applies_while_streaming() {
    let server = Server::start(Fault::Endless(PERMISSIONS));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let run = sync_bounded(
        &server,
        &dest,
        &["--max-bytes", "1000000"],
        Duration::from_secs(20),
        &mut || {},
    );
    assert!(run.code.is_some(), "still running after {:?}", run.elapsed);
    assert_ne!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("permissions.json`: response larger than the 1000000-byte cap"),
        "{}",
        run.stderr
    );
    assert_eq!(server.hits(), 1, "a cap is not retried");
    assert_untouched(tmp.path(), &dest, &before);
}

/// The URL `SNAPSHOT.json` records for a file.
fn recorded_url(dest: &Path, rel: &str) -> String {
    let snapshot: Value =
        serde_json::from_slice(&std::fs::read(dest.join("SNAPSHOT.json")).expect("snapshot"))
            .expect("snapshot JSON");
    for src in snapshot["sources"].as_array().expect("sources") {
        let folder = src["folder"].as_str().unwrap_or_default();
        for d in src["files_detail"].as_array().into_iter().flatten() {
            if format!("{folder}/{}", d["path"].as_str().unwrap_or_default()) == rel {
                return d["url"].as_str().expect("url").to_string();
            }
        }
    }
    panic!("{rel} not recorded");
}

#[test]
fn a_redirect_to_another_host_is_refused_unless_allowed() {
    let other = Server::start(Fault::None);
    let server = Server::start(Fault::RedirectTo(PERMISSIONS, other.port));
    let (tmp, dest) = seeded();
    let before = tree(&dest);
    let out = sync(&server, &dest, &[]);
    assert_refused(&out);
    let err = stderr(&out);
    let elsewhere = format!("127.0.0.1:{}", other.port);
    assert!(
        err.contains("permissions.json`: redirected to another host")
            && err.contains(&format!("--allow-redirect-host {elsewhere}")),
        "{err}"
    );
    assert_untouched(tmp.path(), &dest, &before);
    let out = sync(&server, &dest, &["--allow-redirect-host", &elsewhere]);
    assert!(out.status.success(), "{}", stderr(&out));
    let want = upstream_files()
        .into_iter()
        .find(|f| f.rel() == PERMISSIONS)
        .expect("in manifest")
        .url(&other.base_url());
    assert_eq!(recorded_url(&dest, PERMISSIONS), want);
    assert!(recorded_url(&dest, DESCRIPTIONS).starts_with(&server.base_url()));
}

#[test]
fn a_redirect_on_the_same_host_is_followed_and_recorded() {
    let server = Server::start(Fault::RedirectHere(PERMISSIONS));
    let (_tmp, dest) = seeded();
    let out = sync(&server, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let url = recorded_url(&dest, PERMISSIONS);
    assert!(
        url.starts_with(&format!("{}/moved/microsoftgraph/", server.base_url())),
        "{url}"
    );
}

#[test]
fn refuses_a_dest_that_is_not_a_data_directory() {
    let server = Server::start(Fault::None);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    std::fs::create_dir_all(dest.join("Documents")).expect("mkdir");
    std::fs::write(dest.join("notes.txt"), b"mine\n").expect("write");
    let before = tree(&dest);
    let out = sync(&server, &dest, &[]);
    assert_refused(&out);
    let err = stderr(&out);
    assert!(err.contains("is not a data directory"), "{err}");
    assert_untouched(tmp.path(), &dest, &before);
    assert!(dest.join("Documents").is_dir());
    // An empty directory is fine.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = sync(&server, &empty, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(empty.join(PERMISSIONS).is_file());
}

#[cfg(unix)]
#[test]
fn a_symlinked_dest_stays_a_link_and_its_target_is_replaced() {
    let server = Server::start(Fault::None);
    let (tmp, dest) = seeded();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&dest, &link).expect("symlink");
    let out = sync(&server, &link, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = std::fs::symlink_metadata(&link).expect("link");
    assert!(meta.file_type().is_symlink(), "the link became a directory");
    assert_eq!(std::fs::read_link(&link).expect("read link"), dest);
    let snapshot = std::fs::read_to_string(dest.join("SNAPSHOT.json")).expect("snapshot");
    assert!(snapshot.contains("\"permcat sync\""), "{snapshot}");
    assert!(dest.join(DESCRIPTIONS).is_file());
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["data", "link"], "leftovers beside the destination");
}

#[cfg(unix)]
#[test]
fn folder_modes_and_empty_folders_survive_a_sync() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start(Fault::None);
    let (_tmp, dest) = seeded();
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o7777;
    let set = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    let perms_dir = dest.join("microsoft-graph-devx-content/permissions");
    let empty_docs = dest.join("microsoft-graph-docs/api-reference/beta");
    let empty_mine = dest.join("notes");
    std::fs::create_dir_all(&empty_docs).expect("mkdir");
    std::fs::create_dir_all(&empty_mine).expect("mkdir");
    set(&dest, 0o700);
    set(&perms_dir, 0o750);
    set(&empty_mine, 0o711);
    let out = sync(&server, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&dest), 0o700, "the data directory's mode changed");
    assert_eq!(mode(&perms_dir), 0o750);
    assert!(empty_docs.is_dir(), "an empty docs folder was dropped");
    assert!(
        empty_mine.is_dir(),
        "an empty folder of the user's was dropped"
    );
    assert_eq!(mode(&empty_mine), 0o711);
    assert!(dest.join(GERMAN).is_file());
}

#[test]
fn the_risk_tiers_sync_from_their_folder_with_spaces() {
    // A mirror with the azure-tiering files: their folder name has spaces, which the
    // address encodes and the data directory keeps.
    let mirror = crate::common::tiering_dir();
    let server = Server::serving(Fault::None, Some(mirror.path().to_path_buf()));
    let (_tmp, dest) = seeded();
    let out = sync(&server, &dest, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rel = permcat::sources::tiering::TIERED;
    let want = std::fs::read(crate::common::tiered_json(mirror.path())).expect("tiering");
    assert!(std::fs::read(dest.join(rel)).expect("synced tiering") == want);
    let show = crate::common::permcat(&[
        "show",
        "RoleManagement.ReadWrite.Directory",
        "--data",
        dest.to_str().expect("utf-8"),
        "--no-cache",
    ]);
    assert!(
        stdout(&show).contains("risk tier      Tier 0"),
        "{}",
        stdout(&show)
    );
}
