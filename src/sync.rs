//! `permcat sync`: downloads the known upstream files into a data directory laid out like
//! the upstream repositories, validates every file with permcat's own parsers, and swaps
//! the new set in atomically with a fresh `SNAPSHOT.json`.
//!
//! Nothing in the destination changes until every file has been downloaded and parsed;
//! any failure leaves the old directory exactly as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::model::ApiVersion;
use crate::sources::{
    commands, csdl::Csdl, descriptions, parse_json, permissions, provisioning,
    snapshot::SNAPSHOT_FILE, typemap,
};

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

/// Which permcat parser validates a downloaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parser {
    /// `permissions.json` ([`permissions::PermissionsDocument`]).
    Permissions,
    /// `permissions-descriptions*.json` ([`descriptions::DescriptionsDocument`]).
    Descriptions,
    /// `provisioningInfo.json` ([`provisioning::ProvisioningDocument`]).
    Provisioning,
    /// Entity or complex type map (namespace → type → member names).
    TypeMap,
    /// Enum type map (namespace → enum → member names); permcat does not read these yet,
    /// but they belong to the same upstream set and are checked for shape.
    EnumMap,
    /// The PowerShell command map ([`commands::CommandEntry`] array).
    Commands,
    /// A CSDL (EDMX) schema, through [`Csdl::parse`].
    Csdl,
}

/// One file of the manifest: where it lives upstream and in the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFile {
    /// Folder of the data directory holding the repository's files.
    pub folder: &'static str,
    /// Upstream repository, `owner/name`.
    pub repo: &'static str,
    /// Branch the file is read from.
    pub branch: &'static str,
    /// Path inside the repository (and inside `folder`).
    pub path: String,
    /// Parser that must accept the file.
    pub parser: Parser,
    /// Whether a 404 fails the sync (required) or is only noted (optional).
    pub required: bool,
}

impl ManifestFile {
    /// Path relative to the data directory.
    pub fn rel(&self) -> String {
        format!("{}/{}", self.folder, self.path)
    }

    /// Download address under a base URL (`{base}/{repo}/{branch}/{path}`).
    pub fn url(&self, base_url: &str) -> String {
        format!(
            "{}/{}/{}/{}",
            base_url.trim_end_matches('/'),
            self.repo,
            self.branch,
            self.path
        )
    }

