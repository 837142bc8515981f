//! An app registration you can paste: a set of Microsoft Graph permissions as the
//! manifest's `requiredResourceAccess` JSON, Azure CLI commands, Microsoft Graph
//! PowerShell commands and a Terraform `azuread_application` block, with the real GUIDs.
//!
//! Every form is generated from GUIDs checked to be GUIDs and names reduced to the
//! characters a permission name has, so text from the data cannot end a comment or a
//! string and run as a command in the shell, PowerShell or HCL the user pastes it into.

use std::fmt::Write as _;

use anyhow::{anyhow, bail, Result};
use serde::Serialize;

use crate::audit::GRAPH_APP_ID;
use crate::model::{closest_names, is_guid, Catalog, PermissionType};

/// One permission of the registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pick {
    /// Permission name.
    pub permission: String,
    /// Delegated (a scope) or application (an app role).
    #[serde(rename = "type")]
    pub kind: PermissionType,
    /// The GUID, lower case.
    pub id: String,
    /// Whether an administrator must consent.
    pub admin_consent: bool,
}

impl Pick {
    /// `Scope` or `Role`, as requiredResourceAccess spells the type.
    pub fn access_type(&self) -> &'static str {
        match self.kind {
            PermissionType::Delegated => "Scope",
            PermissionType::Application => "Role",
        }
    }

    /// The name safe inside a comment: letters, digits, `.`, `-`, `_`; anything else `?`.
    pub fn safe_name(&self) -> String {
        self.permission
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }
}

/// The forms a registration is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Form {
    /// `requiredResourceAccess` JSON for the app manifest.
    Json,
    /// Azure CLI commands.
    Az,
    /// Microsoft Graph PowerShell commands.
    Powershell,
    /// A Terraform `azuread_application` block.
    Terraform,
}

impl Form {
    /// Every form, in display order.
    pub const ALL: [Form; 4] = [Form::Json, Form::Az, Form::Powershell, Form::Terraform];

    /// A heading for people.
    pub fn label(self) -> &'static str {
        match self {
            Form::Json => "App manifest (requiredResourceAccess)",
            Form::Az => "Azure CLI",
            Form::Powershell => "Microsoft Graph PowerShell",
            Form::Terraform => "Terraform (azuread)",
        }
    }

    /// A short id, for anchors and file names.
    pub fn id(self) -> &'static str {
        match self {
            Form::Json => "json",
            Form::Az => "az",
            Form::Powershell => "powershell",
            Form::Terraform => "terraform",
        }
    }
}

/// The picks for permission names of one type each, in the order given, each once.
/// An unknown name, a type the permission lacks or a permission without a GUID is an
/// error naming it.
pub fn picks(catalog: &Catalog, wanted: &[(String, PermissionType)]) -> Result<Vec<Pick>> {
    let mut out: Vec<Pick> = Vec::new();
    for (name, kind) in wanted {
        let name = name.trim();
        let p = catalog.permission_ignore_case(name).ok_or_else(|| {
            let close = closest_names(catalog, name, 3);
            if close.is_empty() {
                anyhow!("no permission named `{name}`")
            } else {
                anyhow!(
                    "no permission named `{name}`; did you mean: {}?",
                    close.join(", ")
                )
            }
        })?;
        let Some(facts) = crate::audit::type_facts(p, *kind) else {
            bail!("{} has no {kind} type", p.name);
        };
        let id = facts
            .id
            .filter(|id| is_guid(id))
            .ok_or_else(|| anyhow!("no source gives a GUID for {} ({kind})", p.name))?;
        // As the audit says it: always for an app role, else the first scheme's.
        let pick = Pick {
            permission: p.name.clone(),
            kind: *kind,
            id: id.to_ascii_lowercase(),
            admin_consent: *kind == PermissionType::Application
                || facts.requires_admin_consent == Some(true),
        };
        if !out.contains(&pick) {
            out.push(pick);
        }
    }
    Ok(out)
}

