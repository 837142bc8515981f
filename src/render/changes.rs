//! The "What changed" page, its Atom feed and the index badges, from a [`CatalogDiff`]
//! between the previous catalog and the one being built.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use askama::Template;

use super::frame::{human_date, Site, SiteInfo};
use super::sitemap::xml_escape;
use super::Files;
use crate::diff::CatalogDiff;
use crate::model::{permission_order, ApiVersion, Catalog};
use crate::slugs::Slugs;

/// Rows per grant or endpoint table; the rest are counted and left to `permcat diff`.
const ROWS_SHOWN: usize = 500;

/// One permission on the page: name, link (empty when it has no page) and what changed.
#[derive(Debug, Clone)]
pub struct ChangedItem {
    name: String,
    href: String,
    lines: Vec<String>,
}

/// A table row: permission, its link, method, path, scheme, note.
#[derive(Debug, Clone)]
pub struct GrantRow {
    name: String,
    href: String,
    method: String,
    path: String,
    scheme: String,
    note: String,
}

/// A table of rows with how many were left out.
#[derive(Debug, Clone)]
pub struct GrantTable {
    id: &'static str,
    title: &'static str,
    total: usize,
    rows: Vec<GrantRow>,
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesPage {
    site: Site,
    old_date: String,
    new_date: String,
    counts: Vec<(&'static str, &'static str, usize)>,
    added: Vec<ChangedItem>,
    removed: Vec<ChangedItem>,
    renamed: Vec<(String, String, String, &'static str)>,
    changed: Vec<ChangedItem>,
    tables: Vec<GrantTable>,
}

/// Index badges: `new` for added permissions, `changed` for any other change.
pub fn badges(d: &CatalogDiff) -> BTreeMap<String, &'static str> {
    let mut out: BTreeMap<String, &'static str> = d
        .touched_permissions()
        .into_iter()
        .map(|n| (n, "changed"))
        .collect();
    out.extend(d.added.iter().map(|n| (n.clone(), "new")));
    out
}

fn versions(v: &[ApiVersion]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
}

/// What changed per permission in both catalogs, as sentences, in catalog order.
fn changed_items(d: &CatalogDiff, slugs: &Slugs) -> Vec<ChangedItem> {
    let mut lines: BTreeMap<String, Vec<String>> = d
        .touched_permissions()
        .into_iter()
        .map(|n| (n, Vec::new()))
        .collect();
    for c in &d.changed {
        let Some(l) = lines.get_mut(&c.name) else {
            continue;
        };
        l.extend(
            c.schemes_added
                .iter()
                .map(|s| format!("Type added: {}", s.label())),
        );
        l.extend(
            c.schemes_removed
                .iter()
                .map(|s| format!("Type removed: {}", s.label())),
        );
        for f in &c.fields {
            let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
            l.push(format!(
                "{} — {}: {} → {}",
                f.scheme.label(),
                f.field.label(),
                shown(&f.old),
                shown(&f.new)
            ));
        }
    }
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for g in &d.grants_added {
        counts.entry(&g.permission).or_default().0 += 1;
    }
    for g in &d.grants_removed {
        counts.entry(&g.permission).or_default().1 += 1;
    }
    for f in &d.least_privileged {
        counts.entry(&f.grant.permission).or_default().2 += 1;
    }
    for (name, (a, r, f)) in counts {
        let Some(l) = lines.get_mut(name) else {
            continue;
        };
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if a > 0 {
            l.push(format!("{a} grant{} added", plural(a)));
        }
        if r > 0 {
            l.push(format!("{r} grant{} removed", plural(r)));
        }
        if f > 0 {
            l.push(format!("{f} least-privileged marker{} flipped", plural(f)));
        }
    }
    let mut items: Vec<ChangedItem> = lines
        .into_iter()
        .map(|(name, lines)| ChangedItem {
            href: slugs.href(&name),
            name,
            lines,
        })
        .collect();
    items.sort_by(|a, b| permission_order(&a.name, &b.name));
    items
}

fn grant_tables(d: &CatalogDiff, slugs: &Slugs) -> Vec<GrantTable> {
    let grant_rows = |list: &[crate::diff::GrantRef], linked: bool| -> Vec<GrantRow> {
        list.iter()
            .take(ROWS_SHOWN)
            .map(|g| GrantRow {
                name: g.permission.clone(),
                href: if linked {
                    slugs.href(&g.permission)
                } else {
                    String::new()
                },
                method: g.method.clone(),
                path: g.path.clone(),
                scheme: g.scheme.label().into(),
                note: String::new(),
            })
            .collect()
    };
    let removed_names: std::collections::BTreeSet<&str> =
        d.removed.iter().map(String::as_str).collect();
    vec![
        GrantTable {
            id: "grants-added",
            title: "Grants added",
            total: d.grants_added.len(),
            rows: grant_rows(&d.grants_added, true),
        },
        GrantTable {
            id: "grants-removed",
            title: "Grants removed",
            total: d.grants_removed.len(),
            rows: grant_rows(&d.grants_removed, true)
                .into_iter()
                .map(|mut r| {
                    // A removed permission has no page in this site to link to.
                    if removed_names.contains(r.name.as_str()) {
                        r.href.clear();
                    }
                    r
                })
                .collect(),
        },
        GrantTable {
            id: "least-privileged",
            title: "Least-privileged flips",
            total: d.least_privileged.len(),
            rows: d
                .least_privileged
                .iter()
                .take(ROWS_SHOWN)
                .map(|f| GrantRow {
                    name: f.grant.permission.clone(),
                    href: slugs.href(&f.grant.permission),
                    method: f.grant.method.clone(),
                    path: f.grant.path.clone(),
                    scheme: f.grant.scheme.label().into(),
                    note: if f.new {
                        "now least privileged".into()
                    } else {
                        "no longer least privileged".into()
                    },
                })
                .collect(),
        },
        GrantTable {
            id: "endpoint-versions",
            title: "Endpoints whose API versions changed",
            total: d.endpoint_versions.len(),
            rows: d
                .endpoint_versions
                .iter()
                .take(ROWS_SHOWN)
                .map(|e| GrantRow {
                    name: String::new(),
                    href: String::new(),
                    method: e.method.clone(),
                    path: e.path.clone(),
                    scheme: String::new(),
                    note: format!("{} → {}", versions(&e.old), versions(&e.new)),
                })
                .collect(),
        },
    ]
}

/// `changes.html` and `changes.xml`.
pub fn files(catalog: &Catalog, d: &CatalogDiff, info: &SiteInfo) -> Result<Files> {
    let s = &d.summary;
    let slugs = &info.slugs;
    let page = ChangesPage {
        site: info.site(
            "changes.html",
            "What changed".into(),
            "Permissions, grants and endpoints that changed since the previous permission data."
                .into(),
        ),
        old_date: human_date(d.old_date.as_deref()),
        new_date: human_date(d.new_date.as_deref()),
        counts: vec![
            ("Permissions added", "added", s.permissions_added),
            ("Permissions removed", "removed", s.permissions_removed),
            ("Look renamed", "renamed", s.permissions_renamed),
            (
                "Permissions changed",
                "changed",
                d.touched_permissions().len(),
            ),
            ("Grants added", "grants-added", s.grants_added),
            ("Grants removed", "grants-removed", s.grants_removed),
            (
                "Least-privileged flips",
                "least-privileged",
                s.least_privileged_flips,
            ),
            (
                "Endpoint version changes",
                "endpoint-versions",
                s.endpoint_version_changes,
            ),
        ],
        added: d
            .added
            .iter()
            .map(|n| ChangedItem {
                name: n.clone(),
                href: slugs.href(n),
                lines: catalog
                    .permission(n)
                    .and_then(|p| {
                        p.schemes
                            .values()
                            .find_map(|s| s.admin_display_name.clone())
                    })
                    .into_iter()
                    .collect(),
            })
            .collect(),
        removed: d
            .removed
            .iter()
            .map(|n| ChangedItem {
                name: n.clone(),
                href: String::new(),
                lines: Vec::new(),
            })
            .collect(),
        renamed: d
            .renamed
            .iter()
            .map(|r| {
                (
                    r.old.clone(),
                    r.new.clone(),
                    slugs.href(&r.new),
                    match r.evidence {
                        crate::diff::RenameEvidence::SameId => "same GUID",
                        crate::diff::RenameEvidence::SameTexts => {
                            "same category and texts (weaker evidence)"
                        }
                    },
                )
            })
            .collect(),
        changed: changed_items(d, slugs),
        tables: grant_tables(d, slugs),
    };
    Ok(vec![
        ("changes.html".into(), page.render()?.into_bytes()),
        (
            "changes.xml".into(),
            atom(d, &page.added, &page.changed, info),
        ),
    ])
}

/// Keeps the characters a URN may carry as they are and percent-encodes the rest.
fn urn_part(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An Atom 1.0 feed with one entry per added, removed or changed permission. Every
/// timestamp is the new data date, so the same inputs give the same bytes.
fn atom(
    d: &CatalogDiff,
    added: &[ChangedItem],
    changed: &[ChangedItem],
    info: &SiteInfo,
) -> Vec<u8> {
    // Atom wants an RFC 3339 instant; the data has a day, so midnight UTC stands in.
    let date = d.new_date.as_deref().unwrap_or("1970-01-01");
    let updated = format!("{date}T00:00:00Z");
    let link = |rel: &str| match info.base() {
        Some(b) => format!("{b}/{rel}"),
        None => rel.to_string(),
    };
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(x, "  <id>urn:permcat:changes:{}</id>", urn_part(date));
    let _ = writeln!(
        x,
        "  <title>Microsoft Graph permissions: what changed ({} → {})</title>",
        xml_escape(d.old_date.as_deref().unwrap_or("unknown")),
        xml_escape(date)
    );
    let _ = writeln!(x, "  <updated>{updated}</updated>");
    let _ = writeln!(x, "  <author><name>permcat</name></author>");
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml_escape(&link("changes.html"))
    );
    let mut entry = |kind: &str, item: &ChangedItem, href: Option<String>| {
        let _ = writeln!(x, "  <entry>");
        let _ = writeln!(
            x,
            "    <id>urn:permcat:change:{}:{}:{}</id>",
            urn_part(date),
            kind.to_ascii_lowercase(),
            urn_part(&item.name)
        );
        let _ = writeln!(x, "    <title>{kind}: {}</title>", xml_escape(&item.name));
        let _ = writeln!(x, "    <updated>{updated}</updated>");
        if let Some(h) = href {
            let _ = writeln!(
                x,
                "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
                xml_escape(&h)
            );
        }
        let summary = if item.lines.is_empty() {
            format!("{kind} in the permission data of {date}.")
        } else {
            item.lines.join("\n")
        };
        let _ = writeln!(
            x,
            "    <summary type=\"text\">{}</summary>",
            xml_escape(&summary)
        );
        let _ = writeln!(x, "  </entry>");
    };
    for a in added {
        entry("Added", a, Some(link(&a.href)));
    }
    for r in &d.removed {
        let item = ChangedItem {
            name: r.clone(),
            href: String::new(),
            lines: Vec::new(),
        };
        entry("Removed", &item, None);
    }
    for c in changed {
        entry("Changed", c, Some(link(&c.href)));
    }
    x.push_str("</feed>\n");
    x.into_bytes()
}
