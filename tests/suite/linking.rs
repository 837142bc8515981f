//! Linking the schema, the docs and the command map to the permissions: endpoints,
//! versions, resources, commands, snippets and the conflicts between sources.

use std::collections::BTreeSet;

use permcat::model::{ApiVersion, ConflictKind, Scheme};

use crate::common::*;

#[test]
fn get_user_by_id_resolves_to_user_in_v1_with_documented_properties() {
    let catalog = upstream_catalog();
    let e = catalog
        .endpoint("GET", "/users/{}")
        .expect("GET /users/{id}");
    let t = e.resource.as_ref().expect("resolved");
    assert_eq!(t.type_name, "microsoft.graph.user");
    assert_eq!(t.version, ApiVersion::V1_0);
    assert!(!e.returns_collection);
    assert!(e.versions.contains_key(&ApiVersion::V1_0));
    // The docs give a readable spelling and a title.
    assert_eq!(e.title.as_deref(), Some("Get a user"));
    assert!(
        e.path.contains("userPrincipalName") || e.path.contains("{id}"),
        "{}",
        e.path
    );

    let user = catalog
        .resource(ApiVersion::V1_0, "microsoft.graph.user")
        .expect("user resource");
    let display = user
        .properties
        .iter()
        .find(|p| p.name == "displayName")
        .expect("displayName");
    assert_eq!(display.type_name, "Edm.String");
    // The v1.0 CSDL has no property descriptions; the docs resource page supplies them.
    let text = display.description.as_deref().expect("a description");
    assert!(text.to_ascii_lowercase().contains("name"), "{text}");
    assert_eq!(display.description_source.as_deref(), Some("docs:v1.0"));
    // Inherited members are there and say where they come from.
    let id = user.properties.iter().find(|p| p.name == "id").expect("id");
    assert_eq!(id.inherited_from.as_deref(), Some("microsoft.graph.entity"));
    assert!(user.relationships.iter().any(|r| r.name == "messages"));
    assert!(user
        .json_representation
        .contains("\"@odata.type\": \"#microsoft.graph.user\""));
    assert!(user
        .json_representation
        .contains("\"displayName\": \"String\""));
    let json: serde_json::Value =
        serde_json::from_str(&user.json_representation).expect("JSON representation parses");
    assert!(json.get("accountEnabled").is_some());
}

#[test]
fn me_messages_resolves_to_message() {
    let catalog = upstream_catalog();
    let e = catalog
        .endpoint("GET", "/me/messages")
        .expect("GET /me/messages");
    let t = e.resource.as_ref().expect("resolved");
    assert_eq!(t.type_name, "microsoft.graph.message");
    assert!(e.returns_collection);
    let mail = catalog.permission("Mail.Read").expect("Mail.Read");
    assert_eq!(
        mail.primary_resource.as_ref().map(|t| t.type_name.as_str()),
        Some("microsoft.graph.message")
    );
}

/// The share of distinct permissions.json paths whose response is known (a type, or
/// nothing for an action without a return type); the figure is printed for the record,
/// the floor guards against regressions. Before actions were resolved to their return
/// type, 85% "resolved" because an unknown last segment was given its owner's type.
#[test]
fn most_permission_paths_resolve_to_a_type() {
    let catalog = upstream_catalog();
    let keys: BTreeSet<&str> = catalog.grants.iter().map(|g| g.key.as_str()).collect();
    let known = |e: &&permcat::model::Endpoint| e.resource.is_some() || e.returns_nothing;
    let resolved: BTreeSet<&str> = catalog
        .endpoints
        .iter()
        .filter(known)
        .map(|e| e.key.as_str())
        .collect();
    let strict: BTreeSet<&str> = catalog
        .endpoints
        .iter()
        .filter(|e| known(e) && !e.resource_by_name)
        .map(|e| e.key.as_str())
        .collect();
    let share = resolved.len() as f64 / keys.len() as f64;
    let strict_share = strict.len() as f64 / keys.len() as f64;
    println!(
        "{} of {} paths resolved ({:.1}%; {:.1}% through a schema alone)",
        resolved.len(),
        keys.len(),
        share * 100.0,
        strict_share * 100.0
    );
    assert!(share >= 0.75, "share {share}");
    assert!(strict_share >= 0.65, "strict share {strict_share}");
}

