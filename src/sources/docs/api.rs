//! API reference pages (`api/*.md`): front matter, HTTP request lines, permission
//! tables (inline or included, today's pages marking the block with
//! `<!-- { "blockType": "permissions", "name": … } -->`) and tagged request examples.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::markdown::{blocks, front_matter, json_string_field, Block, Cell};
use super::permissions_table::{classify, Classified, PermissionTable};
use super::ApiVersion;

/// HTTP methods the docs use on request lines.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// One API reference page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiPage {
    /// File name without `.md`, e.g. `user-get`.
    pub slug: String,
    /// API version folder the page lives in.
    pub version: ApiVersion,
    /// Front matter `title`.
    pub title: Option<String>,
    /// Front matter `description`.
    pub description: Option<String>,
    /// Request lines of the `HTTP request` sections, in page order, duplicates removed.
    pub requests: Vec<HttpRequest>,
    /// Permission tables in page order.
    pub permission_tables: Vec<PermissionTable>,
    /// Examples tagged `"blockType": "request"` whose code block starts with a request.
    pub examples: Vec<Example>,
    /// Names of the `"blockType": "permissions"` markers, in page order: today's pages
    /// mark their permission block so, the 2021 pages did not.
    #[serde(default)]
    pub permission_blocks: Vec<String>,
    /// The `api-reference` folder the page was read from, relative to the data
    /// directory; set by [`super::load`].
    #[serde(default)]
    pub root: String,
}

/// A method and a path as written in the docs (host and version prefix removed).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HttpRequest {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path verbatim, placeholders and query included, e.g. `/users/{id | userPrincipalName}`.
    pub path: String,
}

/// A request example of an API page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Request name from the metadata comment, e.g. `get_user_1`.
    pub name: String,
    /// The request.
    pub request: HttpRequest,
    /// Languages that have a snippet for this example, sorted; filled by
    /// [`super::DocsSet::attach_snippets`].
    pub snippet_languages: Vec<String>,
}

/// What one page held that the parser skipped, summed into [`super::DocsStats`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageCounts {
    /// Tables in a permission section or include of unknown layout.
    pub unknown_table_layouts: usize,
    /// Permission table rows whose scheme was not recognised.
    pub unknown_permission_rows: usize,
    /// Permission includes whose file does not exist.
    pub missing_includes: usize,
    /// Request-tagged examples whose next code block is not a request.
    pub examples_without_request: usize,
    /// Request tags without a name.
    pub examples_without_name: usize,
    /// One message per unknown layout, unknown row or missing include.
    pub warnings: Vec<String>,
}

