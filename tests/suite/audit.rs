//! `permcat audit`: hand-written manifests and Graph responses with real GUIDs of the real
//! snapshot, checked against `which` and the raw files; every input shape; the CI gate;
//! hostile and empty inputs.

use std::path::Path;

use serde_json::{json, Value};

use crate::common::*;

/// Mail.Read's application id (app role) in the real snapshot.
const MAIL_READ_APP: &str = "810c84a8-4a9e-49e6-bf7d-12d183f40d01";
/// Exchange Online, another resource app.
const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";
const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const UNKNOWN: &str = "12345678-1234-4234-8234-123456789abc";

/// An id of the raw descriptions file, read without permcat.
fn raw_id(dir: &Path, list: &str, name: &str) -> String {
    raw_json(&descriptions_json(dir))[list]
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["value"] == name)
        .and_then(|e| e["id"].as_str())
        .unwrap_or_else(|| panic!("{name} in {list}"))
        .to_ascii_lowercase()
}

/// A Tier-0 application permission of the raw tiering that the descriptions give an id.
fn tier0_role(dir: &Path) -> (String, String) {
    let name = "RoleManagement.ReadWrite.Directory";
    let raw = raw_json(&tiered_json(dir));
    let entry = raw
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["assetName"] == name)
        .expect("tiered");
    assert_eq!(entry["tier"], "0");
    (name.to_string(), raw_id(dir, "applicationScopesList", name))
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write");
    path.to_str().expect("utf-8").to_string()
}

fn audit_json(args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["audit", "--json"];
    all.extend_from_slice(args);
    let out = permcat(&all);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), v, stderr(&out))
}

fn assert_schema(doc: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/audit.schema.json");
    let schema: Value =
        serde_json::from_slice(&std::fs::read(path).expect("schema")).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn grant<'a>(v: &'a Value, input: &str) -> &'a Value {
    v["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .find(|g| g["input"] == input)
        .unwrap_or_else(|| panic!("no grant {input}: {v}"))
}

fn verdict<'a>(v: &'a Value, scheme: &str) -> &'a Value {
    v["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .find(|x| x["scheme"] == scheme)
        .unwrap_or_else(|| panic!("no verdict {scheme}: {v}"))
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|x| {
            x.as_str().map_or_else(
                || x["permission"].as_str().unwrap().to_string(),
                str::to_string,
            )
        })
        .collect()
}

