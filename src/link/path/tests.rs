//! Unit tests of path canonicalization: every upstream spelling, odd input, the real
//! permissions.json paths.

use super::*;

fn key(raw: &str) -> String {
    canonicalize(raw).key().to_string()
}

#[test]
fn host_version_query_fragment_and_slashes_are_dropped() {
    assert_eq!(
        key("https://graph.microsoft.com/v1.0/users/{id}"),
        "/users/{}"
    );
    assert_eq!(key("HTTPS://graph.microsoft.com/beta/me"), "/me");
    assert_eq!(key("graph.microsoft.com/v1.0/me/messages"), "/me/messages");
    assert_eq!(key("/v1.0/users"), "/users");
    assert_eq!(key("/BETA/users"), "/users");
    assert_eq!(key("users/"), "/users");
    assert_eq!(key("//users///{id}//"), "/users/{}");
    assert_eq!(key("/users?$filter=startswith(displayName,'a')"), "/users");
    assert_eq!(key("/users/{id}#section"), "/users/{}");
    assert_eq!(
        key("/agentRegistry/agentInstances?$filter=agentCardManifest/id eq '{id}'"),
        "/agentregistry/agentinstances"
    );
    assert_eq!(
        key("/networkAccess/filteringProfiles/{id}/policies?$filter=isof('microsoft.graph.networkaccess.tlsInspectionPolicyLink')"),
        "/networkaccess/filteringprofiles/{}/policies"
    );
    // `v1.0` or `beta` later in the path is an ordinary segment.
    assert_eq!(
        key("/rp/onpremises/spoons/api/v1/x"),
        "/rp/onpremises/spoons/api/v1/x"
    );
    assert_eq!(key("/me/beta"), "/me/beta");
}

#[test]
fn casing_is_folded_but_kept_for_display() {
    let a = canonicalize("/OutboundProvisioningFlowSets/{id}");
    let b = canonicalize("/outboundProvisioningFlowSets/{flowSetId}");
    assert_eq!(a, b);
    assert_eq!(a.key(), "/outboundprovisioningflowsets/{}");
    assert_eq!(a.display(), "/OutboundProvisioningFlowSets/{id}");
    assert_eq!(a.original(), "/OutboundProvisioningFlowSets/{id}");
    let c = canonicalize("https://graph.microsoft.com/v1.0/Users/{id}?$select=id");
    assert_eq!(c.display(), "/Users/{id}");
    assert_eq!(
        c.original(),
        "https://graph.microsoft.com/v1.0/Users/{id}?$select=id"
    );
    assert_eq!(c.query(), Some("?$select=id"));
    assert_eq!(a.query(), None);
    assert_eq!(canonicalize("/a#b?c").query(), Some("#b?c"));
}

#[test]
fn every_placeholder_form_is_one_placeholder() {
    for p in [
        "/users/{id}",
        "/users/{Id}",
        "/users/{ id }",
        "/users/{id | userPrincipalName}",
        "/users/{user-id}",
        "/users/{userId}",
        "/users/{policyId}",
        "/users/{application-id}",
        "/users/{}",
        "/users/(user-id)",
        "/users/{id}}",
    ] {
        assert_eq!(key(p), "/users/{}", "{p}");
    }
    assert_eq!(
        canonicalize("/users/{id}").segments(),
        &[Segment::Literal("users".into()), Segment::Placeholder]
    );
    assert_eq!(
        key("/teams/(team-id)/channels/{id}/messages/{id}"),
        "/teams/{}/channels/{}/messages/{}"
    );
    assert_eq!(
        key("/chats/{id}}/messages/forwardToChat"),
        "/chats/{}/messages/forwardtochat"
    );
}

