//! The catalog cache: what `which`, `show`, `export`, `diff` and `check` need of a
//! linked catalog, saved once per state of the data directory so the next call skips
//! reading and linking 18,700 files.
//!
//! **Key.** A digest of the data directory's state from one metadata walk ([`key`]:
//! every entry's relative path, type, size, modification and change times in
//! nanoseconds, device and inode, symlinks followed, `.git` left out), of its canonical
//! path, of the cache [`file::FORMAT`], and of the permcat binary that wrote it (its
//! version, size, modification time and inode), so a cache from another build is
//! rebuilt, never misread. Nothing is read or hashed beyond metadata: an in-place edit
//! of `permissions.json` changes its size or times and so the key. A cache is not
//! written while a data file is younger than [`RACY`] (an edit within one timestamp
//! tick of the last would keep the same times), so such a call answers from the files.
//!
//! **Location.** `PERMCAT_CACHE_DIR` when set, else the platform cache folder
//! (`$XDG_CACHE_HOME/permcat` or `~/.cache/permcat` on Linux,
//! `~/Library/Caches/permcat` on macOS, `%LOCALAPPDATA%\permcat` on Windows). One
//! folder per data directory, named by a digest of its canonical path, holding one file
//! per section; at most [`MAX_ENTRIES`] folders, the least recently written removed
//! first. Files are written through a temporary sibling and a rename, so a reader sees
//! a whole file or none.
//!
//! **Sections.** `lookup`, for `which`: the catalog without what a lookup never reads
//! (descriptions, resources, examples, conflicts), its endpoints' path trie, and each
//! endpoint key's endpoints and grants encoded on their own
//! ([`crate::lookup::KeyedGrants`]), so a call decodes only the keys its requests reach;
//! `catalog`: the whole catalog, for `show`, `export` and `diff`; `check`: the report
//! `check` prints. Each is postcard behind a checked header ([`file`]).
//!
//! **Failure.** A missing, stale, truncated, corrupt, oversized or other-version file is
//! rebuilt (with a one-line note unless it was merely absent or stale); a cache folder
//! that cannot be written leaves the command working, with a note. The cache never
//! turns into a wrong answer or a failed command.

mod file;
pub mod key;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::Catalog;

pub use file::{FORMAT, HEADER, MAX_FILE};

/// Environment variable naming the cache folder.
pub const ENV: &str = "PERMCAT_CACHE_DIR";

/// Data directories with a cache entry at most; older entries are removed.
pub const MAX_ENTRIES: usize = 8;

/// A data file modified this recently (nanoseconds) keeps the cache from being written.
pub const RACY: i128 = 2_000_000_000;

/// What a command caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The catalog a lookup reads ([`for_lookup`]).
    Lookup,
    /// The whole catalog, with resource slugs.
    Catalog,
    /// `check`'s printed report.
    Check,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Lookup => "lookup",
            Section::Catalog => "catalog",
            Section::Check => "check",
        }
    }

    fn tag(self) -> u32 {
        match self {
            Section::Lookup => 1,
            Section::Catalog => 2,
            Section::Check => 3,
        }
    }
}

/// The cache entry of one data directory in its current state.
#[derive(Debug)]
pub struct Cache {
    place: Place,
    key: [u8; 16],
    /// Whether a data file is too recent for a written cache to be trusted later.
    racy: bool,
}

/// A lookup that got no usable cache: why, for a note, or `None` when the file was
/// simply absent or for another state of the data.
pub type Miss = Option<String>;

/// Where the cache of one data directory lives, before its state is known: reading a
/// cached section and keying the data directory are independent, so they can run at
/// the same time ([`Place::read`] then [`Place::key`]).
#[derive(Debug, Clone)]
pub struct Place {
    root: PathBuf,
    entry: PathBuf,
    canonical: PathBuf,
    build: [u8; 16],
}

impl Place {
    /// The cache place of `data`. `Err` with a note when there is no cache folder or
    /// the data directory or the running binary cannot be identified.
    pub fn locate(data: &Path) -> Result<Place, String> {
        let root = cache_root().ok_or("no cache folder (set PERMCAT_CACHE_DIR)")?;
        Place::locate_in(&root, data)
    }

    /// [`Place::locate`] with the cache folder given.
    pub fn locate_in(root: &Path, data: &Path) -> Result<Place, String> {
        let canonical = fs::canonicalize(data)
            .map_err(|e| format!("cannot resolve `{}` ({e})", data.display()))?;
        let build = build_id().ok_or("cannot identify the running permcat binary")?;
        let entry_name = hex(&Sha256::digest(canonical.as_os_str().as_encoded_bytes())[..12]);
        Ok(Place {
            entry: root.join(entry_name),
            root: root.to_path_buf(),
            canonical,
            build,
        })
    }

