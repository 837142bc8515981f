//! `permcat audit`: an app's grants in, risk, excess and missing permissions out.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use clap::{Args, ValueEnum};
use permcat::audit::{self, Audit, InputFormat};
use permcat::text::Terminal;

use super::{CacheArgs, DataArgs};

/// What `--fail-on` can look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A granted application permission rated Tier 0 by azure-tiering.
    Tier0,
    /// A granted permission no request needs (needs --requests).
    Excess,
    /// A permission the requests need that is not granted (needs --requests).
    Missing,
    /// A grant permcat does not know, or a request no endpoint answers.
    Unknown,
}

/// Output forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// For the terminal.
    Text,
    /// The audit's JSON (schema/audit.schema.json).
    Json,
    /// One row per grant, request and finding.
    Csv,
    /// Tables for a pull request or ticket.
    Markdown,
}

/// Flags of `permcat audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// What the app was granted: an app manifest or Graph `application` object
    /// (requiredResourceAccess), the JSON of Graph's
    /// `GET /servicePrincipals/{id}/appRoleAssignments` or `GET /oauth2PermissionGrants`,
    /// or permission names or GUIDs one per line (each optionally followed by
    /// `delegated` or `application`); `-` for standard input.
    #[arg(value_name = "FILE")]
    input: PathBuf,
    /// Read the input as this shape instead of detecting it.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    input_format: InputFormat,
    /// The requests the app makes, one per line as `which --file` takes them
    /// (`GET /me/messages`, a URL, a cmdlet): adds per request the least-privileged
    /// permission, and per account type the needed, missing and excess permissions.
    #[arg(long, value_name = "FILE")]
    requests: Option<PathBuf>,
    /// Output form.
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    format: AuditFormat,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Print only the registration of the needed permissions (with --requests), in
    /// this form: json, az, powershell or terraform.
    #[arg(long, value_enum, value_name = "FORM", requires = "requests")]
    registration: Option<permcat::registration::Form>,
    /// Exit 1 when any of these is found (comma-separated): tier0, excess, missing,
    /// unknown. For CI gates on app registrations.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "WHAT")]
    fail_on: Vec<FailOn>,
}

/// Reads the input file (or standard input), bounded.
fn read_input(path: &std::path::Path) -> Result<(String, Vec<u8>)> {
    if path.as_os_str() == "-" {
        let mut b = Vec::new();
        io::stdin()
            .lock()
            .take(audit::input::INPUT_CAP as u64 + 1)
            .read_to_end(&mut b)
            .map_err(|e| anyhow!("cannot read standard input: {e}"))?;
        return Ok(("standard input".into(), b));
    }
    let name = path.display().to_string();
    match permcat::sources::read_capped(path, audit::input::INPUT_CAP as u64)
        .map_err(|e| anyhow!("cannot read `{name}`: {e}"))?
    {
        Some(Ok(b)) => Ok((name, b)),
        Some(Err(why)) => bail!("cannot read `{name}`: it is {why}"),
        None => bail!("cannot read `{name}`: not found"),
    }
}

/// Runs `permcat audit`: exit 0, or 1 when --fail-on finds what it names; 2 on an error.
pub fn run(args: AuditArgs) -> Result<ExitCode> {
    let needs_requests = args
        .fail_on
        .iter()
        .any(|f| matches!(f, FailOn::Excess | FailOn::Missing));
    if needs_requests && args.requests.is_none() {
        bail!(
            "--fail-on excess or missing needs --requests FILE: without requests nothing is needed"
        );
    }
    let (name, bytes) = read_input(&args.input)?;
    let input = audit::read(&name, &bytes, args.input_format)?;
    let requests: Option<Vec<(usize, String)>> = match &args.requests {
        Some(path) => Some(
            super::which::read_input(Some(path))?
                .into_iter()
                .map(|l| (l.number, l.text))
                .collect(),
        ),
        None => None,
    };
    let (catalog, result) = super::with_lookup(&args.data.data, &args.cache, |lookup| {
        audit::audit(lookup.catalog(), lookup, &input, requests.as_deref())
    })?;
    if args.fail_on.contains(&FailOn::Tier0) && !result.risk_tiers_loaded {
        bail!(
            "--fail-on tier0 needs the risk tiers: `{}` is not in the data directory (`permcat sync` fetches it)",
            permcat::sources::tiering::TIERED
        );
    }
    let format = if args.json {
        AuditFormat::Json
    } else {
        args.format
    };
    if let Some(form) = args.registration {
        let wanted: Vec<(String, permcat::model::PermissionType)> = result
            .verdicts
            .iter()
            .flatten()
            .flat_map(|v| v.needed.iter().map(|n| (n.clone(), v.scheme.kind())))
            .collect();
        let picks = permcat::registration::picks(&catalog, &wanted)?;
        super::registration::print(&picks, Some(form))?;
        std::mem::forget(catalog);
        return Ok(super::exit::answered(!failed(&result, &args.fail_on)));
    }
    let mut out = io::stdout().lock();
    match format {
        AuditFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &result)?;
            writeln!(out)?;
        }
        AuditFormat::Csv => out.write_all(&audit::output::csv(&result)?)?,
        AuditFormat::Markdown => out.write_all(audit::output::markdown(&result).as_bytes())?,
        AuditFormat::Text => {
            Terminal::new(&mut out).write_all(audit::output::text(&result).as_bytes())?;
        }
    }
    out.flush()?;
    // The catalog is dropped with the process, not freed piece by piece.
    std::mem::forget(catalog);
    Ok(super::exit::answered(!failed(&result, &args.fail_on)))
}

fn failed(a: &Audit, fail_on: &[FailOn]) -> bool {
    let f = &a.findings;
    fail_on.iter().any(|w| match w {
        FailOn::Tier0 => !f.tier0.is_empty(),
        FailOn::Excess => f.excess > 0,
        FailOn::Missing => f.missing > 0,
        FailOn::Unknown => f.unknown > 0,
    })
}
