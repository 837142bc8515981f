//! The index page: every permission by category, with the facts its filters use
//! (types, admin consent, privilege level, API versions, New/Changed badges).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use askama::Template;

use super::frame::{Site, SiteInfo};
use crate::model::{ApiVersion, Catalog, Permission, PermissionType};
use crate::slugs::slug;

/// One permission in the index.
#[derive(Debug, Clone)]
pub struct IndexItem {
    name: String,
    slug: String,
    summary: String,
    types: String,
    type_text: String,
    admin: String,
    admin_badge: bool,
    privilege: String,
    level: u8,
    versions: String,
    conflicts: usize,
    /// `new`, `changed` or empty: the badge when the site was built with --previous.
    change: &'static str,
}

/// One category of the index.
#[derive(Debug, Clone)]
pub struct IndexCategory {
    name: String,
    anchor: String,
    items: Vec<IndexItem>,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    site: Site,
    total: usize,
    delegated: usize,
    application: usize,
    admin: usize,
    levels: Vec<u8>,
    categories: Vec<IndexCategory>,
}

fn index_item(
    catalog: &Catalog,
    info: &SiteInfo,
    p: &Permission,
    versions_of: &BTreeMap<&str, BTreeSet<ApiVersion>>,
) -> IndexItem {
    let kinds: Vec<PermissionType> = [PermissionType::Delegated, PermissionType::Application]
        .into_iter()
        .filter(|k| p.schemes_of(*k).next().is_some())
        .collect();
    let admin: BTreeSet<&str> = p
        .schemes
        .values()
        .filter_map(|s| s.requires_admin_consent)
        .map(|b| if b { "yes" } else { "no" })
        .collect();
    let levels: BTreeSet<u8> = p
        .schemes
        .values()
        .filter_map(|s| s.privilege_level)
        .collect();
    let summary = p
        .schemes
        .values()
        .find_map(|s| s.admin_display_name.clone())
        .unwrap_or_default();
    IndexItem {
        name: p.name.clone(),
        slug: info.slugs.get(&p.name),
        summary,
        types: kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        type_text: kinds
            .iter()
            .map(|k| match k {
                PermissionType::Delegated => "Delegated",
                PermissionType::Application => "Application",
            })
            .collect::<Vec<_>>()
            .join(" · "),
        admin: admin.iter().copied().collect::<Vec<_>>().join(" "),
        admin_badge: admin.contains("yes"),
        privilege: levels
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(" "),
        level: levels.iter().max().copied().unwrap_or(0),
        versions: versions_of
            .get(p.name.as_str())
            .map(|v| v.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        conflicts: catalog.conflicts_of(&p.name).count(),
        change: "",
    }
}
/// The index page: every permission by category, with the filters' facts.
pub fn page(catalog: &Catalog, info: &SiteInfo) -> Result<(String, Vec<u8>)> {
    let mut versions_of: BTreeMap<&str, BTreeSet<ApiVersion>> = BTreeMap::new();
    for g in &catalog.grants {
        if let Some(e) = catalog.endpoint(&g.method, &g.key) {
            versions_of
                .entry(g.permission.as_str())
                .or_default()
                .extend(e.versions.keys().copied());
        }
    }
    let mut categories: BTreeMap<String, Vec<IndexItem>> = BTreeMap::new();
    for p in &catalog.permissions {
        categories
            .entry(p.category().to_string())
            .or_default()
            .push(IndexItem {
                change: info
                    .changes
                    .as_ref()
                    .and_then(|c| c.get(&p.name).copied())
                    .unwrap_or(""),
                ..index_item(catalog, info, p, &versions_of)
            });
    }
    let count = |k: PermissionType| {
        catalog
            .permissions
            .iter()
            .filter(|p| p.schemes_of(k).next().is_some())
            .count()
    };
    let mut levels: BTreeSet<u8> = BTreeSet::new();
    for p in &catalog.permissions {
        levels.extend(p.schemes.values().filter_map(|s| s.privilege_level));
    }
    let index = IndexPage {
        site: info.site(
            "index.html",
            "Microsoft Graph permissions".into(),
            "Every Microsoft Graph permission: what it lets an app do, which endpoints it grants, and where Microsoft's sources disagree.".into(),
        ),
        total: catalog.permissions.len(),
        delegated: count(PermissionType::Delegated),
        application: count(PermissionType::Application),
        admin: catalog
            .permissions
            .iter()
            .filter(|p| p.schemes.values().any(|s| s.requires_admin_consent == Some(true)))
            .count(),
        levels: levels.into_iter().collect(),
        categories: categories
            .into_iter()
            .map(|(name, items)| IndexCategory {
                anchor: slug(&name),
                name,
                items,
            })
            .collect(),
    };
    Ok(("index.html".into(), index.render()?.into_bytes()))
}
