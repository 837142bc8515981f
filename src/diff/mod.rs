//! What changed between two catalogs: permissions, their schemes and consent texts,
//! grants, least-privileged markers and endpoint versions, in a deterministic order.
//!
//! [`diff`] compares two [`Catalog`]s; [`CatalogDiff`] renders itself as text, JSON,
//! CSV or markdown. Grants are compared on (permission, method, canonical key, scheme),
//! so a path that only changed its spelling is not reported.

mod output;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::model::{ApiVersion, Catalog, Permission, Scheme, SchemeInfo, FORMAT_VERSION};

pub use output::DiffFormat;

/// Everything that differs between an old and a new catalog.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CatalogDiff {
    /// Shape name, `permcat.diff`.
    pub format: String,
    /// Shape version.
    pub version: u32,
    /// Data date of the old catalog.
    pub old_date: Option<String>,
    /// Data date of the new catalog.
    pub new_date: Option<String>,
    /// Counts of every list below.
    pub summary: Summary,
    /// Permissions only the new catalog has, in catalog order.
    pub added: Vec<String>,
    /// Permissions only the old catalog has, in catalog order.
    pub removed: Vec<String>,
    /// Removed and added permissions that look like the same permission renamed.
    pub renamed: Vec<Rename>,
    /// Permissions in both catalogs whose schemes or texts changed, in catalog order.
    pub changed: Vec<PermissionChange>,
    /// Grants only the new catalog has.
    pub grants_added: Vec<GrantRef>,
    /// Grants only the old catalog has.
    pub grants_removed: Vec<GrantRef>,
    /// Grants in both whose least-privileged marker flipped.
    pub least_privileged: Vec<LeastPrivilegedFlip>,
    /// Endpoints in both whose API versions changed.
    pub endpoint_versions: Vec<EndpointVersionChange>,
}

/// How many entries each list of a [`CatalogDiff`] holds.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// Permissions added.
    pub permissions_added: usize,
    /// Permissions removed.
    pub permissions_removed: usize,
    /// Renamed-looking pairs.
    pub permissions_renamed: usize,
    /// Permissions changed.
    pub permissions_changed: usize,
    /// Grants added.
    pub grants_added: usize,
    /// Grants removed.
    pub grants_removed: usize,
    /// Least-privileged flips.
    pub least_privileged_flips: usize,
    /// Endpoints whose versions changed.
    pub endpoint_version_changes: usize,
}

impl Summary {
    /// The total number of reported changes; zero means the catalogs agree.
    pub fn total(&self) -> usize {
        self.permissions_added
            + self.permissions_removed
            + self.permissions_changed
            + self.grants_added
            + self.grants_removed
            + self.least_privileged_flips
            + self.endpoint_version_changes
    }
}

/// Why a removed and an added permission are taken for a rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RenameEvidence {
    /// They share a scope or app-role GUID: strong evidence.
    SameId,
    /// Same category and identical admin texts, but no shared GUID: weaker.
    SameTexts,
}

impl RenameEvidence {
    /// Kebab-case name, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RenameEvidence::SameId => "same-id",
            RenameEvidence::SameTexts => "same-texts",
        }
    }
}

/// A removed permission that looks renamed to an added one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rename {
    /// Name in the old catalog.
    pub old: String,
    /// Name in the new catalog.
    pub new: String,
    /// What makes them look alike.
    pub evidence: RenameEvidence,
}

/// What changed in one permission present in both catalogs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionChange {
    /// Permission name.
    pub name: String,
    /// Schemes (types) only the new catalog lists.
    pub schemes_added: Vec<Scheme>,
    /// Schemes only the old catalog lists.
    pub schemes_removed: Vec<Scheme>,
    /// Field changes of schemes present in both, in scheme then field order.
    pub fields: Vec<FieldChange>,
}

/// Which field of a scheme changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The scope or app-role GUID.
    Id,
    /// Display name for administrators.
    AdminDisplayName,
    /// Description for administrators.
    AdminDescription,
    /// Display name for users.
    UserDisplayName,
    /// Description for users.
    UserDescription,
    /// Whether admin consent is required.
    RequiresAdminConsent,
    /// Privilege level 1–5.
    PrivilegeLevel,
}

