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
    ("POST", "/chats/19:8b081ef6-4792-4def-b2c9-c363a1bf41d5_5031bb31-22c0-4f6f-9f73-91d34ab2b32d@unq.gbl.spaces/messages", "/chats/{id}/messages", ["ChatMessage.Send", "-", "~Teamwork.Migrate.All"]),
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
