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
pub mod tiering;
pub mod typemap;

pub mod upstream;

mod load;
pub use load::{load, load_and, Records};

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use serde::de::DeserializeOwned;

pub use upstream::{Measure, Repo, Upstream};

/// Every upstream file `permcat sync` fetches, source by source, in download order. A
/// source declares its own files; adding one means adding its list here.
pub fn upstream_files() -> Vec<Upstream> {
    [
        permissions::upstream(),
        provisioning::upstream(),
        descriptions::upstream(),
        csdl::upstream::upstream(),
        typemap::upstream(),
        commands::upstream(),
        tiering::upstream(),
    ]
    .concat()
}

/// Upstream folder of the permission files, relative to the data directory.
pub const DEVX_CONTENT: &str = "microsoft-graph-devx-content";

/// Most bytes permcat reads from one JSON file of a data directory (the largest upstream
/// file, MgCommandMetadata.json, is about 21 MB).
pub const JSON_CAP: u64 = 256 << 20;
/// Most bytes of one schema (CSDL) file (the beta schema with descriptions is ~60 MB).
pub const XML_CAP: u64 = 512 << 20;
/// Most bytes of one docs page, include or snippet.
pub const DOCS_CAP: u64 = 8 << 20;

/// Why an existing file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// After resolving symlinks it lies outside the folder it must stay in.
    Outside,
    /// A FIFO, device, socket or folder rather than a regular file.
    NotRegular(&'static str),
    /// Larger than the cap for its kind.
    TooLarge(u64),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Outside => f.write_str("outside the data directory after resolving symlinks"),
            Refused::NotRegular(what) => write!(f, "not a regular file ({what})"),
            Refused::TooLarge(cap) => write!(f, "larger than the {} MiB cap", cap >> 20),
        }
    }
}

fn kind_of(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file of at most `cap` bytes. `Ok(None)` when it does not exist;
/// `Ok(Some(Err(_)))` when it exists but is refused. The file is opened without
/// blocking and checked after opening, so a FIFO swapped in never hangs the read, and
/// the cap holds even for a file that grows while it is read.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Option<Result<Vec<u8>, Refused>>> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    read_capped_after(path, &meta, cap)
}

/// [`read_capped`] with the file's metadata (symlinks followed) already at hand, so a
/// caller that has just looked at the file does not ask the file system twice.
fn read_capped_after(
    path: &Path,
    meta: &fs::Metadata,
    cap: u64,
) -> io::Result<Option<Result<Vec<u8>, Refused>>> {
    use std::io::Read;
    if !meta.is_file() {
        return Ok(Some(Err(Refused::NotRegular(kind_of(meta)))));
    }
    if meta.len() > cap {
        return Ok(Some(Err(Refused::TooLarge(cap))));
    }
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Ok(Some(Err(Refused::NotRegular(kind_of(&opened)))));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len().min(cap)).unwrap_or(0));
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Ok(Some(Err(Refused::TooLarge(cap))));
    }
    Ok(Some(Ok(bytes)))
}

/// Whether `path`, with symlinks resolved, lies inside `base` (also resolved).
pub fn is_inside(path: &Path, base: &Path) -> bool {
    match (fs::canonicalize(path), fs::canonicalize(base)) {
        (Ok(p), Ok(b)) => p.starts_with(b),
        _ => false,
    }
}

