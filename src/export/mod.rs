//! Catalog exports for auditors and scripts: JSON in a versioned, schema-checked shape,
//! and RFC 4180 CSV that spreadsheets cannot mistake for formulas.

pub(crate) mod csv_out;
mod json_out;
mod permission;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use anyhow::Result;

use crate::model::Catalog;

pub use csv_out::{neutralize_formula, SafeWriter};
pub use permission::{PermissionBundle, PermissionGrant, PERMISSION_CSV_COLUMNS};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// One item per permission (CSV: one row per permission and type).
    Permissions,
    /// One item per permission × method × path × scheme.
    Grants,
    /// Disagreements between sources.
    Conflicts,
    /// One item per method × canonical path (CSV: one row each).
    Endpoints,
    /// Resource types with their properties and relationships (CSV: one row per member).
    Resources,
    /// PowerShell SDK cmdlets (CSV: one row each).
    Commands,
    /// The whole catalog in one JSON document, what `permcat diff` reads back (JSON
    /// only; the site's downloads leave it out).
    // Not in `What::ALL`: the doc line above is also the `--help` text.
    Catalog,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Versioned JSON documents, described by the schemas in `schema/`.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
}

impl What {
    /// All tabular kinds, in documentation order; [`What::Catalog`] is not among them.
    pub const ALL: [What; 6] = [
        What::Permissions,
        What::Grants,
        What::Conflicts,
        What::Endpoints,
        What::Resources,
        What::Commands,
    ];

    /// Lower-case name, as on the command line and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            What::Permissions => "permissions",
            What::Grants => "grants",
            What::Conflicts => "conflicts",
            What::Endpoints => "endpoints",
            What::Resources => "resources",
            What::Commands => "commands",
            What::Catalog => "catalog",
        }
    }
}

impl fmt::Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for What {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        What::ALL
            .into_iter()
            .chain([What::Catalog])
            .find(|w| w.as_str() == s)
            .ok_or_else(|| format!("unknown export `{s}`"))
    }
}

/// Writes one export of the catalog.
pub fn write(catalog: &Catalog, what: What, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Csv if what == What::Catalog => anyhow::bail!(
            "the catalog export is JSON only (it nests every record); use --format json, or \
             export permissions, grants, endpoints… one by one as CSV"
        ),
        Format::Json => json_out::write(catalog, what, out),
        Format::Csv => csv_out::write(catalog, what, out),
    }
}

/// One export as bytes.
pub fn to_bytes(catalog: &Catalog, what: What, format: Format) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    write(catalog, what, format, &mut buf)?;
    Ok(buf)
}
