//! `permcat build`: the static site's pages, exports, safety and atomic replacement.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use permcat::export::{self, Format, What};
use serde_json::Value;

use crate::common::*;

/// Every file of a built site, relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Runs `permcat build` on a data directory into its `site/` folder and returns it.
fn build_with_binary(data: &Path) -> PathBuf {
    let out = data.join("site");
    let run = permcat(&[
        "build",
        "--data",
        data.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    out
}

#[test]
fn one_page_per_permission() {
    let site = upstream_site();
    let pages = std::fs::read_dir(site.join("permissions"))
        .expect("permissions folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    // One page per entry of permissions.json, names differing only in case included.
    assert_eq!(pages, raw_permission_count(&upstream()));
    for p in [
        "index.html",
        "about.html",
        "404.html",
        "resources/index.html",
        "sitemap.xml",
    ] {
        assert!(site.join(p).is_file(), "{p} missing");
    }
}

#[test]
fn reference_permission_page_has_every_section() {
    let site = upstream_site();
    let html = read(
        site,
        "permissions/IndustryData-OutboundFlow.ReadWrite.All.html",
    );
    for heading in [
        "<h1>IndustryData-OutboundFlow.ReadWrite.All</h1>",
        "Export JSON",
        "Export CSV",
        "Copy URL",
        "Print",
        "Application permission",
        "Delegated permission",
        "Admin consent",
        "Permission data: <time>August 7, 2026</time>",
        ">Properties</a>",
        ">JSON representation</a>",
        ">Relationships</a>",
        ">Graph methods</a>",
        ">PowerShell commands</a>",
        ">Code examples</a>",
        ">App registration</a>",
        ">Sources</a>",
        ">Where sources disagree</a>",
        "aeb68e0b-e562-4a1f-b6dd-3484ad0cbb4b",
        "24a65b4a-e501-47e2-8849-d679517887f0",
    ] {
        assert!(html.contains(heading), "missing {heading:?}");
    }
    // The resource comes from beta, and the page says why.
    assert!(html.contains("outboundProvisioningFlowSet"));
    assert!(html.contains("type map"));
    // Sections without data say so and why instead of vanishing.
    assert!(
        html.contains("MgCommandMetadata.json"),
        "PowerShell section should name the missing file"
    );
    // The canonical link comes from --base-url.
    assert!(html.contains(
        "<link rel=\"canonical\" href=\"https://permcat.example/catalog/permissions/IndustryData-OutboundFlow.ReadWrite.All.html\">"
    ));
}

#[test]
fn user_read_all_lists_user_endpoints_and_properties() {
    let site = upstream_site();
    let html = read(site, "permissions/User.Read.All.html");
    assert!(
        html.contains("/users/{id | userPrincipalName}"),
        "GET /users/{{id}} row"
    );
    assert!(html.contains("<code>accountEnabled</code>"));
    assert!(html.contains("<code>displayName</code>"));
    assert!(html.contains("resources/v1.0/microsoft.graph.user.html"));
    assert!(site
        .join("resources/v1.0/microsoft.graph.user.html")
        .is_file());
    let resource = read(site, "resources/v1.0/microsoft.graph.user.html");
    assert!(
        resource.contains("User.Read.All"),
        "resource page links the permission"
    );
}

#[test]
fn pages_stay_small_and_load_only_local_assets() {
    let site = upstream_site();
    let files = tree(site);
    let largest = files
        .iter()
        .filter(|(p, _)| p.starts_with("permissions/") && p.ends_with(".html"))
        .map(|(p, b)| (b.len(), p.clone()))
        .max()
        .expect("pages");
    println!(
        "largest permission page: {} ({} bytes)",
        largest.1, largest.0
    );
    assert!(largest.0 < 300_000, "{largest:?}");
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for attr in ["src=\"http", "href=\"//", "src=\"//", "@import"] {
            assert!(!html.contains(attr), "{path} loads from elsewhere: {attr}");
        }
        assert!(!html.contains("<script>"), "{path} has an inline script");
        assert!(!html.contains(" style=\""), "{path} has an inline style");
    }
}

#[test]
fn downloads_and_per_permission_exports_parse() {
    let site = upstream_site();
    for kind in [
        "permissions",
        "grants",
        "conflicts",
        "endpoints",
        "resources",
        "commands",
    ] {
        let json: Value =
            serde_json::from_str(&read(site, &format!("downloads/{kind}.json"))).expect(kind);
        assert_eq!(json["format"], format!("permcat.{kind}"));
        let csv_text = read(site, &format!("downloads/{kind}.csv"));
        let mut rows = csv::Reader::from_reader(csv_text.as_bytes());
        assert!(rows.records().all(|r| r.is_ok()), "{kind}.csv");
    }
    let json: Value = serde_json::from_str(&read(site, "permissions/User.Read.All.json"))
        .expect("per-permission JSON");
    assert_eq!(json["permission"]["name"], "User.Read.All");
    assert!(json["grants"].as_array().is_some_and(|g| !g.is_empty()));
    let csv_text = read(site, "permissions/User.Read.All.csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<_> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), json["grants"].as_array().map_or(0, Vec::len));
    assert!(rows.iter().all(|r| &r[0] == "User.Read.All"));
}

#[test]
fn sitemap_lists_pages_with_the_base_url() {
    let site = upstream_site();
    let xml = read(site, "sitemap.xml");
    assert!(xml.contains("<loc>https://permcat.example/catalog/index.html</loc>"));
    assert!(xml.contains("/permissions/User.Read.html</loc>"));
    assert!(!xml.contains("404.html"));
}

/// The full snapshot loaded a second time and built into a second folder gives the same
/// bytes as the shared load and build: every page and download of the site, and every
/// export kind. (`export::the_binary_writes_byte_identical_output_across_runs` checks
/// the process level on the sample.)
#[test]
fn the_full_snapshot_loads_and_builds_byte_identically() {
    let again = load(&upstream());
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("site");
    build_site(&again, &out);
    let (first, second) = (upstream_site(), out.as_path());
    let names = files_under(first);
    assert_eq!(
        names,
        files_under(second),
        "the two builds wrote different files"
    );
    for rel in &names {
        let a = std::fs::read(first.join(rel)).expect("read");
        let b = std::fs::read(second.join(rel)).expect("read");
        assert!(a == b, "{rel} differs between the builds");
    }
    for what in What::ALL {
        for format in [Format::Json, Format::Csv] {
            let a = export::to_bytes(upstream_catalog(), what, format).expect("export");
            let b = export::to_bytes(&again, what, format).expect("export");
            assert!(a == b, "{what} {format:?} differs between loads");
        }
    }
    let a = export::to_bytes(upstream_catalog(), What::Catalog, Format::Json).expect("export");
    let b = export::to_bytes(&again, What::Catalog, Format::Json).expect("export");
    assert!(a == b, "the catalog export differs between loads");
}

#[test]
fn failed_build_leaves_the_previous_site_untouched() {
    let data = sample_copy();
    let out = data.path().join("public");
    let args = |d: &Path| {
        vec![
            "build".to_string(),
            "--data".to_string(),
            d.to_string_lossy().into_owned(),
            "--out".to_string(),
            out.to_string_lossy().into_owned(),
        ]
    };
    let run = |a: Vec<String>| permcat(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let first = run(args(data.path()));
    assert!(first.status.success(), "{}", stderr(&first));
    let before = tree(&out);

    std::fs::write(
        permissions_json(data.path()),
        b"{ \"permissions\": { \"X\": ",
    )
    .expect("corrupt");
    let failed = run(args(data.path()));
    assert!(!failed.status.success());
    assert!(
        stderr(&failed).contains("permissions.json`:"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(tree(&out), before, "the previous site changed");
    // No temporary directory is left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(data.path())
        .expect("read")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("permcat-new"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn refuses_to_replace_a_directory_it_did_not_make() {
    let tmp = tempfile::tempdir().expect("temp");
    let precious = tmp.path().join("notes.txt");
    std::fs::write(&precious, "keep me").expect("write");
    let run = permcat(&[
        "build",
        "--data",
        sample().to_str().expect("utf-8"),
        "--out",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert!(!run.status.success());
    assert!(
        stderr(&run).contains("refusing to replace"),
        "{}",
        stderr(&run)
    );
    assert_eq!(
        std::fs::read_to_string(&precious).expect("still there"),
        "keep me"
    );
}

#[test]
fn sections_without_a_source_say_why() {
    let data = sample_copy();
    std::fs::remove_dir_all(data.path().join("msgraph-sdk-powershell")).expect("rm");
    std::fs::remove_dir_all(data.path().join("microsoft-graph-docs")).expect("rm");
    let out = build_with_binary(data.path());
    let html = read(&out, "permissions/Mail.Read.html");
    assert!(
        html.contains("MgCommandMetadata.json` is not in this data"),
        "PowerShell"
    );
    assert!(
        html.contains("is not in this data, so no titles"),
        "examples"
    );
    assert!(html.contains(">PowerShell commands</a>") && html.contains(">Code examples</a>"));
}

#[test]
fn permissions_differing_only_in_case_keep_separate_pages() {
    // Upstream lists both spellings; on a case-insensitive file system one page would
    // overwrite the other.
    let site = upstream_site();
    let first = read(site, "permissions/Calls.JoinGroupCallAsGuest.All.html");
    let second = read(site, "permissions/Calls.JoinGroupCallasGuest.All-2.html");
    assert!(first.contains("<h1>Calls.JoinGroupCallAsGuest.All</h1>"));
    assert!(second.contains("<h1>Calls.JoinGroupCallasGuest.All</h1>"));
    let index = read(site, "index.html");
    assert!(index.contains("href=\"permissions/Calls.JoinGroupCallasGuest.All-2.html\""));
    let mut lower = std::collections::BTreeSet::new();
    for path in walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = path.path().strip_prefix(site).expect("inside");
        assert!(
            lower.insert(rel.to_string_lossy().to_lowercase()),
            "{} collides with another file on a case-insensitive file system",
            rel.display()
        );
    }
}

/// The part of a page between two section ids.
fn section<'a>(html: &'a str, id: &str, next: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("section {id}"));
    let end = html[start..]
        .find(&format!("id=\"{next}\""))
        .map_or(html.len(), |i| start + i);
    &html[start..end]
}

#[test]
fn user_page_lists_send_mail_as_an_action_not_as_returning_a_user() {
    let site = upstream_site();
    let html = read(site, "resources/v1.0/microsoft.graph.user.html");
    let returning = section(&html, "endpoints", "actions");
    for action in ["/sendMail<", "/changePassword<", "/findMeetingTimes<"] {
        assert!(
            !returning.contains(action),
            "{action} listed as returning a user"
        );
    }
    // Endpoints that do return a user stay.
    assert!(returning.contains("/users/{id | userPrincipalName}<"));
    let actions = section(&html, "actions", "sources");
    assert!(actions.contains(">Actions and functions on it</a>"));
    let row = |path: &str| {
        let at = actions
            .find(&format!("<code class=\"break\">{path}</code>"))
            .unwrap_or_else(|| panic!("{path} among actions"));
        let end = actions[at..]
            .find("</tr>")
            .map_or(actions.len(), |i| at + i);
        &actions[at..end]
    };
    assert!(row("/me/sendMail").contains("<td>no content</td>"));
    assert!(row("/me/sendMail").contains("Mail.Send"));
    assert!(row("/me/findMeetingTimes")
        .contains("resources/v1.0/microsoft.graph.meetingTimeSuggestionsResult.html"));

    // The permission page's method table says the same.
    let mail = read(site, "permissions/Mail.Send.html");
    let at = mail
        .find("<code class=\"path\"><span>/me/</span><wbr><span>sendMail</span></code>")
        .expect("sendMail row");
    let end = mail[at..].find("</tr>").map_or(mail.len(), |i| at + i);
    let row = &mail[at..end];
    assert!(row.contains("<td>no content</td>"), "{row}");
    assert!(!row.contains("microsoft.graph.user.html"), "{row}");
}
