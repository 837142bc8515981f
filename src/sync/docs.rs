//! The Learn docs step of `permcat sync --docs`: `api-reference/{v1.0,beta}/{api,
//! resources,includes}` of microsoft-graph-docs-contrib, without the rest of the 1.4 GB
//! repository, as a shallow (`--depth 1`), blob-filtered (`--filter=blob:none`), sparse
//! (cone) clone made with the `git` command.
//!
//! The clone is made or updated in the staging directory only: a first sync clones
//! there; a later one copies the existing clone there (objects and working files as
//! hard links, which git replaces rather than rewrites; the rest of `.git` as copies),
//! fetches the new commit and checks it out. The result is parsed with permcat's own
//! docs reader and measured against the old docs before the staging directory may be
//! swapped in, so the live docs never change before they are validated.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

use super::git::{args, dir_size, with_path, Bounds, Git};
use super::{rfc3339, Event, SyncOptions, MAX_DROP_DIVISOR};
use crate::model::ApiVersion;
use crate::sources::docs::{self, DocsStats};
use crate::sources::DataDir;

/// The docs repository `--docs-repo` defaults to.
pub const DOCS_REPO_URL: &str =
    "https://github.com/microsoftgraph/microsoft-graph-docs-contrib.git";

/// The upstream repository the docs folder mirrors, as `SNAPSHOT.json` names it.
pub const DOCS_REPO: &str = "microsoftgraph/microsoft-graph-docs-contrib";

/// The branch the docs are read from.
pub const DOCS_BRANCH: &str = "main";

/// Folder of the data directory holding the clone: the folder of the docs loader's
/// first root.
pub const DOCS_FOLDER: &str = "microsoft-graph-docs-contrib";

/// The folders checked out, relative to the repository.
pub const SPARSE_DIRS: [&str; 6] = [
    "api-reference/v1.0/api",
    "api-reference/v1.0/resources",
    "api-reference/v1.0/includes",
    "api-reference/beta/api",
    "api-reference/beta/resources",
    "api-reference/beta/includes",
];

/// Default cap on the clone's size, working tree and `.git` together. Today's sparse
/// tree is well under a gigabyte; the cap stops a hostile mirror from filling the disk.
pub const DEFAULT_DOCS_MAX_BYTES: u64 = 5 << 30;

/// How the docs folder came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocsHow {
    /// A new clone (the data directory had no clone of its own).
    Cloned,
    /// The existing clone fetched and checked out a newer commit.
    Updated,
    /// The existing clone was already at the branch's newest commit.
    Unchanged,
}

/// What the docs step did.
#[derive(Debug, Clone)]
pub struct DocsSynced {
    /// The repository address, without any user name or password in it.
    pub url: String,
    /// The commit checked out.
    pub commit: String,
    /// Its committer date (RFC 3339, UTC).
    pub committed: String,
    /// How the folder came to be.
    pub how: DocsHow,
    /// The commit the old clone was at.
    pub previous: Option<String>,
    /// Files of the checked-out folders that differ from `previous`.
    pub changed: Option<usize>,
    /// What permcat's docs reader read in the new tree.
    pub stats: DocsStats,
    /// What the reader could not use.
    pub problems: Problems,
    /// Size of the clone, working tree and `.git`.
    pub bytes: u64,
    /// When the clone was validated (RFC 3339, UTC).
    pub retrieved: String,
    /// Wall time of the step.
    pub elapsed: Duration,
    /// `git --version` of the git used.
    pub git: String,
}

/// Parse problems of a docs tree.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    /// How many in all.
    pub count: usize,
    /// One line each: files the reader refused, then counts of examples and snippets it
    /// could not use, then its warnings (table layouts, rows, includes) by file.
    pub lines: Vec<String>,
}

/// The clone being made, and the bounds of the commands run in it.
struct Repo<'a> {
    git: &'a Git,
    dir: &'a Path,
    /// For commands that only read or set a little: not measured.
    light: Bounds<'a>,
    /// For commands that download or write the tree: its size is watched.
    heavy: Bounds<'a>,
}

