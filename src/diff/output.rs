//! The diff as text for terminals, JSON, CSV (one row per change) and markdown.

use std::fmt::Write as _;

use anyhow::Result;

use super::CatalogDiff;
use crate::export::SafeWriter;
use crate::model::ApiVersion;
use crate::text::visible;

/// Output format of `permcat diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Grouped sections with counts, coloured on a terminal.
    Text,
    /// The whole diff as one JSON document.
    Json,
    /// One row per change.
    Csv,
    /// Grouped sections for a pull request or an issue.
    Markdown,
}

/// ANSI styles, or nothing when colour is off.
struct Paint {
    on: bool,
}

impl Paint {
    /// `s` (which carries text from the data) shown with [`visible`], then colored.
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{}\x1b[0m", visible(s))
        } else {
            visible(s).into_owned()
        }
    }
    /// Uncolored text from the data.
    fn plain(&self, s: &str) -> String {
        visible(s).into_owned()
    }
    fn add(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn del(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn chg(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn head(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

fn versions(v: &[ApiVersion]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
}

fn shown(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{s:?}"),
        None => "(none)".into(),
    }
}

/// One change as a flat row, the unit of the CSV and of the text and markdown lists.
struct Row {
    kind: &'static str,
    permission: String,
    scheme: String,
    method: String,
    path: String,
    field: String,
    old: String,
    new: String,
}

impl CatalogDiff {
    /// Renders the diff; `color` asks for ANSI colours in the text format only.
    pub fn render(&self, format: DiffFormat, color: bool) -> Result<Vec<u8>> {
        Ok(match format {
            DiffFormat::Text => self.to_text(color).into_bytes(),
            DiffFormat::Json => {
                let mut out = serde_json::to_vec_pretty(self)?;
                out.push(b'\n');
                out
            }
            DiffFormat::Csv => self.to_csv()?,
            DiffFormat::Markdown => visible(&self.to_markdown()).into_owned().into_bytes(),
        })
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        let row = |kind, permission: &str| Row {
            kind,
            permission: permission.to_string(),
            scheme: String::new(),
            method: String::new(),
            path: String::new(),
            field: String::new(),
            old: String::new(),
            new: String::new(),
        };
        for p in &self.added {
            rows.push(row("permission-added", p));
        }
        for p in &self.removed {
            rows.push(row("permission-removed", p));
        }
        for r in &self.renamed {
            rows.push(Row {
                field: r.evidence.as_str().into(),
                old: r.old.clone(),
                new: r.new.clone(),
                ..row("renamed", &r.new)
            });
        }
        for c in &self.changed {
            for s in &c.schemes_added {
                rows.push(Row {
                    scheme: s.as_str().into(),
                    ..row("scheme-added", &c.name)
                });
            }
            for s in &c.schemes_removed {
                rows.push(Row {
                    scheme: s.as_str().into(),
                    ..row("scheme-removed", &c.name)
                });
            }
            for f in &c.fields {
                rows.push(Row {
                    scheme: f.scheme.as_str().into(),
                    field: f.field.as_str().into(),
                    old: f.old.clone().unwrap_or_default(),
                    new: f.new.clone().unwrap_or_default(),
                    ..row("field-changed", &c.name)
                });
            }
        }
        for (kind, list) in [
            ("grant-added", &self.grants_added),
            ("grant-removed", &self.grants_removed),
        ] {
            for g in list {
                rows.push(Row {
                    scheme: g.scheme.as_str().into(),
                    method: g.method.clone(),
                    path: g.key.clone(),
                    ..row(kind, &g.permission)
                });
            }
        }
        for f in &self.least_privileged {
            rows.push(Row {
                scheme: f.grant.scheme.as_str().into(),
                method: f.grant.method.clone(),
                path: f.grant.key.clone(),
                field: "least_privileged".into(),
                old: f.old.to_string(),
                new: f.new.to_string(),
                ..row("least-privileged", &f.grant.permission)
            });
        }
        for e in &self.endpoint_versions {
            rows.push(Row {
                method: e.method.clone(),
                path: e.key.clone(),
                field: "versions".into(),
                old: versions(&e.old),
                new: versions(&e.new),
                ..row("endpoint-versions", "")
            });
        }
        rows
    }

    fn to_csv(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut w = SafeWriter::new(&mut out);
        w.row(
            [
                "kind",
                "permission",
                "scheme",
                "method",
                "path",
                "field",
                "old",
                "new",
            ]
            .map(String::from)
            .to_vec(),
        )?;
        for r in self.rows() {
            w.row(vec![
                r.kind.to_string(),
                r.permission,
                r.scheme,
                r.method,
                r.path,
                r.field,
                r.old,
                r.new,
            ])?;
        }
        w.finish()?;
        Ok(out)
    }

    fn header_line(&self) -> String {
        format!(
            "{} → {}",
            self.old_date.as_deref().unwrap_or("unknown date"),
            self.new_date.as_deref().unwrap_or("unknown date")
        )
    }

    fn to_text(&self, color: bool) -> String {
        let p = Paint { on: color };
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{}",
            p.head(&format!("permcat diff: {}", self.header_line()))
        );
        if self.is_empty() {
            s.push_str("no changes\n");
            return s;
        }
        let m = &self.summary;
        let _ = writeln!(
            s,
            "{} added, {} removed ({} look renamed), {} changed permissions; {} grants added, {} removed; {} least-privileged flips; {} endpoints changed versions",
            m.permissions_added,
            m.permissions_removed,
            m.permissions_renamed,
            m.permissions_changed,
            m.grants_added,
            m.grants_removed,
            m.least_privileged_flips,
            m.endpoint_version_changes
        );
        let section = |s: &mut String, title: &str, n: usize| {
            if n > 0 {
                let _ = writeln!(s, "\n{}", p.head(&format!("{title} ({n})")));
            }
            n > 0
        };
        if section(&mut s, "Permissions added", self.added.len()) {
            for a in &self.added {
                let _ = writeln!(s, "  {}", p.add(&format!("+ {a}")));
            }
        }
        if section(&mut s, "Permissions removed", self.removed.len()) {
            for r in &self.removed {
                let _ = writeln!(s, "  {}", p.del(&format!("- {r}")));
            }
        }
        if section(&mut s, "Looks renamed", self.renamed.len()) {
            for r in &self.renamed {
                let line = format!("{} → {} ({})", r.old, r.new, r.evidence.as_str());
                let _ = writeln!(s, "  {}", p.plain(&line));
            }
        }
        if section(&mut s, "Permissions changed", self.changed.len()) {
            for c in &self.changed {
                let _ = writeln!(s, "  {}", p.chg(&format!("~ {}", c.name)));
                for sc in &c.schemes_added {
                    let _ = writeln!(s, "      {}", p.add(&format!("+ type {sc}")));
                }
                for sc in &c.schemes_removed {
                    let _ = writeln!(s, "      {}", p.del(&format!("- type {sc}")));
                }
                for f in &c.fields {
                    let line = format!(
                        "{} {}: {} → {}",
                        f.scheme,
                        f.field.label(),
                        shown(&f.old),
                        shown(&f.new)
                    );
                    let _ = writeln!(s, "      {}", p.plain(&line));
                }
            }
        }
        if section(&mut s, "Grants added", self.grants_added.len()) {
            for g in &self.grants_added {
                let line = format!("+ {} {} {} ({})", g.permission, g.method, g.path, g.scheme);
                let _ = writeln!(s, "  {}", p.add(&line));
            }
        }
        if section(&mut s, "Grants removed", self.grants_removed.len()) {
            for g in &self.grants_removed {
                let line = format!("- {} {} {} ({})", g.permission, g.method, g.path, g.scheme);
                let _ = writeln!(s, "  {}", p.del(&line));
            }
        }
        if section(
            &mut s,
            "Least-privileged flips",
            self.least_privileged.len(),
        ) {
            for f in &self.least_privileged {
                let g = &f.grant;
                let what = if f.new {
                    "now least privileged"
                } else {
                    "no longer least privileged"
                };
                let line = format!(
                    "~ {} {} {} ({}): {what}",
                    g.permission, g.method, g.path, g.scheme
                );
                let _ = writeln!(s, "  {}", p.chg(&line));
            }
        }
        if section(&mut s, "Endpoint versions", self.endpoint_versions.len()) {
            for e in &self.endpoint_versions {
                let line = format!(
                    "~ {} {}: {} → {}",
                    e.method,
                    e.path,
                    versions(&e.old),
                    versions(&e.new)
                );
                let _ = writeln!(s, "  {}", p.chg(&line));
            }
        }
        s
    }

    fn to_markdown(&self) -> String {
        let mut s = format!("# What changed: {}\n\n", self.header_line());
        if self.is_empty() {
            s.push_str("No changes.\n");
            return s;
        }
        let m = &self.summary;
        let _ = writeln!(s, "| change | count |\n|---|---:|");
        for (k, n) in [
            ("Permissions added", m.permissions_added),
            ("Permissions removed", m.permissions_removed),
            ("Looks renamed", m.permissions_renamed),
            ("Permissions changed", m.permissions_changed),
            ("Grants added", m.grants_added),
            ("Grants removed", m.grants_removed),
            ("Least-privileged flips", m.least_privileged_flips),
            ("Endpoint version changes", m.endpoint_version_changes),
        ] {
            let _ = writeln!(s, "| {k} | {n} |");
        }
        // Markdown tables break on pipes and newlines in texts.
        let cell = |t: &str| t.replace('|', "\\|").replace(['\n', '\r'], " ");
        let mut list = |title: &str, items: Vec<String>| {
            if !items.is_empty() {
                let _ = writeln!(s, "\n## {title} ({})\n", items.len());
                for i in items {
                    let _ = writeln!(s, "- {i}");
                }
            }
        };
        list(
            "Permissions added",
            self.added.iter().map(|a| format!("`{a}`")).collect(),
        );
        list(
            "Permissions removed",
            self.removed.iter().map(|a| format!("`{a}`")).collect(),
        );
        list(
            "Looks renamed",
            self.renamed
                .iter()
                .map(|r| format!("`{}` → `{}` ({})", r.old, r.new, r.evidence.as_str()))
                .collect(),
        );
        list(
            "Permissions changed",
            self.changed
                .iter()
                .map(|c| {
                    let mut parts: Vec<String> = Vec::new();
                    parts.extend(c.schemes_added.iter().map(|x| format!("type {x} added")));
                    parts.extend(
                        c.schemes_removed
                            .iter()
                            .map(|x| format!("type {x} removed")),
                    );
                    parts.extend(c.fields.iter().map(|f| {
                        format!(
                            "{} {}: {} → {}",
                            f.scheme,
                            f.field.label(),
                            cell(&shown(&f.old)),
                            cell(&shown(&f.new))
                        )
                    }));
                    format!("`{}`: {}", c.name, parts.join("; "))
                })
                .collect(),
        );
        for (title, grants) in [
            ("Grants added", &self.grants_added),
            ("Grants removed", &self.grants_removed),
        ] {
            list(
                title,
                grants
                    .iter()
                    .map(|g| {
                        format!(
                            "`{}` {} `{}` ({})",
                            g.permission, g.method, g.path, g.scheme
                        )
                    })
                    .collect(),
            );
        }
        list(
            "Least-privileged flips",
            self.least_privileged
                .iter()
                .map(|f| {
                    let g = &f.grant;
                    format!(
                        "`{}` {} `{}` ({}): {} → {}",
                        g.permission, g.method, g.path, g.scheme, f.old, f.new
                    )
                })
                .collect(),
        );
        list(
            "Endpoint versions",
            self.endpoint_versions
                .iter()
                .map(|e| {
                    format!(
                        "{} `{}`: {} → {}",
                        e.method,
                        e.path,
                        versions(&e.old),
                        versions(&e.new)
                    )
                })
                .collect(),
        );
        s
    }
}
