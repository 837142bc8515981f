//! The audit index for the site's "Check an app" page: what the audit needs beyond the
//! lookup index (which it reads too, for names and requests), in a compact JSON the
//! page's script reads. Permissions are referred to by their index in the lookup
//! index's `names`, which is catalog order.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{type_facts, TypeFacts};
use crate::model::{Catalog, PermissionType};

/// Version of the audit index.
pub const INDEX_VERSION: u32 = 1;

/// The global the audit script reads.
pub const GLOBAL: &str = "PERMCAT_AUDIT";

/// `[permission index, "delegated" | "application"]`.
type IdRow = (usize, &'static str);

/// A GUID of another resource app: `[permission, scheme, resource app id]`.
type ForeignRow = (String, String, String);

/// The audit index.
#[derive(Debug, Serialize)]
pub struct AuditIndex {
    /// Format version.
    pub v: u32,
    /// Date of the permission data.
    pub data_date: Option<String>,
    /// Whether the azure-tiering source was read.
    pub risk_tiers_loaded: bool,
    /// Per permission, `[delegated facts, application facts]`, each null when the
    /// permission lacks that type.
    pub types: Vec<[Option<TypeFacts>; 2]>,
    /// The permission and type a GUID is, as `Catalog::permission_by_id` finds it.
    pub by_id: BTreeMap<String, IdRow>,
    /// GUIDs of other resource apps, in the catalog's order.
    pub foreign: BTreeMap<String, Vec<ForeignRow>>,
    /// Names of well-known resource apps by app id.
    pub apps: BTreeMap<String, &'static str>,
    /// Tiered GUIDs no Graph app role matches: `[name, tier or null]`, first per id.
    pub unlisted: BTreeMap<String, (String, Option<u8>)>,
}

/// Builds the audit index.
pub fn build(catalog: &Catalog) -> AuditIndex {
    let types = catalog
        .permissions
        .iter()
        .map(|p| {
            [
                type_facts(p, PermissionType::Delegated),
                type_facts(p, PermissionType::Application),
            ]
        })
        .collect();
    let by_id = super::ids_by_first_match(catalog)
        .into_iter()
        .map(|(id, (i, kind))| (id.to_string(), (i, kind.as_str())))
        .collect();
    let mut foreign: BTreeMap<String, Vec<ForeignRow>> = BTreeMap::new();
    for f in &catalog.foreign_ids {
        foreign.entry(f.id.clone()).or_default().push((
            f.permission.clone(),
            f.scheme.clone(),
            f.resource_app_id.clone(),
        ));
    }
    let mut apps = BTreeMap::new();
    for (id, name) in crate::model::KNOWN_APPS {
        apps.insert(id.to_string(), name);
    }
    let mut unlisted = BTreeMap::new();
    for u in &catalog.unlisted_tiers {
        if let Some(id) = &u.id {
            unlisted
                .entry(id.clone())
                .or_insert((u.permission.clone(), u.tier));
        }
    }
    AuditIndex {
        v: INDEX_VERSION,
        data_date: catalog.data_date.clone(),
        risk_tiers_loaded: catalog.has_tiering(),
        types,
        by_id,
        foreign,
        apps,
        unlisted,
    }
}
