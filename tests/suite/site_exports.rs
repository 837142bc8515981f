//! A permission page's Export CSV / Export JSON on the real catalog: every row carries
//! the permission's facts (type, scheme, GUID, admin consent, privilege level), the API
//! versions of its endpoint and the readable path, checked against the raw upstream
//! files and the catalog's endpoints; cells stay formula-safe. And the 404 page a
//! mistyped address gets, from the site and from `permcat serve`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{descriptions_json, load, permissions_json, raw_json, sample, upstream};
use crate::common::{upstream_catalog, upstream_site};

/// Permissions checked: many endpoints in both versions, a delegated-and-application
/// one, and one whose endpoints are beta only.
const CHECKED: [&str; 3] = [
    "User.Read.All",
    "Mail.Send",
    "IndustryData-OutboundFlow.ReadWrite.All",
];

/// The GUID of each (permission, type) in permissions-descriptions.json.
fn raw_ids() -> BTreeMap<(String, &'static str), String> {
    let raw = raw_json(&descriptions_json(&upstream()));
    let mut ids = BTreeMap::new();
    for (list, kind) in [
        ("delegatedScopesList", "delegated"),
        ("applicationScopesList", "application"),
    ] {
        for item in raw[list].as_array().expect("a list of scopes") {
            let (Some(name), Some(id)) = (item["value"].as_str(), item["id"].as_str()) else {
                continue;
            };
            ids.insert((name.to_string(), kind), id.to_ascii_lowercase());
        }
    }
    ids
}

/// `requiresAdminConsent` and `privilegeLevel` per scheme of a permission, as
/// permissions.json has them.
fn raw_schemes(name: &str) -> BTreeMap<String, (Option<bool>, Option<u64>)> {
    let raw = raw_json(&permissions_json(&upstream()));
    let schemes = raw["permissions"][name]["schemes"]
        .as_object()
        .unwrap_or_else(|| panic!("{name} has schemes in permissions.json"));
    schemes
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                (
                    v["requiresAdminConsent"].as_bool(),
                    v["privilegeLevel"].as_u64(),
                ),
            )
        })
        .collect()
}

