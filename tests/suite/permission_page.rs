//! Permission pages of the real catalog read from the built HTML against the catalog:
//! sections in reading order, the resource's list and get first in the method tables,
//! the reach line counted from the grants, conflicts grouped by kind with the ones that
//! only reflect a source's age apart, one spelling per path, and pages under 250 KB.

use std::collections::{BTreeMap, BTreeSet};

use permcat::model::ApiVersion;

use crate::common::*;

fn page(name: &str) -> String {
    let path = upstream_site().join(format!("permissions/{name}.html"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (method, path) of each method row in one table section of a page, in page order.
fn method_rows(html: &str, section: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("<section id=\"{section}\""))
        .unwrap_or_else(|| panic!("no section {section}"));
    let end = html[start..]
        .find("\n  </section>")
        .map_or(html.len(), |e| start + e);
    between(&html[start..end], "<tr id=\"", "</tr>")
        .into_iter()
        .map(|row| {
            let method = plain(between(row, "<span class=\"method", "</span>")[0]);
            let method = method.rsplit('"').next().unwrap_or_default().to_string();
            let path = plain(between(row, "<code class=\"path\">", "</code>")[0]);
            (method, path)
        })
        .collect()
}

#[test]
fn sections_come_in_the_order_people_read_them() {
    let html = page("User.Read.All");
    let order = [
        "details",
        "methods",
        "powershell",
        "examples",
        "properties",
        "json",
        "relationships",
        "registration",
        "sources",
        "conflicts",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|id| {
            html.find(&format!("<section id=\"{id}\""))
                .unwrap_or_else(|| panic!("no section {id}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "sections out of order: {at:?}"
    );
    // What the page answers first sits before every section.
    let glance = html.find("class=\"glance\"").expect("a glance block");
    let reach = html.find("class=\"reach\"").expect("a reach line");
    assert!(glance < at[0] && reach < at[0]);
}

/// The requests of a permission by (method, display path), with whether it is the least
/// privileged choice for one of them and the API versions of each.
fn requests(name: &str) -> BTreeMap<(String, String), (bool, bool, bool)> {
    let catalog = upstream_catalog();
    let mut out: BTreeMap<(String, String), (bool, bool, bool)> = BTreeMap::new();
    for g in catalog.grants_of(name) {
        let e = catalog.endpoint(&g.method, &g.key);
        let path = e.map_or(g.path.clone(), |e| e.path.clone());
        let v1 = e.is_some_and(|e| e.versions.contains_key(&ApiVersion::V1_0));
        let beta = e.is_some_and(|e| e.versions.contains_key(&ApiVersion::Beta));
        let slot = out
            .entry((g.method.clone(), path))
            .or_insert((false, v1, beta));
        slot.0 |= g.least_privileged;
    }
    out
}

#[test]
fn method_rows_start_with_the_list_and_get_then_the_least_privileged() {
    let html = page("User.Read.All");
    let rows = method_rows(&html, "methods-v10");
    assert_eq!(
        rows[..2],
        [
            ("GET".to_string(), "/users".to_string()),
            (
                "GET".to_string(),
                "/users/{id | userPrincipalName}".to_string()
            ),
        ],
        "first rows: {:?}",
        &rows[..4.min(rows.len())]
    );
    let known = requests("User.Read.All");
    let least: Vec<bool> = rows[2..]
        .iter()
        .map(|r| {
            known
                .get(r)
                .unwrap_or_else(|| panic!("row {r:?} is no grant"))
                .0
        })
        .collect();
    let first_other = least.iter().position(|l| !l).unwrap_or(least.len());
    assert!(
        first_other > 0,
        "no least privileged row after the list and get"
    );
    assert!(
        least[first_other..].iter().all(|l| !l),
        "a least privileged row comes after one that is not: {rows:?}"
    );
    // Every least privileged v1.0 request is in the table, right after the list and get.
    let want = known
        .values()
        .filter(|(least, v1, _)| *least && *v1)
        .count();
    assert_eq!(first_other, want);
}

#[test]
fn the_reach_line_counts_what_the_grants_say() {
    for name in [
        "User.Read.All",
        "Mail.Send",
        "IndustryData-OutboundFlow.ReadWrite.All",
        "DeviceManagementConfiguration.Read.All",
    ] {
        let html = page(name);
        let line = plain(between(&html, "<p class=\"reach\">", "</p>")[0]);
        let known = requests(name);
        let least_v1 = known.values().filter(|(l, v1, _)| *l && *v1).count();
        let least_beta = known.values().filter(|(l, v1, b)| *l && !v1 && *b).count();
        let more = known.len() - least_v1 - least_beta;
        let want = format!(
            "Least privileged for {least_v1} {} in v1.0, {least_beta} only in beta; also grants {more} more.",
            if least_v1 == 1 { "request" } else { "requests" }
        );
        assert!(line.starts_with(&want), "{name}: `{line}`, want `{want}`");
        // The top requests link to rows of the page.
        for id in between(&html, "<p class=\"reach\">", "</p>")
            .iter()
            .flat_map(|l| between(l, "href=\"#", "\""))
        {
            assert!(
                html.contains(&format!("<tr id=\"{id}\"")),
                "{name}: no row {id}"
            );
        }
    }
}

#[test]
fn conflicts_group_by_kind_with_the_aged_ones_apart() {
    let catalog = upstream_catalog();
    let mut checked = 0;
    for name in [
        "User.Read.All",
        "User.Read",
        "DeviceManagementConfiguration.Read.All",
    ] {
        let mut want: BTreeMap<(bool, String), usize> = BTreeMap::new();
        for c in catalog.conflicts_of(name) {
            let aged = c.source_age.as_deref().is_some_and(|a| !a.is_empty());
            *want.entry((aged, c.kind.to_string())).or_default() += 1;
        }
        let html = page(name);
        let aged_at = html.find("id=\"conflicts-aged\"");
        let start = html.find("<section id=\"conflicts\"").expect("conflicts");
        let mut got: BTreeMap<(bool, String), usize> = BTreeMap::new();
        for group in between(
            &html[start..],
            "<details class=\"conflict-group",
            "</summary>",
        ) {
            let at = start + html[start..].find(group).expect("group");
            let aged = group.starts_with(" conflict-aged");
            assert_eq!(
                aged,
                aged_at.is_some_and(|a| a < at),
                "{name}: a group is on the wrong side of the aged heading"
            );
            let kind = plain(between(group, "<span class=\"badge\">", "</span>")[0]);
            let count: usize = plain(between(group, "<span class=\"count\">", "</span>")[0])
                .parse()
                .expect("a count");
            let sentence = plain(group.rsplit("</span>").next().unwrap_or_default());
            assert!(sentence.trim().len() > 20, "{name}: {kind} has no sentence");
            *got.entry((aged, kind)).or_default() += count;
        }
        assert_eq!(got, want, "{name}: groups differ from the catalog");
        assert_eq!(aged_at.is_some(), want.keys().any(|(aged, _)| *aged));
        checked += want.len();
    }
    assert!(checked > 3, "few conflict kinds checked");
}

#[test]
fn method_paths_have_one_spelling_and_break_only_after_slashes() {
    let dir = upstream_site().join("permissions");
    let mut bad = BTreeSet::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("permissions dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&path).expect("read");
        let paths: Vec<&str> = between(&html, "<code class=\"path\">", "</code>");
        let mut camel: BTreeMap<String, String> = BTreeMap::new();
        for p in &paths {
            // Each segment is one element ending in its slash; breaks go between them.
            let segments = between(p, "<span>", "</span>");
            let n = segments.len();
            for (i, s) in segments.iter().enumerate() {
                if i + 1 < n && !s.ends_with('/') {
                    bad.insert(format!("segment without its slash: {s} in {p}"));
                }
            }
            let text = plain(p);
            for seg in text.split('/') {
                if seg.chars().all(|c| c.is_ascii_alphanumeric())
                    && seg != seg.to_lowercase()
                    && seg.starts_with(|c: char| c.is_ascii_lowercase())
                {
                    camel.insert(seg.to_lowercase(), seg.to_string());
                }
            }
            for ph in between(&text, "{", "}") {
                if ph.contains('|') && (!ph.contains(" | ") || ph.contains('-')) {
                    bad.insert(format!("placeholder {{{ph}}}"));
                }
            }
            seen += 1;
        }
        for p in &paths {
            for seg in plain(p).split('/') {
                if let Some(c) = camel.get(seg) {
                    if c != seg {
                        bad.insert(format!("{seg} beside {c} on {}", path.display()));
                    }
                }
            }
        }
    }
    assert!(seen > 1000, "few paths: {seen}");
    let list: Vec<_> = bad.into_iter().take(20).collect();
    assert!(
        list.is_empty(),
        "paths spelled two ways:\n{}",
        list.join("\n")
    );
}

#[test]
fn every_page_of_the_site_stays_under_250_kb() {
    // Permission pages, their examples and methods pages, resources and indexes alike.
    let site = upstream_site();
    let mut sizes: Vec<(u64, String)> = files_under(site)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| {
            let len = std::fs::metadata(site.join(&f)).map_or(0, |m| m.len());
            (len, f)
        })
        .collect();
    sizes.sort_by(|a, b| b.cmp(a));
    eprintln!("largest pages: {:?}", &sizes[..5]);
    let over: Vec<_> = sizes.iter().filter(|(s, _)| *s >= 250_000).collect();
    assert!(over.is_empty(), "pages of 250 KB or more: {over:?}");
}

#[test]
fn every_method_row_is_on_the_site() {
    // A page that lists only some of its requests links methods pages that, together,
    // list every request the catalog's grants give the permission, once each.
    let catalog = upstream_catalog();
    let site = upstream_site();
    let slugs = permcat::slugs::Slugs::new(catalog);
    let mut cut = 0;
    for p in &catalog.permissions {
        let slug = slugs.get(&p.name);
        let html = page(&slug);
        let wanted: BTreeSet<(String, String)> = catalog
            .grants_of(&p.name)
            .map(|g| (g.method.clone(), g.key.clone()))
            .collect();
        let on_page = html.matches("<tr id=\"m-").count();
        let first = format!("permissions/methods/{slug}/index.html");
        if on_page == wanted.len() {
            assert!(
                !html.contains(&first),
                "{}: links methods pages it does not need",
                p.name
            );
            continue;
        }
        cut += 1;
        assert!(
            on_page < wanted.len(),
            "{}: {on_page} rows of {}",
            p.name,
            wanted.len()
        );
        assert!(
            html.contains(&format!("href=\"../{first}\"")),
            "{}: no link to {first}",
            p.name
        );
        let parts: Vec<String> = files_under(&site.join(format!("permissions/methods/{slug}")))
            .into_iter()
            .collect();
        let mut rows = 0;
        for part in &parts {
            let text =
                std::fs::read_to_string(site.join(format!("permissions/methods/{slug}/{part}")))
                    .expect("methods part");
            assert!(
                text.contains(&format!("permissions/{slug}.html")),
                "{part}: no link back"
            );
            rows += text.matches("<tr id=\"m-").count();
        }
        assert_eq!(
            rows,
            wanted.len(),
            "{}: rows over {} parts",
            p.name,
            parts.len()
        );
    }
    eprintln!("{cut} permissions with methods pages");
    assert!(
        cut > 0,
        "no permission of the real catalog needs methods pages"
    );
}
