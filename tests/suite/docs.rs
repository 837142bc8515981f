//! The Learn docs source on the real 2021 docs snapshot in `../shared/upstream/current`,
//! and on small hand-written trees for the current include-file layout.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use permcat::sources::docs::{self, ApiVersion, Docs, Scheme, TableLayout};
use permcat::sources::DataDir;

const UPSTREAM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/upstream/current");

/// The real tree is loaded once and shared, as it takes a while in debug builds.
fn real() -> &'static Docs {
    static DOCS: OnceLock<Docs> = OnceLock::new();
    DOCS.get_or_init(|| {
        let data = DataDir::open(UPSTREAM).expect("upstream data directory");
        let start = Instant::now();
        let loaded = docs::load(&data)
            .expect("docs load")
            .expect("docs folder present");
        eprintln!("docs loaded in {:?} (test profile)", start.elapsed());
        loaded
    })
}

fn v1() -> &'static docs::DocsSet {
    real().version(ApiVersion::V1_0).expect("v1.0 set")
}

#[test]
fn reads_the_older_docs_folder_with_both_versions() {
    let d = real();
    assert_eq!(d.root, "microsoft-graph-docs/api-reference");
    let versions: Vec<ApiVersion> = d.sets.iter().map(|s| s.version).collect();
    assert_eq!(versions, vec![ApiVersion::V1_0, ApiVersion::Beta]);
    // Against the folders on disk: every `.md` of the `api` and `resources` folders is
    // a page, anything else there or among the snippets (the snapshot has a stray
    // `.md.txt`) is skipped.
    let versions = |f: &dyn Fn(&Path) -> usize| -> usize {
        ["v1.0", "beta"]
            .iter()
            .map(|v| f(&Path::new(UPSTREAM).join(&d.root).join(v)))
            .sum()
    };
    let pages = |dir: &Path, markdown: bool| {
        names(dir)
            .filter(|n| n.ends_with(".md") == markdown)
            .count()
    };
    let stats = d.stats();
    assert_eq!(stats.api_pages, versions(&|v| pages(&v.join("api"), true)));
    assert_eq!(
        stats.resource_pages,
        versions(&|v| pages(&v.join("resources"), true))
    );
    let skipped = versions(&|v| {
        let snippets = v.join("includes/snippets");
        pages(&v.join("api"), false)
            + pages(&v.join("resources"), false)
            + names(&snippets)
                .map(|lang| snippets.join(lang))
                .filter(|dir| dir.is_dir())
                .map(|dir| pages(&dir, false))
                .sum::<usize>()
    });
    assert_eq!(stats.other_files_skipped, skipped);
    assert_eq!(
        v1().api_pages.len(),
        pages(&Path::new(UPSTREAM).join(&d.root).join("v1.0/api"), true)
    );
}

/// Names of the entries of a folder (none when it is missing).
fn names(dir: &Path) -> impl Iterator<Item = String> {
    fs::read_dir(dir).into_iter().flatten().map(|e| {
        e.expect("folder entry")
            .file_name()
            .to_string_lossy()
            .into_owned()
    })
}

#[test]
fn user_get_page() {
    let page = v1().api_page("user-get").expect("user-get");
    assert_eq!(page.title.as_deref(), Some("Get a user"));
    let requests: Vec<String> = page
        .requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        requests,
        vec!["GET /users/{id | userPrincipalName}", "GET /me"]
    );

    assert_eq!(page.permission_tables.len(), 1);
    let table = &page.permission_tables[0];
    assert_eq!(table.layout, TableLayout::LeastToMost);
    assert_eq!(table.heading.as_deref(), Some("Permissions"));
    let row = |s: Scheme| {
        table
            .rows
            .iter()
            .find(|r| r.scheme == s)
            .unwrap_or_else(|| panic!("{s:?} row"))
    };
    assert_eq!(
        row(Scheme::DelegatedWork)
            .permissions
            .first()
            .map(String::as_str),
        Some("User.Read")
    );
    assert_eq!(
        row(Scheme::DelegatedPersonal).permissions,
        vec!["User.Read", "User.ReadWrite"]
    );
    assert!(!row(Scheme::DelegatedPersonal).not_supported);
    assert_eq!(
        row(Scheme::Application)
            .permissions
            .first()
            .map(String::as_str),
        Some("User.Read.All")
    );
}

