//! `permcat which`: real request URLs of varied shapes against the upstream snapshot,
//! with the least-privileged permission per account type expected from permissions.json.

use permcat::lookup::{self, Lookup};
use permcat::model::Scheme;
use serde_json::Value;

use crate::common::*;

/// (method, request as a user would paste it, the permissions.json template it means,
/// expected first answer for delegated work, delegated personal and application).
/// "-" means the scheme is not supported; "!" that it cannot make the request (application
/// permissions on `/me`, which has no signed-in user); a leading "~" means
/// permissions.json marks no permission least privileged there, so the lowest privilege
/// level comes first.
/// The expectations were read off permissions.json directly, not through permcat.
pub(crate) const CASES: &[(&str, &str, &str, [&str; 3])] = &[
    ("GET", "https://graph.microsoft.com/v1.0/me", "/me", ["User.Read", "User.Read", "!"]),
    ("GET", "https://graph.microsoft.com/v1.0/users/adele@contoso.com", "/users/{id}", ["User.ReadBasic.All", "User.Read", "User.ReadBasic.All"]),
    ("GET", "/v1.0/users/6e7b768e-07e2-4810-8459-485f84f8f204", "/users/{id}", ["User.ReadBasic.All", "User.Read", "User.ReadBasic.All"]),
    ("GET", "https://graph.microsoft.com/v1.0/users/adele@contoso.com/messages?$top=5", "/users/{id}/messages", ["Mail.ReadBasic", "Mail.ReadBasic", "Mail.ReadBasic.All"]),
    ("GET", "/beta/users/AdeleV%40contoso.com/messages/", "/users/{id}/messages", ["Mail.ReadBasic", "Mail.ReadBasic", "Mail.ReadBasic.All"]),
    ("GET", "/me/messages/AAMkAGI2TG93AAA=", "/me/messages/{id}", ["Mail.Read", "Mail.Read", "!"]),
    ("PATCH", "/me/messages/AAMkAGI2TG93AAA=", "/me/messages/{id}", ["Mail.ReadWrite", "Mail.ReadWrite", "!"]),
    ("DELETE", "/me/messages/AAMkAGI2TG93AAA=", "/me/messages/{id}", ["Mail.ReadWrite", "Mail.ReadWrite", "!"]),
    ("POST", "https://graph.microsoft.com/v1.0/me/sendMail", "/me/sendmail", ["Mail.Send", "Mail.Send", "!"]),
    ("POST", "/users/adele@contoso.com/sendMail", "/users/{id}/sendmail", ["Mail.Send", "Mail.Send", "Mail.Send"]),
    ("GET", "/groups?$filter=startswith(displayName,%27a%27)&$count=true", "/groups", ["Group-NestingSupport.ReadWrite.All", "-", "Group-NestingSupport.ReadWrite.All"]),
    ("GET", "/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315", "/groups/{id}", ["Group-NestingSupport.ReadWrite.All", "-", "Group-NestingSupport.ReadWrite.All"]),
    ("GET", "/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members?$select=id", "/groups/{id}/members", ["GroupMember.ReadBasic.All", "-", "GroupMember.ReadBasic.All"]),
    ("POST", "/groups", "/groups", ["Group.ReadWrite.All", "-", "Group.Create"]),
    ("DELETE", "/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315", "/groups/{id}", ["Group.ReadWrite.All", "-", "Group.ReadWrite.All"]),
    ("GET", "/applications/00af5dfb-85da-4b41-a677-0c6b86dd34f8", "/applications/{id}", ["Application.Read.All", "Application.Read.All", "Application.Read.All"]),
    ("POST", "/applications/00af5dfb-85da-4b41-a677-0c6b86dd34f8/addPassword", "/applications/{id}/addpassword", ["Application.ReadWrite.All", "Application.ReadWrite.All", "Application.ReadWrite.OwnedBy"]),
    ("PATCH", "/applications/00af5dfb-85da-4b41-a677-0c6b86dd34f8", "/applications/{id}", ["Application.ReadWrite.All", "Application.ReadWrite.All", "Application.ReadWrite.OwnedBy"]),
    ("GET", "/servicePrincipals/00af5dfb-85da-4b41-a677-0c6b86dd34f8", "/serviceprincipals/{id}", ["Application.Read.All", "-", "Application.Read.All"]),
    ("DELETE", "/servicePrincipals/00af5dfb-85da-4b41-a677-0c6b86dd34f8", "/serviceprincipals/{id}", ["Application.ReadWrite.All", "-", "Application.ReadWrite.OwnedBy"]),
    ("GET", "/me/drive/root/children", "/me/drive/root/children", ["Files.Read", "Files.Read", "!"]),
    ("POST", "/me/drive/root/children", "/me/drive/root/children", ["Files.ReadWrite", "Files.ReadWrite", "!"]),
    ("GET", "/drives/b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd/items/01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", "/drives/{id}/items/{id}", ["Files.Read", "Files.Read", "Files.Read.All"]),
    ("PATCH", "/drives/b!abc/items/01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", "/drives/{id}/items/{id}", ["Files.ReadWrite", "Files.ReadWrite", "Files.ReadWrite.All"]),
    ("GET", "/me/drive/items/01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K/content", "/me/drive/items/{id}/content", ["Files.Read", "Files.Read", "!"]),
    ("GET", "/sites/contoso.sharepoint.com,2c94ef6a-5b4c-4d3c-9e1d-0f7a2c8e4b11,d2f8c3a1-6b7e-4f5d-8a9b-1c2d3e4f5a6b", "/sites/{id}", ["Sites.Read.All", "-", "Sites.Read.All"]),
    ("GET", "/sites/root/lists", "/sites/{id}/lists", ["Sites.Read.All", "-", "Sites.Read.All"]),
    ("GET", "/teams/02bd9fd6-8f93-4758-87c3-1fb73740a315/channels", "/teams/{id}/channels", ["Channel.ReadBasic.All", "-", "ChannelSettings.Read.Group"]),
    ("GET", "/teams/02bd9fd6/channels/19:09fc54a3141a45d0bc769cf506d2e079@thread.skype/messages", "/teams/{id}/channels/{id}/messages", ["ChannelMessage.Read.All", "-", "ChannelMessage.Read.Group"]),
    ("POST", "/chats/19:8b081ef6-4792-4def-b2c9-c363a1bf41d5_5031bb31-22c0-4f6f-9f73-91d34ab2b32d@unq.gbl.spaces/messages", "/chats/{id}/messages", ["ChatMessage.Send", "-", "Teamwork.Migrate.All"]),
    ("GET", "/me/events?$select=subject,organizer", "/me/events", ["Calendars.ReadBasic", "Calendars.ReadBasic", "!"]),
    ("POST", "/me/calendar/events", "/me/calendar/events", ["Calendars.ReadWrite", "Calendars.ReadWrite", "!"]),
    ("GET", "/me/contacts", "/me/contacts", ["Contacts.Read", "Contacts.Read", "!"]),
    ("GET", "/me/todo/lists", "/me/todo/lists", ["Tasks.Read", "Tasks.Read", "!"]),
    ("GET", "/me/onenote/notebooks", "/me/onenote/notebooks", ["Notes.Create", "Notes.Create", "!"]),
    ("GET", "/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd/manager", "/users/{id}/manager", ["User.Read.All", "-", "User.Read.All"]),
    ("GET", "/devices", "/devices", ["Device.Read.All", "-", "Device.Read.All"]),
    ("GET", "/directoryRoles", "/directoryroles", ["RoleManagement.Read.Directory", "-", "RoleManagement.Read.Directory"]),
    ("GET", "/auditLogs/signIns?$top=10", "/auditlogs/signins", ["AuditLog.Read.All", "-", "AuditLog.Read.All"]),
    ("GET", "/security/alerts_v2", "/security/alerts_v2", ["SecurityAlert.Read.All", "-", "SecurityAlert.Read.All"]),
    ("GET", "/identity/conditionalAccess/policies", "/identity/conditionalaccess/policies", ["Policy.Read.All", "-", "Policy.Read.All"]),
    ("GET", "/reports/getOffice365ActiveUserDetail(period='D7')", "/reports/getoffice365activeuserdetail(period={value})", ["Reports.Read.All", "-", "Reports.Read.All"]),
    ("GET", "/me/mailFolders/inbox/messages", "/me/mailfolders/{id}/messages", ["Mail.ReadBasic", "Mail.ReadBasic", "!"]),
    ("GET", "/users/adele@contoso.com/memberOf", "/users/{id}/memberof", ["User.Read", "-", "Directory.Read.All"]),
    ("GET", "/me/joinedTeams", "/me/joinedteams", ["Team.ReadBasic.All", "-", "!"]),
    ("GET", "/domains", "/domains", ["Domain.Read.All", "-", "Domain.Read.All"]),
    ("PATCH", "/planner/tasks/01gzSlKkIUSUl6DF_EilrmQAKDhh", "/planner/tasks/{id}", ["Tasks.ReadWrite", "-", "Tasks.ReadWrite.All"]),
    ("GET", "/users/adele@contoso.com/authentication/methods", "/users/{id}/authentication/methods", ["UserAuthenticationMethod.Read.All", "-", "UserAuthenticationMethod.Read.All"]),
    ("PATCH", "/policies/authorizationPolicy", "/policies/authorizationpolicy", ["Policy.ReadWrite.Authorization", "-", "Policy.ReadWrite.Authorization"]),
];

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

#[test]
fn which_prints_answers_and_fails_on_unknown_paths() {
    let data = upstream();
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
}

#[test]
fn several_requests_get_the_fewest_permissions_covering_all() {
    let data = upstream();
    let out = permcat(&[
        "which",
        "--json",
        "--data",
        data.to_str().expect("utf-8"),
        "/me",
        "/me/messages",
        "POST",
        "/me/sendMail",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
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
    let data = upstream();
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

fn json_report(args: &[&str]) -> (Option<i32>, Value) {
    let data = upstream();
    let mut all = vec![
        "which",
        "--json",
        "--data",
        data.to_str().expect("utf-8"),
        "--",
    ];
    all.extend_from_slice(args);
    let out = permcat(&all);
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).expect("JSON"),
    )
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
    let data = upstream();
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
    let data = upstream();
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
