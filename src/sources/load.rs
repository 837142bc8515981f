//! Reads every source of a data directory into [`Records`]: the one place that touches
//! the disk, runs the slow readers on their own threads and notes the missing sources.
//!
//! Nothing here merges or interprets: [`crate::link::link`] turns the records into a
//! catalog without any file I/O, so linking can be tested on records built in memory.

use std::thread::ScopedJoinHandle;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::commands::{self, CommandEntry};
use super::csdl::{self, Csdl};
use super::descriptions::{self, DescriptionsDocument};
use super::docs::{self, Docs};
use super::permissions::{self, PermissionsDocument};
use super::provisioning::{self, ProvisioningDocument};
use super::snapshot::{Snapshot, SNAPSHOT_FILE};
use super::tiering::{self, TieringDocument};
use super::typemap::{self, TypeMap};
use super::DataDir;
use crate::model::{ApiVersion, MissingSource};

/// What every source of a data directory holds, as read, before linking.
#[derive(Debug)]
pub struct Records {
    /// `SNAPSHOT.json`: the commit and date each file came from.
    pub snapshot: Option<Snapshot>,
    /// `permissions.json`, the one required source.
    pub permissions: PermissionsDocument,
    /// The English permission descriptions with their GUIDs.
    pub descriptions: Option<DescriptionsDocument>,
    /// The localized descriptions found, as (language, path, document).
    pub localized: Vec<(&'static str, String, DescriptionsDocument)>,
    /// The deployment records.
    pub provisioning: Option<ProvisioningDocument>,
    /// The azure-tiering project's risk tiers.
    pub tiering: Option<TieringDocument>,
    /// The Graph schemas found, as (version, path in the data directory, schema).
    pub schemas: Vec<(ApiVersion, String, Csdl)>,
    /// The Learn docs.
    pub docs: Option<Docs>,
    /// The PowerShell SDK's command map.
    pub commands: Option<Vec<CommandEntry>>,
    /// The type maps found, as (version, files read, map).
    pub typemaps: Vec<(ApiVersion, Vec<String>, TypeMap)>,
    /// Sources that are absent, with what the catalog lacks without them, in reading order.
    pub missing: Vec<MissingSource>,
    /// Files skipped while reading (not regular, outside the directory, too large), with
    /// how often.
    pub skipped: Vec<(String, usize)>,
    /// Named reading steps with their wall time, in order.
    pub steps: Vec<(String, Duration)>,
}

impl Records {
    /// Records holding `permissions` and nothing else, as if every optional source
    /// were absent.
    pub fn new(snapshot: Option<Snapshot>, permissions: PermissionsDocument) -> Self {
        Records {
            snapshot,
            permissions,
            descriptions: None,
            localized: Vec::new(),
            provisioning: None,
            tiering: None,
            schemas: Vec::new(),
            docs: None,
            commands: None,
            typemaps: Vec::new(),
            missing: Vec::new(),
            skipped: Vec::new(),
            steps: Vec::new(),
        }
    }

    fn missing(&mut self, path: &str, consequence: &str) {
        self.missing.push(MissingSource {
            path: path.to_string(),
            consequence: consequence.to_string(),
        });
    }
}

/// Times the reading steps.
struct Laps {
    start: Instant,
    steps: Vec<(String, Duration)>,
}

impl Laps {
    fn new() -> Self {
        Laps {
            start: Instant::now(),
            steps: Vec::new(),
        }
    }

