//! `permcat build`: renders the catalog as a static site.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::DataArgs;
use permcat::render::{self, BuildOptions};

/// Flags of `permcat build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Output directory; replaced only when the whole build succeeded.
    #[arg(long, value_name = "DIR", default_value = "public")]
    out: PathBuf,
    /// Public address of the site, for canonical links and sitemap.xml.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// An older data directory (or `permcat export --what catalog` file): adds a "What
    /// changed" page, an Atom feed and New/Changed badges.
    #[arg(long, value_name = "DIR")]
    previous: Option<PathBuf>,
    /// Print how long each step took.
    #[arg(long)]
    timings: bool,
}

/// Runs `permcat build`.
pub fn run(args: BuildArgs) -> Result<ExitCode> {
    let (catalog, load) = permcat::load(&args.data.data)?;
    let previous = match &args.previous {
        Some(dir) => Some(permcat::diff::load_side(dir)?),
        None => None,
    };
    let opts = BuildOptions {
        out: args.out.clone(),
        base_url: args.base_url.clone(),
        previous,
    };
    let report = render::build(&catalog, &opts)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "built {} permissions into `{}`: {} files, {:.1} MB",
        catalog.permissions.len(),
        args.out.display(),
        report.files,
        report.bytes as f64 / 1_000_000.0
    )?;
    writeln!(
        out,
        "largest page: {} ({:.0} KB)",
        report.largest_page.0,
        report.largest_page.1 as f64 / 1000.0
    )?;
    if report.carried_over > 0 {
        writeln!(
            out,
            "kept {} file(s) or folder(s) that permcat did not write (CNAME, .git/, …)",
            report.carried_over
        )?;
    }
    if args.base_url.is_none() {
        writeln!(
            out,
            "no --base-url: pages carry no canonical link and no sitemap.xml was written"
        )?;
    }
    writeln!(out, "open {}", args.out.join("index.html").display())?;
    if args.timings {
        for (step, took) in load.steps.iter().chain(&report.steps) {
            writeln!(out, "  {:>7.1} ms  {step}", took.as_secs_f64() * 1000.0)?;
        }
    }
    // Dropped with the process, not freed piece by piece.
    std::mem::forget(catalog);
    Ok(ExitCode::SUCCESS)
}
