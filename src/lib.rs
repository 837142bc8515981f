//! permcat: Microsoft Graph permission metadata turned into a catalog people can trust.
//!
//! Data flows one way: [`sources::load`] reads a data directory into plain records,
//! [`link::link`] merges them into the [`model::Catalog`] without touching the disk, and
//! the outputs ([`render`], [`export`], [`search`], [`lookup`], [`diff`]) read only the
//! catalog. See `docs/ARCHITECTURE.md`.

pub mod audit;
pub mod cache;
pub mod closest;
pub mod diff;
pub mod export;
pub mod hash;
pub mod link;
pub mod lookup;
pub mod model;
pub mod registration;
pub mod render;
pub mod search;
#[cfg(feature = "serve")]
pub mod serve;
pub mod slugs;
pub mod sources;
pub mod staged;
#[cfg(feature = "sync")]
pub mod sync;
pub mod text;

use std::path::Path;

use anyhow::Result;

pub use link::LoadReport;
pub use model::Catalog;
pub use staged::write_atomically;

/// Loads and links every source of the data directory at `dir`. The permission sources
/// are linked while the docs and the schemas are still being read; the catalog is the
/// one [`link::link`] makes of [`sources::load`]'s records.
pub fn load(dir: &Path) -> Result<(Catalog, LoadReport)> {
    let data = sources::DataDir::open(dir)?;
    let (records, started) = sources::load_and(&data, link::Started::new)?;
    Ok(started.finish(records))
}
