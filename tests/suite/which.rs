//! `permcat which`: real request URLs of varied shapes against the upstream snapshot,
//! with the least-privileged permission per account type expected from permissions.json.

use permcat::lookup::{self, Lookup};
use permcat::model::Scheme;
use serde_json::Value;

use crate::common::*;

use crate::which_cases::CASES;

#[test]
fn real_requests_get_the_least_privileged_permission_per_type() {
    let catalog = upstream_catalog();
    let lookup = Lookup::new(catalog);
    assert!(CASES.len() >= 40);
    let mut failures = Vec::new();
    for (method, url, template, expected) in CASES {
        let req = lookup::parse_request(Some(method), url);
        let answer = match lookup.request(&req) {
            Ok(a) => a,
            Err(miss) => {
                failures.push(format!("{method} {url}: no match ({:?})", miss.closest));
                continue;
            }
        };
        if answer.key != permcat::link::path::canonicalize(template).key() {
            failures.push(format!(
                "{method} {url}: matched {} not {template}",
                answer.key
            ));
        }
        for (scheme, want) in Scheme::ALL.iter().zip(expected) {
            let got = answer.schemes.get(scheme).and_then(|l| l.first());
            let unusable = answer.not_usable.contains_key(scheme);
            if (*want == "!") != unusable {
                failures.push(format!(
                    "{method} {url} {scheme}: expected usable: {}, got {:?}",
                    *want != "!",
                    answer.not_usable
                ));
            }
            match (*want, got) {
                ("-" | "!", None) => {}
                ("-" | "!", Some(c)) => failures.push(format!(
                    "{method} {url} {scheme}: expected none, got {}",
                    c.permission
                )),
                (w, Some(c)) => {
                    let (name, least) = match w.strip_prefix('~') {
                        Some(n) => (n, false),
                        None => (w, true),
                    };
                    if c.permission != name || c.least_privileged != least {
                        failures.push(format!(
                            "{method} {url} {scheme}: expected {w}, got {} (least {})",
                            c.permission, c.least_privileged
                        ));
                    }
                }
                (w, None) => {
                    failures.push(format!("{method} {url} {scheme}: expected {w}, got none"))
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The text and exit codes, on the sample (which has these paths); the same requests on
/// the real snapshot are checked in process.
#[test]
fn which_prints_answers_and_fails_on_unknown_paths() {
    let data = sample();
    let data = data.to_str().expect("utf-8");
    let ok = permcat(&[
        "which",
        "--data",
        data,
        "https://graph.microsoft.com/v1.0/me/messages?$top=5",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let text = stdout(&ok);
    assert!(text.starts_with("GET /me/messages"), "{text}");
    assert!(text.contains("least privileged"), "{text}");
    assert!(
        text.contains("source: microsoft-graph-devx-content/permissions/new/permissions.json"),
        "{text}"
    );

    let miss = permcat(&["which", "--data", data, "/me/messagez"]);
    assert_eq!(miss.status.code(), Some(1));
    let err = stderr(&miss);
    assert!(
        err.contains("no known endpoint matches GET /me/messagez"),
        "{err}"
    );
    assert!(err.contains("closest known paths: /me/messages"), "{err}");

    let wrong_method = permcat(&["which", "--data", data, "PUT", "/me"]);
    assert_eq!(wrong_method.status.code(), Some(1));
    assert!(
        stderr(&wrong_method).contains("not for PUT"),
        "{}",
        stderr(&wrong_method)
    );

    let (code, v) = json_report(&["https://graph.microsoft.com/v1.0/me/messages?$top=5"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["answers"][0]["request"]["path"], "/me/messages", "{v}");
    let work = &v["answers"][0]["schemes"]["DelegatedWork"][0];
    assert_eq!(work["least_privileged"], true, "{v}");
    let (code, v) = json_report(&["/me/messagez"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["answers"][0]["closest"][0], "/me/messages", "{v}");
    let (code, v) = json_report(&["PUT", "/me"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        v["answers"][0]["other_methods"],
        serde_json::json!(["GET"]),
        "{v}"
    );
}

#[test]
fn several_requests_get_the_fewest_permissions_covering_all() {
    let (code, v) = json_report(&["/me", "/me/messages", "POST", "/me/sendMail"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["answers"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["answers"][2]["request"]["method"], "POST");
    let cover = v["cover"].as_array().expect("cover");
    let work = cover
        .iter()
        .find(|c| c[0] == "DelegatedWork")
        .expect("work cover");
    let names: Vec<&str> = work[1]
        .as_array()
        .expect("a set")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // Three different needs (profile, reading mail, sending mail): three permissions,
    // each covering its request.
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names.contains(&"User.Read") && names.contains(&"Mail.Send"),
        "{names:?}"
    );
    // Application permissions cannot call /me.
    let app = cover.iter().find(|c| c[0] == "Application").expect("app");
    assert!(app[1].is_null());
}

#[test]
fn cmdlets_are_looked_up_through_the_command_map() {
    let out = permcat(&[
        "which",
        "--json",
        "--data",
        sample().to_str().expect("utf-8"),
        "Get-MgUser",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let templates: Vec<&str> = v["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .filter_map(|a| a["key"].as_str())
        .collect();
    assert!(
        templates.contains(&"/users") && templates.contains(&"/users/{}"),
        "{templates:?}"
    );
    let unknown = permcat(&[
        "which",
        "--data",
        sample().to_str().expect("utf-8"),
        "Get-MgUsr",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("did you mean: Get-MgUser"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn teams_ids_with_colons_are_values_not_drive_paths() {
    // Regression: `19:…@thread.skype` was read as `item:/path:` drive addressing.
    let lookup = Lookup::new(upstream_catalog());
    let req = lookup::parse_request(
        Some("GET"),
        "/teams/02bd9fd6/channels/19:09fc54a3141a45d0bc769cf506d2e079@thread.skype/messages",
    );
    let answer = lookup.request(&req).expect("a match");
    assert_eq!(answer.key, "/teams/{}/channels/{}/messages");
}

#[test]
fn a_request_line_copied_from_the_docs_is_one_argument() {
    // `permcat which "POST /me/sendMail"`: the method belongs to that request only.
    let data = sample();
    let data = data.to_str().expect("utf-8");
    let out = permcat(&["which", "--data", data, "POST /me/sendMail", "/me"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("POST /me/sendMail"), "{text}");
    assert!(text.contains("Mail.Send (least privileged)"), "{text}");
    assert!(
        text.contains("GET /me "),
        "the method leaked to the next request:\n{text}"
    );
    let (code, v) = json_report(&["POST /me/sendMail", "/me"]);
    assert_eq!(code, Some(0), "{v}");
    let send = &v["answers"][0]["schemes"]["DelegatedWork"][0];
    assert_eq!(send["permission"], "Mail.Send", "{v}");
    assert_eq!(send["least_privileged"], true, "{v}");
    assert_eq!(v["answers"][1]["request"]["method"], "GET", "{v}");
}

/// Answers one request on the real snapshot, or panics with the miss.
fn answer(method: &str, url: &str) -> lookup::Answer {
    let lookup = Lookup::new(upstream_catalog());
    match lookup.request(&lookup::parse_request(Some(method), url)) {
        Ok(a) => a,
        Err(miss) => panic!("{method} {url}: no answer ({miss:?})"),
    }
}

fn via_kinds(a: &lookup::Answer) -> Vec<lookup::ViaKind> {
    a.via.iter().map(|v| v.kind).collect()
}

fn first(a: &lookup::Answer, scheme: Scheme) -> Option<&str> {
    a.schemes
        .get(&scheme)
        .and_then(|l| l.first())
        .map(|c| c.permission.as_str())
}

#[test]
fn value_ref_and_count_fall_back_to_the_navigation_and_say_so() {
    use lookup::ViaKind::Navigation;
    // (method, request, the template that answers, whether it is a fallback)
    let cases = [
        ("GET", "https://graph.microsoft.com/v1.0/me/photo/$value", "/me/photo", true),
        ("GET", "/users/adele@contoso.com/photo/$value", "/users/{}/photo", true),
        ("GET", "/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members/$ref", "/groups/{}/members", true),
        (
            "DELETE",
            "/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members/87d349ed-44d7-43e1-9a83-5f2406dee5bd/$ref",
            "/groups/{}/members/{}",
            true,
        ),
        ("GET", "/me/messages/$count", "/me/messages", true),
        ("GET", "/users/$count", "/users", true),
        // Templates that spell the segment answer as they are.
        ("GET", "/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd/transitiveReports/$count", "/users/{}/transitivereports/$count", false),
        ("GET", "/me/notes/1-abc/attachments/2-def/$value", "/me/notes/{}/attachments/{}/$value", false),
    ];
    for (method, url, key, fallback) in cases {
        let a = answer(method, url);
        assert_eq!(a.key, key, "{method} {url}");
        assert_eq!(
            via_kinds(&a) == [Navigation],
            fallback,
            "{method} {url}: {:?}",
            a.via
        );
    }
    let a = answer("GET", "/groups/02bd9fd6/members/$ref");
    assert_eq!(
        first(&a, Scheme::DelegatedWork),
        Some("GroupMember.ReadBasic.All")
    );
    assert!(a.via[0].note.contains("$ref"), "{:?}", a.via);
    // `$count` is never an id: it used to match /me/messages/{id}.
    assert_eq!(answer("GET", "/me/messages/$count").key, "/me/messages");

    // The navigation is known, but not for POST: the miss names it.
    let lookup = Lookup::new(upstream_catalog());
    let miss = lookup
        .request(&lookup::parse_request(
            Some("POST"),
            "/groups/02bd9fd6/members/$ref",
        ))
        .expect_err("POST members/$ref has no template here");
    assert_eq!(miss.template, None);
    assert_eq!(miss.other_methods, ["GET"]);
    assert_eq!(miss.known_path.as_deref(), Some("/groups/{id}/members"));
}

#[test]
fn me_and_users_answer_for_each_other_and_me_has_no_application_answer() {
    use lookup::ViaKind::{Me, Users};
    let a = answer("PATCH", "https://graph.microsoft.com/v1.0/me");
    assert_eq!(a.key, "/users/{}");
    assert_eq!(via_kinds(&a), [Users]);
    assert!(
        a.via[0].note.contains("/me is the signed-in user"),
        "{:?}",
        a.via
    );
    assert_eq!(first(&a, Scheme::DelegatedPersonal), Some("User.ReadWrite"));
    assert!(first(&a, Scheme::DelegatedWork).is_some());
    assert!(!a.schemes.contains_key(&Scheme::Application));
    assert_eq!(
        a.not_usable.get(&Scheme::Application).map(String::as_str),
        Some(lookup::NO_SIGNED_IN_USER)
    );

    let cal = answer(
        "GET",
        "/me/calendarView(startDateTime='2024-01-01T00:00:00',endDateTime='2024-01-31T00:00:00')",
    );
    assert_eq!(cal.key, "/users/{}/calendarview");
    assert_eq!(via_kinds(&cal), [Users]);
    assert_eq!(
        first(&cal, Scheme::DelegatedWork),
        Some("Calendars.ReadBasic")
    );
    // The query-string form, as Graph documents it.
    let cal = answer(
        "GET",
        "/me/calendarView?startDateTime=2024-01-01&endDateTime=2024-01-31/",
    );
    assert_eq!(cal.key, "/users/{}/calendarview");

    // Only the /me form is known.
    let roles = answer(
        "GET",
        "/users/adele@contoso.com/employeeExperience/assignedRoles",
    );
    assert_eq!(roles.key, "/me/employeeexperience/assignedroles");
    assert_eq!(via_kinds(&roles), [Me]);
    assert!(
        roles.not_usable.is_empty(),
        "a /users request can be an app's"
    );

    // An exact /me template keeps its own answer, without Application.
    let me = answer("GET", "/me");
    assert!(me.via.is_empty());
    assert!(me.not_usable.contains_key(&Scheme::Application));
    // /users/{id} keeps its Application answer.
    let user = answer("GET", "/users/adele@contoso.com");
    assert!(user.not_usable.is_empty());
    assert_eq!(
        first(&user, Scheme::Application),
        Some("User.ReadBasic.All")
    );
}

#[test]
fn casts_site_paths_and_functions_find_their_templates() {
    use lookup::ViaKind::{Cast, Site};
    let pages = answer(
        "GET",
        "/sites/contoso.sharepoint.com,2c94ef6a-5b4c-4d3c-9e1d-0f7a2c8e4b11,d2f8c3a1-6b7e-4f5d-8a9b-1c2d3e4f5a6b/pages/5f2a3b1c-0000-4000-8000-000000000001/microsoft.graph.sitePage/webParts",
    );
    assert_eq!(pages.key, "/sites/{}/pages/{}/webparts");
    assert_eq!(via_kinds(&pages), [Cast]);
    assert!(
        pages.via[0].note.contains("microsoft.graph.sitepage"),
        "{:?}",
        pages.via
    );
    assert_eq!(first(&pages, Scheme::DelegatedWork), Some("Sites.Read.All"));
    // A cast a template spells stays exact.
    let exact = answer(
        "POST",
        "/applications/microsoft.graph.agentIdentityBlueprint/00af5dfb/sponsors/$ref",
    );
    assert!(exact.via.is_empty(), "{:?}", exact.via);
    assert_eq!(
        exact.key,
        "/applications/microsoft.graph.agentidentityblueprint/{}/sponsors/$ref"
    );
    // A cast no template spells is left out.
    let members = answer("GET", "/groups/02bd9fd6/members/microsoft.graph.user");
    assert_eq!(members.key, "/groups/{}/members");
    assert_eq!(via_kinds(&members), [Cast]);

    // root as a site id.
    assert_eq!(answer("GET", "/sites/root/drive").key, "/sites/{}/drive");
    assert_eq!(answer("GET", "/sites/root").key, "/sites/root");

    // SharePoint path addressing.
    let drive = answer(
        "GET",
        "https://graph.microsoft.com/v1.0/sites/contoso.sharepoint.com:/sites/hr:/drive",
    );
    assert_eq!(drive.key, "/sites/{}/drive");
    assert_eq!(via_kinds(&drive), [Site]);
    assert_eq!(first(&drive, Scheme::DelegatedWork), Some("Files.Read"));
    let site = answer("GET", "/sites/contoso.sharepoint.com:/sites/hr");
    assert_eq!(site.key, "/sites/{}:{}:");
    assert!(site.via.is_empty());

    // Functions with quoted parameters, empty parentheses, casing, query and slash.
    let report = answer("GET", "/reports/getEmailActivityUserDetail(period='D7')");
    assert_eq!(report.key, "/reports/getemailactivityuserdetail(period={})");
    assert_eq!(
        first(&report, Scheme::Application),
        Some("Reports.Read.All")
    );
    assert_eq!(answer("GET", "/users/delta()").key, "/users/delta");
    assert_eq!(
        answer(
            "GET",
            "HTTPS://GRAPH.MICROSOFT.COM/BETA/USERS/DELTA()/?$select=id"
        )
        .key,
        "/users/delta"
    );
}

/// What `permcat which --json` prints for `args` on a catalog, with its exit code: the
/// lookup's report as it is, 1 when an input has no answer, 2 on an error.
fn report_of(catalog: &permcat::Catalog, args: &[&str]) -> (Option<i32>, Value) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    match Lookup::new(catalog).query(&args) {
        Ok(report) => (
            Some(if report.all_answered() { 0 } else { 1 }),
            serde_json::to_value(&report).expect("JSON"),
        ),
        Err(e) => (Some(2), serde_json::json!({ "error": e.to_string() })),
    }
}

/// [`report_of`] the real snapshot, in process: the binary's side of it is checked by
/// `json_is_the_lookup_report_and_the_exit_code_says_if_all_were_answered`.
fn json_report(args: &[&str]) -> (Option<i32>, Value) {
    report_of(upstream_catalog(), args)
}

/// The binary prints [`report_of`] and exits with its code, for every kind of input.
#[test]
fn json_is_the_lookup_report_and_the_exit_code_says_if_all_were_answered() {
    let data = sample();
    let catalog = load(&data);
    for inputs in [
        &["/me", "POST", "/me/sendMail", "Get-MgUser"][..],
        &["810c84a8-4a9e-49e6-bf7d-12d183f40d01", "POST /$batch"][..],
        &[
            "/me/messagez",
            "GET",
            "/$batch",
            "00000000-0000-0000-0000-000000000000",
            "Get-MgUsr",
            "/me/photo/$value",
        ][..],
    ] {
        let mut args = vec![
            "which",
            "--json",
            "--data",
            data.to_str().expect("utf-8"),
            "--",
        ];
        args.extend_from_slice(inputs);
        let out = permcat(&args);
        let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let (code, expected) = report_of(&catalog, inputs);
        assert_eq!(printed, expected, "{inputs:?}");
        assert_eq!(out.status.code(), code, "{inputs:?}");
    }
}

#[test]
fn batch_is_its_own_answer_and_exits_0() {
    for url in [
        "/$batch",
        "https://graph.microsoft.com/v1.0/$batch",
        "/beta/$batch/",
    ] {
        let (code, v) = json_report(&["POST", url]);
        assert_eq!(code, Some(0), "{url}: {v}");
        let a = &v["answers"][0];
        assert_eq!(a["kind"], "batch", "{url}: {a}");
        assert_eq!(a["template"], "/$batch");
        assert!(
            a["note"]
                .as_str()
                .is_some_and(|n| n.contains("each request inside")),
            "{a}"
        );
    }
    let data = sample();
    let text = permcat(&[
        "which",
        "--data",
        data.to_str().expect("utf-8"),
        "POST /v1.0/$batch",
    ]);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("needs no permission of its own"),
        "{}",
        stdout(&text)
    );
    let (code, v) = json_report(&["GET", "/$batch"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        v["answers"][0]["other_methods"],
        serde_json::json!(["POST"])
    );
}

#[test]
fn a_permission_id_answers_its_name_and_type() {
    // The text on the sample, which has the real ids of Mail.Read.
    let data = sample();
    let data = data.to_str().expect("utf-8");
    let out = permcat(&[
        "which",
        "--data",
        data,
        "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Mail.Read") && text.contains("application permission"),
        "{text}"
    );

    let (code, v) = json_report(&["810c84a8-4a9e-49e6-bf7d-12d183f40d01"]);
    assert_eq!(code, Some(0), "{v}");
    let m = &v["answers"][0]["matches"][0];
    assert_eq!(
        (&m["permission"], &m["type"]),
        (&"Mail.Read".into(), &"application".into()),
        "{v}"
    );

    // A delegated scope id, in upper case and braces; one id that two types share.
    let (code, v) = json_report(&[
        "{E1FE6DD8-BA31-4D61-89E7-88639DA4683D}",
        "405a51b5-8d8d-430b-9842-8be4b0e9f324",
    ]);
    assert_eq!(code, Some(0), "{v}");
    let m = &v["answers"][0]["matches"];
    assert_eq!(v["answers"][0]["kind"], "permission");
    assert_eq!(
        v["answers"][0]["id"],
        "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
    );
    assert_eq!(m[0]["permission"], "User.Read", "{m}");
    assert_eq!(m[0]["type"], "delegated");
    let types: Vec<&str> = v["answers"][1]["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .filter_map(|m| m["type"].as_str())
        .collect();
    assert_eq!(types, ["delegated", "application"]);

    let unknown = permcat(&[
        "which",
        "--data",
        data,
        "00000000-0000-0000-0000-000000000000",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no permission has id 00000000-0000-0000-0000-000000000000"),
        "{}",
        stderr(&unknown)
    );
    let (code, v) = json_report(&["00000000-0000-0000-0000-000000000000"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["answers"][0]["kind"], "unknown_id", "{v}");
}

#[test]
fn json_has_one_answer_per_input_in_order_misses_included() {
    let inputs = [
        "/me/messagez",
        "/me",
        "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
        "/me/messages",
        "00000000-0000-0000-0000-000000000000",
    ];
    let (code, v) = json_report(&inputs);
    assert_eq!(code, Some(1));
    let answers = v["answers"].as_array().expect("answers");
    let got: Vec<(&str, &str)> = answers
        .iter()
        .map(|a| {
            (
                a["input"].as_str().unwrap_or(""),
                a["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("/me/messagez", "miss"),
            ("/me", "endpoint"),
            ("810c84a8-4a9e-49e6-bf7d-12d183f40d01", "permission"),
            ("/me/messages", "endpoint"),
            ("00000000-0000-0000-0000-000000000000", "unknown_id"),
        ]
    );
    assert!(answers[0]["template"].is_null());
    assert_eq!(answers[0]["closest"][0], "/me/messages", "{}", answers[0]);
    assert_eq!(
        answers[1]["not_usable"]["Application"],
        lookup::NO_SIGNED_IN_USER
    );
    // The cover of the two endpoint answers.
    assert_eq!(v["cover"].as_array().map(Vec::len), Some(3));

    // An error (no such data directory) exits 2, not 1.
    let err = permcat(&["which", "--data", "/nonexistent/permcat-data", "/me"]);
    assert_eq!(err.status.code(), Some(2), "{}", stderr(&err));
}

#[test]
fn a_16_kb_path_returns_and_typos_still_get_useful_suggestions() {
    let lookup = Lookup::new(upstream_catalog());
    let long = format!("/users/{}", "abcdefghij/".repeat(1490));
    assert!(long.len() > 16_000);
    let huge_segment = format!("/me/{}", "x".repeat(16_000));
    for path in [&long, &huge_segment] {
        let started = std::time::Instant::now();
        let report = lookup.query(std::slice::from_ref(path)).expect("a report");
        println!("a {}-byte path: {:?}", path.len(), started.elapsed());
        match &report.answers[0].outcome {
            lookup::Outcome::Miss(m) => assert_eq!(m.closest.len(), 5, "{:?}", m.closest),
            other => panic!("a 16 KB path answered: {other:?}"),
        }
    }
    for (typo, want) in [
        ("/me/messagez", "/me/messages"),
        ("/users/adele@contoso.com/mesages", "/users/{id}/messages"),
        ("/grups/02bd9fd6/members", "/groups/{id}/members"),
        ("/me/calender/events", "/me/calendar/events"),
    ] {
        let miss = lookup
            .request(&lookup::parse_request(None, typo))
            .expect_err("a typo");
        assert!(
            miss.closest
                .iter()
                .any(|c| permcat::link::path::canonicalize(c).key()
                    == permcat::link::path::canonicalize(want).key()),
            "{typo}: {:?}",
            miss.closest
        );
    }
}
