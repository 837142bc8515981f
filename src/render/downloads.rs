//! The site's downloads: every catalog-wide export in JSON and CSV.

use anyhow::Result;
use rayon::prelude::*;

use super::write::SiteWriter;
use crate::export::{self, Format, What};
use crate::model::Catalog;

/// Writes the catalog-wide exports, the same bytes `permcat export` writes, each
/// streamed into its file and all at once.
pub fn write(catalog: &Catalog, w: &SiteWriter) -> Result<()> {
    let all: Vec<(What, Format, &str)> = What::ALL
        .into_iter()
        .flat_map(|what| [(what, Format::Json, "json"), (what, Format::Csv, "csv")])
        .collect();
    all.into_par_iter().try_for_each(|(what, format, ext)| {
        w.write_with(&format!("downloads/{what}.{ext}"), |out| {
            export::write(catalog, what, format, out)
        })
    })
}
