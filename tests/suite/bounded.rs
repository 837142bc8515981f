//! Hostile files in a data directory: includes that climb out of `api-reference/`,
//! FIFOs, links to devices and to files outside the data. Every read is a regular file
//! inside its folder, under a size cap; the rest is skipped with a warning naming it,
//! or an error for a required file — and nothing hangs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const PAGE: &str =
    "microsoft-graph-docs/api-reference/beta/api/industrydata-outboundprovisioningflowset-get.md";
const INCLUDE: &str =
    "../includes/permissions/industrydata-outboundprovisioningflowset-get-permissions.md";

/// Runs permcat with a deadline, so a hang fails the test instead of blocking it.
fn run_within(args: &[&str], limit: Duration) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_permcat"))
        .args(args)
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
            panic!("permcat {args:?} hung for {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(100));
    let out = out.lock().map(|s| s.clone()).unwrap_or_default();
    let err = err.lock().map(|s| s.clone()).unwrap_or_default();
    (status.code(), out, err)
}

/// `permcat check` on a data directory, with a deadline.
fn check_within(data: &Path, limit: Duration) -> (Option<i32>, String, String) {
    run_within(
        &["check", "--data", data.to_str().unwrap_or_default()],
        limit,
    )
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// A copy of the sample whose permissions include of one page is removed, so a test
/// can put something hostile in its place.
fn sample_without_include() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = sample_copy();
    let include = tmp
        .path()
        .join(PAGE)
        .parent()
        .expect("api dir")
        .join(INCLUDE);
    std::fs::remove_file(&include).expect("remove include");
    (tmp, include)
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
    let (tmp, include) = sample_without_include();
    std::os::unix::fs::symlink(&target, &include).expect("symlink");
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("not followed"), "{out}");
}

#[test]
fn fifo_and_device_includes_are_skipped_without_hanging() {
    let (tmp, include) = sample_without_include();
    mkfifo(&include);
    let (code, out, _) = check_within(tmp.path(), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("a FIFO"), "{out}");

    let (tmp, include) = sample_without_include();
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
    assert!(
        err.contains("permissions.json") && err.contains("FIFO"),
        "{err}"
    );

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

/// A data directory `check` accepts must also build: a 5,000-character permission name
/// and two schema types whose names differ only in case get safe, distinct page names,
/// and every link to them points at a page that exists.
#[test]
fn long_names_and_case_twins_build_with_safe_distinct_file_names() {
    let tmp = sample_copy();
    let long = format!("Long.{}.Read.All", "A".repeat(5000));
    let path = permissions_json(tmp.path());
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let grant = |paths: &[&str]| {
        let mut p = serde_json::Map::new();
        for x in paths {
            p.insert((*x).to_string(), serde_json::json!("least=Application"));
        }
        serde_json::json!({
            "authorizationType": "oAuth2",
            "schemes": {"Application": {"adminDisplayName": "Long", "adminDescription": "Long.",
                "requiresAdminConsent": true, "privilegeLevel": 2}},
            "pathSets": [{"schemeKeys": ["Application"], "methods": ["GET"], "paths": p}]
        })
    };
    doc["permissions"][&long] = grant(&["/widgets", "/gadgets"]);
    // A second long name with the same first 5,000 characters.
    doc["permissions"][format!("{long}.Twin")] = grant(&["/widgets"]);
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let csdl = tmp
        .path()
        .join("msgraph-metadata/clean_v10_metadata/cleanMetadataWithDescriptionsv1.0.xml");
    let xml = std::fs::read_to_string(&csdl).expect("csdl");
    let xml = xml
        .replacen(
            "      <EntityType Name=\"team\"",
            "      <EntityType Name=\"widget\" BaseType=\"graph.entity\"><Property Name=\"small\" Type=\"Edm.String\" /></EntityType>\n      \
             <EntityType Name=\"Widget\" BaseType=\"graph.entity\"><Property Name=\"large\" Type=\"Edm.String\" /></EntityType>\n      \
             <EntityType Name=\"team\"",
            1,
        )
        .replacen(
            "        <EntitySet Name=\"directoryObjects\"",
            "        <EntitySet Name=\"widgets\" EntityType=\"microsoft.graph.widget\" />\n        \
             <EntitySet Name=\"gadgets\" EntityType=\"microsoft.graph.Widget\" />\n        \
             <EntitySet Name=\"directoryObjects\"",
            1,
        );
    std::fs::write(&csdl, xml).expect("write csdl");
    let data = tmp.path().to_str().unwrap_or_default();
    let check = permcat(&["check", "--data", data]);
    assert!(check.status.success(), "{}", stderr(&check));
    let out = tempfile::tempdir().expect("out");
    let site = out.path().join("site");
    let build = permcat(&[
        "build",
        "--data",
        data,
        "--out",
        site.to_str().unwrap_or_default(),
    ]);
    assert!(
        build.status.success(),
        "check accepts it, so build must: {}",
        stderr(&build)
    );
    // Every file name fits a file system's 255-byte limit.
    for e in walkdir::WalkDir::new(&site) {
        let e = e.expect("walk");
        assert!(e.file_name().len() <= 255, "{}", e.path().display());
    }
    // Both case twins have their own page, and the pages they link to exist.
    let pages: Vec<String> = std::fs::read_dir(site.join("resources/v1.0"))
        .expect("resources")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.to_ascii_lowercase().starts_with("microsoft.graph.widget"))
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    let perms: Vec<String> = std::fs::read_dir(site.join("permissions"))
        .expect("permissions")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("Long.") && n.ends_with(".html"))
        .collect();
    assert_eq!(perms.len(), 2, "two long names, two pages: {perms:?}");
    for page in &perms {
        let html = std::fs::read_to_string(site.join("permissions").join(page)).expect("page");
        for href in html.split("href=\"../resources/").skip(1) {
            let target = href.split('"').next().unwrap_or_default();
            let target = target.split('#').next().unwrap_or_default();
            assert!(
                site.join("resources").join(target).is_file(),
                "{page} links to missing resources/{target}"
            );
        }
    }
    // The search index points at the shortened page.
    let index = std::fs::read_to_string(site.join("assets/search-index.js")).expect("index");
    assert!(
        index.contains(&perms[0].trim_end_matches(".html").to_string())
            || index.contains(&perms[1].trim_end_matches(".html").to_string())
    );
}

