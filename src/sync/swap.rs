//! The data directory side of `permcat sync`: listing the old directory, staging the
//! new one beside it with everything the download did not cover, and swapping it in.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::SyncReport;
use crate::sources::snapshot::SNAPSHOT_FILE;
use crate::staged::{parent_of, StagedDir};

/// What an entry of a data directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A folder.
    Dir,
    /// A regular file (or anything else that is not a folder or a link).
    File,
    /// A symbolic link, kept as a link.
    Symlink,
}

/// One entry of a data directory.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// Relative, with `/` separators.
    pub(super) rel: String,
    /// File, folder or link.
    pub(super) kind: Kind,
    /// Its mode, so a folder keeps it across the swap.
    pub(super) permissions: fs::Permissions,
}

/// Everything under a directory (folders included, so empty ones are kept), relative
/// and sorted, parents before children; empty when the directory does not exist.
pub(super) fn list_tree(root: &Path) -> Result<Vec<Entry>> {
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

/// A fresh staging directory beside `dest`, so the swap is a rename on one file
/// system. A dry run whose destination's parent does not exist stages in the system's
/// temporary directory instead of creating folders.
pub(super) fn create_staging(dest: &Path, dry_run: bool) -> Result<StagedDir> {
    if dest.file_name().is_none() {
        bail!("`{}` has no directory name", dest.display());
    }
    let mut parent = parent_of(dest).to_path_buf();
    if dry_run && !parent.is_dir() {
        parent = std::env::temp_dir();
    } else {
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    StagedDir::new_in(&parent, dest, "sync").with_context(|| {
        format!(
            "cannot create a staging directory in `{}`",
            parent.display()
        )
    })
}

/// Completes the staging directory with the old destination's other files and folders
/// and the new `SNAPSHOT.json`, gives its folders the old folders' modes, then swaps it
/// in by two renames. On any failure the staging directory is removed and `dest` is
/// left as it was.
pub(super) fn swap_in(
    dest: &Path,
    staging: StagedDir,
    old_tree: &[Entry],
    report: &SyncReport,
    snapshot: &[u8],
) -> Result<()> {
    let root = staging.path().to_path_buf();
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
    // Once the new data is in place, a leftover old copy is untidy but harmless, so the
    // old directory is removed without a word.
    staging
        .swap_into(dest)
        .map(drop)
        .map_err(|e| e.describe("cannot", "data"))
}

/// Recreates the symbolic link `from` at `to`, pointing where it pointed.
#[cfg(unix)]
pub(super) fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(from)?, to)
}

/// Without a portable way to tell file links from folder links, copies what `from`
/// points at.
#[cfg(not(unix))]
pub(super) fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    fs::copy(from, to).map(drop)
}
