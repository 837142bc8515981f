//! `permcat serve`: the real binary on a free loopback port, spoken to in raw HTTP so
//! traversal strings reach it exactly as written.

use std::io::{BufRead, BufReader, Read, Write};
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

/// Reads a chunked body (no trailers expected).
fn read_chunked(conn: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        conn.read_line(&mut line)?;
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| bad(&format!("chunk size {line:?}")))?;
        let mut chunk = vec![0; size + 2];
        conn.read_exact(&mut chunk)?;
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
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
    let has = |name: &str, value: &str| {
        headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && v.eq_ignore_ascii_case(value))
    };
    let body = if head || status == 304 || status == 204 {
        Vec::new()
    } else if has("transfer-encoding", "chunked") {
        read_chunked(conn)?
    } else {
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .ok_or_else(|| bad("no Content-Length"))?;
        let mut body = vec![0; length];
        conn.read_exact(&mut body)?;
        body
    };
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

/// Connects to the server with a read timeout, so no test can hang on a reply.
fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream
}

/// Whether the server closed (or answered and is closing) a connection we keep open;
/// the socket must be non-blocking.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 512];
    match stream.read(&mut byte) {
        // 0: closed; more: an answer (a 408, or the old server's 503) before the close.
        Ok(n) => n <= byte.len(),
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

/// The server's resident memory in bytes, from /proc/<pid>/status.
#[cfg(target_os = "linux")]
fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb * 1024
}

/// On the old server a dripping client reset its idle timer with every byte, so 300 of
/// them held the connection pool (256 slots: the rest and the real request got 503) and
/// were never cut off. Now the whole head has a deadline and connections are not pooled.
#[test]
fn a_request_head_has_a_deadline_however_slowly_it_drips() {
    const DRIPPERS: usize = 300;
    const DRIP_EVERY: Duration = Duration::from_secs(2);
    let s = serve(&[]);
    let head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let started = Instant::now();
    let port = s.port;
    let dripping = std::thread::spawn(move || {
        let mut conns: Vec<Option<TcpStream>> = (0..DRIPPERS)
            .map(|_| {
                let c = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                c.set_nonblocking(true).expect("non-blocking");
                Some(c)
            })
            .collect();
        let mut sent = 0;
        let mut last_drip = Instant::now() - DRIP_EVERY;
        // Bounded: the deadline is 10 s; give up looking at 20 s.
        while started.elapsed() < Duration::from_secs(20) {
            let drip = last_drip.elapsed() >= DRIP_EVERY;
            if drip {
                last_drip = Instant::now();
            }
            for slot in conns.iter_mut() {
                let Some(c) = slot else { continue };
                if drip && sent < head.len() && c.write_all(&head[sent..sent + 1]).is_err() {
                    *slot = None;
                    continue;
                }
                if closed_by_server(c) {
                    *slot = None;
                }
            }
            if drip {
                sent += 1;
            }
            if conns.iter().all(Option::is_none) {
                return (started.elapsed(), 0);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        (started.elapsed(), conns.iter().flatten().count())
    });
    // A real request while all of them drip.
    std::thread::sleep(Duration::from_secs(3));
    let asked = Instant::now();
    let reply = s.get("/");
    let took = asked.elapsed();
    println!("a real request among {DRIPPERS} dripping connections took {took:?}");
    assert_eq!(reply.status, 200);
    assert!(took < Duration::from_secs(5), "{took:?}");

    let (at, open) = dripping.join().expect("drip thread");
    println!("dripping connections closed by {at:?}; {open} left open");
    assert_eq!(open, 0, "dripping connections outlived the head deadline");
    assert!(at < Duration::from_secs(16), "{at:?}");
}

/// On the old server the 257th connection got 503.
#[test]
fn a_thousand_keep_alive_clients_are_all_admitted() {
    const CLIENTS: usize = 1000;
    const THREADS: usize = 20;
    const FOR: Duration = Duration::from_secs(4);
    let s = serve(&[]);
    let path = "/assets/favicon.svg";
    let expected = s.get(path).body.len();
    let port = s.port;
    // Every connection opens before any thread starts asking, so all 1000 are open at
    // once.
    let barrier = Arc::new(std::sync::Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || -> Result<(usize, usize), String> {
                let mut conns: Vec<(TcpStream, BufReader<TcpStream>)> = (0..CLIENTS / THREADS)
                    .map(|_| {
                        let c = connect(port);
                        let r = BufReader::new(c.try_clone().expect("clone"));
                        (c, r)
                    })
                    .collect();
                barrier.wait();
                let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
                let started = Instant::now();
                let (mut ok, mut rounds) = (0, 0);
                // Bounded by time, and by a count: a few rounds show every connection
                // kept alive and reused.
                while started.elapsed() < FOR && rounds < 5 {
                    for (i, (w, r)) in conns.iter_mut().enumerate() {
                        w.write_all(raw.as_bytes())
                            .map_err(|e| format!("connection {i}: {e}"))?;
                        let reply =
                            read_reply(r, false).map_err(|e| format!("connection {i}: {e}"))?;
                        if reply.status != 200 || reply.body.len() != expected {
                            return Err(format!("connection {i}: {}", reply.status));
                        }
                        ok += 1;
                    }
                    rounds += 1;
                }
                Ok((ok, rounds))
            })
        })
        .collect();
    let mut errors = Vec::new();
    let (mut ok, mut min_rounds) = (0, usize::MAX);
    for w in workers {
        match w.join().expect("client thread") {
            Ok((n, rounds)) => {
                ok += n;
                min_rounds = min_rounds.min(rounds);
            }
            Err(e) => errors.push(e),
        }
    }
    println!("{CLIENTS} keep-alive clients: {ok} replies, at least {min_rounds} per client");
    assert!(errors.is_empty(), "{} errors: {errors:?}", errors.len());
    assert!(min_rounds >= 2, "each connection was reused");
}

