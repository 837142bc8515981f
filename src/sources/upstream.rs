//! Where each source's files come from upstream, and the check a downloaded copy must pass
//! before `permcat sync` lets it into a data directory.
//!
//! Every source module declares its own files with [`Upstream`]; `sources::upstream_files`
//! chains those lists, so sync knows nothing a source does not tell it.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::parse_json;

/// An upstream repository and the data-directory folder that mirrors it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repo {
    /// `owner/name` on GitHub.
    pub name: &'static str,
    /// Branch the files are read from.
    pub branch: &'static str,
    /// Folder of the data directory holding the repository's files.
    pub folder: &'static str,
}

/// microsoft-graph-devx-content: permissions, provisioning info and descriptions.
pub const DEVX_CONTENT_REPO: Repo = Repo {
    name: "microsoftgraph/microsoft-graph-devx-content",
    branch: "master",
    folder: super::DEVX_CONTENT,
};

/// msgraph-metadata: the CSDL schemas and the type maps.
pub const METADATA_REPO: Repo = Repo {
    name: "microsoftgraph/msgraph-metadata",
    branch: "master",
    folder: "msgraph-metadata",
};

/// Parses a downloaded file with permcat's own reader and measures it for the shrink gate.
/// `name` (the URL, or the old copy's path) heads every error, with line:column.
pub type Validator = fn(name: &Path, bytes: &[u8]) -> Result<Measure>;

/// One upstream file.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The repository it is read from.
    pub repo: Repo,
    /// Path inside the repository (and inside `repo.folder`).
    pub path: String,
    /// Whether a 404 fails the sync and a copy without entries is refused whatever the
    /// flags (permcat cannot build a catalog without it), or the file is only noted as
    /// missing.
    pub required: bool,
    /// The check a downloaded copy must pass.
    pub validate: Validator,
}

impl Upstream {
    /// A file permcat cannot do without; `rel` is relative to the data directory.
    pub fn required(repo: Repo, rel: &str, validate: Validator) -> Upstream {
        Upstream::at(repo, rel, true, validate)
    }

    /// A file a mirror may lack; `rel` is relative to the data directory.
    pub fn optional(repo: Repo, rel: &str, validate: Validator) -> Upstream {
        Upstream::at(repo, rel, false, validate)
    }

    fn at(repo: Repo, rel: &str, required: bool, validate: Validator) -> Upstream {
        let path = rel
            .strip_prefix(repo.folder)
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(rel)
            .to_string();
        Upstream {
            repo,
            path,
            required,
            validate,
        }
    }

    /// Path relative to the data directory.
    pub fn rel(&self) -> String {
        format!("{}/{}", self.repo.folder, self.path)
    }

    /// Download address under a base URL (`{base}/{repo}/{branch}/{path}`), each path
    /// segment percent-encoded (the tiering's folder name has spaces).
    pub fn url(&self, base_url: &str) -> String {
        const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b'#')
            .add(b'%')
            .add(b'<')
            .add(b'>')
            .add(b'?')
            .add(b'`')
            .add(b'{')
            .add(b'}');
        let path: Vec<String> = self
            .path
            .split('/')
            .map(|s| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string())
            .collect();
        format!(
            "{}/{}/{}/{}",
            base_url.trim_end_matches('/'),
            self.repo.name,
            self.repo.branch,
            path.join("/")
        )
    }

    /// File name, for progress lines.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// The repositories of `files`, each once, in order of first appearance.
pub fn repos(files: &[Upstream]) -> Vec<Repo> {
    let mut repos: Vec<Repo> = Vec::new();
    for f in files {
        if !repos.contains(&f.repo) {
            repos.push(f.repo);
        }
    }
    repos
}

/// What the shrink gate looks at in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Measure {
    /// What `entries` counts: `permissions`, `types`, `commands` or `entries`.
    pub unit: &'static str,
    /// Top-level keys of a JSON object, without `$`-annotations such as `$schema`.
    pub keys: BTreeSet<String>,
    /// Entries: permissions, scopes, types, commands.
    pub entries: usize,
    /// Names whose loss counts against the shrink limit (permission names); empty where
    /// the file's entries are not tracked by name.
    pub names: BTreeSet<String>,
}

impl Measure {
    /// Checks that `bytes` parse as `T`, then measures them as loose JSON.
    pub fn json<T: DeserializeOwned>(
        name: &Path,
        bytes: &[u8],
        unit: &'static str,
    ) -> Result<Measure> {
        Ok(Measure::of_value(&checked_json::<T>(name, bytes)?, unit))
    }

    /// Top-level keys and entries of a JSON document: an object's members each count
    /// their own size; any other document counts its own.
    pub fn of_value(value: &Value, unit: &'static str) -> Measure {
        let size = |v: &Value| match v {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            Value::Null => 0,
            _ => 1,
        };
        let mut m = Measure {
            unit,
            ..Measure::default()
        };
        match value {
            Value::Object(o) => {
                for (k, v) in o.iter().filter(|(k, _)| !k.starts_with('$')) {
                    m.keys.insert(k.clone());
                    m.entries += size(v);
                }
            }
            other => m.entries = size(other),
        }
        m
    }
}

/// Parses `bytes` as `T` (the typed reader a source uses), then again as loose JSON,
/// which gives keys and sizes alike for every shape.
pub fn checked_json<T: DeserializeOwned>(name: &Path, bytes: &[u8]) -> Result<Value> {
    parse_json::<T>(name, bytes).map(drop)?;
    parse_json(name, bytes)
}
