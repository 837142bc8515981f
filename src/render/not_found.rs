//! The 404 page, which a server shows for any address it has no file for; its script
//! suggests the permissions closest to the address (`site/search.js`).

use anyhow::Result;
use askama::Template;

use super::frame::{Site, SiteInfo};

#[derive(Template)]
#[template(path = "404.html")]
struct NotFoundPage {
    site: Site,
}

/// The 404 page.
pub fn page(info: &SiteInfo) -> Result<(String, Vec<u8>)> {
    let mut not_found = NotFoundPage {
        site: info.site("404.html", "Page not found".into(), "No page here.".into()),
    };
    // The 404 page answers for any address, so its links start at the server's root.
    not_found.site.root = "/".into();
    Ok(("404.html".into(), not_found.render()?.into_bytes()))
}
