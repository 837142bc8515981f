//! Writing the site as it is rendered: every renderer hands its files to one
//! [`SiteWriter`], from whichever thread rendered them, and the writer puts them into
//! the staged directory at once, so no step holds the whole site in memory.
//!
//! The writer refuses a second file whose path equals an earlier one ignoring ASCII case
//! (a case-insensitive file system keeps the two as one file, silently losing a page)
//! before writing it, creates each folder once, and remembers every path and size for
//! the marker, the sitemap and the build report.

use crate::hash::{HashMap, HashSet};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{bail, Context, Result};

use super::Files;

/// One written file: its path relative to the site root and its size in bytes.
pub(crate) type Written = (String, u64);

/// Writes files into one directory from any thread.
pub(crate) struct SiteWriter {
    root: PathBuf,
    /// Folders known to exist, relative to the root (`""` is the root itself).
    dirs: Mutex<HashSet<String>>,
    /// Every path claimed so far, by its ASCII-lower-case form.
    claimed: Mutex<HashMap<String, String>>,
    /// Every file written so far, in no particular order.
    written: Mutex<Vec<Written>>,
}

/// A poisoned lock only means another thread panicked while holding it; the sets stay
/// usable, and the panic itself fails the build.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SiteWriter {
    /// A writer into the existing, empty directory `root`. `reserved` names paths that
    /// are written last (the marker) and that no page may take.
    pub(crate) fn new(root: &Path, reserved: &[&str]) -> SiteWriter {
        let claimed = reserved
            .iter()
            .map(|r| (r.to_ascii_lowercase(), (*r).to_string()))
            .collect();
        SiteWriter {
            root: root.to_path_buf(),
            dirs: Mutex::new(std::iter::once(String::new()).collect()),
            claimed: Mutex::new(claimed),
            written: Mutex::new(Vec::new()),
        }
    }

    /// Claims `rel` for one file, failing when another file has the same path ignoring
    /// case; the message names both in sorted order, whichever thread came first.
    fn claim(&self, rel: &str) -> Result<()> {
        if rel.is_empty()
            || rel
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..")
        {
            bail!("`{rel}` is not a file path inside the site");
        }
        let mut claimed = lock(&self.claimed);
        match claimed.get(&rel.to_ascii_lowercase()) {
            Some(other) => {
                let (a, b) = if other.as_str() <= rel {
                    (other.as_str(), rel)
                } else {
                    (rel, other.as_str())
                };
                bail!("two pages would be written to `{a}` and `{b}`; one would be lost")
            }
            None => {
                claimed.insert(rel.to_ascii_lowercase(), rel.to_string());
                Ok(())
            }
        }
    }

    /// Creates the folder of `rel` unless it was created before.
    fn folder_of(&self, rel: &str) -> Result<()> {
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let mut dirs = lock(&self.dirs);
        if dirs.contains(dir) {
            return Ok(());
        }
        let path = self.root.join(dir);
        fs::create_dir_all(&path)
            .with_context(|| format!("failed to create `{}`", path.display()))?;
        // Its parents exist now as well.
        let mut d = dir;
        loop {
            if !dirs.insert(d.to_string()) {
                break;
            }
            match d.rsplit_once('/') {
                Some((parent, _)) => d = parent,
                None => break,
            }
        }
        Ok(())
    }

    /// Writes one file.
    pub(crate) fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_with(rel, |w| w.write_all(bytes).map_err(anyhow::Error::from))
    }

    /// Writes one file whose bytes `fill` produces, straight into the file (buffered),
    /// for exports too large to hold in memory twice.
    pub(crate) fn write_with(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        self.claim(rel)?;
        self.folder_of(rel)?;
        let path = self.root.join(rel);
        let failed = || format!("failed to write `{}`", path.display());
        let file = fs::File::create(&path).with_context(failed)?;
        let mut counter = Counter {
            inner: BufWriter::with_capacity(64 << 10, file),
            bytes: 0,
        };
        fill(&mut counter).with_context(failed)?;
        counter.inner.flush().with_context(failed)?;
        lock(&self.written).push((rel.to_string(), counter.bytes));
        Ok(())
    }

    /// Writes a batch of files, in order.
    pub(crate) fn write_all(&self, files: Files) -> Result<()> {
        for (rel, bytes) in files {
            self.write(&rel, &bytes)?;
        }
        Ok(())
    }

    /// Every file written since the last call, sorted by path.
    pub(crate) fn take(&self) -> Vec<Written> {
        let mut written = std::mem::take(&mut *lock(&self.written));
        written.sort_unstable();
        written
    }
}

/// Counts the bytes going through a writer.
struct Counter<W: Write> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
