//! JSON exports: `{"format", "version", "data_date", "sources", "items"}`, one shape per
//! kind, each described by `schema/<kind>.schema.json`. Written compact, on one line with
//! a final newline: they are read by programs (the grants export is tens of megabytes
//! indented), and `jq .` indents them for people.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::What;
use crate::model::{Catalog, SourceFile, FORMAT_VERSION};

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    format: String,
    version: u32,
    data_date: Option<&'a str>,
    sources: Vec<&'a SourceFile>,
    items: &'a [T],
}

pub(super) fn write(catalog: &Catalog, what: What, out: &mut dyn Write) -> Result<()> {
    fn emit<T: Serialize>(
        catalog: &Catalog,
        what: What,
        items: &[T],
        out: &mut dyn Write,
    ) -> Result<()> {
        let env = Envelope {
            format: format!("permcat.{what}"),
            version: FORMAT_VERSION,
            data_date: catalog.data_date.as_deref(),
            sources: catalog.sources.values().collect(),
            items,
        };
        serde_json::to_writer(&mut *out, &env)?;
        out.write_all(b"\n")?;
        Ok(())
    }
    match what {
        What::Permissions => emit(catalog, what, &catalog.permissions, out),
        What::Grants => emit(catalog, what, &catalog.grants, out),
        What::Conflicts => emit(catalog, what, &catalog.conflicts, out),
        What::Endpoints => emit(catalog, what, &catalog.endpoints, out),
        What::Resources => emit(catalog, what, &catalog.resources, out),
        What::Commands => emit(catalog, what, &catalog.commands, out),
        What::Catalog => {
            // The same shape `diff::load_side` reads back.
            #[derive(Serialize)]
            struct Bundle<'a> {
                format: &'static str,
                version: u32,
                catalog: &'a Catalog,
            }
            let bundle = Bundle {
                format: "permcat.catalog",
                version: FORMAT_VERSION,
                catalog,
            };
            serde_json::to_writer(&mut *out, &bundle)?;
            out.write_all(b"\n")?;
            Ok(())
        }
    }
}