/// The old server read the whole file into memory for every request (and copied it
/// into the reply): 256 readers of 18 MB needed gigabytes.
#[cfg(target_os = "linux")]
#[test]
fn large_files_stream_to_slow_readers_in_bounded_memory() {
    const READERS: usize = 256;
    const THREADS: usize = 8;
    const SIZE: usize = 18 * 1024 * 1024;
    const LIMIT: u64 = 300 * 1024 * 1024;
    let s = serve(&[]);
    let big: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    std::fs::write(s.root.join("big.bin"), &big).expect("big file");
    drop(big);
    let before = resident_bytes(s.child.id());
    let port = s.port;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..THREADS)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || -> Vec<(bool, usize)> {
                let mut conns: Vec<(TcpStream, Vec<u8>, usize)> = (0..READERS / THREADS)
                    .map(|_| {
                        let mut c = connect(port);
                        c.write_all(
                            b"GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        )
                        .expect("send");
                        c.set_read_timeout(Some(Duration::from_millis(200)))
                            .expect("timeout");
                        (c, Vec::new(), 0)
                    })
                    .collect();
                let mut buf = vec![0u8; 16 * 1024];
                // Slow: 16 KiB per connection every 100 ms, a few hundred KiB in all.
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    for (c, first, total) in conns.iter_mut() {
                        if let Ok(n) = c.read(&mut buf) {
                            if first.len() < 12 {
                                first.extend_from_slice(&buf[..n.min(12)]);
                            }
                            *total += n;
                        }
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                conns
                    .iter()
                    .map(|(_, first, total)| (first.starts_with(b"HTTP/1.1 200"), *total))
                    .collect()
            })
        })
        .collect();
    let mut peak = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(6) {
        peak = peak.max(resident_bytes(s.child.id()));
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let results: Vec<(bool, usize)> = readers
        .into_iter()
        .flat_map(|r| r.join().expect("reader thread"))
        .collect();
    let mb = |b: u64| b as f64 / 1e6;
    let read: usize = results.iter().map(|(_, n)| n).sum();
    println!(
        "{READERS} slow readers of an {} MB file: server resident {:.1} MB before, {:.1} MB at \
         most while they read ({:.1} MB read in all)",
        SIZE / 1_000_000,
        mb(before),
        mb(peak),
        read as f64 / 1e6
    );
    assert_eq!(results.len(), READERS);
    assert!(
        results.iter().all(|(ok, n)| *ok && *n > 0),
        "every reader got 200 and data"
    );
    assert!(
        results.iter().all(|(_, n)| *n < SIZE),
        "the readers were meant to be slow"
    );
    assert!(peak < LIMIT, "server resident {:.1} MB", mb(peak));
}

