//! The Microsoft Graph Learn docs sources (`api-reference/{v1.0,beta}`): API pages with
//! their permission tables, request lines and examples; resource type pages; and the SDK
//! code snippets of the examples.
//!
//! Pages are parsed line by line and leniently: a page without a permission table, a
//! table of unknown layout or a malformed metadata comment is counted in [`DocsStats`]
//! and skipped, never fatal. Only unreadable or non-UTF-8 files are errors.

mod api;
mod markdown;
mod permissions_table;
mod resource;
mod snippet;

use crate::hash::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use api::{ApiPage, Example, HttpRequest, PageCounts};
pub use permissions_table::{PermissionRow, PermissionTable, Scheme, TableLayout};
pub use resource::{Member, Method, ResourceCounts, ResourcePage};
pub use snippet::{powershell_call, snippet_key, PowerShellCall, Snippet, POWERSHELL};

use super::DataDir;

/// Where the docs' `api-reference` folder may live in the data directory, in order of
/// preference: the repository's current name first, then its older home.
///
/// Every folder present is read. Per version, a page of the first folder wins over a
/// page of the same file name in a later one (API pages and resource pages each by
/// slug, snippets by request name and language); the later folders fill in only what
/// the earlier ones lack. So a data directory holding today's docs next to the 2021
/// copy shows today's page wherever it has one, whole (its permission table, examples
/// and snippets, even when one of its includes is missing), and the 2021 page elsewhere.
pub const ROOTS: [&str; 2] = [
    "microsoft-graph-docs-contrib/api-reference",
    "microsoft-graph-docs/api-reference",
];

pub use crate::model::ApiVersion;

/// Source key of the cmdlets read from the docs' PowerShell snippets, before the
/// version: `docs-powershell:beta` (and `docs-powershell:beta:<folder>` for a later
/// folder of [`ROOTS`]). The command map's key is `commands`.
pub const POWERSHELL_SOURCE: &str = "docs-powershell";

/// How pages name the cmdlets of [`POWERSHELL_SOURCE`].
pub const POWERSHELL_SOURCE_LABEL: &str = "Learn PowerShell snippets";

/// Where the docs' PowerShell snippets live, relative to the data directory, in the
/// preferred folder of [`ROOTS`], both versions written as one path.
pub fn powershell_snippets_dirs() -> String {
    format!("{}/{{v1.0,beta}}/includes/snippets/{POWERSHELL}/", ROOTS[0])
}

/// How a cmdlet's source is named for people: [`POWERSHELL_SOURCE_LABEL`] for the docs'
/// snippets, "the command map" otherwise.
pub fn command_source_label(source_key: &str) -> &'static str {
    if is_powershell_source(source_key) {
        POWERSHELL_SOURCE_LABEL
    } else {
        "the command map"
    }
}

/// Whether a source key is one of [`POWERSHELL_SOURCE`]'s.
pub fn is_powershell_source(source_key: &str) -> bool {
    source_key
        .strip_prefix(POWERSHELL_SOURCE)
        .is_some_and(|rest| rest.starts_with(':'))
}

/// Everything read from the docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Docs {
    /// The preferred `api-reference` folder read (the first of [`ROOTS`] present),
    /// relative to the data directory.
    pub root: String,
    /// Every `api-reference` folder read, in order of preference; pages and snippets
    /// name theirs.
    #[serde(default)]
    pub roots: Vec<String>,
    /// One set per version folder present, v1.0 first.
    pub sets: Vec<DocsSet>,
}

/// The pages and snippets of one API version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocsSet {
    /// The version.
    pub version: ApiVersion,
    /// API pages sorted by slug.
    pub api_pages: Vec<ApiPage>,
    /// Resource pages sorted by slug.
    pub resources: Vec<ResourcePage>,
    /// Snippets sorted by request name, then language.
    pub snippets: Vec<Snippet>,
    /// What was read and what was skipped.
    pub stats: DocsStats,
    /// One entry per skipped table, unknown row or missing include, by file then order.
    pub warnings: Vec<DocsWarning>,
}

/// Something a page held that the parser skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocsWarning {
    /// File relative to the `api-reference` folder, e.g. `v1.0/api/user-get.md`.
    pub file: String,
    /// What was skipped.
    pub message: String,
}

