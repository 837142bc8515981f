//! `permcat sync`: downloads the upstream files every source declares into a data
//! directory laid out like the upstream repositories, validates every file with permcat's
//! own parsers, and swaps the new set in atomically with a fresh `SNAPSHOT.json`.
//!
//! Nothing in the destination changes until every file has been downloaded and parsed;
//! any failure leaves the old directory exactly as it was. With `docs`, the Learn docs
//! are cloned or updated with git in the same staging directory and validated too (see
//! [`docs`](self::docs)); a failure there keeps the old docs and fails the sync, but
//! does not hold back the other files.

mod docs;
mod download;
mod git;
mod snapshot;
mod swap;
mod time;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::sources::upstream::{repos, Measure, Upstream};
use crate::sources::{parse_json, snapshot::SNAPSHOT_FILE, upstream_files};
use download::{agent, download, origin, Limits};
use swap::{create_staging, list_tree, swap_in, Kind};

pub use docs::{
    short, DocsHow, DocsSynced, Problems, DEFAULT_DOCS_MAX_BYTES, DOCS_BRANCH, DOCS_FOLDER,
    DOCS_REPO, DOCS_REPO_URL, SPARSE_DIRS,
};
pub use download::hex_sha256;
pub use git::{interrupt, MIN_GIT};
pub use time::rfc3339;

/// Where the upstream repositories are read from unless `--base-url` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://raw.githubusercontent.com";

/// Largest response accepted for one file. The biggest upstream file (the command map)
/// is about 21 MB; the cap only stops a runaway or hostile response from filling memory.
pub const MAX_BYTES: u64 = 200 * 1024 * 1024;

/// `name` of the bundled hand-written sample's `SNAPSHOT.json`; sync refuses to replace
/// that directory without `force`.
pub const SAMPLE_NAME: &str = "permcat sample";

/// `name` written into the `SNAPSHOT.json` of a synced directory.
pub const SYNC_NAME: &str = "permcat sync";

/// Default bound on one file's whole transfer (connect, headers and body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Default bound on the whole run.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(1800);

/// A new `permissions.json` may lose at most this share of the old one's permissions
/// (1/10) without `allow_shrink`.
pub const MAX_DROP_DIVISOR: usize = 10;

/// Folders of the Learn docs: a directory holding them is a data directory. Sync keeps
/// them as they are, except the clone it manages itself with `docs`.
const DOCS_FOLDERS: [&str; 2] = ["microsoft-graph-docs", DOCS_FOLDER];

/// Top-level folders that mark a directory as a data directory in the upstream layout.
fn data_folders(files: &[Upstream]) -> Vec<&'static str> {
    let fetched = repos(files).into_iter().map(|r| r.folder);
    fetched.chain(DOCS_FOLDERS).collect()
}

/// Settings of one sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Data directory to create or replace. A symbolic link is followed and its target
    /// replaced; the link itself stays.
    pub dest: PathBuf,
    /// Base of the download addresses.
    pub base_url: String,
    /// Bound on each file's whole transfer, per attempt.
    pub timeout: Duration,
    /// Bound on the whole run, retries included.
    pub deadline: Duration,
    /// Further attempts after a connection error, timeout or 5xx answer.
    pub retries: u32,
    /// Largest file accepted, enforced while the body streams in.
    pub max_bytes: u64,
    /// Accept a new set that lost files' contents or permissions (see [`sync`]).
    pub allow_shrink: bool,
    /// Hosts (`host` or `host:port`) a redirect may lead to besides the base URL's own.
    pub allow_redirect_hosts: Vec<String>,
    /// Download and validate only; change nothing.
    pub dry_run: bool,
    /// Replace a directory whose `SNAPSHOT.json` names it the bundled sample.
    pub force: bool,
    /// Download the files every source declares (off: only the docs, with `docs`).
    pub files: bool,
    /// Clone or update the Learn docs with git into [`DOCS_FOLDER`].
    pub docs: bool,
    /// The docs repository's address, for git.
    pub docs_repo: String,
    /// Largest size of the docs clone, working tree and `.git` together.
    pub docs_max_bytes: u64,
}

