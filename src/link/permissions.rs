//! Linking of the permission sources: permissions.json, the descriptions files and
//! provisioningInfo.json.

use crate::hash::HashMap;
use std::collections::BTreeMap;

use super::Linker;
use crate::model::{
    Conflict, ConflictKind, ConflictSide, ForeignId, Grant, LocalizedText, Permission,
    PermissionType, Scheme, SchemeInfo,
};
use crate::sources::descriptions::{self, DescriptionsDocument, ScopeEntry};
use crate::sources::permissions::{self, PathFlags, PermissionsDocument, RawScheme};
use crate::sources::provisioning::{self, ProvisioningDocument};

pub(super) const PERMISSIONS: &str = "permissions";
pub(super) const DESCRIPTIONS: &str = "descriptions";
pub(super) const PROVISIONING: &str = "provisioning";

/// Text from the data, with empty or blank strings treated as absent.
fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
}

pub(super) fn side(source: &str, value: impl Into<String>) -> ConflictSide {
    ConflictSide {
        source: source.to_string(),
        value: value.into(),
    }
}

fn absent() -> String {
    "(absent)".to_string()
}

impl Linker {
    /// Adds every permission of permissions.json with its schemes and grants.
    pub(super) fn add_permissions(&mut self, doc: PermissionsDocument) {
        let src = self.source(PERMISSIONS, permissions::PATH);
        self.report
            .count(&src, "permissions", doc.permissions.len());
        let mut grant_count = 0;
        // Thousands of grants share a few thousand paths: canonicalize each once.
        let mut keys: HashMap<String, String> = Default::default();
        for name in &doc.permissions.repeated {
            self.conflict(Conflict {
                kind: ConflictKind::DuplicateKey,
                permission: Some(name.clone()),
                subject: format!("permission key `{name}` repeated"),
                sides: vec![side(
                    &src,
                    "the same key appears more than once".to_string(),
                )],
                resolution: "the first definition kept, the later ones ignored".into(),
                source_age: None,
            });
        }
        for (name, raw) in doc.permissions.map {
            let mut perm = Permission {
                name: name.clone(),
                authorization_type: text(&raw.authorization_type),
                owner_security_group: raw
                    .owner_info
                    .as_ref()
                    .and_then(|o| text(&o.owner_security_group)),
                schemes: BTreeMap::new(),
                primary_resource: None,
            };
            for (key, scheme) in &raw.schemes {
                match Scheme::parse(key) {
                    Some(s) => {
                        let mut info = scheme_info(s, scheme, &src);
                        if let Some(l) = info.privilege_level.filter(|l| !(1..=5).contains(l)) {
                            self.report.warn(format!(
                                "privilegeLevel {l} out of 1–5 ignored ({name}, {s})"
                            ));
                            info.privilege_level = None;
                        }
                        if s == Scheme::Application {
                            if info.requires_admin_consent == Some(false) {
                                self.conflict(app_consent_conflict(
                                    &name,
                                    &src,
                                    "requiresAdminConsent false",
                                ));
                            }
                            info.requires_admin_consent = Some(true);
                        }
                        perm.schemes.insert(s, info);
                    }
                    None => self
                        .report
                        .warn(format!("unknown scheme key `{key}` skipped")),
                }
            }

            // (method, canonical key, scheme) → the grants seen, to find repeats, and
            // the fewest methods of a pathSet among them.
            let mut seen: BTreeMap<(String, String, Scheme), (Vec<Grant>, usize)> = BTreeMap::new();
            for set in &raw.path_sets {
                for key in &set.scheme_keys {
                    let Some(scheme) = Scheme::parse(key) else {
                        self.report
                            .warn(format!("unknown scheme key `{key}` in pathSets skipped"));
                        continue;
                    };
                    if !perm.schemes.contains_key(&scheme) {
                        self.conflict(Conflict {
                            kind: ConflictKind::UndefinedScheme,
                            permission: Some(name.clone()),
                            subject: format!("{scheme} scheme used in pathSets"),
                            sides: vec![side(&src, format!("schemes lack {scheme}"))],
                            resolution: "grants kept; the scheme has no consent texts".into(),
                            source_age: None,
                        });
                    }
                    for method in &set.methods {
                        let method = method.trim().to_ascii_uppercase();
                        for (path, value) in &set.paths {
                            let path_key = match keys.get(path.as_str()) {
                                Some(k) => k.clone(),
                                None => {
                                    let k = self.canonical(path).key().to_string();
                                    keys.insert(path.clone(), k.clone());
                                    k
                                }
                            };
                            let flags = PathFlags::parse(value);
                            for part in &flags.unknown {
                                self.report
                                    .warn(format!("unknown path flag `{part}` ignored"));
                            }
                            let grant = Grant {
                                permission: name.clone(),
                                method: method.clone(),
                                path: path.trim().to_string(),
                                key: path_key,
                                scheme,
                                least_privileged: false,
                                flagged_least: flags.least.iter().any(|l| l == key),
                                also_requires: flags.also_requires,
                                included_properties: set
                                    .included_properties
                                    .clone()
                                    .unwrap_or_default(),
                                excluded_properties: set
                                    .excluded_properties
                                    .clone()
                                    .unwrap_or_default(),
                                source: src.clone(),
                            };
                            let n = set.methods.len();
                            let k = (method.clone(), grant.key.clone(), scheme);
                            let (grants, fewest) = seen.entry(k).or_insert((Vec::new(), n));
                            *fewest = (*fewest).min(n);
                            grants.push(grant);
                        }
                    }
                }
            }
            for ((method, _, scheme), (mut grants, fewest)) in seen {
                grants.sort();
                grants.dedup();
                if grants.len() > 1 {
                    self.conflict(Conflict {
                        kind: ConflictKind::DuplicateGrant,
                        permission: Some(name.clone()),
                        subject: format!("{method} {} ({scheme})", grants[0].path),
                        sides: grants
                            .iter()
                            .map(|g| side(&src, describe_grant(g)))
                            .collect(),
                        resolution: "every variant kept as its own grant".into(),
                        source_age: None,
                    });
                }
                grant_count += grants.len();
                self.set_methods
                    .extend(std::iter::repeat_n(fewest, grants.len()));
                self.catalog.grants.extend(grants);
            }
            self.permissions.insert(name, perm);
        }
        self.report.count(&src, "grants", grant_count);
    }