impl Field {
    /// Every field, in report order.
    pub const ALL: [Field; 7] = [
        Field::Id,
        Field::AdminDisplayName,
        Field::AdminDescription,
        Field::UserDisplayName,
        Field::UserDescription,
        Field::RequiresAdminConsent,
        Field::PrivilegeLevel,
    ];

    /// snake_case name, as in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::AdminDisplayName => "admin_display_name",
            Field::AdminDescription => "admin_description",
            Field::UserDisplayName => "user_display_name",
            Field::UserDescription => "user_description",
            Field::RequiresAdminConsent => "requires_admin_consent",
            Field::PrivilegeLevel => "privilege_level",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Field::Id => "GUID",
            Field::AdminDisplayName => "admin display name",
            Field::AdminDescription => "admin description",
            Field::UserDisplayName => "user display name",
            Field::UserDescription => "user description",
            Field::RequiresAdminConsent => "admin consent",
            Field::PrivilegeLevel => "privilege level",
        }
    }

    fn value(self, s: &SchemeInfo) -> Option<String> {
        match self {
            Field::Id => s.id.clone(),
            Field::AdminDisplayName => s.admin_display_name.clone(),
            Field::AdminDescription => s.admin_description.clone(),
            Field::UserDisplayName => s.user_display_name.clone(),
            Field::UserDescription => s.user_description.clone(),
            Field::RequiresAdminConsent => s.requires_admin_consent.map(|b| b.to_string()),
            Field::PrivilegeLevel => s.privilege_level.map(|l| l.to_string()),
        }
    }
}

/// One field of one scheme, old → new (`None` when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Scheme whose field changed.
    pub scheme: Scheme,
    /// Which field.
    pub field: Field,
    /// Old value.
    pub old: Option<String>,
    /// New value.
    pub new: Option<String>,
}

/// A grant, identified by permission, method, canonical key and scheme.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GrantRef {
    /// Permission name.
    pub permission: String,
    /// HTTP method.
    pub method: String,
    /// Canonical path key.
    pub key: String,
    /// Scheme.
    pub scheme: Scheme,
    /// The path as its catalog spells it (the first spelling when several share a key).
    pub path: String,
}

/// A grant in both catalogs whose least-privileged marker changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LeastPrivilegedFlip {
    /// The grant (path spelled as in the new catalog).
    pub grant: GrantRef,
    /// Old marker.
    pub old: bool,
    /// New marker.
    pub new: bool,
}

/// An endpoint in both catalogs whose API versions changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EndpointVersionChange {
    /// HTTP method.
    pub method: String,
    /// Canonical path key.
    pub key: String,
    /// Readable path from the new catalog.
    pub path: String,
    /// Versions before.
    pub old: Vec<ApiVersion>,
    /// Versions after.
    pub new: Vec<ApiVersion>,
}

impl CatalogDiff {
    /// Whether anything changed.
    pub fn is_empty(&self) -> bool {
        self.summary.total() == 0
    }

    /// Names of the permissions that were added or changed in any way (schemes, texts,
    /// grants, least-privileged markers), in byte order; what the site marks.
    pub fn touched_permissions(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.changed.iter().map(|c| c.name.clone()).collect();
        out.extend(self.grants_added.iter().map(|g| g.permission.clone()));
        out.extend(self.grants_removed.iter().map(|g| g.permission.clone()));
        out.extend(
            self.least_privileged
                .iter()
                .map(|f| f.grant.permission.clone()),
        );
        for a in &self.added {
            out.remove(a);
        }
        for r in &self.removed {
            out.remove(r);
        }
        out
    }
}

/// Grant identity: (permission, method, key, scheme).
type GrantKey<'a> = (&'a str, &'a str, &'a str, Scheme);

/// Per grant identity: the first path spelling and whether any grant with that identity
/// is least privileged (canonical keys can merge spellings with different markers).
fn grant_map(c: &Catalog) -> BTreeMap<GrantKey<'_>, (&str, bool)> {
    let mut out: BTreeMap<GrantKey<'_>, (&str, bool)> = BTreeMap::new();
    for g in &c.grants {
        let e = out
            .entry((&g.permission, &g.method, &g.key, g.scheme))
            .or_insert((&g.path, false));
        e.1 |= g.least_privileged;
    }
    out
}

fn grant_ref(k: &GrantKey<'_>, path: &str) -> GrantRef {
    GrantRef {
        permission: k.0.to_string(),
        method: k.1.to_string(),
        key: k.2.to_string(),
        scheme: k.3,
        path: path.to_string(),
    }
}