#[test]
fn reference_permission_shows_its_resource_from_beta() {
    let catalog = upstream_catalog();
    let p = catalog
        .permission("IndustryData-OutboundFlow.ReadWrite.All")
        .expect("permission");
    let t = p.primary_resource.as_ref().expect("primary resource");
    assert_eq!(
        t.type_name,
        "microsoft.graph.industryData.outboundProvisioningFlowSet"
    );
    assert_eq!(t.version, ApiVersion::Beta);
    let r = catalog.resource(t.version, &t.type_name).expect("resource");
    assert!(r.note.as_deref().is_some_and(|n| n.contains("type map")));
    let names: Vec<&str> = r.properties.iter().map(|m| m.name.as_str()).collect();
    assert!(names.contains(&"displayName") && names.contains(&"createdDateTime"));
    assert!(r
        .relationships
        .iter()
        .any(|m| m.name == "provisioningFlows"));
    // Only beta knows the type, so its endpoints are placed in beta, by the type map.
    let e = catalog
        .endpoint("GET", "/external/industrydata/outboundprovisioningflowsets")
        .expect("endpoint");
    assert!(e.resource_by_name);
    assert_eq!(
        e.versions.keys().copied().collect::<Vec<_>>(),
        [ApiVersion::Beta]
    );
}

#[test]
fn snippets_attach_to_the_request_they_show() {
    let catalog = upstream_catalog();
    // user-get.md's first example requests GET /users/{id | userPrincipalName}.
    let langs: BTreeSet<&str> = catalog
        .snippets_of("GET", "/users/{}")
        .filter(|s| s.version == ApiVersion::V1_0)
        .map(|s| s.language.as_str())
        .collect();
    assert!(
        langs.contains("csharp") && langs.contains("javascript"),
        "{langs:?}"
    );
    let s = catalog
        .snippets_of("GET", "/users/{}")
        .find(|s| s.language == "csharp")
        .expect("C# snippet");
    assert!(s.code.contains("GraphServiceClient") || s.code.contains("graphClient"));
    assert!(s.file.ends_with("-csharp-snippets.md"), "{}", s.file);
    for snippet in &catalog.snippets {
        assert!(
            catalog.endpoint(&snippet.method, &snippet.key).is_some(),
            "snippet {} names no endpoint",
            snippet.request_name
        );
    }
}

#[test]
fn docs_tables_that_disagree_become_conflicts() {
    let catalog = upstream_catalog();
    let docs = catalog
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::DocsPermissionNotGranted)
        .count();
    assert!(docs > 0);
    let c = catalog
        .conflicts
        .iter()
        .find(|c| c.kind == ConflictKind::DocsLeastPrivilegedMismatch)
        .expect("a least-privileged disagreement");
    assert!(c.sides.iter().any(|s| s.source.starts_with("docs:")));
    assert!(c.sides.iter().any(|s| s.source == "permissions"));
}

#[test]
fn endpoint_keys_meet_across_spellings() {
    // The docs spell `/external/industryData/OutboundProvisioningFlowSets/{id}` and
    // permissions.json `/external/industrydata/outboundprovisioningflowsets/{id}`.
    let catalog = load(&sample());
    let e = catalog
        .endpoint(
            "GET",
            "/external/industrydata/outboundprovisioningflowsets/{}",
        )
        .expect("endpoint");
    assert!(
        e.sources.iter().any(|s| s == "docs:beta"),
        "{:?}",
        e.sources
    );
    assert!(e.sources.iter().any(|s| s == "permissions"));
    // Shown as the docs spell it, not in permissions.json's lower case.
    assert!(
        e.path
            .eq_ignore_ascii_case("/external/industryData/outboundProvisioningFlowSets/{id}"),
        "{}",
        e.path
    );
    assert_ne!(e.path, e.path.to_ascii_lowercase());
}

#[test]
fn sample_links_every_section_of_the_reference_page() {
    let catalog = load(&sample());
    let p = catalog
        .permission("IndustryData-OutboundFlow.ReadWrite.All")
        .expect("permission");
    let t = p.primary_resource.as_ref().expect("resource");
    assert_eq!(t.version, ApiVersion::Beta);
    let r = catalog.resource(t.version, &t.type_name).expect("resource");
    assert!(r
        .note
        .as_deref()
        .is_some_and(|n| n.contains("beta metadata")));
    assert!(!r.json_representation.is_empty());
    // Beta cmdlets attach to the endpoints, with the docs' titles saying what they do.
    let cmds: Vec<_> = catalog
        .commands_of("GET", "/external/industrydata/outboundprovisioningflowsets")
        .collect();
    assert!(!cmds.is_empty());
    assert!(cmds
        .iter()
        .all(|c| c.module.starts_with("Microsoft.Graph.Beta.")));
    assert!(cmds.iter().any(|c| c.title.is_some()));
    // Code examples in four languages.
    let langs: BTreeSet<&str> = catalog
        .snippets_of("GET", "/external/industrydata/outboundprovisioningflowsets")
        .map(|s| s.language.as_str())
        .collect();
    assert_eq!(
        langs,
        BTreeSet::from(["csharp", "javascript", "powershell", "python"])
    );
    // The command map's disagreements are recorded.
    let kinds: BTreeSet<ConflictKind> = catalog.conflicts.iter().map(|c| c.kind).collect();
    assert!(kinds.contains(&ConflictKind::CommandLeastPrivilegedMismatch));
    assert!(kinds.contains(&ConflictKind::CommandPermissionNotGranted));
    assert!(kinds.contains(&ConflictKind::DocsPermissionNotGranted));
}