/// Counts of what was read, parsed and skipped. Skips are expected in this hand-written
/// corpus; the counts let callers watch the parse quality.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocsStats {
    /// API pages read.
    pub api_pages: usize,
    /// API pages with at least one permission table that yielded a row.
    pub pages_with_permissions: usize,
    /// API pages without any parsed permission table.
    pub pages_without_permissions: usize,
    /// Permission tables parsed.
    pub permission_tables: usize,
    /// Tables in a permission section (or permission include files) of unknown layout.
    pub unknown_table_layouts: usize,
    /// Rows of permission tables whose scheme was not recognised.
    pub unknown_permission_rows: usize,
    /// Permission include lines whose file does not exist.
    pub missing_includes: usize,
    /// Request examples with a name and a request line.
    pub examples: usize,
    /// Examples with at least one snippet.
    pub examples_with_snippets: usize,
    /// Request-tagged examples whose next code block is not a request.
    pub examples_without_request: usize,
    /// Request tags without a name.
    pub examples_without_name: usize,
    /// Resource pages read.
    pub resource_pages: usize,
    /// Resource pages with at least one property row.
    pub resources_with_properties: usize,
    /// Snippets read.
    pub snippets: usize,
    /// Snippet files without a code block or with an unexpected name.
    pub snippet_files_skipped: usize,
    /// Other files in the page folders (not `.md`), ignored.
    pub other_files_skipped: usize,
    /// PowerShell snippets read.
    #[serde(default)]
    pub powershell_snippets: usize,
    /// PowerShell snippets in which no Microsoft Graph cmdlet was recognised.
    #[serde(default)]
    pub powershell_without_cmdlet: usize,
    /// Pages and snippets of a later folder of [`ROOTS`] left out because an earlier
    /// folder has the same one.
    #[serde(default)]
    pub superseded: usize,
}

impl DocsStats {
    /// Share of API pages with a parsed permission table, 0.0 to 1.0.
    pub fn permission_share(&self) -> f64 {
        if self.api_pages == 0 {
            0.0
        } else {
            self.pages_with_permissions as f64 / self.api_pages as f64
        }
    }

    fn add(&mut self, o: &DocsStats) {
        self.api_pages += o.api_pages;
        self.pages_with_permissions += o.pages_with_permissions;
        self.pages_without_permissions += o.pages_without_permissions;
        self.permission_tables += o.permission_tables;
        self.unknown_table_layouts += o.unknown_table_layouts;
        self.unknown_permission_rows += o.unknown_permission_rows;
        self.missing_includes += o.missing_includes;
        self.examples += o.examples;
        self.examples_with_snippets += o.examples_with_snippets;
        self.examples_without_request += o.examples_without_request;
        self.examples_without_name += o.examples_without_name;
        self.resource_pages += o.resource_pages;
        self.resources_with_properties += o.resources_with_properties;
        self.snippets += o.snippets;
        self.snippet_files_skipped += o.snippet_files_skipped;
        self.other_files_skipped += o.other_files_skipped;
        self.powershell_snippets += o.powershell_snippets;
        self.powershell_without_cmdlet += o.powershell_without_cmdlet;
        self.superseded += o.superseded;
    }
}

impl Docs {
    /// The set of one version, if its folder was present.
    pub fn version(&self, version: ApiVersion) -> Option<&DocsSet> {
        self.sets.iter().find(|s| s.version == version)
    }

    /// Stats of all versions added up.
    pub fn stats(&self) -> DocsStats {
        let mut total = DocsStats::default();
        for set in &self.sets {
            total.add(&set.stats);
        }
        total
    }
}

impl DocsSet {
    /// The API page with this slug (file name without `.md`).
    pub fn api_page(&self, slug: &str) -> Option<&ApiPage> {
        self.api_pages
            .binary_search_by(|p| p.slug.as_str().cmp(slug))
            .ok()
            .and_then(|i| self.api_pages.get(i))
    }

    /// The resource page with this slug.
    pub fn resource(&self, slug: &str) -> Option<&ResourcePage> {
        self.resources
            .binary_search_by(|p| p.slug.as_str().cmp(slug))
            .ok()
            .and_then(|i| self.resources.get(i))
    }

    /// Snippets of a request example, in language order. Accepts the name as written in
    /// the page (`get_user_1`) or as in the file name (`get-user-1`).
    pub fn snippets_for(&self, request_name: &str) -> &[Snippet] {
        let key = snippet_key(request_name);
        let start = self
            .snippets
            .partition_point(|s| s.request_name.as_str() < key.as_str());
        let len = self.snippets[start..]
            .iter()
            .take_while(|s| s.request_name == key)
            .count();
        &self.snippets[start..start + len]
    }

    /// The snippet of a request example in one language.
    pub fn snippet(&self, request_name: &str, language: &str) -> Option<&Snippet> {
        self.snippets_for(request_name)
            .iter()
            .find(|s| s.language == language)
    }

