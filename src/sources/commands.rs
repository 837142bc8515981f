//! `MgCommandMetadata.json` from msgraph-sdk-powershell: which PowerShell SDK cmdlet calls
//! which request path, with the permissions the SDK lists for it.
//!
//! The file is a flat JSON array of about 31,000 entries (~21 MB), so it is read with
//! serde derive straight into records, never through `serde_json::Value`. Reading is
//! lenient: a `null` or missing field becomes `None` or empty, because the file is
//! generated and a few entries (the authentication cmdlets) leave fields out.

use anyhow::Result;
use serde::{Deserialize, Deserializer, Serialize};

use super::upstream::{Measure, Repo, Upstream};
use super::DataDir;
use crate::model::{ApiVersion, Scheme};

/// Path of the file relative to the data directory.
pub const PATH: &str =
    "msgraph-sdk-powershell/src/Authentication/Authentication/custom/common/MgCommandMetadata.json";

/// Reads the file; `Ok(None)` when it is absent. Malformed JSON is an error naming the
/// file, line and column.
pub fn load(dir: &DataDir) -> Result<Option<Vec<CommandEntry>>> {
    dir.json_optional(PATH)
}

/// msgraph-sdk-powershell, whose `dev` branch carries the command map.
pub const POWERSHELL_REPO: Repo = Repo {
    name: "microsoftgraph/msgraph-sdk-powershell",
    branch: "dev",
    folder: "msgraph-sdk-powershell",
};

/// The file `permcat sync` fetches.
pub fn upstream() -> Vec<Upstream> {
    vec![Upstream::optional(POWERSHELL_REPO, PATH, |name, bytes| {
        Measure::json::<Vec<CommandEntry>>(name, bytes, "commands")
    })]
}

/// One cmdlet of the PowerShell SDK.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CommandEntry {
    /// Cmdlet name, e.g. `Add-MgApplicationKey` or `Get-MgBetaUser`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub command: String,
    /// Request path template, e.g. `/applications/{application-id}/addKey`; `None` on a
    /// few authentication cmdlets that call no Graph path.
    #[serde(default)]
    pub uri: Option<String>,
    /// HTTP method, e.g. `POST`; empty when the file gives none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub method: String,
    /// `v1.0`, `beta`, or empty, as the file spells it; see [`CommandEntry::version`].
    #[serde(default, deserialize_with = "null_as_default")]
    pub api_version: String,
    /// Parameter sets, e.g. `Add`, `AddExpanded`, `AddViaIdentity`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub variants: Vec<String>,
    /// Permissions the SDK lists for the cmdlet.
    #[serde(default, deserialize_with = "null_as_default")]
    pub permissions: Vec<CommandPermission>,
    /// .NET type of the cmdlet's output, e.g. `IMicrosoftGraphKeyCredential`.
    #[serde(default)]
    pub output_type: Option<String>,
    /// Short module name, e.g. `Applications` (without the `Microsoft.Graph.` prefix).
    #[serde(default, deserialize_with = "null_as_default")]
    pub module: String,
    /// Learn page of the API.
    #[serde(default)]
    pub api_reference_link: Option<String>,
    /// Alias of the cmdlet, if any. Accepts a string or, leniently, an array of strings
    /// (joined with `, `), since the generator's type for it is not documented.
    #[serde(default, deserialize_with = "string_or_seq")]
    pub command_alias: Option<String>,
}

impl CommandEntry {
    /// Whether the cmdlet belongs to the beta SDK: its `ApiVersion` says `beta`, or its
    /// noun has the `MgBeta` prefix (the beta modules' naming, which still tells when the
    /// version field is empty).
    pub fn is_beta(&self) -> bool {
        ApiVersion::parse(&self.api_version) == Some(ApiVersion::Beta) || self.has_beta_prefix()
    }

    /// The API version the cmdlet calls: beta for the beta SDK, else the file's version;
    /// `None` when the file gives none (some authentication cmdlets).
    pub fn version(&self) -> Option<ApiVersion> {
        if self.is_beta() {
            Some(ApiVersion::Beta)
        } else {
            ApiVersion::parse(&self.api_version)
        }
    }

    /// Whether the noun starts with `MgBeta` (`Get-MgBetaUser`).
    fn has_beta_prefix(&self) -> bool {
        self.command.split_once('-').is_some_and(|(_, noun)| {
            noun.get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case("MgBeta"))
        })
    }

    /// The published module: `Microsoft.Graph.<Module>`, or `Microsoft.Graph.Beta.<Module>`
    /// for beta cmdlets. A module already given in full is returned unchanged.
    pub fn module_full_name(&self) -> String {
        let module = self.module.trim();
        if module.starts_with("Microsoft.Graph.") {
            return module.to_string();
        }
        if self.is_beta() {
            format!("Microsoft.Graph.Beta.{module}")
        } else {
            format!("Microsoft.Graph.{module}")
        }
    }
}

/// A permission the SDK lists for a cmdlet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CommandPermission {
    /// Permission name, e.g. `Application.ReadWrite.All`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Short consent text.
    #[serde(default)]
    pub description: Option<String>,
    /// Long consent text.
    #[serde(default)]
    pub full_description: Option<String>,
    /// Whether admin consent is required; `false` when not given.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_admin: bool,
    /// `DelegatedWork`, `DelegatedPersonal` or `Application`, kept verbatim; see
    /// [`CommandPermission::scheme`].
    #[serde(default, deserialize_with = "null_as_default")]
    pub permission_type: String,
    /// Whether this is the least privileged permission for the cmdlet; `false` when not
    /// given.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_least_privilege: bool,
}

impl CommandPermission {
    /// The scheme of `PermissionType`, or `None` for an unknown spelling.
    pub fn scheme(&self) -> Option<Scheme> {
        Scheme::parse(self.permission_type.trim())
    }
}

/// `null` reads as the type's default, like a missing key.
fn null_as_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A string, an array of strings (joined with `, `), or `null`; empty reads as `None`.
fn string_or_seq<'de, D>(d: D) -> std::result::Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let joined = match Option::<OneOrMany>::deserialize(d)? {
        None => return Ok(None),
        Some(OneOrMany::One(s)) => s,
        Some(OneOrMany::Many(v)) => v.join(", "),
    };
    Ok((!joined.trim().is_empty()).then_some(joined))
}
