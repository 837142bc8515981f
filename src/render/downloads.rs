//! The site's downloads: every catalog-wide export in JSON and CSV.

use anyhow::Result;

use super::Files;
use crate::export::{self, Format, What};
use crate::model::Catalog;

/// The catalog-wide exports, the same bytes `permcat export` writes.
pub fn files(catalog: &Catalog) -> Result<Files> {
    let mut files = Vec::new();
    for what in What::ALL {
        for (format, ext) in [(Format::Json, "json"), (Format::Csv, "csv")] {
            files.push((
                format!("downloads/{what}.{ext}"),
                export::to_bytes(catalog, what, format)?,
            ));
        }
    }
    Ok(files)
}
