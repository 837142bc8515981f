//! What a permission grants, as its page lists it: the Graph methods per API version
//! and the PowerShell cmdlets that call them.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{ApiVersion, Catalog, Endpoint, Grant, Scheme, TypeRef};
use crate::render::frame::SiteInfo;
use crate::render::markdown::is_web_url;
use crate::render::resource::returns_text;
use crate::slugs::type_href;
use crate::sources::docs::command_source_label;

/// One row of a "Graph methods" table.
#[derive(Debug, Clone)]
pub struct MethodRow {
    /// Anchor id, unique on the page: the version, method and path.
    pub id: String,
    /// API versions, for people: "v1.0", "v1.0 and beta", "beta" or "not confirmed".
    pub versions: &'static str,
    /// HTTP method.
    pub method: String,
    /// Lower-case method for the CSS class.
    pub method_class: String,
    /// Readable path.
    pub path: String,
    /// The path cut after each `/`, so a page lets it break only there.
    pub segments: Vec<String>,
    /// Where the row sorts: 0 the primary resource's list or get, 1 this permission is
    /// least privileged, 2 another request on the primary resource, 3 the rest.
    pub rank: u8,
    /// Per scheme in [`Scheme::ALL`] order: "least" (permcat's one least-privileged
    /// choice), "flagged" (granted, also flagged least in permissions.json), "granted"
    /// or "".
    pub cells: Vec<&'static str>,
    /// Other permissions needed too.
    pub also_requires: String,
    /// Learn link of this version, or empty.
    pub doc_link: String,
    /// Title from the docs, or empty.
    pub title: String,
    /// Link to the resource page relative to the site root, or empty.
    pub resource_href: String,
    /// What it returns: the resource's short name (linked when `resource_href` is set),
    /// a type without a page (`Edm.Stream`), "no content" for an action that returns
    /// nothing, or empty when unknown.
    pub resource_name: String,
}

/// The methods of one API version (or of no confirmed version).
#[derive(Debug, Clone)]
pub struct MethodGroup {
    /// "v1.0", "beta" or "version not confirmed".
    pub label: String,
    /// Anchor id.
    pub anchor: String,
    /// Rows shown: the primary resource's list and get, then those where this
    /// permission is least privileged, the primary resource's other requests, the rest;
    /// by path within each.
    pub rows: Vec<MethodRow>,
    /// How many rows show before the rest fold under "Show all".
    pub open: usize,
    /// How many rows there are in all.
    pub total: usize,
    /// Why there are none.
    pub empty: String,
}

/// Most rows the method tables of a page show together, v1.0 first; the exports hold
/// every one. A few permissions grant thousands of endpoints, and a page should stay
/// quick to load (under 250 KB).
pub const METHOD_ROWS_SHOWN: usize = 200;

/// Rows of a method table visible before the others fold.
pub const METHOD_ROWS_OPEN: usize = 15;

/// Cuts a path after each `/`: `/users/{id}` → `/`, `users/`, `{id}`, with the first
/// slash joined to the first name.
pub fn path_segments(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in path.split_inclusive('/') {
        match out.last_mut() {
            Some(last) if last == "/" => last.push_str(piece),
            _ => out.push(piece.to_string()),
        }
    }
    out
}

/// An id made of the letters and digits of `text`, lower case, dash-separated.
fn anchor_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// How a row of the primary resource's requests sorts: 0 for its list (the shortest GET
/// returning a collection of it) and its get (that path with one placeholder more), 2
/// for its other requests, 3 when the row is not on it.
fn primary_rank(e: Option<&Endpoint>, primary: Option<&TypeRef>, list: Option<&str>) -> u8 {
    let (Some(e), Some(p)) = (e, primary) else {
        return 3;
    };
    if e.resource.as_ref().map(|t| &t.type_name) != Some(&p.type_name) {
        return 3;
    }
    if e.method != "GET" {
        return 2;
    }
    let is_get = |l: &str| {
        e.key
            .strip_prefix(l)
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(|r| r.starts_with('{') && r.ends_with('}') && !r.contains('/'))
    };
    match list {
        Some(l) if e.key == l && e.returns_collection => 0,
        Some(l) if !e.returns_collection && is_get(l) => 0,
        _ => 2,
    }
}

/// A permission's endpoints with what it grants on each.
pub struct Granted<'a> {
    /// The endpoint.
    pub endpoint: Option<&'a Endpoint>,
    /// The grants of this permission on it.
    pub grants: Vec<&'a Grant>,
}

