//! Permission tables of API pages, in every layout the docs have used: the 2021 inline
//! "Permissions (from least to most privileged)" table, its Intune variant listed most
//! privileged first with per-workflow sub-rows, the two-column "acting on self / on
//! others" table, the transposed per-resource table, and today's include files with
//! "Least privileged / Higher privileged" columns: compact (`|Permission type|Least
//! privileged permissions|…`) or space-padded with a singular header (`| Least privileged
//! permission   |`), "Not supported." and "Not available." cells, and a least privileged
//! cell left blank when only higher privileged permissions apply.

use serde::{Deserialize, Serialize};

use super::markdown::{cell_at as cell, plain, Cell};

pub use crate::model::Scheme;

/// How a permission table was laid out in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableLayout {
    /// `Permission type | Permissions (from least to most privileged)`.
    LeastToMost,
    /// `Permission type | Permissions (from most to least privileged)`; rows are reversed
    /// on reading so they too list the least privileged first.
    MostToLeast,
    /// Several permission columns, e.g. "acting on self" and "acting on others"; each
    /// column becomes rows with the column header as variant.
    MultiColumn,
    /// `Permission type | Least privileged permissions | Higher privileged permissions`.
    LeastHigher,
    /// `Supported resource | Delegated (work…) | Delegated (personal…) | Application`:
    /// one row per resource, the resource is the variant.
    Transposed,
}

/// One permission table with the heading it sits under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionTable {
    /// Text of the nearest heading above the table (e.g. `Permissions`, or a per-variant
    /// subsection such as `Permissions acting on self`).
    pub heading: Option<String>,
    /// Include file the table was read from, as written in the page; `None` when inline.
    pub include: Option<String>,
    /// Name of the `"blockType": "permissions"` marker right before the table (or its
    /// include line), when the page has one.
    #[serde(default)]
    pub block: Option<String>,
    /// The layout recognised.
    pub layout: TableLayout,
    /// Rows in table order.
    pub rows: Vec<PermissionRow>,
}

/// One (scheme, variant) row of a permission table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionRow {
    /// The scheme.
    pub scheme: Scheme,
    /// Sub-case the row applies to: an Intune workflow, a resource of a transposed table,
    /// or a column header of a multi-column table. `None` for the plain case.
    pub variant: Option<String>,
    /// Permission names, least privileged first.
    pub permissions: Vec<String>,
    /// The cell says the scheme is not supported (or not applicable).
    pub not_supported: bool,
    /// How many of `permissions`, from the start, the table marks least privileged: the
    /// names of the least privileged cell in a "Least privileged / Higher privileged"
    /// table (0 when that cell is blank and only higher privileged ones apply), the first
    /// name in the older tables that list least privileged first, none when unsupported.
    #[serde(default)]
    pub least: usize,
}

impl PermissionRow {
    /// The permissions the table marks least privileged.
    pub fn least_privileged(&self) -> &[String] {
        &self.permissions[..self.least.min(self.permissions.len())]
    }
}

/// Result of looking at one table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Classified {
    /// A permission table, parsed.
    Table {
        table: PermissionTable,
        unknown_rows: usize,
    },
    /// Not a permission table at all.
    Other,
}

/// Column plan for a recognised header.
enum Plan {
    Columns {
        cols: Vec<(usize, Option<String>)>,
        layout: TableLayout,
        width: usize,
    },
    LeastHigher {
        least: usize,
        higher: usize,
    },
    Transposed {
        cols: Vec<(usize, Scheme)>,
    },
}

fn norm(cell: &str) -> String {
    plain(cell).to_lowercase()
}

/// Recognises a table's header and parses its rows.
pub(crate) fn classify(header: &[Cell<'_>], rows: &[Vec<Cell<'_>>]) -> Classified {
    match plan(header) {
        Some(plan) => {
            let (table_rows, unknown_rows, layout) = parse_rows(&plan, rows);
            Classified::Table {
                table: PermissionTable {
                    heading: None,
                    include: None,
                    block: None,
                    layout,
                    rows: table_rows,
                },
                unknown_rows,
            }
        }
        None => Classified::Other,
    }
}