/// Compares two catalogs.
pub fn diff(old: &Catalog, new: &Catalog) -> CatalogDiff {
    let old_names: BTreeSet<&str> = old.permissions.iter().map(|p| p.name.as_str()).collect();
    let new_names: BTreeSet<&str> = new.permissions.iter().map(|p| p.name.as_str()).collect();
    // Iterate the catalogs rather than the sets so lists come out in catalog order.
    let added: Vec<&Permission> = new
        .permissions
        .iter()
        .filter(|p| !old_names.contains(p.name.as_str()))
        .collect();
    let removed: Vec<&Permission> = old
        .permissions
        .iter()
        .filter(|p| !new_names.contains(p.name.as_str()))
        .collect();
    let renamed = renames(&removed, &added);

    let changed: Vec<PermissionChange> = new
        .permissions
        .iter()
        .filter_map(|n| {
            old.permission(&n.name)
                .and_then(|o| permission_change(o, n))
        })
        .collect();

    let old_grants = grant_map(old);
    let new_grants = grant_map(new);
    let mut grants_added = Vec::new();
    let mut least_privileged = Vec::new();
    for (k, (path, lp)) in &new_grants {
        match old_grants.get(k) {
            None => grants_added.push(grant_ref(k, path)),
            Some((_, old_lp)) if old_lp != lp => least_privileged.push(LeastPrivilegedFlip {
                grant: grant_ref(k, path),
                old: *old_lp,
                new: *lp,
            }),
            Some(_) => {}
        }
    }
    let grants_removed: Vec<GrantRef> = old_grants
        .iter()
        .filter(|(k, _)| !new_grants.contains_key(*k))
        .map(|(k, (path, _))| grant_ref(k, path))
        .collect();

    let endpoint_versions: Vec<EndpointVersionChange> = new
        .endpoints
        .iter()
        .filter_map(|e| {
            let o = old.endpoint(&e.method, &e.key)?;
            let ov: Vec<ApiVersion> = o.versions.keys().copied().collect();
            let nv: Vec<ApiVersion> = e.versions.keys().copied().collect();
            (ov != nv).then(|| EndpointVersionChange {
                method: e.method.clone(),
                key: e.key.clone(),
                path: e.path.clone(),
                old: ov,
                new: nv,
            })
        })
        .collect();

    let summary = Summary {
        permissions_added: added.len(),
        permissions_removed: removed.len(),
        permissions_renamed: renamed.len(),
        permissions_changed: changed.len(),
        grants_added: grants_added.len(),
        grants_removed: grants_removed.len(),
        least_privileged_flips: least_privileged.len(),
        endpoint_version_changes: endpoint_versions.len(),
    };
    CatalogDiff {
        format: "permcat.diff".into(),
        version: FORMAT_VERSION,
        old_date: old.data_date.clone(),
        new_date: new.data_date.clone(),
        summary,
        added: added.iter().map(|p| p.name.clone()).collect(),
        removed: removed.iter().map(|p| p.name.clone()).collect(),
        renamed,
        changed,
        grants_added,
        grants_removed,
        least_privileged,
        endpoint_versions,
    }
}

fn permission_change(old: &Permission, new: &Permission) -> Option<PermissionChange> {
    let schemes_added: Vec<Scheme> = new
        .schemes
        .keys()
        .filter(|s| !old.schemes.contains_key(s))
        .copied()
        .collect();
    let schemes_removed: Vec<Scheme> = old
        .schemes
        .keys()
        .filter(|s| !new.schemes.contains_key(s))
        .copied()
        .collect();
    let mut fields = Vec::new();
    for (scheme, n) in &new.schemes {
        let Some(o) = old.schemes.get(scheme) else {
            continue;
        };
        for field in Field::ALL {
            let (ov, nv) = (field.value(o), field.value(n));
            // GUIDs are compared without regard to case: the files spell them both ways.
            let same = match (&ov, &nv, field) {
                (Some(a), Some(b), Field::Id) => a.eq_ignore_ascii_case(b),
                _ => ov == nv,
            };
            if !same {
                fields.push(FieldChange {
                    scheme: *scheme,
                    field,
                    old: ov,
                    new: nv,
                });
            }
        }
    }
    (!(schemes_added.is_empty() && schemes_removed.is_empty() && fields.is_empty())).then(|| {
        PermissionChange {
            name: new.name.clone(),
            schemes_added,
            schemes_removed,
            fields,
        }
    })
}