#[test]
fn command_permissions_are_compared_per_scheme() {
    let catalog = load(&sample());
    let c = catalog
        .conflicts
        .iter()
        .find(|c| c.kind == ConflictKind::CommandLeastPrivilegedMismatch)
        .expect("conflict");
    assert!(c.subject.contains("(Application)"), "{}", c.subject);
    assert!(c.subject.contains("Get-MgUser"), "{}", c.subject);
    let _ = Scheme::Application;
}

#[test]
fn missing_optional_sources_are_listed_with_their_cost() {
    let tmp = sample_copy();
    std::fs::remove_dir_all(tmp.path().join("microsoft-graph-docs")).expect("rm docs");
    std::fs::remove_dir_all(tmp.path().join("msgraph-sdk-powershell")).expect("rm commands");
    let out = permcat(&["check", "--data", tmp.path().to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("no PowerShell cmdlets"), "{text}");
    assert!(
        text.contains("no titles, Learn links, code examples"),
        "{text}"
    );
}

#[test]
fn malformed_csdl_names_file_line_and_column() {
    let tmp = sample_copy();
    let path = tmp
        .path()
        .join("msgraph-metadata/clean_v10_metadata/cleanMetadataWithDescriptionsv1.0.xml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen("</EntityType>", "</EntityTyp>", 1)).expect("write");
    let out = permcat(&["check", "--data", tmp.path().to_str().expect("utf-8")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("cleanMetadataWithDescriptionsv1.0.xml`:"),
        "{err}"
    );
    assert!(err.contains("invalid XML"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn one_resource_per_version_and_type_and_the_schema_wins() {
    // `termStore.store` is wanted by beta paths the 2020 beta schema does not know; the
    // v1.0 type map offered it again under v1.0, where the schema already had it, and
    // the names-only copy overwrote the full page.
    let catalog = upstream_catalog();
    let mut seen = std::collections::BTreeSet::new();
    for r in &catalog.resources {
        assert!(
            seen.insert((r.version, r.type_name.to_ascii_lowercase())),
            "{} {} appears twice",
            r.version,
            r.type_name
        );
    }
    let store = catalog
        .resources
        .iter()
        .find(|r| {
            r.type_name
                .eq_ignore_ascii_case("microsoft.graph.termStore.store")
        })
        .expect("termStore.store");
    assert!(
        store.sources.iter().any(|s| s == "csdl:v1.0"),
        "{:?}",
        store.sources
    );
    assert!(store.properties.iter().all(|p| !p.type_name.is_empty()));
}

/// An action declared without a `ReturnType` returns nothing; the type it is bound to
/// is recorded apart, never as what it returns.
#[test]
fn send_mail_returns_nothing_and_is_bound_to_user() {
    let catalog = upstream_catalog();
    for key in ["/me/sendmail", "/users/{}/sendmail"] {
        let e = catalog.endpoint("POST", key).expect(key);
        assert_eq!(e.resource, None, "POST {key} returns nothing");
        assert!(e.returns_nothing, "POST {key}");
        assert!(!e.returns_collection, "POST {key}");
        assert!(
            !e.resource_by_name,
            "POST {key}: the v1.0 schema declares it"
        );
        let bound = e.bound_to.as_ref().expect("bound to a type");
        assert_eq!(bound.type_name, "microsoft.graph.user", "POST {key}");
        assert_eq!(bound.version, ApiVersion::V1_0);
    }
    // changePassword, another action without a return type on user.
    let e = catalog
        .endpoint("POST", "/me/changepassword")
        .expect("POST /me/changePassword");
    assert!(e.returns_nothing && e.resource.is_none());
}

/// Functions and actions that declare a return type resolve to it, one or many.
#[test]
fn operations_return_their_declared_type() {
    let catalog = upstream_catalog();
    let returns = |method: &str, key: &str| {
        let e = catalog.endpoint(method, key).expect(key);
        assert!(!e.returns_nothing, "{method} {key}");
        let t = e.resource.as_ref().expect("a return type");
        (
            t.type_name.clone(),
            e.returns_collection,
            e.bound_to.as_ref().map(|b| b.type_name.clone()),
        )
    };
    // A function returning a stream (the report's CSV), bound to reportRoot.
    assert_eq!(
        returns("GET", "/reports/getemailactivityuserdetail(period={})"),
        (
            "Edm.Stream".to_string(),
            false,
            Some("microsoft.graph.reportRoot".to_string())
        )
    );
    // A function on calendarView returning a collection of events.
    assert_eq!(
        returns("GET", "/me/calendarview/delta"),
        (
            "microsoft.graph.event".to_string(),
            true,
            Some("microsoft.graph.event".to_string())
        )
    );
    // An action bound to user that returns something else than a user.
    assert_eq!(
        returns("POST", "/me/findmeetingtimes"),
        (
            "microsoft.graph.meetingTimeSuggestionsResult".to_string(),
            false,
            Some("microsoft.graph.user".to_string())
        )
    );
    // A navigation property is no operation.
    let view = catalog
        .endpoint("GET", "/users/{}/calendarview")
        .expect("calendarView");
    assert_eq!(view.bound_to, None);
    assert!(view.returns_collection);
}

/// No endpoint resolves to what its action is bound to when the action returns nothing,
/// and matching names in the type maps never takes an unknown last segment for a
/// request of the type reached before it.
#[test]
fn no_endpoint_returns_the_type_its_action_is_bound_to_by_default() {
    let catalog = upstream_catalog();
    let wrong: Vec<String> = catalog
        .endpoints
        .iter()
        .filter(|e| e.returns_nothing && e.resource.is_some())
        .map(|e| format!("{} {}", e.method, e.key))
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
    // Not in the snapshot's v1.0 schema, and the type maps list no member
    // `remediate`: an action most likely, of unknown result, not a configurationDrift.
    let e = catalog
        .endpoint(
            "POST",
            "/admin/configurationmanagement/configurationdrifts/{}/remediate",
        )
        .expect("remediate");
    assert_eq!(e.resource, None, "{:?}", e.resource);
    // The same for a navigation property the type maps do not list.
    let e = catalog
        .endpoint("GET", "/admin/cloudlicensing/allotments/{}/owner")
        .expect("owner");
    assert_eq!(e.resource, None, "{:?}", e.resource);
    let by_name = catalog
        .endpoints
        .iter()
        .filter(|e| e.resource_by_name && e.resource.is_some())
        .count();
    let nothing = catalog
        .endpoints
        .iter()
        .filter(|e| e.returns_nothing)
        .count();
    println!("{nothing} endpoints return nothing; {by_name} resources matched by name");
}

/// A permission's primary resource is what its endpoints return; what its actions are
/// bound to counts only when none of them returns a resource type.
#[test]
fn primary_resource_follows_what_endpoints_return_not_action_bindings() {
    let catalog = upstream_catalog();
    let primary = |name: &str| {
        catalog
            .permission(name)
            .expect(name)
            .primary_resource
            .as_ref()
            .map(|t| t.type_name.clone())
    };
    // Every Mail.Send endpoint is an action returning nothing; send, reply and forward
    // act on messages, sendMail on a user: the messages are what it is about.
    assert_eq!(
        primary("Mail.Send").as_deref(),
        Some("microsoft.graph.message")
    );
    // revokeSignInSessions returns a Boolean; the type it acts on is user.
    assert_eq!(
        primary("User.RevokeSessions.All").as_deref(),
        Some("microsoft.graph.user")
    );
    // exportPersonalData, bound to user, returns nothing; the operation the permission
    // reads back is what its endpoints return.
    assert_eq!(
        primary("User.Export.All").as_deref(),
        Some("microsoft.graph.dataPolicyOperation")
    );
}

/// The hand-written sample: its actions without a return type return nothing, in v1.0
/// and in beta, and addPassword returns its declared type.
#[test]
fn sample_actions_return_their_declared_type_or_nothing() {
    let catalog = load(&sample());
    for (key, bound, version) in [
        ("/me/sendmail", "microsoft.graph.user", ApiVersion::V1_0),
        (
            "/me/messages/{}/send",
            "microsoft.graph.message",
            ApiVersion::V1_0,
        ),
        (
            "/external/industrydata/outboundprovisioningflowsets/{}/provisioningflows/{}/reset",
            "microsoft.graph.industryData.provisioningFlow",
            ApiVersion::Beta,
        ),
    ] {
        let e = catalog.endpoint("POST", key).expect(key);
        assert!(e.returns_nothing && e.resource.is_none(), "POST {key}");
        let b = e.bound_to.as_ref().expect("bound");
        assert_eq!((b.type_name.as_str(), b.version), (bound, version), "{key}");
    }
    let e = catalog
        .endpoint("POST", "/applications/{}/addpassword")
        .expect("addPassword");
    assert_eq!(
        e.resource.as_ref().map(|t| t.type_name.as_str()),
        Some("microsoft.graph.passwordCredential")
    );
    assert!(!e.returns_nothing);
}
