//! The methods pages of a permission that grants more requests than its page lists:
//! every Graph method row, in the page's order, split into parts that stay under the
//! page budget, so each row is reachable on the site and not only in the exports.

use anyhow::{Context, Result};
use askama::Template;

use super::endpoints::{method_groups_up_to, Granted, MethodGroup, METHOD_ROWS_SHOWN};
use crate::model::Permission;
use crate::render::frame::{Site, SiteInfo};
use crate::render::Files;

/// Rows per part: a row is at most about 1.1 KB of HTML (long paths, every account
/// type granted), so a part stays under 250 KB.
pub const ROWS_PER_PART: usize = 200;

/// Path of part `n` (from 1) of a permission's methods pages, relative to the site root.
pub fn methods_file(permission_slug: &str, n: usize) -> String {
    let page = if n <= 1 {
        "index".to_string()
    } else {
        n.to_string()
    };
    format!("permissions/methods/{permission_slug}/{page}.html")
}

/// One part of a permission's methods pages.
#[derive(Template)]
#[template(path = "permission-methods.html")]
struct MethodsPage<'a> {
    site: Site,
    name: &'a str,
    slug: &'a str,
    groups: Vec<MethodGroup>,
    total: usize,
    /// (part number, href relative to the site root, is this part).
    parts: Vec<(usize, String, bool)>,
    /// Numbers of the first and last row on this part, from 1.
    from: usize,
    to: usize,
}

/// The methods pages of a permission, and the link to the first (empty when its page
/// lists every row).
pub fn method_pages(
    catalog: &crate::model::Catalog,
    info: &SiteInfo,
    p: &Permission,
    permission_slug: &str,
    endpoints: &[Granted<'_>],
) -> Result<(String, Files)> {
    let all = method_groups_up_to(catalog, endpoints, p.primary_resource.as_ref(), usize::MAX);
    let total: usize = all.iter().map(|g| g.rows.len()).sum();
    if total <= METHOD_ROWS_SHOWN {
        return Ok((String::new(), Vec::new()));
    }
    // Parts of ROWS_PER_PART rows; a version's rows may continue on the next part.
    let mut parts: Vec<Vec<MethodGroup>> = vec![Vec::new()];
    let mut room = ROWS_PER_PART;
    for group in all.into_iter().filter(|g| !g.rows.is_empty()) {
        let mut rows = group.rows.clone();
        while !rows.is_empty() {
            if room == 0 {
                parts.push(Vec::new());
                room = ROWS_PER_PART;
            }
            let rest = rows.split_off(rows.len().min(room));
            room -= rows.len();
            let mut piece = group.clone();
            piece.open = rows.len();
            piece.rows = rows;
            parts.last_mut().expect("a part").push(piece);
            rows = rest;
        }
    }
    let links: Vec<String> = (1..=parts.len())
        .map(|n| methods_file(permission_slug, n))
        .collect();
    let mut files = Vec::new();
    let mut before = 0;
    for (n, groups) in parts.into_iter().enumerate() {
        let path = &links[n];
        let rows: usize = groups.iter().map(|g| g.rows.len()).sum();
        let page = MethodsPage {
            site: info.site(
                path,
                format!("Graph methods: {}", p.name),
                format!(
                    "Every Microsoft Graph request the permission {} grants, with the least privileged choice per account type.",
                    p.name
                ),
            ),
            name: &p.name,
            slug: permission_slug,
            groups,
            total,
            parts: links
                .iter()
                .enumerate()
                .map(|(i, l)| (i + 1, l.clone(), i == n))
                .collect(),
            from: before + 1,
            to: before + rows,
        };
        before += rows;
        let html = page
            .render()
            .with_context(|| format!("failed to render the methods of {}", p.name))?;
        files.push((path.clone(), html.into_bytes()));
    }
    Ok((links[0].clone(), files))
}
