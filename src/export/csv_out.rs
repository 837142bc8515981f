//! CSV exports (RFC 4180: header row, CRLF line ends, quoting) whose cells cannot start a
//! spreadsheet formula.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;

use super::What;
use crate::model::{ApiVersion, Catalog, Grant, PermissionType};

/// Prefixes a cell with `'` when it would start with `=`, `+`, `-`, `@`, a tab or a
/// carriage return, which spreadsheets read as the start of a formula — also after
/// leading spaces or line breaks, which some spreadsheets skip before a formula.
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    let first = cell
        .bytes()
        .find(|b| !matches!(b, b' ' | b'\n' | 0x0b | 0x0c))
        .or_else(|| cell.bytes().next());
    let leads = cell.bytes().next();
    match (leads, first) {
        (Some(b'\t' | b'\r'), _) | (_, Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The azure-tiering record of a type's schemes.
fn tiering_of<'a>(schemes: &[&'a crate::model::SchemeInfo]) -> Option<&'a crate::model::Tiering> {
    schemes.iter().find_map(|s| s.tiering.as_ref())
}

/// The `risk_tier` cell: `0`–`2`, `not tiered yet` or `not listed` for an application
/// type when the tiering source was read; empty otherwise.
pub(crate) fn risk_cell(
    has_tiering: bool,
    kind: PermissionType,
    schemes: &[&crate::model::SchemeInfo],
) -> String {
    if kind != PermissionType::Application || !has_tiering {
        return String::new();
    }
    match tiering_of(schemes) {
        Some(t) => t
            .tier
            .map_or_else(|| "not tiered yet".to_string(), |n| n.to_string()),
        None => "not listed".into(),
    }
}

pub(super) fn write(catalog: &Catalog, what: What, out: &mut dyn Write) -> Result<()> {
    let mut w = SafeWriter::new(out);
    let mut row = |cells: Vec<String>| w.row(cells);
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
                "risk_tier",
                "risk_path_type",
                "risk_shortest_path",
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
                        risk_cell(catalog.has_tiering(), kind, &schemes),
                        opt(tiering_of(&schemes).and_then(|t| t.path_type.as_deref())),
                        opt(tiering_of(&schemes).and_then(|t| t.shortest_path.as_deref())),
                    ])?;
                }
            }
        }
        What::Grants => {
            row(grant_header())?;
            for g in &catalog.grants {
                row(grant_row(g))?;
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
                "source_age",
            ]))?;
            for c in &catalog.conflicts {
                row(vec![
                    c.kind.to_string(),
                    opt(c.permission.as_deref()),
                    c.subject.clone(),
                    join(c.sides.iter().map(|s| s.source.as_str())),
                    join(c.sides.iter().map(|s| s.value.as_str())),
                    c.resolution.clone(),
                    opt(c.source_age.as_deref()),
                ])?;
            }
        }
        What::Endpoints => {
            row(svec(&[
                "method",
                "path",
                "key",
                "versions",
                "title",
                "resource",
                "resource_version",
                "resource_by_name",
                "returns_collection",
                "returns_nothing",
                "bound_to",
                "bound_to_version",
                "doc_link_v1.0",
                "doc_link_beta",
                "sources",
            ]))?;
            for e in &catalog.endpoints {
                row(vec![
                    e.method.clone(),
                    e.path.clone(),
                    e.key.clone(),
                    join_with(e.versions.keys().map(|v| v.as_str()), ";"),
                    opt(e.title.as_deref()),
                    opt(e.resource.as_ref().map(|r| r.type_name.as_str())),
                    opt(e.resource.as_ref().map(|r| r.version.as_str())),
                    e.resource_by_name.to_string(),
                    e.returns_collection.to_string(),
                    e.returns_nothing.to_string(),
                    opt(e.bound_to.as_ref().map(|t| t.type_name.as_str())),
                    opt(e.bound_to.as_ref().map(|t| t.version.as_str())),
                    opt(e.doc_links.get(&ApiVersion::V1_0)),
                    opt(e.doc_links.get(&ApiVersion::Beta)),
                    join_with(e.sources.iter().map(String::as_str), ";"),
                ])?;
            }
        }
        What::Resources => {
            row(svec(&[
                "resource",
                "version",
                "member_kind",
                "name",
                "type",
                "is_collection",
                "description",
                "description_source",
                "inherited_from",
            ]))?;
            for r in &catalog.resources {
                let members = r
                    .properties
                    .iter()
                    .map(|m| ("property", m))
                    .chain(r.relationships.iter().map(|m| ("relationship", m)));
                for (kind, m) in members {
                    row(vec![
                        r.type_name.clone(),
                        r.version.to_string(),
                        kind.to_string(),
                        m.name.clone(),
                        m.type_name.clone(),
                        m.is_collection.to_string(),
                        opt(m.description.as_deref()),
                        opt(m.description_source.as_deref()),
                        opt(m.inherited_from.as_deref()),
                    ])?;
                }
            }
        }
        What::Commands => {
            row(svec(&[
                "command",
                "module",
                "version",
                "method",
                "path",
                "key",
                "title",
                "doc_link",
                "permissions",
            ]))?;
            for c in &catalog.commands {
                let perms = c.permissions.iter().map(|p| {
                    let mark = if p.least_privileged { "*" } else { "" };
                    format!("{}:{}{mark}", p.name, p.scheme)
                });
                row(vec![
                    c.name.clone(),
                    c.module.clone(),
                    opt(c.version),
                    c.method.clone(),
                    c.path.clone(),
                    c.key.clone(),
                    opt(c.title.as_deref()),
                    opt(c.doc_link.as_deref()),
                    perms.collect::<Vec<_>>().join(";"),
                ])?;
            }
        }
        // `export::write` refuses this before any byte is written.
        What::Catalog => unreachable!("catalog CSV is rejected in export::write"),
    }
    w.finish()?;
    Ok(())
}

