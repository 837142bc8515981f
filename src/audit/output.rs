//! The audit as text for the terminal, as CSV (one row per finding, formula-safe) and
//! as Markdown (for a pull request or a ticket).

use std::fmt::Write as _;

use anyhow::Result;

use super::{Audit, Granted, Status};
use crate::export::csv_out::SafeWriter;

fn kind_of(g: &Granted) -> &'static str {
    g.kind.map_or("", |k| k.as_str())
}

fn tier_text(g: &Granted) -> String {
    match &g.risk {
        Some(r) => match r.tier {
            Some(t) => format!("Tier {t}"),
            None => "not tiered yet".into(),
        },
        None => String::new(),
    }
}

fn name_of(g: &Granted) -> String {
    g.permission.clone().unwrap_or_else(|| g.input.clone())
}

fn where_of(g: &Granted) -> String {
    match g.line {
        Some(l) => format!(" (line {l})"),
        None => String::new(),
    }
}

/// The audit for people, in sections: grants, requests, verdicts, findings.
pub fn text(a: &Audit) -> String {
    let mut out = String::new();
    let graph: Vec<&Granted> = a
        .grants
        .iter()
        .filter(|g| g.status == Status::Graph)
        .collect();
    let others: Vec<&Granted> = a
        .grants
        .iter()
        .filter(|g| g.status == Status::OtherResourceApp)
        .collect();
    let unknown: Vec<&Granted> = a
        .grants
        .iter()
        .filter(|g| g.status == Status::Unknown)
        .collect();
    let _ = writeln!(
        out,
        "grants: {} ({} Microsoft Graph, {} of other resource apps, {} unknown; read as {})",
        a.grants.len(),
        graph.len(),
        others.len(),
        unknown.len(),
        a.input_format
    );
    if a.grants.is_empty() {
        let _ = writeln!(out, "  the input grants nothing");
    } else if graph.is_empty() {
        let _ = writeln!(out, "  no Microsoft Graph permission is granted");
    }
    for g in &graph {
        let _ = write!(
            out,
            "  {:<40} {:<11} {}",
            name_of(g),
            kind_of(g),
            g.id.as_deref().unwrap_or("no GUID")
        );
        if let Some(l) = g.privilege_level {
            let _ = write!(out, "  level {l}");
        }
        if g.requires_admin_consent == Some(true) {
            let _ = write!(out, "  admin consent");
        }
        let tier = tier_text(g);
        if !tier.is_empty() {
            let _ = write!(out, "  {tier}");
            if let Some(n) = g.risk.as_ref().and_then(|r| r.tier_name.as_deref()) {
                let _ = write!(out, " ({n})");
            }
        } else if a.risk_tiers_loaded && g.kind == Some(crate::model::PermissionType::Application) {
            let _ = write!(out, "  not tiered by azure-tiering");
        }
        let _ = writeln!(out);
        if let Some(r) = &g.risk {
            if r.disagrees_with_privilege_level {
                let _ = writeln!(
                    out,
                    "      Microsoft's privilege level and {} disagree",
                    tier_text(g)
                );
            }
            if let Some(p) = &r.shortest_path {
                let _ = writeln!(out, "      path to Global Admin: {p}");
            }
        }
        if let Some(n) = &g.note {
            let _ = writeln!(out, "      note: {n}");
        }
    }
    for g in &others {
        let app = match (&g.resource_app, &g.resource_app_id) {
            (Some(n), Some(id)) => format!("{n} ({id})"),
            (Some(n), None) => n.clone(),
            (None, Some(id)) => format!("resource app {id}"),
            (None, None) => "another resource app".into(),
        };
        let _ = writeln!(
            out,
            "  {:<40} {:<11} not Microsoft Graph: {app}{}",
            name_of(g),
            kind_of(g),
            where_of(g)
        );
    }
    for g in &unknown {
        let _ = writeln!(
            out,
            "  {:<40} {:<11} unknown{}: {}",
            g.input,
            kind_of(g),
            where_of(g),
            g.note.as_deref().unwrap_or("")
        );
    }
    if let Some(requests) = &a.requests {
        let _ = writeln!(out, "\nrequests: {}", requests.len());
        for r in requests {
            match &r.template {
                None => {
                    let _ = writeln!(
                        out,
                        "  {} (line {}): {}",
                        r.input,
                        r.line,
                        r.note.as_deref().unwrap_or("no answer")
                    );
                }
                Some(t) => {
                    let _ = write!(out, "  {}", r.input);
                    if !r.input.ends_with(t.as_str()) {
                        let _ = write!(out, "  [{t}]");
                    }
                    let _ = writeln!(out);
                    for (s, least) in &r.least_privileged {
                        let allowed = &r.allowed_by[s];
                        let _ = writeln!(
                            out,
                            "      {:<36} least: {:<32} granted: {}",
                            s.label(),
                            least.as_deref().unwrap_or("not possible"),
                            if allowed.is_empty() {
                                "none allows it".to_string()
                            } else {
                                allowed.join(", ")
                            }
                        );
                    }
                }
            }
        }
    }
    if let Some(verdicts) = &a.verdicts {
        for v in verdicts {
            let _ = writeln!(out, "\n{}:", v.scheme.label());
            let list = |l: &[String]| {
                if l.is_empty() {
                    "none".to_string()
                } else {
                    l.join(", ")
                }
            };
            let _ = writeln!(out, "  needed:  {}", list(&v.needed));
            let _ = writeln!(out, "  missing: {}", list(&v.missing));
            if v.excess.is_empty() {
                let _ = writeln!(out, "  excess:  none");
            }
            for e in &v.excess {
                let why = if e.allows_requests == 0 {
                    "needed by no request".to_string()
                } else {
                    format!(
                        "broader than needed: allows {} of the requests, which the needed set covers",
                        e.allows_requests
                    )
                };
                let _ = writeln!(out, "  excess:  {} ({why})", e.permission);
            }
            if !v.not_possible.is_empty() {
                let _ = writeln!(
                    out,
                    "  not possible with this type: {}",
                    v.not_possible.join(", ")
                );
            }
        }
    }
    let f = &a.findings;
    let _ = writeln!(
        out,
        "\nfindings: {} Tier-0 grant{}{}, {} excess, {} missing, {} unknown",
        f.tier0.len(),
        if f.tier0.len() == 1 { "" } else { "s" },
        if f.tier0.is_empty() {
            String::new()
        } else {
            format!(" ({})", f.tier0.join(", "))
        },
        f.excess,
        f.missing,
        f.unknown
    );
    if !a.risk_tiers_loaded {
        let _ = writeln!(
            out,
            "  risk tiers are not loaded (azure-tiering is not in the data directory): Tier 0 is not checked"
        );
    }
    out
}

