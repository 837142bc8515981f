//! `permcat check`: loads everything and reports what was read and what disagrees.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use permcat::text::Terminal;

use super::{CacheArgs, DataArgs};
use permcat::cache::Section;
use permcat::{Catalog, LoadReport};

/// Flags of `permcat check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// Also print how long each loading step took (loads the data directory, without the
    /// cache).
    #[arg(long)]
    timings: bool,
}

/// Runs `permcat check`. What it prints after the `data:` line depends only on the data
/// directory's content, so that part is cached as printed; `--timings` measures a real
/// load and so never uses the cache.
pub fn run(args: CheckArgs) -> Result<ExitCode> {
    let spec = if args.timings {
        super::Speculated::Miss(None)
    } else {
        super::speculate(
            &args.data.data,
            &args.cache,
            Section::Check,
            |_: &Vec<u8>| (),
        )
    };
    let body = match spec {
        super::Speculated::Hit(body, (), _) => body,
        super::Speculated::Miss(cache) => {
            let (catalog, report) = permcat::load(&args.data.data)?;
            let mut body = Vec::new();
            summary(&mut body, &catalog, &report, args.timings)?;
            super::store(cache.as_ref(), Section::Check, &body);
            // Dropped with the process, not freed piece by piece.
            std::mem::forget((catalog, report));
            body
        }
    };
    // Names, paths and notes come from the data.
    let mut out = Terminal::new(io::stdout().lock());
    writeln!(out, "data: {}", args.data.data.display())?;
    out.write_all(&body)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Everything `check` prints after the `data:` line.
fn summary(out: &mut Vec<u8>, catalog: &Catalog, report: &LoadReport, timings: bool) -> Result<()> {
    writeln!(
        out,
        "permission data: {}",
        catalog.data_date.as_deref().unwrap_or("date unknown")
    )?;
    writeln!(out, "\nsources:")?;
    for (source, what, n) in &report.counts {
        let path = catalog.sources.get(source).map_or("", |s| s.path.as_str());
        writeln!(out, "  {n:>7}  {what:<28} {path}")?;
    }
    if !catalog.missing.is_empty() {
        writeln!(out, "\nnot found (optional):")?;
        for m in &catalog.missing {
            writeln!(out, "  {}: {}", m.path, m.consequence)?;
        }
    }
    if !report.warnings.is_empty() {
        writeln!(out, "\nskipped:")?;
        for (what, n) in &report.warnings {
            writeln!(out, "  {n:>7}  {what}")?;
        }
    }
    if !report.linked.is_empty() {
        writeln!(out, "\nlinking:")?;
        for (what, n) in &report.linked {
            writeln!(out, "  {n:>7}  {what}")?;
        }
    }
    if timings {
        writeln!(out, "\ntimings:")?;
        for (step, took) in &report.steps {
            writeln!(out, "  {:>7.1} ms  {step}", took.as_secs_f64() * 1000.0)?;
        }
    }
    let no_level = catalog
        .permissions
        .iter()
        .flat_map(|p| p.schemes.values())
        .filter(|s| s.in_permissions_json && s.privilege_level.is_none())
        .count();
    writeln!(out, "\ncatalog:")?;
    writeln!(out, "  {:>7}  permissions", catalog.permissions.len())?;
    writeln!(out, "  {:>7}  grants", catalog.grants.len())?;
    writeln!(out, "  {no_level:>7}  schemes without a privilege level")?;

    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &catalog.conflicts {
        *by_kind.entry(c.kind.as_str()).or_default() += 1;
    }
    writeln!(out, "\nconflicts: {}", catalog.conflicts.len())?;
    for (kind, n) in by_kind {
        writeln!(out, "  {n:>7}  {kind}")?;
    }
    if !catalog.conflicts.is_empty() {
        writeln!(
            out,
            "  (list them with `permcat export --what conflicts --format csv`)"
        )?;
    }
    Ok(())
}