    fn lap(&mut self, name: &str) {
        let now = Instant::now();
        self.steps.push((format!("read {name}"), now - self.start));
        self.start = now;
    }
}

/// The result of a reader thread; a panic in it becomes an error.
fn joined<T>(handle: ScopedJoinHandle<'_, Result<T>>, what: &str) -> Result<T> {
    handle
        .join()
        .map_err(|_| anyhow::anyhow!("reading the {what} failed unexpectedly"))?
}

/// A path relative to the data directory, with `/` separators.
fn relative(dir: &DataDir, path: &std::path::Path) -> String {
    let rel = path.strip_prefix(dir.root()).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads every source of `dir`. The docs and the schemas, the slowest sources, are read
/// on their own threads while the permission files are read; errors are reported in
/// the same order whatever the threads' timing: the permission files first, then the
/// schemas, the docs, the command map and the type maps.
pub fn load(dir: &DataDir) -> Result<Records> {
    load_and(dir, |_| ()).map(|(records, ())| records)
}

/// [`load`], calling `early` on this thread with the records of the permission files
/// (permissions.json, the descriptions, the deployment records) as soon as they are
/// read, while the schemas and the docs are still being read on other threads: what
/// it does with them overlaps the slowest reading. `early` may take what it uses out
/// of the records; the records returned hold the rest.
pub fn load_and<T>(dir: &DataDir, early: impl FnOnce(&mut Records) -> T) -> Result<(Records, T)> {
    std::thread::scope(|scope| {
        let docs = scope.spawn(|| docs::load(dir));
        let schemas = scope.spawn(|| {
            ApiVersion::ALL
                .into_iter()
                .map(|v| csdl::load(dir, v).map(|found| (v, found)))
                .collect::<Result<Vec<_>>>()
        });
        read_all(dir, docs, schemas, early)
    })
}

type CsdlFound = Vec<(ApiVersion, Option<(std::path::PathBuf, Csdl)>)>;

fn read_all<T>(
    dir: &DataDir,
    docs_job: ScopedJoinHandle<'_, Result<Option<Docs>>>,
    schemas_job: ScopedJoinHandle<'_, Result<CsdlFound>>,
    early: impl FnOnce(&mut Records) -> T,
) -> Result<(Records, T)> {
    let mut laps = Laps::new();
    let snapshot = Snapshot::load(dir)?;
    let mut records = Records::new(snapshot, permissions::load(dir)?);
    if records.snapshot.is_none() {
        records.missing(
            SNAPSHOT_FILE,
            "dates and upstream commits of the data are unknown",
        );
    }
    laps.lap("permissions");

    records.descriptions = descriptions::load(dir)?;
    if records.descriptions.is_none() {
        records.missing(
            descriptions::PATH,
            "permission GUIDs and the descriptions' consent texts are unavailable",
        );
    }
    let mut languages_missing = Vec::new();
    for lang in descriptions::LANGUAGES {
        match descriptions::load_localized(dir, lang)? {
            Some(doc) => records
                .localized
                .push((lang, descriptions::localized_path(lang), doc)),
            None => languages_missing.push(lang),
        }
    }
    if !languages_missing.is_empty() {
        records.missing(
            &descriptions::localized_path("<lang>"),
            &format!("no texts in {}", languages_missing.join(", ")),
        );
    }
    records.provisioning = provisioning::load(dir)?;
    if records.provisioning.is_none() {
        records.missing(
            provisioning::PATH,
            "deployment environments and hidden flags are unavailable",
        );
    }
    records.tiering = tiering::load(dir)?;
    if records.tiering.is_none() {
        records.missing(
            tiering::TIERED,
            "no risk tiers of application permissions (`permcat sync` fetches them)",
        );
    }
    laps.lap("descriptions and provisioning");
    let early = early(&mut records);
    // What `early` did is timed by its own steps, not as the wait for the schemas.
    laps.start = Instant::now();

    for (version, found) in joined(schemas_job, "schemas")? {
        match found {
            Some((path, doc)) => records.schemas.push((version, relative(dir, &path), doc)),
            None => records.missing(
                csdl::metadata_dir(version),
                &format!("{version} endpoints cannot be resolved to resource types"),
            ),
        }
    }
    laps.lap("csdl");
    records.docs = joined(docs_job, "docs")?;
    if records.docs.is_none() {
        records.missing(
            docs::ROOTS[1],
            "no titles, Learn links, code examples or docs permission tables",
        );
    }
    laps.lap("docs");
    records.commands = commands::load(dir)?;
    if records.commands.is_none() {
        records.missing(commands::PATH, "no PowerShell cmdlets");
    }
    laps.lap("command map");
    for version in ApiVersion::ALL {
        if let Some((files, map)) = typemap::load(dir, version)? {
            records.typemaps.push((version, files, map));
        }
    }
    laps.lap("type maps");
    records.skipped = dir.skipped();
    records.steps = laps.steps;
    Ok((records, early))
}