    /// Keys the data directory as it is now (the metadata walk).
    pub fn key(self) -> Result<Cache, String> {
        let state = key::data_state(&self.canonical)
            .map_err(|e| format!("cannot list `{}` ({e})", self.canonical.display()))?;
        let path_bytes = self.canonical.as_os_str().as_encoded_bytes();
        let mut key = Sha256::new();
        key.update(FORMAT.to_le_bytes());
        key.update((path_bytes.len() as u64).to_le_bytes());
        key.update(path_bytes);
        key.update(state.digest);
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        Ok(Cache {
            key: first16(&key.finalize()),
            racy: state.newest_mtime_ns > now - RACY,
            place: self,
        })
    }

    fn path(&self, section: Section) -> PathBuf {
        self.entry.join(format!("{}.bin", section.name()))
    }

    /// The cached value of `section` with the key it was written for, checked in every
    /// way but the key: the caller compares that with [`Cache::key_digest`].
    pub fn read<T: DeserializeOwned>(&self, section: Section) -> Result<(T, [u8; 16]), Miss> {
        let path = self.path(section);
        let (payload, key) =
            file::read(&path, section.tag(), &self.build).map_err(|r| match r {
                file::Refusal::Stale => None,
                file::Refusal::Other(why) | file::Refusal::Corrupt(why) => Some(format!(
                    "cache file `{}` {why}; rebuilding it",
                    path.display()
                )),
            })?;
        let value = postcard::from_bytes(&payload).map_err(|e| {
            Some(format!(
                "cache file `{}` does not decode ({e}); rebuilding it",
                path.display()
            ))
        })?;
        Ok((value, key))
    }
}

impl Cache {
    /// The cache entry for `data` as it is now (locates and keys it).
    pub fn open(data: &Path) -> Result<Cache, String> {
        Place::locate(data)?.key()
    }

    /// [`Cache::open`] with the cache folder given.
    pub fn open_in(root: &Path, data: &Path) -> Result<Cache, String> {
        Place::locate_in(root, data)?.key()
    }

    /// The file that holds `section`, for notes.
    pub fn file(&self, section: Section) -> PathBuf {
        self.place.path(section)
    }

    /// The digest of the data directory's state this entry is for.
    pub fn key_digest(&self) -> [u8; 16] {
        self.key
    }

    /// The cached value of `section`, or why there is none.
    pub fn get<T: DeserializeOwned>(&self, section: Section) -> Result<T, Miss> {
        match self.place.read(section)? {
            (value, key) if key == self.key => Ok(value),
            _ => Err(None),
        }
    }

    /// Saves `value` as `section`. `Err` with a note when it could not be written; a
    /// data directory edited too recently is silently not cached.
    pub fn put<T: Serialize>(&self, section: Section, value: &T) -> Result<(), String> {
        if self.racy {
            return Ok(());
        }
        let payload = postcard::to_stdvec(value).map_err(|e| format!("cannot encode ({e})"))?;
        let bytes = file::encode(section.tag(), &self.place.build, &self.key, &payload);
        if bytes.len() as u64 > MAX_FILE {
            return Ok(());
        }
        let path = self.place.path(section);
        // Another permcat pruning the folder may remove this entry between the two
        // steps: one more try then.
        let write = || {
            fs::create_dir_all(&self.place.entry)
                .and_then(|()| crate::staged::write_atomically(&path, &bytes))
        };
        write()
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => write(),
                _ => Err(e),
            })
            .map_err(|e| format!("cannot write `{}` ({e})", path.display()))?;
        prune(&self.place.root);
        Ok(())
    }
}

/// The cache folder: `PERMCAT_CACHE_DIR`, else the platform's.
pub fn cache_root() -> Option<PathBuf> {
    match std::env::var_os(ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|d| d.join("permcat")),
    }
}

/// Identity of the running binary: permcat's version and the executable's size,
/// modification time and inode, so each build (even of the same version) keeps its own
/// cache.
fn build_id() -> Option<[u8; 16]> {
    let exe = std::env::current_exe().ok()?;
    let meta = fs::metadata(&exe).ok()?;
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(meta.len().to_le_bytes());
    h.update(key::modified_ns(&meta).to_le_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        h.update(meta.ino().to_le_bytes());
        h.update(meta.dev().to_le_bytes());
    }
    Some(first16(&h.finalize()))
}

/// Keeps the [`MAX_ENTRIES`] most recently written entries; errors are ignored (the
/// next write tries again).
fn prune(root: &Path) {
    let Ok(list) = fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<(SystemTime, PathBuf)> = list
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| is_entry_name(&e.file_name().to_string_lossy()))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if entries.len() <= MAX_ENTRIES {
        return;
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (_, old) in entries.into_iter().skip(MAX_ENTRIES) {
        let _ = fs::remove_dir_all(old);
    }
}

