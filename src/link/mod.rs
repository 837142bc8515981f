//! Merges the records of every source into one [`Catalog`], keeping each disagreement
//! between sources as a [`Conflict`] instead of silently picking one side.

pub mod path;
mod permissions;
pub mod resolve;

use std::collections::BTreeMap;

use anyhow::Result;

use crate::model::{permission_order, Catalog, Conflict, MissingSource, Permission, SourceFile};
use crate::sources::snapshot::Snapshot;
use crate::sources::{descriptions, provisioning, DataDir};

/// Counts of what was read, for `permcat check`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Lines of (source key, what, count), in reading order.
    pub counts: Vec<(String, String, usize)>,
    /// Things skipped while reading, with how often.
    pub warnings: BTreeMap<String, usize>,
}

impl LoadReport {
    fn count(&mut self, source: &str, what: &str, n: usize) {
        self.counts.push((source.to_string(), what.to_string(), n));
    }

    fn warn(&mut self, what: impl Into<String>) {
        *self.warnings.entry(what.into()).or_default() += 1;
    }
}

/// Loads every source of a data directory and links them into a catalog.
pub fn load(dir: &DataDir) -> Result<(Catalog, LoadReport)> {
    let mut report = LoadReport::default();
    let snapshot = Snapshot::load(dir)?;
    let mut ctx = Linker {
        catalog: Catalog::default(),
        permissions: BTreeMap::new(),
        snapshot: snapshot.clone().unwrap_or_default(),
        report: &mut report,
    };
    if snapshot.is_none() {
        ctx.missing(
            crate::sources::snapshot::SNAPSHOT_FILE,
            "dates and upstream commits of the data are unknown",
        );
    }

    let doc = crate::sources::permissions::load(dir)?;
    ctx.catalog.data_date = ctx
        .snapshot
        .find(crate::sources::permissions::PATH)
        .and_then(|s| s.date.clone());
    ctx.add_permissions(doc);

    match descriptions::load(dir)? {
        Some(doc) => ctx.add_descriptions(doc),
        None => ctx.missing(
            descriptions::PATH,
            "permission GUIDs and the descriptions' consent texts are unavailable",
        ),
    }
    let mut languages_missing = Vec::new();
    for lang in descriptions::LANGUAGES {
        let path = descriptions::localized_path(lang);
        match descriptions::load_localized(dir, lang)? {
            Some(doc) => ctx.add_localized(lang, &path, doc),
            None => languages_missing.push(lang),
        }
    }
    if !languages_missing.is_empty() {
        ctx.missing(
            &descriptions::localized_path("<lang>"),
            &format!("no texts in {}", languages_missing.join(", ")),
        );
    }
    match provisioning::load(dir)? {
        Some(doc) => ctx.add_provisioning(doc),
        None => ctx.missing(
            provisioning::PATH,
            "deployment environments and hidden flags are unavailable",
        ),
    }

    ctx.report_missing_ids();

    let mut catalog = ctx.catalog;
    catalog.permissions = ctx.permissions.into_values().collect();
    catalog.finish();
    Ok((catalog, report))
}

impl Catalog {
    /// Puts every collection in its canonical order, so output is deterministic.
    fn finish(&mut self) {
        self.permissions
            .sort_by(|a, b| permission_order(&a.name, &b.name));
        self.grants.sort_by(|a, b| {
            permission_order(&a.permission, &b.permission)
                .then_with(|| a.method.cmp(&b.method))
                .then_with(|| {
                    a.path
                        .to_ascii_lowercase()
                        .cmp(&b.path.to_ascii_lowercase())
                })
                .then_with(|| a.cmp(b))
        });
        self.grants.dedup();
        for c in &mut self.conflicts {
            c.sides.sort();
        }
        self.conflicts.sort();
        self.conflicts.dedup();
        self.missing.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// State while linking.
struct Linker<'r> {
    catalog: Catalog,
    /// Permissions by exact name while they are being merged.
    permissions: BTreeMap<String, Permission>,
    snapshot: Snapshot,
    report: &'r mut LoadReport,
}

impl Linker<'_> {
    /// Registers a source file under `key` and returns the key.
    fn source(&mut self, key: &str, path: &str) -> String {
        let entry = self.snapshot.find(path);
        self.catalog.sources.insert(
            key.to_string(),
            SourceFile {
                key: key.to_string(),
                path: path.to_string(),
                repo: entry.and_then(|e| e.repo.clone()),
                commit: entry.and_then(|e| e.commit.clone()),
                date: entry.and_then(|e| e.date.clone()),
            },
        );
        key.to_string()
    }

    fn missing(&mut self, path: &str, consequence: &str) {
        self.catalog.missing.push(MissingSource {
            path: path.to_string(),
            consequence: consequence.to_string(),
        });
    }

    fn conflict(&mut self, conflict: Conflict) {
        self.catalog.conflicts.push(conflict);
    }
}