/// The registration of `picks` in one form, ending in a newline.
pub fn render(picks: &[Pick], form: Form) -> String {
    match form {
        Form::Json => json(picks),
        Form::Az => az(picks),
        Form::Powershell => powershell(picks),
        Form::Terraform => terraform(picks),
    }
}

fn json(picks: &[Pick]) -> String {
    // Structs, so the keys keep the manifest's order.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Manifest<'a> {
        required_resource_access: [Resource<'a>; 1],
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Resource<'a> {
        resource_app_id: &'a str,
        resource_access: Vec<Access<'a>>,
    }
    #[derive(Serialize)]
    struct Access<'a> {
        id: &'a str,
        #[serde(rename = "type")]
        kind: &'a str,
    }
    let doc = Manifest {
        required_resource_access: [Resource {
            resource_app_id: GRAPH_APP_ID,
            resource_access: picks
                .iter()
                .map(|p| Access {
                    id: &p.id,
                    kind: p.access_type(),
                })
                .collect(),
        }],
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn legend(out: &mut String, picks: &[Pick], comment: &str) {
    for p in picks {
        let _ = writeln!(out, "{comment} {} = {} ({})", p.id, p.safe_name(), p.kind);
    }
}

fn az(picks: &[Pick]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Microsoft Graph permissions; replace <app-id> with the application (client) id."
    );
    legend(&mut out, picks, "#");
    let list: Vec<String> = picks
        .iter()
        .map(|p| format!("{}={}", p.id, p.access_type()))
        .collect();
    let _ = writeln!(
        out,
        "az ad app permission add --id <app-id> --api {GRAPH_APP_ID} --api-permissions {}",
        list.join(" ")
    );
    if picks.iter().any(|p| p.admin_consent) {
        let _ = writeln!(out, "# An administrator must consent:");
        let _ = writeln!(out, "az ad app permission admin-consent --id <app-id>");
    }
    out
}

fn powershell(picks: &[Pick]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Microsoft Graph permissions; replace <app-object-id> with the application's object id."
    );
    let _ = writeln!(
        out,
        "# Update-MgApplication replaces the whole list: add the entries of other APIs the app keeps."
    );
    let _ = writeln!(out, "Connect-MgGraph -Scopes \"Application.ReadWrite.All\"");
    let _ = writeln!(out, "$graph = @{{");
    let _ = writeln!(out, "    ResourceAppId  = \"{GRAPH_APP_ID}\"");
    let _ = writeln!(out, "    ResourceAccess = @(");
    for (i, p) in picks.iter().enumerate() {
        let sep = if i + 1 < picks.len() { "," } else { "" };
        let _ = writeln!(
            out,
            "        @{{ Id = \"{}\"; Type = \"{}\" }}{sep}  # {} ({})",
            p.id,
            p.access_type(),
            p.safe_name(),
            p.kind
        );
    }
    let _ = writeln!(out, "    )");
    let _ = writeln!(out, "}}");
    let _ = writeln!(
        out,
        "Update-MgApplication -ApplicationId \"<app-object-id>\" -RequiredResourceAccess @($graph)"
    );
    out
}

fn terraform(picks: &[Pick]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Microsoft Graph permissions (hashicorp/azuread provider)."
    );
    let _ = writeln!(out, "resource \"azuread_application\" \"app\" {{");
    let _ = writeln!(out, "  display_name = \"app\"");
    let _ = writeln!(out);
    let _ = writeln!(out, "  required_resource_access {{");
    let _ = writeln!(
        out,
        "    resource_app_id = \"{GRAPH_APP_ID}\" # Microsoft Graph"
    );
    for p in picks {
        let _ = writeln!(out);
        let _ = writeln!(out, "    resource_access {{");
        let _ = writeln!(
            out,
            "      id   = \"{}\" # {} ({})",
            p.id,
            p.safe_name(),
            p.kind
        );
        let _ = writeln!(out, "      type = \"{}\"", p.access_type());
        let _ = writeln!(out, "    }}");
    }
    let _ = writeln!(out, "  }}");
    let _ = writeln!(out, "}}");
    out
}