/// Pairs removed with added permissions: first by a shared GUID, then (for those left)
/// by the same category and identical admin texts. Each permission pairs at most once.
fn renames(removed: &[&Permission], added: &[&Permission]) -> Vec<Rename> {
    let ids = |p: &Permission| -> BTreeSet<String> {
        p.schemes
            .values()
            .filter_map(|s| s.id.as_ref().map(|i| i.to_ascii_lowercase()))
            .collect()
    };
    let texts = |p: &Permission| -> Vec<(Scheme, Option<String>, Option<String>)> {
        p.schemes
            .values()
            .filter(|s| s.admin_display_name.is_some() || s.admin_description.is_some())
            .map(|s| {
                (
                    s.scheme,
                    s.admin_display_name.clone(),
                    s.admin_description.clone(),
                )
            })
            .collect()
    };
    let mut out = Vec::new();
    let mut used_old: BTreeSet<&str> = BTreeSet::new();
    let mut used_new: BTreeSet<&str> = BTreeSet::new();
    let new_ids: Vec<BTreeSet<String>> = added.iter().map(|p| ids(p)).collect();
    for o in removed {
        let oi = ids(o);
        if oi.is_empty() {
            continue;
        }
        if let Some((n, _)) = added
            .iter()
            .zip(&new_ids)
            .find(|(n, ni)| !used_new.contains(n.name.as_str()) && !oi.is_disjoint(ni))
        {
            used_old.insert(&o.name);
            used_new.insert(&n.name);
            out.push(Rename {
                old: o.name.clone(),
                new: n.name.clone(),
                evidence: RenameEvidence::SameId,
            });
        }
    }
    for o in removed
        .iter()
        .filter(|o| !used_old.contains(o.name.as_str()))
    {
        let ot = texts(o);
        if ot.is_empty() {
            continue;
        }
        if let Some(n) = added.iter().find(|n| {
            !used_new.contains(n.name.as_str())
                && n.category().eq_ignore_ascii_case(o.category())
                && texts(n) == ot
        }) {
            used_new.insert(&n.name);
            out.push(Rename {
                old: o.name.clone(),
                new: n.name.clone(),
                evidence: RenameEvidence::SameTexts,
            });
        }
    }
    out.sort();
    out
}

/// The catalog bundle `permcat export --what catalog --format json` writes.
#[derive(Debug, Serialize, Deserialize)]
pub struct CatalogBundle {
    /// Shape name, `permcat.catalog`.
    pub format: String,
    /// Shape version.
    pub version: u32,
    /// The whole catalog.
    pub catalog: Catalog,
}

/// Loads one side of a diff: a data directory, or a catalog bundle file.
pub fn load_side(path: &Path) -> Result<Catalog> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if meta.is_dir() {
        return Ok(crate::load(path)?.0);
    }
    // A catalog export is JSON: a regular file under the JSON cap, never a FIFO or a
    // device that would hang or exhaust memory.
    let bytes = match crate::sources::read_capped(path, crate::sources::JSON_CAP)
        .with_context(|| format!("cannot read `{}`", path.display()))?
    {
        Some(Ok(b)) => b,
        Some(Err(why)) => anyhow::bail!("cannot read `{}`: it is {why}", path.display()),
        None => anyhow::bail!("cannot read `{}`: not found", path.display()),
    };
    // Peek at the shape name first so another export gets a clear message rather than a
    // serde error about a missing field.
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        version: Option<u32>,
    }
    let head: Head = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "`{}` is neither a data directory nor a JSON catalog export",
            path.display()
        )
    })?;
    match (head.format.as_deref(), head.version) {
        (Some("permcat.catalog"), Some(FORMAT_VERSION)) => {}
        (Some("permcat.catalog"), v) => bail!(
            "`{}` is a catalog export of version {v:?}; this permcat reads version {FORMAT_VERSION}",
            path.display()
        ),
        (f, _) => bail!(
            "`{}` is a `{}` file, not a catalog export; write one with `permcat export --what catalog --format json`",
            path.display(),
            f.unwrap_or("unknown")
        ),
    }
    let bundle: CatalogBundle = serde_json::from_slice(&bytes)
        .with_context(|| format!("`{}`: malformed catalog export", path.display()))?;
    Ok(bundle.catalog)
}
