//! `permissions/new/provisioningInfo.json`: per-scheme ids, environments and hidden flags.
//! The file mixes several resource applications; only Microsoft Graph's entries count.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Deserialize;

use super::upstream::{Measure, Upstream, DEVX_CONTENT_REPO};
use super::DataDir;

/// Path of the file relative to the data directory.
pub const PATH: &str = "microsoft-graph-devx-content/permissions/new/provisioningInfo.json";

/// The application id of Microsoft Graph.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The whole document.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningDocument {
    /// Deployments by permission name.
    #[serde(default)]
    pub permission_deployments: BTreeMap<String, Vec<Deployment>>,
}

/// One scheme of one permission as deployed.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// GUID of the scope or role.
    pub id: Option<String>,
    /// Scheme key.
    pub scheme: String,
    /// `public`, `PPE;public`, … separated by `;`.
    #[serde(default)]
    pub environment: String,
    /// Whether the permission is hidden from consent screens.
    pub is_hidden: Option<bool>,
    /// Whether the permission is enabled.
    pub is_enabled: Option<bool>,
    /// Resource application; empty means Microsoft Graph.
    #[serde(default)]
    pub resource_app_id: String,
}

impl Deployment {
    /// Whether this entry belongs to Microsoft Graph (an empty app id is Graph's default).
    pub fn is_graph(&self) -> bool {
        self.resource_app_id.is_empty() || self.resource_app_id.eq_ignore_ascii_case(GRAPH_APP_ID)
    }

    /// The environments, trimmed, in lower case, sorted and without repeats.
    pub fn environments(&self) -> Vec<String> {
        let mut envs: Vec<String> = self
            .environment
            .split(';')
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        envs.sort();
        envs.dedup();
        envs
    }
}

impl ProvisioningDocument {
    /// Only the Microsoft Graph entries, by permission name.
    pub fn graph_only(self) -> BTreeMap<String, Vec<Deployment>> {
        self.permission_deployments
            .into_iter()
            .filter_map(|(name, deps)| {
                let deps: Vec<Deployment> = deps.into_iter().filter(Deployment::is_graph).collect();
                (!deps.is_empty()).then_some((name, deps))
            })
            .collect()
    }
}

/// Reads the file; `None` when absent.
pub fn load(dir: &DataDir) -> Result<Option<ProvisioningDocument>> {
    dir.json_optional(PATH)
}

/// The file `permcat sync` fetches.
pub fn upstream() -> Vec<Upstream> {
    vec![Upstream::optional(
        DEVX_CONTENT_REPO,
        PATH,
        |name, bytes| Measure::json::<ProvisioningDocument>(name, bytes, "entries"),
    )]
}