    /// File name, for progress lines.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

const DEVX_REPO: &str = "microsoftgraph/microsoft-graph-devx-content";
const METADATA_REPO: &str = "microsoftgraph/msgraph-metadata";
const POWERSHELL_REPO: &str = "microsoftgraph/msgraph-sdk-powershell";

/// Strips a data-directory folder from a path constant of a source module.
fn in_folder(rel: &str, folder: &str) -> String {
    rel.strip_prefix(folder)
        .and_then(|r| r.strip_prefix('/'))
        .unwrap_or(rel)
        .to_string()
}

/// The files `permcat sync` knows, in download order. Only `permissions.json` is
/// required, matching what `permcat check` needs; everything else is optional, so a
/// mirror without (say) the localized files or the command map still syncs.
pub fn manifest() -> Vec<ManifestFile> {
    let devx = crate::sources::DEVX_CONTENT;
    let mut files = Vec::new();
    let mut add = |folder, repo, branch, path: String, parser, required| {
        files.push(ManifestFile {
            folder,
            repo,
            branch,
            path,
            parser,
            required,
        })
    };
    add(
        devx,
        DEVX_REPO,
        "master",
        in_folder(permissions::PATH, devx),
        Parser::Permissions,
        true,
    );
    add(
        devx,
        DEVX_REPO,
        "master",
        in_folder(provisioning::PATH, devx),
        Parser::Provisioning,
        false,
    );
    add(
        devx,
        DEVX_REPO,
        "master",
        in_folder(descriptions::PATH, devx),
        Parser::Descriptions,
        false,
    );
    for lang in descriptions::LANGUAGES {
        add(
            devx,
            DEVX_REPO,
            "master",
            in_folder(&descriptions::localized_path(lang), devx),
            Parser::Descriptions,
            false,
        );
    }
    let meta = "msgraph-metadata";
    // Upstream publishes v1.0 both with and without descriptions; permcat prefers the
    // former and falls back to the latter, so both are fetched when present.
    for path in [
        "clean_v10_metadata/cleanMetadataWithDescriptionsv1.0.xml",
        "clean_v10_metadata/cleanMetadata.xml",
        "clean_beta_metadata/cleanMetadataWithDescriptionsbeta.xml",
    ] {
        add(
            meta,
            METADATA_REPO,
            "master",
            path.to_string(),
            Parser::Csdl,
            false,
        );
    }
    for version in [ApiVersion::V1_0, ApiVersion::Beta] {
        for kind in ["entity", "complex", "enum"] {
            let parser = if kind == "enum" {
                Parser::EnumMap
            } else {
                Parser::TypeMap
            };
            add(
                meta,
                METADATA_REPO,
                "master",
                in_folder(&typemap::path(version, kind), meta),
                parser,
                false,
            );
        }
    }
    let ps = "msgraph-sdk-powershell";
    add(
        ps,
        POWERSHELL_REPO,
        "dev",
        in_folder(commands::PATH, ps),
        Parser::Commands,
        false,
    );
    files
}

/// Default bound on one file's whole transfer (connect, headers and body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Default bound on the whole run.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(1800);

/// A new `permissions.json` may lose at most this share of the old one's permissions
/// (1/10) without `allow_shrink`.
pub const MAX_DROP_DIVISOR: usize = 10;

/// Redirects followed for one file at most.
const MAX_REDIRECTS: usize = 5;

/// Top-level folders that mark a directory as a data directory in the upstream layout.
const DATA_FOLDERS: &[&str] = &[
    "microsoft-graph-devx-content",
    "msgraph-metadata",
    "msgraph-sdk-powershell",
    "microsoft-graph-docs",
    "microsoft-graph-docs-contrib",
];

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
        file: &'a ManifestFile,
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
        file: &'a ManifestFile,
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
}

/// What the shrink gate looks at in one file.
#[derive(Debug, Clone, Default)]
struct Measure {
    /// Top-level keys of a JSON object, without `$`-annotations such as `$schema`.
    keys: BTreeSet<String>,
    /// Entries: permissions, scopes, types, commands.
    entries: usize,
    /// Permission names, for `permissions.json`.
    names: BTreeSet<String>,
}

impl Parser {
    /// What [`Measure::entries`] counts.
    fn unit(self) -> &'static str {
        match self {
            Parser::Permissions => "permissions",
            Parser::Csdl | Parser::TypeMap | Parser::EnumMap => "types",
            Parser::Commands => "commands",
            Parser::Descriptions | Parser::Provisioning => "entries",
        }
    }
}

