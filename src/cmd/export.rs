//! `permcat export`: permissions, grants or conflicts as JSON or CSV.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::{CacheArgs, DataArgs};
use permcat::export::{self, Format, What};

/// Flags of `permcat export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// What to export.
    #[arg(long, value_enum, default_value = "permissions")]
    what: What,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Write to FILE instead of standard output; the file is replaced only when the
    /// export succeeded.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `permcat export`.
pub fn run(args: ExportArgs) -> Result<ExitCode> {
    let catalog = super::full_catalog(&args.data.data, &args.cache)?;
    let bytes = export::to_bytes(&catalog, args.what, args.format)?;
    match args.output {
        Some(path) => permcat::write_atomically(&path, &bytes)
            .with_context(|| format!("failed to write `{}`", path.display()))?,
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
