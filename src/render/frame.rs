//! What every page shares: the frame around its content (title, links back to the
//! root, canonical address, data date), the facts of one build, dates as people write
//! them and the "Sources" lists.

use crate::hash::HashMap;
use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Catalog, Command, Conflict, ForeignId, PermissionType, SourceFile};
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
    /// Where the GUIDs other resource applications give each permission name are in
    /// the catalog's list.
    foreign_ids: HashMap<String, Vec<usize>>,
    /// Commands whose request no permission grants (so no endpoint has it), by each
    /// permission their own list names.
    ungranted_commands: HashMap<String, Vec<usize>>,
    /// Labels of the command sources loaded, sorted.
    pub(crate) command_sources: BTreeSet<&'static str>,
}

impl SiteInfo {
    /// Collects the build-wide facts.
    pub fn new(catalog: &Catalog, base: Option<&str>) -> SiteInfo {
        SiteInfo {
            base: base.map(str::to_string),
            data_date: human_date(catalog.data_date.as_deref()),
            changes: None,
            slugs: Slugs::new(catalog),
            conflicts: positions(
                catalog
                    .conflicts
                    .iter()
                    .map(|c| c.permission.as_deref().unwrap_or_default()),
            ),
            foreign_ids: positions(catalog.foreign_ids.iter().map(|f| f.permission.as_str())),
            ungranted_commands: indexed(
                catalog
                    .commands
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| catalog.endpoint(&c.method, &c.key).is_none())
                    .flat_map(|(i, c)| c.permissions.iter().map(move |p| (i, p.name.as_str()))),
            ),
            command_sources: catalog
                .commands
                .iter()
                .map(|c| crate::sources::docs::command_source_label(&c.source))
                .collect(),
        }
    }

    /// What [`crate::lookup::permission_cmdlets`] gives (the same reading `which` has),
    /// from indexes instead of a scan of every command: the commands of each request
    /// the permission is granted, and those of requests no permission is granted that
    /// name it themselves.
    pub(crate) fn permission_cmdlets<'c>(
        &self,
        catalog: &'c Catalog,
        permission: &'c str,
    ) -> Vec<&'c Command> {
        let granted: BTreeSet<(&str, &str)> = catalog
            .grants_of(permission)
            .map(|g| (g.key.as_str(), g.method.as_str()))
            .collect();
        let mut out: Vec<&Command> = granted
            .iter()
            .flat_map(|(key, method)| catalog.commands_of(method, key))
            .collect();
        let ungranted = self
            .ungranted_commands
            .get(permission)
            .map_or(&[][..], Vec::as_slice);
        out.extend(ungranted.iter().filter_map(|&i| catalog.commands.get(i)));
        // Back in catalog order (address order in the list), then ordered as
        // `permission_cmdlets` orders its own.
        out.sort_unstable_by_key(|c| *c as *const Command as usize);
        crate::lookup::order_cmdlets(&mut out);
        out
    }

    /// What [`Catalog::foreign_ids_of`] gives, without scanning every foreign GUID.
    pub(crate) fn foreign_ids_of<'c>(
        &self,
        catalog: &'c Catalog,
        name: &str,
        kind: PermissionType,
    ) -> impl Iterator<Item = &'c ForeignId> + 'c {
        let at: &[usize] = self.foreign_ids.get(name).map_or(&[], Vec::as_slice);
        let found: Vec<&'c ForeignId> = at
            .iter()
            .filter_map(|&i| catalog.foreign_ids.get(i))
            .filter(|f| f.is_of(kind))
            .collect();
        found.into_iter()
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

/// The positions of a catalog list's entries by permission name (empty names left
/// out), in list order: one pass, so a page asks a map rather than scanning the list.
fn positions<'a>(names: impl Iterator<Item = &'a str>) -> HashMap<String, Vec<usize>> {
    indexed(names.enumerate())
}

/// Positions by permission name from (position, name) pairs, in the given order; a
/// position named twice by one name is kept once.
fn indexed<'a>(pairs: impl Iterator<Item = (usize, &'a str)>) -> HashMap<String, Vec<usize>> {
    let mut by: HashMap<String, Vec<usize>> = HashMap::default();
    for (i, name) in pairs {
        if !name.is_empty() {
            let at = by.entry(name.to_string()).or_default();
            if at.last() != Some(&i) {
                at.push(i);
            }
        }
    }
    by
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_reads_match_the_catalog_wide_scans() {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let catalog = match crate::load(&data) {
            Ok((catalog, _)) => catalog,
            Err(e) => panic!("loading the sample: {e:#}"),
        };
        let info = SiteInfo::new(&catalog, None);
        let mut cmdlets = 0;
        for p in &catalog.permissions {
            let at = |v: Vec<&Command>| {
                v.into_iter()
                    .map(|c| c as *const Command)
                    .collect::<Vec<_>>()
            };
            let ours = info.permission_cmdlets(&catalog, &p.name);
            cmdlets += ours.len();
            assert_eq!(
                at(ours),
                at(crate::lookup::permission_cmdlets(&catalog, &p.name)),
                "{}",
                p.name
            );
            assert!(info
                .conflicts_of(&catalog, &p.name)
                .eq(catalog.conflicts_of(&p.name)));
            for kind in [PermissionType::Delegated, PermissionType::Application] {
                assert!(info
                    .foreign_ids_of(&catalog, &p.name, kind)
                    .eq(catalog.foreign_ids_of(&p.name, kind)));
            }
        }
        assert!(cmdlets > 0, "the sample has cmdlets to compare");
    }
}