#[test]
fn function_parameters_are_named_sorted_and_valueless() {
    let expected = "/me/events/filterbycurrentuser(on={})";
    for p in [
        "/me/events/filterbycurrentuser(on={value})",
        "/me/events/filterByCurrentUser(on='{value}')",
        "/me/events/filterByCurrentUser(on = '{value}')",
        "/me/events/filterByCurrentUser( on='me' )",
        "/me/events/microsoft.graph.filterByCurrentUser(on='{value}')",
    ] {
        assert_eq!(key(p), expected, "{p}");
    }
    assert_eq!(
        key("/workbook/worksheets/{id}/range(address='{address}')"),
        "/workbook/worksheets/{}/range(address={})"
    );
    assert_eq!(
        key("/workbook/worksheets/{id}/range(address='Sheet1!A1:B2')"),
        "/workbook/worksheets/{}/range(address={})"
    );
    assert_eq!(
        key("/worksheets/{id}/cell(row={value},column={value})"),
        "/worksheets/{}/cell(column={},row={})"
    );
    assert_eq!(
        key("/range/resizedrange(deltarows={value}, deltacolumns={value})"),
        "/range/resizedrange(deltacolumns={},deltarows={})"
    );
    assert_eq!(
        key("/solutions/virtualEvents/webinars/getByUserIdAndRole(userId={userId}, role={userRole})"),
        "/solutions/virtualevents/webinars/getbyuseridandrole(role={},userid={})"
    );
    assert_eq!(
        canonicalize("/x/cell(row={a},column={b})").segments()[1],
        Segment::Call {
            name: "cell".into(),
            params: vec!["column".into(), "row".into()]
        }
    );
}

#[test]
fn empty_calls_and_plain_functions_are_literals() {
    assert_eq!(key("/users/delta()"), "/users/delta");
    assert_eq!(key("/users/delta"), "/users/delta");
    assert_eq!(key("/users/microsoft.graph.delta()"), "/users/delta");
    assert_eq!(
        key("/directoryObjects/getByIds"),
        "/directoryobjects/getbyids"
    );
    assert_eq!(key("/users/delta( )"), "/users/delta");
}

#[test]
fn alternate_keys_and_key_segments() {
    assert_eq!(
        key("/users(userPrincipalName='{upn}')"),
        "/users(userprincipalname={})"
    );
    assert_eq!(
        key("/applications(appId='{appId}')"),
        "/applications(appid={})"
    );
    assert_eq!(
        key("/applications(appid={value})"),
        "/applications(appid={})"
    );
    assert_eq!(
        key("/applications(appId = '{appId}')/owners"),
        "/applications(appid={})/owners"
    );
    // A bare key is the key-as-segment form.
    assert_eq!(key("/users('{id}')"), "/users/{}");
    assert_eq!(key("/users({id})"), "/users/{}");
    assert_eq!(
        key("/users('48d31887-5fad-4d73-a9f5-3c356e68a038')"),
        "/users/{}"
    );
    assert_eq!(
        key("/deviceManagement/cloudCertificationAuthority({id})/revokeLeafCertificate"),
        key("/deviceManagement/cloudCertificationAuthority/{id}/revokeLeafCertificate"),
    );
    assert_eq!(
        key("/rp/onpremises/spoons/api/v1/ingest('{itemId}')"),
        "/rp/onpremises/spoons/api/v1/ingest/{}"
    );
    // Text glued after `)` is its own segment.
    assert_eq!(
        key("/tables/{id}/rows/itemat(index={value})range"),
        key("/tables/{id}/rows/itemat(index={value})/range"),
    );
    // Two unnamed values are not a key-as-segment; they stay a call.
    assert_eq!(key("/things('a','b')"), "/things({},{})");
}

#[test]
fn namespace_qualifiers_on_functions() {
    assert_eq!(
        key("/admin/windows/updates/products/Default.findByCatalogId(catalogID={catalogID})"),
        key("/admin/windows/updates/products/findByCatalogId(catalogID={catalogID})"),
    );
    assert_eq!(
        key("/x/microsoft.graph.windowsUpdates.find(a={b})"),
        "/x/microsoft.graph.windowsupdates.find(a={})"
    );
}

#[test]
fn odata_literals_stay() {
    assert_eq!(key("/groups/{id}/members/$ref"), "/groups/{}/members/$ref");
    assert_eq!(
        key("/groups/{id}/members/{id}/$REF"),
        "/groups/{}/members/{}/$ref"
    );
    assert_eq!(key("/me/photo/$value"), "/me/photo/$value");
    assert_eq!(key("/users/$count"), "/users/$count");
    assert_eq!(
        canonicalize("/users/$count").segments()[1],
        Segment::Literal("$count".into())
    );
}

