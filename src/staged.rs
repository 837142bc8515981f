//! Writing output so readers see the old version or the new one, never half of either:
//! one file through a temporary sibling and a rename, a directory staged beside its
//! destination and swapped in by two renames. A failure leaves the old output untouched
//! and removes what was staged.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::{Builder, TempDir};

/// The directory holding `path` (`.` for a bare name).
pub fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Name of a temporary sibling of `path` up to its random part:
/// `.{name}.permcat-{tag}-`, so a leftover says what it was for.
fn sibling_prefix(path: &Path, tag: &str) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.permcat-{tag}-")
}

/// Writes a file through a temporary sibling and a rename, so readers never see a
/// half-written file and a failure leaves the old one untouched. A target that exists
/// but is not a regular file (`/dev/null`, a pipe) is written in place instead, since
/// renaming over it would replace the device.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(bytes);
    }
    // Opened here rather than by `tempfile_in`, so the file gets the usual mode for new
    // files (not 0600) and errors read as the system's own.
    let mut tmp = Builder::new()
        .prefix(&sibling_prefix(path, "tmp"))
        .make_in(parent_of(path), |p| {
            fs::OpenOptions::new().write(true).create_new(true).open(p)
        })?;
    // Dropping `tmp` on any failure removes the temporary file.
    tmp.as_file_mut().write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

/// A directory being filled beside its destination; removed unless it was swapped in.
#[derive(Debug)]
pub struct StagedDir {
    dir: TempDir,
}

impl StagedDir {
    /// A new empty directory in `parent`, named `.{name}.permcat-{tag}-` and a random
    /// part after `dest`, so a leftover says what it was for.
    /// `parent` should be `dest`'s own, so the swap is a rename on one file system.
    pub fn new_in(parent: &Path, dest: &Path, tag: &str) -> io::Result<StagedDir> {
        let dir = Builder::new()
            .prefix(&sibling_prefix(dest, tag))
            .tempdir_in(parent)?;
        Ok(StagedDir { dir })
    }

    /// Where to write the new contents.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces `dest` with the staged directory (see [`swap_dir`]). On failure the
    /// staged directory is removed and `dest` is as it was.
    pub fn swap_into(self, dest: &Path) -> Result<Swapped, SwapError> {
        let swapped = swap_dir(self.dir.path(), dest)?;
        // The staged directory is `dest` now; nothing is left to remove.
        let _ = self.dir.keep();
        Ok(swapped)
    }
}

/// Which rename of a swap failed; either way `dest` holds what it held before.
#[derive(Debug)]
pub enum SwapError {
    /// The old directory could not be moved aside.
    Aside(PathBuf, io::Error),
    /// The new directory could not take the old one's name; the old one is back.
    Into(PathBuf, io::Error),
}

impl SwapError {
    /// The error with the caller's wording: `{failed} move `dest` aside` or `{failed} move
    /// the new {what} to `dest``.
    pub fn describe(self, failed: &str, what: &str) -> anyhow::Error {
        match self {
            SwapError::Aside(dest, e) => {
                anyhow::Error::new(e).context(format!("{failed} move `{}` aside", dest.display()))
            }
            SwapError::Into(dest, e) => anyhow::Error::new(e).context(format!(
                "{failed} move the new {what} to `{}`",
                dest.display()
            )),
        }
    }
}

/// A finished swap, still holding the old directory; dropping it removes that quietly.
#[derive(Debug)]
pub struct Swapped {
    old: Option<TempDir>,
}

impl Swapped {
    /// Removes the old directory, reporting a failure; `Err` names what is left over.
    pub fn remove_old(mut self) -> Result<(), (PathBuf, io::Error)> {
        let Some(old) = self.old.take() else {
            return Ok(());
        };
        let path = old.keep();
        fs::remove_dir_all(&path).map_err(|e| (path, e))
    }
}

