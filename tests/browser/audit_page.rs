//! The "Check an app" page: `permcatAudit` in Chromium gives exactly what `permcat audit
//! --json` prints for the same input and requests, on the sample (with risk tiers) and
//! on the real catalog; the registration it offers equals `permcat registration`'s; the
//! form works from file:// with a clean console, and input text stays text.

use serde_json::{json, Value};

use crate::common;
use crate::pages::{assert_clean_console, setup, upstream};
use crate::webdriver::Browser;

/// The request lines as `which --file` reads them: trimmed, blank and `#` lines skipped.
fn request_lines(text: &str) -> Vec<(usize, String)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// What the CLI prints for an input and requests: the audit's JSON, or an error.
fn cli(catalog: &permcat::Catalog, input: &str, requests: &str) -> Value {
    let lookup = permcat::lookup::Lookup::new(catalog);
    let parsed =
        match permcat::audit::read("input", input.as_bytes(), permcat::audit::InputFormat::Auto) {
            Ok(p) => p,
            Err(_) => return json!({ "error": true }),
        };
    let lines = request_lines(requests);
    let lines = (!requests.trim().is_empty()).then_some(lines);
    let audit = permcat::audit::audit(catalog, &lookup, &parsed, lines.as_deref());
    serde_json::to_value(audit).expect("JSON")
}

fn compare(b: &Browser, catalog: &permcat::Catalog, cases: &[(String, String)]) -> Vec<String> {
    let mut differences = Vec::new();
    for (input, requests) in cases {
        let want = cli(catalog, input, requests);
        let mut got = b.execute(
            // A returned `error` key would read as WebDriver's own error: renamed.
            "try { var r = window.permcatAudit(arguments[0], arguments[1]); \
               return r && r.error !== undefined ? { failed: r.error } : r; } \
             catch (e) { return { thrown: String(e) }; }",
            &[json!(input), json!(requests)],
        );
        // Errors are compared by being errors: the messages name the input differently.
        if got.get("failed").is_some() {
            got = json!({ "error": true });
        }
        if want != got {
            differences.push(format!(
                "{input} | {requests}\n  cli:  {want}\n  page: {got}"
            ));
        }
    }
    differences
}

const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";