    /// Matches the GUIDs and texts of permissions-descriptions.json to the permissions.
    pub(super) fn add_descriptions(&mut self, doc: DescriptionsDocument) {
        let src = self.source(DESCRIPTIONS, descriptions::PATH);
        self.report
            .count(&src, "delegated scopes", doc.delegated_scopes_list.len());
        self.report
            .count(&src, "application roles", doc.application_scopes_list.len());
        for (kind, list) in [
            (PermissionType::Delegated, &doc.delegated_scopes_list),
            (PermissionType::Application, &doc.application_scopes_list),
        ] {
            for entry in list {
                self.add_description(kind, entry, &src);
            }
        }
    }

    /// Records each permission type that permissions.json lists but no source gives a
    /// GUID for. Runs after every id source was read.
    pub(super) fn report_missing_ids(&mut self) {
        // A permission type that permissions.json lists but no source gives a GUID for.
        let mut missing = Vec::new();
        // The other apps' ids by permission name, in catalog order: one pass over them,
        // not one per permission (a catalog of 100,000 permissions has as many).
        let mut foreign: HashMap<&str, Vec<&ForeignId>> = HashMap::default();
        for f in &self.catalog.foreign_ids {
            foreign.entry(f.permission.as_str()).or_default().push(f);
        }
        for perm in self.permissions.values() {
            if perm.authorization_type.as_deref() == Some("RSC") {
                continue; // resource-specific consent ids live in Teams app manifests
            }
            for kind in [PermissionType::Delegated, PermissionType::Application] {
                let mut schemes = perm.schemes_of(kind).peekable();
                if schemes.peek().is_some() && perm.id_of(kind).is_none() {
                    let mut sides = vec![
                        side(PERMISSIONS, format!("lists a {kind} scheme")),
                        side(DESCRIPTIONS, absent()),
                    ];
                    let elsewhere: Vec<String> = foreign
                        .get(perm.name.as_str())
                        .into_iter()
                        .flatten()
                        .filter(|f| f.is_of(kind))
                        .map(|f| format!("{} under {}", f.id, f.app_label()))
                        .collect();
                    let resolution = if elsewhere.is_empty() {
                        "shown without a GUID".to_string()
                    } else {
                        sides.push(side(PROVISIONING, elsewhere.join("; ")));
                        "shown without a Microsoft Graph GUID, with the other app's id".into()
                    };
                    missing.push(Conflict {
                        kind: ConflictKind::MissingId,
                        permission: Some(perm.name.clone()),
                        subject: format!("{kind} id"),
                        sides,
                        resolution,
                        source_age: None,
                    });
                }
            }
        }
        self.catalog.conflicts.extend(missing);
    }