#[test]
fn a_manifest_with_real_guids_is_resolved_weighed_and_gated() {
    let (dir, _) = tiering_catalog();
    let data = dir.path().to_str().expect("utf-8");
    let (tier0, tier0_id) = tier0_role(dir.path());
    let user_read = raw_id(dir.path(), "delegatedScopesList", "User.Read");
    let tmp = tempfile::tempdir().expect("temp dir");
    let manifest = json!({
        "id": "11111111-2222-3333-4444-555555555555",
        "displayName": "Contoso mailer",
        "requiredResourceAccess": [
            {"resourceAppId": GRAPH, "resourceAccess": [
                {"id": MAIL_READ_APP, "type": "Role"},
                {"id": tier0_id, "type": "Role"},
                {"id": user_read, "type": "Scope"},
                {"id": UNKNOWN, "type": "Scope"}
            ]},
            {"resourceAppId": EXCHANGE, "resourceAccess": [
                {"id": "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "type": "Role"}
            ]}
        ]
    });
    let file = write(tmp.path(), "manifest.json", &manifest.to_string());
    let requests = write(
        tmp.path(),
        "requests.txt",
        "GET /me/messages\n# a comment\nPOST /me/sendMail\n",
    );
    let (code, v, err) = audit_json(&[&file, "--requests", &requests, "--data", data]);
    assert_eq!(code, Some(0), "{err}");
    assert_schema(&v);
    assert_eq!(v["input_format"], "manifest");

    let mail = grant(&v, MAIL_READ_APP);
    assert_eq!(mail["status"], "graph");
    assert_eq!(mail["permission"], "Mail.Read");
    assert_eq!(mail["type"], "application");
    assert_eq!(mail["requires_admin_consent"], true);
    let raw_perms = raw_json(&permissions_json(dir.path()));
    assert_eq!(
        mail["privilege_level"],
        raw_perms["permissions"]["Mail.Read"]["schemes"]["Application"]["privilegeLevel"]
    );
    let role = grant(&v, &tier0_id);
    assert_eq!(role["permission"], tier0.as_str());
    assert_eq!(role["risk"]["tier"], 0);
    assert!(role["risk"]["shortest_path"].is_string());
    assert_eq!(grant(&v, UNKNOWN)["status"], "unknown");
    let exchange = grant(&v, "dc890d15-9560-4a4c-9b7f-a736ec74ec40");
    assert_eq!(exchange["status"], "other-resource-app");
    assert_eq!(exchange["resource_app_id"], EXCHANGE);
    assert_eq!(v["findings"]["tier0"], json!([tier0]));
    assert_eq!(v["findings"]["unknown"], 1);

    // The requests: line numbers of the file, and the least privileged as `which` says.
    let reqs = v["requests"].as_array().expect("requests");
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1]["line"], 3);
    let which = permcat(&[
        "which",
        "--json",
        "GET /me/messages",
        "POST /me/sendMail",
        "--data",
        data,
    ]);
    let which: Value = serde_json::from_slice(&which.stdout).expect("which JSON");
    for (i, r) in reqs.iter().enumerate() {
        let first = &which["answers"][i]["schemes"]["DelegatedWork"][0]["permission"];
        assert_eq!(&r["least_privileged"]["DelegatedWork"], first, "{r}");
        // /me has no application permission.
        assert_eq!(r["least_privileged"]["Application"], Value::Null);
    }
    // Delegated: the cover `which` gives is needed, none of it granted, User.Read is
    // excess; application: nothing possible, both roles excess.
    let cover = which["cover"]
        .as_array()
        .expect("cover")
        .iter()
        .find(|c| c[0] == "DelegatedWork")
        .map(|c| names(&c[1]))
        .expect("DelegatedWork cover");
    let delegated = verdict(&v, "DelegatedWork");
    assert_eq!(names(&delegated["needed"]), cover);
    assert_eq!(names(&delegated["missing"]), cover);
    assert_eq!(names(&delegated["excess"]), ["User.Read"]);
    let app = verdict(&v, "Application");
    assert!(names(&app["needed"]).is_empty());
    let mut excess = names(&app["excess"]);
    excess.sort();
    let mut want = vec!["Mail.Read".to_string(), tier0.clone()];
    want.sort();
    assert_eq!(excess, want);
    assert_eq!(v["findings"]["missing"], cover.len());

    // The gates.
    for (gate, code) in [("tier0", 1), ("unknown", 1), ("excess", 1), ("missing", 1)] {
        let out = permcat(&[
            "audit",
            &file,
            "--requests",
            &requests,
            "--data",
            data,
            "--fail-on",
            gate,
        ]);
        assert_eq!(out.status.code(), Some(code), "{gate}: {}", stderr(&out));
    }
    // Text names what matters.
    let out = permcat(&["audit", &file, "--requests", &requests, "--data", data]);
    let text = stdout(&out);
    assert!(
        text.contains(tier0.as_str()) && text.contains("Tier 0"),
        "{text}"
    );
    assert!(text.contains("Office 365 Exchange Online"), "{text}");
    assert!(
        text.contains("excess:  User.Read (needed by no request)"),
        "{text}"
    );
}

