//! The azure-tiering project's risk tiers of Microsoft Graph application permissions
//! (`emiliensocchi/azure-tiering`): Tier 0, 1 or 2 per app role, with the known attack
//! path to Global Admin for Tier 0, and the app roles it has not tiered yet.
//!
//! The data is GPL-3.0: permcat reads it from a data directory at run time (`permcat
//! sync` fetches it as an optional file) and never bundles it.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Deserialize;

use super::upstream::{Measure, Repo, Upstream, Validator};
use super::DataDir;

/// The project's repository and the data-directory folder that mirrors it.
pub const REPO: Repo = Repo {
    name: "emiliensocchi/azure-tiering",
    branch: "main",
    folder: "azure-tiering",
};

/// The tiered application permissions, relative to the data directory.
pub const TIERED: &str =
    "azure-tiering/Microsoft Graph application permissions/tiered-msgraph-app-permissions.json";
/// The application permissions not tiered yet.
pub const UNTIERED: &str =
    "azure-tiering/Microsoft Graph application permissions/untiered-msgraph-app-permissions.json";
/// The names and definitions of the tiers.
pub const DEFINITIONS: &str = "azure-tiering/tier_definitions.json";

/// One tiered application permission.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TierEntry {
    /// `"0"`, `"1"` or `"2"`.
    pub tier: String,
    /// The app role's GUID.
    pub id: Option<String>,
    /// The permission's name.
    pub asset_name: String,
    /// The permission's description as the project quotes it.
    pub asset_definition: Option<String>,
    /// Learn link.
    pub documentation_uri: Option<String>,
    /// `Direct` or `Indirect` (Tier 0), `n/a` or absent otherwise.
    pub path_type: Option<String>,
    /// The known shortest path to Global Admin.
    pub shortest_path: Option<String>,
    /// An example of an attack along that path.
    pub example: Option<String>,
}

/// One application permission the project has not tiered yet.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntieredEntry {
    /// When the project noticed it.
    pub detected_on: Option<String>,
    /// What the project noticed (`added`, …).
    pub api_event: Option<String>,
    /// The app role's GUID.
    pub id: Option<String>,
    /// The permission's name.
    pub asset_name: String,
}

/// `tier_definitions.json`: names and definitions per family of assets (`msgraph`, …),
/// keyed `tier_0`, `tier_1`, …
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Definitions {
    /// Short names, e.g. "Family of Global Admins".
    #[serde(default)]
    pub tier_names: BTreeMap<String, BTreeMap<String, String>>,
    /// One-sentence definitions.
    #[serde(default)]
    pub tier_definitions: BTreeMap<String, BTreeMap<String, String>>,
}

impl Definitions {
    /// The Graph tier's name and definition.
    pub fn msgraph(&self, tier: u8) -> (Option<String>, Option<String>) {
        let key = format!("tier_{tier}");
        let of = |m: &BTreeMap<String, BTreeMap<String, String>>| {
            m.get("msgraph").and_then(|t| t.get(&key)).cloned()
        };
        (of(&self.tier_names), of(&self.tier_definitions))
    }
}

/// Everything the project's files say, as read.
#[derive(Debug, Clone)]
pub struct TieringDocument {
    /// The tiered permissions.
    pub tiered: Vec<TierEntry>,
    /// The permissions not tiered yet; empty when the file is absent.
    pub untiered: Vec<UntieredEntry>,
    /// The tier names and definitions; empty when the file is absent.
    pub definitions: Definitions,
    /// The files read, relative to the data directory.
    pub files: Vec<String>,
}

/// Reads the project's files; `None` when the tiered list is absent.
pub fn load(dir: &DataDir) -> Result<Option<TieringDocument>> {
    let Some(tiered) = dir.json_optional::<Vec<TierEntry>>(TIERED)? else {
        return Ok(None);
    };
    let mut files = vec![TIERED.to_string()];
    let untiered = match dir.json_optional::<Vec<UntieredEntry>>(UNTIERED)? {
        Some(list) => {
            files.push(UNTIERED.to_string());
            list
        }
        None => Vec::new(),
    };
    let definitions = match dir.json_optional::<Definitions>(DEFINITIONS)? {
        Some(d) => {
            files.push(DEFINITIONS.to_string());
            d
        }
        None => Definitions::default(),
    };
    Ok(Some(TieringDocument {
        tiered,
        untiered,
        definitions,
        files,
    }))
}

/// The tier of an entry: 0, 1 or 2; `None` for any other spelling.
pub fn tier_of(entry: &TierEntry) -> Option<u8> {
    match entry.tier.trim() {
        "0" => Some(0),
        "1" => Some(1),
        "2" => Some(2),
        _ => None,
    }
}

/// The files `permcat sync` fetches: all optional.
pub fn upstream() -> Vec<Upstream> {
    let tiered: Validator = |name, bytes| Measure::json::<Vec<TierEntry>>(name, bytes, "entries");
    let untiered: Validator =
        |name, bytes| Measure::json::<Vec<UntieredEntry>>(name, bytes, "entries");
    let definitions: Validator = |name, bytes| Measure::json::<Definitions>(name, bytes, "entries");
    vec![
        Upstream::optional(REPO, TIERED, tiered),
        Upstream::optional(REPO, UNTIERED, untiered),
        Upstream::optional(REPO, DEFINITIONS, definitions),
    ]
}
