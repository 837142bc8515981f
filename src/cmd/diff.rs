//! `permcat diff`: what changed between two data directories or catalog exports.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use permcat::diff::{self, DiffFormat};

/// Flags of `permcat diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older data directory, or a file from `permcat export --what catalog`.
    old: PathBuf,
    /// The newer data directory, or a file from `permcat export --what catalog`.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
    #[command(flatten)]
    cache: super::CacheArgs,
}

/// Runs `permcat diff`. Exit codes follow diff(1): 0 no change, 1 changes, 2 trouble.
pub fn run(args: DiffArgs) -> Result<ExitCode> {
    compare(&args)
}

/// A data directory through the catalog cache; an export file as `diff` reads it.
fn side(path: &std::path::Path, cache: &super::CacheArgs) -> Result<permcat::Catalog> {
    if path.is_dir() {
        super::full_catalog(path, cache)
    } else {
        diff::load_side(path)
    }
}

fn compare(args: &DiffArgs) -> Result<ExitCode> {
    let old = side(&args.old, &args.cache)?;
    let new = side(&args.new, &args.cache)?;
    let d = diff::diff(&old, &new);
    let mut out = io::stdout().lock();
    let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    out.write_all(&d.render(args.format, color)?)?;
    out.flush()?;
    Ok(super::exit::answered(d.is_empty()))
}
