//! The azure-tiering risk tiers: attached to the application permissions they rate (checked
//! against an independent reading of the real files), shown by `show`, `which`, the pages
//! and the exports, disagreements with Microsoft's privilege level kept, hostile files
//! refused with the file named.

use std::path::Path;

use permcat::model::{ConflictKind, Scheme};
use serde_json::Value;

use crate::common::*;

fn text(v: &Value) -> Option<&str> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "n/a")
}

/// Microsoft's privilege level of a permission's application scheme, read from the raw
/// permissions.json.
fn raw_app_level(raw: &Value, name: &str) -> Option<u64> {
    raw["permissions"][name]["schemes"]["Application"]["privilegeLevel"].as_u64()
}

#[test]
fn real_tiers_attach_to_the_application_permissions_they_name() {
    let (dir, catalog) = tiering_catalog();
    let raw = raw_json(&tiered_json(dir.path()));
    let entries = raw.as_array().expect("a list");
    let permissions = raw_json(&permissions_json(dir.path()));
    let mut attached = 0;
    let mut tier0_level3 = Vec::new();
    for e in entries {
        let name = e["assetName"].as_str().expect("assetName");
        let tier: u8 = e["tier"].as_str().expect("tier").parse().expect("0-2");
        let Some(app) = catalog
            .permission(name)
            .and_then(|p| p.schemes.get(&Scheme::Application))
        else {
            continue;
        };
        let t = app
            .tiering
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no tier"));
        assert_eq!(t.tier, Some(tier), "{name}");
        assert_eq!(t.path_type.as_deref(), text(&e["pathType"]), "{name}");
        assert_eq!(
            t.shortest_path.as_deref(),
            text(&e["shortestPath"]),
            "{name}"
        );
        assert_eq!(t.example.as_deref(), text(&e["example"]), "{name}");
        attached += 1;
        if tier == 0 && raw_app_level(&permissions, name) == Some(3) {
            tier0_level3.push(name);
        }
    }
    // Every entry is either on a permission or kept as an unlisted tier: none is lost.
    let unlisted = catalog
        .unlisted_tiers
        .iter()
        .filter(|u| u.tier.is_some())
        .count();
    let by_guid = catalog
        .permissions
        .iter()
        .filter_map(|p| p.schemes.get(&Scheme::Application)?.tiering.as_ref())
        .filter(|t| t.tier.is_some())
        .count()
        - attached;
    assert_eq!(attached + by_guid + unlisted, entries.len());
    assert!(
        attached > entries.len() * 3 / 4,
        "{attached} of {}",
        entries.len()
    );
    // The Tier-0 permissions Microsoft rates 3 of 5 are each kept as a disagreement.
    assert!(!tier0_level3.is_empty());
    for name in &tier0_level3 {
        assert!(
            catalog.conflicts.iter().any(|c| {
                c.kind == ConflictKind::TierPrivilegeMismatch
                    && c.permission.as_deref() == Some(name)
                    && c.sides.iter().any(|s| s.value == "privilegeLevel 3")
                    && c.sides.iter().any(|s| s.value.starts_with("Tier 0"))
            }),
            "{name}: no tier-privilege-mismatch"
        );
    }
}

#[test]
fn real_untiered_permissions_say_so() {
    let (dir, catalog) = tiering_catalog();
    let raw = raw_json(&dir.path().join(
        "azure-tiering/Microsoft Graph application permissions/untiered-msgraph-app-permissions.json",
    ));
    let mut seen = 0;
    for e in raw.as_array().expect("a list") {
        let name = e["assetName"].as_str().expect("assetName");
        let Some(app) = catalog
            .permission(name)
            .and_then(|p| p.schemes.get(&Scheme::Application))
        else {
            assert!(
                catalog.unlisted_tiers.iter().any(|u| u.permission == name),
                "{name} lost"
            );
            continue;
        };
        let t = app.tiering.as_ref().expect("listed");
        assert_eq!(t.tier, None, "{name}");
        assert_eq!(t.detected_on.as_deref(), text(&e["detectedOn"]), "{name}");
        seen += 1;
    }
    assert!(seen > 0);
}

