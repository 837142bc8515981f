//! `permcat sync` against a loopback server serving `../shared/upstream/current`, with
//! faults switched on per test: a 500, a truncated body, invalid JSON and a stall.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use permcat::sync::{hex_sha256, manifest};
use serde_json::Value;

use crate::common::{sample_copy, stderr, stdout, upstream};

/// What the server does wrong, and for which file (path relative to the data directory).
#[derive(Clone, Copy)]
enum Fault {
    None,
    Status500(&'static str),
    Truncated(&'static str),
    InvalidJson(&'static str),
    Stall(&'static str),
    Missing(&'static str),
}

const DESCRIPTIONS: &str = "microsoft-graph-devx-content/permissions/permissions-descriptions.json";
const PERMISSIONS: &str = "microsoft-graph-devx-content/permissions/new/permissions.json";
const GERMAN: &str = "microsoft-graph-devx-content/permissions/permissions-descriptions_de-DE.json";
const BETA_CSDL: &str =
    "msgraph-metadata/clean_beta_metadata/cleanMetadataWithDescriptionsbeta.xml";

/// A minimal HTTP/1.1 server on 127.0.0.1: one thread per connection, one request per
/// connection. Counts the requests for the faulty file, so retries can be checked.
struct Server {
    port: u16,
    fault_hits: Arc<AtomicUsize>,
}

impl Server {
    fn start(fault: Fault) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let fault_hits = Arc::new(AtomicUsize::new(0));
        let hits = Arc::clone(&fault_hits);
        // The listener thread lives until the test binary exits; it only ever answers
        // loopback connections.
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let hits = Arc::clone(&hits);
                thread::spawn(move || {
                    let _ = answer(stream, fault, &hits);
                });
            }
        });
        Server { port, fault_hits }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn answer(stream: TcpStream, fault: Fault, hits: &AtomicUsize) -> std::io::Result<()> {
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
    // Map `/{owner}/{repo}/{branch}/{path}` back to the data directory's layout.
    let rel = manifest()
        .into_iter()
        .find(|f| f.url("") == target)
        .map(|f| f.rel());
    let body = rel
        .as_deref()
        .and_then(|rel| std::fs::read(upstream().join(rel)).ok());
    let mut out = stream;
    let missing = matches!(fault, Fault::Missing(f) if rel.as_deref() == Some(f));
    let Some(mut body) = body.filter(|_| !missing) else {
        return out.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        );
    };
    let rel = rel.unwrap_or_default();
    let hit = |target: &str| {
        let is = rel == target;
        if is {
            hits.fetch_add(1, Ordering::SeqCst);
        }
        is
    };
    match fault {
        Fault::Status500(f) if hit(f) => {
            return out.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops",
            );
        }
        Fault::Truncated(f) if hit(f) => {
            // Promise the whole file, send half of it, close.
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            out.write_all(head.as_bytes())?;
            return out.write_all(&body[..body.len() / 2]);
        }
        Fault::InvalidJson(f) if hit(f) => {
            body = b"{\n  \"delegatedScopesList\": [\n    {,\n".to_vec();
        }
        Fault::Stall(f) if hit(f) => thread::sleep(Duration::from_secs(3)),
        _ => {}
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(&body)
}

/// Runs `permcat sync` with the given extra flags, never through a proxy.
fn sync(server: &Server, dest: &Path, extra: &[&str]) -> Output {
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
    cmd.args(&args).output().expect("permcat binary runs")
}

/// Every file under a directory with its bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
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
fn assert_untouched(tmp: &Path, dest: &Path, before: &BTreeMap<String, Vec<u8>>) {
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
    assert!(text.contains("synced 18 files"), "{text}");
    assert!(text.contains("1 kept from the old directory"), "{text}");
    assert!(text.contains("MgCommandMetadata.json` not found"), "{text}");
    // Not a terminal: plain progress lines, no escape codes.
    let progress = stderr(&out);
    assert!(
        progress.contains("[1/20] permissions.json 3.0 MB\n"),
        "{progress}"
    );
    assert!(!progress.contains('\x1b'), "{progress}");

    let mut synced = 0;
    for file in manifest() {
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
    assert_eq!(synced, 18);
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
    assert_eq!(details, 18);
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
    assert_eq!(server.fault_hits.load(Ordering::SeqCst), 3);
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
    assert_eq!(server.fault_hits.load(Ordering::SeqCst), 2);
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
