//! One file per subcommand; each parses its flags and calls the library.

mod build;
mod check;
mod diff;
pub mod exit;
mod export;
#[cfg(feature = "serve")]
mod serve;
mod show;
#[cfg(feature = "sync")]
mod sync;
mod which;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

/// A catalog of Microsoft Graph permissions: what each permission lets an app do, and
/// which permission a call needs.
#[derive(Debug, Parser)]
#[command(name = "permcat", version, about, long_about = None, after_help = exit::HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render the catalog as a static website.
    Build(build::BuildArgs),
    /// Load every source, print counts and a summary of conflicts.
    Check(check::CheckArgs),
    /// Show one permission: types, GUIDs, consent, privilege level and grants.
    Show(show::ShowArgs),
    #[cfg(feature = "serve")]
    /// Build the site, serve it on 127.0.0.1 and rebuild when the data changes.
    Serve(serve::ServeArgs),
    /// What changed between two data directories or catalog exports (exit 1 on changes).
    Diff(diff::DiffArgs),
    /// Export permissions, grants or conflicts as JSON or CSV.
    Export(export::ExportArgs),
    /// Which permission does a request need? URLs or cmdlets in, least privileged out.
    Which(which::WhichArgs),
    #[cfg(feature = "sync")]
    /// Download the upstream files (with --docs the Learn docs, via git) into a data
    /// directory, atomically.
    Sync(sync::SyncArgs),
}

/// The data directory flag shared by every command.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data directory in the upstream repositories' layout.
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub data: PathBuf,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Show(args) => show::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Export(args) => export::run(args),
        Command::Which(args) => which::run(args),
        #[cfg(feature = "sync")]
        Command::Sync(args) => sync::run(args),
    }
}
