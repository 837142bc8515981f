//! `permcat which`: which permission does a request or cmdlet need?

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use permcat::text::Terminal;

use super::DataArgs;
use permcat::lookup::{Answer, Lookup, Miss, Outcome, Report};
use permcat::model::{Catalog, PermissionType, Scheme};

/// Flags of `permcat which`.
#[derive(Debug, Args)]
pub struct WhichArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Requests and cmdlets: `[METHOD] URL…` (a method applies to the URLs after it;
    /// GET by default), a quoted `"POST /me/sendMail"` line, or a cmdlet such as
    /// `Get-MgUser`.
    #[arg(required = true, value_name = "REQUEST")]
    requests: Vec<String>,
    /// Print JSON for scripts.
    #[arg(long)]
    json: bool,
}

/// Runs `permcat which`: exit 0 when every input is answered, 1 when one is not, 2 on
/// an error (no data, no request).
pub fn run(args: WhichArgs) -> Result<ExitCode> {
    answer(&args)
}

fn answer(args: &WhichArgs) -> Result<ExitCode> {
    let (catalog, _) = permcat::load(&args.data.data)?;
    let lookup = Lookup::new(&catalog);
    let report = lookup.query(&args.requests)?;
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_text(&mut Terminal::new(&mut out), &catalog, &report)?;
    }
    out.flush()?;
    Ok(super::exit::answered(report.all_answered()))
}

fn print_answer(out: &mut dyn Write, a: &Answer) -> Result<()> {
    let versions: Vec<&str> = a.versions.iter().map(|v| v.as_str()).collect();
    writeln!(
        out,
        "{} {}  [{}]",
        a.request.method,
        a.template,
        if versions.is_empty() {
            "version not confirmed".to_string()
        } else {
            versions.join(", ")
        }
    )?;
    if a.request.path != a.template {
        writeln!(out, "  for {} {}", a.request.method, a.request.path)?;
    }
    for via in &a.via {
        writeln!(out, "  note: {}", via.note)?;
    }
    for scheme in Scheme::ALL {
        let label = scheme.label();
        if let Some(why) = a.not_usable.get(&scheme) {
            writeln!(out, "  {label}: {why}")?;
            continue;
        }
        match a.schemes.get(&scheme).filter(|l| !l.is_empty()) {
            None => writeln!(out, "  {label}: not supported")?,
            Some(list) => {
                let first = &list[0];
                let mark = if first.least_privileged {
                    "least privileged"
                } else {
                    "lowest privilege level"
                };
                write!(out, "  {label}: {} ({mark})", first.permission)?;
                if !first.also_requires.is_empty() {
                    write!(out, " + also {}", first.also_requires.join(", "))?;
                }
                writeln!(out)?;
                let flagged: Vec<&str> = list[1..]
                    .iter()
                    .filter(|c| c.flagged_least)
                    .map(|c| c.permission.as_str())
                    .collect();
                if !flagged.is_empty() {
                    writeln!(
                        out,
                        "      also flagged least in permissions.json: {}",
                        flagged.join(", ")
                    )?;
                }
                if list.len() > 1 {
                    let rest: Vec<&str> = list[1..].iter().map(|c| c.permission.as_str()).collect();
                    writeln!(out, "      alternatives: {}", rest.join(", "))?;
                }
            }
        }
    }
    Ok(())
}

fn print_miss(m: &Miss) -> Result<()> {
    let mut err = Terminal::new(io::stderr().lock());
    let (method, path) = (&m.request.method, &m.request.path);
    if m.other_methods.is_empty() {
        writeln!(err, "error: no known endpoint matches {method} {path}")?;
        if !m.closest.is_empty() {
            writeln!(err, "  closest known paths: {}", m.closest.join(", "))?;
        }
    } else if let Some(known) = &m.known_path {
        writeln!(
            err,
            "error: no known endpoint matches {method} {path}; {known} is known, but not for {method}; it is for {}",
            m.other_methods.join(", ")
        )?;
    } else {
        writeln!(
            err,
            "error: {path} is known, but not for {method}; it is for {}",
            m.other_methods.join(", ")
        )?;
    }
    Ok(())
}

fn print_text(out: &mut dyn Write, catalog: &Catalog, report: &Report) -> Result<()> {
    for e in &report.answers {
        match &e.outcome {
            Outcome::Endpoint(a) => print_answer(out, a)?,
            Outcome::Batch(b) => {
                writeln!(out, "{} {}", b.request.method, b.template)?;
                writeln!(out, "  {}", b.note)?;
            }
            Outcome::Permission(p) => {
                for m in &p.matches {
                    let what = match m.kind {
                        PermissionType::Delegated => "delegated permission (OAuth2 scope)",
                        PermissionType::Application => "application permission (app role)",
                    };
                    writeln!(out, "{}: {} — {what}", p.id, m.permission)?;
                }
            }
            Outcome::Miss(m) => {
                out.flush()?;
                print_miss(m)?;
            }
            Outcome::UnknownCmdlet(u) => {
                out.flush()?;
                let mut err = Terminal::new(io::stderr().lock());
                let source = permcat::lookup::cmdlet_source_label(catalog).unwrap_or_default();
                writeln!(err, "error: no cmdlet named {} in {source}", u.cmdlet)?;
                if !u.closest.is_empty() {
                    writeln!(err, "  did you mean: {}", u.closest.join(", "))?;
                }
            }
            Outcome::NoCmdletSource(n) => {
                out.flush()?;
                let mut err = Terminal::new(io::stderr().lock());
                writeln!(
                    err,
                    "error: cannot look up {}: no cmdlet source is loaded",
                    n.cmdlet
                )?;
                writeln!(err, "  cmdlets come from {}", n.sources.join(" or "))?;
            }
            Outcome::UnknownId(u) => {
                out.flush()?;
                writeln!(
                    Terminal::new(io::stderr().lock()),
                    "error: no permission has id {}",
                    u.id
                )?;
            }
        }
    }
    let count = report.endpoints().count();
    if !report.cover.is_empty() {
        writeln!(out, "\nfewest permissions for all {count} requests:")?;
        for (scheme, set) in &report.cover {
            match set {
                Some(set) => writeln!(out, "  {}: {}", scheme.label(), set.join(", "))?,
                None => writeln!(out, "  {}: none covers every request", scheme.label())?,
            }
        }
    }
    if count > 0 {
        let src = catalog.sources.get("permissions");
        writeln!(
            out,
            "\nsource: {}{}",
            src.map_or("permissions.json", |s| s.path.as_str()),
            src.and_then(|s| s.date.as_deref())
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}
