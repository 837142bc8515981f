//! The sample's rendered pages and the text of `check`, `show`, `which` and `diff`, pinned
//! as insta snapshots in `snapshots/`: any change of output shows up as a reviewable diff.
//! After an intended change, refresh them with `INSTA_UPDATE=always cargo test --test
//! suite outputs::` and review `git diff tests/suite/snapshots`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::*;

/// Runs the binary from the repository root, so `--data data` (and so the text) does not
/// depend on where the checkout lives; stdout, stderr and the exit code as one text.
/// Each run gets an empty catalog cache of its own, so no cache an earlier build of
/// permcat left (whose note would show on stderr) changes the text; the cache tests
/// compare the cached answers with these.
fn run(args: &[&str]) -> String {
    let cache = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_permcat"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("PERMCAT_CACHE_DIR", cache.path())
        .output()
        .expect("permcat binary runs");
    let mut text = format!(
        "$ permcat {}\nexit: {}\n",
        args.join(" "),
        out.status.code().map_or("signal".into(), |c| c.to_string())
    );
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if !bytes.is_empty() {
            text.push_str(&format!("--- {name}\n{}", String::from_utf8_lossy(bytes)));
        }
    }
    text
}

/// The sample's site, built once for the page snapshots.
fn sample_site() -> &'static Path {
    static SITE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("site");
        let o = permcat(&[
            "build",
            "--data",
            sample().to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        tmp
    })
    .path()
}

/// Representative pages of the sample site, stored as the HTML the build writes.
#[test]
fn sample_pages() {
    let site = sample_site().join("site");
    for page in [
        "index.html",
        "about.html",
        "lookup.html",
        "404.html",
        "permissions/IndustryData-OutboundFlow.ReadWrite.All.html",
        "permissions/Mail.Read.html",
        "resources/index.html",
        "resources/v1.0/microsoft.graph.user.html",
    ] {
        let html =
            std::fs::read_to_string(site.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        let name = format!(
            "page__{}",
            page.trim_end_matches(".html").replace('/', "__")
        );
        insta::assert_snapshot!(name, html);
    }
}

#[test]
fn check_text() {
    insta::assert_snapshot!(run(&["check", "--data", "data"]));
}

#[test]
fn show_text() {
    insta::assert_snapshot!(
        "show_permission",
        run(&[
            "show",
            "IndustryData-OutboundFlow.ReadWrite.All",
            "--data",
            "data"
        ])
    );
    insta::assert_snapshot!(
        "show_by_id",
        run(&[
            "show",
            "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
            "--data",
            "data"
        ])
    );
    insta::assert_snapshot!(
        "show_unknown",
        run(&["show", "Mail.Reed", "--data", "data"])
    );
}

#[test]
fn which_text() {
    insta::assert_snapshot!(
        "which_hits",
        run(&[
            "which",
            "--data",
            "data",
            "https://graph.microsoft.com/v1.0/me/messages?$top=5",
            "POST /me/sendMail",
            "/users/adele@contoso.com",
        ])
    );
    insta::assert_snapshot!(
        "which_miss_with_suggestions",
        run(&["which", "--data", "data", "/me/messagez"])
    );
    insta::assert_snapshot!(
        "which_cmdlet",
        run(&["which", "--data", "data", "Get-MgUser"])
    );
    insta::assert_snapshot!(
        "which_id_and_batch",
        run(&[
            "which",
            "--data",
            "data",
            "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
            "POST /$batch",
        ])
    );
}

/// A copy of the sample with permissions added and removed, a grant added, a privilege
/// level and a consent text changed.
fn changed_sample() -> tempfile::TempDir {
    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    let mut v = raw_json(&path);
    let perms = v["permissions"].as_object_mut().expect("permissions");
    perms.remove("Sites.Selected");
    let copy = perms["User.Read"].clone();
    perms.insert("User.Read.Snapshot".into(), copy);
    perms["Mail.Read"]["schemes"]["DelegatedWork"]["privilegeLevel"] = Value::from(4);
    perms["Mail.Read"]["schemes"]["DelegatedWork"]["userDescription"] =
        Value::from("Read your mail, as changed for the snapshot test.");
    let sets = perms["Mail.Send"]["pathSets"]
        .as_array_mut()
        .expect("pathSets");
    sets[0]["paths"]["/users/{id}/messages/{id}/send"] = Value::from("");
    std::fs::write(&path, serde_json::to_vec_pretty(&v).expect("JSON")).expect("write");
    tmp
}

#[test]
fn diff_text() {
    let changed = changed_sample();
    let new = changed.path().to_str().expect("utf-8");
    for format in ["text", "markdown"] {
        let text = run(&["diff", "data", new, "--format", format]).replace(new, "CHANGED");
        insta::assert_snapshot!(format!("diff_{format}"), text);
    }
}