/// Groups a permission's grants by endpoint, in endpoint order.
pub fn granted<'a>(catalog: &'a Catalog, grants: &[&'a Grant]) -> Vec<Granted<'a>> {
    let mut by_key: BTreeMap<(&str, &str), Vec<&Grant>> = BTreeMap::new();
    for g in grants {
        by_key
            .entry((g.key.as_str(), g.method.as_str()))
            .or_default()
            .push(g);
    }
    by_key
        .into_iter()
        .map(|((key, method), grants)| Granted {
            endpoint: catalog.endpoint(method, key),
            grants,
        })
        .collect()
}

/// The method tables of a permission: v1.0, beta, then endpoints of unconfirmed version.
pub fn method_groups(
    catalog: &Catalog,
    endpoints: &[Granted<'_>],
    primary: Option<&TypeRef>,
) -> Vec<MethodGroup> {
    method_groups_up_to(catalog, endpoints, primary, METHOD_ROWS_SHOWN)
}

/// [`method_groups`] with at most `most` rows in all (`usize::MAX`: every row, for the
/// methods pages).
pub fn method_groups_up_to(
    catalog: &Catalog,
    endpoints: &[Granted<'_>],
    primary: Option<&TypeRef>,
    most: usize,
) -> Vec<MethodGroup> {
    let mut groups = Vec::new();
    // The primary resource's list: the GET with the fewest segments returning a
    // collection of it (`/users`, not `/users/delta` or `/groups/{id}/members`).
    let list = endpoints
        .iter()
        .filter_map(|g| g.endpoint)
        .filter(|e| {
            e.method == "GET"
                && e.returns_collection
                && primary.is_some_and(|p| {
                    e.resource.as_ref().map(|t| &t.type_name) == Some(&p.type_name)
                })
        })
        .min_by_key(|e| {
            (
                e.key.matches('/').count(),
                e.key.starts_with("/me"),
                e.key.clone(),
            )
        })
        .map(|e| e.key.clone());
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut budget = most;
    // v1.0 rows say whether beta has them too, so beta lists only what v1.0 lacks:
    // the same endpoint is not shown twice.
    for version in [Some(ApiVersion::V1_0), Some(ApiVersion::Beta), None] {
        let mut rows = Vec::new();
        for g in endpoints {
            let in_group = match (version, g.endpoint) {
                (Some(ApiVersion::V1_0), Some(e)) => e.versions.contains_key(&ApiVersion::V1_0),
                (Some(ApiVersion::Beta), Some(e)) => {
                    e.versions.contains_key(&ApiVersion::Beta)
                        && !e.versions.contains_key(&ApiVersion::V1_0)
                }
                (None, Some(e)) => e.versions.is_empty(),
                (None, None) => true,
                (Some(_), None) => false,
            };
            if !in_group {
                continue;
            }
            let first = g.grants[0];
            let cells: Vec<&'static str> = Scheme::ALL
                .iter()
                .map(|s| {
                    let of: Vec<&&Grant> = g.grants.iter().filter(|x| x.scheme == *s).collect();
                    if of.iter().any(|x| x.least_privileged) {
                        "least"
                    } else if of.iter().any(|x| x.flagged_least) {
                        "flagged"
                    } else if of.is_empty() {
                        ""
                    } else {
                        "granted"
                    }
                })
                .collect();
            let also: BTreeSet<&str> = g
                .grants
                .iter()
                .flat_map(|x| x.also_requires.iter().map(String::as_str))
                .collect();
            let e = g.endpoint;
            let least = cells.contains(&"least");
            let rank = match primary_rank(e, primary, list.as_deref()) {
                0 => 0,
                _ if least => 1,
                r => r,
            };
            let path = e.map_or(first.path.clone(), |e| e.path.clone());
            let versions = match (version, e) {
                (Some(ApiVersion::V1_0), Some(e)) if e.versions.contains_key(&ApiVersion::Beta) => {
                    "v1.0 and beta"
                }
                (Some(ApiVersion::V1_0), _) => "v1.0",
                (Some(ApiVersion::Beta), _) => "beta",
                (None, _) => "not confirmed",
            };
            let base = format!(
                "m-{}-{}-{}",
                version.map_or("x", |v| if v == ApiVersion::V1_0 { "v1" } else { "beta" }),
                first.method.to_ascii_lowercase(),
                anchor_of(&path)
            );
            let mut id = base.clone();
            let mut n = 2;
            while !ids.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            let returned = e.and_then(|e| e.resource.as_ref());
            let resource = returned.filter(|t| catalog.resource(t.version, &t.type_name).is_some());
            rows.push(MethodRow {
                id,
                versions,
                method: first.method.clone(),
                method_class: first.method.to_ascii_lowercase(),
                segments: path_segments(&path),
                path,
                rank,
                cells,
                also_requires: also.into_iter().collect::<Vec<_>>().join(", "),
                doc_link: e
                    .and_then(|e| {
                        version
                            .and_then(|v| e.doc_links.get(&v))
                            .or_else(|| e.doc_links.values().next())
                    })
                    .cloned()
                    .unwrap_or_default(),
                title: e.and_then(|e| e.title.clone()).unwrap_or_default(),
                resource_href: resource
                    .and_then(|t| type_href(catalog, t.version, &t.type_name))
                    .unwrap_or_default(),
                resource_name: returns_text(e, resource.is_some()),
            });
        }
        let (label, anchor, empty) = match version {
            Some(ApiVersion::V1_0) => (
                "v1.0".to_string(),
                "methods-v10".to_string(),
                "No endpoint of this permission is known to exist in v1.0.".to_string(),
            ),
            Some(ApiVersion::Beta) => (
                "beta only".to_string(),
                "methods-beta".to_string(),
                "No endpoint of this permission exists in beta alone; the v1.0 endpoints marked beta are there too.".to_string(),
            ),
            None => (
                "Version not confirmed".to_string(),
                "methods-unconfirmed".to_string(),
                String::new(),
            ),
        };
        if version.is_none() && rows.is_empty() {
            continue;
        }
        let total = rows.len();
        // Rows come in endpoint (path) order; the sort is stable. The list sorts before
        // the get, and a GET before the other methods of the same rank.
        rows.sort_by_key(|r| {
            (
                r.rank,
                r.rank == 0 && r.path.contains('{'),
                r.method != "GET" && r.rank == 0,
            )
        });
        rows.truncate(budget);
        budget -= rows.len();
        groups.push(MethodGroup {
            label,
            anchor,
            open: rows.len().min(METHOD_ROWS_OPEN),
            rows,
            total,
            empty,
        });
    }
    groups
}

/// One cmdlet row.
#[derive(Debug, Clone)]
pub struct CommandRow {
    /// Cmdlet name.
    pub name: String,
    /// Module.
    pub module: String,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// The path cut after each `/`, where it may break.
    pub segments: Vec<String>,
    /// What it does.
    pub title: String,
    /// Learn link.
    pub doc_link: String,
}

/// The cmdlets of one version.
#[derive(Debug, Clone)]
pub struct CommandGroup {
    /// "v1.0" or "beta".
    pub label: String,
    /// Anchor id.
    pub anchor: String,
    /// Rows.
    pub rows: Vec<CommandRow>,
    /// Where the rows come from, for the sentence above the table ("the command map",
    /// "Learn PowerShell snippets"); the loaded sources when there are no rows.
    pub sources: String,
}

/// PowerShell cmdlets a permission allows, per version: those calling one of its
/// endpoints and those whose own permission list names it
/// ([`crate::lookup::permission_cmdlets`], the same reading `which` has).
pub fn command_groups(catalog: &Catalog, info: &SiteInfo, permission: &str) -> Vec<CommandGroup> {
    let all = info.permission_cmdlets(catalog, permission);
    let loaded = &info.command_sources;
    ApiVersion::ALL
        .iter()
        .map(|v| {
            let of_version: Vec<_> = all.iter().filter(|c| c.version == Some(*v)).collect();
            let mut labels: BTreeSet<&'static str> = of_version
                .iter()
                .map(|c| command_source_label(&c.source))
                .collect();
            if labels.is_empty() {
                labels = loaded.clone();
            }
            let mut rows: Vec<CommandRow> = of_version
                .iter()
                .map(|c| CommandRow {
                    name: c.name.clone(),
                    module: c.module.clone(),
                    method: c.method.clone(),
                    path: c.path.clone(),
                    segments: path_segments(&c.path),
                    title: c.title.clone().unwrap_or_default(),
                    doc_link: c
                        .doc_link
                        .clone()
                        .filter(|u| is_web_url(u))
                        .unwrap_or_default(),
                })
                .collect();
            rows.sort_by(|a, b| (&a.name, &a.path).cmp(&(&b.name, &b.path)));
            rows.dedup_by(|a, b| a.name == b.name && a.path == b.path);
            CommandGroup {
                label: v.as_str().to_string(),
                anchor: format!("powershell-{}", v.as_str().replace('.', "")),
                rows,
                sources: labels.into_iter().collect::<Vec<_>>().join(" and "),
            }
        })
        .collect()
}