#[test]
fn casts_get_the_full_namespace() {
    assert_eq!(
        key("/groups/{id}/members/microsoft.graph.user"),
        "/groups/{}/members/microsoft.graph.user"
    );
    assert_eq!(
        key("/groups/{id}/members/graph.user"),
        key("/groups/{id}/members/Microsoft.Graph.User"),
    );
    assert_eq!(
        canonicalize("/applications/microsoft.graph.agentIdentityBlueprint/{id}").segments()[1],
        Segment::Cast("microsoft.graph.agentidentityblueprint".into())
    );
    assert_eq!(
        key("/directory/federationconfigurations/graph.samlorwsfedexternaldomainfederation"),
        "/directory/federationconfigurations/microsoft.graph.samlorwsfedexternaldomainfederation"
    );
    assert_eq!(
        key("/admin/windows/updates/updatableassets/microsoft.graph.windowsUpdates.azureADDevice"),
        "/admin/windows/updates/updatableassets/microsoft.graph.windowsupdates.azureaddevice"
    );
    // Not casts: no name after the namespace, or a lookalike.
    assert_eq!(
        canonicalize("/x/graph.").segments()[1],
        Segment::Literal("graph.".into())
    );
    assert_eq!(
        canonicalize("/x/microsoftgraph.user").segments()[1],
        Segment::Literal("microsoftgraph.user".into())
    );
}

#[test]
fn drive_path_addressing() {
    let expected = "/me/drive/root:{}:/content";
    for p in [
        "/me/drive/root:/{path}:/content",
        "/me/drive/root:/{item-path}:/content",
        "/me/drive/root:/folder/file.txt:/content",
        "/me/drive/root:/foldera/fileb.txt:/content",
        "/me/drive/Root:/{id}:/Content",
        "/me/drive/root:{path}:/content",
        "/me/drive/root:/folder/file.txt:content",
    ] {
        assert_eq!(key(p), expected, "{p}");
    }
    assert_eq!(
        canonicalize("/me/drive/root:/{path}:/content").segments()[2],
        Segment::ItemPath {
            base: Some("root".into())
        }
    );
    assert_eq!(
        key("/drives/{drive-id}/items/{id}:/{path}:/content"),
        "/drives/{}/items/{}:{}:/content"
    );
    assert_eq!(
        canonicalize("/drives/{d}/items/{id}:/{path}:").segments()[3],
        Segment::ItemPath { base: None }
    );
    // Addressing to the end of the path, closing colon or not.
    assert_eq!(key("/me/drive/root:/{id}"), "/me/drive/root:{}:");
    assert_eq!(key("/me/drive/root:/{id}:"), "/me/drive/root:{}:");
    assert_eq!(key("/me/drive/root:/a/b/c.txt"), "/me/drive/root:{}:");
    // Upstream forgot the closing colon after a placeholder path.
    assert_eq!(
        key("/me/drive/root:/{item-path}/media/reactions"),
        "/me/drive/root:{}:/media/reactions"
    );
    // A colon inside a function argument is not addressing.
    assert_eq!(
        key("/worksheets/{id}/range(address='A1:B2')/format"),
        "/worksheets/{}/range(address={})/format"
    );
    // Workbook paths keep going after the item path.
    assert_eq!(
        key("/users/{id}/drive/root:/{id}:/workbook/worksheets/{id}/range(address={value})/format/borders(sideindex={value})"),
        "/users/{}/drive/root:{}:/workbook/worksheets/{}/range(address={})/format/borders(sideindex={})"
    );
}

#[test]
fn segments_tell_literals_from_placeholders() {
    let p = canonicalize("/users/{id}/messages/{id}/$value");
    let kinds: Vec<bool> = p.segments().iter().map(Segment::is_placeholder).collect();
    assert_eq!(kinds, [false, true, false, true, false]);
    assert!(p.segments()[0].is_literal());
}

#[test]
fn equality_and_hashing_follow_the_key() {
    use std::collections::HashSet;
    let set: HashSet<CanonicalPath> = [
        "/users/{id}",
        "https://graph.microsoft.com/v1.0/Users/{user-id}/",
        "/users('{id}')",
    ]
    .into_iter()
    .map(canonicalize)
    .collect();
    assert_eq!(set.len(), 1);
    assert!(canonicalize("/a") < canonicalize("/b"));
    assert_eq!(canonicalize("/Users/{id}").to_string(), "/users/{}");
}