/// Whether a folder name is one of ours (24 hex digits), so pruning never removes
/// anything else a user keeps in the folder.
fn is_entry_name(name: &str) -> bool {
    name.len() == 24 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

fn first16(d: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The whole catalog with what serde leaves out (resource slugs), for
/// [`Section::Catalog`].
#[derive(Serialize, serde::Deserialize)]
pub struct FullCatalog {
    /// The catalog.
    pub catalog: Catalog,
    /// `catalog.resources[i].slug`, in order.
    pub slugs: Vec<String>,
}

impl FullCatalog {
    /// Wraps a linked catalog.
    pub fn new(catalog: Catalog) -> FullCatalog {
        let slugs = catalog.resources.iter().map(|r| r.slug.clone()).collect();
        FullCatalog { catalog, slugs }
    }

    /// The catalog as linked, slugs restored; `None` when they do not line up.
    pub fn into_catalog(self) -> Option<Catalog> {
        let mut catalog = self.catalog;
        if catalog.resources.len() != self.slugs.len() {
            return None;
        }
        for (r, s) in catalog.resources.iter_mut().zip(self.slugs) {
            r.slug = s;
        }
        Some(catalog)
    }
}

/// The `lookup` section: the catalog [`for_lookup`] keeps, its endpoints' path trie
/// (which takes longer to build than the section takes to read), and each endpoint
/// key's endpoints and grants encoded on their own, so one lookup decodes only the keys
/// it reaches.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct LookupSection {
    /// [`for_lookup`] of the linked catalog without its endpoints and grants.
    pub catalog: Catalog,
    /// [`crate::lookup::PathTrie::from_catalog`] of the linked catalog.
    pub trie: crate::lookup::PathTrie,
    /// [`crate::lookup::KeyedGrants::from_catalog`] of [`for_lookup`] of the linked
    /// catalog.
    pub keyed: crate::lookup::KeyedGrants,
}

impl LookupSection {
    /// The section of a linked catalog.
    pub fn new(catalog: &Catalog) -> LookupSection {
        let mut catalog = for_lookup(catalog);
        let trie = crate::lookup::PathTrie::from_catalog(&catalog);
        let keyed = crate::lookup::KeyedGrants::from_catalog(&catalog);
        // The lookup reads endpoints and grants from `keyed` only.
        catalog.endpoints = Vec::new();
        catalog.grants = Vec::new();
        LookupSection {
            catalog,
            trie,
            keyed,
        }
    }

    /// The lookup over this section.
    pub fn lookup(&self) -> crate::lookup::Lookup<'_> {
        crate::lookup::Lookup::with_keyed(&self.catalog, &self.trie, &self.keyed)
    }
}

/// The catalog without what [`crate::lookup::Lookup`] and `permcat which` never read:
/// texts, localizations and sources of permissions, resources, examples, conflicts and
/// foreign ids, endpoint titles, links, types and per-version sources, grant paths,
/// sources and property lists, cmdlet titles and permission lists. What stays: permissions with their scheme
/// ids and privilege levels, every grant's permission, request, scheme, flags and
/// also-requires, endpoint methods, paths and versions, cmdlet requests, the sources
/// and missing files. The cache tests compare `which` with and without it.
pub fn for_lookup(catalog: &Catalog) -> Catalog {
    let mut c = Catalog {
        data_date: catalog.data_date.clone(),
        sources: catalog.sources.clone(),
        missing: catalog.missing.clone(),
        permissions: catalog.permissions.clone(),
        grants: catalog.grants.clone(),
        endpoints: catalog.endpoints.clone(),
        commands: catalog.commands.clone(),
        // What an audit needs to name a GUID that is not a Graph permission.
        foreign_ids: catalog.foreign_ids.clone(),
        unlisted_tiers: catalog.unlisted_tiers.clone(),
        ..Catalog::default()
    };
    for p in &mut c.permissions {
        p.primary_resource = None;
        p.authorization_type = None;
        p.owner_security_group = None;
        for s in p.schemes.values_mut() {
            s.sources.clear();
            s.admin_display_name = None;
            s.admin_description = None;
            s.user_display_name = None;
            s.user_description = None;
            s.localized.clear();
            s.environments.clear();
        }
    }
    for g in &mut c.grants {
        g.path.clear();
        g.source.clear();
        g.included_properties.clear();
        g.excluded_properties.clear();
    }
    for e in &mut c.endpoints {
        for sources in e.versions.values_mut() {
            sources.clear();
        }
        e.title = None;
        e.doc_links.clear();
        e.resource = None;
        e.bound_to = None;
        e.sources.clear();
    }
    for cmd in &mut c.commands {
        cmd.title = None;
        cmd.doc_link = None;
        cmd.permissions.clear();
    }
    c
}
