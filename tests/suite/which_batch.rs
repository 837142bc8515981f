//! `permcat which --stdin` and `--file`: one request per line, answered in order, the
//! JSON aligned with the input lines; hostile input (huge lines, binary, endless or
//! blocking input) ends with a clear error instead of a hang.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use permcat::lookup::Lookup;
use serde_json::Value;

use crate::common::*;

/// Runs `which` with `input` on standard input: exit code, stdout, stderr.
fn with_stdin(args: &[&str], input: &[u8]) -> (Option<i32>, String, String) {
    let cache = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_permcat"))
        .arg("which")
        .args(args)
        .env("PERMCAT_CACHE_DIR", cache.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("permcat runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // permcat may stop reading early (a cap); a closed pipe is not the test's failure.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("permcat ends");
    let _ = writer.join();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The snapshot requests of scripts/lookup-requests.txt (each line one request as
/// written), repeated to `n` lines, with a comment and a blank line mixed in.
fn thousand_lines(n: usize) -> (String, Vec<(usize, String)>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/lookup-requests.txt");
    let text = std::fs::read_to_string(path).expect("lookup-requests.txt");
    let mut snapshot = Vec::new();
    let mut on = false;
    for line in text.lines() {
        match line.trim() {
            "[snapshot]" => on = true,
            "[sample]" => on = false,
            l if on && !l.is_empty() && !l.starts_with('#') => snapshot.push(l.to_string()),
            _ => {}
        }
    }
    assert!(snapshot.len() > 20);
    let mut input = String::from("# requests\n\n");
    let mut expected = Vec::new();
    let mut number = 2;
    for i in 0..n {
        let line = &snapshot[i % snapshot.len()];
        number += 1;
        input.push_str(line);
        input.push('\n');
        expected.push((number, line.clone()));
        if i % 97 == 0 {
            input.push_str("  \n# a comment\n");
            number += 2;
        }
    }
    (input, expected)
}

#[test]
fn a_thousand_lines_on_stdin_give_a_json_array_aligned_with_the_input() {
    let (input, expected) = thousand_lines(1000);
    let data = upstream();
    let d = data.to_str().expect("utf-8 path");
    let (code, out, err) = with_stdin(&["--data", d, "--stdin", "--json"], input.as_bytes());
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let items = json.as_array().expect("an array");
    assert_eq!(items.len(), 1000);
    // Each line answered as the library answers it alone.
    let lookup = Lookup::new(upstream_catalog());
    let mut all = true;
    for (item, (number, line)) in items.iter().zip(&expected) {
        assert_eq!(item["line"], *number as u64, "{line}");
        assert_eq!(item["input"], line.as_str());
        match lookup.query(std::slice::from_ref(line)) {
            Ok(report) => {
                let want = serde_json::to_value(&report).expect("json");
                assert_eq!(item["answers"], want["answers"], "{line}");
                assert_eq!(item["answered"], report.all_answered(), "{line}");
                all &= report.all_answered();
            }
            Err(e) => {
                assert_eq!(item["error"], e.to_string());
                all = false;
            }
        }
    }
    assert_eq!(code, Some(if all { 0 } else { 1 }), "{err}");
}

#[test]
fn json_lines_give_one_object_per_request_line() {
    let (input, expected) = thousand_lines(300);
    let d = upstream();
    let d = d.to_str().expect("utf-8 path");
    let (_, out, err) = with_stdin(&["--data", d, "--stdin", "--json-lines"], input.as_bytes());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (l, (number, text)) in lines.iter().zip(&expected) {
        let v: Value = serde_json::from_str(l).expect("one JSON object per line");
        assert_eq!(v["line"], *number as u64);
        assert_eq!(v["input"], text.as_str());
    }
}

#[test]
fn file_input_matches_stdin_and_text_answers_come_in_order() {
    let input = "GET /me/messages\n# skipped\n\nPOST /me/sendMail\n/no/such/thing\nGet-MgUser\n";
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), input).expect("write");
    let f = file.path().to_str().expect("utf-8 path");
    let from_stdin = with_stdin(&["--data", d, "--stdin"], input.as_bytes());
    let from_file = with_stdin(&["--data", d, "--file", f], b"");
    assert_eq!(from_stdin, from_file);
    // One unanswered line: exit 1, its error on stderr.
    assert_eq!(from_stdin.0, Some(1));
    assert!(from_stdin.2.contains("/no/such/thing"), "{}", from_stdin.2);
    let get = from_stdin.1.find("GET /me/messages").expect("GET answered");
    let post = from_stdin
        .1
        .find("POST /me/sendMail")
        .expect("POST answered");
    assert!(get < post);
    // The same answers as the arguments give, one request at a time.
    for request in ["GET /me/messages", "POST /me/sendMail"] {
        let one = permcat(&["which", "--no-cache", "--data", d, request]);
        let block = stdout(&one);
        let block = block.split("\nsource:").next().expect("answer");
        assert!(from_stdin.1.contains(block), "{request}");
    }
    assert_eq!(from_stdin.1.matches("\nsource:").count(), 1);
}

#[test]
fn every_line_answered_exits_zero() {
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let (code, out, err) = with_stdin(
        &["--data", d, "--stdin", "--json"],
        b"/me/messages\r\n/me\n",
    );
    assert_eq!(code, Some(0), "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    assert_eq!(v[0]["input"], "/me/messages");
}

#[test]
fn a_huge_line_is_an_error_not_a_request() {
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let mut input = b"/me\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 200 << 10));
    let (code, out, err) = with_stdin(&["--data", d, "--stdin"], &input);
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.contains("line 2") && err.contains("longer than"),
        "{err}"
    );
}

#[test]
fn binary_input_is_an_error() {
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let (code, _, err) = with_stdin(&["--data", d, "--stdin"], b"/me\n\xff\xfe\x00\x01\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("line 2") && err.contains("not UTF-8"), "{err}");
}

#[test]
fn endless_input_stops_at_the_cap() {
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let mut child = Command::new(env!("CARGO_BIN_EXE_permcat"))
        .args(["which", "--no-cache", "--data", d, "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("permcat runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // Writes until permcat closes its end.
    let writer = std::thread::spawn(move || {
        let chunk = "/me/messages\n".repeat(4096);
        while stdin.write_all(chunk.as_bytes()).is_ok() {}
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "endless input hangs permcat"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    assert_eq!(status.code(), Some(2));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err).ok();
    assert!(
        err.contains("larger than") || err.contains("more than"),
        "{err}"
    );
}

#[test]
fn too_many_lines_are_an_error() {
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let input = "/me\n".repeat(100_001);
    let (code, _, err) = with_stdin(&["--data", d, "--stdin"], input.as_bytes());
    assert_eq!(code, Some(2));
    assert!(err.contains("more than 100000 requests"), "{err}");
}

#[test]
fn no_request_lines_is_an_error() {
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let (code, _, err) = with_stdin(&["--data", d, "--stdin"], b"# nothing\n\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("no request"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_given_as_file_is_refused_without_waiting() {
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("requests");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf-8 path")).expect("c string");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let start = Instant::now();
    let (code, _, err) = with_stdin(&["--data", d, "--file", fifo.to_str().expect("path")], b"");
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(code, Some(2));
    assert!(err.contains("FIFO"), "{err}");
}

#[test]
fn json_lines_without_batch_input_is_an_error() {
    let d = sample();
    let d = d.to_str().expect("utf-8 path");
    let out = permcat(&["which", "--data", d, "--json-lines", "/me"]);
    assert_eq!(out.status.code(), Some(2));
}