impl SyncOptions {
    /// Options with the defaults of the command line.
    pub fn new(dest: impl Into<PathBuf>, base_url: impl Into<String>) -> SyncOptions {
        SyncOptions {
            dest: dest.into(),
            base_url: base_url.into(),
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            retries: 2,
            max_bytes: MAX_BYTES,
            allow_shrink: false,
            allow_redirect_hosts: Vec::new(),
            dry_run: false,
            force: false,
            files: true,
            docs: false,
            docs_repo: DOCS_REPO_URL.to_string(),
            docs_max_bytes: DEFAULT_DOCS_MAX_BYTES,
        }
    }
}

/// Something the caller may want to show while a sync runs.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A file was downloaded and parsed.
    Fetched {
        /// 1-based position in the manifest.
        index: usize,
        /// Number of files in the manifest.
        total: usize,
        /// The file.
        file: &'a Upstream,
        /// Its size.
        bytes: u64,
    },
    /// An optional file answered 404.
    Missing {
        /// 1-based position in the manifest.
        index: usize,
        /// Number of files in the manifest.
        total: usize,
        /// The file.
        file: &'a Upstream,
    },
    /// An attempt failed and will be repeated.
    Retry {
        /// Address that failed.
        url: &'a str,
        /// Attempt that failed (1-based).
        attempt: u32,
        /// Why.
        error: String,
    },
    /// The docs step began something (cloning, fetching, checking out, reading).
    DocsStep {
        /// What, in a few words.
        step: &'a str,
    },
    /// A progress or message line of git (untrusted text).
    DocsProgress {
        /// The line, without its line end.
        line: &'a str,
    },
}

/// How a downloaded file compares with the destination's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// The destination had no such file.
    Added,
    /// The destination's copy differs.
    Changed,
    /// Byte-identical to the destination's copy.
    Unchanged,
}