#[test]
fn user_get_examples_have_snippets() {
    let set = v1();
    let page = set.api_page("user-get").expect("user-get");
    let example = page
        .examples
        .iter()
        .find(|e| e.name == "get_user_1")
        .expect("example get_user_1");
    assert_eq!(example.request.method, "GET");
    assert_eq!(example.request.path, "/users/{id | userPrincipalName}");
    assert!(
        example.snippet_languages.iter().any(|l| l == "csharp"),
        "{:?}",
        example.snippet_languages
    );
    let snippet = set.snippet("get_user_1", "csharp").expect("C# snippet");
    assert_eq!(snippet.file, "get-user-1-csharp-snippets.md");
    assert!(
        snippet.code.contains("graphClient.Users["),
        "{}",
        snippet.code
    );
    assert!(!snippet.code.contains("```"));
    let me = page
        .examples
        .iter()
        .find(|e| e.name == "get_user")
        .expect("example get_user");
    assert_eq!(me.request.path, "/me");
}

#[test]
fn permission_tables_parse_on_nearly_every_page() {
    let stats = real().stats();
    let share = stats.permission_share();
    println!(
        "permission tables parsed on {} of {} API pages ({:.2}%); {} tables, {} unknown layouts, {} unknown rows",
        stats.pages_with_permissions,
        stats.api_pages,
        share * 100.0,
        stats.permission_tables,
        stats.unknown_table_layouts,
        stats.unknown_permission_rows
    );
    assert!(share >= 0.95, "share {share}");
    assert_eq!(
        stats.pages_with_permissions + stats.pages_without_permissions,
        stats.api_pages
    );
    // Every parsed table row names a permission or says the scheme is not supported,
    // apart from the few cells that hold prose or a TODO.
    let mut empty = 0;
    let mut rows = 0;
    for set in &real().sets {
        for page in &set.api_pages {
            for t in &page.permission_tables {
                for r in &t.rows {
                    rows += 1;
                    if r.permissions.is_empty() && !r.not_supported {
                        empty += 1;
                    }
                }
            }
        }
    }
    println!("{empty} of {rows} permission rows hold neither a name nor 'not supported'");
    assert!(empty * 100 < rows, "{empty} of {rows}");
}

#[test]
fn request_lines_on_nearly_every_page() {
    let without: Vec<String> = real()
        .sets
        .iter()
        .flat_map(|s| {
            s.api_pages
                .iter()
                .filter(|p| p.requests.is_empty())
                .map(move |p| format!("{}/{}", s.version, p.slug))
        })
        .collect();
    println!("API pages without a request line: {without:?}");
    assert!(without.len() <= 5, "{without:?}");
    // A page whose request block sits under the Permissions heading, and one with a
    // missing space after the method.
    let chat = v1().api_page("chat-post-members").expect("page");
    assert_eq!(chat.requests[0].path, "/chats/{chat-id}/members");
    let beta = real().version(ApiVersion::Beta).expect("beta");
    let page = beta
        .api_page("b2xidentityuserflow-delete-userflowidentityproviders")
        .expect("page");
    assert_eq!(page.requests[0].method, "DELETE");
}

