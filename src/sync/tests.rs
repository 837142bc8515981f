//! Unit tests of sync: the declared upstream files, redirect checks and the shrink gate.

use std::path::Path;

use serde_json::{json, Value};

use super::download::{origin, redirect_allowed, resolve_location};
use super::*;
use crate::sources::commands;

#[test]
fn upstream_urls_follow_the_raw_layout() {
    let files = upstream_files();
    assert_eq!(files.len(), 23);
    assert!(files.iter().filter(|f| f.required).count() == 1);
    assert_eq!(
        files[0].url("http://x/"),
        "http://x/microsoftgraph/microsoft-graph-devx-content/master/permissions/new/permissions.json"
    );
    assert!(files.iter().any(|f| f.rel() == commands::PATH));
    // The tiering's folder name has spaces: the address encodes them, the data
    // directory keeps the name.
    let tiered = files
        .iter()
        .find(|f| f.rel() == crate::sources::tiering::TIERED)
        .expect("tiering file");
    assert!(!tiered.required);
    assert_eq!(
        tiered.url("http://x"),
        "http://x/emiliensocchi/azure-tiering/main/Microsoft%20Graph%20application%20permissions/tiered-msgraph-app-permissions.json"
    );
    assert_eq!(
        data_folders(&files),
        [
            "microsoft-graph-devx-content",
            "msgraph-metadata",
            "msgraph-sdk-powershell",
            "azure-tiering",
            "microsoft-graph-docs",
            "microsoft-graph-docs-contrib",
        ]
    );
}

#[test]
fn redirect_targets_resolve_and_are_checked_by_origin() {
    let from = "http://127.0.0.1:8080/a/b/file.json?x=1";
    assert_eq!(
        resolve_location(from, "/moved/f"),
        "http://127.0.0.1:8080/moved/f"
    );
    assert_eq!(
        resolve_location(from, "g.json"),
        "http://127.0.0.1:8080/a/b/g.json"
    );
    assert_eq!(resolve_location(from, "//h/x"), "http://h/x");
    assert_eq!(resolve_location(from, "https://h/x"), "https://h/x");
    let base = origin("https://raw.githubusercontent.com");
    assert_eq!(base.port, 443);
    let same = origin("https://RAW.githubusercontent.com:443/x");
    assert!(redirect_allowed(&base, &same, &[]));
    let other = origin("https://objects.githubusercontent.com/x");
    assert!(!redirect_allowed(&base, &other, &[]));
    let allow = ["objects.githubusercontent.com".to_string()];
    assert!(redirect_allowed(&base, &other, &allow));
    let plain = origin("http://objects.githubusercontent.com/x");
    assert!(
        !redirect_allowed(&base, &plain, &allow),
        "a downgrade is never allowed"
    );
    let port = origin("http://127.0.0.1:9/x");
    assert_eq!(port.authority(), "127.0.0.1:9");
    assert!(!redirect_allowed(&origin("http://127.0.0.1:8"), &port, &[]));
    assert!(redirect_allowed(
        &origin("http://127.0.0.1:8"),
        &port,
        &["127.0.0.1".into()]
    ));
}

#[test]
fn the_gate_counts_permissions_and_top_level_keys() {
    let file = upstream_files()
        .into_iter()
        .find(|f| f.required)
        .expect("a required file");
    let file = Upstream {
        path: "p.json".into(),
        ..file
    };
    let perms = |names: &[&str]| {
        let body: serde_json::Map<String, Value> = names
            .iter()
            .map(|n| (n.to_string(), json!({"pathSets": []})))
            .collect();
        let bytes = serde_json::to_vec(&json!({"$schema": "s", "permissions": body})).unwrap();
        (file.validate)(Path::new("u"), &bytes).unwrap()
    };
    let names: Vec<String> = (0..20).map(|i| format!("P{i}")).collect();
    let all: Vec<&str> = names.iter().map(String::as_str).collect();
    let old = perms(&all);
    assert_eq!(old.entries, 20);
    assert!(old.keys.contains("permissions") && !old.keys.contains("$schema"));
    let (mut soft, mut hard) = (Vec::new(), Vec::new());
    gate(&file, Some(&old), &perms(&all[..18]), &mut soft, &mut hard);
    assert!(soft.is_empty() && hard.is_empty(), "{soft:?} {hard:?}");
    gate(&file, Some(&old), &perms(&all[..17]), &mut soft, &mut hard);
    assert_eq!(
        soft,
        ["microsoft-graph-devx-content/p.json: 20 → 17 permissions (3 dropped, more than 1/10)"]
    );
    gate(&file, None, &perms(&[]), &mut soft, &mut hard);
    assert_eq!(hard.len(), 1);
}

#[test]
fn git_versions_parse_with_and_without_a_vendor_suffix() {
    use super::git::parse_version;
    assert_eq!(parse_version("git version 2.47.3"), Some((2, 47)));
    assert_eq!(
        parse_version("git version 2.39.2 (Apple Git-143)"),
        Some((2, 39))
    );
    assert_eq!(parse_version("git version 2.45.1.windows.1"), Some((2, 45)));
    assert_eq!(parse_version("hg version 6"), None);
    assert!(parse_version("git version 2.24.0") < Some(MIN_GIT));
}

#[test]
fn recorded_docs_addresses_lose_their_credentials() {
    use super::docs::{check_url, in_docs_folder, public_url};
    assert!(check_url("--upload-pack=touch x").is_err());
    assert!(check_url("https://example.com/r.git").is_ok());
    assert_eq!(
        public_url("https://user:token@example.com/a/b.git"),
        "https://example.com/a/b.git"
    );
    assert_eq!(public_url("file:///srv/mirror"), "file:///srv/mirror");
    assert_eq!(
        public_url("git@github.com:o/r.git"),
        "git@github.com:o/r.git"
    );
    assert!(in_docs_folder("microsoft-graph-docs-contrib/.git/HEAD"));
    assert!(!in_docs_folder(DOCS_FOLDER));
    assert!(!in_docs_folder("microsoft-graph-docs-contribx/a.md"));
    assert_eq!(
        crate::sources::docs::ROOTS[0],
        format!("{DOCS_FOLDER}/api-reference"),
        "the clone goes where the docs reader looks first"
    );
}