impl Change {
    /// Lower-case label.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One downloaded file.
#[derive(Debug, Clone)]
pub struct FetchedFile {
    /// Path relative to the data directory.
    pub rel: String,
    /// Where it came from in the end, after any redirects.
    pub url: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// When the download finished (RFC 3339, UTC).
    pub retrieved: String,
    /// Compared with the destination before the sync.
    pub change: Change,
}

/// What a sync did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Downloaded and validated files, in manifest order.
    pub fetched: Vec<FetchedFile>,
    /// Optional files that answered 404: (path relative to the data directory, URL).
    pub missing: Vec<(String, String)>,
    /// Files of the old destination the download did not cover, carried over unchanged.
    pub carried: Vec<String>,
    /// Wall time of the whole sync.
    pub elapsed: Duration,
    /// Whether the destination was left untouched on purpose.
    pub dry_run: bool,
    /// With `docs`: what the docs step did, or why it failed (the old docs are then
    /// kept, and the caller should fail the run after reporting the files).
    pub docs: Option<Result<DocsSynced, String>>,
}
/// Downloads, validates and (unless `dry_run`) swaps in the manifest's files.
///
/// Every file streams into a staging directory beside the destination, within the size
/// cap, each transfer within `timeout` and the whole run within `deadline`. The new set
/// then has to pass the shrink gate against the old data: a `permissions.json` without
/// permissions is always refused; without `allow_shrink`, so is one that lost more than
/// a tenth of the old permissions, and any file the old data had that came back with no
/// entries or without one of its top-level keys. Only then are the old directory's
/// other files and folders (with their modes) added and the staging directory renamed
/// into place. Any failure removes the staging directory and leaves the destination
/// exactly as it was.
///
/// With `docs` the docs step follows (see [`docs`](self::docs)). When it fails (git
/// missing, a refused tree, a timeout) the old docs folder is carried over like any
/// other and the failure is in [`SyncReport::docs`]; with `files` off it is the error.
pub fn sync(opts: &SyncOptions, on_event: &mut dyn FnMut(Event<'_>)) -> Result<SyncReport> {
    let started = Instant::now();
    let deadline = started + opts.deadline;
    let files = if opts.files {
        upstream_files()
    } else {
        Vec::new()
    };
    let dest = &resolve_dest(&opts.dest)?;
    check_dest(dest, &data_folders(&upstream_files()), opts.force)?;
    // Looked for first, so a sync of the docs alone fails before anything else.
    let git = opts.docs.then(|| {
        git::Git::find(&git::Bounds {
            deadline,
            deadline_secs: opts.deadline.as_secs_f64(),
            stall: opts.timeout,
            watch: None,
            max_bytes: u64::MAX,
        })
    });
    if let (false, Some(Err(e))) = (opts.files, &git) {
        bail!("{e:#}");
    }
    let old_tree = list_tree(dest)?;
    let staging = create_staging(dest, opts.dry_run)?;
    let agent = agent(opts.timeout);
    let limits = Limits {
        timeout: opts.timeout,
        deadline,
        deadline_secs: opts.deadline.as_secs_f64(),
        max_bytes: opts.max_bytes,
        origin: origin(&opts.base_url),
        allowed: &opts.allow_redirect_hosts,
    };
    let total = files.len();
    let mut report = SyncReport {
        dry_run: opts.dry_run,
        ..SyncReport::default()
    };
    let mut problems: Vec<String> = Vec::new();
    let mut hard: Vec<String> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let url = file.url(&opts.base_url);
        let target = staging.path().join(file.rel());
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
        }
        let Some(got) = download(&agent, &url, &target, &limits, opts.retries, on_event)? else {
            if file.required {
                bail!("`{url}`: 404 Not Found ({} is required)", file.rel());
            }
            on_event(Event::Missing {
                index: i + 1,
                total,
                file,
            });
            report.missing.push((file.rel(), url));
            continue;
        };
        // One file in memory at a time, for its parser.
        let bytes = fs::read(&target)
            .with_context(|| format!("cannot read back `{}`", target.display()))?;
        let new = (file.validate)(Path::new(&got.url), &bytes)?;
        drop(bytes);
        let old_path = dest.join(file.rel());
        let old = fs::read(&old_path).ok();
        let change = match &old {
            Some(old) if hex_sha256(old) == got.sha256 => Change::Unchanged,
            Some(_) => Change::Changed,
            None => Change::Added,
        };
        let old_measure = old
            .as_deref()
            .and_then(|b| (file.validate)(&old_path, b).ok());
        gate(file, old_measure.as_ref(), &new, &mut problems, &mut hard);
        if let Ok(meta) = fs::metadata(&old_path) {
            let _ = fs::set_permissions(&target, meta.permissions());
        }
        on_event(Event::Fetched {
            index: i + 1,
            total,
            file,
            bytes: got.bytes,
        });
        report.fetched.push(FetchedFile {
            rel: file.rel(),
            url: got.url,
            sha256: got.sha256,
            bytes: got.bytes,
            retrieved: rfc3339(SystemTime::now()),
            change,
        });
    }
    if !hard.is_empty() || (!problems.is_empty() && !opts.allow_shrink) {
        let mut msg = format!("refusing to replace `{}`:", opts.dest.display());
        for p in hard.iter().chain(if opts.allow_shrink {
            &[][..]
        } else {
            &problems[..]
        }) {
            msg.push_str("\n  ");
            msg.push_str(p);
        }
        if !problems.is_empty() && !opts.allow_shrink {
            msg.push_str("\npass --allow-shrink if the upstream really shrank");
        }
        bail!(msg);
    }
    report.docs = git.map(|git| {
        let synced = git
            .and_then(|git| docs::sync_docs(&git, dest, staging.path(), opts, deadline, on_event));
        synced.map_err(|e| format!("{e:#}"))
    });
    if git::interrupted() {
        bail!("interrupted");
    }
    if let (false, Some(Err(e))) = (opts.files, &report.docs) {
        bail!("{e}");
    }
    if let Some(Err(_)) = &report.docs {
        // What a failed step left in the staging directory must not mix with the old
        // docs carried over next.
        docs::discard(staging.path())?;
    }
    // A new docs clone replaces the old folder whole: nothing in it is carried over.
    let replaced = matches!(report.docs, Some(Ok(_)));
    let old_tree: Vec<_> = old_tree
        .into_iter()
        .filter(|e| !(replaced && docs::in_docs_folder(&e.rel)))
        .collect();
    let fetched: BTreeSet<&str> = report.fetched.iter().map(|f| f.rel.as_str()).collect();
    report.carried = old_tree
        .iter()
        .filter(|e| e.kind != Kind::Dir && !(replaced && e.rel == DOCS_FOLDER))
        .map(|e| e.rel.clone())
        .filter(|rel| rel != SNAPSHOT_FILE && !fetched.contains(rel.as_str()))
        .collect();
    if !opts.dry_run {
        let snapshot = snapshot::snapshot_json(&files, &report, &read_old_snapshot(dest));
        swap_in(dest, staging, &old_tree, &report, &snapshot)?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Adds what is wrong with a new file compared with the old one: to `hard` what no
/// flag overrides, to `soft` what `allow_shrink` does.
fn gate(
    file: &Upstream,
    old: Option<&Measure>,
    new: &Measure,
    soft: &mut Vec<String>,
    hard: &mut Vec<String>,
) {
    let rel = file.rel();
    let unit = new.unit;
    if file.required && new.entries == 0 {
        hard.push(match old {
            Some(old) => format!(
                "{rel}: {} → 0 {unit} (a catalog without {unit} is never accepted)",
                old.entries
            ),
            None => format!("{rel}: no {unit} (a catalog without {unit} is never accepted)"),
        });
        return;
    }
    let Some(old) = old else { return };
    if old.entries > 0 && new.entries == 0 {
        soft.push(format!("{rel}: {} → 0 {unit}", old.entries));
    }
    let lost: Vec<&str> = old.keys.difference(&new.keys).map(String::as_str).collect();
    if !lost.is_empty() {
        soft.push(format!("{rel}: top-level {} missing", lost.join(", ")));
    }
    // Only files measured by name (permissions.json) can tell how many were dropped.
    let dropped = old.names.difference(&new.names).count();
    if dropped * MAX_DROP_DIVISOR > old.names.len() {
        soft.push(format!(
            "{rel}: {} → {} {unit} ({dropped} dropped, more than 1/{MAX_DROP_DIVISOR})",
            old.entries, new.entries
        ));
    }
}

/// Follows a symbolic link at `dest` to the directory it names, so the target is
/// replaced and the link stays.
fn resolve_dest(dest: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(dest) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(dest).with_context(|| {
            format!(
                "`{}` is a symbolic link to a missing target; create the target or sync into it",
                dest.display()
            )
        }),
        _ => Ok(dest.to_path_buf()),
    }
}