fn svec(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Joins several values into one cell; ` | ` cannot be mistaken for a CSV delimiter.
fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    join_with(items, " | ")
}

fn join_with<'a>(items: impl Iterator<Item = &'a str>, sep: &str) -> String {
    items.collect::<Vec<_>>().join(sep)
}

fn grant_header() -> Vec<String> {
    svec(&[
        "permission",
        "method",
        "path",
        "key",
        "scheme",
        "least_privileged",
        "flagged_least",
        "also_requires",
        "included_properties",
        "excluded_properties",
        "source",
    ])
}

fn grant_row(g: &Grant) -> Vec<String> {
    vec![
        g.permission.clone(),
        g.method.clone(),
        g.path.clone(),
        g.key.clone(),
        g.scheme.to_string(),
        g.least_privileged.to_string(),
        g.flagged_least.to_string(),
        g.also_requires.join(";"),
        g.included_properties.join(";"),
        g.excluded_properties.join(";"),
        g.source.clone(),
    ]
}

/// An RFC 4180 writer (CRLF records) whose every cell is formula-safe: every CSV that
/// permcat writes goes through it.
pub struct SafeWriter<'a> {
    inner: csv::Writer<&'a mut dyn Write>,
}

impl<'a> SafeWriter<'a> {
    /// Writes records to `out`.
    pub fn new(out: &'a mut dyn Write) -> Self {
        SafeWriter {
            inner: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
        }
    }

    /// Writes one record, neutralizing cells that would start a formula.
    pub fn row(&mut self, cells: Vec<String>) -> Result<()> {
        self.inner
            .write_record(cells.iter().map(|c| neutralize_formula(c).into_owned()))?;
        Ok(())
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> Result<()> {
        self.inner.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::neutralize_formula;

    #[test]
    fn formulas_after_leading_space_or_line_breaks_are_neutralized() {
        for cell in [
            "=1+1",
            " =1+1",
            "\n=HYPERLINK(1)",
            " \n @SUM(A1)",
            "\t1",
            "\r1",
            "-2",
        ] {
            assert!(neutralize_formula(cell).starts_with('\''), "{cell:?}");
        }
        for cell in ["User.Read", " plain", "", "a=b", "\n"] {
            assert_eq!(neutralize_formula(cell), cell, "{cell:?}");
        }
    }
}