impl Repo<'_> {
    /// Runs a command that only reads (or sets a little); its output, trimmed.
    fn ask<const N: usize>(
        &self,
        plain: [&str; N],
        on_event: &mut dyn FnMut(Event<'_>),
    ) -> Result<String> {
        let out = self
            .git
            .run(Some(self.dir), &args(plain), &self.light, &mut |line| {
                on_event(Event::DocsProgress { line })
            })?;
        Ok(out.text.trim().to_string())
    }

    /// Runs a command that downloads or writes the tree, watching its size.
    fn change(&self, a: Vec<OsString>, on_event: &mut dyn FnMut(Event<'_>)) -> Result<()> {
        self.git
            .run(Some(self.dir), &a, &self.heavy, &mut |line| {
                on_event(Event::DocsProgress { line })
            })
            .map(drop)
    }
}

/// What the destination holds where the clone goes.
enum Old {
    /// Nothing.
    Absent,
    /// A clone to update.
    Clone,
    /// A folder that is not a clone; the new clone replaces it.
    Folder,
}

/// Clones or updates the docs into `staging/microsoft-graph-docs-contrib` and
/// validates them; `dest` is only read.
pub(super) fn sync_docs(
    git: &Git,
    dest: &Path,
    staging: &Path,
    opts: &SyncOptions,
    deadline: Instant,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<DocsSynced> {
    let started = Instant::now();
    let url = opts.docs_repo.as_str();
    check_url(url)?;
    let shown = public_url(url);
    let old = dest.join(DOCS_FOLDER);
    let new = std::path::absolute(staging.join(DOCS_FOLDER))
        .with_context(|| format!("cannot resolve `{}`", staging.display()))?;
    let bounds = |watch| Bounds {
        deadline,
        deadline_secs: opts.deadline.as_secs_f64(),
        stall: opts.timeout,
        watch,
        max_bytes: opts.docs_max_bytes,
    };
    let repo = Repo {
        git,
        dir: &new,
        light: bounds(None),
        heavy: bounds(Some(&new)),
    };
    let state = inspect(&old)?;
    let previous = if let Old::Clone = state {
        on_event(Event::DocsStep {
            step: "copying the existing docs clone into the staging directory",
        });
        copy_clone(&old, &new)?;
        let head = repo.ask(["rev-parse", "--verify", "HEAD^{commit}"], on_event);
        let head = head.with_context(|| {
            format!(
                "`{}` is not a usable clone; move it away to clone afresh",
                old.display()
            )
        })?;
        repo.ask(["remote", "set-url", "origin", url], on_event)?;
        on_event(Event::DocsStep {
            step: &format!("fetching {DOCS_BRANCH} of {shown} (depth 1)"),
        });
        let refspec = format!("+refs/heads/{DOCS_BRANCH}:refs/remotes/origin/{DOCS_BRANCH}");
        let fetch = [
            "fetch",
            "--depth",
            "1",
            "--no-tags",
            "--progress",
            "origin",
            &refspec,
        ];
        repo.change(args(fetch), on_event)?;
        Some(head)
    } else {
        on_event(Event::DocsStep {
            step: &format!("cloning {DOCS_BRANCH} of {shown} (shallow, blob-filtered, sparse)"),
        });
        fs::create_dir_all(&new).with_context(|| format!("cannot create `{}`", new.display()))?;
        let clone = args([
            "clone",
            "--depth=1",
            "--filter=blob:none",
            "--no-checkout",
            "--sparse",
            "--single-branch",
            "--no-tags",
            "--progress",
            "--branch",
            DOCS_BRANCH,
            "--",
            url,
        ]);
        let clone = with_path(clone, &new);
        git.run(None, &clone, &repo.heavy, &mut |line| {
            on_event(Event::DocsProgress { line })
        })?;
        None
    };
    let tracking = format!("refs/remotes/origin/{DOCS_BRANCH}^{{commit}}");
    let commit = repo.ask(["rev-parse", "--verify", &tracking], on_event)?;
    on_event(Event::DocsStep {
        step: &format!("checking out {}", short(&commit)),
    });
    let mut sparse = args(["sparse-checkout", "set", "--"]);
    sparse.extend(SPARSE_DIRS.map(Into::into));
    repo.change(sparse, on_event)?;
    let checkout = [
        "checkout",
        "--progress",
        "--force",
        "-B",
        DOCS_BRANCH,
        &commit,
    ];
    repo.change(args(checkout), on_event)?;
    let secs = repo.ask(["show", "-s", "--format=%ct", "HEAD"], on_event)?;
    let committed = rfc3339(UNIX_EPOCH + Duration::from_secs(secs.parse().unwrap_or(0)));
    let (how, changed) = match &previous {
        None => (DocsHow::Cloned, None),
        Some(p) if *p == commit => (DocsHow::Unchanged, Some(0)),
        Some(p) => {
            let mut diff = args(["diff", "--name-only", "--no-renames", p, &commit, "--"]);
            diff.extend(SPARSE_DIRS.map(Into::into));
            let lines = repo.git.run(Some(&new), &diff, &repo.light, &mut |_| {});
            (DocsHow::Updated, lines.ok().map(|o| o.lines))
        }
    };
    on_event(Event::DocsStep {
        step: "reading the docs with permcat's parser",
    });
    let (stats, problems) = validate(staging, &new, &shown, &commit)?;
    gate(&old, &state, &new, opts.allow_shrink)?;
    Ok(DocsSynced {
        url: shown,
        commit,
        committed,
        how,
        previous,
        changed,
        stats,
        problems,
        bytes: dir_size(&new),
        retrieved: rfc3339(SystemTime::now()),
        elapsed: started.elapsed(),
        git: git.version.clone(),
    })
}

/// What the destination's docs folder is; refuses one sync must not replace.
fn inspect(old: &Path) -> Result<Old> {
    let meta = match fs::symlink_metadata(old) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Old::Absent),
        Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", old.display())),
    };
    if meta.file_type().is_symlink() {
        bail!(
            "`{}` is a symbolic link; sync --docs keeps a clone of its own there: remove the \
             link (its target is left alone) or sync without --docs",
            old.display()
        );
    }
    if !meta.is_dir() {
        return Ok(Old::Folder);
    }
    let dot_git = old.join(".git");
    match fs::symlink_metadata(&dot_git) {
        Ok(m) if m.is_dir() => Ok(Old::Clone),
        // A `.git` file or link would lead git to a repository elsewhere.
        Ok(_) => bail!(
            "`{}` is not a folder (a worktree or a link?); sync --docs keeps a clone of its \
             own there: move the folder away or sync without --docs",
            dot_git.display()
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Old::Folder),
        Err(e) => Err(e).with_context(|| format!("cannot read `{}`", dot_git.display())),
    }
}

