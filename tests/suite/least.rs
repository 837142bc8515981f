//! One least-privileged permission per request, admin consent of app roles, GUID
//! lookups, provenance of ids and the age of sources — on the real snapshot, checked
//! against an independent reading of the raw files, and on kibali's own fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use permcat::export::{self, Format, PermissionBundle, What};
use permcat::lookup::Lookup;
use permcat::model::{Catalog, ConflictKind, PermissionType, Scheme};
use serde_json::{json, Value};

use crate::common::*;

/// The picked permission of one request, and the other permissions flagged least for it.
fn least_of(catalog: &Catalog, method: &str, path: &str, scheme: Scheme) -> (String, Vec<String>) {
    let key = permcat::link::path::canonicalize(path).key().to_string();
    let grants: Vec<_> = catalog
        .grants
        .iter()
        .filter(|g| g.method == method && g.key == key && g.scheme == scheme)
        .collect();
    assert!(
        !grants.is_empty(),
        "no grant for {method} {path} ({scheme})"
    );
    let picked: BTreeSet<&str> = grants
        .iter()
        .filter(|g| g.least_privileged)
        .map(|g| g.permission.as_str())
        .collect();
    assert_eq!(
        picked.len(),
        1,
        "{method} {path} ({scheme}) must have one least: {picked:?}"
    );
    let chosen = picked.into_iter().next().unwrap_or_default().to_string();
    let flagged: BTreeSet<String> = grants
        .iter()
        .filter(|g| g.flagged_least && g.permission != chosen)
        .map(|g| g.permission.clone())
        .collect();
    (chosen, flagged.into_iter().collect())
}

/// On the bytes `permcat export --what grants --format json` writes.
#[test]
fn exactly_one_least_privileged_permission_per_request_in_the_grants_export() {
    let bytes = export::to_bytes(upstream_catalog(), What::Grants, Format::Json).expect("export");
    let v: Value = serde_json::from_slice(&bytes).expect("grants JSON");
    let grants = v["items"].as_array().expect("grants array");
    let mut least: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    let mut requests = BTreeSet::new();
    for g in grants {
        let k = (
            g["method"].as_str().unwrap_or_default().to_string(),
            g["key"].as_str().unwrap_or_default().to_string(),
            g["scheme"].as_str().unwrap_or_default().to_string(),
        );
        requests.insert(k.clone());
        if g["least_privileged"] == json!(true) {
            least
                .entry(k)
                .or_default()
                .insert(g["permission"].as_str().unwrap_or_default().to_string());
        }
    }
    let several: Vec<_> = least.iter().filter(|(_, s)| s.len() > 1).collect();
    assert!(
        several.is_empty(),
        "{} requests with several least: {:?}",
        several.len(),
        several.first()
    );
    let none = requests.iter().filter(|k| !least.contains_key(*k)).count();
    assert_eq!(none, 0, "every request has a least-privileged permission");
}

/// (method, lower-case path, scheme) → (permissions granting it, those flagged `least=`).
type RawFlags = BTreeMap<(String, String, String), (BTreeSet<String>, BTreeSet<String>)>;