#[test]
fn odd_input_never_panics() {
    let odd = [
        "",
        "/",
        "//",
        " ",
        "?",
        "#",
        ":",
        "::",
        "/:/",
        "(",
        ")",
        "()",
        "(()",
        "())",
        "{",
        "}",
        "{}",
        "{{}}",
        "}{",
        "/users/{id",
        "/users/id}",
        "/users/(",
        "/users/f(a=",
        "/users/f(a='b",
        "/users/f(=)",
        "/users/f(,,)",
        "/users/f('",
        "/me/drive/root:",
        "/me/drive/root:/",
        "/me/drive/root::",
        "/me/drive/root:/{",
        "https://",
        "https://graph.microsoft.com",
        "http:/x",
        "/v1.0",
        "/beta/",
        "/überall/{ïd}/ñame(ä='ö')",
        "/用户/{id}/数据",
        "/emoji/😀/{😀}/(😀)",
        "/\u{0}/\u{ffff}",
        "/a\tb/c\nd",
        "/İstanbul/ǅ",
        "'''",
        "/x('a/b')/y",
        "/x(\"a)b\")/y",
        "/graph./microsoft.graph.",
        "/a/b:c:d:e/f",
    ];
    for raw in odd {
        let p = canonicalize(raw);
        assert!(p.key().starts_with('/'), "{raw:?} -> {:?}", p.key());
        // Canonical keys are fixed points: canonicalizing a key gives the key again.
        assert_eq!(canonicalize(p.key()).key(), p.key(), "{raw:?}");
    }
    assert_eq!(key(""), "/");
    assert_eq!(key("/"), "/");
    assert_eq!(key("/x('a/b')/y"), "/x/{}/y");
    assert_eq!(key("/用户/{id}"), "/用户/{}");
}

/// Random strings over the characters the parser cares about: no panic, and the key
/// is a fixed point.
#[test]
fn random_input_never_panics() {
    const ALPHABET: &[char] = &[
        '/', '{', '}', '(', ')', '\'', '"', ':', ',', '=', '?', '#', '$', ' ', 'a', 'Z', '.', 'é',
        '用', '|', '-',
    ];
    // A fixed linear congruential generator keeps the test deterministic.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let len = (state >> 59) as usize;
        let raw: String = (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                ALPHABET[(state >> 33) as usize % ALPHABET.len()]
            })
            .collect();
        let p = canonicalize(&raw);
        assert!(p.key().starts_with('/'), "{raw:?}");
        assert_eq!(canonicalize(p.key()).key(), p.key(), "{raw:?}");
    }
}

/// Every path of the real permissions.json canonicalizes to a fixed point without
/// braces other than `{}` and without spaces or quotes. Skipped when the shared
/// upstream data is not next to the project.
#[test]
fn real_permissions_json_paths() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/upstream/current/microsoft-graph-devx-content/permissions/new/permissions.json",
    );
    let Ok(bytes) = std::fs::read(&file) else {
        return;
    };
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        panic!("permissions.json does not parse");
    };
    let mut raw = std::collections::BTreeSet::new();
    if let Some(perms) = doc.get("permissions").and_then(|p| p.as_object()) {
        for p in perms.values() {
            for set in p["pathSets"].as_array().into_iter().flatten() {
                for path in set["paths"].as_object().into_iter().flatten() {
                    raw.insert(path.0.clone());
                }
            }
        }
    }
    assert!(raw.len() > 5000, "{}", raw.len());
    let mut keys = std::collections::BTreeSet::new();
    for r in &raw {
        let p = canonicalize(r);
        let k = p.key();
        assert_eq!(canonicalize(k).key(), k, "{r}");
        assert!(
            !k.contains(' ') && !k.contains('\'') && !k.contains('?'),
            "{r} -> {k}"
        );
        let without = k.replace("{}", "");
        assert!(
            !without.contains('{') && !without.contains('}'),
            "{r} -> {k}"
        );
        assert!(k.chars().all(|c| !c.is_uppercase()), "{r} -> {k}");
        keys.insert(k.to_string());
    }
    assert!(keys.len() < raw.len());
}