/// Refuses a destination that is not a directory, is a directory holding something
/// other than permcat data, or is the bundled sample without `force`.
fn check_dest(dest: &Path, data_folders: &[&str], force: bool) -> Result<()> {
    match fs::metadata(dest) {
        Ok(m) if !m.is_dir() => bail!("`{}` exists and is not a directory", dest.display()),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", dest.display())),
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(dest).with_context(|| format!("cannot list `{}`", dest.display()))? {
        let entry = entry.with_context(|| format!("cannot list `{}`", dest.display()))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    let is_data = names.is_empty()
        || names
            .iter()
            .any(|n| n == SNAPSHOT_FILE || data_folders.contains(&n.as_str()));
    if !is_data {
        bail!(
            "`{}` is not a data directory: it has no {SNAPSHOT_FILE} and none of the upstream \
             folders ({}), and it is not empty; sync into a new or empty directory",
            dest.display(),
            data_folders.join(", ")
        );
    }
    let name = read_old_snapshot(dest)
        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string));
    if name.as_deref() == Some(SAMPLE_NAME) && !force {
        bail!(
            "`{}` holds the bundled hand-written sample (SNAPSHOT.json name \"{SAMPLE_NAME}\"); \
             sync into another directory, or pass --force to replace it",
            dest.display()
        );
    }
    Ok(())
}

/// The destination's `SNAPSHOT.json` as loose JSON; `None` when absent or unreadable,
/// since an old record must never stop a sync that replaces it.
fn read_old_snapshot(dest: &Path) -> Option<Value> {
    let bytes = fs::read(dest.join(SNAPSHOT_FILE)).ok()?;
    parse_json(&dest.join(SNAPSHOT_FILE), &bytes).ok()
}
