//! `permcat which`: which permission does a request or cmdlet need?

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use permcat::text::Terminal;

use super::DataArgs;
use permcat::lookup::{Lookup, Report};
use permcat::model::{Catalog, Scheme};

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

/// Runs `permcat which`.
pub fn run(args: WhichArgs) -> Result<ExitCode> {
    let (catalog, _) = permcat::load(&args.data.data)?;
    let lookup = Lookup::new(&catalog);
    let report = lookup.query(&args.requests)?;
    let failed = !report.misses.is_empty() || !report.unknown_cmdlets.is_empty();
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_text(&mut Terminal::new(&mut out), &catalog, &report)?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_text(out: &mut dyn Write, catalog: &Catalog, report: &Report) -> Result<()> {
    let (answers, misses, unknown, cover) = (
        &report.answers,
        &report.misses,
        &report.unknown_cmdlets,
        &report.cover,
    );
    for a in answers {
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
        for scheme in Scheme::ALL {
            let label = scheme.label();
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
                    if list.len() > 1 {
                        let rest: Vec<&str> =
                            list[1..].iter().map(|c| c.permission.as_str()).collect();
                        writeln!(out, "      alternatives: {}", rest.join(", "))?;
                    }
                }
            }
        }
    }
    if !cover.is_empty() {
        writeln!(
            out,
            "\nfewest permissions for all {} requests:",
            answers.len()
        )?;
        for (scheme, set) in cover {
            match set {
                Some(set) => writeln!(out, "  {}: {}", scheme.label(), set.join(", "))?,
                None => writeln!(out, "  {}: none covers every request", scheme.label())?,
            }
        }
    }
    if !answers.is_empty() {
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
    for m in misses {
        let mut err = Terminal::new(io::stderr().lock());
        if m.other_methods.is_empty() {
            writeln!(
                err,
                "error: no known endpoint matches {} {}",
                m.request.method, m.request.path
            )?;
            if !m.closest.is_empty() {
                writeln!(err, "  closest known paths: {}", m.closest.join(", "))?;
            }
        } else {
            writeln!(
                err,
                "error: {} is known, but not for {}; it is for {}",
                m.request.path,
                m.request.method,
                m.other_methods.join(", ")
            )?;
        }
    }
    for u in unknown {
        let mut err = Terminal::new(io::stderr().lock());
        writeln!(
            err,
            "error: no cmdlet named {} in the command map",
            u.cmdlet
        )?;
        if !u.closest.is_empty() {
            writeln!(err, "  did you mean: {}", u.closest.join(", "))?;
        }
    }
    Ok(())
}