#[test]
fn variant_layouts_on_real_pages() {
    let beta = real().version(ApiVersion::Beta).expect("beta");

    // Intune: listed most privileged first, per workflow.
    let page = beta
        .api_page("intune-shared-devicemanagement-get")
        .expect("intune page");
    let t = &page.permission_tables[0];
    assert_eq!(t.layout, TableLayout::MostToLeast);
    let rbac = t
        .rows
        .iter()
        .find(|r| r.scheme == Scheme::Application && r.variant.as_deref() == Some("RBAC"))
        .expect("RBAC application row");
    assert_eq!(
        rbac.permissions,
        vec![
            "DeviceManagementRBAC.Read.All",
            "DeviceManagementRBAC.ReadWrite.All"
        ]
    );

    // Two tables under their own headings.
    let page = beta
        .api_page("authentication-list-methods")
        .expect("authentication page");
    let headings: Vec<&str> = page
        .permission_tables
        .iter()
        .filter_map(|t| t.heading.as_deref())
        .collect();
    assert_eq!(
        headings,
        vec![
            "Permissions acting on self",
            "Permissions acting on other users"
        ]
    );

    // Per-resource columns.
    let page = v1().api_page("attachment-get").expect("attachment-get");
    let t = &page.permission_tables[0];
    assert_eq!(t.layout, TableLayout::Transposed);
    let post_app = t
        .rows
        .iter()
        .find(|r| r.variant.as_deref() == Some("post") && r.scheme == Scheme::Application)
        .expect("post application row");
    assert!(post_app.not_supported);
}

#[test]
fn user_resource_page() {
    let page = v1().resource("user").expect("user resource");
    assert_eq!(page.type_name, "user");
    assert_eq!(page.odata_type.as_deref(), Some("microsoft.graph.user"));
    let display_name = page
        .properties
        .iter()
        .find(|p| p.name == "displayName")
        .expect("displayName property");
    assert_eq!(display_name.type_text, "String");
    let messages = page
        .relationships
        .iter()
        .find(|p| p.name == "messages")
        .expect("messages relationship");
    assert_eq!(messages.type_text, "message collection");
    assert_eq!(messages.type_markdown, "[message](message.md) collection");
    let json = page
        .json_representation
        .as_deref()
        .expect("JSON representation");
    assert!(json.contains("\"displayName\""));
    assert!(page
        .methods
        .iter()
        .any(|m| m.name == "Get user" && m.target.as_deref() == Some("../api/user-get.md")));
}

#[test]
fn output_is_deterministic_and_sorted() {
    let set = v1();
    assert!(set.api_pages.windows(2).all(|w| w[0].slug < w[1].slug));
    assert!(set.resources.windows(2).all(|w| w[0].slug < w[1].slug));
    assert!(set
        .snippets
        .windows(2)
        .all(|w| (&w[0].request_name, &w[0].language) <= (&w[1].request_name, &w[1].language)));
    let languages: std::collections::BTreeSet<&str> =
        set.snippets.iter().map(|s| s.language.as_str()).collect();
    assert_eq!(
        languages.into_iter().collect::<Vec<_>>(),
        vec!["csharp", "javascript"]
    );
}

// ---- hand-written trees -------------------------------------------------------------

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

const CURRENT_PAGE: &str = r#"---
title: "Get user"
description: "Read a user."
---

# Get user

## Permissions

[!INCLUDE [permissions-table](../includes/permissions/user-get-permissions.md)]

### For the manager

[!INCLUDE [permissions-table](../includes/permissions/user-get-manager-permissions.md)]

## HTTP request

```http
GET /users/{id | userPrincipalName}
```

## Example

# [HTTP](#tab/http)
<!-- {
  "blockType": "request",
  "name": "get_user_1"
}-->
```msgraph-interactive
GET https://graph.microsoft.com/v1.0/users/87d349ed
```
"#;

const CURRENT_TABLE: &str = r#"---
description: "Automatically generated file. DO NOT MODIFY"
ms.topic: include
---

|Permission type|Least privileged permissions|Higher privileged permissions|
|:---|:---|:---|
|Delegated (work or school account)|User.Read|User.ReadWrite, User.ReadBasic.All, User.Read.All|
|Delegated (personal Microsoft account)|User.Read|User.ReadWrite|
|Application|User.Read.All|User.ReadWrite.All, Directory.Read.All|
"#;

