//! `permcat show NAME`: one permission in the terminal.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use clap::Args;
use permcat::text::Terminal;

use super::{CacheArgs, DataArgs};
use permcat::export::PermissionBundle;
use permcat::model::{
    is_guid, normalize_guid, Catalog, Conflict, Grant, Permission, Scheme, SchemeInfo,
};

/// Flags of `permcat show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    cache: CacheArgs,
    /// Permission name, any case (e.g. user.read.all), or the GUID of its delegated
    /// scope or app role.
    name: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `permcat show`.
pub fn run(args: ShowArgs) -> Result<ExitCode> {
    let catalog = super::full_catalog(&args.data.data, &args.cache)?;
    let query = args.name.trim();
    let perm = if is_guid(query) {
        match catalog.permission_by_id(query) {
            Some((p, kind)) => {
                note(&format!(
                    "{} is the {kind} id of {}",
                    normalize_guid(query),
                    p.name
                ))?;
                p
            }
            None => {
                note(&format!("permcat: {}", unknown_id(&catalog, query)))?;
                return Ok(super::exit::no_answer());
            }
        }
    } else {
        match catalog.permission_ignore_case(query) {
            Some(p) => p,
            None => {
                // No answer, not an error: exit 1 like `which`.
                note(&format!("permcat: {}", unknown(&catalog, &args.name)))?;
                return Ok(super::exit::no_answer());
            }
        }
    };
    let grants: Vec<&Grant> = catalog.grants_of(&perm.name).collect();
    let conflicts: Vec<&Conflict> = catalog.conflicts_of(&perm.name).collect();
    let mut out = io::stdout().lock();
    if args.json {
        out.write_all(&PermissionBundle::new(&catalog, perm).to_json()?)?;
    } else {
        print_text(
            &mut Terminal::new(&mut out),
            &catalog,
            perm,
            &grants,
            &conflicts,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A line on standard error; names from the data pass the terminal filter.
fn note(line: &str) -> Result<()> {
    writeln!(Terminal::new(io::stderr().lock()), "{line}")?;
    Ok(())
}

/// Why a GUID names no Microsoft Graph permission: unknown, or another app's.
pub(crate) fn unknown_id(catalog: &Catalog, id: &str) -> String {
    let id = normalize_guid(id);
    let other: Vec<String> = catalog
        .foreign_id(&id)
        .map(|f| format!("{} ({}) of {}", f.permission, f.scheme, f.app_label()))
        .collect();
    if other.is_empty() {
        format!("no permission has id {id}")
    } else {
        format!(
            "no Microsoft Graph permission has id {id}; provisioningInfo.json deploys it as {}",
            other.join("; ")
        )
    }
}

fn unknown(catalog: &Catalog, name: &str) -> anyhow::Error {
    let names = permcat::model::closest_names(catalog, name, 5);
    if names.is_empty() {
        anyhow!("no permission named `{name}`")
    } else {
        anyhow!(
            "no permission named `{name}`; did you mean: {}?",
            names.join(", ")
        )
    }
}

/// The application scheme's risk tier, with where the tiering and Microsoft's privilege
/// level disagree; without the tiering source, nothing.
fn tier_fields(out: &mut dyn Write, catalog: &Catalog, info: &SchemeInfo) -> Result<()> {
    if !catalog.has_tiering() {
        return Ok(());
    }
    let Some(t) = &info.tiering else {
        writeln!(out, "  {:<15}not listed by azure-tiering", "risk tier")?;
        return Ok(());
    };
    let mut tier = t.label();
    if let Some(name) = &t.tier_name {
        tier.push_str(&format!(" — {name}"));
    }
    if let Some(d) = &t.detected_on {
        tier.push_str(&format!(" (listed {d})"));
    }
    writeln!(out, "  {:<15}{tier}  [azure-tiering]", "risk tier")?;
    if t.disagrees_with(info.privilege_level) {
        writeln!(
            out,
            "  {:<15}Microsoft's privilege level {} and {} disagree",
            "",
            info.privilege_level.unwrap_or_default(),
            t.label()
        )?;
    }
    for (label, value) in [
        ("path type", &t.path_type),
        ("shortest path", &t.shortest_path),
        ("example", &t.example),
    ] {
        if let Some(v) = value {
            writeln!(out, "  {label:<15}{v}")?;
        }
    }
    Ok(())
}

fn print_text(
    out: &mut dyn Write,
    catalog: &Catalog,
    perm: &Permission,
    grants: &[&Grant],
    conflicts: &[&Conflict],
) -> Result<()> {
    writeln!(out, "{}", perm.name)?;
    writeln!(
        out,
        "category {} · {} · permission data: {}",
        perm.category(),
        perm.authorization_type
            .as_deref()
            .unwrap_or("authorization type unknown"),
        catalog.data_date.as_deref().unwrap_or("date unknown")
    )?;
    for info in perm.schemes.values() {
        writeln!(out)?;
        let note = if info.in_permissions_json {
            ""
        } else {
            "  [not listed in permissions.json]"
        };
        writeln!(out, "{}{note}", info.scheme.label())?;
        let field = |out: &mut dyn Write, label: &str, value: Option<String>| -> Result<()> {
            if let Some(v) = value {
                writeln!(out, "  {label:<15}{v}")?;
            }
            Ok(())
        };
        let id = info.id.clone().unwrap_or_else(|| {
            let other: Vec<String> = catalog
                .foreign_ids_of(&perm.name, info.scheme.kind())
                .map(|f| format!("{} under {}", f.id, f.app_label()))
                .collect();
            if other.is_empty() {
                "unknown".into()
            } else {
                format!(
                    "no Microsoft Graph id; provisioningInfo.json has {}",
                    other.join("; ")
                )
            }
        });
        field(out, "id", Some(id))?;
        field(out, "admin name", info.admin_display_name.clone())?;
        field(out, "admin text", info.admin_description.clone())?;
        field(out, "user name", info.user_display_name.clone())?;
        field(out, "user text", info.user_description.clone())?;
        field(
            out,
            "admin consent",
            Some(match info.requires_admin_consent {
                Some(true) => "required".into(),
                Some(false) => "not required".into(),
                None => "unknown".into(),
            }),
        )?;
        field(
            out,
            "privilege",
            Some(
                info.privilege_level
                    .map_or("unknown".into(), |l| format!("{l} of 5")),
            ),
        )?;
        if info.scheme == Scheme::Application {
            tier_fields(out, catalog, info)?;
        }
        field(out, "enabled", info.is_enabled.map(yes_no))?;
        field(out, "hidden", info.is_hidden.map(yes_no))?;
        if !info.localized.is_empty() {
            let langs: Vec<&str> = info.localized.keys().map(String::as_str).collect();
            field(out, "languages", Some(langs.join(", ")))?;
        }
        field(out, "sources", Some(info.sources.join(", ")))?;
    }

    writeln!(out)?;
    match &perm.primary_resource {
        Some(t) => writeln!(out, "resource: {} ({})", t.type_name, t.version)?,
        None => writeln!(out, "resource: none resolved")?,
    }
    let least = grants.iter().filter(|g| g.least_privileged).count();
    let flagged = grants
        .iter()
        .filter(|g| g.flagged_least && !g.least_privileged)
        .count();
    writeln!(
        out,
        "grants: {} ({least} least privileged, marked *; {flagged} more flagged least in permissions.json, marked +)",
        grants.len()
    )?;
    for scheme in Scheme::ALL {
        let of_scheme: Vec<&&Grant> = grants.iter().filter(|g| g.scheme == scheme).collect();
        if of_scheme.is_empty() {
            continue;
        }
        writeln!(out, "  {scheme}")?;
        let mut method = "";
        for g in of_scheme {
            if g.method != method {
                method = &g.method;
                writeln!(out, "    {method}")?;
            }
            let mark = if g.least_privileged {
                '*'
            } else if g.flagged_least {
                '+'
            } else {
                ' '
            };
            let endpoint = catalog.endpoint(&g.method, &g.key);
            // The endpoint's spelling is the most readable one any source gives.
            let path = endpoint.map_or(g.path.as_str(), |e| e.path.as_str());
            write!(out, "     {mark} {path}")?;
            if let Some(e) = endpoint {
                let versions: Vec<&str> = e.versions.keys().map(|v| v.as_str()).collect();
                if !versions.is_empty() {
                    write!(out, "  [{}]", versions.join(", "))?;
                }
                let cmds: Vec<&str> = catalog
                    .commands_of(&g.method, &g.key)
                    .map(|c| c.name.as_str())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if !cmds.is_empty() {
                    write!(out, "  {}", cmds.join(", "))?;
                }
            }
            if !g.also_requires.is_empty() {
                write!(out, "  (also requires {})", g.also_requires.join(", "))?;
            }
            writeln!(out)?;
        }
    }
    if !conflicts.is_empty() {
        writeln!(out, "\nconflicts: {}", conflicts.len())?;
        for c in conflicts {
            writeln!(out, "  {}: {}", c.kind, c.subject)?;
            for s in &c.sides {
                writeln!(out, "    {}: {}", s.source, s.value)?;
            }
            writeln!(out, "    → {}", c.resolution)?;
        }
    }
    Ok(())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}