/// Copies a clone: `.git/objects` and the working files as hard links (git writes a
/// changed file or object anew and never in place, so the old clone keeps its bytes),
/// the rest of `.git` (refs, logs, index, config) as real copies, stale locks left out.
fn copy_clone(from: &Path, to: &Path) -> Result<()> {
    let objects = Path::new(".git/objects");
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.with_context(|| format!("cannot list `{}`", from.display()))?;
        let Ok(rel) = entry.path().strip_prefix(from) else {
            continue;
        };
        let target = to.join(rel);
        let kind = entry.file_type();
        let failed = || format!("cannot copy `{}`", entry.path().display());
        if kind.is_dir() {
            fs::create_dir_all(&target).with_context(failed)?;
        } else if kind.is_symlink() {
            super::swap::copy_link(entry.path(), &target).with_context(failed)?;
        } else {
            let meta = rel.starts_with(".git") && !rel.starts_with(objects);
            if meta && rel.extension().is_some_and(|e| e == "lock") {
                continue;
            }
            if meta || fs::hard_link(entry.path(), &target).is_err() {
                fs::copy(entry.path(), &target).with_context(failed)?;
            }
        }
    }
    Ok(())
}

/// Parses the new tree with permcat's docs reader: a tree without `api-reference/` or
/// without API pages is refused; every other problem is counted.
fn validate(staging: &Path, new: &Path, url: &str, commit: &str) -> Result<(DocsStats, Problems)> {
    let at = format!("the docs repository `{url}` at {}", short(commit));
    if !fs::symlink_metadata(new.join("api-reference")).is_ok_and(|m| m.is_dir()) {
        bail!("{at} has no api-reference/ folder; refusing it");
    }
    let dir = DataDir::open(staging)?;
    let Some(read) = docs::load(&dir).with_context(|| format!("{at} does not parse"))? else {
        bail!("{at}: permcat's docs reader found no api-reference/ folder");
    };
    if !read.root.starts_with(DOCS_FOLDER) {
        bail!("{at}: the docs reader read `{}` instead", read.root);
    }
    let stats = read.stats();
    if stats.api_pages == 0 {
        bail!("{at} has no API pages in api-reference/{{v1.0,beta}}/api; refusing it");
    }
    // Refused files first: they are the ones that say the most about a tree.
    let mut problems: Vec<String> = dir
        .skipped()
        .into_iter()
        .map(|(what, n)| {
            if n > 1 {
                format!("{what} ({n} times)")
            } else {
                what
            }
        })
        .collect();
    let unused = [
        (
            stats.examples_without_request,
            "request examples without a request line",
        ),
        (stats.examples_without_name, "request tags without a name"),
        (stats.snippet_files_skipped, "snippet files without code"),
    ];
    problems.extend(
        unused
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}")),
    );
    // One line per unknown table layout, unknown row or missing include, by file.
    let warnings = read.sets.iter().flat_map(|set| &set.warnings);
    problems.extend(warnings.map(|w| format!("{}: {}", w.file, w.message)));
    let count = dir.skipped().iter().map(|(_, n)| n).sum::<usize>()
        + unused.iter().map(|(n, _)| n).sum::<usize>()
        + read
            .sets
            .iter()
            .map(|set| set.warnings.len())
            .sum::<usize>();
    Ok((
        stats,
        Problems {
            count,
            lines: problems,
        },
    ))
}

