//! The site's search index: every permission, endpoint, cmdlet and resource. `build`
//! gathers them; `shards` lays them out as the scripts the browser loads (a small first
//! script, the bulky parts on demand). The format is documented in
//! `docs/search-index.md`.

pub mod shards;
mod words;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{Catalog, PermissionType};
use crate::text::visible;

/// Version of the gathered index (the shipped files have `shards::FORMAT_VERSION`).
pub const INDEX_VERSION: u32 = 1;

/// The global the index script assigns.
pub const GLOBAL: &str = "PERMCAT_SEARCH";

/// The search index.
#[derive(Debug, Serialize)]
pub struct SearchIndex {
    /// Format version.
    pub v: u32,
    /// `[name, display name, description (first sentence or 200 characters), page slug
    /// when it differs from the name, type flags: 1 delegated + 2 application]`.
    pub permissions: Vec<(String, String, String, Option<String>, u8)>,
    /// `[method, path as shown, least-privileged permissions (any scheme)]`.
    pub endpoints: Vec<(String, String, Vec<String>)>,
    /// `[cmdlet, method, path, version]`.
    pub cmdlets: Vec<(String, String, String, String)>,
    /// When no cmdlet source is loaded, what to tell a search for a cmdlet; `""`
    /// otherwise.
    pub cmdlets_missing: String,
    /// `[short name, full name, version, page path]`.
    pub resources: Vec<(String, String, String, String)>,
    /// `[GUID, index into permissions, 1 delegated scope / 2 application role]`, sorted
    /// by GUID: the ids auditors read in app manifests and sign-in logs.
    pub ids: Vec<(String, usize, u8)>,
}

/// The first sentence of a description, cut at 200 characters.
fn snippet(text: &str) -> String {
    let first = match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    };
    if first.chars().count() <= 200 {
        first.trim().to_string()
    } else {
        let cut: String = first.chars().take(199).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Builds the index from a catalog.
pub fn build(catalog: &Catalog) -> SearchIndex {
    let slugs = crate::slugs::Slugs::new(catalog);
    let permissions = catalog
        .permissions
        .iter()
        .map(|p| {
            let display = p
                .schemes
                .values()
                .find_map(|s| s.admin_display_name.clone())
                .unwrap_or_default();
            let description = p
                .schemes
                .values()
                .find_map(|s| s.admin_description.as_deref())
                .map(snippet)
                .unwrap_or_default();
            let slug = slugs.get(&p.name);
            let flags = u8::from(p.schemes_of(PermissionType::Delegated).next().is_some())
                + 2 * u8::from(p.schemes_of(PermissionType::Application).next().is_some());
            // Results show these as text: controls and overrides become visible escapes.
            (
                visible(&p.name).into_owned(),
                visible(&display).into_owned(),
                visible(&description).into_owned(),
                (slug != p.name).then_some(slug),
                flags,
            )
        })
        .collect();
    let mut least_of: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for g in catalog.grants.iter().filter(|g| g.least_privileged) {
        least_of
            .entry((g.key.as_str(), g.method.as_str()))
            .or_default()
            .insert(g.permission.as_str());
    }
    let endpoints = catalog
        .endpoints
        .iter()
        .map(|e| {
            let least = least_of
                .get(&(e.key.as_str(), e.method.as_str()))
                .cloned()
                .unwrap_or_default();
            (
                e.method.clone(),
                e.path.clone(),
                least.into_iter().map(str::to_string).collect(),
            )
        })
        .collect();
    let mut cmdlets: Vec<(String, String, String, String)> = catalog
        .commands
        .iter()
        .map(|c| {
            (
                visible(&c.name).into_owned(),
                visible(&c.method).into_owned(),
                visible(&c.path).into_owned(),
                c.version
                    .map(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    cmdlets.dedup();
    let resources = catalog
        .resources
        .iter()
        .map(|r| {
            (
                r.type_name
                    .rsplit('.')
                    .next()
                    .unwrap_or(&r.type_name)
                    .to_string(),
                r.type_name.clone(),
                r.version.as_str().to_string(),
                crate::slugs::resource_href(r),
            )
        })
        .collect();
    let mut ids: Vec<(String, usize, u8)> = catalog
        .permissions
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            [PermissionType::Delegated, PermissionType::Application]
                .into_iter()
                .filter_map(move |kind| {
                    let flag = if kind == PermissionType::Delegated {
                        1
                    } else {
                        2
                    };
                    p.id_of(kind).map(|id| (visible(id).into_owned(), i, flag))
                })
        })
        .collect();
    ids.sort();
    ids.dedup();
    SearchIndex {
        v: INDEX_VERSION,
        ids,
        permissions,
        endpoints,
        cmdlets,
        cmdlets_missing: cmdlets_missing(catalog),
        resources,
    }
}

/// The note a cmdlet search gets when no cmdlet source is loaded.
fn cmdlets_missing(catalog: &Catalog) -> String {
    let files = crate::lookup::missing_cmdlet_sources(catalog);
    if files.is_empty() {
        return String::new();
    }
    let files: Vec<String> = files.iter().map(|f| visible(f).into_owned()).collect();
    format!(
        "No cmdlet source is loaded, so no cmdlet can be found: {} would bring them.",
        files.join(" or ")
    )
}

/// The files of the site's search, relative path → bytes, for `build` to write: scripts
/// (not JSON), so they load from disk (file://) as well as from a server.
pub fn site_files(catalog: &Catalog) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    shards::files(&build(catalog))
}

/// `window.NAME = <json>;` with `<` escaped so no text can close a script element.
pub fn script<T: Serialize>(global: &str, value: &T) -> anyhow::Result<Vec<u8>> {
    let json = serde_json::to_string(value)?.replace('<', "\\u003c");
    Ok(format!("window.{global}={json};\n").into_bytes())
}