/// The raw file, read without permcat: (method, lower-case path, scheme) → the
/// permissions whose pathSets flag `least=` for that scheme.
fn raw_flags() -> RawFlags {
    let raw: Value = serde_json::from_slice(
        &std::fs::read(permissions_json(&upstream())).expect("read permissions.json"),
    )
    .expect("permissions.json parses");
    let mut out = RawFlags::new();
    for (name, p) in raw["permissions"].as_object().expect("permissions object") {
        for set in p["pathSets"].as_array().into_iter().flatten() {
            let schemes: Vec<&str> = set["schemeKeys"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for method in set["methods"].as_array().into_iter().flatten() {
                let method = method.as_str().unwrap_or_default().trim().to_uppercase();
                for (path, flags) in set["paths"].as_object().into_iter().flatten() {
                    let flags = flags.as_str().unwrap_or_default();
                    let least: Vec<&str> = flags
                        .split(';')
                        .filter_map(|f| f.trim().strip_prefix("least="))
                        .flat_map(|l| l.split(','))
                        .map(str::trim)
                        .collect();
                    for s in &schemes {
                        let e = out
                            .entry((method.clone(), path.to_lowercase(), s.to_string()))
                            .or_default();
                        e.0.insert(name.clone());
                        if least.contains(s) {
                            e.1.insert(name.clone());
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn conflict_counts_of_the_flags_match_an_independent_reading_of_permissions_json() {
    let catalog = upstream_catalog();
    let raw = raw_flags();
    // permcat's canonical keys merge a few spellings the raw reading keeps apart, so
    // compare on the raw requests whose lower-case path is its own canonical key.
    // Spellings of one path ({id}, {user-id}, …) are one request: merge them under the
    // canonical key before counting.
    let mut merged: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for ((method, path, scheme), (_, flagged)) in &raw {
        let key = permcat::link::path::canonicalize(path).key().to_string();
        merged
            .entry((method.clone(), key, scheme.clone()))
            .or_default()
            .extend(flagged.iter().cloned());
    }
    let several = merged.values().filter(|f| f.len() > 1).count();
    let none = merged.values().filter(|f| f.is_empty()).count();
    let count = |kind: ConflictKind| catalog.conflicts.iter().filter(|c| c.kind == kind).count();
    assert!(
        several > 1000,
        "the raw file has many doubly flagged requests"
    );
    let dup = count(ConflictKind::LeastPrivilegedDuplicate);
    let missing = count(ConflictKind::LeastPrivilegedMissing);
    assert_eq!(dup, several, "requests with several least= flags");
    assert_eq!(missing, none, "requests with no least= flag");
    assert!(
        count(ConflictKind::LeastPrivilegedAboveAlternative) > 0,
        "flagged permissions above an unflagged lower one are recorded"
    );
}

#[test]
fn real_requests_get_one_answer_with_the_other_flags_kept() {
    let c = upstream_catalog();
    let (users, flagged) = least_of(c, "GET", "/users", Scheme::Application);
    assert_eq!(users, "User.ReadBasic.All");
    assert!(
        flagged.iter().any(|f| f == "User.ReadWrite.All"),
        "User.ReadWrite.All stays flagged least in permissions.json: {flagged:?}"
    );
    let (users_d, _) = least_of(c, "GET", "/users", Scheme::DelegatedWork);
    assert_eq!(users_d, "User.ReadBasic.All");
    let (events, flagged) = least_of(c, "GET", "/users/{id}/events", Scheme::Application);
    assert_eq!(events, "Calendars.ReadBasic");
    assert!(!flagged.is_empty(), "Calendars.ReadWrite is flagged too");
    let (printer, _) = least_of(c, "GET", "/print/printers/{id}", Scheme::DelegatedWork);
    assert_eq!(printer, "Printer.Read.All");
}

/// `which --json` prints the lookup's report as it is; the site is the shared build of
/// the snapshot.
#[test]
fn which_and_the_page_show_one_least_and_the_other_flags() {
    let report = Lookup::new(upstream_catalog())
        .query(&["GET".to_string(), "/users".to_string()])
        .expect("a report");
    assert!(report.all_answered());
    let v = serde_json::to_value(&report).expect("which JSON");
    let answers = v["answers"].as_array().expect("answers");
    let app = answers[0]["schemes"]["Application"]
        .as_array()
        .expect("application candidates");
    let least: Vec<&str> = app
        .iter()
        .filter(|c| c["least_privileged"] == json!(true))
        .filter_map(|c| c["permission"].as_str())
        .collect();
    assert_eq!(least, ["User.ReadBasic.All"]);
    assert!(app
        .iter()
        .any(|c| c["permission"] == "User.ReadWrite.All" && c["flagged_least"] == json!(true)));

    let site = upstream_site();
    let page =
        std::fs::read_to_string(site.join("permissions/User.ReadWrite.All.html")).expect("page");
    assert!(page.contains("also flagged least</span>"));
    assert!(page.contains("permissions.json also flags this permission least="));
    let about = std::fs::read_to_string(site.join("about.html")).expect("about");
    assert!(about.contains("id=\"least-privileged\""));
    assert!(about.contains("least-privileged-duplicate"));
    // Sources years older than the permission data are flagged, and the conflicts that
    // only reflect their age are counted apart.
    assert!(about.contains("badge-old"), "old sources are flagged");
    assert!(about.contains("only reflect the age of an old source"));
    let aged = upstream_catalog()
        .conflicts
        .iter()
        .filter(|c| c.source_age.is_some())
        .filter_map(|c| c.permission.clone())
        .find(|p| upstream_catalog().permission(p).is_some())
        .expect("a permission with an age-only conflict");
    let html = permcat::render::permission_page_html(upstream_catalog(), &aged)
        .expect("renders")
        .expect("page");
    assert!(
        html.contains("Only reflects the age of a source: docs page from 2021-07-16"),
        "{aged}: docs conflicts are grouped under their source's age"
    );
    let mail =
        std::fs::read_to_string(site.join("permissions/Mail.Send.html")).expect("Mail.Send page");
    // The breadcrumb goes to the category on the index, not to a text search.
    assert!(mail.contains("index.html#cat-Mail\""), "category link");
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(index.contains("id=\"cat-Mail\""));
}

/// kibali's own expectations (`test/kibaliTests/LeastPrivilegeTests.cs`), written as a
/// permissions.json: Foo.Read flags `/bar` in two pathSets of 2 and 3 methods, Bar.Read
/// in a PATCH-only one.
fn kibali_fixture(dir: &Path) {
    let doc = json!({
        "permissions": {
            "Foo.Read": {
                "schemes": {
                    "DelegatedWork": {}, "DelegatedPersonal": {}, "Application": {}
                },
                "pathSets": [
                    {"schemeKeys": ["DelegatedWork", "Application"], "methods": ["GET"],
                     "paths": {"/foo": "least=DelegatedWork,Application", "/bar/{id}": "", "/bar/{id}/schmo": ""}},
                    {"schemeKeys": ["DelegatedPersonal", "Application"], "methods": ["GET", "POST"],
                     "paths": {"/bar": "least=DelegatedPersonal,Application", "/bar/{id}": "", "/bar/{id}/schmo": ""}},
                    {"schemeKeys": ["DelegatedPersonal", "Application"], "methods": ["GET", "PATCH", "DELETE"],
                     "paths": {"/bar": "least=DelegatedPersonal,Application", "/bar/{id}": "", "/bar/{id}/schmo": ""}}
                ]
            },
            "Bar.Read": {
                "schemes": {"DelegatedPersonal": {}, "Application": {}},
                "pathSets": [
                    {"schemeKeys": ["DelegatedPersonal"], "methods": ["GET"], "paths": {"/bar/{id}": ""}},
                    {"schemeKeys": ["DelegatedPersonal", "Application"], "methods": ["PATCH"],
                     "paths": {"/bar": "least=DelegatedPersonal,Application", "/bar/{id}": "", "/bar/{id}/schmo": ""}}
                ]
            },
            "Baz.Read": {
                "schemes": {"DelegatedWork": {}, "Application": {}},
                "pathSets": [
                    {"schemeKeys": ["Application"], "methods": ["GET"],
                     "paths": {"/baz": "least=Application;AlsoRequires=Qux.Read"}}
                ]
            },
            "Qux.Read": {
                "schemes": {"DelegatedWork": {}, "Application": {}},
                "pathSets": [
                    {"schemeKeys": ["Application", "DelegatedWork"], "methods": ["GET"],
                     "paths": {"/baz": "least=DelegatedWork"}}
                ]
            }
        }
    });
    let path = permissions_json(dir);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
}

#[test]
fn kibali_least_privilege_expectations_hold() {
    let tmp = tempfile::tempdir().expect("temp dir");
    kibali_fixture(tmp.path());
    let c = load(tmp.path());
    for (method, expected) in [
        ("DELETE", "Foo.Read"),
        ("GET", "Foo.Read"),
        ("PATCH", "Bar.Read"),
        ("POST", "Foo.Read"),
    ] {
        for scheme in [Scheme::DelegatedPersonal, Scheme::Application] {
            let (got, _) = least_of(&c, method, "/bar", scheme);
            assert_eq!(got, expected, "{method} /bar ({scheme})");
        }
    }
    // PATCH /bar: both are flagged; the PATCH-only pathSet wins, Foo.Read stays flagged.
    let (_, flagged) = least_of(&c, "PATCH", "/bar", Scheme::Application);
    assert_eq!(flagged, ["Foo.Read"]);
    // Also-requires pairs: kibali answers "Baz.Read and Qux.Read" for Application and
    // Qux.Read alone for delegated.
    let (app, _) = least_of(&c, "GET", "/baz", Scheme::Application);
    assert_eq!(app, "Baz.Read");
    let g = c
        .grants
        .iter()
        .find(|g| g.permission == "Baz.Read" && g.scheme == Scheme::Application)
        .expect("grant");
    assert_eq!(g.also_requires, ["Qux.Read"]);
    let (delegated, _) = least_of(&c, "GET", "/baz", Scheme::DelegatedWork);
    assert_eq!(delegated, "Qux.Read");
    // GET /bar/{id} carries no flag: the rule still picks one and says so.
    let (_, _) = least_of(&c, "GET", "/bar/{id}", Scheme::DelegatedPersonal);
    assert!(
        c.conflicts
            .iter()
            .any(|x| x.kind == ConflictKind::LeastPrivilegedMissing
                && x.subject.contains("/bar/{id}"))
    );
    assert!(c
        .conflicts
        .iter()
        .any(|x| x.kind == ConflictKind::LeastPrivilegedDuplicate
            && x.subject.starts_with("PATCH /bar ")));
}

#[test]
fn application_permissions_always_require_admin_consent() {
    let c = upstream_catalog();
    let mut checked = 0;
    for p in &c.permissions {
        if let Some(s) = p.schemes.get(&Scheme::Application) {
            assert_eq!(
                s.requires_admin_consent,
                Some(true),
                "{} application admin consent",
                p.name
            );
            checked += 1;
        }
    }
    assert!(checked > 500);
    // The raw descriptions say isAdmin false for some app roles: each is a conflict.
    let raw: Value = serde_json::from_slice(
        &std::fs::read(descriptions_json(&upstream())).expect("read descriptions"),
    )
    .expect("descriptions parse");
    let said_no: BTreeSet<&str> = raw["applicationScopesList"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|e| e["isAdmin"] == json!(false))
        .filter_map(|e| e["value"].as_str())
        .filter(|n| c.permission(n).is_some())
        .collect();
    assert!(!said_no.is_empty());
    for name in &said_no {
        assert!(
            c.conflicts_of(name)
                .any(|x| x.kind == ConflictKind::AdminConsentMismatch
                    && x.subject.starts_with("Application")),
            "{name}: isAdmin false recorded"
        );
    }
    // `show` prints what the catalog says (the sample's app roles suffice for that).
    let out = permcat(&[
        "show",
        "Mail.Read",
        "--data",
        sample().to_str().unwrap_or_default(),
    ]);
    let text = stdout(&out);
    let app = text
        .split("\nApplication")
        .nth(1)
        .expect("application block");
    assert!(app.contains("admin consent  required"), "{app}");
}

/// On the sample, whose GUIDs are the real ones and whose provisioningInfo.json deploys
/// an id under another resource app; the real snapshot's ids are checked in process.
#[test]
fn show_accepts_a_permission_guid() {
    let data = sample();
    let data = data.to_str().unwrap_or_default();
    let out = permcat(&[
        "show",
        "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
        "--data",
        data,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Mail.Read\n"));
    assert!(stderr(&out).contains("application id of Mail.Read"));
    let out = permcat(&[
        "show",
        "{810C84A8-4A9E-49E6-BF7D-12D183F40D01}",
        "--data",
        data,
    ]);
    assert!(out.status.success(), "braces and upper case work too");

    let out = permcat(&[
        "show",
        "00000000-1111-2222-3333-444444444444",
        "--data",
        data,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no permission has id 00000000-1111-2222-3333-444444444444"));

    // A GUID of another resource app found in provisioningInfo.json: say which app.
    let c = load(&sample());
    let foreign = c
        .foreign_ids
        .iter()
        .find(|f| c.permission_by_id(&f.id).is_none())
        .expect("a foreign id");
    let out = permcat(&["show", &foreign.id, "--data", data]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&foreign.resource_app_id) && err.contains(&foreign.permission),
        "{err}"
    );

    // The same ids in the real snapshot.
    let real = upstream_catalog();
    let (p, kind) = real
        .permission_by_id("{810C84A8-4A9E-49E6-BF7D-12D183F40D01}")
        .expect("Mail.Read's application id");
    assert_eq!(
        (p.name.as_str(), kind),
        ("Mail.Read", PermissionType::Application)
    );
    assert!(real
        .permission_by_id("00000000-1111-2222-3333-444444444444")
        .is_none());
    assert!(
        real.foreign_ids
            .iter()
            .any(|f| real.permission_by_id(&f.id).is_none()),
        "the snapshot deploys ids under other resource apps"
    );
}

#[test]
fn ids_under_another_resource_app_are_named_not_called_missing() {
    let c = upstream_catalog();
    let named: Vec<&str> = c
        .permissions
        .iter()
        .filter(|p| p.id_of(PermissionType::Application).is_none())
        .filter(|p| p.schemes_of(PermissionType::Application).next().is_some())
        .filter(|p| {
            c.foreign_ids_of(&p.name, PermissionType::Application)
                .next()
                .is_some()
        })
        .map(|p| p.name.as_str())
        .collect();
    assert!(
        !named.is_empty(),
        "some app roles are deployed under other apps"
    );
    let name = named[0];
    let html = permcat::render::permission_page_html(c, name)
        .expect("renders")
        .expect("page");
    assert!(html.contains("No Microsoft Graph GUID."), "{name}");
    let f = c
        .foreign_ids_of(name, PermissionType::Application)
        .next()
        .expect("id");
    assert!(html.contains(&f.id) && html.contains(&f.resource_app_id));
}

/// On the bundle `show --json` prints.
#[test]
fn show_json_carries_the_primary_resource() {
    let c = upstream_catalog();
    let p = c.permission("User.Read.All").expect("User.Read.All");
    let bytes = PermissionBundle::new(c, p).to_json().expect("bundle");
    let v: Value = serde_json::from_slice(&bytes).expect("json");
    let r = &v["resource"];
    assert_eq!(r["type_name"], "microsoft.graph.user");
    assert!(r["properties"].as_array().is_some_and(|p| p.len() > 10));
    assert!(r["relationships"].as_array().is_some_and(|p| !p.is_empty()));
    assert!(r["version"].is_string());
}

#[test]
fn the_search_index_carries_guids() {
    let c = upstream_catalog();
    let index = permcat::search::build(c);
    let mail_read = c.permission("Mail.Read").expect("Mail.Read");
    let app_id = mail_read
        .id_of(PermissionType::Application)
        .expect("application id");
    let hit = index
        .ids
        .iter()
        .find(|(id, _, _)| id == app_id)
        .expect("the id is in the index");
    assert_eq!(index.permissions[hit.1].0, "Mail.Read");
    assert_eq!(hit.2, 2, "an application role");
    // One entry per GUID, permission and type (a few permissions reuse one GUID for
    // both types).
    let ids: BTreeSet<(&str, &str, PermissionType)> = c
        .permissions
        .iter()
        .flat_map(|p| {
            p.schemes.values().filter_map(|s| {
                s.id.as_deref()
                    .map(|id| (id, p.name.as_str(), s.scheme.kind()))
            })
        })
        .collect();
    assert_eq!(
        index.ids.len(),
        ids.len(),
        "every GUID of every permission once"
    );
}

#[test]
fn sources_years_older_than_the_permission_data_are_labelled() {
    let c = upstream_catalog();
    let docs = c.source_age("docs:v1.0").expect("docs are old");
    assert!(docs.starts_with("from 2021-07-16, 5 years"), "{docs}");
    assert!(c.source_age("csdl:beta").is_some());
    assert!(c.source_age("csdl:v1.0").is_none());
    assert!(c.source_age("descriptions").is_none());
    let docs_conflicts = c.conflicts.iter().filter(|x| {
        matches!(
            x.kind,
            ConflictKind::DocsPermissionNotGranted | ConflictKind::DocsLeastPrivilegedMismatch
        )
    });
    for x in docs_conflicts {
        assert_eq!(
            x.source_age.as_deref(),
            Some("docs page from 2021-07-16"),
            "{x:?}"
        );
    }
    assert!(c
        .conflicts
        .iter()
        .filter(|x| x.kind == ConflictKind::TextMismatch)
        .all(|x| x.source_age.is_none()));
}