/// Pages of a docs folder by kind, counted by listing so old and new are measured alike.
#[derive(Debug, Default, Clone, Copy)]
struct Pages {
    api: usize,
    resources: usize,
    snippets: usize,
}

fn count_md(dir: &Path) -> usize {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".md"))
        .count()
}

fn pages(folder: &Path) -> Pages {
    let mut p = Pages::default();
    for v in ApiVersion::ALL {
        let root = folder.join("api-reference").join(v.as_str());
        p.api += count_md(&root.join("api"));
        p.resources += count_md(&root.join("resources"));
        let snippets = root.join("includes/snippets");
        for lang in fs::read_dir(&snippets).into_iter().flatten().flatten() {
            p.snippets += count_md(&lang.path());
        }
    }
    p
}

/// The shrink gate of the docs: without `allow_shrink`, a tree that lost more than a
/// tenth of the old folder's API pages, resource pages or snippets is refused.
fn gate(old: &Path, state: &Old, new: &Path, allow_shrink: bool) -> Result<()> {
    if allow_shrink || matches!(state, Old::Absent) {
        return Ok(());
    }
    let (was, now) = (pages(old), pages(new));
    let mut lost = Vec::new();
    for (what, o, n) in [
        ("API pages", was.api, now.api),
        ("resource pages", was.resources, now.resources),
        ("snippets", was.snippets, now.snippets),
    ] {
        let dropped = o.saturating_sub(n);
        if dropped * MAX_DROP_DIVISOR > o {
            lost.push(format!(
                "{DOCS_FOLDER}: {o} → {n} {what} (more than 1/{MAX_DROP_DIVISOR} dropped)"
            ));
        }
    }
    if !lost.is_empty() {
        bail!(
            "refusing the new docs:\n  {}\npass --allow-shrink if the upstream really shrank",
            lost.join("\n  ")
        );
    }
    Ok(())
}

/// Refuses an address git would read as an option.
pub(super) fn check_url(url: &str) -> Result<()> {
    if url.is_empty() || url.starts_with('-') || url.chars().any(char::is_control) {
        bail!("--docs-repo `{url}` is not a repository address");
    }
    Ok(())
}

/// `url` without a user name or password, for records and messages.
pub(super) fn public_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}{path}")
}

/// The first twelve characters of a commit.
pub fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// Removes what a failed docs step left in the staging directory. Hard links shared
/// with the old clone go, the old clone's files stay.
pub(super) fn discard(staging: &Path) -> Result<()> {
    let new = staging.join(DOCS_FOLDER);
    match fs::symlink_metadata(&new) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        _ => fs::remove_dir_all(&new)
            .with_context(|| format!("cannot remove the failed docs clone `{}`", new.display())),
    }
}

/// Whether `rel` (relative to the data directory) lies in the docs folder.
pub(super) fn in_docs_folder(rel: &str) -> bool {
    rel.strip_prefix(DOCS_FOLDER)
        .is_some_and(|r| r.starts_with('/'))
}
