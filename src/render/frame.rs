//! What every page shares: the frame around its content (title, links back to the
//! root, canonical address, data date), the facts of one build, dates as people write
//! them and the "Sources" lists.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{Catalog, Conflict, SourceFile};
use crate::slugs::Slugs;

/// What every page's frame shows.
#[derive(Debug, Clone)]
pub struct Site {
    /// Relative path from the page to the site root: `""`, `"../"` or `"../../"`.
    pub root: String,
    /// Page title.
    pub title: String,
    /// Absolute canonical URL, or empty.
    pub canonical: String,
    /// Meta description.
    pub description: String,
    /// "Permission data" date for people.
    pub data_date: String,
    /// Whether the site has a "What changed" page to link from the navigation.
    pub has_changes: bool,
}

/// Facts shared by every page of one build.
pub struct SiteInfo {
    base: Option<String>,
    data_date: String,
    /// Index badge per permission ("new" or "changed") when built with a previous
    /// catalog; `None` without one.
    pub(crate) changes: Option<BTreeMap<String, &'static str>>,
    /// The page file name of every permission.
    pub(crate) slugs: Slugs,
    /// Where each permission's conflicts are in the catalog's list.
    conflicts: HashMap<String, Vec<usize>>,
}

impl SiteInfo {
    /// Collects the build-wide facts.
    pub fn new(catalog: &Catalog, base: Option<&str>) -> SiteInfo {
        SiteInfo {
            base: base.map(str::to_string),
            data_date: human_date(catalog.data_date.as_deref()),
            changes: None,
            slugs: Slugs::new(catalog),
            conflicts: catalog.conflict_positions(),
        }
    }

    /// The conflicts that concern one permission, in catalog order: what
    /// [`Catalog::conflicts_of`] gives, without scanning every conflict.
    pub(crate) fn conflicts_of<'c>(
        &self,
        catalog: &'c Catalog,
        name: &str,
    ) -> impl Iterator<Item = &'c Conflict> + 'c {
        let at: &[usize] = self.conflicts.get(name).map_or(&[], Vec::as_slice);
        let found: Vec<&'c Conflict> = at
            .iter()
            .filter_map(|&i| catalog.conflicts.get(i))
            .collect();
        found.into_iter()
    }

    /// Public address of the site without a trailing slash, when given.
    pub(crate) fn base(&self) -> Option<&str> {
        self.base.as_deref()
    }

    pub(crate) fn site(&self, path: &str, title: String, description: String) -> Site {
        let depth = path.matches('/').count();
        Site {
            root: "../".repeat(depth),
            title,
            canonical: self
                .base
                .as_deref()
                .map(|b| format!("{b}/{path}"))
                .unwrap_or_default(),
            description,
            data_date: self.data_date.clone(),
            has_changes: self.changes.is_some(),
        }
    }
}

/// A date as people write it: `2026-08-07` → `August 7, 2026`; other text unchanged.
pub fn human_date(date: Option<&str>) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let Some(d) = date else {
        return "date unknown".to_string();
    };
    let parts: Vec<&str> = d.get(..10).unwrap_or(d).split('-').collect();
    if let [y, m, day] = parts.as_slice() {
        if let (Ok(m), Ok(day)) = (m.parse::<usize>(), day.parse::<u32>()) {
            if (1..=12).contains(&m) && y.len() == 4 {
                return format!("{} {day}, {y}", MONTHS[m - 1]);
            }
        }
    }
    d.to_string()
}

/// A source file as shown in "Sources" lists.
#[derive(Debug, Clone)]
pub struct SourceView {
    /// Key other records use.
    pub key: String,
    /// Path in the data directory.
    pub path: String,
    /// `owner/name` or empty.
    pub repo: String,
    /// Short commit or empty.
    pub commit: String,
    /// Date or "date unknown".
    pub date: String,
    /// When the file is more than a year older than the permission data, how much.
    pub age: String,
}

impl SourceView {
    fn new(s: &SourceFile) -> SourceView {
        SourceView {
            key: s.key.clone(),
            path: s.path.clone(),
            repo: s.repo.clone().unwrap_or_default(),
            commit: s
                .commit
                .as_deref()
                .map(|c| c.chars().take(8).collect())
                .unwrap_or_default(),
            date: s.date.clone().unwrap_or_else(|| "date unknown".into()),
            age: String::new(),
        }
    }
}

/// Source views for a set of keys, in key order; unknown keys are skipped.
pub fn sources_for<'a>(
    catalog: &Catalog,
    keys: impl IntoIterator<Item = &'a str>,
) -> Vec<SourceView> {
    let keys: BTreeSet<&str> = keys.into_iter().collect();
    keys.into_iter()
        .filter_map(|k| catalog.sources.get(k))
        .map(|s| SourceView {
            age: catalog.source_age(&s.key).unwrap_or_default(),
            ..SourceView::new(s)
        })
        .collect()
}
