//! Catalog exports for auditors and scripts: JSON in a versioned, schema-checked shape,
//! and RFC 4180 CSV that spreadsheets cannot mistake for formulas.

mod csv_out;
mod json_out;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use anyhow::Result;

use crate::model::Catalog;

pub use csv_out::{neutralize_formula, SafeWriter};

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

/// One permission with its grants and conflicts, as `permcat show --json` prints it and
/// the site's "Export JSON" button downloads it.
#[derive(Debug, serde::Serialize)]
pub struct PermissionBundle<'a> {
    /// Shape name, `permcat.permission`.
    pub format: &'static str,
    /// Shape version.
    pub version: u32,
    /// Date of the permission data.
    pub data_date: Option<&'a str>,
    /// The permission.
    pub permission: &'a crate::model::Permission,
    /// Its grants.
    pub grants: Vec<&'a crate::model::Grant>,
    /// Conflicts concerning it.
    pub conflicts: Vec<&'a crate::model::Conflict>,
    /// Its primary resource (the type most of its endpoints return) with properties and
    /// relationships; `version` says which schema it is shown from and `note` why, when
    /// that is not v1.0.
    pub resource: Option<&'a crate::model::Resource>,
}

impl<'a> PermissionBundle<'a> {
    /// Collects one permission's records.
    pub fn new(catalog: &'a Catalog, permission: &'a crate::model::Permission) -> Self {
        PermissionBundle {
            format: "permcat.permission",
            version: crate::model::FORMAT_VERSION,
            data_date: catalog.data_date.as_deref(),
            permission,
            grants: catalog.grants_of(&permission.name).collect(),
            conflicts: catalog.conflicts_of(&permission.name).collect(),
            resource: permission
                .primary_resource
                .as_ref()
                .and_then(|t| catalog.resource(t.version, &t.type_name)),
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(self)?;
        out.push(b'\n');
        Ok(out)
    }

    /// The grants as CSV, in the `grants` export's columns.
    pub fn to_csv(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        csv_out::write_grants(self.grants.iter().copied(), &mut out)?;
        Ok(out)
    }
}