fn plan(header: &[Cell<'_>]) -> Option<Plan> {
    let h: Vec<String> = header.iter().map(|c| norm(c)).collect();
    let first = h.first()?;
    if first.contains("permission type") || first == "permission" || first == "permissions" {
        let least = h
            .iter()
            .position(|c| c.contains("least privileged permission"));
        let higher = h
            .iter()
            .position(|c| c.contains("higher privileged permission"));
        if let (Some(least), Some(higher)) = (least, higher) {
            return Some(Plan::LeastHigher { least, higher });
        }
        let perm_cols: Vec<usize> = (1..h.len())
            .filter(|&i| h[i].contains("permission"))
            .collect();
        if perm_cols.is_empty() {
            return None;
        }
        let most_first = perm_cols
            .iter()
            .any(|&i| h[i].contains("most to least privileged"));
        let layout = if perm_cols.len() > 1 {
            TableLayout::MultiColumn
        } else if most_first {
            TableLayout::MostToLeast
        } else {
            TableLayout::LeastToMost
        };
        let cols = perm_cols
            .iter()
            .map(|&i| {
                let label = (perm_cols.len() > 1).then(|| plain(&header[i]));
                (i, label)
            })
            .collect();
        return Some(Plan::Columns {
            cols,
            layout,
            width: h.len(),
        });
    }
    let scheme_cols: Vec<(usize, Scheme)> = (1..h.len())
        .filter_map(|i| scheme_of(&h[i]).map(|s| (i, s)))
        .collect();
    if scheme_cols.len() >= 2 {
        return Some(Plan::Transposed { cols: scheme_cols });
    }
    None
}

/// Scheme named by a (lower-cased, plain) first cell or column header.
fn scheme_of(cell: &str) -> Option<Scheme> {
    if cell.contains("delegated") {
        if cell.contains("personal") {
            Some(Scheme::DelegatedPersonal)
        } else if cell.contains("work") || cell.contains("school") {
            Some(Scheme::DelegatedWork)
        } else {
            None
        }
    } else if cell.starts_with("application") {
        Some(Scheme::Application)
    } else {
        None
    }
}

fn parse_rows(plan: &Plan, rows: &[Vec<Cell<'_>>]) -> (Vec<PermissionRow>, usize, TableLayout) {
    let mut out: Vec<PermissionRow> = Vec::new();
    let mut unknown = 0;
    match plan {
        Plan::Transposed { cols } => {
            for row in rows {
                let variant = plain(cell(row, 0));
                for &(i, scheme) in cols {
                    let (permissions, not_supported) = parse_cell(cell(row, i));
                    out.push(PermissionRow {
                        scheme,
                        variant: (!variant.is_empty()).then(|| variant.clone()),
                        least: usize::from(!permissions.is_empty()),
                        permissions,
                        not_supported,
                    });
                }
            }
            return (out, unknown, TableLayout::Transposed);
        }
        Plan::Columns { .. } | Plan::LeastHigher { .. } => {}
    }
    // Intune tables put per-workflow rows, indented with `&nbsp;`, under a scheme row
    // whose own cell is empty; such rows inherit the scheme above them.
    let mut current: Option<Scheme> = None;
    for row in rows {
        let first_raw = cell(row, 0);
        let first = norm(first_raw);
        let (scheme, workflow) = match scheme_of(&first) {
            Some(s) => (s, None),
            None => {
                let indented = first_raw.trim_start().starts_with("&nbsp;");
                match current {
                    Some(s) if indented && !first.is_empty() => (s, Some(plain(first_raw))),
                    _ => {
                        unknown += 1;
                        continue;
                    }
                }
            }
        };
        if workflow.is_none() {
            current = Some(scheme);
        }
        match plan {
            Plan::Columns {
                cols,
                layout,
                width,
            } => {
                for (i, label) in cols {
                    // A stray extra pipe (`| **Onboarding** | |A.ReadWrite.All|`) pushes
                    // the names past the last column; they still belong to it.
                    let text = if *i + 1 == *width && row.len() > *width {
                        Cell::Owned(row[*i..].join(" "))
                    } else {
                        Cell::Borrowed(cell(row, *i))
                    };
                    let (mut permissions, not_supported) = parse_cell(&text);
                    if *layout == TableLayout::MostToLeast {
                        permissions.reverse();
                    }
                    let variant = match (&workflow, label) {
                        (Some(w), Some(l)) => Some(format!("{w} / {l}")),
                        (Some(w), None) => Some(w.clone()),
                        (None, l) => l.clone(),
                    };
                    out.push(PermissionRow {
                        scheme,
                        variant,
                        least: usize::from(!permissions.is_empty()),
                        permissions,
                        not_supported,
                    });
                }
            }
            Plan::LeastHigher { least, higher } => {
                let (mut permissions, least_ns) = parse_cell(cell(row, *least));
                let least_count = permissions.len();
                let (more, higher_ns) = parse_cell(cell(row, *higher));
                for p in more {
                    if !permissions.contains(&p) {
                        permissions.push(p);
                    }
                }
                let not_supported = permissions.is_empty() && (least_ns || higher_ns);
                out.push(PermissionRow {
                    scheme,
                    variant: workflow,
                    permissions,
                    not_supported,
                    least: least_count,
                });
            }
            Plan::Transposed { .. } => {}
        }
    }
    // A scheme row left empty because its workflow rows follow carries no information.
    let empty_parent: Vec<bool> = out
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.variant.is_none()
                && row.permissions.is_empty()
                && !row.not_supported
                && out
                    .get(i + 1)
                    .is_some_and(|next| next.scheme == row.scheme && next.variant.is_some())
        })
        .collect();
    let kept: Vec<PermissionRow> = out
        .into_iter()
        .zip(empty_parent)
        .filter_map(|(row, empty)| (!empty).then_some(row))
        .collect();
    let layout = match plan {
        Plan::Columns { layout, .. } => *layout,
        Plan::LeastHigher { .. } => TableLayout::LeastHigher,
        Plan::Transposed { .. } => TableLayout::Transposed,
    };
    (kept, unknown, layout)
}

