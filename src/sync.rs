//! `permcat sync`: downloads the known upstream files into a data directory laid out like
//! the upstream repositories, validates every file with permcat's own parsers, and swaps
//! the new set in atomically with a fresh `SNAPSHOT.json`.
//!
//! Nothing in the destination changes until every file has been downloaded and parsed;
//! any failure leaves the old directory exactly as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Read};
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

/// Settings of one sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Data directory to create or replace.
    pub dest: PathBuf,
    /// Base of the download addresses.
    pub base_url: String,
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Further attempts after a connection error, timeout or 5xx answer.
    pub retries: u32,
    /// Download and validate only; change nothing.
    pub dry_run: bool,
    /// Replace a directory whose `SNAPSHOT.json` names it the bundled sample.
    pub force: bool,
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
    /// Where it came from.
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

/// Downloads, validates and (unless `dry_run`) swaps in the manifest's files.
pub fn sync(opts: &SyncOptions, on_event: &mut dyn FnMut(Event<'_>)) -> Result<SyncReport> {
    let started = Instant::now();
    let dest = &opts.dest;
    check_dest(dest, opts.force)?;
    let agent = agent(opts.timeout);
    let files = manifest();
    let total = files.len();
    let mut report = SyncReport {
        dry_run: opts.dry_run,
        ..SyncReport::default()
    };
    // Bytes stay in memory until the swap: the whole set is ~40 MB, and nothing touches
    // the disk before every file has parsed.
    let mut contents: Vec<Vec<u8>> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let url = file.url(&opts.base_url);
        let Some(bytes) = download(&agent, &url, opts.retries, on_event)? else {
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
        validate(file.parser, &url, &bytes)?;
        let retrieved = rfc3339(SystemTime::now());
        let sha256 = hex_sha256(&bytes);
        let change = match fs::read(dest.join(file.rel())) {
            Ok(old) if old == bytes => Change::Unchanged,
            Ok(_) => Change::Changed,
            Err(_) => Change::Added,
        };
        on_event(Event::Fetched {
            index: i + 1,
            total,
            file,
            bytes: bytes.len() as u64,
        });
        report.fetched.push(FetchedFile {
            rel: file.rel(),
            url,
            sha256,
            bytes: bytes.len() as u64,
            retrieved,
            change,
        });
        contents.push(bytes);
    }
    let fetched: BTreeSet<&str> = report.fetched.iter().map(|f| f.rel.as_str()).collect();
    report.carried = list_tree(dest)?
        .into_iter()
        .filter(|rel| rel != SNAPSHOT_FILE && !fetched.contains(rel.as_str()))
        .collect();
    if !opts.dry_run {
        let snapshot = snapshot_json(&files, &report, &read_old_snapshot(dest));
        swap_in(dest, &report, &contents, &snapshot)?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Refuses a destination that is a file, or the bundled sample without `force`.
fn check_dest(dest: &Path, force: bool) -> Result<()> {
    match fs::metadata(dest) {
        Ok(m) if !m.is_dir() => bail!("`{}` exists and is not a directory", dest.display()),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", dest.display())),
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

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        // Statuses are judged here: 404 may be fine, 5xx is retried, other 4xx fail.
        .http_status_as_error(false)
        .timeout_connect(Some(timeout))
        .timeout_recv_response(Some(timeout))
        // Per read rather than per body, so a large file on a slow line still finishes
        // while a stalled one fails.
        .timeout_per_read(Some(timeout))
        .user_agent(concat!("permcat/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Why one attempt failed, and whether another attempt may help.
struct AttemptError {
    message: String,
    retry: bool,
}

/// Downloads one URL with retries; `Ok(None)` on 404.
fn download(
    agent: &ureq::Agent,
    url: &str,
    retries: u32,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<Option<Vec<u8>>> {
    let mut attempt = 1;
    loop {
        match attempt_download(agent, url) {
            Ok(found) => return Ok(found),
            Err(e) if e.retry && attempt <= retries => {
                on_event(Event::Retry {
                    url,
                    attempt,
                    error: e.message,
                });
                // 0.5 s, then 1 s: enough for a restarting server, short enough for a CLI.
                std::thread::sleep(Duration::from_millis(500 << (attempt - 1).min(4)));
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

fn attempt_download(agent: &ureq::Agent, url: &str) -> Result<Option<Vec<u8>>, AttemptError> {
    let transport = |e: ureq::Error| AttemptError {
        retry: !matches!(e, ureq::Error::BodyExceedsLimit(_)),
        message: match e {
            ureq::Error::BodyExceedsLimit(n) => format!("response larger than {n} bytes"),
            other => other.to_string(),
        },
    };
    let mut response = agent.get(url).call().map_err(transport)?;
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
    if let Some(n) = expected.filter(|&n| n > MAX_BYTES) {
        return Err(AttemptError {
            message: format!("response of {n} bytes is larger than the {MAX_BYTES}-byte cap"),
            retry: false,
        });
    }
    // Read through the raw reader so a short body surfaces as a length mismatch below
    // rather than as whatever the HTTP layer calls an early close.
    let mut bytes = Vec::new();
    let read = response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .reader()
        .read_to_end(&mut bytes);
    if let Err(e) = read {
        let e = match ureq::Error::from(e) {
            ureq::Error::BodyExceedsLimit(n) => {
                return Err(AttemptError {
                    message: format!("response larger than the {n}-byte cap"),
                    retry: false,
                })
            }
            other => other,
        };
        let message = match expected {
            Some(n) if (bytes.len() as u64) < n => {
                format!(
                    "truncated body: {} of {n} bytes received ({e})",
                    bytes.len()
                )
            }
            _ => format!("reading the body failed: {e}"),
        };
        return Err(AttemptError {
            message,
            retry: true,
        });
    }
    if let Some(n) = expected {
        if bytes.len() as u64 != n {
            return Err(AttemptError {
                message: format!("truncated body: {} of {n} bytes received", bytes.len()),
                retry: true,
            });
        }
    }
    Ok(Some(bytes))
}

/// Parses a downloaded file with the matching permcat parser; errors name the URL and
/// line:column.
pub fn validate(parser: Parser, url: &str, bytes: &[u8]) -> Result<()> {
    let name = Path::new(url);
    match parser {
        Parser::Permissions => {
            parse_json::<permissions::PermissionsDocument>(name, bytes).map(drop)
        }
        Parser::Descriptions => {
            parse_json::<descriptions::DescriptionsDocument>(name, bytes).map(drop)
        }
        Parser::Provisioning => {
            parse_json::<provisioning::ProvisioningDocument>(name, bytes).map(drop)
        }
        Parser::TypeMap => {
            parse_json::<BTreeMap<String, BTreeMap<String, typemap::TypeNames>>>(name, bytes)
                .map(drop)
        }
        Parser::EnumMap => {
            parse_json::<BTreeMap<String, BTreeMap<String, Vec<String>>>>(name, bytes).map(drop)
        }
        Parser::Commands => parse_json::<Vec<commands::CommandEntry>>(name, bytes).map(drop),
        Parser::Csdl => Csdl::parse(name, bytes).map(drop),
    }
}

/// Files under a directory, relative and with `/` separators, sorted; empty when the
/// directory does not exist.
fn list_tree(root: &Path) -> Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound && dir == root => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("cannot list `{}`", dir.display())),
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(root) {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort();
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

/// Writes the new set into a staging directory beside `dest`, then swaps it in. On any
/// failure the staging directory is removed and `dest` is left as it was.
fn swap_in(dest: &Path, report: &SyncReport, contents: &[Vec<u8>], snapshot: &[u8]) -> Result<()> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| anyhow!("`{}` has no directory name", dest.display()))?;
    fs::create_dir_all(&parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.permcat-sync-{pid}"));
    let old = parent.join(format!(".{name}.permcat-old-{pid}"));
    let _ = fs::remove_dir_all(&staging);
    let staged = (|| -> Result<()> {
        for (file, bytes) in report.fetched.iter().zip(contents) {
            let target = staging.join(&file.rel);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create `{}`", dir.display()))?;
            }
            fs::write(&target, bytes)
                .with_context(|| format!("cannot write `{}`", target.display()))?;
        }
        for rel in &report.carried {
            let (from, to) = (dest.join(rel), staging.join(rel));
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create `{}`", dir.display()))?;
            }
            // A hard link is instant for a large docs tree; the old directory is removed
            // after the swap, so sharing the inodes changes nothing anyone sees.
            if fs::hard_link(&from, &to).is_err() {
                fs::copy(&from, &to).with_context(|| {
                    format!("cannot copy `{}` to `{}`", from.display(), to.display())
                })?;
            }
        }
        fs::write(staging.join(SNAPSHOT_FILE), snapshot)
            .with_context(|| format!("cannot write the new {SNAPSHOT_FILE}"))?;
        Ok(())
    })();
    if let Err(e) = staged {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_old = dest.exists();
    if had_old {
        if let Err(e) = fs::rename(dest, &old) {
            let _ = fs::remove_dir_all(&staging);
            return Err(e).with_context(|| format!("cannot move `{}` aside", dest.display()));
        }
    }
    if let Err(e) = fs::rename(&staging, dest) {
        if had_old {
            let _ = fs::rename(&old, dest);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(e).with_context(|| format!("cannot move the new data to `{}`", dest.display()));
    }
    if had_old {
        // The new data is in place; a leftover old copy is untidy but harmless.
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
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
}