#[test]
fn show_and_which_give_the_tier_on_real_data() {
    let (dir, _) = tiering_catalog();
    let data = dir.path().to_str().expect("utf-8");
    let raw = raw_json(&tiered_json(dir.path()));
    let tier_of = |name: &str| {
        raw.as_array()
            .expect("list")
            .iter()
            .find(|e| e["assetName"] == name)
            .and_then(|e| e["tier"].as_str())
            .map(str::to_string)
    };
    let out = permcat(&[
        "show",
        "RoleManagement.ReadWrite.Directory",
        "--data",
        data,
        "--no-cache",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let want = tier_of("RoleManagement.ReadWrite.Directory").expect("tiered");
    let text = stdout(&out);
    assert!(
        text.contains(&format!("risk tier      Tier {want}")),
        "{text}"
    );

    let out = permcat(&[
        "which",
        "GET",
        "/users",
        "--json",
        "--data",
        data,
        "--no-cache",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let app = &v["answers"][0]["schemes"]["Application"];
    let first = &app[0];
    let name = first["permission"].as_str().expect("a permission");
    let want: u64 = tier_of(name).expect("tiered").parse().expect("number");
    assert_eq!(first["risk_tier"].as_u64(), Some(want), "{v}");
    // Delegated candidates carry no tier.
    assert!(v["answers"][0]["schemes"]["DelegatedWork"][0]
        .get("risk_tier")
        .is_none());
}

#[test]
fn sample_tiers_reach_show_exports_and_pages() {
    let catalog = load(&sample());
    let app = |name: &str| {
        catalog
            .permission(name)
            .and_then(|p| p.schemes.get(&Scheme::Application))
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(
        app("Application.ReadWrite.All")
            .tiering
            .as_ref()
            .and_then(|t| t.tier),
        Some(0)
    );
    // Its GUID comes only from provisioningInfo.json; the tier still matches by name,
    // and Microsoft's level 3 disagrees with Tier 0.
    let owned = app("Application.ReadWrite.OwnedBy");
    assert_eq!(owned.privilege_level, Some(3));
    assert!(owned
        .tiering
        .as_ref()
        .expect("tiered")
        .disagrees_with(Some(3)));
    assert!(catalog.conflicts.iter().any(|c| {
        c.kind == ConflictKind::TierPrivilegeMismatch
            && c.permission.as_deref() == Some("Application.ReadWrite.OwnedBy")
    }));
    assert_eq!(
        app("ChannelMessage.Read.Group")
            .tiering
            .as_ref()
            .map(|t| t.tier),
        Some(None)
    );
    assert!(app("User.ReadBasic.All").tiering.is_none());
    assert!(catalog
        .unlisted_tiers
        .iter()
        .any(|u| u.permission == "Sample.TieredOnly.All" && u.tier == Some(1)));

    // The permissions CSV: the application row's tier, "not tiered yet", "not listed",
    // and nothing on delegated rows.
    let bytes = permcat::export::to_bytes(
        &catalog,
        permcat::export::What::Permissions,
        permcat::export::Format::Csv,
    )
    .expect("csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().expect("header").clone();
    let col = headers
        .iter()
        .position(|h| h == "risk_tier")
        .expect("risk_tier column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let cell = |name: &str, kind: &str| {
        rows.iter()
            .find(|r| &r[0] == name && &r[2] == kind)
            .map(|r| r[col].to_string())
            .unwrap_or_else(|| panic!("{name} {kind}"))
    };
    assert_eq!(cell("Application.ReadWrite.All", "application"), "0");
    assert_eq!(cell("Mail.Read", "application"), "1");
    assert_eq!(cell("Mail.Read", "delegated"), "");
    assert_eq!(
        cell("ChannelMessage.Read.Group", "application"),
        "not tiered yet"
    );
    assert_eq!(cell("User.ReadBasic.All", "application"), "not listed");

    // The page says both, and that they disagree.
    let tmp = tempfile::tempdir().expect("temp dir");
    build_site(&catalog, tmp.path());
    let page = std::fs::read_to_string(
        tmp.path()
            .join("permissions/Application.ReadWrite.OwnedBy.html"),
    )
    .expect("page");
    let words = plain(&page);
    assert!(
        words.contains("Risk tierTier 0 Family of Global Admins"),
        "{words}"
    );
    assert!(
        words.contains(
            "Microsoft rates this permission privilege level 3 of 5; azure-tiering rates it Tier 0"
        ),
        "{words}"
    );
    assert!(words.contains("Shortest path to Global Admin"), "{words}");
    let delegated_only = std::fs::read_to_string(
        tmp.path()
            .join("permissions/IndustryData-OutboundFlow.ReadWrite.All.html"),
    )
    .expect("page");
    assert!(plain(&delegated_only).contains("Not listed by azure-tiering"));

    // The index filters: a risk select, and each item's tier token in page order.
    let index = std::fs::read_to_string(tmp.path().join("index.html")).expect("index");
    assert!(index.contains("<select name=\"risk\""), "no risk filter");
    let facts = std::fs::read_to_string(tmp.path().join("assets/index-facts.js")).expect("facts");
    let start = facts.find('[').expect("array");
    let list: Vec<String> =
        serde_json::from_str(facts[start..].trim_end().trim_end_matches(';')).expect("facts JSON");
    let names: Vec<String> = between(
        &index,
        "<li class=\"perm\"><a href=\"permissions/",
        ".html\"",
    )
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(names.len(), list.len());
    let token = |name: &str| {
        let i = names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name}"));
        list[i]
            .split(' ')
            .filter(|t| t.starts_with('t'))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(token("Application.ReadWrite.All"), "t0");
    assert_eq!(token("Mail.Read"), "t1");
    assert_eq!(token("ChannelMessage.Read.Group"), "tu");
    assert_eq!(token("User.ReadBasic.All"), "tn");
    assert_eq!(token("IndustryData-OutboundFlow.ReadWrite.All"), "tn");
}

#[test]
fn without_the_tiering_nothing_claims_a_tier() {
    let tmp = sample_copy();
    std::fs::remove_dir_all(tmp.path().join("azure-tiering")).expect("remove");
    let data = tmp.path().to_str().expect("utf-8");
    let out = permcat(&["show", "Mail.Read", "--data", data, "--no-cache"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("risk tier"), "{}", stdout(&out));
    let out = permcat(&["check", "--data", data, "--no-cache"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("tiered-msgraph-app-permissions.json: no risk tiers"),
        "{}",
        stdout(&out)
    );
    let catalog = load(tmp.path());
    let bytes = permcat::export::to_bytes(
        &catalog,
        permcat::export::What::Permissions,
        permcat::export::Format::Csv,
    )
    .expect("csv");
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(!text.contains("not listed"), "{text}");
}

fn write_tiered(dir: &Path, body: &str) {
    std::fs::write(tiered_json(dir), body).expect("write");
}

#[test]
fn a_malformed_tiering_file_is_an_error_naming_it() {
    let tmp = sample_copy();
    write_tiered(
        tmp.path(),
        "[\n  {\"tier\": \"0\", \"assetName\": \"Mail.Read\",,}\n]",
    );
    let out = permcat(&[
        "check",
        "--data",
        tmp.path().to_str().unwrap(),
        "--no-cache",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("tiered-msgraph-app-permissions.json"), "{err}");
    assert!(err.contains(":2:"), "line and column: {err}");

    write_tiered(tmp.path(), "");
    let out = permcat(&[
        "check",
        "--data",
        tmp.path().to_str().unwrap(),
        "--no-cache",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("tiered-msgraph-app-permissions.json"));
}

#[test]
fn an_unknown_tier_is_counted_not_attached_and_text_stays_escaped() {
    let tmp = sample_copy();
    write_tiered(
        tmp.path(),
        r#"[
          {"tier": "7", "id": null, "assetName": "Mail.Read"},
          {"tier": "0", "id": null, "assetName": "Mail.Send",
           "pathType": "Direct", "shortestPath": "<script>alert(1)</script>", "example": "a & b"}
        ]"#,
    );
    let out = permcat(&[
        "check",
        "--data",
        tmp.path().to_str().unwrap(),
        "--no-cache",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1  azure-tiering: entries with a tier other than 0, 1 or 2"),
        "{}",
        stdout(&out)
    );
    let catalog = load(tmp.path());
    let app = |n: &str| {
        catalog.permission(n).unwrap().schemes[&Scheme::Application]
            .tiering
            .clone()
    };
    assert_eq!(app("Mail.Read"), None);
    assert_eq!(app("Mail.Send").and_then(|t| t.tier), Some(0));
    let site = tmp.path().join("site");
    build_site(&catalog, &site);
    let page = std::fs::read_to_string(site.join("permissions/Mail.Send.html")).expect("page");
    assert!(!page.contains("<script>alert(1)"), "unescaped");
    assert!(page.contains("&#60;script&#62;alert(1)"), "escaped");
}