/// A rebuild keeps what someone else put in the output (a CNAME, `.nojekyll`, a `.git/`
/// folder), drops only pages permcat itself wrote, and a symlinked `--out` stays a link.
#[test]
fn a_rebuild_keeps_files_permcat_did_not_write_and_symlinked_out_stays_a_link() {
    let data = sample();
    let data = data.to_str().unwrap_or_default();
    let tmp = tempfile::tempdir().expect("temp dir");
    let real = tmp.path().join("real-site");
    let link = tmp.path().join("site");
    std::fs::create_dir(&real).expect("mkdir");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = link.to_str().unwrap_or_default();
    let first = permcat(&["build", "--data", data, "--out", out]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink(),
        "--out stays a symlink"
    );
    assert!(
        real.join("index.html").is_file(),
        "the target holds the site"
    );
    std::fs::write(real.join("CNAME"), "permissions.example.org\n").expect("CNAME");
    std::fs::write(real.join(".nojekyll"), "").expect("nojekyll");
    std::fs::create_dir_all(real.join(".git/refs")).expect("git");
    std::fs::write(real.join(".git/HEAD"), "ref: refs/heads/main\n").expect("HEAD");
    std::fs::write(real.join("assets/custom.css"), "body{}\n").expect("custom css");
    // A page of the old build that the new one no longer writes must go.
    std::fs::write(real.join("permissions/Gone.Read.html"), "old").expect("stale");
    let manifest = std::fs::read_to_string(real.join(".permcat-site")).expect("marker");
    std::fs::write(
        real.join(".permcat-site"),
        format!("{manifest}permissions/Gone.Read.html\n"),
    )
    .expect("marker");
    let second = permcat(&["build", "--data", data, "--out", out]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stdout(&second).contains("kept 4"), "{}", stdout(&second));
    assert!(std::fs::symlink_metadata(&link)
        .expect("meta")
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(real.join("CNAME")).expect("CNAME kept"),
        "permissions.example.org\n"
    );
    assert!(real.join(".nojekyll").is_file());
    assert!(real.join(".git/HEAD").is_file() && real.join(".git/refs").is_dir());
    assert!(real.join("assets/custom.css").is_file());
    assert!(
        !real.join("permissions/Gone.Read.html").exists(),
        "stale page removed"
    );

    // A user file where the build now writes a page is refused by name, site untouched.
    std::fs::write(real.join("lookup.html"), "mine").expect("write");
    let marker = std::fs::read_to_string(real.join(".permcat-site")).expect("marker");
    std::fs::write(
        real.join(".permcat-site"),
        marker.replace("lookup.html\n", ""),
    )
    .expect("marker");
    let third = permcat(&["build", "--data", data, "--out", out]);
    assert_eq!(third.status.code(), Some(2), "{}", stdout(&third));
    assert!(stderr(&third).contains("lookup.html"), "{}", stderr(&third));
    assert_eq!(
        std::fs::read_to_string(real.join("lookup.html")).expect("kept"),
        "mine"
    );
}