    fn add_description(&mut self, kind: PermissionType, entry: &ScopeEntry, src: &str) {
        let name = entry.value.trim();
        let Some(perm) = self.permissions.get_mut(name) else {
            self.catalog.conflicts.push(Conflict {
                kind: ConflictKind::UnknownPermission,
                permission: Some(name.to_string()),
                subject: format!("{kind} id {}", entry.id.as_deref().unwrap_or("(none)")),
                sides: vec![
                    side(PERMISSIONS, absent()),
                    side(src, format!("lists {name} as {kind}")),
                ],
                resolution: "not added to the catalog; it grants no known path".into(),
                source_age: None,
            });
            return;
        };
        let texts = description_texts(kind, entry);
        let mut conflicts = Vec::new();
        if perm.schemes_of(kind).next().is_none() {
            // permissions.json does not list this type, yet it has a GUID: keep it visible.
            let scheme = match kind {
                PermissionType::Delegated => Scheme::DelegatedWork,
                PermissionType::Application => Scheme::Application,
            };
            perm.schemes.insert(
                scheme,
                SchemeInfo {
                    scheme,
                    requires_admin_consent: if kind == PermissionType::Application {
                        Some(true)
                    } else {
                        entry.is_admin
                    },
                    ..SchemeInfo::default()
                },
            );
            conflicts.push(Conflict {
                kind: ConflictKind::IdForUnlistedType,
                permission: Some(perm.name.clone()),
                subject: format!("{kind} id"),
                sides: vec![
                    side(PERMISSIONS, format!("no {kind} scheme")),
                    side(src, entry.id.clone().unwrap_or_else(absent)),
                ],
                resolution: format!(
                    "{kind} type shown from {src} only, marked as not listed in permissions.json"
                ),
                source_age: None,
            });
        }
        for info in perm
            .schemes
            .values_mut()
            .filter(|s| s.scheme.kind() == kind)
        {
            let subject = |field: &str| format!("{} {field}", info.scheme);
            if let Some(id) = text(&entry.id) {
                match &info.id {
                    Some(old) if !old.eq_ignore_ascii_case(&id) => conflicts.push(Conflict {
                        kind: ConflictKind::IdMismatch,
                        permission: Some(perm.name.clone()),
                        subject: subject("id"),
                        sides: vec![side(src, id.clone()), side(PERMISSIONS, old.clone())],
                        resolution: "kept the first".into(),
                        source_age: None,
                    }),
                    Some(_) => {}
                    None => info.id = Some(id.to_ascii_lowercase()),
                }
            }
            for (field, ours, theirs) in [
                (
                    "adminDisplayName",
                    &mut info.admin_display_name,
                    &texts.admin_display_name,
                ),
                (
                    "adminDescription",
                    &mut info.admin_description,
                    &texts.admin_description,
                ),
                (
                    "userDisplayName",
                    &mut info.user_display_name,
                    &texts.user_display_name,
                ),
                (
                    "userDescription",
                    &mut info.user_description,
                    &texts.user_description,
                ),
            ] {
                match (ours.as_ref(), theirs) {
                    (None, Some(t)) => *ours = Some(t.clone()),
                    (Some(a), Some(b)) if a != b => conflicts.push(Conflict {
                        kind: ConflictKind::TextMismatch,
                        permission: Some(perm.name.clone()),
                        subject: subject(field),
                        sides: vec![side(PERMISSIONS, a.clone()), side(src, b.clone())],
                        resolution: "permissions.json text shown".into(),
                        source_age: None,
                    }),
                    _ => {}
                }
            }
            match (info.requires_admin_consent, entry.is_admin) {
                // An app role is always consented to by an administrator.
                (_, Some(false)) if kind == PermissionType::Application => {
                    conflicts.push(app_consent_conflict(&perm.name, src, "isAdmin false"));
                    info.requires_admin_consent = Some(true);
                }
                (None, theirs) => info.requires_admin_consent = theirs,
                (Some(a), Some(b)) if a != b && info.in_permissions_json => {
                    conflicts.push(Conflict {
                        kind: ConflictKind::AdminConsentMismatch,
                        permission: Some(perm.name.clone()),
                        subject: subject("requiresAdminConsent"),
                        sides: vec![
                            side(PERMISSIONS, a.to_string()),
                            side(src, format!("isAdmin {b}")),
                        ],
                        resolution: "permissions.json value shown".into(),
                        source_age: None,
                    })
                }
                _ => {}
            }
            info.is_enabled = entry.is_enabled.or(info.is_enabled);
            add_source(info, src);
        }
        self.catalog.conflicts.extend(conflicts);
    }