    /// Sorts the snippets and records on each example which languages have one.
    /// [`load`] already does this; call it again after changing `snippets`.
    pub fn attach_snippets(&mut self) {
        self.snippets.sort_by(|a, b| {
            (&a.request_name, &a.language, &a.file).cmp(&(&b.request_name, &b.language, &b.file))
        });
        let mut with = 0;
        let mut pages = std::mem::take(&mut self.api_pages);
        for page in &mut pages {
            for example in &mut page.examples {
                let mut langs: Vec<String> = self
                    .snippets_for(&example.name)
                    .iter()
                    .map(|s| s.language.clone())
                    .collect();
                langs.dedup();
                if !langs.is_empty() {
                    with += 1;
                }
                example.snippet_languages = langs;
            }
        }
        self.api_pages = pages;
        self.stats.examples_with_snippets = with;
    }
}

/// Loads the docs under every one of [`ROOTS`] that exists, merged as [`ROOTS`] says;
/// `Ok(None)` when none does.
pub fn load(dir: &DataDir) -> Result<Option<Docs>> {
    let roots: Vec<&str> = ROOTS
        .into_iter()
        .filter(|root| dir.path(root).is_dir())
        .collect();
    let Some(first) = roots.first() else {
        return Ok(None);
    };
    let mut sets = Vec::new();
    for version in ApiVersion::ALL {
        let present: Vec<&str> = roots
            .iter()
            .copied()
            .filter(|root| dir.path(&format!("{root}/{}", version.as_str())).is_dir())
            .collect();
        if !present.is_empty() {
            sets.push(load_version(dir, &present, version)?);
        }
    }
    Ok(Some(Docs {
        root: first.to_string(),
        roots: roots.iter().map(|r| r.to_string()).collect(),
        sets,
    }))
}

/// One file to read, with the index of its folder among the roots read.
enum Task {
    Api {
        path: PathBuf,
        root: usize,
    },
    Resource {
        path: PathBuf,
        root: usize,
    },
    Snippet {
        path: PathBuf,
        language: String,
        root: usize,
    },
}

/// What reading one file gave.
enum Parsed {
    Api(Box<ApiPage>, PageCounts, usize),
    Resource(Box<ResourcePage>, ResourceCounts, usize),
    Snippet(Option<Snippet>, usize),
    /// A file refused by the bounded reader (counted as a warning by the data dir).
    Skipped,
}

/// The files of one version in every root, the preferred root's first.
fn version_tasks(
    dir: &DataDir,
    roots: &[&str],
    version: ApiVersion,
    stats: &mut DocsStats,
) -> Result<Vec<Task>> {
    let mut tasks = Vec::new();
    for (root, root_dir) in roots.iter().enumerate() {
        let vrel = format!("{root_dir}/{}", version.as_str());
        for (folder, is_api) in [("api", true), ("resources", false)] {
            let rel = format!("{vrel}/{folder}");
            for name in dir.list_dir(&rel)?.unwrap_or_default() {
                let path = dir.path(&format!("{rel}/{name}"));
                if !name.ends_with(".md") {
                    stats.other_files_skipped += 1;
                    continue;
                }
                if !path.is_file() {
                    continue;
                }
                tasks.push(if is_api {
                    Task::Api { path, root }
                } else {
                    Task::Resource { path, root }
                });
            }
        }
        let snippets_rel = format!("{vrel}/includes/snippets");
        for language in dir.list_dir(&snippets_rel)?.unwrap_or_default() {
            let lang_rel = format!("{snippets_rel}/{language}");
            if !dir.path(&lang_rel).is_dir() {
                continue;
            }
            for file in dir.list_dir(&lang_rel)?.unwrap_or_default() {
                if !file.ends_with(".md") {
                    stats.other_files_skipped += 1;
                    continue;
                }
                tasks.push(Task::Snippet {
                    path: dir.path(&format!("{lang_rel}/{file}")),
                    language: language.clone(),
                    root,
                });
            }
        }
    }
    Ok(tasks)
}

