//! CSV exports (RFC 4180: header row, CRLF line ends, quoting) whose cells cannot start a
//! spreadsheet formula.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;

use super::What;
use crate::model::{Catalog, PermissionType};

/// Prefixes a cell with `'` when it would start with `=`, `+`, `-`, `@`, a tab or a
/// carriage return, which spreadsheets read as the start of a formula.
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

pub(super) fn write(catalog: &Catalog, what: What, out: &mut dyn Write) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let mut row = |cells: Vec<String>| -> Result<()> {
        w.write_record(cells.iter().map(|c| neutralize_formula(c).into_owned()))?;
        Ok(())
    };
    match what {
        What::Permissions => {
            row(svec(&[
                "permission",
                "category",
                "type",
                "schemes",
                "id",
                "admin_display_name",
                "admin_description",
                "user_display_name",
                "user_description",
                "requires_admin_consent",
                "privilege_level",
                "is_enabled",
                "is_hidden",
                "in_permissions_json",
                "authorization_type",
            ]))?;
            for p in &catalog.permissions {
                for kind in [PermissionType::Delegated, PermissionType::Application] {
                    let schemes: Vec<_> = p.schemes_of(kind).collect();
                    // The first scheme (work before personal) speaks for the type.
                    let Some(first) = schemes.first() else {
                        continue;
                    };
                    row(vec![
                        p.name.clone(),
                        p.category().to_string(),
                        kind.to_string(),
                        schemes
                            .iter()
                            .map(|s| s.scheme.as_str())
                            .collect::<Vec<_>>()
                            .join(";"),
                        opt(p.id_of(kind)),
                        opt(first.admin_display_name.as_deref()),
                        opt(first.admin_description.as_deref()),
                        opt(first.user_display_name.as_deref()),
                        opt(first.user_description.as_deref()),
                        opt(first.requires_admin_consent),
                        opt(schemes.iter().filter_map(|s| s.privilege_level).max()),
                        opt(first.is_enabled),
                        opt(first.is_hidden),
                        schemes.iter().any(|s| s.in_permissions_json).to_string(),
                        opt(p.authorization_type.as_deref()),
                    ])?;
                }
            }
        }
        What::Grants => {
            row(svec(&[
                "permission",
                "method",
                "path",
                "scheme",
                "least_privileged",
                "also_requires",
                "included_properties",
                "excluded_properties",
                "source",
            ]))?;
            for g in &catalog.grants {
                row(vec![
                    g.permission.clone(),
                    g.method.clone(),
                    g.path.clone(),
                    g.scheme.to_string(),
                    g.least_privileged.to_string(),
                    g.also_requires.join(";"),
                    g.included_properties.join(";"),
                    g.excluded_properties.join(";"),
                    g.source.clone(),
                ])?;
            }
        }
        What::Conflicts => {
            row(svec(&[
                "kind",
                "permission",
                "subject",
                "sources",
                "values",
                "resolution",
            ]))?;
            for c in &catalog.conflicts {
                row(vec![
                    c.kind.to_string(),
                    opt(c.permission.as_deref()),
                    c.subject.clone(),
                    join(c.sides.iter().map(|s| s.source.as_str())),
                    join(c.sides.iter().map(|s| s.value.as_str())),
                    c.resolution.clone(),
                ])?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

fn svec(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Joins several values into one cell; ` | ` cannot be mistaken for a CSV delimiter.
fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(" | ")
}
