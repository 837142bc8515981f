//! One permission's export, what `permcat show --json` prints and the Export JSON / Export
//! CSV buttons of its page download: its facts, and every grant with the API versions
//! of the endpoint and the path as the docs spell it.

use anyhow::Result;
use serde::Serialize;

use super::csv_out::SafeWriter;
use crate::model::{ApiVersion, Catalog, Conflict, Grant, Permission, PermissionType, Resource};

/// The per-permission CSV's columns, in order. Every row is one grant (method × path ×
/// scheme) and repeats the facts of the permission's type and scheme, so a row read
/// alone, or a spreadsheet filtered on any column, says everything about it.
pub const PERMISSION_CSV_COLUMNS: [&str; 18] = [
    "permission",
    "type",
    "scheme",
    "id",
    "requires_admin_consent",
    "privilege_level",
    "versions",
    "method",
    "path",
    "readable_path",
    "key",
    "least_privileged",
    "flagged_least",
    "also_requires",
    "included_properties",
    "excluded_properties",
    "source",
    "risk_tier",
];

/// One grant of the permission with what its endpoint adds.
#[derive(Debug, Serialize)]
pub struct PermissionGrant<'a> {
    /// The grant, as the `grants` export has it.
    #[serde(flatten)]
    pub grant: &'a Grant,
    /// `delegated` or `application`: the type of the grant's scheme.
    #[serde(rename = "type")]
    pub kind: PermissionType,
    /// The API versions the endpoint exists in (`v1.0`, `beta`); empty when no source
    /// confirms one.
    pub versions: Vec<ApiVersion>,
    /// The endpoint's most readable path spelling (docs, then command map, then
    /// permissions.json), as the permission's page shows it.
    pub readable_path: &'a str,
}

impl<'a> PermissionGrant<'a> {
    fn new(catalog: &'a Catalog, grant: &'a Grant) -> Self {
        let endpoint = catalog.endpoint(&grant.method, &grant.key);
        PermissionGrant {
            grant,
            kind: grant.scheme.kind(),
            versions: endpoint
                .map(|e| e.versions.keys().copied().collect())
                .unwrap_or_default(),
            readable_path: endpoint.map_or(grant.path.as_str(), |e| e.path.as_str()),
        }
    }
}

/// One permission with its grants and conflicts, as `permcat show --json` prints it and
/// the site's "Export JSON" button downloads it.
#[derive(Debug, Serialize)]
pub struct PermissionBundle<'a> {
    /// Shape name, `permcat.permission`.
    pub format: &'static str,
    /// Shape version.
    pub version: u32,
    /// Date of the permission data.
    pub data_date: Option<&'a str>,
    /// The permission: per scheme its GUID, texts, admin consent and privilege level.
    pub permission: &'a Permission,
    /// Its grants, each with the endpoint's API versions and readable path.
    pub grants: Vec<PermissionGrant<'a>>,
    /// Conflicts concerning it.
    pub conflicts: Vec<&'a Conflict>,
    /// Its primary resource (the type most of its endpoints return) with properties and
    /// relationships; `version` says which schema it is shown from and `note` why, when
    /// that is not v1.0.
    pub resource: Option<&'a Resource>,
    /// Whether the azure-tiering source was read (the CSV's `risk_tier` says "not
    /// listed" only then).
    #[serde(skip)]
    has_tiering: bool,
}

impl<'a> PermissionBundle<'a> {
    /// Collects one permission's records.
    pub fn new(catalog: &'a Catalog, permission: &'a Permission) -> Self {
        let conflicts = catalog.conflicts_of(&permission.name).collect();
        Self::with_conflicts(catalog, permission, conflicts)
    }

    /// Collects one permission's records with its conflicts found by the caller (in
    /// catalog order), for a caller that indexed them once for every permission.
    pub fn with_conflicts(
        catalog: &'a Catalog,
        permission: &'a Permission,
        conflicts: Vec<&'a Conflict>,
    ) -> Self {
        PermissionBundle {
            format: "permcat.permission",
            version: crate::model::FORMAT_VERSION,
            data_date: catalog.data_date.as_deref(),
            permission,
            grants: catalog
                .grants_of(&permission.name)
                .map(|g| PermissionGrant::new(catalog, g))
                .collect(),
            conflicts,
            resource: permission
                .primary_resource
                .as_ref()
                .and_then(|t| catalog.resource(t.version, &t.type_name)),
            has_tiering: catalog.has_tiering(),
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(self)?;
        out.push(b'\n');
        Ok(out)
    }

    /// Compact JSON on one line with a final newline, for the site's download, which
    /// programs read: the same document as [`PermissionBundle::to_json`].
    pub fn to_json_compact(&self) -> Result<Vec<u8>> {
        let mut out = serde_json::to_vec(self)?;
        out.push(b'\n');
        Ok(out)
    }

    /// One row per grant in [`PERMISSION_CSV_COLUMNS`], formula-safe like every CSV
    /// permcat writes.
    pub fn to_csv(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut w = SafeWriter::new(&mut out);
        w.row(
            PERMISSION_CSV_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .collect(),
        )?;
        for g in &self.grants {
            w.row(self.csv_row(g))?;
        }
        w.finish()?;
        Ok(out)
    }

    fn csv_row(&self, g: &PermissionGrant<'_>) -> Vec<String> {
        let p = self.permission;
        let scheme = p.schemes.get(&g.grant.scheme);
        // The scheme's own GUID; a scheme the permission does not define (a pathSet
        // naming it anyway) still gets the GUID of its type when there is one.
        let id = scheme
            .and_then(|s| s.id.as_deref())
            .or_else(|| p.id_of(g.kind))
            .unwrap_or_default();
        let opt = |v: Option<String>| v.unwrap_or_default();
        let versions: Vec<&str> = g.versions.iter().map(|v| v.as_str()).collect();
        let grant = g.grant;
        vec![
            grant.permission.clone(),
            g.kind.to_string(),
            grant.scheme.to_string(),
            id.to_string(),
            opt(scheme.and_then(|s| s.requires_admin_consent.map(|b| b.to_string()))),
            opt(scheme.and_then(|s| s.privilege_level.map(|l| l.to_string()))),
            versions.join(";"),
            grant.method.clone(),
            grant.path.clone(),
            g.readable_path.to_string(),
            grant.key.clone(),
            grant.least_privileged.to_string(),
            grant.flagged_least.to_string(),
            grant.also_requires.join(";"),
            grant.included_properties.join(";"),
            grant.excluded_properties.join(";"),
            grant.source.clone(),
            super::csv_out::risk_cell(
                self.has_tiering,
                g.kind,
                &p.schemes_of(g.kind).collect::<Vec<_>>(),
            ),
        ]
    }
}
