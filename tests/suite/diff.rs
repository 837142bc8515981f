//! `permcat diff` and `build --previous`: counts checked against the raw upstream files,
//! hand-made changes found, exit codes, every output format, the page and the feed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use permcat::diff::{diff, Field};
use permcat::model::Scheme;
use serde_json::Value;

use crate::common::*;

fn previous() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/upstream/previous")
}

fn raw(dir: &Path) -> Value {
    let path = permissions_json(dir);
    serde_json::from_slice(&std::fs::read(&path).expect("permissions.json")).expect("JSON")
}

/// The test's own path normalization: lower case, every `{...}` becomes `{}`.
fn normalize(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.to_lowercase().chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push_str("{}");
                }
                depth += 1;
            }
            '}' => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// Paths permcat's canonical keys may rewrite beyond [`normalize`] (function
/// parameters, `root:/path:` addressing, casts, `$ref`/`$value`/`$count`, trailing
/// slashes, query strings); the exact grant check leaves them out on both sides.
fn simple(path: &str) -> bool {
    let rewritten = path.contains(['(', ':', '$', '?', '='])
        || path.contains("microsoft.graph.")
        || (path.len() > 1 && path.ends_with('/'));
    !rewritten
}

/// Where a non-simple path probably lands among permcat's keys: `seg({id})` key
/// addressing becomes `seg/{}`, a `(team-id)` segment a placeholder, a query string
/// goes. Rough on
/// purpose: it only has to find the keys a non-simple path may merge into, so the exact
/// check can leave them out.
fn rough_key(path: &str) -> String {
    // Query strings are not part of an endpoint.
    let p = normalize(path.split('?').next().unwrap_or(path));
    let mut out = String::new();
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '(' && (out.ends_with('/') || chars.peek() == Some(&'{')) {
            if !out.ends_with('/') {
                out.push('/');
            }
            out.push_str("{}");
            for d in chars.by_ref() {
                if d == ')' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

type RawGrant = (String, String, String, String);

/// Rough keys of every non-simple path of a permissions.json.
fn merged_keys(v: &Value) -> BTreeSet<String> {
    let perms = v["permissions"].as_object().expect("permissions object");
    perms
        .values()
        .flat_map(|p| p["pathSets"].as_array().into_iter().flatten())
        .flat_map(|set| set["paths"].as_object().into_iter().flatten())
        .map(|(k, _)| k)
        .filter(|k| !simple(k))
        .map(|k| rough_key(k))
        .collect()
}

fn names_and_grants(v: &Value) -> (BTreeSet<String>, BTreeSet<RawGrant>) {
    let perms = v["permissions"].as_object().expect("permissions object");
    let mut grants = BTreeSet::new();
    for (name, p) in perms {
        let schemes = p["schemes"].as_object().cloned().unwrap_or_default();
        for set in p["pathSets"].as_array().into_iter().flatten() {
            let keys = set["schemeKeys"].as_array().cloned().unwrap_or_default();
            let methods = set["methods"].as_array().cloned().unwrap_or_default();
            for path in set["paths"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                for m in &methods {
                    for k in &keys {
                        let k = k.as_str().unwrap_or_default();
                        // A pathSet may name a scheme the permission does not define;
                        // permcat reports that as a conflict and grants nothing.
                        if !schemes.contains_key(k) {
                            continue;
                        }
                        grants.insert((
                            name.clone(),
                            m.as_str().unwrap_or_default().to_uppercase(),
                            normalize(path),
                            k.to_string(),
                        ));
                    }
                }
            }
        }
    }
    (perms.keys().cloned().collect(), grants)
}

#[test]
fn previous_to_current_matches_the_raw_files() {
    let (old_raw, new_raw) = (raw(&previous()), raw(&upstream()));
    let (old_names, old_grants) = names_and_grants(&old_raw);
    let (new_names, new_grants) = names_and_grants(&new_raw);
    // Keys a non-simple path (key addressing, `(team-id)`, functions…) may share with a
    // simple one: canonical keys merge those, so the exact check leaves them out.
    let mut merged = merged_keys(&old_raw);
    merged.extend(merged_keys(&new_raw));
    let exact = |key: &str| simple(key) && !merged.contains(key);
    let d = diff(&load(&previous()), upstream_catalog());

    let added: BTreeSet<String> = new_names.difference(&old_names).cloned().collect();
    let removed: BTreeSet<String> = old_names.difference(&new_names).cloned().collect();
    assert_eq!(d.added.iter().cloned().collect::<BTreeSet<_>>(), added);
    assert_eq!(d.removed.iter().cloned().collect::<BTreeSet<_>>(), removed);
    assert_eq!(d.summary.permissions_added, added.len());
    assert_eq!(d.summary.permissions_removed, removed.len());

    let only_exact = |s: &BTreeSet<RawGrant>| -> BTreeSet<RawGrant> {
        s.iter().filter(|g| exact(&g.2)).cloned().collect()
    };
    let (old_s, new_s) = (only_exact(&old_grants), only_exact(&new_grants));
    let expect_added = new_s.difference(&old_s).count();
    let expect_removed = old_s.difference(&new_s).count();
    let as_raw = |g: &permcat::diff::GrantRef| -> RawGrant {
        (
            g.permission.clone(),
            g.method.clone(),
            g.key.clone(),
            g.scheme.as_str().into(),
        )
    };
    let got_added = d
        .grants_added
        .iter()
        .map(as_raw)
        .filter(|g| exact(&g.2))
        .count();
    let got_removed = d
        .grants_removed
        .iter()
        .map(as_raw)
        .filter(|g| exact(&g.2))
        .count();
    assert_eq!((got_added, got_removed), (expect_added, expect_removed));
    eprintln!(
        "previous → current: +{} −{} permissions, +{} −{} grants ({} / {} checked exactly)",
        added.len(),
        removed.len(),
        d.summary.grants_added,
        d.summary.grants_removed,
        expect_added,
        expect_removed
    );
}

/// A copy of the sample with one GUID and one privilege level changed by hand.
fn changed_sample() -> tempfile::TempDir {
    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
    v["permissions"]["Mail.Read"]["schemes"]["DelegatedWork"]["privilegeLevel"] = Value::from(5);
    std::fs::write(&path, serde_json::to_vec_pretty(&v).expect("JSON")).expect("write");

    let path = descriptions_json(tmp.path());
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
    for role in v["applicationScopesList"].as_array_mut().expect("roles") {
        if role["value"] == "User.Read.All" {
            role["id"] = Value::from("00000000-1111-2222-3333-444444444444");
        }
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&v).expect("JSON")).expect("write");
    tmp
}

#[test]
fn hand_made_guid_and_privilege_changes_show_up() {
    let tmp = changed_sample();
    let d = diff(&load(&sample()), &load(tmp.path()));
    let field = |name: &str, scheme: Scheme, field: Field| {
        d.changed
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| {
                c.fields
                    .iter()
                    .find(|f| f.scheme == scheme && f.field == field)
            })
            .cloned()
    };
    let level = field("Mail.Read", Scheme::DelegatedWork, Field::PrivilegeLevel).expect("level");
    assert_eq!(level.new.as_deref(), Some("5"));
    let id = field("User.Read.All", Scheme::Application, Field::Id).expect("GUID change");
    assert_eq!(
        id.new.as_deref(),
        Some("00000000-1111-2222-3333-444444444444")
    );
    assert!(d.added.is_empty() && d.removed.is_empty());
    assert!(d.grants_added.is_empty() && d.grants_removed.is_empty());
}

#[test]
fn exit_codes_follow_diff() {
    let s = sample();
    let same = permcat(&[
        "diff",
        s.to_str().expect("utf-8"),
        s.to_str().expect("utf-8"),
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(stdout(&same).contains("no changes"));
    // Captured output is not a terminal: no colour codes.
    assert!(!stdout(&same).contains('\x1b'));

    let tmp = changed_sample();
    let changed = permcat(&[
        "diff",
        s.to_str().expect("utf-8"),
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(changed.status.code(), Some(1), "{}", stderr(&changed));
    let text = stdout(&changed);
    assert!(text.contains("Permissions changed (2)"), "{text}");
    assert!(!text.contains('\x1b'));

    let missing = permcat(&[
        "diff",
        s.to_str().expect("utf-8"),
        "/nonexistent/permcat-data",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).starts_with("error: "),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn json_csv_and_markdown_outputs() {
    let s = sample();
    let tmp = changed_sample();
    let args = |f: &str| {
        permcat(&[
            "diff",
            s.to_str().expect("utf-8"),
            tmp.path().to_str().expect("utf-8"),
            "--format",
            f,
        ])
    };
    let json = args("json");
    let v: Value = serde_json::from_slice(&json.stdout).expect("diff JSON parses");
    assert_eq!(v["format"], "permcat.diff");
    assert_eq!(v["summary"]["permissions_changed"], 2);

    let csv_out = args("csv");
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        [
            "kind",
            "permission",
            "scheme",
            "method",
            "path",
            "field",
            "old",
            "new"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert!(rows.iter().any(|r| &r[0] == "field-changed"
        && &r[1] == "User.Read.All"
        && &r[5] == "id"
        && &r[7] == "00000000-1111-2222-3333-444444444444"));
    // Written back and read again, the rows are the same.
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &rows {
        w.write_record(r).expect("write");
    }
    let again = w.into_inner().expect("bytes");
    let reread: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(again.as_slice())
        .records()
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(reread, rows);

    let md = stdout(&args("markdown"));
    assert!(md.contains("## Permissions changed (2)"), "{md}");
}

#[test]
fn catalog_export_reads_back_as_a_diff_side() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("catalog.json");
    let s = sample();
    let out = permcat(&[
        "export",
        "--data",
        s.to_str().expect("utf-8"),
        "--what",
        "catalog",
        "-o",
        file.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let same = permcat(&[
        "diff",
        file.to_str().expect("utf-8"),
        s.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}{}",
        stdout(&same),
        stderr(&same)
    );

    // Another export is refused with a clear message, not a serde error.
    let grants = tmp.path().join("grants.json");
    let out = permcat(&[
        "export",
        "--data",
        s.to_str().expect("utf-8"),
        "--what",
        "grants",
        "-o",
        grants.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success());
    let bad = permcat(&[
        "diff",
        grants.to_str().expect("utf-8"),
        s.to_str().expect("utf-8"),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("not a catalog export"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn build_previous_writes_the_page_and_the_feed() {
    let tmp = changed_sample();
    let site = tempfile::tempdir().expect("tmp");
    let out = site.path().join("public");
    let s = sample();
    let run = permcat(&[
        "build",
        "--data",
        tmp.path().to_str().expect("utf-8"),
        "--previous",
        s.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let page = std::fs::read_to_string(out.join("changes.html")).expect("changes.html");
    assert!(
        page.contains("href=\"permissions/Mail.Read.html\""),
        "{page}"
    );
    assert!(
        page.contains("privilege level: 2 → 5") || page.contains("→ 5"),
        "{page}"
    );
    let index = std::fs::read_to_string(out.join("index.html")).expect("index");
    assert!(index.contains("badge-changed"));
    assert!(index.contains("href=\"changes.html\""), "nav link");

    let feed = std::fs::read_to_string(out.join("changes.xml")).expect("changes.xml");
    let doc = roxmltree::Document::parse(&feed).expect("feed is XML");
    let root = doc.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    assert_eq!(root.tag_name().name(), "feed");
    for required in ["id", "title", "updated"] {
        assert!(
            root.children().any(|c| c.has_tag_name(required)),
            "{required}"
        );
    }
    let titles: Vec<&str> = root
        .children()
        .filter(|c| c.has_tag_name("entry"))
        .filter_map(|e| e.children().find(|c| c.has_tag_name("title")))
        .filter_map(|t| t.text())
        .collect();
    assert!(titles.contains(&"Changed: Mail.Read"), "{titles:?}");
    assert!(titles.contains(&"Changed: User.Read.All"), "{titles:?}");

    // Without --previous there is no page and no nav link.
    let plain = site.path().join("plain");
    let run = permcat(&[
        "build",
        "--data",
        s.to_str().expect("utf-8"),
        "--out",
        plain.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success());
    assert!(!plain.join("changes.html").exists());
    let index = std::fs::read_to_string(plain.join("index.html")).expect("index");
    assert!(!index.contains("changes.html"));
}