impl PageCounts {
    fn unknown_layout(&mut self, header: &[Cell<'_>]) {
        self.unknown_table_layouts += 1;
        self.warnings.push(format!(
            "permission table of unknown layout: |{}|",
            header.join("|")
        ));
    }

    fn unknown_rows(&mut self, n: usize, header: &[Cell<'_>]) {
        if n > 0 {
            self.unknown_permission_rows += n;
            self.warnings.push(format!(
                "{n} row(s) without a known permission type in table |{}|",
                header.join("|")
            ));
        }
    }
}

impl ApiPage {
    /// Parses the bytes of an API page file. `path` names the file in errors, and its
    /// file name without `.md` is the slug. `resolve_include` is given each permission
    /// include as written in the page (relative to the page) and returns the included
    /// text, or `None` when the file does not exist. Only text that is not UTF-8 and
    /// errors of `resolve_include` fail; anything else unexpected is counted.
    pub fn parse(
        path: &Path,
        version: ApiVersion,
        bytes: &[u8],
        resolve_include: &dyn Fn(&str) -> Result<Option<String>>,
    ) -> Result<(ApiPage, PageCounts)> {
        let text = super::decode(path, bytes)?;
        parse_api_page(&super::slug(path), version, text, resolve_include)
            .with_context(|| format!("while reading `{}`", path.display()))
    }
}

/// Parses an API page. `resolve_include` is given the include path as written in the
/// page (relative to the page) and returns the included text, or `None` when the file
/// does not exist.
pub(crate) fn parse_api_page(
    slug: &str,
    version: ApiVersion,
    text: &str,
    resolve_include: &dyn Fn(&str) -> Result<Option<String>>,
) -> Result<(ApiPage, PageCounts)> {
    let (fm, body) = front_matter(text);
    let mut page = ApiPage {
        slug: slug.to_string(),
        version,
        title: fm.get("title").cloned(),
        description: fm.get("description").cloned(),
        requests: Vec::new(),
        permission_tables: Vec::new(),
        examples: Vec::new(),
        permission_blocks: Vec::new(),
        root: String::new(),
    };
    let mut counts = PageCounts::default();
    let mut section = String::new();
    let mut last_heading: Option<String> = None;
    let mut http_level: Option<usize> = None;
    let mut pending_example: Option<String> = None;
    // The name of a permissions marker not yet followed by its table.
    let mut pending_block: Option<String> = None;
    // Request lines of fences outside any "HTTP request" section, used only when a page
    // has no such section (a few pages put the block under another heading).
    let mut fallback_requests: Vec<HttpRequest> = Vec::new();

    for block in blocks(body) {
        match block {
            Block::Heading { level, text } => {
                if level <= 2 {
                    section = text.to_lowercase();
                }
                let lower = text.to_lowercase();
                if lower.starts_with("http request") {
                    http_level = Some(level);
                } else if http_level.is_some_and(|l| level <= l) {
                    http_level = None;
                }
                last_heading = Some(text);
            }
            Block::Fence { body, .. } => {
                if http_level.is_some() {
                    for line in &body {
                        if let Some(req) = parse_request_line(line, version) {
                            if !page.requests.contains(&req) {
                                page.requests.push(req);
                            }
                        }
                    }
                } else if pending_example.is_none() && !section.starts_with("example") {
                    let lines: Vec<&str> = body
                        .iter()
                        .map(|l| l.trim())
                        .filter(|l| !l.is_empty())
                        .collect();
                    let reqs: Vec<HttpRequest> = lines
                        .iter()
                        .filter_map(|l| parse_request_line(l, version))
                        .collect();
                    if !reqs.is_empty() && reqs.len() == lines.len() {
                        for req in reqs {
                            if !fallback_requests.contains(&req) {
                                fallback_requests.push(req);
                            }
                        }
                    }
                }
                if let Some(name) = pending_example.take() {
                    let first = body.iter().map(|l| l.trim()).find(|l| !l.is_empty());
                    match first.and_then(|l| parse_request_line(l, version)) {
                        Some(request) => page.examples.push(Example {
                            name,
                            request,
                            snippet_languages: Vec::new(),
                        }),
                        None => counts.examples_without_request += 1,
                    }
                }
            }
            Block::Comment { text } => {
                let Some(block_type) = json_string_field(&text, "blockType") else {
                    continue;
                };
                // A request tag followed by another tag before any code block.
                if pending_example.take().is_some() {
                    counts.examples_without_request += 1;
                }
                if block_type == "permissions" {
                    let name = json_string_field(&text, "name").unwrap_or_default();
                    page.permission_blocks.push(name.trim().to_string());
                    pending_block = Some(name.trim().to_string());
                } else if block_type == "request" {
                    match json_string_field(&text, "name") {
                        Some(name) if !name.trim().is_empty() => {
                            pending_example = Some(name.trim().to_string())
                        }
                        _ => counts.examples_without_name += 1,
                    }
                }
            }
            Block::Table { header, rows } => match classify(&header, &rows) {
                Classified::Table {
                    mut table,
                    unknown_rows,
                } => {
                    table.heading = last_heading.clone();
                    table.block = pending_block.take();
                    counts.unknown_rows(unknown_rows, &header);
                    page.permission_tables.push(table);
                }
                Classified::Other => {
                    let marked = pending_block.take().is_some();
                    if (marked || is_permission_section(&section))
                        && looks_like_permissions(&header, &rows)
                    {
                        counts.unknown_layout(&header);
                    }
                }
            },
            Block::Text { line } => {
                if let Some(target) = permissions_include(line) {
                    let block = pending_block.take();
                    match resolve_include(&target)? {
                        Some(included) => {
                            let before = page.permission_tables.len();
                            let (_, inc_body) = front_matter(&included);
                            for b in blocks(inc_body) {
                                let Block::Table { header, rows } = b else {
                                    continue;
                                };
                                match classify(&header, &rows) {
                                    Classified::Table {
                                        mut table,
                                        unknown_rows,
                                    } => {
                                        table.heading = last_heading.clone();
                                        table.include = Some(target.clone());
                                        table.block = block.clone();
                                        counts.unknown_rows(unknown_rows, &header);
                                        page.permission_tables.push(table);
                                    }
                                    Classified::Other => counts.unknown_layout(&header),
                                }
                            }
                            if page.permission_tables.len() == before {
                                counts.unknown_table_layouts += 1;
                                counts
                                    .warnings
                                    .push(format!("no permission table in include `{target}`"));
                            }
                        }
                        None => {
                            counts.missing_includes += 1;
                            counts
                                .warnings
                                .push(format!("permission include `{target}` not found"));
                        }
                    }
                }
            }
        }
    }
    if pending_example.is_some() {
        counts.examples_without_request += 1;
    }
    if page.requests.is_empty() {
        page.requests = fallback_requests;
    }
    Ok((page, counts))
}

/// Intune pages put their table under "Prerequisites"; all others under "Permissions".
fn is_permission_section(section: &str) -> bool {
    section.contains("permission") || section.contains("prerequisite")
}

/// A table in a permission section that mentions schemes or permissions but whose
/// layout is not known; other tables there (role lists, notes) are not counted.
fn looks_like_permissions(header: &[Cell<'_>], rows: &[Vec<Cell<'_>>]) -> bool {
    let mentions = |c: &Cell<'_>| {
        let l = c.to_lowercase();
        l.contains("delegated") || l.contains("application") || l.contains("permission")
    };
    header.iter().any(mentions) || rows.iter().flatten().any(mentions)
}

/// `[!INCLUDE [permissions-table](../includes/permissions/user-get-permissions.md)]` →
/// the path. Any include whose path names a permissions file counts.
pub(crate) fn permissions_include(line: &str) -> Option<String> {
    let t = line.trim();
    let rest = t.strip_prefix("[!INCLUDE")?.trim_start();
    let rest = rest.strip_prefix('[')?;
    let close = rest.find(']')?;
    let label = &rest[..close];
    let after = rest[close + 1..].trim_start().strip_prefix('(')?;
    let end = after.find(')')?;
    let target = after[..end].trim();
    let is_permissions = label.to_lowercase().contains("permission")
        || target.to_lowercase().contains("/permissions/");
    (is_permissions && target.ends_with(".md")).then(|| target.to_string())
}

/// `GET https://graph.microsoft.com/v1.0/users/{id}` → (`GET`, `/users/{id}`).
pub(crate) fn parse_request_line(line: &str, version: ApiVersion) -> Option<HttpRequest> {
    let t = line.trim();
    // The method ends at the first space, or at the path's slash when the space is
    // missing (`DELETE/identity/...` occurs).
    let end = t.find(|c: char| c.is_whitespace() || c == '/')?;
    let method = t[..end].to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return None;
    }
    let mut path = t[end..].trim();
    // A few request lines end with the protocol, as in a raw HTTP request.
    if let Some(p) = path
        .strip_suffix("HTTP/1.1")
        .or_else(|| path.strip_suffix("HTTP/2"))
    {
        path = p.trim_end();
    }
    let path = strip_host(path, version);
    if path.is_empty() {
        return None;
    }
    Some(HttpRequest {
        method,
        path: path.to_string(),
    })
}