fn load_version(dir: &DataDir, roots: &[&str], version: ApiVersion) -> Result<DocsSet> {
    let mut stats = DocsStats::default();
    let tasks = version_tasks(dir, roots, version, &mut stats)?;
    let parsed: Vec<Parsed> = tasks
        .par_iter()
        .map(|task| parse_task(dir, task, version))
        .collect::<Result<_>>()?;

    let mut set = DocsSet {
        version,
        api_pages: Vec::new(),
        resources: Vec::new(),
        snippets: Vec::new(),
        stats: DocsStats::default(),
        warnings: Vec::new(),
    };
    // Tasks, and so results, come in root order: the first of a slug or snippet key
    // is the preferred root's.
    let mut seen_pages: HashSet<String> = HashSet::default();
    let mut seen_resources: HashSet<String> = HashSet::default();
    let mut seen_snippets: HashSet<(String, String)> = HashSet::default();
    for p in parsed {
        match p {
            Parsed::Api(mut page, counts, root) => {
                if !seen_pages.insert(page.slug.clone()) {
                    stats.superseded += 1;
                    continue;
                }
                page.root = roots[root].to_string();
                stats.api_pages += 1;
                stats.unknown_table_layouts += counts.unknown_table_layouts;
                stats.unknown_permission_rows += counts.unknown_permission_rows;
                stats.missing_includes += counts.missing_includes;
                stats.examples_without_request += counts.examples_without_request;
                stats.examples_without_name += counts.examples_without_name;
                stats.permission_tables += page.permission_tables.len();
                if page.permission_tables.iter().any(|t| !t.rows.is_empty()) {
                    stats.pages_with_permissions += 1;
                } else {
                    stats.pages_without_permissions += 1;
                }
                stats.examples += page.examples.len();
                let file = format!("{}/api/{}.md", version.as_str(), page.slug);
                push_warnings(&mut set.warnings, &file, counts.warnings);
                set.api_pages.push(*page);
            }
            Parsed::Resource(mut page, counts, root) => {
                if !seen_resources.insert(page.slug.clone()) {
                    stats.superseded += 1;
                    continue;
                }
                page.root = roots[root].to_string();
                stats.resource_pages += 1;
                stats.unknown_table_layouts += counts.unknown_table_layouts;
                if !page.properties.is_empty() {
                    stats.resources_with_properties += 1;
                }
                let file = format!("{}/resources/{}.md", version.as_str(), page.slug);
                push_warnings(&mut set.warnings, &file, counts.warnings);
                set.resources.push(*page);
            }
            Parsed::Snippet(Some(mut s), root) => {
                if !seen_snippets.insert((s.request_name.clone(), s.language.clone())) {
                    stats.superseded += 1;
                    continue;
                }
                s.root = roots[root].to_string();
                stats.snippets += 1;
                if s.language == snippet::POWERSHELL {
                    stats.powershell_snippets += 1;
                    if s.powershell.is_none() {
                        stats.powershell_without_cmdlet += 1;
                    }
                }
                set.snippets.push(s);
            }
            Parsed::Snippet(None, _) => stats.snippet_files_skipped += 1,
            Parsed::Skipped => {}
        }
    }
    set.api_pages.sort_by(|a, b| a.slug.cmp(&b.slug));
    set.resources.sort_by(|a, b| a.slug.cmp(&b.slug));
    // Files are listed in name order and parallel results keep task order, but sorting
    // keeps the output stable whatever the listing order.
    set.warnings.sort_by(|a, b| a.file.cmp(&b.file));
    set.stats = stats;
    set.attach_snippets();
    Ok(set)
}

fn push_warnings(out: &mut Vec<DocsWarning>, file: &str, messages: Vec<String>) {
    out.extend(messages.into_iter().map(|message| DocsWarning {
        file: file.to_string(),
        message,
    }));
}

fn parse_task(dir: &DataDir, task: &Task, version: ApiVersion) -> Result<Parsed> {
    let read = |path: &Path| dir.read_path(path, super::DOCS_CAP);
    match task {
        Task::Api { path, root } => {
            let Some(bytes) = read(path)? else {
                return Ok(Parsed::Skipped);
            };
            let page_dir = path.parent().unwrap_or(Path::new("."));
            let resolve = |rel: &str| resolve_include(dir, page_dir, rel);
            let (page, counts) = ApiPage::parse(path, version, &bytes, &resolve)?;
            Ok(Parsed::Api(Box::new(page), counts, *root))
        }
        Task::Resource { path, root } => {
            let Some(bytes) = read(path)? else {
                return Ok(Parsed::Skipped);
            };
            let (page, counts) = ResourcePage::parse(path, version, &bytes)?;
            Ok(Parsed::Resource(Box::new(page), counts, *root))
        }
        Task::Snippet {
            path,
            language,
            root,
        } => {
            let Some(bytes) = read(path)? else {
                return Ok(Parsed::Skipped);
            };
            let snippet = Snippet::parse(path, version, language, &bytes)?;
            Ok(Parsed::Snippet(snippet, *root))
        }
    }
}