#[test]
fn a_broader_grant_is_excess_and_nothing_is_missing() {
    let (dir, _) = tiering_catalog();
    let data = dir.path().to_str().expect("utf-8");
    let tmp = tempfile::tempdir().expect("temp dir");
    let list = write(tmp.path(), "list.txt", "Mail.ReadWrite delegated\n");
    let requests = write(tmp.path(), "r.txt", "GET /me/messages\n");
    let (code, v, err) = audit_json(&[
        &list,
        "--requests",
        &requests,
        "--data",
        data,
        "--fail-on",
        "missing",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let d = verdict(&v, "DelegatedWork");
    assert!(names(&d["missing"]).is_empty(), "{v}");
    assert_eq!(d["excess"][0]["permission"], "Mail.ReadWrite");
    assert_eq!(d["excess"][0]["allows_requests"], 1);
    assert_eq!(
        v["requests"][0]["allowed_by"]["DelegatedWork"],
        json!(["Mail.ReadWrite"])
    );
    // Only delegated grants: the application type is not weighed.
    assert_eq!(v["verdicts"].as_array().unwrap().len(), 1);
}

#[test]
fn every_input_shape_is_detected() {
    let sample = sample();
    let data = sample.to_str().expect("utf-8");
    let tmp = tempfile::tempdir().expect("temp dir");
    let mail_app = raw_id(&sample, "applicationScopesList", "Mail.Read");
    // The Graph `application` object: the same requiredResourceAccess among other keys.
    let app = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
        "appId": "aaaaaaaa-0000-0000-0000-000000000000", "web": {"redirectUris": []},
        "requiredResourceAccess": [{"resourceAppId": GRAPH, "resourceAccess": [{"id": mail_app, "type": "Role"}]}]});
    let assignments = json!({"@odata.context": "x", "value": [
        {"id": "x1", "appRoleId": mail_app, "principalId": "p", "resourceId": "r", "resourceDisplayName": "Microsoft Graph"},
        {"id": "x2", "appRoleId": UNKNOWN, "principalId": "p", "resourceId": "r2", "resourceDisplayName": "Office 365 Exchange Online"}
    ]});
    let grants = json!({"value": [{"clientId": "c", "consentType": "AllPrincipals", "resourceId": "r", "scope": " User.Read  Mail.Send nope.Nothing "}]});
    let bare =
        json!([{"resourceAppId": GRAPH, "resourceAccess": [{"id": mail_app, "type": "Role"}]}]);
    for (file, body, format, first) in [
        ("app.json", app.to_string(), "manifest", "Mail.Read"),
        ("bare.json", bare.to_string(), "manifest", "Mail.Read"),
        (
            "assignments.json",
            assignments.to_string(),
            "assignments",
            "Mail.Read",
        ),
        ("grants.json", grants.to_string(), "grants", "User.Read"),
        (
            "list.txt",
            format!("{mail_app}\n\n  Mail.Send  application # comment\nUser.Read\n"),
            "list",
            "Mail.Read",
        ),
    ] {
        let path = write(tmp.path(), file, &body);
        let (code, v, err) = audit_json(&[&path, "--data", data]);
        assert_eq!(code, Some(0), "{file}: {err}");
        assert_schema(&v);
        assert_eq!(v["input_format"], format, "{file}");
        assert_eq!(v["grants"][0]["permission"], first, "{file}: {v}");
    }
    let path = tmp.path().join("assignments.json");
    let (_, v, _) = audit_json(&[path.to_str().unwrap(), "--data", data]);
    assert_eq!(grant(&v, UNKNOWN)["status"], "other-resource-app", "{v}");
    assert_eq!(
        grant(&v, UNKNOWN)["resource_app"],
        "Office 365 Exchange Online"
    );
    let path = tmp.path().join("grants.json");
    let (_, v, _) = audit_json(&[path.to_str().unwrap(), "--data", data]);
    assert_eq!(grant(&v, "Mail.Send")["type"], "delegated");
    assert_eq!(grant(&v, "nope.Nothing")["status"], "unknown");
    let path = tmp.path().join("list.txt");
    let (_, v, _) = audit_json(&[path.to_str().unwrap(), "--data", data]);
    assert_eq!(grant(&v, "Mail.Send")["type"], "application");
    assert_eq!(grant(&v, "Mail.Send")["line"], 3);
    // A name without a type stands for each type it has.
    let user_read: Vec<&Value> = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["input"] == "User.Read")
        .collect();
    assert!(!user_read.is_empty());
    // The sample's tier-only GUID is named though no Microsoft file has it.
    let only = write(
        tmp.path(),
        "only.txt",
        "00000000-0000-4000-8000-00000000feed\n",
    );
    let (code, v, _) = audit_json(&[&only, "--data", data, "--fail-on", "unknown"]);
    assert_eq!(code, Some(1));
    let g = &v["grants"][0];
    assert_eq!(g["status"], "unknown");
    assert_eq!(g["permission"], "Sample.TieredOnly.All");
    assert!(
        g["note"]
            .as_str()
            .unwrap()
            .contains("azure-tiering names it"),
        "{g}"
    );
}

