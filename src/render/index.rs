//! The index page: every permission by category, with the facts its filters use
//! (types, admin consent, privilege level, API versions, New/Changed badges), with a
//! jump bar to the categories.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use askama::Template;

use super::frame::{Site, SiteInfo};
use super::Files;
use crate::model::{ApiVersion, Catalog, Permission, PermissionType};
use crate::slugs::slug;

/// Where the filters' facts are written, relative to the site root.
pub const FACTS_PATH: &str = "assets/index-facts.js";
/// The global the facts script sets: one string of tokens per item, in page order.
const FACTS_GLOBAL: &str = "PERMCAT_INDEX_FACTS";

/// One permission in the index.
#[derive(Debug, Clone)]
pub struct IndexItem {
    /// The name cut after each dot, so the page can offer a line break there.
    parts: Vec<String>,
    slug: String,
    summary: String,
    /// The filters' tokens (see [`facts`]); kept out of the page, in `assets/index-facts.js`.
    facts: String,
    /// "Delegated only", "Application only", or empty when it has both forms.
    type_note: &'static str,
    /// "User consent" when no form needs admin consent, "Consent unknown" when no
    /// source says, empty when some form needs it (the common case the page states once).
    consent_note: &'static str,
    level: u8,
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

/// A letter of the jump bar and the first category it starts.
#[derive(Debug, Clone)]
pub struct JumpLetter {
    letter: String,
    anchor: String,
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
    /// Whether the azure-tiering source was read, so the risk filter means something.
    tiering: bool,
    letters: Vec<JumpLetter>,
    categories: Vec<IndexCategory>,
}

/// The filters' tokens of a permission, space-separated: `d`/`a` for its delegated and
/// application forms, `ay`/`an` for admin consent required or not by some form, `p1`…
/// for each privilege level, `v1`/`vb` for the API versions its endpoints are in, and
/// with the azure-tiering source `t0`…`t2` for its application form's risk tier, `tu`
/// when not tiered yet, `tn` when not listed.
fn facts(
    kinds: &[PermissionType],
    admin: &BTreeSet<bool>,
    levels: &BTreeSet<u8>,
    versions: Option<&BTreeSet<ApiVersion>>,
    risk: Option<&str>,
) -> String {
    let mut out: Vec<String> = kinds
        .iter()
        .map(|k| match k {
            PermissionType::Delegated => "d".to_string(),
            PermissionType::Application => "a".to_string(),
        })
        .collect();
    out.extend(
        admin
            .iter()
            .map(|b| if *b { "ay" } else { "an" }.to_string()),
    );
    out.extend(levels.iter().map(|l| format!("p{l}")));
    out.extend(versions.into_iter().flatten().map(|v| match v {
        ApiVersion::V1_0 => "v1".to_string(),
        ApiVersion::Beta => "vb".to_string(),
    }));
    out.extend(risk.map(str::to_string));
    out.join(" ")
}

/// The risk token of a permission's application form (see [`facts`]); `None` without
/// the tiering source or an application form.
fn risk_token(catalog: &Catalog, p: &Permission) -> Option<&'static str> {
    if !catalog.has_tiering() {
        return None;
    }
    let app = p.schemes.get(&crate::model::Scheme::Application)?;
    Some(match app.tiering.as_ref().map(|t| t.tier) {
        Some(Some(0)) => "t0",
        Some(Some(1)) => "t1",
        Some(Some(_)) => "t2",
        Some(None) => "tu",
        None => "tn",
    })
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
    let admin: BTreeSet<bool> = p
        .schemes
        .values()
        .filter_map(|s| s.requires_admin_consent)
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
    let mut parts: Vec<String> = p.name.split_inclusive('.').map(str::to_string).collect();
    if parts.is_empty() {
        parts.push(String::new());
    }
    IndexItem {
        parts,
        slug: info.slugs.get(&p.name),
        summary,
        facts: facts(
            &kinds,
            &admin,
            &levels,
            versions_of.get(p.name.as_str()),
            risk_token(catalog, p),
        ),
        type_note: match kinds.as_slice() {
            [PermissionType::Delegated] => "Delegated only",
            [PermissionType::Application] => "Application only",
            _ => "",
        },
        consent_note: if admin.contains(&true) {
            ""
        } else if admin.is_empty() {
            "Consent unknown"
        } else {
            "User consent"
        },
        level: levels.iter().max().copied().unwrap_or(0),
        conflicts: info.conflicts_of(catalog, &p.name).count(),
        change: "",
    }
}

/// The letter a category is listed under in the jump bar: its first letter in upper
/// case, `#` for anything else.
fn letter_of(category: &str) -> String {
    match category.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
        _ => "#".to_string(),
    }
}

/// The index page, every permission by category, and the script that holds the
/// filters' facts of its items in page order (the page itself stays small; the filters
/// need JavaScript anyway).
pub fn page(catalog: &Catalog, info: &SiteInfo) -> Result<Files> {
    let mut versions_of: BTreeMap<&str, BTreeSet<ApiVersion>> = BTreeMap::new();
    for g in &catalog.grants {
        if let Some(e) = catalog.endpoint(&g.method, &g.key) {
            versions_of
                .entry(g.permission.as_str())
                .or_default()
                .extend(e.versions.keys().copied());
        }
    }
    // Case-insensitive order, so `eDiscovery` sits among the other E categories.
    let mut categories: BTreeMap<(String, String), Vec<IndexItem>> = BTreeMap::new();
    for p in &catalog.permissions {
        let name = p.category().to_string();
        categories
            .entry((name.to_lowercase(), name))
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
    let categories: Vec<IndexCategory> = categories
        .into_iter()
        .map(|((_, name), items)| IndexCategory {
            anchor: slug(&name),
            name,
            items,
        })
        .collect();
    let mut letters: Vec<JumpLetter> = Vec::new();
    for c in &categories {
        let letter = letter_of(&c.name);
        if letters.last().map(|l| &l.letter) != Some(&letter) {
            letters.push(JumpLetter {
                letter,
                anchor: c.anchor.clone(),
            });
        }
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
    let facts: Vec<&str> = categories
        .iter()
        .flat_map(|c| c.items.iter().map(|i| i.facts.as_str()))
        .collect();
    let script = crate::search::script(FACTS_GLOBAL, &facts)?;
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
        tiering: catalog.has_tiering(),
        letters,
        categories,
    };
    Ok(vec![
        ("index.html".into(), index.render()?.into_bytes()),
        (FACTS_PATH.into(), script),
    ])
}