fn read(name: &str) -> String {
    let path = upstream_site().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The rows of a permission's CSV as column → value maps.
fn csv_rows(name: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let text = read(&format!("permissions/{name}.csv"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV row");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn per_permission_csv_rows_carry_type_guid_consent_versions_and_readable_path() {
    let ids = raw_ids();
    let catalog = upstream_catalog();
    for name in CHECKED {
        let (header, rows) = csv_rows(name);
        for column in [
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
        ] {
            assert!(
                header.iter().any(|h| h == column),
                "{name}.csv lacks `{column}`: {header:?}"
            );
        }
        assert!(!rows.is_empty(), "{name}.csv has no rows");
        let schemes = raw_schemes(name);
        let mut seen_versions = BTreeSet::new();
        let mut respelled = 0;
        for row in &rows {
            let scheme = &row["scheme"];
            let kind = if scheme == "Application" {
                "application"
            } else {
                "delegated"
            };
            assert_eq!(row["permission"], name);
            assert_eq!(row["type"], kind, "{name}: {row:?}");
            let want = ids.get(&(name.to_string(), kind));
            assert_eq!(
                Some(&row["id"]),
                want,
                "{name} {scheme}: the GUID is the descriptions file's {kind} id"
            );
            let (consent, level) = schemes.get(scheme).copied().unwrap_or_default();
            if let Some(consent) = consent {
                assert_eq!(
                    row["requires_admin_consent"],
                    consent.to_string(),
                    "{row:?}"
                );
            }
            if let Some(level) = level {
                assert_eq!(row["privilege_level"], level.to_string(), "{row:?}");
            }
            let endpoint = catalog
                .endpoint(&row["method"], &row["key"])
                .unwrap_or_else(|| panic!("{name}: no endpoint {} {}", row["method"], row["key"]));
            let versions: Vec<&str> = endpoint.versions.keys().map(|v| v.as_str()).collect();
            assert_eq!(row["versions"], versions.join(";"), "{row:?}");
            seen_versions.insert(row["versions"].clone());
            assert_eq!(row["readable_path"], endpoint.path, "{row:?}");
            assert!(!row["readable_path"].is_empty());
            respelled += usize::from(row["readable_path"] != row["path"]);
        }
        if name == "User.Read.All" {
            // v1.0 rows and beta-only rows can be told apart.
            assert!(
                seen_versions.iter().any(|v| v.contains("v1.0"))
                    && seen_versions.iter().any(|v| v == "beta"),
                "{name}: versions {seen_versions:?}"
            );
            assert!(respelled > 0, "no readable path differs from the source's");
        }
    }
}

#[test]
fn per_permission_json_has_the_facts_once_and_versions_per_grant() {
    let ids = raw_ids();
    let catalog = upstream_catalog();
    for name in CHECKED {
        let json: Value =
            serde_json::from_str(&read(&format!("permissions/{name}.json"))).expect("JSON");
        assert_eq!(json["format"], "permcat.permission");
        assert_eq!(json["permission"]["name"], name);
        let schemes = json["permission"]["schemes"].as_object().expect("schemes");
        let raw = raw_schemes(name);
        for (scheme, info) in schemes {
            let kind = if scheme == "Application" {
                "application"
            } else {
                "delegated"
            };
            assert_eq!(
                info["id"].as_str().map(str::to_owned),
                ids.get(&(name.to_string(), kind)).cloned(),
                "{name} {scheme}"
            );
            if let Some((Some(consent), _)) = raw.get(scheme) {
                assert_eq!(info["requires_admin_consent"], *consent, "{name} {scheme}");
            }
        }
        let grants = json["grants"].as_array().expect("grants");
        let (_, rows) = csv_rows(name);
        assert_eq!(grants.len(), rows.len(), "{name}: JSON and CSV grants");
        for (g, row) in grants.iter().zip(&rows) {
            let method = g["method"].as_str().expect("method");
            let key = g["key"].as_str().expect("key");
            let endpoint = catalog.endpoint(method, key).expect("endpoint");
            let versions: Vec<&str> = endpoint.versions.keys().map(|v| v.as_str()).collect();
            let json_versions: Vec<&str> = g["versions"]
                .as_array()
                .expect("versions")
                .iter()
                .map(|v| v.as_str().expect("a version"))
                .collect();
            assert_eq!(json_versions, versions, "{name} {method} {key}");
            assert_eq!(g["readable_path"], endpoint.path.as_str());
            assert_eq!(g["type"], row["type"].as_str());
            assert_eq!(g["scheme"], row["scheme"].as_str());
            assert_eq!(g["path"], row["path"].as_str());
        }
    }
}

#[test]
fn per_permission_csv_still_neutralizes_formulas() {
    let mut catalog = load(&sample());
    let name = catalog.grants[0].permission.clone();
    let (method, key) = (
        catalog.grants[0].method.clone(),
        catalog.grants[0].key.clone(),
    );
    catalog.grants[0].path = "=HYPERLINK(\"https://evil.example\")".into();
    catalog.grants[0].source = "+1".into();
    if let Some(e) = catalog
        .endpoints
        .iter_mut()
        .find(|e| e.method == method && e.key == key)
    {
        e.path = "@SUM(A1)".into();
    }
    let permission = catalog.permission(&name).expect("the permission").clone();
    let csv = permcat::export::PermissionBundle::new(&catalog, &permission)
        .to_csv()
        .expect("CSV");
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.expect("a row").iter() {
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell starts a formula: {cell:?}"
            );
        }
    }
    assert!(cells > 0);
    let text = String::from_utf8(csv).expect("UTF-8");
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'@SUM(A1)"), "{text}");
}

#[test]
fn the_404_page_offers_suggestions_from_the_search_index_without_inline_script() {
    let html = read("404.html");
    assert!(html.contains("data-not-found"), "{html}");
    // The suggestions come from the search script and its index, both files.
    assert!(html.contains("src=\"/assets/search.js\""));
    assert!(!html.contains("<script>") && !html.contains(" style="));
    // A lower-case address gets the 404 page with status 404 from `permcat serve`.
    let reply = permcat::serve::respond(
        upstream_site(),
        "GET",
        "/permissions/user.read.all.html",
        None,
    );
    assert_eq!(reply.status, 404);
    assert!(String::from_utf8_lossy(&reply.body).contains("data-not-found"));
}
