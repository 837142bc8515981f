//! `permcat diff`: what changed between two data directories or catalog exports.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use permcat::text::Terminal;

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
}

/// Runs `permcat diff`. Exit codes follow diff(1): 0 no change, 1 changes, 2 trouble.
pub fn run(args: DiffArgs) -> Result<ExitCode> {
    match compare(&args) {
        Ok(code) => Ok(code),
        Err(err) => {
            // Handled here rather than in main so this command alone exits 2: 1 already
            // means "changes" and scripts must tell the two apart.
            if err.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return Ok(ExitCode::SUCCESS);
            }
            let mut stderr = Terminal::new(io::stderr().lock());
            let _ = writeln!(stderr, "error: {err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            Ok(ExitCode::from(2))
        }
    }
}

fn compare(args: &DiffArgs) -> Result<ExitCode> {
    let old = diff::load_side(&args.old)?;
    let new = diff::load_side(&args.new)?;
    let d = diff::diff(&old, &new);
    let mut out = io::stdout().lock();
    let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    out.write_all(&d.render(args.format, color)?)?;
    out.flush()?;
    Ok(if d.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
