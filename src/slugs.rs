//! Page file names and site paths, shared by the linker (which assigns resource page
//! names once) and every output that links to a page: the site, the search and lookup
//! indexes.

use crate::hash::{HashMap, HashSet};
use std::collections::BTreeMap;

use crate::model::{ApiVersion, Catalog, Resource};

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

/// The page file name ([`slug`]) of every permission, unique even where names differ
/// only in case — upstream has both `Calls.JoinGroupCallAsGuest.All` and
/// `Calls.JoinGroupCallasGuest.All` — or only in characters that [`slug`] replaces. On a
/// case-insensitive file system (macOS, Windows) such pages would overwrite each other,
/// so every name after the first (in catalog order) gets a `-2`, `-3`… suffix.
#[derive(Debug, Clone, Default)]
pub struct Slugs(HashMap<String, String>);

impl Slugs {
    /// Assigns the file names of the catalog's permissions.
    pub fn new(catalog: &Catalog) -> Slugs {
        Slugs::assign(catalog.permissions.iter().map(|p| p.name.as_str()))
    }

    /// Assigns file names to `names` in the given order: each name's [`slug`], or for a
    /// slug taken already (ignoring case) the first free `-2`, `-3`… suffix. Linear in
    /// the number of names however many collide: the search for a free suffix resumes
    /// where the previous name with the same slug stopped, since a suffix taken then is
    /// still taken.
    pub fn assign<'a>(names: impl IntoIterator<Item = &'a str>) -> Slugs {
        let mut taken: HashSet<String> = HashSet::default();
        let mut next: HashMap<String, usize> = HashMap::default();
        let mut map = HashMap::default();
        for name in names {
            let base = slug(name);
            let lower = base.to_ascii_lowercase();
            let candidate = if taken.insert(lower.clone()) {
                base
            } else {
                let n = next.entry(lower).or_insert(2);
                loop {
                    let candidate = format!("{base}-{n}");
                    *n += 1;
                    if taken.insert(candidate.to_ascii_lowercase()) {
                        break candidate;
                    }
                }
            };
            map.insert(name.to_string(), candidate);
        }
        Slugs(map)
    }

    /// The file name of the permission `name`; [`slug`] for a name not in the catalog
    /// (a permission a diff reports as removed has no page anyway).
    pub fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_else(|| slug(name))
    }

    /// Path of the page of the permission `name` relative to the site root.
    pub fn href(&self, name: &str) -> String {
        permission_file(&self.get(name), "html")
    }
}

/// Path of a permission's page (`html`) or export (`json`, `csv`) relative to the site
/// root, from its page file name.
pub fn permission_file(slug: &str, ext: &str) -> String {
    format!("permissions/{slug}.{ext}")
}

/// Path of a resource page relative to the site root.
pub fn resource_href(r: &Resource) -> String {
    let stem = if r.slug.is_empty() {
        slug(&r.type_name)
    } else {
        r.slug.clone()
    };
    format!("resources/{}/{stem}.html", r.version.as_str())
}

/// Path of the page of a resource type, when the catalog has one.
pub fn type_href(catalog: &Catalog, version: ApiVersion, type_name: &str) -> Option<String> {
    catalog.resource(version, type_name).map(resource_href)
}