/// A data directory laid out like the upstream repositories.
///
/// Every file is read through [`DataDir::read_within`]: it must be a regular file under a size
/// cap, inside the upstream folder it belongs to once symlinks are resolved. A folder
/// of the data directory (`microsoft-graph-docs-contrib`, …) may itself be a symlink to
/// a checkout elsewhere; a link inside it that leads out of it is refused. Refused
/// optional files are skipped with a warning naming them; a refused required file is an
/// error.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
    skipped: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, usize>>>,
    /// Folders with their symlinks resolved (`None` when that failed), asked once each:
    /// the 18,000 docs files of a snapshot share a few dozen folders, and resolving every
    /// component of every file's path was most of the time spent reading them.
    folders: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<PathBuf, Option<PathBuf>>>>,
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
        Ok(DataDir {
            root,
            skipped: Default::default(),
            folders: Default::default(),
        })
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Absolute-or-relative path of a file given relative to the data directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The folder a path of the data directory must stay inside: the upstream folder
    /// it starts with (its first component), or the data directory for top-level files.
    fn base_of(&self, path: &Path) -> PathBuf {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        let mut parts = rel.components();
        match (parts.next(), parts.next()) {
            (Some(first), Some(_)) => self.root.join(first),
            _ => self.root.clone(),
        }
    }

    /// Records a skipped file for `check`'s warnings.
    pub fn skip(&self, path: &Path, why: &str) {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        if let Ok(mut s) = self.skipped.lock() {
            *s.entry(format!("skipped `{}`: {why}", rel.display()))
                .or_default() += 1;
        }
    }

    /// The files skipped so far, with how often.
    pub fn skipped(&self) -> Vec<(String, usize)> {
        self.skipped
            .lock()
            .map(|s| s.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default()
    }

    /// Reads a file of the data directory under `cap`, inside `within` (or its upstream
    /// folder). `Ok(None)` when missing; a refused file is `Err` with the reason.
    pub fn read_within(
        &self,
        path: &Path,
        within: Option<&Path>,
        cap: u64,
    ) -> Result<Option<Result<Vec<u8>, Refused>>> {
        let Ok(link_meta) = fs::symlink_metadata(path) else {
            return Ok(None);
        };
        let base = within.map_or_else(|| self.base_of(path), Path::to_path_buf);
        if !self.lies_inside(path, &link_meta, &base) {
            // A dangling link is simply missing.
            if fs::metadata(path).is_err() {
                return Ok(None);
            }
            return Ok(Some(Err(Refused::Outside)));
        }
        let read = if link_meta.file_type().is_symlink() {
            read_capped(path, cap)
        } else {
            // Not a link: what it points to is itself.
            read_capped_after(path, &link_meta, cap)
        };
        read.with_context(|| format!("failed to read `{}`", path.display()))
    }

    /// A folder with its symlinks resolved, remembered.
    fn resolved_folder(&self, folder: &Path) -> Option<PathBuf> {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        if let Some(known) = self
            .folders
            .lock()
            .ok()
            .and_then(|f| f.get(folder).cloned())
        {
            return known;
        }
        let resolved = fs::canonicalize(folder).ok();
        if let Ok(mut f) = self.folders.lock() {
            f.insert(folder.to_path_buf(), resolved.clone());
        }
        resolved
    }

    /// [`is_inside`] for a file whose own metadata (`link_meta`, symlinks not followed)
    /// is known. A file that is not itself a link resolves to its folder resolved plus
    /// its name, so only the folders are resolved, once each; a link, or a path not
    /// ending in a plain name, is resolved whole.
    fn lies_inside(&self, path: &Path, link_meta: &fs::Metadata, base: &Path) -> bool {
        let Some(base) = self.resolved_folder(base) else {
            return false;
        };
        let plain_name = match path.components().next_back() {
            Some(std::path::Component::Normal(name)) => {
                let raw = path.as_os_str().as_encoded_bytes();
                // `a/.` and `a/` name `a` after resolving it, so their last component
                // as written is not what `components` shows.
                (!raw.ends_with(b"/") && !raw.ends_with(b"/.")).then_some(name)
            }
            _ => None,
        };
        let resolved = match plain_name {
            Some(name) if !link_meta.file_type().is_symlink() => {
                let parent = path.parent().unwrap_or(Path::new("."));
                self.resolved_folder(parent).map(|p| p.join(name))
            }
            _ => fs::canonicalize(path).ok(),
        };
        resolved.is_some_and(|p| p.starts_with(base))
    }

    /// Reads an optional file: missing → `None`; refused → `None` with a warning.
    pub fn read_path(&self, path: &Path, cap: u64) -> Result<Option<Vec<u8>>> {
        match self.read_within(path, None, cap)? {
            None => Ok(None),
            Some(Ok(bytes)) => Ok(Some(bytes)),
            Some(Err(why)) => {
                self.skip(path, &why.to_string());
                Ok(None)
            }
        }
    }

    /// Reads a file's bytes; `Ok(None)` when it does not exist or is refused (with a
    /// warning). The cap follows the file's kind.
    pub fn read_optional(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        self.read_path(&self.path(rel), cap_for(rel))
    }

    /// Reads a file that must be there and be readable.
    pub fn read_required(&self, rel: &str, what: &str) -> Result<Vec<u8>> {
        let path = self.path(rel);
        match self.read_within(&path, None, cap_for(rel))? {
            None => Err(anyhow!("{what} not found: expected `{}`", path.display())),
            Some(Ok(bytes)) => Ok(bytes),
            Some(Err(why)) => Err(anyhow!("{what} `{}` is {why}", path.display())),
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
        let bytes = self.read_required(rel, what)?;
        parse_json(&self.path(rel), &bytes)
    }
}

/// The size cap of a data file by its kind.
pub fn cap_for(rel: &str) -> u64 {
    if rel.ends_with(".xml") {
        XML_CAP
    } else if rel.ends_with(".md") {
        DOCS_CAP
    } else {
        JSON_CAP
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
