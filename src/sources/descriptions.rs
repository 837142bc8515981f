//! `permissions/permissions-descriptions.json` and its localized siblings: the GUIDs of
//! delegated scopes and application roles, with their consent texts.

use anyhow::Result;
use serde::Deserialize;

use super::upstream::{Measure, Upstream, Validator, DEVX_CONTENT_REPO};
use super::DataDir;

/// Path of the English file relative to the data directory.
pub const PATH: &str = "microsoft-graph-devx-content/permissions/permissions-descriptions.json";

/// Languages Microsoft publishes localized descriptions for.
pub const LANGUAGES: [&str; 7] = [
    "de-DE", "es-ES", "fr-FR", "ja-JP", "pt-BR", "ru-RU", "zh-CN",
];

/// Path of a localized file relative to the data directory.
pub fn localized_path(lang: &str) -> String {
    format!("microsoft-graph-devx-content/permissions/permissions-descriptions_{lang}.json")
}

/// One descriptions file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptionsDocument {
    /// OAuth2 permission scopes (delegated).
    #[serde(default)]
    pub delegated_scopes_list: Vec<ScopeEntry>,
    /// App roles (application).
    #[serde(default)]
    pub application_scopes_list: Vec<ScopeEntry>,
}

/// One scope or app role.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeEntry {
    /// The GUID.
    pub id: Option<String>,
    /// The permission name.
    pub value: String,
    /// Display name for administrators.
    pub admin_consent_display_name: Option<String>,
    /// Description for administrators.
    pub admin_consent_description: Option<String>,
    /// Display name for users (for app roles, some files put the admin text here).
    pub consent_display_name: Option<String>,
    /// Description for users.
    pub consent_description: Option<String>,
    /// Whether admin consent is required.
    pub is_admin: Option<bool>,
    /// Whether the permission is enabled.
    pub is_enabled: Option<bool>,
}

/// Reads the English file; `None` when absent.
pub fn load(dir: &DataDir) -> Result<Option<DescriptionsDocument>> {
    dir.json_optional(PATH)
}

/// Reads one localized file; `None` when absent.
pub fn load_localized(dir: &DataDir, lang: &str) -> Result<Option<DescriptionsDocument>> {
    dir.json_optional(&localized_path(lang))
}

/// The files `permcat sync` fetches: the English file, then the localized ones.
pub fn upstream() -> Vec<Upstream> {
    let validate: Validator =
        |name, bytes| Measure::json::<DescriptionsDocument>(name, bytes, "entries");
    std::iter::once(PATH.to_string())
        .chain(LANGUAGES.iter().map(|lang| localized_path(lang)))
        .map(|rel| Upstream::optional(DEVX_CONTENT_REPO, &rel, validate))
        .collect()
}
