//! `permcat sync`: downloads the upstream files into a data directory.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, Result};
use clap::Args;

use permcat::sync::{self, Change, DocsHow, DocsSynced, Event, SyncOptions};
use permcat::text::visible;

/// Flags of `permcat sync`.
///
/// Fetches the devx-content permission files (with the seven localized descriptions),
/// the msgraph-metadata v1.0 and beta CSDL and type maps, and the PowerShell command map;
/// with --docs also the Learn docs, with git. Without --docs a docs folder already in
/// DIR is kept as it is.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Data directory to create or replace; the default is not the bundled `data/` sample.
    /// Replaced atomically, and only when every file downloaded and parsed. Must be
    /// missing, empty or a data directory; a symbolic link's target is replaced.
    #[arg(long, value_name = "DIR", default_value = "upstream-data")]
    dest: PathBuf,
    /// Base of the download addresses, `{URL}/{owner}/{repo}/{branch}/{path}`; point it at
    /// a mirror laid out like raw.githubusercontent.com.
    #[arg(long, value_name = "URL", default_value = sync::DEFAULT_BASE_URL)]
    base_url: String,
    /// Bound on each file's whole transfer (connect, headers and body), per attempt, in
    /// seconds; connecting and the headers get at most 30 s of it.
    #[arg(long, value_name = "SECS", default_value_t = sync::DEFAULT_TIMEOUT.as_secs())]
    timeout: u64,
    /// Bound on the whole run, retries included, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = sync::DEFAULT_DEADLINE.as_secs())]
    deadline: u64,
    /// Further attempts after a connection error, timeout or 5xx answer (not after 4xx).
    #[arg(long, value_name = "N", default_value_t = 2)]
    retries: u32,
    /// Largest file accepted, in bytes, counted while it streams in.
    #[arg(long, value_name = "BYTES", default_value_t = sync::MAX_BYTES)]
    max_bytes: u64,
    /// Accept a new set that lost more than a tenth of the permissions, or a file that
    /// came back empty or without one of its top-level keys. (A permissions.json without
    /// any permissions is refused regardless.)
    #[arg(long)]
    allow_shrink: bool,
    /// Follow redirects to HOST (or HOST:PORT) too; redirects are otherwise followed only
    /// on the base URL's own scheme, host and port. Repeatable.
    #[arg(long, value_name = "HOST")]
    allow_redirect_host: Vec<String>,
    /// Download and validate, then list which files would be added, changed or unchanged;
    /// change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Replace DIR even when its SNAPSHOT.json says it is the bundled hand-written sample.
    #[arg(long)]
    force: bool,
    /// Also fetch the Learn docs, api-reference/{v1.0,beta}/{api,resources,includes} of
    /// microsoft-graph-docs-contrib (branch main), into DIR/microsoft-graph-docs-contrib:
    /// a shallow, blob-filtered, sparse clone made with the git command, updated in place
    /// by the next sync. Needs git. When only the docs step fails, the other files are
    /// still synced, the old docs are kept, and the exit status is 2.
    #[arg(long)]
    docs: bool,
    /// Fetch only the docs (as --docs); every other file of DIR is kept as it is.
    #[arg(long, conflicts_with = "docs")]
    docs_only: bool,
    /// Repository the docs are cloned from and fetched from; point it at a mirror.
    #[arg(long, value_name = "URL", default_value = sync::DOCS_REPO_URL)]
    docs_repo: String,
    /// Largest size of the docs clone (working tree and .git, each file counting at least
    /// 4 KiB), in bytes, checked while git runs.
    #[arg(long, value_name = "BYTES", default_value_t = sync::DEFAULT_DOCS_MAX_BYTES)]
    docs_max_bytes: u64,
}

