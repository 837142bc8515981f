//! The build's write pipeline: files written as they are rendered, from many threads,
//! give the same site every time, listed whole in the marker; the machine-read JSON is
//! compact and says what the indented form says; page names stay unique and stable
//! however many names collide.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use permcat::render::{build, BuildOptions, MARKER};
use permcat::slugs::{slug, Slugs};

use crate::common::{build_site, files_under, load, sample, upstream_catalog, upstream_site};

fn options(out: &Path) -> BuildOptions {
    BuildOptions {
        out: out.to_path_buf(),
        base_url: Some(crate::common::SITE_BASE_URL.into()),
        previous: None,
    }
}

/// The marker's file list, read without permcat.
fn marker_list(site: &Path) -> Vec<String> {
    let text = fs::read_to_string(site.join(MARKER)).expect("marker");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("permcat static site"));
    lines.map(str::to_string).collect()
}

#[test]
fn the_marker_lists_every_file_sorted_and_the_report_counts_them() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("site");
    let report = build(&load(&sample()), &options(&out)).expect("build");
    let listed = marker_list(&out);
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(listed, sorted, "the marker lists each file once, sorted");
    let mut on_disk = files_under(&out);
    assert!(on_disk.remove(MARKER));
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), on_disk);
    assert_eq!(report.files, on_disk.len() + 1);
    let bytes: u64 = files_under(&out)
        .iter()
        .map(|f| fs::metadata(out.join(f)).expect("meta").len())
        .sum();
    assert_eq!(report.bytes, bytes);
    let largest = on_disk
        .iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| fs::metadata(out.join(f)).expect("meta").len())
        .max()
        .expect("pages");
    assert_eq!(report.largest_page.1, largest);
    assert!(report.largest_page.0.ends_with(".html"));
    // The sitemap lists the HTML pages the marker lists, but the 404 page.
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).expect("sitemap");
    let pages = on_disk
        .iter()
        .filter(|f| f.ends_with(".html") && *f != "404.html")
        .count();
    assert_eq!(sitemap.matches("<loc>").count(), pages);
}

/// Two builds of the real catalog, with pages written from many threads in whatever
/// order they finish, are the same files with the same bytes.
#[test]
fn two_builds_of_the_real_catalog_are_byte_identical() {
    let first = upstream_site();
    let tmp = tempfile::tempdir().expect("temp dir");
    let second = tmp.path().join("site");
    build_site(upstream_catalog(), &second);
    let files = files_under(first);
    assert_eq!(files, files_under(&second));
    assert!(files.len() > 4000, "{} files", files.len());
    for f in &files {
        let (a, b) = (
            fs::read(first.join(f)).expect("first"),
            fs::read(second.join(f)).expect("second"),
        );
        assert!(a == b, "{f} differs between two builds");
    }
    let listed: BTreeSet<String> = marker_list(first).into_iter().collect();
    let mut expected = files.clone();
    expected.remove(MARKER);
    assert_eq!(listed, expected);
}

/// The downloads and each permission's JSON are one line each (with a final newline)
/// and hold what the catalog holds.
#[test]
fn machine_read_json_is_compact_and_means_the_same() {
    let site = upstream_site();
    let catalog = upstream_catalog();
    for (kind, items) in [
        (
            "permissions",
            serde_json::to_value(&catalog.permissions).expect("json"),
        ),
        (
            "grants",
            serde_json::to_value(&catalog.grants).expect("json"),
        ),
        (
            "conflicts",
            serde_json::to_value(&catalog.conflicts).expect("json"),
        ),
        (
            "endpoints",
            serde_json::to_value(&catalog.endpoints).expect("json"),
        ),
    ] {
        let text = fs::read_to_string(site.join(format!("downloads/{kind}.json"))).expect(kind);
        assert_eq!(text.lines().count(), 1, "{kind}.json is one line");
        assert!(text.ends_with("}\n"), "{kind}.json ends with a newline");
        let doc: serde_json::Value = serde_json::from_str(&text).expect(kind);
        assert_eq!(doc["format"], format!("permcat.{kind}"));
        assert!(
            doc["items"] == items,
            "{kind}.json holds the catalog's {kind}"
        );
    }
    let slugs = Slugs::new(catalog);
    for p in catalog.permissions.iter().step_by(37) {
        let path = site.join(format!("permissions/{}.json", slugs.get(&p.name)));
        let text = fs::read_to_string(&path).expect("permission json");
        assert_eq!(text.lines().count(), 1, "{}", path.display());
        let compact: serde_json::Value = serde_json::from_str(&text).expect("parses");
        let pretty: serde_json::Value = serde_json::from_slice(
            &permcat::export::PermissionBundle::new(catalog, p)
                .to_json()
                .expect("pretty"),
        )
        .expect("parses");
        assert!(compact == pretty, "{} says what `show --json` says", p.name);
        assert_eq!(compact["permission"]["name"], p.name.as_str());
    }
}

/// The rule of [`Slugs`], written the slow way: each name's slug, or the first free
/// `-n` suffix ignoring case.
fn slugs_by_scan(names: &[String]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for name in names {
        let base = slug(name);
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        taken.push(candidate.clone());
        out.push(candidate);
    }
    out
}

#[test]
fn a_thousand_colliding_names_get_unique_stable_page_names() {
    // Every name slugs to `Mail_Read` or `mail_read`: one character that is not kept,
    // in either case; some names already look like a suffixed slug.
    let mut names: Vec<String> = (0..1000)
        .map(|i| {
            let c = char::from_u32(0x100 + i).expect("char");
            if i % 2 == 0 {
                format!("Mail{c}Read")
            } else {
                format!("mail{c}read")
            }
        })
        .collect();
    names.insert(1, "Mail_Read-3".to_string());
    names.insert(500, "MAIL_READ-700".to_string());
    let slugs = Slugs::assign(names.iter().map(String::as_str));
    let got: Vec<String> = names.iter().map(|n| slugs.get(n)).collect();
    let lower: BTreeSet<String> = got.iter().map(|s| s.to_ascii_lowercase()).collect();
    assert_eq!(lower.len(), names.len(), "unique ignoring case");
    assert_eq!(
        got,
        slugs_by_scan(&names),
        "the first free suffix, in order"
    );
    let again = Slugs::assign(names.iter().map(String::as_str));
    assert_eq!(got, names.iter().map(|n| again.get(n)).collect::<Vec<_>>());
    assert_eq!(got[0], "Mail_Read");
    // A name that looks like a suffixed slug keeps it when it comes first; the suffix
    // search of later names skips it.
    assert_eq!(got[1], "Mail_Read-3");
    assert_eq!(got[2], "mail_read-2");
    assert_eq!(got[3], "Mail_Read-4");
}