/// The `api-reference` folder a page lies in: includes may not leave it.
fn api_reference_of(page_dir: &Path) -> Option<&Path> {
    page_dir
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "api-reference"))
}

/// Reads an include given relative to the page's folder. Absolute paths and URLs are
/// not files of the docs tree and count as missing; so does a target outside the
/// page's `api-reference/` folder (after resolving `..` and symlinks), a FIFO, device
/// or an oversized file, each with a warning naming it.
fn resolve_include(dir: &DataDir, page_dir: &Path, rel: &str) -> Result<Option<String>> {
    if rel.starts_with('/') || rel.contains("://") {
        return Ok(None);
    }
    let path = page_dir.join(rel);
    let Some(base) = api_reference_of(page_dir) else {
        return Ok(None);
    };
    match dir.read_within(&path, Some(base), super::DOCS_CAP)? {
        None => Ok(None),
        Some(Ok(bytes)) => decode(&path, &bytes).map(|text| Some(text.to_string())),
        Some(Err(why)) => {
            let why = if why == super::Refused::Outside {
                "include outside api-reference/ not followed".to_string()
            } else {
                why.to_string()
            };
            dir.skip(&path, &why);
            Ok(None)
        }
    }
}

/// UTF-8 text without a byte-order mark; the error names the file and line.
fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = e.valid_up_to();
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        anyhow!("`{}`:{line}: not valid UTF-8", path.display())
    })
}

/// The file name of a page, which the docs' links and snippet keys are built from.
/// Listed names are UTF-8 (others are skipped), so the lossy form is only for callers
/// passing an arbitrary path.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A page's slug: its file name without `.md`.
fn slug(path: &Path) -> String {
    let name = file_name(path);
    match name.strip_suffix(".md") {
        Some(slug) => slug.to_string(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_names_file_and_line() {
        let err =
            decode(Path::new("x.md"), b"ok\nbad \xff\n").expect_err("invalid UTF-8 must fail");
        assert_eq!(err.to_string(), "`x.md`:2: not valid UTF-8");
        assert_eq!(
            decode(Path::new("x.md"), b"\xEF\xBB\xBFhi").expect("valid"),
            "hi"
        );
    }

    /// Every prefix of a page full of edge cases parses without panicking, so no slice
    /// index in the parsers can land inside a character or past an end.
    #[test]
    fn truncated_input_never_panics() {
        let page = "---\ntitle: \"Ünïcode \\\"q\\\"\"\n---\n## HTTP request\n```http\nGET https://graph.microsoft.com/beta/ä\nDELETE/x\n```\n## Permissions\n| Permission&nbsp;type | Permissions (from most to least privileged) |\n|:-|:-|\n| Delegated (work or school account) | |\n| &nbsp; **É** | |A.B|\n|[x](y) | Ä.Read, <br/>B.Read* |\n[!INCLUDE [permissions-table](../p/ü-permissions.md)]\n<!-- {\n \"blockType\": \"request\",\n \"name\": \"é_1\"\n} -->\n```\nPOST https://graph.microsoft.com/v1.0/é\n```\n## Properties\n|Property|Type|Description|\n|-|-|-|\n|ö|[ü](ü.md) collection|[[a]](b) ![i](j) <b>x</b> \\| y|\n## JSON representation\n<!-- { \"blockType\": \"resource\", \"@odata.type\": \"microsoft.graph.ö\" } -->\n```json\n{}\n";
        let resolve = |_: &str| -> Result<Option<String>> {
            Ok(Some("|Permission type|Least privileged permissions|Higher privileged permissions|\n|-|-|-|\n|Application|Ü.Read|".into()))
        };
        for (i, _) in page.char_indices() {
            let text = &page[..i];
            api::parse_api_page("p", ApiVersion::V1_0, text, &resolve).expect("parse");
            resource::parse_resource_page("p", ApiVersion::V1_0, text);
            snippet::parse_snippet(ApiVersion::V1_0, "go", "p-go-snippets.md", text);
        }
        let (full, _) = api::parse_api_page("p", ApiVersion::V1_0, page, &resolve).expect("parse");
        assert_eq!(full.title.as_deref(), Some("Ünïcode \"q\""));
        assert_eq!(full.requests.len(), 2);
        assert_eq!(full.permission_tables.len(), 2);
        assert_eq!(full.examples.len(), 1);
    }

    #[test]
    fn version_names() {
        assert_eq!(ApiVersion::V1_0.to_string(), "v1.0");
        assert_eq!(
            serde_json::to_string(&ApiVersion::Beta).expect("json"),
            "\"beta\""
        );
    }
}
