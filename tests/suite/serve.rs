//! `permcat serve`: the real binary on a free loopback port, spoken to in raw HTTP so
//! traversal strings reach it exactly as written.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::*;

/// The sample permission with a resource, code examples and grants.
const PAGE: &str = "/permissions/IndustryData-OutboundFlow.ReadWrite.All.html";

/// A running `permcat serve`, stopped with SIGTERM (killed if that fails) on drop.
struct Serving {
    child: Child,
    port: u16,
    /// The directory it serves, as it reported.
    root: PathBuf,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    data: tempfile::TempDir,
}

impl Drop for Serving {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        if self.terminate().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Serving {
    /// Sends SIGTERM and waits up to 5 s; the exit status if it stopped.
    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .ok()?;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn get(&self, path: &str) -> Reply {
        request(
            self.port,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
    }

    fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Polls `path` until `pass` holds or 40 s passed; the last reply.
    fn wait_for(&self, path: &str, pass: impl Fn(&Reply) -> bool) -> Reply {
        // Generous: the whole suite runs in parallel on two cores, and a rebuild waits
        // for the 500 ms poll and the 300 ms debounce. This bounds a wait; it is no
        // timing assertion.
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let reply = self.get(path);
            if pass(&reply) || Instant::now() > deadline {
                return reply;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Starts `permcat serve --port 0` on a scratch copy of the sample, with extra flags.
fn serve(extra: &[&str]) -> Serving {
    let data = sample_copy();
    let mut child = Command::new(env!("CARGO_BIN_EXE_permcat"))
        .args(["serve", "--port", "0", "--data"])
        .arg(data.path())
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("permcat serve starts");
    let stderr = drain(child.stderr.take().expect("stderr"), None);
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = drain(child.stdout.take().expect("stdout"), Some(tx));
    let mut port = None;
    let mut root = None;
    while port.is_none() || root.is_none() {
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("no serving line; stderr:\n{}", stderr.lock().expect("lock"));
            }
        };
        if let Some(rest) = line.strip_prefix("serving http://") {
            let addr = rest.split('/').next().expect("address");
            port = addr.rsplit(':').next().and_then(|p| p.parse().ok());
        }
        if let Some(rest) = line.strip_prefix("the built site is in `") {
            root = rest.split('`').next().map(PathBuf::from);
        }
    }
    Serving {
        child,
        port: port.expect("port"),
        root: root.expect("root"),
        stdout,
        stderr,
        data,
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw request bytes on a new connection and reads one response.
fn request(port: u16, raw: &str) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(raw.as_bytes()).expect("send");
    read_reply(&mut BufReader::new(stream), raw.starts_with("HEAD "))
        .unwrap_or_else(|e| panic!("reading the reply to {:?}: {e}", &raw[..raw.len().min(80)]))
}

/// Reads one response (status line, headers, Content-Length body) off a connection.
fn read_reply(conn: &mut impl BufRead, head: bool) -> std::io::Result<Reply> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut line = String::new();
    conn.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(&format!("status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        conn.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (name, value) = l.split_once(':').ok_or_else(|| bad("header"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| bad("no Content-Length"))?;
    let mut body = vec![0; if head { 0 } else { length }];
    conn.read_exact(&mut body)?;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn assert_safe_headers(reply: &Reply, what: &str) {
    assert_eq!(
        reply.header("X-Content-Type-Options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        reply.header("Content-Security-Policy"),
        Some(permcat::serve::CONTENT_SECURITY_POLICY),
        "{what}"
    );
}

#[test]
fn serves_pages_and_assets_with_their_types() {
    let s = serve(&[]);
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        (PAGE, "text/html; charset=utf-8"),
        ("/resources/", "text/html; charset=utf-8"),
        ("/assets/permcat.css", "text/css; charset=utf-8"),
        ("/assets/permcat.js", "text/javascript; charset=utf-8"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/downloads/permissions.json", "application/json"),
        ("/downloads/permissions.csv", "text/csv; charset=utf-8"),
        ("/__permcat/reload.js", "text/javascript; charset=utf-8"),
    ] {
        let reply = s.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("Content-Type"), Some(kind), "{path}");
        assert_safe_headers(&reply, path);
        assert!(!reply.body.is_empty(), "{path}");
    }
    let page = s.get(PAGE);
    let html = page.text();
    assert!(html.contains("IndustryData-OutboundFlow.ReadWrite.All"));
    assert!(html.contains("<script src=\"/__permcat/reload.js\" data-build=\"1\" defer>"));
    // The built file itself has no trace of the preview.
    let built = std::fs::read_to_string(s.root.join(&PAGE[1..])).expect("built page");
    assert!(!built.contains("__permcat"));

    let head = request(
        s.port,
        &format!("HEAD {PAGE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("Content-Length"),
        Some(page.body.len().to_string().as_str())
    );

    let missing = s.get("/nope");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(missing.text().contains("Page not found"));
    assert_eq!(s.get("/assets/").status, 404, "no directory listing");
}

#[test]
fn traversal_never_reads_outside_the_site() {
    let s = serve(&[]);
    // A canary beside the served directory, inside the server's own temp dir.
    let outside = s.root.parent().expect("parent");
    std::fs::write(outside.join("canary.txt"), "CANARY-OUTSIDE").expect("canary");
    let absolute = outside.join("canary.txt");
    let absolute = absolute.to_str().expect("UTF-8");
    let cargo_toml =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("Cargo.toml");
    let cargo_line = cargo_toml
        .lines()
        .find(|l| l.starts_with("description"))
        .expect("line");
    let mut urls: Vec<String> = [
        "/../canary.txt",
        "/%2e%2e/canary.txt",
        "/..%2fcanary.txt",
        "/%2e%2e%2fcanary.txt",
        "/assets/..%2f..%2fcanary.txt",
        "/..%5ccanary.txt",
        "/%5c..%5ccanary.txt",
        "/assets/..%5c..%5cCargo.toml",
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "//etc/passwd",
        "/C:/Windows/win.ini",
        "/index.html%00",
        "/%00../canary.txt",
        "/.permcat-site",
    ]
    .map(String::from)
    .to_vec();
    urls.push(absolute.to_string());
    urls.push(format!("/{absolute}"));
    for url in &urls {
        let reply = s.get(url);
        assert!(matches!(reply.status, 400 | 404), "{url}: {}", reply.status);
        let body = reply.text();
        assert!(!body.contains("CANARY-OUTSIDE"), "{url}");
        assert!(!body.contains("root:x:0:0"), "{url}");
        assert!(!body.contains(cargo_line), "{url}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_leaving_the_site_are_refused() {
    let s = serve(&[]);
    let outside = s.root.parent().expect("parent");
    std::fs::write(outside.join("canary.txt"), "CANARY-OUTSIDE").expect("canary");
    std::os::unix::fs::symlink(outside.join("canary.txt"), s.root.join("leak.txt"))
        .expect("symlink");
    std::os::unix::fs::symlink("/etc", s.root.join("etc")).expect("symlink");
    for url in ["/leak.txt", "/etc/passwd", "/etc/hostname"] {
        let reply = s.get(url);
        assert_eq!(reply.status, 404, "{url}");
        assert!(!reply.text().contains("CANARY-OUTSIDE"));
        assert!(!reply.text().contains("root:x:0:0"));
    }
}

#[test]
fn only_get_and_head_and_bounded_requests() {
    let s = serve(&[]);
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let reply = request(
            s.port,
            &format!(
                "{method} / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        );
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("Allow"), Some("GET, HEAD"), "{method}");
    }
    let long = format!("/{}", "a".repeat(9 * 1024));
    assert_eq!(s.get(&long).status, 414);
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "b".repeat(17 * 1024)
    );
    assert_eq!(request(s.port, &big).status, 431);
}

#[test]
fn rebuilds_on_change_and_keeps_the_last_good_site_on_error() {
    let s = serve(&[]);
    let file = permissions_json(s.data.path());
    let original = std::fs::read_to_string(&file).expect("permissions.json");
    let old = "Manage outbound flowsets and flows definitions";
    let new = "Manage outbound flowsets, edited while serving";
    assert!(original.contains(old));
    std::fs::write(&file, original.replace(old, new)).expect("edit");
    let page = s.wait_for(PAGE, |r| r.text().contains(new));
    assert!(
        page.text().contains(new),
        "the edit did not show within 40 s; output:\n{}{}",
        s.stdout.lock().expect("lock"),
        s.stderr()
    );
    // The new site is swapped in just before the build number moves on: wait for it.
    let build_of = |r: &Reply| {
        serde_json::from_slice::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|v| v["build"].as_u64())
    };
    let reply = s.wait_for("/__permcat/status", |r| build_of(r).is_some_and(|b| b >= 2));
    let status: serde_json::Value = serde_json::from_slice(&reply.body).expect("status JSON");
    assert_eq!(status["error"], serde_json::Value::Null);
    let build = status["build"].as_u64().expect("build number");
    assert!(build >= 2, "{status}");

    // A broken file: the error is reported, the last good site stays.
    std::fs::write(&file, original.replacen("{", "{ oops", 2)).expect("break");
    let status = s.wait_for("/__permcat/status", |r| r.text().contains("\"error\":\""));
    let status: serde_json::Value = serde_json::from_slice(&status.body).expect("status JSON");
    let error = status["error"].as_str().expect("an error within 40 s");
    assert!(error.contains("permissions.json`:"), "{error}");
    let at = error.split("permissions.json`:").nth(1).expect("position");
    let mut position = at.split(':').take(2).map(|n| n.trim().parse::<u32>());
    assert!(
        matches!(
            (position.next(), position.next()),
            (Some(Ok(_)), Some(Ok(_)))
        ),
        "no line:col in {error}"
    );
    assert_eq!(status["build"].as_u64(), Some(build));
    let page = s.get(PAGE);
    assert_eq!(page.status, 200);
    assert!(page.text().contains(new));
    assert!(s.stderr().contains("permissions.json`:"), "{}", s.stderr());

    // Fixed again: rebuilt, error cleared.
    std::fs::write(&file, &original).expect("fix");
    let page = s.wait_for(PAGE, |r| r.text().contains(old));
    assert!(page.text().contains(old));
    // As above, the status moves on just after the swap.
    let reply = s.wait_for("/__permcat/status", |r| {
        build_of(r).is_some_and(|b| b > build)
    });
    let status: serde_json::Value = serde_json::from_slice(&reply.body).expect("status JSON");
    assert_eq!(status["error"], serde_json::Value::Null, "{status}");
    assert!(status["build"].as_u64() > Some(build));
    assert!(s.stdout.lock().expect("lock").contains("rebuilt in"));
}

#[test]
fn many_concurrent_keep_alive_requests_without_errors() {
    const CONNECTIONS: usize = 32;
    const REQUESTS: usize = 650;
    let s = serve(&[]);
    let expected = s.get(PAGE).body.len();
    let deadline = Instant::now() + Duration::from_secs(60);
    let port = s.port;
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            std::thread::spawn(move || -> Result<usize, String> {
                let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .map_err(|e| e.to_string())?;
                let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
                let mut reader = BufReader::new(stream);
                let raw = format!("GET {PAGE} HTTP/1.1\r\nHost: x\r\n\r\n");
                for i in 0..REQUESTS {
                    if Instant::now() > deadline {
                        return Err(format!("over time after {i} requests"));
                    }
                    writer
                        .write_all(raw.as_bytes())
                        .map_err(|e| e.to_string())?;
                    let reply = read_reply(&mut reader, false).map_err(|e| e.to_string())?;
                    if reply.status != 200 || reply.body.len() != expected {
                        return Err(format!(
                            "request {i}: {} with {} bytes",
                            reply.status,
                            reply.body.len()
                        ));
                    }
                }
                Ok(REQUESTS)
            })
        })
        .collect();
    let mut ok = 0;
    let mut errors = Vec::new();
    for w in workers {
        match w.join().expect("load thread") {
            Ok(n) => ok += n,
            Err(e) => errors.push(e),
        }
    }
    assert!(
        errors.is_empty(),
        "{} failed connections: {errors:?}",
        errors.len()
    );
    assert_eq!(ok, CONNECTIONS * REQUESTS);
}

#[test]
fn port_in_use_says_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let o = permcat(&["serve", "--port", &port]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "port {port} on 127.0.0.1 is in use; pass --port N, or --port 0 to pick a free one"
        )),
        "{err}"
    );
}

#[test]
fn a_network_host_is_served_with_a_warning() {
    let s = serve(&["--host", "0.0.0.0"]);
    assert_eq!(s.get("/").status, 200);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !s.stderr().contains("warning") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        s.stderr().contains("reachable from the network"),
        "{}",
        s.stderr()
    );
}

#[cfg(unix)]
#[test]
fn stops_cleanly_and_removes_its_site() {
    let mut s = serve(&[]);
    assert_eq!(s.get("/").status, 200);
    assert!(s.root.is_dir());
    let status = s.terminate().expect("stopped within 5 s");
    assert!(status.success(), "{status}");
    assert!(!s.root.exists(), "the built site is left behind");
}

#[test]
fn build_output_has_no_live_reload() {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let o = permcat(&[
        "build",
        "--data",
        sample().to_str().expect("UTF-8"),
        "--out",
        site.to_str().expect("UTF-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for entry in walk(&site) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).expect("read")).into_owned();
        assert!(!text.contains("__permcat"), "{}", entry.display());
        assert!(!text.contains("data-build"), "{}", entry.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
