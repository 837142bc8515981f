//! Page file names shared by the linker (which assigns resource page names once) and
//! every output that links to a page: the site, the search and lookup indexes.

use std::collections::BTreeMap;

use crate::model::{ApiVersion, Resource};

/// Longest file-name stem a slug keeps before it is shortened with a hash: file
/// systems allow 255 bytes, and `-2.html` suffixes must still fit.
pub const SLUG_MAX: usize = 120;

/// The first eight hex digits of the SHA-256 of `text`: a short, stable disambiguator.
pub fn short_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// File name of a page, JSON or CSV, without extension: ASCII letters, digits, `.`, `-`
/// and `_` kept (upstream names use only those), everything else `_`, so a name cannot
/// leave its folder; a name longer than [`SLUG_MAX`] is cut and given a hash of the
/// whole name, so two long names sharing a prefix still get two files.
pub fn slug(name: &str) -> String {
    let s = plain_slug(name);
    if s.len() <= SLUG_MAX {
        return s;
    }
    format!("{}-{}", &s[..SLUG_MAX - 9], short_hash(name))
}

fn plain_slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match s.trim_start_matches('.') {
        "" => "_".to_string(),
        t => t.to_string(),
    }
}

/// Gives every resource a page name unique per version, ignoring case: types whose
/// slugs differ only in case (or collide after shortening) each get a hash of their
/// exact name, so no page overwrites another on any file system.
pub fn assign_resource_slugs(resources: &mut [Resource]) {
    let mut count: BTreeMap<(ApiVersion, String), usize> = BTreeMap::new();
    for r in resources.iter() {
        *count
            .entry((r.version, slug(&r.type_name).to_ascii_lowercase()))
            .or_default() += 1;
    }
    for r in resources.iter_mut() {
        let base = slug(&r.type_name);
        r.slug = if count[&(r.version, base.to_ascii_lowercase())] > 1 {
            format!("{base}-{}", short_hash(&r.type_name))
        } else {
            base
        };
    }
}
