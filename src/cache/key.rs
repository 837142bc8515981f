//! The cache key: a digest of the data directory's state from one walk of its
//! metadata, without reading any file.
//!
//! Every entry under the data directory (symlinks followed, so a data directory made of
//! links into a checkout elsewhere is keyed by the files the links lead to) contributes
//! its relative path, type, size, modification and change times in nanoseconds, device
//! and inode. An in-place edit changes the size or the modification time (and always the
//! change time), a replaced file its inode, a re-pointed symlink the inode it leads to,
//! an added or removed file the listing. `.git` folders are left out: the loader never
//! reads them, and git touches them on every command.
//!
//! Subfolders are walked in parallel (rayon); each folder's digest covers its entries in
//! name order and the digests of its subfolders, so the key does not depend on thread
//! timing.

use std::fs;
use std::io;
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// Folders never keyed: the loader never reads inside them.
const SKIPPED_DIRS: [&str; 1] = [".git"];

/// Deepest folder nesting followed; deeper folders count as one opaque entry.
const MAX_DEPTH: usize = 64;

/// The walk's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataState {
    /// SHA-256 over every entry's metadata.
    pub digest: [u8; 32],
    /// The latest modification time of any file, in nanoseconds since the epoch; a
    /// cache written within the file system's timestamp granularity of it could miss a
    /// second edit in the same tick, so it is not written then.
    pub newest_mtime_ns: i128,
}

/// Walks `root` and digests its state. Fails only when `root` itself cannot be read;
/// an unreadable entry below it is keyed as unreadable, with its error kind.
pub fn data_state(root: &Path) -> io::Result<DataState> {
    let meta = fs::metadata(root)?;
    let ancestors = vec![(dev(&meta), ino(&meta))];
    let (digest, newest) = walk(root, 0, &ancestors)?;
    Ok(DataState {
        digest,
        newest_mtime_ns: newest,
    })
}

/// A folder's digest and the newest modification time (ns) below it.
type Keyed = ([u8; 32], i128);

fn walk(dir: &Path, depth: usize, ancestors: &[(u64, u64)]) -> io::Result<Keyed> {
    let mut entries: Vec<(std::ffi::OsString, fs::DirEntry)> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| (e.file_name(), e))
        .filter(|(name, _)| !SKIPPED_DIRS.iter().any(|s| name == s))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // The entry's own metadata comes from its folder's descriptor (statx on the open
    // folder); only a symlink costs a second lookup, to what it leads to. A folder of
    // the docs holds thousands of files, so its entries are split between threads too.
    let metas: Vec<io::Result<fs::Metadata>> = entries
        .par_iter()
        .with_min_len(512)
        .map(|(_, entry)| match entry.file_type() {
            Ok(t) if t.is_symlink() => fs::metadata(entry.path()),
            _ => entry.metadata(),
        })
        .collect();
    // Subfolders, in parallel; a folder that is one of its own ancestors (a symlink
    // loop) or too deep is keyed by its metadata alone.
    let folders: Vec<(usize, (u64, u64))> = metas
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let m = m.as_ref().ok().filter(|m| m.is_dir())?;
            let id = (dev(m), ino(m));
            (depth < MAX_DEPTH && !ancestors.contains(&id)).then_some((i, id))
        })
        .collect();
    let children: Vec<(usize, io::Result<Keyed>)> = folders
        .par_iter()
        .map(|&(i, id)| {
            let mut mine = ancestors.to_vec();
            mine.push(id);
            (i, walk(&dir.join(&entries[i].0), depth + 1, &mine))
        })
        .collect();
    let mut children = children.into_iter().peekable();
    let mut hash = Sha256::new();
    let mut newest = i128::MIN;
    for (i, ((name, _), meta)) in entries.iter().zip(&metas).enumerate() {
        hash.update((name.len() as u64).to_le_bytes());
        hash.update(name.as_encoded_bytes());
        match meta {
            Ok(m) => {
                hash.update(stat_bytes(m));
                if m.is_file() {
                    newest = newest.max(mtime_ns(m));
                }
            }
            Err(e) => {
                hash.update(b"unreadable");
                hash.update(format!("{:?}", e.kind()).as_bytes());
            }
        }
        match children.next_if(|(at, _)| *at == i).map(|(_, c)| c) {
            None => hash.update(b"-"),
            Some(Ok((digest, n))) => {
                hash.update(b"d");
                hash.update(digest);
                newest = newest.max(n);
            }
            Some(Err(e)) => {
                hash.update(b"unreadable folder");
                hash.update(format!("{:?}", e.kind()).as_bytes());
            }
        }
    }
    Ok((hash.finalize().into(), newest))
}

/// Type, size, times, device and inode of one entry, as bytes to digest.
fn stat_bytes(m: &fs::Metadata) -> [u8; 57] {
    let mut out = [0u8; 57];
    out[0] = if m.is_dir() {
        b'd'
    } else if m.is_file() {
        b'f'
    } else {
        b'o'
    };
    out[1..9].copy_from_slice(&m.len().to_le_bytes());
    out[9..25].copy_from_slice(&mtime_ns(m).to_le_bytes());
    out[25..41].copy_from_slice(&ctime_ns(m).to_le_bytes());
    out[41..49].copy_from_slice(&dev(m).to_le_bytes());
    out[49..57].copy_from_slice(&ino(m).to_le_bytes());
    out
}

#[cfg(unix)]
fn mtime_ns(m: &fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec())
}

#[cfg(unix)]
fn ctime_ns(m: &fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec())
}

#[cfg(unix)]
fn dev(m: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.dev()
}

#[cfg(unix)]
fn ino(m: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    m.ino()
}

#[cfg(not(unix))]
fn mtime_ns(m: &fs::Metadata) -> i128 {
    system_ns(m.modified())
}

#[cfg(not(unix))]
fn ctime_ns(m: &fs::Metadata) -> i128 {
    system_ns(m.created())
}

#[cfg(not(unix))]
fn system_ns(t: io::Result<std::time::SystemTime>) -> i128 {
    t.ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

#[cfg(not(unix))]
fn dev(_: &fs::Metadata) -> u64 {
    0
}

#[cfg(not(unix))]
fn ino(_: &fs::Metadata) -> u64 {
    0
}

/// Modification time of `m` in nanoseconds since the epoch.
pub fn modified_ns(m: &fs::Metadata) -> i128 {
    mtime_ns(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_a_new_file_and_a_removed_one_change_the_key() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/a.json"), "1").unwrap();
        let first = data_state(dir.path()).unwrap();
        assert_eq!(first, data_state(dir.path()).unwrap());
        fs::write(dir.path().join("sub/a.json"), "22").unwrap();
        let edited = data_state(dir.path()).unwrap();
        assert_ne!(first.digest, edited.digest);
        fs::write(dir.path().join("b"), "").unwrap();
        let added = data_state(dir.path()).unwrap();
        assert_ne!(edited.digest, added.digest);
        fs::remove_file(dir.path().join("b")).unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        fs::write(dir.path().join(".git/HEAD"), "x").unwrap();
        // `.git` is not keyed; the root folder's own times are not part of the key.
        assert_eq!(edited.digest, data_state(dir.path()).unwrap().digest);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_ends() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        assert!(data_state(dir.path()).is_ok());
    }
}