/// The old server had no ranges (always 200 with the whole file), no validators, no
/// compression.
#[test]
fn ranges_validators_compression_and_head() {
    let s = serve(&[]);
    let path = "/assets/permcat.css";
    let file = std::fs::read(s.root.join(&path[1..])).expect("css");
    let ask = |headers: &str| {
        request(
            s.port,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n"),
        )
    };
    let whole = ask("");
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, file);
    assert_eq!(whole.header("Accept-Ranges"), Some("bytes"));
    assert_safe_headers(&whole, "whole");

    let part = ask("Range: bytes=0-9\r\n");
    assert_eq!(part.status, 206);
    assert_eq!(part.body, &file[..10]);
    assert_eq!(
        part.header("Content-Range"),
        Some(format!("bytes 0-9/{}", file.len()).as_str())
    );
    assert_eq!(part.header("Content-Type"), Some("text/css; charset=utf-8"));
    let tail = ask("Range: bytes=-5\r\n");
    assert_eq!(
        (tail.status, tail.body.as_slice()),
        (206, &file[file.len() - 5..])
    );
    let past = ask(&format!("Range: bytes={}-\r\n", file.len() + 10));
    assert_eq!(past.status, 416);
    assert_eq!(
        past.header("Content-Range"),
        Some(format!("bytes */{}", file.len()).as_str())
    );

    let etag = whole.header("ETag").expect("ETag").to_string();
    let modified = whole
        .header("Last-Modified")
        .expect("Last-Modified")
        .to_string();
    let fresh = ask(&format!("If-None-Match: {etag}\r\n"));
    assert_eq!(fresh.status, 304);
    assert!(fresh.body.is_empty());
    assert_eq!(fresh.header("ETag"), Some(etag.as_str()));
    assert_eq!(
        ask(&format!("If-Modified-Since: {modified}\r\n")).status,
        304
    );
    assert_eq!(ask("If-None-Match: \"other\"\r\n").status, 200);
    // If-None-Match decides when both are sent (RFC 9110 §13.2.2).
    let stale = ask(&format!(
        "If-None-Match: \"other\"\r\nIf-Modified-Since: {modified}\r\n"
    ));
    assert_eq!(stale.status, 200);

    let gzip = ask("Accept-Encoding: gzip\r\n");
    assert_eq!(gzip.status, 200);
    assert_eq!(gzip.header("Content-Encoding"), Some("gzip"));
    assert!(gzip
        .header("Vary")
        .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(gzip.body.as_slice())
        .read_to_end(&mut unzipped)
        .expect("gunzip");
    assert_eq!(unzipped, file);
    assert!(
        gzip.body.len() < file.len() / 2,
        "{} bytes",
        gzip.body.len()
    );
    // A compressed body is not the file's bytes: its ETag is weak, and still revalidates.
    let weak = gzip.header("ETag").expect("ETag");
    assert!(weak.starts_with("W/"), "{weak}");
    assert_eq!(
        ask(&format!(
            "Accept-Encoding: gzip\r\nIf-None-Match: {weak}\r\n"
        ))
        .status,
        304
    );
    assert_eq!(
        ask("Accept-Encoding: identity\r\n").header("Content-Encoding"),
        None
    );
    // Live-reload pages are compressed too.
    let page = request(
        s.port,
        &format!(
            "GET {PAGE} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(page.header("Content-Encoding"), Some("gzip"));

    let mut conn = connect(s.port);
    conn.write_all(
        format!("HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .expect("send");
    let mut reader = BufReader::new(conn);
    let head = read_reply(&mut reader, true).expect("HEAD reply");
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("Content-Length"),
        Some(file.len().to_string().as_str())
    );
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).expect("close");
    assert!(rest.is_empty(), "HEAD sent {} body bytes", rest.len());
}

/// The old server took only origin-form targets (`/p`): `http://host/p` was 400.
#[test]
fn absolute_form_targets_are_served() {
    let s = serve(&[]);
    let reply = request(
        s.port,
        &format!(
            "GET http://127.0.0.1:{}{PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            s.port
        ),
    );
    assert_eq!(reply.status, 200);
    assert!(reply
        .text()
        .contains("IndustryData-OutboundFlow.ReadWrite.All"));
    // The policy still applies to the path of an absolute target.
    let up = request(
        s.port,
        "GET http://x/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(up.status, 404);
    assert!(!up.text().contains("root:x:0:0"));
}

/// The old server let a NUL through in a header value, waited for a CRLF that a bare-LF
/// client never sends, and kept the connection open after a 431.
#[test]
fn header_parsing_is_strict_and_never_hangs() {
    let s = serve(&[]);
    let nul = request(
        s.port,
        "GET / HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(nul.status, 400);

    // Bare LF line ends: answered or refused, within the read timeout either way.
    let mut conn = connect(s.port);
    conn.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    conn.write_all(b"GET / HTTP/1.1\nHost: x\nConnection: close\n\n")
        .expect("send");
    let asked = Instant::now();
    let mut reply = Vec::new();
    let read = conn.read_to_end(&mut reply);
    assert!(
        read.is_ok() || !reply.is_empty(),
        "bare LF: no answer and no close in {:?}",
        asked.elapsed()
    );
    if !reply.is_empty() {
        assert!(
            reply.starts_with(b"HTTP/1.1 "),
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }

    // Too large: 431, then the server closes the connection (no keep-alive after it).
    for size in [17 * 1024, 64 * 1024] {
        let mut conn = connect(s.port);
        conn.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let raw = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "b".repeat(size)
        );
        conn.write_all(raw.as_bytes()).expect("send");
        let mut reader = BufReader::new(conn);
        let reply = read_reply(&mut reader, false).expect("431 reply");
        assert_eq!(reply.status, 431, "{size}");
        let mut rest = Vec::new();
        reader
            .read_to_end(&mut rest)
            .unwrap_or_else(|e| panic!("{size}: connection left open after 431: {e}"));
        assert!(rest.is_empty(), "{size}");
    }
}
