//! Permission sources and their linking: counts, GUIDs, conflicts, bad input, `check`
//! and `show`.

use std::collections::BTreeSet;

use permcat::model::{ConflictKind, PermissionType, Scheme};
use serde_json::Value;

use crate::common::*;

/// The date SNAPSHOT.json gives the permission data, read without permcat.
fn raw_data_date(dir: &std::path::Path) -> String {
    let snapshot = raw_json(&dir.join("SNAPSHOT.json"));
    snapshot["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|s| s["folder"] == "microsoft-graph-devx-content")
        .and_then(|s| s["date"].as_str())
        .expect("a dated permission source")
        .to_string()
}

/// How many entries a list of the descriptions file has, read without permcat.
fn raw_descriptions(dir: &std::path::Path, list: &str) -> usize {
    raw_json(&descriptions_json(dir))[list]
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn upstream_loads_every_permission() {
    let catalog = upstream_catalog();
    assert_eq!(catalog.permissions.len(), raw_permission_count(&upstream()));
    assert_eq!(
        catalog.data_date.as_deref(),
        Some(raw_data_date(&upstream()).as_str())
    );
    // Sorted case-insensitively, so exact lookups work.
    assert!(catalog.permission("AccessReview.Read.All").is_some());
    assert!(catalog.permission("Zzz.Not.There").is_none());
}

#[test]
fn industry_data_outbound_flow_has_both_guids() {
    let catalog = upstream_catalog();
    let p = catalog
        .permission("IndustryData-OutboundFlow.ReadWrite.All")
        .expect("permission present");
    assert_eq!(
        p.id_of(PermissionType::Delegated),
        Some("aeb68e0b-e562-4a1f-b6dd-3484ad0cbb4b")
    );
    assert_eq!(
        p.id_of(PermissionType::Application),
        Some("24a65b4a-e501-47e2-8849-d679517887f0")
    );
    // permissions.json has only DelegatedWork: the application type is kept, marked, and
    // the disagreement recorded.
    let app = &p.schemes[&Scheme::Application];
    assert!(!app.in_permissions_json);
    assert!(p.schemes[&Scheme::DelegatedWork].in_permissions_json);
    assert!(catalog
        .conflicts_of(&p.name)
        .any(|c| c.kind == ConflictKind::IdForUnlistedType));
}

/// Every entry of both GUID lists is either matched to its permission and type, or
/// reported as a conflict that names it.
#[test]
fn every_descriptions_guid_is_matched_or_reported() {
    let catalog = upstream_catalog();
    let raw: Value = serde_json::from_slice(
        &std::fs::read(descriptions_json(&upstream())).expect("read descriptions"),
    )
    .expect("descriptions parse");
    let mut matched = 0;
    let mut reported = 0;
    for (list, kind) in [
        ("delegatedScopesList", PermissionType::Delegated),
        ("applicationScopesList", PermissionType::Application),
    ] {
        let entries = raw[list].as_array().expect("list");
        assert!(!entries.is_empty(), "{list}");
        for e in entries {
            let name = e["value"].as_str().expect("value");
            let id = e["id"].as_str().expect("id").to_ascii_lowercase();
            let ok = catalog
                .permission(name)
                .is_some_and(|p| p.id_of(kind) == Some(id.as_str()));
            let conflict = catalog.conflicts.iter().any(|c| {
                c.permission.as_deref() == Some(name)
                    && matches!(
                        c.kind,
                        ConflictKind::UnknownPermission | ConflictKind::IdMismatch
                    )
                    && c.subject.starts_with(kind.as_str())
                    || c.sides.iter().any(|s| s.value.eq_ignore_ascii_case(&id))
            });
            assert!(
                ok || conflict,
                "{kind} {name} {id} neither matched nor reported"
            );
            if ok {
                matched += 1;
            } else {
                reported += 1;
            }
        }
    }
    assert!(matched > 1000, "only {matched} GUIDs matched");
    assert!(reported > 0);
}

#[test]
fn least_privileged_and_also_requires_come_from_path_flags() {
    let catalog = upstream_catalog();
    let grants: Vec<_> = catalog
        .grants_of("Application.ReadWrite.OwnedBy")
        .filter(|g| !g.also_requires.is_empty())
        .collect();
    assert!(grants
        .iter()
        .any(|g| g.also_requires == ["User.Read.All", "Group.Read.All"] && g.least_privileged));
    // User.Read is least privileged for GET /me under both delegated schemes.
    let me: BTreeSet<Scheme> = catalog
        .grants_of("User.Read")
        .filter(|g| g.method == "GET" && g.path == "/me" && g.least_privileged)
        .map(|g| g.scheme)
        .collect();
    assert_eq!(
        me,
        BTreeSet::from([Scheme::DelegatedWork, Scheme::DelegatedPersonal])
    );
}

#[test]
fn repeated_method_path_pairs_are_reported() {
    let catalog = upstream_catalog();
    assert!(catalog
        .conflicts
        .iter()
        .any(|c| c.kind == ConflictKind::DuplicateGrant
            && c.permission.as_deref() == Some("Policy.ReadWrite.ApplicationConfiguration")));
}

#[test]
fn localized_texts_attach_to_their_type() {
    let catalog = upstream_catalog();
    let p = catalog.permission("User.Read").expect("User.Read");
    let work = &p.schemes[&Scheme::DelegatedWork];
    let de = work.localized.get("de-DE").expect("German text");
    assert!(de
        .admin_display_name
        .as_deref()
        .is_some_and(|s| !s.is_empty()));
    assert_eq!(work.localized.len(), 7, "{:?}", work.localized.keys());
}

#[test]
fn provisioning_uses_graph_entries_only() {
    // Zone.Read.All is deployed for another resource application only.
    let catalog = upstream_catalog();
    assert!(catalog.permission("Zone.Read.All").is_none());
    // Count, from the raw file, the schemes of catalogued permissions that have a Graph
    // deployment (empty resourceAppId or Graph's own id); exactly those get a hidden flag.
    let raw: Value = serde_json::from_slice(
        &std::fs::read(
            upstream().join("microsoft-graph-devx-content/permissions/new/provisioningInfo.json"),
        )
        .expect("read provisioningInfo"),
    )
    .expect("parse");
    let mut expected = BTreeSet::new();
    for (name, deps) in raw["permissionDeployments"].as_object().expect("object") {
        let Some(p) = catalog.permission(name) else {
            continue;
        };
        for d in deps.as_array().expect("array") {
            let app = d["resourceAppId"].as_str().unwrap_or("");
            let scheme = d["scheme"].as_str().and_then(Scheme::parse);
            if (app.is_empty() || app == "00000003-0000-0000-c000-000000000000")
                && d["isHidden"].is_boolean()
            {
                if let Some(s) = scheme.filter(|s| p.schemes.contains_key(s)) {
                    expected.insert((name.clone(), s));
                }
            }
        }
    }
    let hidden: BTreeSet<(String, Scheme)> = catalog
        .permissions
        .iter()
        .flat_map(|p| p.schemes.values().map(move |s| (p, s)))
        .filter(|(_, s)| s.is_hidden.is_some())
        .map(|(p, s)| (p.name.clone(), s.scheme))
        .collect();
    assert!(expected.len() > 500);
    assert_eq!(hidden, expected);
}

#[test]
fn sample_exercises_every_conflict_kind_it_claims() {
    let catalog = load(&sample());
    assert!(catalog.permissions.len() >= 12);
    let kinds: BTreeSet<ConflictKind> = catalog.conflicts.iter().map(|c| c.kind).collect();
    for k in [
        ConflictKind::IdForUnlistedType,
        ConflictKind::UnknownPermission,
        ConflictKind::TextMismatch,
        ConflictKind::AdminConsentMismatch,
        ConflictKind::DuplicateGrant,
    ] {
        assert!(kinds.contains(&k), "sample lacks a {k} conflict");
    }
    let p = catalog
        .permission("IndustryData-OutboundFlow.ReadWrite.All")
        .expect("reference permission in the sample");
    assert_eq!(
        p.id_of(PermissionType::Application),
        Some("24a65b4a-e501-47e2-8849-d679517887f0")
    );
    // provisioningInfo.json supplies an id that the descriptions lack.
    let owned = catalog
        .permission("Application.ReadWrite.OwnedBy")
        .expect("OwnedBy");
    assert_eq!(
        owned.id_of(PermissionType::Application),
        Some("18a4783c-866b-4cc7-a460-3d5e5662c884")
    );
}

/// The counts `check` prints on the real snapshot, against the raw files; the layout is
/// pinned by the snapshot of `check` on the sample.
#[test]
fn check_reports_counts_and_conflicts() {
    let data = upstream();
    let out = permcat(&["check", "--data", data.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let date = raw_data_date(&data);
    assert!(
        text.contains(&format!("permission data: {date}\n")),
        "{text}"
    );
    for (n, what) in [
        (raw_permission_count(&data), "permissions\n"),
        (
            raw_descriptions(&data, "delegatedScopesList"),
            "delegated scopes ",
        ),
        (
            raw_descriptions(&data, "applicationScopesList"),
            "application roles ",
        ),
    ] {
        let line = format!("  {n:>7}  {what}");
        assert!(text.contains(&line), "no `{line}` in:\n{text}");
    }
    assert!(text.contains("id-for-unlisted-type"), "{text}");
}

#[test]
fn check_without_snapshot_says_date_unknown() {
    let tmp = sample_copy();
    std::fs::remove_file(tmp.path().join("SNAPSHOT.json")).expect("remove snapshot");
    let out = permcat(&["check", "--data", tmp.path().to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("permission data: date unknown"));
}

#[test]
fn missing_optional_files_are_notes_not_errors() {
    let tmp = sample_copy();
    let perms = tmp.path().join("microsoft-graph-devx-content/permissions");
    std::fs::remove_file(perms.join("new/provisioningInfo.json")).expect("rm");
    std::fs::remove_file(perms.join("permissions-descriptions_de-DE.json")).expect("rm");
    let out = permcat(&["check", "--data", tmp.path().to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("not found (optional)"), "{text}");
    assert!(text.contains("provisioningInfo.json"), "{text}");
    assert!(text.contains("de-DE"), "{text}");
}

#[test]
fn missing_permissions_file_names_the_expected_path() {
    let tmp = sample_copy();
    std::fs::remove_file(permissions_json(tmp.path())).expect("rm");
    let out = permcat(&["check", "--data", tmp.path().to_str().expect("utf-8")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("permissions file not found"), "{err}");
    assert!(err.contains("permissions/new/permissions.json"), "{err}");
}

#[test]
fn corrupted_permissions_file_gives_file_line_column() {
    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    let text = std::fs::read_to_string(&path).expect("read");
    // Drop the comma after the first scheme block: a real-looking corruption.
    let mut lines: Vec<&str> = text.lines().collect();
    let n = lines
        .iter()
        .position(|l| l.trim() == "},")
        .expect("a closing brace with comma");
    lines[n] = "        }";
    std::fs::write(&path, lines.join("\n")).expect("write");
    let out = permcat(&["check", "--data", tmp.path().to_str().expect("utf-8")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let expected = format!("permissions.json`:{}:", n + 2);
    assert!(err.contains(&expected), "expected {expected} in {err}");
    assert!(err.contains("invalid JSON"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn wrong_field_type_is_an_error_not_a_panic() {
    let tmp = sample_copy();
    let path = descriptions_json(tmp.path());
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replacen("\"isAdmin\": true", "\"isAdmin\": \"yes\"", 1),
    )
    .expect("write");
    let out = permcat(&["check", "--data", tmp.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "bad input is an error: exit 2");
    let err = stderr(&out);
    assert!(err.contains("permissions-descriptions.json`:"), "{err}");
    assert!(err.contains("expected a boolean"), "{err}");
}

#[test]
fn missing_data_directory_is_a_clear_error() {
    let out = permcat(&["check", "--data", "no/such/dir"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("`no/such/dir` does not exist"));
}

#[test]
fn show_is_case_insensitive_and_marks_least_privileged() {
    let data = sample();
    let out = permcat(&["show", "user.read", "--data", data.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("User.Read\n"), "{text}");
    assert!(
        text.contains("e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
        "{text}"
    );
    assert!(text.contains("* /me  [v1.0"), "{text}");
    assert!(
        text.contains("resource: microsoft.graph.user (v1.0)"),
        "{text}"
    );
    assert!(text.contains("DelegatedPersonal"), "{text}");
}

#[test]
fn show_json_carries_grants_and_conflicts() {
    let data = sample();
    let out = permcat(&[
        "show",
        "IndustryData-OutboundFlow.ReadWrite.All",
        "--json",
        "--data",
        data.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        v["permission"]["schemes"]["Application"]["id"],
        "24a65b4a-e501-47e2-8849-d679517887f0"
    );
    assert!(v["grants"].as_array().is_some_and(|g| !g.is_empty()));
    assert_eq!(v["conflicts"][0]["kind"], "id-for-unlisted-type");
}

#[test]
fn show_unknown_name_suggests_closest() {
    let data = sample();
    let out = permcat(&[
        "show",
        "User.Raed.All",
        "--data",
        data.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no permission named `User.Raed.All`"), "{err}");
    assert!(err.contains("did you mean: User.Read.All"), "{err}");
}

#[test]
fn property_restrictions_reach_the_grants() {
    let catalog = load(&sample());
    let g = catalog
        .grants_of("User.ReadBasic.All")
        .find(|g| g.path == "/users/{id}")
        .expect("grant");
    assert!(g.included_properties.iter().any(|p| p == "displayName"));
    assert!(g.excluded_properties.is_empty());
}