/// A staging directory that is removed unless it was moved into place.
struct Staging {
    path: PathBuf,
    armed: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
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
pub fn sync(opts: &SyncOptions, on_event: &mut dyn FnMut(Event<'_>)) -> Result<SyncReport> {
    let started = Instant::now();
    let deadline = started + opts.deadline;
    let dest = &resolve_dest(&opts.dest)?;
    check_dest(dest, opts.force)?;
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
    let files = manifest();
    let total = files.len();
    let mut report = SyncReport {
        dry_run: opts.dry_run,
        ..SyncReport::default()
    };
    let mut problems: Vec<String> = Vec::new();
    let mut hard: Vec<String> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let url = file.url(&opts.base_url);
        let target = staging.path.join(file.rel());
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
        let new = inspect(file.parser, &got.url, &bytes)?;
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
            .and_then(|b| inspect(file.parser, &old_path.to_string_lossy(), b).ok());
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
    let fetched: BTreeSet<&str> = report.fetched.iter().map(|f| f.rel.as_str()).collect();
    report.carried = old_tree
        .iter()
        .filter(|e| e.kind != Kind::Dir)
        .map(|e| e.rel.clone())
        .filter(|rel| rel != SNAPSHOT_FILE && !fetched.contains(rel.as_str()))
        .collect();
    if !opts.dry_run {
        let snapshot = snapshot_json(&files, &report, &read_old_snapshot(dest));
        swap_in(dest, staging, &old_tree, &report, &snapshot)?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Adds what is wrong with a new file compared with the old one: to `hard` what no
/// flag overrides, to `soft` what `allow_shrink` does.
fn gate(
    file: &ManifestFile,
    old: Option<&Measure>,
    new: &Measure,
    soft: &mut Vec<String>,
    hard: &mut Vec<String>,
) {
    let rel = file.rel();
    let unit = file.parser.unit();
    if file.parser == Parser::Permissions && new.entries == 0 {
        hard.push(match old {
            Some(old) => format!(
                "{rel}: {} → 0 permissions (a catalog without permissions is never accepted)",
                old.entries
            ),
            None => {
                format!("{rel}: no permissions (a catalog without permissions is never accepted)")
            }
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
    if file.parser == Parser::Permissions {
        let dropped = old.names.difference(&new.names).count();
        if dropped * MAX_DROP_DIVISOR > old.names.len() {
            soft.push(format!(
                "{rel}: {} → {} permissions ({dropped} dropped, more than 1/{MAX_DROP_DIVISOR})",
                old.entries, new.entries
            ));
        }
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
fn check_dest(dest: &Path, force: bool) -> Result<()> {
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
            .any(|n| n == SNAPSHOT_FILE || DATA_FOLDERS.contains(&n.as_str()));
    if !is_data {
        bail!(
            "`{}` is not a data directory: it has no {SNAPSHOT_FILE} and none of the upstream \
             folders ({}), and it is not empty; sync into a new or empty directory",
            dest.display(),
            DATA_FOLDERS.join(", ")
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

/// The directory holding `dest`, and `dest`'s own name.
fn parent_and_name(dest: &Path) -> Result<(PathBuf, String)> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| anyhow!("`{}` has no directory name", dest.display()))?;
    Ok((parent, name))
}

/// A fresh staging directory beside `dest`, so the swap is a rename on one file
/// system. A dry run whose destination's parent does not exist stages in the system's
/// temporary directory instead of creating folders.
fn create_staging(dest: &Path, dry_run: bool) -> Result<Staging> {
    let (mut parent, name) = parent_and_name(dest)?;
    if dry_run && !parent.is_dir() {
        parent = std::env::temp_dir();
    } else {
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let path = parent.join(format!(".{name}.permcat-sync-{}", std::process::id()));
    let _ = fs::remove_dir_all(&path);
    fs::create_dir(&path).with_context(|| format!("cannot create `{}`", path.display()))?;
    Ok(Staging { path, armed: true })
}

/// The destination's `SNAPSHOT.json` as loose JSON; `None` when absent or unreadable,
/// since an old record must never stop a sync that replaces it.
fn read_old_snapshot(dest: &Path) -> Option<Value> {
    let bytes = fs::read(dest.join(SNAPSHOT_FILE)).ok()?;
    parse_json(&dest.join(SNAPSHOT_FILE), &bytes).ok()
}

fn agent(timeout: Duration) -> ureq::Agent {
    // Connecting and the response headers get at most 30 s even under a long transfer
    // bound: a server that has not answered by then is not going to.
    let first = timeout.min(Duration::from_secs(30));
    ureq::Agent::config_builder()
        // Statuses are judged here: 404 may be fine, 5xx is retried, other 4xx fail.
        .http_status_as_error(false)
        // Redirects are followed here, so each hop's host can be checked.
        .max_redirects(0)
        .timeout_connect(Some(first))
        .timeout_recv_response(Some(first))
        .user_agent(concat!("permcat/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Bounds of one download.
struct Limits<'a> {
    timeout: Duration,
    deadline: Instant,
    deadline_secs: f64,
    max_bytes: u64,
    /// Scheme, host and port of the base URL.
    origin: Origin,
    allowed: &'a [String],
}

/// Why one attempt failed, and whether another attempt may help.
struct AttemptError {
    message: String,
    retry: bool,
}

/// A file that arrived.
struct Got {
    /// Final URL after redirects.
    url: String,
    bytes: u64,
    sha256: String,
}

/// Downloads one URL into `target` with retries; `Ok(None)` on 404.
fn download(
    agent: &ureq::Agent,
    url: &str,
    target: &Path,
    limits: &Limits<'_>,
    retries: u32,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<Option<Got>> {
    let mut attempt = 1;
    loop {
        match attempt_download(agent, url, target, limits) {
            Ok(found) => return Ok(found),
            Err(e) if e.retry && attempt <= retries => {
                // 0.5 s, then 1 s: enough for a restarting server, short enough for a CLI.
                let pause = Duration::from_millis(500 << (attempt - 1).min(4));
                if Instant::now() + pause >= limits.deadline {
                    return Err(anyhow!(
                        "`{url}`: {}; no time left for another attempt within the {} s deadline",
                        e.message,
                        limits.deadline_secs
                    ));
                }
                on_event(Event::Retry {
                    url,
                    attempt,
                    error: e.message,
                });
                std::thread::sleep(pause);
                attempt += 1;
            }
            Err(e) => {
                let tries = if attempt > 1 {
                    format!(" (after {attempt} attempts)")
                } else {
                    String::new()
                };
                return Err(anyhow!("`{url}`: {}{tries}", e.message));
            }
        }
    }
}

/// Scheme, lower-case host and port of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// `host`, or `host:port` when the port is not the scheme's default.
    fn authority(&self) -> String {
        let default = if self.scheme == "https" { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

fn origin(url: &str) -> Origin {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let default = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, p.parse().unwrap_or(default)),
        _ => (authority, default),
    };
    Origin {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
    }
}

/// Where a `Location` header leads from `current`.
fn resolve_location(current: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let o = origin(current);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}://{rest}", o.scheme);
    }
    let base = format!("{}://{}", o.scheme, o.authority());
    if location.starts_with('/') {
        return format!("{base}{location}");
    }
    let path = current
        .split_once("://")
        .map_or("", |(_, r)| r.find('/').map_or("/", |i| &r[i..]));
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    format!("{base}{dir}{location}")
}

/// Whether a redirect from the base URL's origin to `to` may be followed.
fn redirect_allowed(from: &Origin, to: &Origin, allowed: &[String]) -> bool {
    if from.scheme == "https" && to.scheme != "https" {
        return false;
    }
    if to.host == from.host && to.port == from.port {
        return true;
    }
    allowed.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a == to.host || a == to.authority() || a == format!("{}:{}", to.host, to.port)
    })
}

fn attempt_download(
    agent: &ureq::Agent,
    url: &str,
    target: &Path,
    limits: &Limits<'_>,
) -> Result<Option<Got>, AttemptError> {
    let started = Instant::now();
    // Whatever ends first: this file's bound or the run's deadline.
    let (end, by_deadline) = if started + limits.timeout <= limits.deadline {
        (started + limits.timeout, false)
    } else {
        (limits.deadline, true)
    };
    let timed_out = || AttemptError {
        message: if by_deadline {
            format!(
                "timeout: not finished within the {} s deadline",
                limits.deadline_secs
            )
        } else {
            format!(
                "timeout: not finished within {} s",
                limits.timeout.as_secs_f64()
            )
        },
        retry: !by_deadline,
    };
    let transport = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => timed_out(),
        other => AttemptError {
            message: other.to_string(),
            retry: true,
        },
    };
    let mut current = url.to_string();
    let mut hops = 0;
    let mut response = loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        let response = agent
            .get(&current)
            .config()
            .timeout_global(Some(left))
            .build()
            .call()
            .map_err(transport)?;
        if !response.status().is_redirection() {
            break response;
        }
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let Some(location) = location else {
            break response;
        };
        let next = resolve_location(&current, &location);
        let to = origin(&next);
        if limits.origin.scheme == "https" && to.scheme != "https" {
            return Err(AttemptError {
                message: format!("redirected from https to plain `{next}`; refused"),
                retry: false,
            });
        }
        if !redirect_allowed(&limits.origin, &to, limits.allowed) {
            return Err(AttemptError {
                message: format!(
                    "redirected to another host, `{next}`; pass --allow-redirect-host {} to follow it",
                    to.authority()
                ),
                retry: false,
            });
        }
        hops += 1;
        if hops > MAX_REDIRECTS {
            return Err(AttemptError {
                message: format!("more than {MAX_REDIRECTS} redirects"),
                retry: false,
            });
        }
        current = next;
    };
    let status = response.status();
    if status.as_u16() == 404 {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(AttemptError {
            message: format!("HTTP {status}"),
            retry: status.is_server_error(),
        });
    }
    let expected = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let cap = limits.max_bytes;
    let too_large = || AttemptError {
        message: format!("response larger than the {cap}-byte cap"),
        retry: false,
    };
    if expected.is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    let write_error = |e: io::Error| AttemptError {
        message: format!("cannot write `{}`: {e}", target.display()),
        retry: false,
    };
    let mut out = fs::File::create(target).map_err(write_error)?;
    // The raw reader, so a short body surfaces as a length mismatch below rather than as
    // whatever the HTTP layer calls an early close; the cap is counted here.
    let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
    let mut hasher = Sha256::new();
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let e = ureq::Error::from(e);
                if matches!(e, ureq::Error::Timeout(_)) || Instant::now() >= end {
                    return Err(timed_out());
                }
                let message = match expected {
                    Some(n) if total < n => {
                        format!("truncated body: {total} of {n} bytes received ({e})")
                    }
                    _ => format!("reading the body failed: {e}"),
                };
                return Err(AttemptError {
                    message,
                    retry: true,
                });
            }
        };
        total += n as u64;
        if total > cap {
            return Err(too_large());
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(write_error)?;
        if Instant::now() >= end {
            return Err(timed_out());
        }
    }
    if let Some(n) = expected {
        if total != n {
            return Err(AttemptError {
                message: format!("truncated body: {total} of {n} bytes received"),
                retry: true,
            });
        }
    }
    out.sync_all().map_err(write_error)?;
    Ok(Some(Got {
        url: current,
        bytes: total,
        sha256: hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    }))
}

/// Parses a downloaded file with the matching permcat parser; errors name the URL and
/// line:column.
pub fn validate(parser: Parser, url: &str, bytes: &[u8]) -> Result<()> {
    inspect(parser, url, bytes).map(drop)
}

/// [`validate`], and what the shrink gate needs to know about the file.
fn inspect(parser: Parser, url: &str, bytes: &[u8]) -> Result<Measure> {
    let name = Path::new(url);
    match parser {
        Parser::Permissions => {
            parse_json::<permissions::PermissionsDocument>(name, bytes).map(drop)?
        }
        Parser::Descriptions => {
            parse_json::<descriptions::DescriptionsDocument>(name, bytes).map(drop)?
        }
        Parser::Provisioning => {
            parse_json::<provisioning::ProvisioningDocument>(name, bytes).map(drop)?
        }
        Parser::TypeMap => {
            parse_json::<BTreeMap<String, BTreeMap<String, typemap::TypeNames>>>(name, bytes)
                .map(drop)?
        }
        Parser::EnumMap => {
            parse_json::<BTreeMap<String, BTreeMap<String, Vec<String>>>>(name, bytes).map(drop)?
        }
        Parser::Commands => parse_json::<Vec<commands::CommandEntry>>(name, bytes).map(drop)?,
        Parser::Csdl => {
            let csdl = Csdl::parse(name, bytes)?;
            return Ok(Measure {
                entries: csdl.entity_types.len() + csdl.complex_types.len() + csdl.enum_types.len(),
                ..Measure::default()
            });
        }
    }
    // The typed parse passed; the loose value gives keys and sizes alike for every shape.
    let value: Value = parse_json(name, bytes)?;
    let mut m = Measure::default();
    let size = |v: &Value| match v {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        Value::Null => 0,
        _ => 1,
    };
    match &value {
        Value::Object(o) => {
            for (k, v) in o.iter().filter(|(k, _)| !k.starts_with('$')) {
                m.keys.insert(k.clone());
                m.entries += size(v);
            }
        }
        other => m.entries = size(other),
    }
    if parser == Parser::Permissions {
        if let Some(Value::Object(p)) = value.get("permissions") {
            m.names = p.keys().cloned().collect();
            m.entries = p.len();
        }
    }
    Ok(m)
}

/// What an entry of a data directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    Symlink,
}

/// One entry of a data directory.
#[derive(Debug, Clone)]
struct Entry {
    /// Relative, with `/` separators.
    rel: String,
    kind: Kind,
    permissions: fs::Permissions,
}

/// Everything under a directory (folders included, so empty ones are kept), relative
/// and sorted, parents before children; empty when the directory does not exist.
fn list_tree(root: &Path) -> Result<Vec<Entry>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<Entry>) -> Result<()> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound && dir == root => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("cannot list `{}`", dir.display())),
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
            let path = entry.path();
            let meta = fs::symlink_metadata(&path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            let kind = if meta.file_type().is_symlink() {
                Kind::Symlink
            } else if meta.is_dir() {
                Kind::Dir
            } else {
                Kind::File
            };
            let Ok(rel) = path.strip_prefix(root) else {
                continue;
            };
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(Entry {
                rel: parts.join("/"),
                kind,
                permissions: meta.permissions(),
            });
            if kind == Kind::Dir {
                walk(root, &path, out)?;
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}
/// The new `SNAPSHOT.json`: one entry per repository folder fetched now, plus the old
/// record's entries for files carried over, so their provenance is not lost.
fn snapshot_json(files: &[ManifestFile], report: &SyncReport, old: &Option<Value>) -> Vec<u8> {
    let mut sources = Vec::new();
    let mut folders: Vec<(&str, &str)> = Vec::new();
    for f in files {
        if !folders.contains(&(f.folder, f.repo)) {
            folders.push((f.folder, f.repo));
        }
    }
    for (folder, repo) in folders {
        let mine: Vec<&FetchedFile> = report
            .fetched
            .iter()
            .filter(|f| f.rel.starts_with(&format!("{folder}/")))
            .collect();
        let Some(first) = mine.first() else { continue };
        let prefix = format!("{folder}/");
        let inner = |f: &FetchedFile| f.rel[prefix.len()..].to_string();
        sources.push(json!({
            "repo": repo,
            "folder": folder,
            // The GitHub API that would name the commit is not consulted; raw files carry
            // no commit, so the record says "unknown" rather than guessing.
            "commit": null,
            "date": first.retrieved.get(..10).unwrap_or(&first.retrieved),
            "files": mine.iter().map(|f| inner(f)).collect::<Vec<_>>(),
            "files_detail": mine.iter().map(|f| json!({
                "path": inner(f),
                "url": f.url,
                "sha256": f.sha256,
                "bytes": f.bytes,
                "retrieved": f.retrieved,
            })).collect::<Vec<_>>(),
        }));
    }
    let carried: BTreeSet<&str> = report.carried.iter().map(String::as_str).collect();
    let old_sources = old
        .as_ref()
        .and_then(|v| v.get("sources"))
        .and_then(Value::as_array);
    for src in old_sources.into_iter().flatten() {
        let Some(folder) = src.get("folder").and_then(Value::as_str) else {
            continue;
        };
        let kept: Vec<&str> = src
            .get("files")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|f| {
                let full = format!("{folder}/{f}");
                if full.ends_with('/') {
                    carried.iter().any(|c| c.starts_with(&full))
                } else {
                    carried.contains(full.as_str())
                }
            })
            .collect();
        if kept.is_empty() {
            continue;
        }
        let mut entry = src.clone();
        entry["files"] = json!(kept);
        if let Some(obj) = entry.as_object_mut() {
            // Details of the old record may describe files that are gone now.
            obj.remove("files_detail");
        }
        sources.push(entry);
    }
    let doc = json!({ "name": SYNC_NAME, "sources": sources });
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Completes the staging directory with the old destination's other files and folders
/// and the new `SNAPSHOT.json`, gives its folders the old folders' modes, then swaps it
/// in by two renames. On any failure the staging directory is removed and `dest` is
/// left as it was.
fn swap_in(
    dest: &Path,
    mut staging: Staging,
    old_tree: &[Entry],
    report: &SyncReport,
    snapshot: &[u8],
) -> Result<()> {
    let root = staging.path.clone();
    let carried: BTreeSet<&str> = report.carried.iter().map(String::as_str).collect();
    for entry in old_tree {
        let (from, to) = (dest.join(&entry.rel), root.join(&entry.rel));
        match entry.kind {
            // Every folder, empty ones too: sync never removes what it did not write.
            Kind::Dir => fs::create_dir_all(&to)
                .with_context(|| format!("cannot create `{}`", to.display()))?,
            _ if !carried.contains(entry.rel.as_str()) => {}
            Kind::Symlink => {
                copy_link(&from, &to).with_context(|| format!("cannot link `{}`", to.display()))?;
            }
            Kind::File => {
                if let Some(dir) = to.parent() {
                    fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create `{}`", dir.display()))?;
                }
                // A hard link is instant for a large docs tree; the old directory is
                // removed after the swap, so sharing the inodes changes nothing anyone
                // sees.
                if fs::hard_link(&from, &to).is_err() {
                    fs::copy(&from, &to).with_context(|| {
                        format!("cannot copy `{}` to `{}`", from.display(), to.display())
                    })?;
                }
            }
        }
    }
    fs::write(root.join(SNAPSHOT_FILE), snapshot)
        .with_context(|| format!("cannot write the new {SNAPSHOT_FILE}"))?;
    // Modes last, deepest first, so a read-only folder does not block what goes in it.
    for entry in old_tree.iter().rev().filter(|e| e.kind == Kind::Dir) {
        let to = root.join(&entry.rel);
        fs::set_permissions(&to, entry.permissions.clone())
            .with_context(|| format!("cannot set the mode of `{}`", to.display()))?;
    }
    if let Ok(meta) = fs::metadata(dest) {
        fs::set_permissions(&root, meta.permissions())
            .with_context(|| format!("cannot set the mode of `{}`", root.display()))?;
    }
    let (parent, name) = parent_and_name(dest)?;
    let old = parent.join(format!(".{name}.permcat-old-{}", std::process::id()));
    let had_old = dest.exists();
    if had_old {
        fs::rename(dest, &old)
            .with_context(|| format!("cannot move `{}` aside", dest.display()))?;
    }
    if let Err(e) = fs::rename(&root, dest) {
        if had_old {
            let _ = fs::rename(&old, dest);
        }
        return Err(e).with_context(|| format!("cannot move the new data to `{}`", dest.display()));
    }
    staging.armed = false;
    if had_old {
        // The new data is in place; a leftover old copy is untidy but harmless.
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Recreates the symbolic link `from` at `to`, pointing where it pointed.
#[cfg(unix)]
fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(from)?, to)
}

/// Without a portable way to tell file links from folder links, copies what `from`
/// points at.
#[cfg(not(unix))]
fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    fs::copy(from, to).map(drop)
}

/// Lower-case hex SHA-256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Formats a time as RFC 3339 in UTC with whole seconds (`2026-08-07T12:34:56Z`).
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's
/// `civil_from_days`, so no date crate is needed for one timestamp.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_251_199); // leap year, Feb 29
        assert_eq!(rfc3339(t), "2024-02-29T23:59:59Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn manifest_urls_follow_the_raw_layout() {
        let files = manifest();
        assert_eq!(files.len(), 20);
        assert!(files.iter().filter(|f| f.required).count() == 1);
        assert_eq!(
            files[0].url("http://x/"),
            "http://x/microsoftgraph/microsoft-graph-devx-content/master/permissions/new/permissions.json"
        );
        assert!(files.iter().any(|f| f.rel() == commands::PATH));
    }

    #[test]
    fn redirect_targets_resolve_and_are_checked_by_origin() {
        let from = "http://127.0.0.1:8080/a/b/file.json?x=1";
        assert_eq!(
            resolve_location(from, "/moved/f"),
            "http://127.0.0.1:8080/moved/f"
        );
        assert_eq!(
            resolve_location(from, "g.json"),
            "http://127.0.0.1:8080/a/b/g.json"
        );
        assert_eq!(resolve_location(from, "//h/x"), "http://h/x");
        assert_eq!(resolve_location(from, "https://h/x"), "https://h/x");
        let base = origin("https://raw.githubusercontent.com");
        assert_eq!(base.port, 443);
        let same = origin("https://RAW.githubusercontent.com:443/x");
        assert!(redirect_allowed(&base, &same, &[]));
        let other = origin("https://objects.githubusercontent.com/x");
        assert!(!redirect_allowed(&base, &other, &[]));
        let allow = ["objects.githubusercontent.com".to_string()];
        assert!(redirect_allowed(&base, &other, &allow));
        let plain = origin("http://objects.githubusercontent.com/x");
        assert!(
            !redirect_allowed(&base, &plain, &allow),
            "a downgrade is never allowed"
        );
        let port = origin("http://127.0.0.1:9/x");
        assert_eq!(port.authority(), "127.0.0.1:9");
        assert!(!redirect_allowed(&origin("http://127.0.0.1:8"), &port, &[]));
        assert!(redirect_allowed(
            &origin("http://127.0.0.1:8"),
            &port,
            &["127.0.0.1".into()]
        ));
    }

    #[test]
    fn the_gate_counts_permissions_and_top_level_keys() {
        let file = |parser| ManifestFile {
            folder: "f",
            repo: "r",
            branch: "b",
            path: "p.json".into(),
            parser,
            required: false,
        };
        let perms = |names: &[&str]| {
            let body: serde_json::Map<String, Value> = names
                .iter()
                .map(|n| (n.to_string(), json!({"pathSets": []})))
                .collect();
            inspect(
                Parser::Permissions,
                "u",
                &serde_json::to_vec(&json!({"$schema": "s", "permissions": body})).unwrap(),
            )
            .unwrap()
        };
        let names: Vec<String> = (0..20).map(|i| format!("P{i}")).collect();
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        let old = perms(&all);
        assert_eq!(old.entries, 20);
        assert!(old.keys.contains("permissions") && !old.keys.contains("$schema"));
        let (mut soft, mut hard) = (Vec::new(), Vec::new());
        gate(
            &file(Parser::Permissions),
            Some(&old),
            &perms(&all[..18]),
            &mut soft,
            &mut hard,
        );
        assert!(soft.is_empty() && hard.is_empty(), "{soft:?} {hard:?}");
        gate(
            &file(Parser::Permissions),
            Some(&old),
            &perms(&all[..17]),
            &mut soft,
            &mut hard,
        );
        assert_eq!(
            soft,
            ["f/p.json: 20 → 17 permissions (3 dropped, more than 1/10)"]
        );
        gate(
            &file(Parser::Permissions),
            None,
            &perms(&[]),
            &mut soft,
            &mut hard,
        );
        assert_eq!(hard.len(), 1);
    }
}
