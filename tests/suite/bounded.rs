//! Hostile files in a data directory: includes that climb out of `api-reference/`,
//! FIFOs, links to devices and to files outside the data. Every read is a regular file
//! inside its folder, under a size cap; the rest is skipped with a warning naming it,
//! or an error for a required file — and nothing hangs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const PAGE: &str = "microsoft-graph-docs/api-reference/beta/api/industrydata-outboundprovisioningflowset-get.md";
const INCLUDE: &str = "../includes/permissions/industrydata-outboundprovisioningflowset-get-permissions.md";

/// Runs `permcat check` with a deadline, so a hang fails the test instead of blocking it.
fn check_within(data: &Path, limit: Duration) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_permcat"))
        .args(["check", "--data", data.to_str().unwrap_or_default()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("permcat runs");
    let out = drain(child.stdout.take().expect("stdout"), None);
    let err = drain(child.stderr.take().expect("stderr"), None);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("permcat check hung for {limit:?} on {}", data.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(100));
    let out = out.lock().map(|s| s.clone()).unwrap_or_default();
    let err = err.lock().map(|s| s.clone()).unwrap_or_default();
    (status.code(), out, err)
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// A permissions file outside the data directory with a permission nobody else has.
fn outside_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("outside.md");
    std::fs::write(
        &path,
        "| Permission type | Least privileged permissions | Higher privileged permissions |\n\
         |:---|:---|:---|\n\
         | Delegated (work or school account) | Escaped.Outside.Read | Not available. |\n",
    )
    .expect("write outside file");
    path
}

#[test]
fn an_include_climbing_out_of_api_reference_is_not_followed() {
    let tmp = sample_copy();
    let outside = tempfile::tempdir().expect("temp dir");
    let target = outside_file(outside.path());
    let page = tmp.path().join(PAGE);
    let text = std::fs::read_to_string(&page).expect("page");
    // ../../../../../ from api-reference/beta/api reaches the temp dir's parent chain.
    let climb = format!(
        "{}{}",
        "../".repeat(page.components().count() + 2),
        target.to_str().unwrap_or_default().trim_start_matches('/')
    );
    std::fs::write(&page, text.replace(INCLUDE, &climb)).expect("write page");
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{out}");
    let c = load(tmp.path());
    assert!(
        !c.conflicts
            .iter()
            .any(|x| x.permission.as_deref() == Some("Escaped.Outside.Read")),
        "a file outside the data directory was read"
    );
    assert!(
        out.contains("include outside api-reference/ not followed"),
        "the skipped include is named: {out}"
    );

    // A symlink inside the docs tree pointing outside is refused the same way.
    let tmp = sample_copy();
    let include = tmp
        .path()
        .join(PAGE)
        .parent()
        .expect("api dir")
        .join(INCLUDE);
    std::fs::remove_file(&include).expect("remove include");
    std::os::unix::fs::symlink(&target, &include).expect("symlink");
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("not followed"), "{out}");
}

#[test]
fn fifo_and_device_includes_are_skipped_without_hanging() {
    let tmp = sample_copy();
    let include = tmp
        .path()
        .join(PAGE)
        .parent()
        .expect("api dir")
        .join(INCLUDE);
    std::fs::remove_file(&include).expect("remove include");
    mkfifo(&include);
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("a FIFO"), "{out}");

    let tmp = sample_copy();
    let include = tmp
        .path()
        .join(PAGE)
        .parent()
        .expect("api dir")
        .join(INCLUDE);
    std::fs::remove_file(&include).expect("remove include");
    std::os::unix::fs::symlink("/dev/zero", &include).expect("symlink");
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("skipped"), "{out}");

    // A snippet that is a FIFO, and a docs page linked to /dev/zero.
    let tmp = sample_copy();
    let snippets = tmp
        .path()
        .join("microsoft-graph-docs/api-reference/beta/includes/snippets/csharp");
    mkfifo(&snippets.join("zz-fifo-csharp-snippets.md"));
    std::os::unix::fs::symlink(
        "/dev/zero",
        tmp.path()
            .join("microsoft-graph-docs/api-reference/beta/api/zz-zero.md"),
    )
    .expect("symlink");
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("zz-fifo-csharp-snippets.md"), "{out}");
}

#[test]
fn a_fifo_or_device_as_a_required_file_is_an_error_not_a_hang() {
    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    std::fs::remove_file(&path).expect("remove");
    mkfifo(&path);
    let (code, _, err) = check_within(tmp.path(), Duration::from_secs(30));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("permissions.json") && err.contains("FIFO"), "{err}");

    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    std::fs::remove_file(&path).expect("remove");
    std::os::unix::fs::symlink("/dev/zero", &path).expect("symlink");
    let (code, _, err) = check_within(tmp.path(), Duration::from_secs(30));
    assert_eq!(code, Some(2), "{err}");
    // /dev/zero is outside the data directory as well as a device: either refusal holds.
    assert!(
        err.contains("a device") || err.contains("outside the data directory"),
        "{err}"
    );

    // An optional file linked to a device is skipped with a warning.
    let tmp = sample_copy();
    let path = descriptions_json(tmp.path());
    std::fs::remove_file(&path).expect("remove");
    std::os::unix::fs::symlink("/dev/zero", &path).expect("symlink");
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(30));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("permissions-descriptions.json")
            && (out.contains("a device") || out.contains("outside the data directory")),
        "{out}"
    );
}

#[test]
fn a_data_folder_may_be_a_symlink_but_a_link_inside_it_may_not_leave_it() {
    // Folders linked in whole (how tests combine upstream folders) are read.
    let tmp = tempfile::tempdir().expect("temp dir");
    for folder in ["microsoft-graph-devx-content", "msgraph-metadata"] {
        std::os::unix::fs::symlink(sample().join(folder), tmp.path().join(folder))
            .expect("symlink");
    }
    let c = load(tmp.path());
    assert!(!c.permissions.is_empty());
    // A file inside a real folder linking to a file elsewhere is refused.
    let tmp = sample_copy();
    let path = descriptions_json(tmp.path());
    std::fs::remove_file(&path).expect("remove");
    std::os::unix::fs::symlink(descriptions_json(&sample()), &path).expect("symlink");
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(30));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("outside the data directory"), "{out}");
}
