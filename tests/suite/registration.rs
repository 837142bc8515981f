//! `permcat registration` and the pages' registration forms: every form parses (JSON,
//! Terraform with an HCL parser) and carries the real GUIDs; the az and PowerShell lines
//! name each GUID with its type; names from the data cannot break out of a comment.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::*;

fn raw_ids(dir: &std::path::Path) -> (Value, Value) {
    let raw = raw_json(&descriptions_json(dir));
    (
        raw["delegatedScopesList"].clone(),
        raw["applicationScopesList"].clone(),
    )
}

fn id_in(list: &Value, name: &str) -> String {
    list.as_array()
        .expect("list")
        .iter()
        .find(|e| e["value"] == name)
        .and_then(|e| e["id"].as_str())
        .unwrap_or_else(|| panic!("{name}"))
        .to_ascii_lowercase()
}

fn form(data: &str, format: &str) -> String {
    let out = permcat(&[
        "registration",
        "--delegated",
        "User.Read,Mail.Send",
        "--application",
        "Mail.Read",
        "--format",
        format,
        "--data",
        data,
    ]);
    assert!(out.status.success(), "{format}: {}", stderr(&out));
    stdout(&out)
}

/// (GUID, Scope|Role) pairs a registration should hold for the three permissions above.
fn expected(dir: &std::path::Path) -> BTreeSet<(String, String)> {
    let (delegated, application) = raw_ids(dir);
    [
        (id_in(&delegated, "User.Read"), "Scope"),
        (id_in(&delegated, "Mail.Send"), "Scope"),
        (id_in(&application, "Mail.Read"), "Role"),
    ]
    .into_iter()
    .map(|(id, t)| (id, t.to_string()))
    .collect()
}

#[test]
fn every_form_parses_and_carries_the_real_guids() {
    let dir = upstream();
    let data = dir.to_str().expect("utf-8");
    let want = expected(&dir);

    let json: Value = serde_json::from_str(&form(data, "json")).expect("JSON form parses");
    let rra = &json["requiredResourceAccess"][0];
    assert_eq!(rra["resourceAppId"], "00000003-0000-0000-c000-000000000000");
    let got: BTreeSet<(String, String)> = rra["resourceAccess"]
        .as_array()
        .expect("access")
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);

    let tf = form(data, "terraform");
    let body: hcl::Body = hcl::from_str(&tf).unwrap_or_else(|e| panic!("HCL: {e}\n{tf}"));
    let app = body
        .blocks()
        .find(|b| b.identifier() == "resource")
        .expect("resource block");
    let labels: Vec<&str> = app.labels().iter().map(|l| l.as_str()).collect();
    assert_eq!(labels, ["azuread_application", "app"]);
    let rra = app
        .body()
        .blocks()
        .find(|b| b.identifier() == "required_resource_access")
        .expect("required_resource_access");
    let attr = |b: &hcl::Body, key: &str| -> String {
        b.attributes()
            .find(|a| a.key() == key)
            .and_then(|a| match a.expr() {
                hcl::Expression::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{key}"))
    };
    assert_eq!(
        attr(rra.body(), "resource_app_id"),
        "00000003-0000-0000-c000-000000000000"
    );
    let got: BTreeSet<(String, String)> = rra
        .body()
        .blocks()
        .filter(|b| b.identifier() == "resource_access")
        .map(|b| (attr(b.body(), "id"), attr(b.body(), "type")))
        .collect();
    assert_eq!(got, want);

    let az = form(data, "az");
    let add = az
        .lines()
        .find(|l| l.starts_with("az ad app permission add "))
        .expect("az add line");
    for (id, t) in &want {
        assert!(add.contains(&format!("{id}={t}")), "{add}");
    }
    assert!(az.contains("az ad app permission admin-consent --id <app-id>"));

    let ps = form(data, "powershell");
    for (id, t) in &want {
        assert!(
            ps.contains(&format!("@{{ Id = \"{id}\"; Type = \"{t}\" }}")),
            "{ps}"
        );
    }
    assert!(ps.contains("Update-MgApplication -ApplicationId"));
}

#[test]
fn unknown_names_and_missing_types_are_errors() {
    let data = sample();
    let data = data.to_str().expect("utf-8");
    let out = permcat(&["registration", "--application", "Mail.Reed", "--data", data]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean: Mail.Read"),
        "{}",
        stderr(&out)
    );
    let out = permcat(&["registration", "--data", data]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("name the permissions"));
    // A type the permission lacks: ChannelMessage.Read.Group has no delegated form.
    let out = permcat(&[
        "registration",
        "--delegated",
        "ChannelMessage.Read.Group",
        "--data",
        data,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has no delegated type"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_hostile_name_cannot_leave_its_comment() {
    // A permission whose name carries a line break and shell text: in every form the
    // name only appears inside a comment, reduced to safe characters.
    let tmp = sample_copy();
    let perms = permissions_json(tmp.path());
    let mut doc = raw_json(&perms);
    let evil = "Evil.Name\n$(touch /tmp/pwned) \"; rm -rf ~ #";
    let mail = doc["permissions"]["Mail.Read"].clone();
    doc["permissions"][evil] = mail;
    std::fs::write(&perms, serde_json::to_vec(&doc).unwrap()).expect("write");
    let descriptions = descriptions_json(tmp.path());
    let mut d = raw_json(&descriptions);
    d["applicationScopesList"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "value": evil, "isEnabled": true}));
    std::fs::write(&descriptions, serde_json::to_vec(&d).unwrap()).expect("write");
    let data = tmp.path().to_str().unwrap();
    for format in ["az", "powershell", "terraform", "json"] {
        let out = permcat(&[
            "registration",
            "--application",
            evil,
            "--format",
            format,
            "--data",
            data,
            "--no-cache",
        ]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains("$(touch"), "{format}: {text}");
        assert!(!text.contains("rm -rf"), "{format}: {text}");
        assert!(
            text.contains("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"),
            "{format}: {text}"
        );
        if format == "terraform" {
            hcl::from_str::<hcl::Body>(&text).expect("still parses");
        }
    }
}

#[test]
fn the_permission_page_offers_every_form_with_copy_buttons() {
    let page =
        std::fs::read_to_string(upstream_site().join("permissions/Mail.Read.html")).expect("page");
    for kind in ["delegated", "application"] {
        for f in ["json", "az", "powershell", "terraform"] {
            let id = format!("reg-{kind}-{f}");
            assert!(page.contains(&format!("data-copy-target=\"{id}\"")), "{id}");
            assert!(page.contains(&format!("<code id=\"{id}\">")), "{id}");
        }
    }
    let code = between(&page, "<code id=\"reg-application-json\">", "</code>");
    let json: Value = serde_json::from_str(&unescape(code[0])).expect("page JSON parses");
    let (_, application) = raw_ids(&upstream());
    assert_eq!(
        json["requiredResourceAccess"][0]["resourceAccess"][0]["id"],
        id_in(&application, "Mail.Read").as_str()
    );
}
