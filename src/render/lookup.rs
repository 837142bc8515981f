//! The lookup page: a Graph request or PowerShell cmdlet in, the least privileged
//! permission out. The page is a frame; `lookup.js` answers from the lookup index.

use anyhow::Result;
use askama::Template;

use super::frame::{Site, SiteInfo};
use crate::model::Catalog;

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    site: Site,
    /// Where the cmdlets come from ("the command map"); empty when no source is loaded.
    cmdlet_source: String,
    /// When no cmdlet source is loaded: the files that would bring one.
    cmdlet_sources_missing: Vec<String>,
}

/// The lookup page.
pub fn page(catalog: &Catalog, info: &SiteInfo) -> Result<(String, Vec<u8>)> {
    let cmdlet_sources_missing = crate::lookup::missing_cmdlet_sources(catalog);
    let description = if cmdlet_sources_missing.is_empty() {
        "Paste a Microsoft Graph request or PowerShell cmdlet and get the least privileged permission."
    } else {
        "Paste a Microsoft Graph request and get the least privileged permission."
    };
    let lookup = LookupPage {
        site: info.site(
            "lookup.html",
            "Which permission do I need?".into(),
            description.into(),
        ),
        cmdlet_source: crate::lookup::cmdlet_source_label(catalog).unwrap_or_default(),
        cmdlet_sources_missing,
    };
    Ok(("lookup.html".into(), lookup.render()?.into_bytes()))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    site: Site,
    /// Whether the risk tiers were read.
    risk_tiers_loaded: bool,
}

/// The "Check an app" page: `audit.js` runs the audit from the lookup and audit indexes.
pub fn audit_page(catalog: &Catalog, info: &SiteInfo) -> Result<(String, Vec<u8>)> {
    let page = AuditPage {
        site: info.site(
            "audit.html",
            "Check an app".into(),
            "Paste an app's manifest or grants: every permission resolved with its risk, and what its requests need.".into(),
        ),
        risk_tiers_loaded: catalog.has_tiering(),
    };
    Ok(("audit.html".into(), page.render()?.into_bytes()))
}