    /// Attaches one language's texts to the permissions and types they name.
    pub(super) fn add_localized(&mut self, lang: &str, path: &str, doc: DescriptionsDocument) {
        let src = self.source(&format!("{DESCRIPTIONS}:{lang}"), path);
        let mut matched = 0;
        for (kind, list) in [
            (PermissionType::Delegated, &doc.delegated_scopes_list),
            (PermissionType::Application, &doc.application_scopes_list),
        ] {
            for entry in list {
                let Some(perm) = self.permissions.get_mut(entry.value.trim()) else {
                    self.report.warn(format!(
                        "{lang} text for a permission not in permissions.json"
                    ));
                    continue;
                };
                let texts = description_texts(kind, entry);
                let mut any = false;
                for info in perm
                    .schemes
                    .values_mut()
                    .filter(|s| s.scheme.kind() == kind)
                {
                    info.localized.insert(lang.to_string(), texts.clone());
                    add_source(info, &src);
                    any = true;
                }
                matched += usize::from(any);
            }
        }
        self.report.count(&src, "texts matched", matched);
    }

    /// Adds Microsoft Graph's deployment facts: ids, environments and hidden flags.
    pub(super) fn add_provisioning(&mut self, doc: ProvisioningDocument) {
        let src = self.source(PROVISIONING, provisioning::PATH);
        let mut foreign: Vec<ForeignId> = doc
            .permission_deployments
            .iter()
            .flat_map(|(name, deps)| {
                deps.iter().filter(|d| !d.is_graph()).filter_map(move |d| {
                    Some(ForeignId {
                        id: text(&d.id)?.to_ascii_lowercase(),
                        permission: name.trim().to_string(),
                        scheme: d.scheme.trim().to_string(),
                        resource_app_id: d.resource_app_id.trim().to_ascii_lowercase(),
                    })
                })
            })
            .collect();
        foreign.sort();
        foreign.dedup();
        self.report
            .count(&src, "ids of other resource apps", foreign.len());
        self.catalog.foreign_ids = foreign;
        let graph = doc.graph_only();
        self.report
            .count(&src, "Graph permissions deployed", graph.len());
        let mut conflicts = Vec::new();
        for (name, deployments) in graph {
            let Some(perm) = self.permissions.get_mut(&name) else {
                continue; // deployments of permissions that grant no path are not catalogued
            };
            for dep in deployments {
                let Some(scheme) = Scheme::parse(dep.scheme.trim()) else {
                    self.report.warn(format!(
                        "unknown scheme `{}` in provisioningInfo",
                        dep.scheme
                    ));
                    continue;
                };
                let Some(info) = perm.schemes.get_mut(&scheme) else {
                    continue;
                };
                if let Some(id) = text(&dep.id) {
                    match &info.id {
                        None => info.id = Some(id.to_ascii_lowercase()),
                        Some(old) if !old.eq_ignore_ascii_case(&id) => conflicts.push(Conflict {
                            kind: ConflictKind::IdMismatch,
                            permission: Some(name.clone()),
                            subject: format!("{scheme} id"),
                            sides: vec![side(DESCRIPTIONS, old.clone()), side(&src, id)],
                            resolution: format!("{DESCRIPTIONS} id shown"),
                            source_age: None,
                        }),
                        Some(_) => {}
                    }
                }
                info.is_hidden = dep.is_hidden.or(info.is_hidden);
                info.environments = dep.environments();
                add_source(info, &src);
            }
        }
        self.catalog.conflicts.extend(conflicts);
    }
}

