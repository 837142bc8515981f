//! `SNAPSHOT.json`: which upstream commit and date each file of a data directory came from.

use serde::Deserialize;

use super::DataDir;
use anyhow::Result;

/// File name of the snapshot record at the root of a data directory.
pub const SNAPSHOT_FILE: &str = "SNAPSHOT.json";

/// The parsed snapshot record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Snapshot {
    /// Free-form name of the snapshot.
    #[serde(default)]
    pub name: Option<String>,
    /// One entry per (repository folder, commit).
    #[serde(default)]
    pub sources: Vec<SnapshotSource>,
}

/// Files of one upstream folder taken at one commit.
#[derive(Debug, Clone, Deserialize)]
pub struct SnapshotSource {
    /// Upstream repository, `owner/name`.
    pub repo: Option<String>,
    /// Folder in the data directory holding that repository's files.
    pub folder: String,
    /// Commit the files were taken from.
    pub commit: Option<String>,
    /// Date of that commit.
    pub date: Option<String>,
    /// Paths relative to `folder`; a trailing `/` means a whole tree.
    #[serde(default)]
    pub files: Vec<String>,
}

impl Snapshot {
    /// Reads `SNAPSHOT.json`; `None` when the data directory has none.
    pub fn load(dir: &DataDir) -> Result<Option<Snapshot>> {
        dir.json_optional(SNAPSHOT_FILE)
    }

    /// The entry that covers a file given relative to the data directory.
    pub fn find(&self, rel: &str) -> Option<&SnapshotSource> {
        self.sources.iter().find(|s| {
            let Some(inner) = rel
                .strip_prefix(s.folder.as_str())
                .and_then(|r| r.strip_prefix('/'))
            else {
                return false;
            };
            s.files.iter().any(|f| match f.strip_suffix('/') {
                Some(tree) => inner.starts_with(tree) && inner[tree.len()..].starts_with('/'),
                None => f == inner,
            })
        })
    }
}
