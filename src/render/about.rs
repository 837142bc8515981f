//! The about page: the upstream files behind the catalog with their commits and dates,
//! what this data lacks, counts, the conflicts by kind and the downloads.

use std::collections::BTreeMap;

use anyhow::Result;
use askama::Template;

use super::conflicts::conflict_meaning;
use super::frame::{sources_for, Site, SiteInfo, SourceView};
use crate::export::What;
use crate::model::Catalog;

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    site: Site,
    sources: Vec<SourceView>,
    missing: Vec<(String, String)>,
    counts: Vec<(String, String)>,
    /// (kind, count, meaning, how many only reflect a source's age).
    conflicts: Vec<(String, usize, String, usize)>,
    /// Sources more than a year older than the permission data: (key, age).
    aged: Vec<(String, String)>,
    downloads: Vec<&'static str>,
}

/// The about page.
pub fn page(catalog: &Catalog, info: &SiteInfo) -> Result<(String, Vec<u8>)> {
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &catalog.conflicts {
        let e = by_kind.entry(c.kind.as_str()).or_default();
        e.0 += 1;
        e.1 += usize::from(c.source_age.is_some());
    }
    let about = AboutPage {
        site: info.site(
            "about.html",
            "Data & sources".into(),
            "The upstream files behind this catalog, their commits and dates.".into(),
        ),
        sources: sources_for(catalog, catalog.sources.keys().map(String::as_str)),
        missing: catalog
            .missing
            .iter()
            .map(|m| (m.path.clone(), m.consequence.clone()))
            .collect(),
        counts: vec![
            ("Permissions".into(), catalog.permissions.len().to_string()),
            ("Grants".into(), catalog.grants.len().to_string()),
            ("Endpoints".into(), catalog.endpoints.len().to_string()),
            ("Resources".into(), catalog.resources.len().to_string()),
            (
                "PowerShell cmdlets".into(),
                catalog.commands.len().to_string(),
            ),
            ("Code examples".into(), catalog.snippets.len().to_string()),
            ("Conflicts".into(), catalog.conflicts.len().to_string()),
        ],
        conflicts: by_kind
            .into_iter()
            .map(|(k, (n, aged))| (k.to_string(), n, conflict_meaning(k).to_string(), aged))
            .collect(),
        aged: catalog
            .sources
            .keys()
            .filter_map(|k| catalog.source_age(k).map(|a| (k.clone(), a)))
            .collect(),
        downloads: What::ALL.iter().map(|w| w.as_str()).collect(),
    };
    Ok(("about.html".into(), about.render()?.into_bytes()))
}
