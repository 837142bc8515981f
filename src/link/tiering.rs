//! The azure-tiering project's risk tiers, attached to the application schemes they rate.
//!
//! An entry is matched by name first (the catalog's key), then by app role GUID (a
//! permission the project spells otherwise). What matches neither is kept in
//! [`crate::model::Catalog::unlisted_tiers`], so a GUID the project knows is never lost. A
//! tier that disagrees with Microsoft's privilege level is kept as a conflict with both
//! sides; the permission shows both.

use crate::hash::HashMap;

use super::permissions::{add_source, side, DESCRIPTIONS, PERMISSIONS, PROVISIONING};
use super::Linker;
use crate::model::{Conflict, ConflictKind, Scheme, Tiering, UnlistedTier};
use crate::sources::tiering::{self, TieringDocument};

/// Source keys of the project's files.
const TIERED: &str = "tiering";
const UNTIERED: &str = "tiering:untiered";
const DEFINITIONS: &str = "tiering:definitions";

impl Linker {
    /// Attaches the tiers to the application schemes; after the permission files are
    /// linked, so GUIDs from the descriptions can match.
    pub(super) fn add_tiering(&mut self, doc: TieringDocument) {
        for file in &doc.files {
            let key = match file.as_str() {
                tiering::TIERED => TIERED,
                tiering::UNTIERED => UNTIERED,
                _ => DEFINITIONS,
            };
            self.source(key, file);
        }
        // App role GUIDs (lower case) → permission name.
        let by_id: HashMap<String, String> = self
            .permissions
            .values()
            .filter_map(|p| {
                let id = p.schemes.get(&Scheme::Application)?.id.as_deref()?;
                Some((id.to_ascii_lowercase(), p.name.clone()))
            })
            .collect();
        let mut tiered = 0;
        let mut untiered = 0;
        let mut by_guid = 0;
        let mut unknown_tier = 0;
        let mut repeated = 0;
        let mut conflicts = Vec::new();
        let entries = doc
            .tiered
            .iter()
            .map(|e| (e.asset_name.as_str(), e.id.as_deref(), Some(e)))
            .chain(
                doc.untiered
                    .iter()
                    .map(|e| (e.asset_name.as_str(), e.id.as_deref(), None)),
            );
        for (index, (name, id, entry)) in entries.enumerate() {
            let is_tiered = index < doc.tiered.len();
            let tier = match entry {
                Some(e) => match tiering::tier_of(e) {
                    Some(t) => Some(t),
                    None => {
                        unknown_tier += 1;
                        continue;
                    }
                },
                None => None,
            };
            let name = name.trim();
            let id = id
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase);
            let target = if self
                .permissions
                .get(name)
                .is_some_and(|p| p.schemes.contains_key(&Scheme::Application))
            {
                Some(name.to_string())
            } else {
                let found = id.as_ref().and_then(|id| by_id.get(id)).cloned();
                by_guid += usize::from(found.is_some());
                found
            };
            let Some(target) = target else {
                self.catalog.unlisted_tiers.push(UnlistedTier {
                    permission: name.to_string(),
                    id,
                    tier,
                });
                continue;
            };
            let (tier_name, tier_definition) = match tier {
                Some(t) => doc.definitions.msgraph(t),
                None => (None, None),
            };
            let source = if is_tiered { TIERED } else { UNTIERED };
            let text = |s: Option<&String>| {
                s.map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty() && s != "n/a")
            };
            let found = Tiering {
                tier,
                tier_name,
                tier_definition,
                path_type: text(entry.and_then(|e| e.path_type.as_ref())),
                shortest_path: text(entry.and_then(|e| e.shortest_path.as_ref())),
                example: text(entry.and_then(|e| e.example.as_ref())),
                detected_on: if is_tiered {
                    None
                } else {
                    text(doc.untiered[index - doc.tiered.len()].detected_on.as_ref())
                },
                source: source.to_string(),
            };
            let perm = self.permissions.get_mut(&target).expect("matched above");
            let info = perm
                .schemes
                .get_mut(&Scheme::Application)
                .expect("matched above");
            if info.tiering.is_some() {
                // Listed twice, or both tiered and untiered: the first (tiered) stays.
                repeated += 1;
                continue;
            }
            if let (Some(theirs), Some(ours)) = (&id, &info.id) {
                if !theirs.eq_ignore_ascii_case(ours) {
                    conflicts.push(Conflict {
                        kind: ConflictKind::IdMismatch,
                        permission: Some(perm.name.clone()),
                        subject: "Application id".into(),
                        sides: vec![
                            side(id_source(&info.sources), ours.clone()),
                            side(source, theirs.clone()),
                        ],
                        resolution: "Microsoft's id shown; the tier is matched by name".into(),
                        source_age: None,
                    });
                }
            }
            if found.disagrees_with(info.privilege_level) {
                let level = info.privilege_level.unwrap_or_default();
                let tier_text = match &found.tier_name {
                    Some(n) => format!("{} ({n})", found.label()),
                    None => found.label(),
                };
                conflicts.push(Conflict {
                    kind: ConflictKind::TierPrivilegeMismatch,
                    permission: Some(perm.name.clone()),
                    subject: "Application risk".into(),
                    sides: vec![
                        side(PERMISSIONS, format!("privilegeLevel {level}")),
                        side(source, tier_text),
                    ],
                    resolution: "both shown".into(),
                    source_age: None,
                });
            }
            add_source(info, source);
            info.tiering = Some(found);
            if is_tiered {
                tiered += 1;
            } else {
                untiered += 1;
            }
        }
        self.catalog.unlisted_tiers.sort();
        self.catalog.unlisted_tiers.dedup();
        self.report.count(TIERED, "tiered app roles", tiered);
        if doc.files.iter().any(|f| f == tiering::UNTIERED) {
            self.report
                .count(UNTIERED, "app roles not tiered yet", untiered);
        }
        self.report
            .linked("tiered roles matched by GUID, not name", by_guid);
        self.report.linked(
            "tiered roles no Graph app role matches",
            self.catalog.unlisted_tiers.len(),
        );
        self.report.warn_n(
            "azure-tiering: entries with a tier other than 0, 1 or 2",
            unknown_tier,
        );
        self.report
            .warn_n("azure-tiering: permissions listed more than once", repeated);
        self.catalog.conflicts.extend(conflicts);
    }
}

/// The file an application id came from: the descriptions, else the deployment records.
fn id_source(sources: &[String]) -> &'static str {
    if sources.iter().any(|s| s == DESCRIPTIONS) {
        DESCRIPTIONS
    } else {
        PROVISIONING
    }
}
