//! `permcat registration`: permissions in, a registration to paste out.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;
use permcat::model::PermissionType;
use permcat::registration::{self, Form, Pick};
use permcat::text::Terminal;

use super::{CacheArgs, DataArgs};

/// Flags of `permcat registration`.
#[derive(Debug, Args)]
pub struct RegistrationArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// Delegated permissions (scopes), comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    delegated: Vec<String>,
    /// Application permissions (app roles), comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    application: Vec<String>,
    /// One form only: json, az, powershell or terraform; all of them, each under a
    /// heading, without it.
    #[arg(long, value_enum)]
    format: Option<Form>,
}

/// Prints `picks` in `form`, or in every form under headings.
pub fn print(picks: &[Pick], form: Option<Form>) -> Result<()> {
    let mut out = io::stdout().lock();
    let mut out = Terminal::new(&mut out);
    match form {
        Some(f) => out.write_all(registration::render(picks, f).as_bytes())?,
        None => {
            for (i, f) in Form::ALL.into_iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "== {}", f.label())?;
                out.write_all(registration::render(picks, f).as_bytes())?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs `permcat registration`.
pub fn run(args: RegistrationArgs) -> Result<ExitCode> {
    let wanted: Vec<(String, PermissionType)> = args
        .delegated
        .iter()
        .map(|n| (n.clone(), PermissionType::Delegated))
        .chain(
            args.application
                .iter()
                .map(|n| (n.clone(), PermissionType::Application)),
        )
        .filter(|(n, _)| !n.trim().is_empty())
        .collect();
    if wanted.is_empty() {
        bail!(
            "name the permissions: --delegated User.Read,Mail.Send and/or --application Mail.Read"
        );
    }
    let catalog = super::full_catalog(&args.data.data, &args.cache)?;
    let picks = registration::picks(&catalog, &wanted)?;
    print(&picks, args.format)?;
    Ok(super::exit::success())
}