fn manifest(access: &[(&str, &str)], other: bool) -> String {
    let graph: Vec<Value> = access
        .iter()
        .map(|(id, t)| json!({ "id": id, "type": t }))
        .collect();
    let mut rra = vec![json!({ "resourceAppId": GRAPH, "resourceAccess": graph })];
    if other {
        rra.push(json!({ "resourceAppId": EXCHANGE, "resourceAccess": [{ "id": "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "type": "Role" }] }));
    }
    json!({ "displayName": "test app", "requiredResourceAccess": rra }).to_string()
}

fn cases(requests: &str) -> Vec<(String, String)> {
    let m = manifest(
        &[
            ("810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Role"),
            ("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9", "Role"),
            ("18a4783c-866b-4cc7-a460-3d5e5662c884", "Role"),
            ("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "Scope"),
            ("810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Scope"),
            ("12345678-1234-4234-8234-123456789abc", "Scope"),
            ("00000000-0000-4000-8000-00000000feed", "Role"),
            ("not-a-guid", "Role"),
        ],
        true,
    );
    let assignments = json!({ "value": [
        { "appRoleId": "810c84a8-4a9e-49e6-bf7d-12d183f40d01", "resourceDisplayName": "Microsoft Graph" },
        { "appRoleId": "12345678-1234-4234-8234-123456789abc", "resourceDisplayName": "Office 365 Exchange Online" },
        { "appRoleId": "00000000-0000-0000-0000-000000000000", "resourceDisplayName": "Microsoft Graph" }
    ]})
    .to_string();
    let grants = json!({ "value": [{ "clientId": "c", "scope": "User.Read Mail.Send openid nope.Nothing" }] }).to_string();
    let list = "Mail.Read\nUser.Read delegated\nmail.send application\nMail.Reed\n# a comment\n00000000-0000-4000-8000-00000000feed\nMail.ReadWrite scope # trailing\n";
    let bare = json!([{ "resourceAppId": GRAPH, "resourceAccess": [{ "id": "810c84a8-4a9e-49e6-bf7d-12d183f40d01", "type": "Role" }] }]).to_string();
    let no_graph = json!({ "requiredResourceAccess": [{ "resourceAppId": EXCHANGE, "resourceAccess": [{ "id": "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "type": "Role" }] }] }).to_string();
    let mut out = Vec::new();
    for input in [
        m,
        assignments,
        grants,
        list.to_string(),
        bare,
        no_graph,
        "{\"value\": []}".into(),
    ] {
        out.push((input.clone(), String::new()));
        out.push((input, requests.to_string()));
    }
    for bad in [
        "",
        "  \n",
        "{ bad json",
        "Mail.Read sideways",
        "{\"displayName\": \"x\"}",
    ] {
        out.push((bad.to_string(), String::new()));
    }
    out
}

const REQUESTS: &str = "GET /me/messages\n\n# comment\nPOST /me/sendMail\nGET https://graph.microsoft.com/v1.0/users?$top=5\nGet-MgUser\n/nothing/here\nPOST /$batch\nGET\n810c84a8-4a9e-49e6-bf7d-12d183f40d01\nGET /users/{id}/messages";

pub fn audit_page_agrees_with_the_cli() {
    let s = setup();
    let b = &s.browser;
    b.goto(&s.url("audit.html"));
    let sample = common::load(&common::sample());
    let sample_cases = cases(REQUESTS);
    let mut differences = compare(b, &sample, &sample_cases);

    // The registration of the needed set, as `permcat registration` writes it.
    let (input, requests) = &sample_cases[1];
    let audit = cli(&sample, input, requests);
    let mut wanted = Vec::new();
    for v in audit["verdicts"].as_array().expect("verdicts") {
        let kind = if v["scheme"] == "Application" {
            permcat::model::PermissionType::Application
        } else {
            permcat::model::PermissionType::Delegated
        };
        for n in v["needed"].as_array().expect("needed") {
            wanted.push((n.as_str().expect("name").to_string(), kind));
        }
    }
    let picks = permcat::registration::picks(&sample, &wanted).expect("picks");
    assert!(!picks.is_empty());
    for form in permcat::registration::Form::ALL {
        let page = b.execute(
            "return window.permcatRegistration(window.permcatNeededPicks(arguments[0]), arguments[1]);",
            &[audit.clone(), json!(form.id())],
        );
        let want = permcat::registration::render(&picks, form);
        if page.as_str() != Some(want.as_str()) {
            differences.push(format!(
                "registration {}:\n  cli:  {want}\n  page: {page}",
                form.id()
            ));
        }
    }

    // The form: paste, check, read the findings; nothing pasted becomes markup.
    let input_box = b.find("[data-audit-input]");
    b.send_keys(
        &input_box,
        "Application.ReadWrite.All application\n<img/src=x/onerror=alert(1)>\n",
    );
    let requests_box = b.find("[data-audit-requests]");
    b.send_keys(&requests_box, "GET /applications\n");
    b.click(&b.find("[data-audit-form] button[type=submit]"));
    let results = b.text(&b.find("[data-audit-results]"));
    assert!(
        results.contains("1 Tier-0 grant (Application.ReadWrite.All)"),
        "{results}"
    );
    assert!(
        results.contains("<img/src=x/onerror=alert(1)>"),
        "shown as text: {results}"
    );
    let imgs = b.execute(
        "return document.querySelectorAll('[data-audit-results] img').length;",
        &[],
    );
    assert_eq!(imgs, json!(0));
    let reg = b.execute(
        "var c = document.getElementById('audit-reg-json'); return c ? c.textContent : null;",
        &[],
    );
    let reg: Value = serde_json::from_str(reg.as_str().expect("a registration of the needed set"))
        .expect("the page's manifest JSON parses");
    assert_eq!(reg["requiredResourceAccess"][0]["resourceAppId"], GRAPH);
    assert_clean_console(b, "after checking an app on the sample");

    // The lookup page's cover, as a registration: the same text as the CLI's.
    b.goto(&format!(
        "{}#GET%20%2Fme%2Fmessages%0APOST%20%2Fme%2FsendMail",
        s.url("lookup.html")
    ));
    b.wait_for("the cover's registration", || {
        (!b.find_all("#cover-reg-DelegatedWork-terraform").is_empty()).then_some(())
    });
    let report = permcat::lookup::Lookup::new(&sample)
        .query(&[
            "GET".into(),
            "/me/messages".into(),
            "POST".into(),
            "/me/sendMail".into(),
        ])
        .expect("report");
    let cover = report
        .cover
        .iter()
        .find(|(s, _)| *s == permcat::model::Scheme::DelegatedWork)
        .and_then(|(_, c)| c.clone())
        .expect("a delegated cover");
    let wanted: Vec<_> = cover
        .iter()
        .map(|n| (n.clone(), permcat::model::PermissionType::Delegated))
        .collect();
    let picks = permcat::registration::picks(&sample, &wanted).expect("picks");
    for form in permcat::registration::Form::ALL {
        let id = format!("cover-reg-DelegatedWork-{}", form.id());
        let page = b.execute(
            "return document.getElementById(arguments[0]).textContent;",
            &[json!(id)],
        );
        let want = permcat::registration::render(&picks, form);
        if page.as_str() != Some(want.as_str()) {
            differences.push(format!(
                "lookup cover {id}:\n  cli:  {want}\n  page: {page}"
            ));
        }
    }
    assert_clean_console(b, "after the lookup's cover registration");
    drop(s);

    // The real catalog, without risk tiers: real GUIDs, the same agreement.
    let u = upstream("audit.html");
    let real = common::upstream_catalog();
    differences.extend(compare(&u.browser, real, &cases(REQUESTS)));
    assert_clean_console(&u.browser, "after checking apps on the real catalog");
    let total = sample_cases.len() * 2 + 8;
    assert!(
        differences.is_empty(),
        "{} of {total} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
    println!("{total} audits and registrations identical in the page and the CLI");
}