/// A display name carrying U+0001 (and other C0 controls) in the newer data must not
/// make the Atom feed or the sitemap invalid XML.
#[test]
fn control_characters_in_the_data_keep_atom_and_sitemap_valid() {
    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let perms = doc["permissions"].as_object_mut().expect("permissions");
    let name = perms.keys().next().cloned().expect("a permission");
    let schemes = perms[&name]["schemes"].as_object_mut().expect("schemes");
    for s in schemes.values_mut() {
        s["adminDisplayName"] = serde_json::json!("Read\u{1} all\u{b}\u{1f} things\u{0}");
    }
    // A new permission whose very name holds a control character.
    let mut extra = perms[&name].clone();
    extra["schemes"]["DelegatedWork"]["privilegeLevel"] = serde_json::json!(2);
    perms.insert("Ctl\u{1}.Read".to_string(), extra);
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let out = tempfile::tempdir().expect("out");
    let site = out.path().join("site");
    let build = permcat(&[
        "build",
        "--data",
        tmp.path().to_str().unwrap_or_default(),
        "--previous",
        sample().to_str().unwrap_or_default(),
        "--base-url",
        "https://permissions.example.org",
        "--out",
        site.to_str().unwrap_or_default(),
    ]);
    assert!(build.status.success(), "{}", stderr(&build));
    for file in ["changes.xml", "sitemap.xml"] {
        let text = std::fs::read_to_string(site.join(file)).expect(file);
        if let Err(e) = roxmltree::Document::parse(&text) {
            panic!("{file} is not valid XML: {e}");
        }
    }
    let atom = std::fs::read_to_string(site.join("changes.xml")).expect("atom");
    assert!(
        atom.contains("[U+0001]"),
        "the control character is shown, not dropped"
    );
}

/// A permission defined twice in permissions.json is a recorded conflict, not a silent
/// last-wins; a privilege level outside 1–5 is a warning and not shown.
#[test]
fn repeated_permission_keys_and_out_of_range_levels_are_reported() {
    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    let text = std::fs::read_to_string(&path).expect("read");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let (name, first) = doc["permissions"]
        .as_object()
        .and_then(|m| m.iter().next())
        .map(|(k, v)| (k.clone(), v.clone()))
        .expect("a permission");
    let mut second = first.clone();
    for s in second["schemes"]
        .as_object_mut()
        .expect("schemes")
        .values_mut()
    {
        s["adminDisplayName"] = serde_json::json!("The first definition");
        s["privilegeLevel"] = serde_json::json!(0);
    }
    // Insert a definition before the original by hand (serde_json's own maps cannot
    // hold a repeated key): the original becomes the repeat.
    let repeat = format!(
        "\"permissions\": {{\n    {}: {},",
        serde_json::to_string(&name).expect("name"),
        serde_json::to_string(&second).expect("second")
    );
    let patched = text.replacen("\"permissions\": {", &repeat, 1);
    assert_ne!(patched, text, "the sample starts as expected");
    std::fs::write(&path, patched).expect("write");
    let c = load(tmp.path());
    let conflict = c
        .conflicts
        .iter()
        .find(|x| x.kind == permcat::model::ConflictKind::DuplicateKey)
        .expect("the repeat is a conflict");
    assert_eq!(conflict.permission.as_deref(), Some(name.as_str()));
    let p = c.permission(&name).expect("kept");
    assert!(p
        .schemes
        .values()
        .all(|s| s.admin_display_name.as_deref() == Some("The first definition")));
    let out = permcat(&["check", "--data", tmp.path().to_str().unwrap_or_default()]);
    assert!(stdout(&out).contains("duplicate-key"), "{}", stdout(&out));

    // The same file with level 0 kept as the only definition: a warning.
    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    for s in doc["permissions"][&name]["schemes"]
        .as_object_mut()
        .expect("schemes")
        .values_mut()
    {
        s["privilegeLevel"] = serde_json::json!(9);
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let out = permcat(&["check", "--data", tmp.path().to_str().unwrap_or_default()]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("privilegeLevel 9 out of 1–5 ignored"),
        "{}",
        stdout(&out)
    );
    let c = load(tmp.path());
    assert!(c
        .permission(&name)
        .expect("kept")
        .schemes
        .values()
        .all(|s| s.privilege_level.is_none()));
}

/// `diff` reads a previous catalog export bounded too: a FIFO is an error, not a hang.
#[test]
fn diff_refuses_a_fifo_as_a_catalog_export() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let fifo = tmp.path().join("old.json");
    mkfifo(&fifo);
    let (code, _, err) = run_within(
        &[
            "diff",
            fifo.to_str().unwrap_or_default(),
            sample().to_str().unwrap_or_default(),
        ],
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("a FIFO"), "{err}");
}
