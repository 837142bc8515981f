//! Catalog exports for auditors and scripts: JSON in a versioned, schema-checked shape,
//! and RFC 4180 CSV that spreadsheets cannot mistake for formulas.

mod csv_out;
mod json_out;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use anyhow::Result;

use crate::model::Catalog;

pub use csv_out::neutralize_formula;

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
    /// All kinds, in documentation order.
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
            .find(|w| w.as_str() == s)
            .ok_or_else(|| format!("unknown export `{s}`"))
    }
}

/// Writes one export of the catalog.
pub fn write(catalog: &Catalog, what: What, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
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