/// Replaces the directory `dest` with the directory `new`: the old one moves aside into a
/// fresh directory beside it, `new` takes its name, and the old one is removed only when
/// [`Swapped`] goes. Between the two renames `dest` is briefly absent, never half-built;
/// if the second rename fails the old directory is moved back (and, should even that
/// fail, kept where it was moved aside). `new` itself is the caller's to remove on error.
pub fn swap_dir(new: &Path, dest: &Path) -> Result<Swapped, SwapError> {
    let old = if dest.exists() {
        let aside = Builder::new()
            .prefix(&sibling_prefix(dest, "old"))
            .tempdir_in(parent_of(dest))
            .map_err(|e| SwapError::Aside(dest.to_path_buf(), e))?;
        let moved = aside.path().join("old");
        fs::rename(dest, &moved).map_err(|e| SwapError::Aside(dest.to_path_buf(), e))?;
        Some((aside, moved))
    } else {
        None
    };
    if let Err(e) = fs::rename(new, dest) {
        if let Some((aside, moved)) = old {
            if fs::rename(&moved, dest).is_err() {
                // The old data now lives only in `aside`: never remove it.
                let _ = aside.keep();
            }
        }
        return Err(SwapError::Into(dest.to_path_buf(), e));
    }
    Ok(Swapped {
        old: old.map(|(aside, _)| aside),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_is_left() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = tmp.path().join("out.json");
        write_atomically(&path, b"old").expect("first write");
        write_atomically(&path, b"new").expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"new");
        assert_eq!(names(tmp.path()), ["out.json"]);
        // The same mode a plain new file gets, not a temporary file's 0600.
        let plain = tmp.path().join("plain");
        fs::File::create(&plain).expect("create");
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions();
        assert_eq!(mode(&path), mode(&plain));
    }

    #[test]
    fn a_failed_write_says_why_in_the_systems_words_and_leaves_nothing() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let err = write_atomically(&tmp.path().join("missing/out.json"), b"new")
            .expect_err("no such folder");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(!err.to_string().contains("at path"), "{err}");
        assert!(names(tmp.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place() {
        write_atomically(Path::new("/dev/null"), b"gone").expect("write /dev/null");
        assert!(!fs::metadata("/dev/null").expect("meta").is_file());
    }

    /// A temporary folder holding `site/a` with `old` in it.
    fn old_site() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dest = tmp.path().join("site");
        fs::create_dir(&dest).expect("mkdir");
        fs::write(dest.join("a"), b"old").expect("write");
        (tmp, dest)
    }

    #[test]
    fn a_staged_dir_replaces_the_old_one_or_vanishes() {
        let (tmp, dest) = old_site();

        let staged = StagedDir::new_in(tmp.path(), &dest, "new").expect("stage");
        fs::write(staged.path().join("a"), b"new").expect("write");
        staged
            .swap_into(&dest)
            .expect("swap")
            .remove_old()
            .expect("clean");
        assert_eq!(fs::read(dest.join("a")).expect("read"), b"new");
        assert_eq!(names(tmp.path()), ["site"]);

        // A staged directory that is never swapped in disappears.
        let staged = StagedDir::new_in(tmp.path(), &dest, "new").expect("stage");
        fs::write(staged.path().join("a"), b"lost").expect("write");
        drop(staged);
        assert_eq!(names(tmp.path()), ["site"]);
        assert_eq!(fs::read(dest.join("a")).expect("read"), b"new");
    }

    #[test]
    fn a_failed_swap_puts_the_old_directory_back() {
        let (tmp, dest) = old_site();
        // A missing source makes the second rename fail.
        let err = swap_dir(&tmp.path().join("missing"), &dest).expect_err("must fail");
        assert!(matches!(err, SwapError::Into(..)));
        let msg = format!("{:#}", err.describe("cannot", "data"));
        assert!(msg.starts_with("cannot move the new data to `"), "{msg}");
        assert_eq!(fs::read(dest.join("a")).expect("read"), b"old");
        assert_eq!(names(tmp.path()), ["site"]);
    }
}