/// Permission names in a cell, in order, and whether the cell says "not supported".
///
/// Cells mix names with prose (`For **user** resource:<br/>User.Read`), separate names
/// by commas, spaces or `<br/>`, and mark resource-specific consent names with `*`;
/// a name is any dotted identifier, which is what every Graph permission looks like.
pub(crate) fn parse_cell(cell: &str) -> (Vec<String>, bool) {
    let text = plain(cell);
    let mut out: Vec<String> = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        let tok = raw
            .trim_start_matches(['(', '"', '\''])
            .trim_end_matches(['.', '*', ':', ')', '"', '\'']);
        if is_permission_name(tok) && !out.iter().any(|p| p == tok) {
            out.push(tok.to_string());
        }
    }
    // Only a cell without names can say the scheme is not supported.
    let not_supported = out.is_empty() && {
        let lower = text.to_lowercase();
        lower.contains("not supported")
            || lower.contains("not applicable")
            || lower.contains("not available")
            || matches!(lower.trim_end_matches('.'), "none" | "n/a")
    };
    (out, not_supported)
}

fn is_permission_name(tok: &str) -> bool {
    let mut chars = tok.chars();
    let starts_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    starts_ok
        && tok.contains('.')
        && !tok.ends_with('.')
        && !tok.contains("..")
        && tok
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        // Every character is ASCII by now, so the last three are a whole suffix.
        && !(tok.len() >= 3 && tok[tok.len() - 3..].eq_ignore_ascii_case(".md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(line: &str) -> Vec<Cell<'_>> {
        super::super::markdown::split_row(line)
    }

    fn table(lines: &[&str]) -> PermissionTable {
        let header = cells(lines[0]);
        let rows: Vec<Vec<Cell<'_>>> = lines[1..].iter().map(|l| cells(l)).collect();
        match classify(&header, &rows) {
            Classified::Table { table, .. } => table,
            Classified::Other => panic!("not recognised: {lines:?}"),
        }
    }

    #[test]
    fn parses_the_2021_inline_table() {
        let t = table(&[
            "|Permission type | Permissions (from least to most privileged)|",
            "|Delegated (work or school account) | User.Read, User.ReadWrite |",
            "|Delegated (personal Microsoft account) | Not supported. |",
            "|Application | User.Read.All |",
        ]);
        assert_eq!(t.layout, TableLayout::LeastToMost);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].scheme, Scheme::DelegatedWork);
        assert_eq!(t.rows[0].permissions, vec!["User.Read", "User.ReadWrite"]);
        assert!(!t.rows[0].not_supported);
        assert_eq!(t.rows[1].scheme, Scheme::DelegatedPersonal);
        assert!(t.rows[1].permissions.is_empty());
        assert!(t.rows[1].not_supported);
        assert_eq!(t.rows[2].scheme, Scheme::Application);
        assert_eq!(t.rows[2].permissions, vec!["User.Read.All"]);
    }

    #[test]
    fn parses_least_higher_columns() {
        let t = table(&[
            "|Permission type|Least privileged permissions|Higher privileged permissions|",
            "|Delegated (work or school account)|User.Read|User.ReadWrite, Directory.Read.All|",
            "|Delegated (personal Microsoft account)|Not supported.|Not supported.|",
            "|Application|User.Read.All|Not available.|",
            "| Application | | A.ReadWrite.All |",
        ]);
        assert_eq!(t.layout, TableLayout::LeastHigher);
        assert_eq!(
            t.rows[0].permissions,
            vec!["User.Read", "User.ReadWrite", "Directory.Read.All"]
        );
        assert!(t.rows[1].not_supported);
        assert_eq!(t.rows[2].permissions, vec!["User.Read.All"]);
        assert!(!t.rows[2].not_supported);
        assert_eq!(t.rows[0].least_privileged(), ["User.Read"]);
        assert_eq!(t.rows[1].least, 0);
        // A blank least privileged cell: the higher one is no least privileged choice.
        assert_eq!(t.rows[3].permissions, vec!["A.ReadWrite.All"]);
        assert!(t.rows[3].least_privileged().is_empty() && !t.rows[3].not_supported);
    }

    #[test]
    fn reverses_most_to_least_and_keeps_workflow_rows() {
        let t = table(&[
            "| Permission&nbsp;type&nbsp;(by&nbsp;workflow) | Permissions (from most to least privileged) |",
            "| Delegated (work or school account) | |",
            "| &nbsp; &nbsp; **Policy Set** | A.ReadWrite.All, A.Read.All |",
            "| Delegated (personal Microsoft account) | Not supported.|",
            "| Application | B.ReadWrite.All B.Read.All |",
            "| &nbsp; &nbsp; **Onboarding** | |C.ReadWrite.All|",
        ]);
        assert_eq!(t.layout, TableLayout::MostToLeast);
        assert_eq!(t.rows.len(), 4, "{:?}", t.rows);
        assert_eq!(t.rows[0].scheme, Scheme::DelegatedWork);
        assert_eq!(t.rows[0].variant.as_deref(), Some("Policy Set"));
        assert_eq!(t.rows[0].permissions, vec!["A.Read.All", "A.ReadWrite.All"]);
        assert_eq!(t.rows[2].permissions, vec!["B.Read.All", "B.ReadWrite.All"]);
        assert_eq!(t.rows[3].scheme, Scheme::Application);
        assert_eq!(t.rows[3].permissions, vec!["C.ReadWrite.All"]);
    }

    #[test]
    fn parses_transposed_and_multi_column_tables() {
        let t = table(&[
            "| Supported resource | Delegated (work or school account) | Delegated (personal Microsoft account) | Application |",
            "| [event](../resources/event.md) | Calendars.Read | Calendars.Read | Calendars.Read |",
            "| [post](../resources/post.md) | Group.Read.All | Not supported | Not supported |",
        ]);
        assert_eq!(t.layout, TableLayout::Transposed);
        assert_eq!(t.rows.len(), 6);
        assert_eq!(t.rows[3].variant.as_deref(), Some("post"));
        assert_eq!(t.rows[3].permissions, vec!["Group.Read.All"]);
        assert!(t.rows[5].not_supported);

        let t = table(&[
            "| Permission type | Permissions acting on self (from least to most privileged) | Permissions acting on others (from least to most privileged)|",
            "| Application | Not applicable. | X.Read.All |",
        ]);
        assert_eq!(t.layout, TableLayout::MultiColumn);
        assert_eq!(t.rows.len(), 2);
        assert!(t.rows[0].not_supported);
        assert_eq!(t.rows[1].permissions, vec!["X.Read.All"]);
        assert!(t.rows[1]
            .variant
            .as_deref()
            .is_some_and(|v| v.contains("acting on others")));
    }

    #[test]
    fn unknown_rows_are_counted_not_fatal() {
        let header = cells("|Permission type | Permissions |");
        let rows = vec![cells("|oauth2permissiongrant | A.Read |"), vec![]];
        match classify(&header, &rows) {
            Classified::Table {
                table,
                unknown_rows,
            } => {
                assert!(table.rows.is_empty());
                assert_eq!(unknown_rows, 2);
            }
            Classified::Other => panic!("should be a permission table"),
        }
        assert_eq!(
            classify(&cells("| Permission Type | Property | Type |"), &[]),
            Classified::Other
        );
        assert_eq!(classify(&[], &[]), Classified::Other);
    }

    #[test]
    fn cells_with_prose_and_markers() {
        let (p, ns) = parse_cell("For **user** resource:<br/>User.Read, Chat.Manage.Chat*<br />ChannelMember.ReadWrite.All.");
        assert_eq!(
            p,
            vec![
                "User.Read",
                "Chat.Manage.Chat",
                "ChannelMember.ReadWrite.All"
            ]
        );
        assert!(!ns);
        let (p, ns) = parse_cell("**TODO: Determine scopes **");
        assert!(p.is_empty() && !ns);
        let (p, ns) = parse_cell("see [create subscription](subscription-post-subscriptions.md).");
        assert!(p.is_empty() && !ns);
        assert_eq!(parse_cell("None."), (vec![], true));
    }
}