/// Removes `https://graph.microsoft.com/<version>` (either version, any case of the
/// scheme and host), keeping the path that follows.
fn strip_host(path: &str, version: ApiVersion) -> &str {
    let lower = path.to_ascii_lowercase();
    for scheme in ["https://", "http://"] {
        let host = format!("{scheme}graph.microsoft.com");
        if lower.starts_with(&host) {
            let rest = &path[host.len()..];
            let rest_lower = &lower[host.len()..];
            for v in [version.as_str(), "v1.0", "beta"] {
                let prefix = format!("/{v}");
                if rest_lower.starts_with(&prefix)
                    && rest[prefix.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| c == '/' || c == '?' || c == '$')
                {
                    return &rest[prefix.len()..];
                }
            }
            return rest;
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::super::permissions_table::{Scheme, TableLayout};
    use super::*;

    fn no_includes(_: &str) -> Result<Option<String>> {
        Ok(None)
    }

    const PAGE: &str = r#"---
title: "Get a user"
description: "Retrieve the properties."
---

# Get a user

## Permissions

|Permission type      | Permissions (from least to most privileged)              |
|:--------------------|:---------------------------------------------------------|
|Delegated (work or school account) | User.Read, User.ReadWrite |
|Delegated (personal Microsoft account) | User.Read |
|Application | User.Read.All |

## HTTP request
For a specific user:
<!-- { "blockType": "ignored" } -->
```http
GET /users/{id | userPrincipalName}
```
For the signed-in user:
```http
GET /me
GET /me
```

## Examples
### Request
# [HTTP](#tab/http)
<!-- {
  "blockType": "request",
  "name": "get_user_1",
} -->
```msgraph-interactive
GET https://graph.microsoft.com/v1.0/users/{id}?$select=displayName
```
<!-- { "blockType": "request", "name": "broken" } -->
<!-- { "blockType": "response" } -->
```http
HTTP/1.1 200 OK
```
"#;

    #[test]
    fn parses_a_2021_page() {
        let (page, counts) =
            parse_api_page("user-get", ApiVersion::V1_0, PAGE, &no_includes).expect("parse");
        assert_eq!(page.title.as_deref(), Some("Get a user"));
        assert_eq!(
            page.description.as_deref(),
            Some("Retrieve the properties.")
        );
        assert_eq!(
            page.requests,
            vec![
                HttpRequest {
                    method: "GET".into(),
                    path: "/users/{id | userPrincipalName}".into()
                },
                HttpRequest {
                    method: "GET".into(),
                    path: "/me".into()
                }
            ]
        );
        assert_eq!(page.permission_tables.len(), 1);
        let t = &page.permission_tables[0];
        assert_eq!(t.heading.as_deref(), Some("Permissions"));
        assert_eq!(t.rows[1].scheme, Scheme::DelegatedPersonal);
        assert_eq!(page.examples.len(), 1);
        assert_eq!(page.examples[0].name, "get_user_1");
        assert_eq!(
            page.examples[0].request.path,
            "/users/{id}?$select=displayName"
        );
        assert_eq!(counts.examples_without_request, 1);
    }

    #[test]
    fn resolves_permission_includes() {
        let page = "## Permissions\n[!INCLUDE [permissions-table](../includes/permissions/x-permissions.md)]\n";
        let resolve = |p: &str| -> Result<Option<String>> {
            assert_eq!(p, "../includes/permissions/x-permissions.md");
            Ok(Some(
                "---\ndescription: x\n---\n|Permission type|Least privileged permissions|Higher privileged permissions|\n|:---|:---|:---|\n|Application|A.Read.All|A.ReadWrite.All|\n".into(),
            ))
        };
        let (page, counts) = parse_api_page("x", ApiVersion::Beta, page, &resolve).expect("parse");
        assert_eq!(counts, PageCounts::default());
        let t = &page.permission_tables[0];
        assert_eq!(t.layout, TableLayout::LeastHigher);
        assert_eq!(
            t.include.as_deref(),
            Some("../includes/permissions/x-permissions.md")
        );
        assert_eq!(t.rows[0].permissions, vec!["A.Read.All", "A.ReadWrite.All"]);

        let (_, counts) =
            parse_api_page("x", ApiVersion::Beta, &page_text(), &no_includes).expect("parse");
        assert_eq!(counts.missing_includes, 1);
    }

    #[test]
    fn permissions_markers_name_the_table_after_them() {
        let page = "## Permissions\n<!-- { \"blockType\": \"permissions\", \"name\": \"x_get\" } -->\n[!INCLUDE [permissions-table](../includes/permissions/x-permissions.md)]\n<!-- { \"blockType\": \"ignored\", \"name\": \"not_a_marker\" } -->\n## Notes\n<!-- {\n \"blockType\": \"permissions\",\n \"name\": \"inline\"\n}\n-->\n|Permission type|Permissions (from least to most privileged)|\n|-|-|\n|Application|A.Read.All|\n";
        let resolve = |_: &str| -> Result<Option<String>> {
            Ok(Some(
                "|Permission type|Least privileged permissions|Higher privileged permissions|\n|-|-|-|\n|Application|A.Read.All|Not available.|\n".into(),
            ))
        };
        let (page, counts) = parse_api_page("x", ApiVersion::Beta, page, &resolve).expect("parse");
        assert_eq!(counts, PageCounts::default());
        assert_eq!(page.permission_blocks, vec!["x_get", "inline"]);
        let blocks: Vec<Option<&str>> = page
            .permission_tables
            .iter()
            .map(|t| t.block.as_deref())
            .collect();
        assert_eq!(blocks, vec![Some("x_get"), Some("inline")]);
    }

    fn page_text() -> String {
        "[!INCLUDE [permissions-table](../includes/permissions/y-permissions.md)]".into()
    }

    #[test]
    fn unknown_layouts_in_permission_sections_are_counted() {
        let page = "## Permissions\n|Scope|Kind|\n|-|-|\n|User.Read|Delegated|\n## Other\n|A|B|\n|-|-|\n|1|2|\n";
        let (page, counts) =
            parse_api_page("x", ApiVersion::V1_0, page, &no_includes).expect("parse");
        assert!(page.permission_tables.is_empty());
        assert_eq!(counts.unknown_table_layouts, 1);
    }

    #[test]
    fn request_blocks_outside_an_http_request_section() {
        let page = "## Permissions\n<!-- { \"blockType\": \"ignored\"} -->\n```http\nPOST /chats/{chat-id}/members\n```\n## Examples\n```http\nGET /not/this\n```\n";
        let (page, _) = parse_api_page("x", ApiVersion::V1_0, page, &no_includes).expect("parse");
        assert_eq!(
            page.requests,
            vec![HttpRequest {
                method: "POST".into(),
                path: "/chats/{chat-id}/members".into()
            }]
        );
    }

    #[test]
    fn request_lines() {
        let v = ApiVersion::Beta;
        assert_eq!(
            parse_request_line("post https://graph.microsoft.com/beta/me/sendMail", v),
            Some(HttpRequest {
                method: "POST".into(),
                path: "/me/sendMail".into()
            })
        );
        assert_eq!(
            parse_request_line("GET https://graph.microsoft.com/betaX/y", v).map(|r| r.path),
            Some("/betaX/y".into())
        );
        assert_eq!(
            parse_request_line("DELETE/identity/b2xUserFlows/{id}", v).map(|r| r.path),
            Some("/identity/b2xUserFlows/{id}".into())
        );
        assert_eq!(parse_request_line("HTTP/1.1 200 OK", v), None);
        assert_eq!(
            parse_request_line("GET/", v).map(|r| r.path),
            Some("/".into())
        );
        assert_eq!(parse_request_line("GET", v), None);
        assert_eq!(parse_request_line("Content-Type: x", v), None);
    }

    #[test]
    fn include_lines() {
        assert_eq!(
            permissions_include(
                "[!INCLUDE [permissions-table](../includes/permissions/user-get-permissions.md)]"
            )
            .as_deref(),
            Some("../includes/permissions/user-get-permissions.md")
        );
        assert_eq!(
            permissions_include(
                "[!INCLUDE [sample-code](../includes/snippets/csharp/get-user-csharp-snippets.md)]"
            ),
            None
        );
        assert_eq!(permissions_include("[!INCLUDE [permissions"), None);
    }
}