/// One row per grant, then per request, then per verdict entry.
pub fn csv(a: &Audit) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut w = SafeWriter::new(&mut out);
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    w.row(row(&[
        "section",
        "scheme",
        "permission",
        "type",
        "id",
        "status",
        "privilege_level",
        "risk_tier",
        "input",
        "detail",
    ]))?;
    for g in &a.grants {
        let status = match g.status {
            Status::Graph => "graph",
            Status::OtherResourceApp => "other-resource-app",
            Status::Unknown => "unknown",
        };
        w.row(row(&[
            "grant",
            "",
            g.permission.as_deref().unwrap_or(""),
            kind_of(g),
            g.id.as_deref().unwrap_or(""),
            status,
            &g.privilege_level.map(|l| l.to_string()).unwrap_or_default(),
            &g.risk
                .as_ref()
                .map(|r| r.tier.map_or("not tiered yet".into(), |t| t.to_string()))
                .unwrap_or_default(),
            &g.input,
            g.note
                .as_deref()
                .or(g.resource_app.as_deref())
                .unwrap_or(""),
        ]))?;
    }
    for r in a.requests.iter().flatten() {
        if r.least_privileged.is_empty() {
            w.row(row(&[
                "request",
                "",
                "",
                "",
                "",
                "unanswered",
                "",
                "",
                &r.input,
                r.note.as_deref().unwrap_or(""),
            ]))?;
        }
        for (s, least) in &r.least_privileged {
            w.row(row(&[
                "request",
                s.as_str(),
                least.as_deref().unwrap_or(""),
                s.kind().as_str(),
                "",
                if least.is_none() {
                    "not-possible"
                } else if r.allowed_by[s].is_empty() {
                    "not-granted"
                } else {
                    "granted"
                },
                "",
                "",
                &r.input,
                &r.allowed_by[s].join(";"),
            ]))?;
        }
    }
    for v in a.verdicts.iter().flatten() {
        for (what, names) in [("needed", &v.needed), ("missing", &v.missing)] {
            for n in names {
                w.row(row(&[
                    what,
                    v.scheme.as_str(),
                    n,
                    v.scheme.kind().as_str(),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]))?;
            }
        }
        for e in &v.excess {
            w.row(row(&[
                "excess",
                v.scheme.as_str(),
                &e.permission,
                v.scheme.kind().as_str(),
                "",
                "",
                "",
                "",
                "",
                &format!("allows {} requests", e.allows_requests),
            ]))?;
        }
    }
    w.finish()?;
    Ok(out)
}

/// A Markdown cell: pipes and line breaks escaped, HTML made inert.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' | '*' | '_' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Tables for a pull request or a ticket.
pub fn markdown(a: &Audit) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Grants\n");
    let _ = writeln!(
        out,
        "| Permission | Type | GUID | Status | Privilege | Risk tier |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for g in &a.grants {
        let status = match g.status {
            Status::Graph => "Microsoft Graph".to_string(),
            Status::OtherResourceApp => format!(
                "other resource app{}",
                g.resource_app
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
            Status::Unknown => "unknown".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&name_of(g)),
            kind_of(g),
            cell(g.id.as_deref().unwrap_or("")),
            cell(&status),
            g.privilege_level.map(|l| l.to_string()).unwrap_or_default(),
            tier_text(g)
        );
    }
    if let Some(verdicts) = &a.verdicts {
        let _ = writeln!(out, "\n## Needed, missing and excess\n");
        let _ = writeln!(out, "| Account type | Needed | Missing | Excess |");
        let _ = writeln!(out, "|---|---|---|---|");
        for v in verdicts {
            let join = |l: Vec<String>| {
                if l.is_empty() {
                    "—".to_string()
                } else {
                    l.iter().map(|s| cell(s)).collect::<Vec<_>>().join(", ")
                }
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                v.scheme.label(),
                join(v.needed.clone()),
                join(v.missing.clone()),
                join(v.excess.iter().map(|e| e.permission.clone()).collect())
            );
        }
    }
    let f = &a.findings;
    let _ = writeln!(
        out,
        "\n**Findings:** {} Tier-0, {} excess, {} missing, {} unknown.",
        f.tier0.len(),
        f.excess,
        f.missing,
        f.unknown
    );
    out
}
