//! The lookup page: a Graph request or PowerShell cmdlet in, the least privileged
//! permission out. The page is a frame; `lookup.js` answers from the lookup index.

use anyhow::Result;
use askama::Template;

use super::frame::{Site, SiteInfo};

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    site: Site,
}

/// The lookup page.
pub fn page(info: &SiteInfo) -> Result<(String, Vec<u8>)> {
    let lookup = LookupPage {
        site: info.site(
            "lookup.html",
            "Which permission do I need?".into(),
            "Paste a Microsoft Graph request or PowerShell cmdlet and get the least privileged permission.".into(),
        ),
    };
    Ok(("lookup.html".into(), lookup.render()?.into_bytes()))
}