#[test]
fn bad_input_is_a_clear_error_and_no_graph_entry_is_said() {
    let data = sample();
    let data = data.to_str().expect("utf-8");
    let tmp = tempfile::tempdir().expect("temp dir");
    let broken = write(
        tmp.path(),
        "broken.json",
        "{\n  \"requiredResourceAccess\": [\n    {\"resourceAppId\": 1,,}\n  ]\n}",
    );
    let out = permcat(&["audit", &broken, "--data", data]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("broken.json`:3:"), "line and column: {err}");

    let empty = write(tmp.path(), "empty.json", "  \n");
    let out = permcat(&["audit", &empty, "--data", data]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is empty"), "{}", stderr(&out));

    let other = write(tmp.path(), "other.json", r#"{"displayName": "x"}"#);
    let out = permcat(&["audit", &other, "--data", data]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--input-format"), "{}", stderr(&out));

    let no_graph = json!({"requiredResourceAccess": [{"resourceAppId": EXCHANGE, "resourceAccess": [{"id": UNKNOWN, "type": "Role"}]}]});
    let no_graph = write(tmp.path(), "nograph.json", &no_graph.to_string());
    let out = permcat(&["audit", &no_graph, "--data", data]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no Microsoft Graph permission is granted"),
        "{}",
        stdout(&out)
    );

    // Over the input cap: refused before anything is parsed.
    let huge = tmp.path().join("huge.txt");
    std::fs::write(&huge, "Mail.Read\n".repeat((17 << 20) / 10)).expect("write");
    let out = permcat(&["audit", huge.to_str().unwrap(), "--data", data]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("MiB cap"), "{}", stderr(&out));

    let list = write(tmp.path(), "typo.txt", "Mail.Read sideways\n");
    let out = permcat(&["audit", &list, "--data", data]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("typo.txt`:1:"), "{}", stderr(&out));

    // --fail-on tier0 without the tiering cannot pass silently.
    let copy = sample_copy();
    std::fs::remove_dir_all(copy.path().join("azure-tiering")).expect("remove");
    let ok = write(tmp.path(), "ok.txt", "Mail.Read\n");
    let out = permcat(&[
        "audit",
        &ok,
        "--data",
        copy.path().to_str().unwrap(),
        "--fail-on",
        "tier0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("needs the risk tiers"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn input_text_cannot_drive_csv_markdown_or_the_terminal() {
    let data = sample();
    let data = data.to_str().expect("utf-8");
    let tmp = tempfile::tempdir().expect("temp dir");
    let list = write(
        tmp.path(),
        "evil.txt",
        "=HYPERLINK(\"x\")\n<script>|x\n\u{1b}[31mred\n",
    );
    let out = permcat(&["audit", &list, "--data", data, "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv_text = stdout(&out);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    for row in reader.records() {
        for cell in row.expect("row").iter() {
            assert!(!cell.starts_with('='), "formula: {csv_text}");
        }
    }
    let out = permcat(&["audit", &list, "--data", data, "--format", "markdown"]);
    let md = stdout(&out);
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("&lt;script&gt;\\|x"), "{md}");
    let out = permcat(&["audit", &list, "--data", data]);
    assert!(
        !stdout(&out).contains('\u{1b}'),
        "escape reached the terminal"
    );
}

#[test]
fn suggestions_stop_after_a_hundred_unknown_names() {
    // Each suggestion compares the name with every permission: a hostile list of
    // unknown names gets them for its first hundred only, and the audit stays quick.
    let data = sample();
    let data = data.to_str().expect("utf-8");
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut text = "Mail.Reed\n".repeat(150);
    for i in 0..20_000 {
        text.push_str(&format!("Unknown{i}.{}\n", "x".repeat(i % 300)));
    }
    let list = write(tmp.path(), "many.txt", &text);
    let (code, v, err) = audit_json(&[&list, "--data", data]);
    assert_eq!(code, Some(0), "{err}");
    let grants = v["grants"].as_array().expect("grants");
    assert_eq!(grants.len(), 20_150);
    assert!(grants[99]["note"]
        .as_str()
        .unwrap()
        .contains("did you mean Mail.Read"));
    assert_eq!(
        grants[100]["note"],
        "no Microsoft Graph permission has this name"
    );
    assert_eq!(v["findings"]["unknown"], 20_150);
}
