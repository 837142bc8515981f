//! What a permission grants, as its page lists it: the Graph methods per API version
//! and the PowerShell cmdlets that call them.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{ApiVersion, Catalog, Endpoint, Grant, Scheme};
use crate::render::markdown::is_web_url;
use crate::render::resource::returns_text;
use crate::slugs::type_href;
use crate::sources::docs::command_source_label;

/// One row of a "Graph methods" table.
#[derive(Debug, Clone)]
pub struct MethodRow {
    /// In the v1.0 table: whether beta has the endpoint too.
    pub also_beta: bool,
    /// HTTP method.
    pub method: String,
    /// Lower-case method for the CSS class.
    pub method_class: String,
    /// Readable path.
    pub path: String,
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
    /// Rows shown: least-privileged first, then by path.
    pub rows: Vec<MethodRow>,
    /// How many rows there are in all.
    pub total: usize,
    /// Why there are none.
    pub empty: String,
}

/// Most rows a method table shows; the exports hold every one. A few permissions grant
/// thousands of endpoints, and a page should stay quick to load and read.
pub const METHOD_ROWS_SHOWN: usize = 100;

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
pub fn method_groups(catalog: &Catalog, endpoints: &[Granted<'_>]) -> Vec<MethodGroup> {
    let mut groups = Vec::new();
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
            let cells = Scheme::ALL
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
            let returned = e.and_then(|e| e.resource.as_ref());
            let resource = returned.filter(|t| catalog.resource(t.version, &t.type_name).is_some());
            rows.push(MethodRow {
                also_beta: version == Some(ApiVersion::V1_0)
                    && e.is_some_and(|e| e.versions.contains_key(&ApiVersion::Beta)),
                method: first.method.clone(),
                method_class: first.method.to_ascii_lowercase(),
                path: e.map_or(first.path.clone(), |e| e.path.clone()),
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
        rows.sort_by_key(|r| !r.cells.contains(&"least"));
        rows.truncate(METHOD_ROWS_SHOWN);
        groups.push(MethodGroup {
            label,
            anchor,
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
pub fn command_groups(catalog: &Catalog, permission: &str) -> Vec<CommandGroup> {
    let all = crate::lookup::permission_cmdlets(catalog, permission);
    let loaded: BTreeSet<&'static str> = catalog
        .commands
        .iter()
        .map(|c| command_source_label(&c.source))
        .collect();
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
