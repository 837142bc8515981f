//! permcat: Microsoft Graph permission metadata turned into a catalog people can trust.
//!
//! Data flows one way: [`sources`] read upstream files, [`link`] merges them into the
//! [`model::Catalog`], and the outputs ([`export`]) read only the catalog.

pub mod closest;
pub mod diff;
pub mod export;
pub mod link;
pub mod lookup;
pub mod model;
pub mod render;
pub mod search;
pub mod serve;
pub mod slugs;
pub mod sources;
pub mod sync;
pub mod text;

use std::path::Path;

use anyhow::Result;

pub use link::LoadReport;
pub use model::Catalog;

/// Loads and links every source of the data directory at `dir`.
pub fn load(dir: &Path) -> Result<(Catalog, LoadReport)> {
    let data = sources::DataDir::open(dir)?;
    link::load(&data)
}

/// Writes a file through a temporary sibling and a rename, so readers never see a
/// half-written file and a failure leaves the old one untouched. A target that exists
/// but is not a regular file (`/dev/null`, a pipe) is written in place instead, since
/// renaming over it would replace the device.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(bytes);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.permcat-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
