//! Readers for the upstream formats, one module each.
//!
//! A source reads files from a data directory that keeps the upstream repositories' own
//! layout and returns plain records. It knows nothing of other sources or of output.

pub mod commands;
pub mod csdl;
pub mod descriptions;
pub mod docs;
pub mod permissions;
pub mod provisioning;
pub mod snapshot;
pub mod typemap;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use serde::de::DeserializeOwned;

/// Upstream folder of the permission files, relative to the data directory.
pub const DEVX_CONTENT: &str = "microsoft-graph-devx-content";

/// A data directory laid out like the upstream repositories.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Wraps a directory; fails when it does not exist.
    pub fn open(root: impl Into<PathBuf>) -> Result<DataDir> {
        let root = root.into();
        if !root.is_dir() {
            return Err(anyhow!(
                "data directory `{}` does not exist or is not a directory (pass --data DIR)",
                root.display()
            ));
        }
        Ok(DataDir { root })
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Absolute-or-relative path of a file given relative to the data directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Reads a file's bytes; `Ok(None)` when it does not exist.
    pub fn read_optional(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(rel);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("failed to read `{}`", path.display())),
        }
    }

    /// Names of the entries of a folder given relative to the data directory, sorted;
    /// `Ok(None)` when it does not exist. Names that are not UTF-8 are skipped, as no
    /// upstream layout uses them.
    pub fn list_dir(&self, rel: &str) -> Result<Option<Vec<String>>> {
        let path = self.path(rel);
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(e).with_context(|| format!("failed to list `{}`", path.display()))
            }
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("failed to list `{}`", path.display()))?;
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
        names.sort();
        Ok(Some(names))
    }

    /// Names of the files (not folders) directly in a folder given relative to the data
    /// directory, sorted; empty when the folder does not exist.
    pub fn list_files(&self, rel: &str) -> Result<Vec<String>> {
        let names = self.list_dir(rel)?.unwrap_or_default();
        Ok(names
            .into_iter()
            .filter(|n| self.path(&format!("{rel}/{n}")).is_file())
            .collect())
    }

    /// Parses an optional JSON file; `Ok(None)` when it does not exist.
    pub fn json_optional<T: DeserializeOwned>(&self, rel: &str) -> Result<Option<T>> {
        match self.read_optional(rel)? {
            Some(bytes) => parse_json(&self.path(rel), &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Parses a JSON file that must exist; `what` names it in the error.
    pub fn json_required<T: DeserializeOwned>(&self, rel: &str, what: &str) -> Result<T> {
        self.json_optional(rel)?
            .ok_or_else(|| anyhow!("{what} not found: expected `{}`", self.path(rel).display()))
    }
}

/// Parses JSON, naming the file, line and column on error. A UTF-8 byte-order mark is
/// skipped, as some upstream files start with one.
pub fn parse_json<T: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        if e.line() == 0 {
            anyhow!("`{}`: invalid JSON: {e}", path.display())
        } else {
            anyhow!(
                "`{}`:{}:{}: invalid JSON: {}",
                path.display(),
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            )
        }
    })
}

/// serde_json appends " at line L column C"; the position is already in front.
fn strip_position(msg: &str) -> &str {
    msg.rfind(" at line ").map_or(msg, |i| &msg[..i])
}