/// A source that says an application permission needs no admin consent. App roles are
/// only ever granted by an administrator (or an app with the right to grant them), so
/// the catalog says "required" and keeps the source's claim as a conflict.
fn app_consent_conflict(name: &str, src: &str, claim: &str) -> Conflict {
    Conflict {
        kind: ConflictKind::AdminConsentMismatch,
        permission: Some(name.to_string()),
        subject: "Application requiresAdminConsent".into(),
        sides: vec![
            side(src, claim),
            side(
                "permcat",
                "application permissions always require admin consent",
            ),
        ],
        resolution: "shown as admin consent required".into(),
        source_age: None,
    }
}

fn scheme_info(scheme: Scheme, raw: &RawScheme, src: &str) -> SchemeInfo {
    SchemeInfo {
        scheme,
        in_permissions_json: true,
        admin_display_name: text(&raw.admin_display_name),
        admin_description: text(&raw.admin_description),
        user_display_name: text(&raw.user_display_name),
        user_description: text(&raw.user_description),
        requires_admin_consent: raw.requires_admin_consent,
        privilege_level: raw.privilege_level,
        sources: vec![src.to_string()],
        ..SchemeInfo::default()
    }
}

/// The texts of a descriptions entry in permcat's terms. App roles have no user texts;
/// some files put their administrator texts in the `consent*` fields.
fn description_texts(kind: PermissionType, e: &ScopeEntry) -> LocalizedText {
    match kind {
        PermissionType::Delegated => LocalizedText {
            admin_display_name: text(&e.admin_consent_display_name),
            admin_description: text(&e.admin_consent_description),
            user_display_name: text(&e.consent_display_name),
            user_description: text(&e.consent_description),
        },
        PermissionType::Application => LocalizedText {
            admin_display_name: text(&e.admin_consent_display_name)
                .or_else(|| text(&e.consent_display_name)),
            admin_description: text(&e.admin_consent_description)
                .or_else(|| text(&e.consent_description)),
            user_display_name: None,
            user_description: None,
        },
    }
}

pub(super) fn add_source(info: &mut SchemeInfo, src: &str) {
    if let Err(i) = info.sources.binary_search_by(|s| s.as_str().cmp(src)) {
        info.sources.insert(i, src.to_string());
    }
}

fn describe_grant(g: &Grant) -> String {
    let mut s = format!("{}: ", g.path);
    s.push_str(if g.least_privileged {
        "least privileged"
    } else {
        "not least privileged"
    });
    if !g.also_requires.is_empty() {
        s.push_str(&format!("; also requires {}", g.also_requires.join(", ")));
    }
    s
}