/// Runs `permcat sync`.
pub fn run(args: SyncArgs) -> Result<ExitCode> {
    let opts = SyncOptions {
        dest: args.dest.clone(),
        base_url: args.base_url.clone(),
        timeout: Duration::from_secs(args.timeout.max(1)),
        deadline: Duration::from_secs(args.deadline.max(1)),
        retries: args.retries,
        max_bytes: args.max_bytes,
        allow_shrink: args.allow_shrink,
        allow_redirect_hosts: args.allow_redirect_host.clone(),
        dry_run: args.dry_run,
        force: args.force,
        files: !args.docs_only,
        docs: args.docs || args.docs_only,
        docs_repo: args.docs_repo.clone(),
        docs_max_bytes: args.docs_max_bytes,
    };
    if opts.docs {
        // The first Ctrl-C kills a running git and lets the sync clean up after itself;
        // with no git running (or a second time) permcat just exits.
        let _ = ctrlc::set_handler(|| {
            if !sync::interrupt() {
                std::process::exit(130);
            }
        });
    }
    let tty = io::stderr().is_terminal();
    let mut on_event = |event: Event<'_>| {
        let mut err = io::stderr().lock();
        // On a terminal each line overwrites the previous one; elsewhere (logs, CI) every
        // line stays and carries no escape codes.
        let (start, end) = if tty { ("\r\x1b[2K", "") } else { ("", "\n") };
        let _ = match event {
            Event::Fetched {
                index,
                total,
                file,
                bytes,
            } => write!(
                err,
                "{start}[{index}/{total}] {} {}{end}",
                file.file_name(),
                size(bytes)
            ),
            Event::Missing { index, total, file } => write!(
                err,
                "{start}[{index}/{total}] {} not found upstream (optional){end}",
                file.file_name()
            ),
            Event::Retry {
                url,
                attempt,
                error,
            } => writeln!(
                err,
                "{start}retrying `{url}` after attempt {attempt}: {error}"
            ),
            Event::DocsStep { step } => write!(err, "{start}docs: {}{end}", visible(step)),
            // git's own progress is worth a line only where it overwrites the last one.
            Event::DocsProgress { line } if tty => write!(err, "{start}docs: {}", visible(line)),
            Event::DocsProgress { .. } => Ok(()),
        };
        let _ = err.flush();
    };
    let report = sync::sync(&opts, &mut on_event);
    if tty {
        let _ = writeln!(io::stderr());
    }
    let report = report?;
    let mut out = io::stdout().lock();
    for (rel, url) in &report.missing {
        writeln!(out, "note: optional `{rel}` not found at {url}")?;
    }
    if report.dry_run {
        for f in &report.fetched {
            writeln!(
                out,
                "{:<9} {} ({})",
                f.change.as_str(),
                f.rel,
                size(f.bytes)
            )?;
        }
    }
    let count = |c: Change| report.fetched.iter().filter(|f| f.change == c).count();
    let bytes: u64 = report.fetched.iter().map(|f| f.bytes).sum();
    if opts.files {
        writeln!(
            out,
            "{} {} files ({:.1} MB) in {:.1} s: {} added, {} changed, {} unchanged; {} kept from \
             the old directory",
            if report.dry_run {
                "dry run: would write"
            } else {
                "synced"
            },
            report.fetched.len(),
            bytes as f64 / 1_000_000.0,
            report.elapsed.as_secs_f64(),
            count(Change::Added),
            count(Change::Changed),
            count(Change::Unchanged),
            report.carried.len()
        )?;
    }
    if let Some(Ok(docs)) = &report.docs {
        write_docs(&mut out, docs)?;
    }
    if report.dry_run {
        writeln!(out, "nothing changed in `{}`", args.dest.display())?;
    } else {
        writeln!(out, "data in `{}`", args.dest.display())?;
    }
    if let Some(Err(e)) = &report.docs {
        drop(out);
        let what = if report.dry_run { "checked" } else { "synced" };
        return Ok(super::exit::error(&anyhow!(
            "the docs were not {what} (the other files were; the old docs are kept): {e}"
        )));
    }
    Ok(ExitCode::SUCCESS)
}

/// Parse problems of the docs listed after the summary; the rest are counted.
const SHOWN_PROBLEMS: usize = 5;

/// The docs step's summary: commit, what changed, what the reader found.
fn write_docs(out: &mut impl Write, d: &DocsSynced) -> io::Result<()> {
    let how = match (d.how, &d.previous, d.changed) {
        (DocsHow::Cloned, ..) => "cloned".to_string(),
        (DocsHow::Unchanged, ..) => "unchanged".to_string(),
        (DocsHow::Updated, Some(p), Some(n)) => {
            let files = if n == 1 { "file" } else { "files" };
            format!("updated from {}, {n} {files} changed", sync::short(p))
        }
        (DocsHow::Updated, Some(p), None) => format!("updated from {}", sync::short(p)),
        (DocsHow::Updated, None, _) => "updated".to_string(),
    };
    let s = &d.stats;
    writeln!(
        out,
        "docs {} at {} (committed {}) from {}: {how}, {:.1} MB, in {:.1} s; {} API pages ({} with \
         permissions), {} resource pages, {} snippets; {} parse problems",
        sync::DOCS_FOLDER,
        sync::short(&d.commit),
        d.committed,
        visible(&d.url),
        d.bytes as f64 / 1_000_000.0,
        d.elapsed.as_secs_f64(),
        s.api_pages,
        s.pages_with_permissions,
        s.resource_pages,
        s.snippets,
        d.problems.count
    )?;
    let shown = d.problems.lines.len().min(SHOWN_PROBLEMS);
    for line in &d.problems.lines[..shown] {
        writeln!(out, "  docs: {}", visible(line))?;
    }
    if d.problems.lines.len() > shown {
        let more = d.problems.lines.len() - shown;
        writeln!(
            out,
            "  docs: … and {more} more (permcat check --data DIR lists them)"
        )?;
    }
    Ok(())
}

/// Human size: KB below a megabyte, MB above.
fn size(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{} KB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}