#[test]
fn current_include_layout_in_the_contrib_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = "microsoft-graph-docs-contrib/api-reference/v1.0";
    write(tmp.path(), &format!("{base}/api/user-get.md"), CURRENT_PAGE);
    write(
        tmp.path(),
        &format!("{base}/includes/permissions/user-get-permissions.md"),
        CURRENT_TABLE,
    );
    write(
        tmp.path(),
        &format!("{base}/includes/snippets/python/get-user-1-python-snippets.md"),
        "```python\nresult = await graph_client.users.by_user_id('87d349ed').get()\n```\n",
    );
    write(tmp.path(), &format!("{base}/resources/user.md"), "# user\n");

    let data = DataDir::open(tmp.path()).expect("data dir");
    let loaded = docs::load(&data).expect("load").expect("docs present");
    assert_eq!(loaded.root, "microsoft-graph-docs-contrib/api-reference");
    assert_eq!(loaded.sets.len(), 1);
    let set = &loaded.sets[0];
    let page = set.api_page("user-get").expect("page");
    assert_eq!(page.permission_tables.len(), 1);
    let t = &page.permission_tables[0];
    assert_eq!(t.layout, TableLayout::LeastHigher);
    assert_eq!(t.heading.as_deref(), Some("Permissions"));
    assert_eq!(
        t.include.as_deref(),
        Some("../includes/permissions/user-get-permissions.md")
    );
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.rows[0].scheme, Scheme::DelegatedWork);
    assert_eq!(
        t.rows[0].permissions,
        vec![
            "User.Read",
            "User.ReadWrite",
            "User.ReadBasic.All",
            "User.Read.All"
        ]
    );
    assert_eq!(t.rows[1].permissions, vec!["User.Read", "User.ReadWrite"]);
    assert_eq!(t.rows[2].scheme, Scheme::Application);
    assert_eq!(t.rows[2].permissions[0], "User.Read.All");

    // The second include does not exist: counted and reported, not fatal.
    assert_eq!(set.stats.missing_includes, 1);
    assert_eq!(set.warnings.len(), 1);
    assert_eq!(set.warnings[0].file, "v1.0/api/user-get.md");
    assert!(set.warnings[0]
        .message
        .contains("user-get-manager-permissions.md"));

    assert_eq!(page.examples[0].request.path, "/users/87d349ed");
    assert_eq!(page.examples[0].snippet_languages, vec!["python"]);
    assert_eq!(set.stats.examples_with_snippets, 1);
    assert_eq!(set.stats.pages_with_permissions, 1);
}

#[test]
fn missing_docs_is_none_and_bad_utf8_names_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = DataDir::open(tmp.path()).expect("data dir");
    assert_eq!(docs::load(&data).expect("load"), None);

    let base = "microsoft-graph-docs/api-reference/beta/api";
    write(tmp.path(), &format!("{base}/ok.md"), "# ok\n");
    let bad = tmp.path().join(base).join("bad.md");
    fs::write(&bad, b"---\ntitle: x\n---\n\xff\n").expect("write");
    let err = docs::load(&data).expect_err("invalid UTF-8 must fail");
    let msg = format!("{err:#}");
    assert!(msg.contains("bad.md") && msg.contains(":4:"), "{msg}");
}

#[test]
fn pages_without_sections_are_counted_not_fatal() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = "microsoft-graph-docs/api-reference/v1.0";
    write(tmp.path(), &format!("{base}/api/empty.md"), "");
    write(
        tmp.path(),
        &format!("{base}/api/odd.md"),
        "## Permissions\n|Scope|Kind|\n|-|-|\n|Delegated|x|\n```\nunclosed",
    );
    write(
        tmp.path(),
        &format!("{base}/includes/snippets/csharp/x.md"),
        "",
    );
    let data = DataDir::open(tmp.path()).expect("data dir");
    let loaded = docs::load(&data).expect("load").expect("present");
    let stats = loaded.stats();
    assert_eq!(stats.api_pages, 2);
    assert_eq!(stats.pages_without_permissions, 2);
    assert_eq!(stats.unknown_table_layouts, 1);
    assert_eq!(stats.snippet_files_skipped, 1);
    assert_eq!(stats.permission_share(), 0.0);
}
