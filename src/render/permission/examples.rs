//! Code examples that fit a permission: the docs' request examples of its endpoints,
//! ordered so that what the permission is for comes first, merged by title, one tab per
//! language; the page shows the first few and every example is on the permission's
//! examples pages, split so that no page grows past a size budget.

use crate::hash::HashMap;
use std::collections::BTreeMap;

use anyhow::{Context, Result};
use askama::Template;

use super::endpoints::Granted;
use crate::model::{ApiVersion, Catalog, Permission, Snippet, TypeRef};
use crate::render::frame::{Site, SiteInfo};
use crate::render::markdown::is_web_url;
use crate::render::Files;
use crate::slugs::slug;

/// How many example groups a permission page shows in full (first variant only).
pub const EXAMPLES_SHOWN: usize = 4;

/// Bytes of examples a page holds before the next group starts a new page: with the
/// page frame, pages stay under 250 KB unless one group alone is larger.
const PAGE_BUDGET: usize = 200_000;

/// One language of a code example.
#[derive(Debug, Clone)]
pub struct SnippetTab {
    /// Language folder name, e.g. `csharp`.
    pub lang: String,
    /// Label, e.g. "C#".
    pub label: String,
    /// Element id suffix, unique on the page.
    pub id: String,
    /// The code.
    pub code: String,
}

/// One request example with its code in each language the docs give.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The docs' request name, e.g. `user_sendmail_with_attachment`.
    pub name: String,
    /// HTTP method.
    pub method: String,
    /// Lower-case method for the CSS class.
    pub method_class: String,
    /// Canonical key of the endpoint it requests.
    pub key: String,
    /// The request path as the example writes it.
    pub path: String,
    /// API version.
    pub version: String,
    /// Learn page of the request in that version, or empty.
    pub doc_link: String,
    /// One tab per language, in [`language_label`] order.
    pub tabs: Vec<SnippetTab>,
}

/// The examples of one title ("Send mail"): requests with the same title merged.
#[derive(Debug, Clone)]
pub struct ExampleGroup {
    /// Element id, also the anchor on the examples pages.
    pub id: String,
    /// Heading: the endpoint's title, or the request.
    pub title: String,
    /// Whether the permission is the least privileged choice for its first request.
    pub least: bool,
    /// Examples, best first.
    pub variants: Vec<Variant>,
    /// On a permission page: how many more examples the examples pages have, and where.
    pub more: usize,
    /// Link to the group on its examples page, relative to the site root, or empty.
    pub more_href: String,
    /// On an examples page, when the group began on an earlier page: its id there.
    pub continues: String,
}

/// Label and rank of a snippet language folder: C#, Go, Java, JavaScript, PHP,
/// PowerShell, Python, CLI, then any other by name.
pub fn language_label(lang: &str) -> (usize, String) {
    const KNOWN: [(&str, &str); 8] = [
        ("csharp", "C#"),
        ("go", "Go"),
        ("java", "Java"),
        ("javascript", "JavaScript"),
        ("php", "PHP"),
        ("powershell", "PowerShell"),
        ("python", "Python"),
        ("cli", "CLI"),
    ];
    match KNOWN.iter().position(|(k, _)| *k == lang) {
        Some(i) => (i, KNOWN[i].1.to_string()),
        None => (KNOWN.len(), lang.to_string()),
    }
}

/// Where a request stands for a permission; smaller sorts first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    /// Not the least privileged choice for any account type.
    not_least: bool,
    /// Not on the permission's primary resource.
    not_primary: bool,
    /// Not a read (GET).
    not_read: bool,
    /// v1.0 before beta.
    version: ApiVersion,
    /// Shorter paths (`/users/{id}` before `/users/{id}/manager/$ref`) first.
    segments: usize,
}

/// Whether two types are the same whatever schema version names them.
fn same_type(a: &TypeRef, b: &TypeRef) -> bool {
    a.type_name.eq_ignore_ascii_case(&b.type_name)
}

/// Every example of a permission's endpoints, grouped by title and ordered: requests
/// the permission is the least privileged choice for first; then its primary resource,
/// reads before writes; v1.0 before beta; shorter paths first; then by title. Inside a
/// group the same order holds, and an example that repeats an earlier one (the same
/// request in beta, or the same code in every language) is left out.
pub fn example_groups(
    catalog: &Catalog,
    p: &Permission,
    endpoints: &[Granted<'_>],
) -> Vec<ExampleGroup> {
    type RequestKey<'c> = (ApiVersion, &'c str, &'c str, &'c str);
    let mut by_request: BTreeMap<RequestKey<'_>, Vec<&Snippet>> = BTreeMap::new();
    let mut least: HashMap<(&str, &str), bool> = HashMap::default();
    for g in endpoints {
        let Some(e) = g.endpoint else { continue };
        least.insert(
            (e.key.as_str(), e.method.as_str()),
            g.grants.iter().any(|x| x.least_privileged),
        );
        for s in catalog.snippets_of(&e.method, &e.key) {
            by_request
                .entry((
                    s.version,
                    s.key.as_str(),
                    s.method.as_str(),
                    s.request_name.as_str(),
                ))
                .or_default()
                .push(s);
        }
    }
    let requests: Vec<(Rank, String, Variant)> = by_request
        .into_iter()
        .map(|((version, key, method, name), snippets)| {
            let endpoint = catalog.endpoint(method, key);
            let on_primary = |t: &Option<TypeRef>| {
                matches!((t, &p.primary_resource), (Some(t), Some(pr)) if same_type(t, pr))
            };
            let rank = Rank {
                not_least: !least.get(&(key, method)).copied().unwrap_or(false),
                not_primary: !endpoint
                    .is_some_and(|e| on_primary(&e.resource) || on_primary(&e.bound_to)),
                not_read: method != "GET",
                version,
                segments: key.split('/').filter(|s| !s.is_empty()).count(),
            };
            let path = snippets.first().map(|s| s.path.clone()).unwrap_or_default();
            let title = endpoint
                .and_then(|e| e.title.clone())
                .unwrap_or_else(|| format!("{method} {path}"));
            let mut tabs: Vec<(usize, SnippetTab)> = snippets
                .iter()
                .map(|s| {
                    let (order, label) = language_label(&s.language);
                    let tab = SnippetTab {
                        lang: s.language.clone(),
                        label,
                        id: slug(&s.language),
                        code: s.code.clone(),
                    };
                    (order, tab)
                })
                .collect();
            tabs.sort_by(|a, b| (a.0, &a.1.label).cmp(&(b.0, &b.1.label)));
            tabs.dedup_by(|a, b| a.1.label == b.1.label);
            let doc_link = endpoint
                .and_then(|e| {
                    e.doc_links
                        .get(&version)
                        .or_else(|| e.doc_links.values().next())
                })
                .filter(|u| is_web_url(u))
                .cloned()
                .unwrap_or_default();
            let variant = Variant {
                name: name.to_string(),
                method: method.to_string(),
                method_class: method.to_ascii_lowercase(),
                key: key.to_string(),
                path,
                version: version.as_str().to_string(),
                doc_link,
                tabs: tabs.into_iter().map(|(_, t)| t).collect(),
            };
            (rank, title, variant)
        })
        .collect();
    // Each title lower-cased once, not twice per comparison.
    let mut keyed: Vec<(String, (Rank, String, Variant))> = requests
        .into_iter()
        .map(|r| (r.1.to_lowercase(), r))
        .collect();
    keyed.sort_by(|(la, a), (lb, b)| {
        (&a.0, la, &a.2.path, &a.2.name).cmp(&(&b.0, lb, &b.2.path, &b.2.name))
    });
    let requests = keyed.into_iter().map(|(_, r)| r);
    let mut groups: Vec<ExampleGroup> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::default();
    for (rank, title, variant) in requests {
        let i = *index.entry(title.to_lowercase()).or_insert_with(|| {
            groups.push(ExampleGroup {
                id: format!("ex{}", groups.len() + 1),
                title: title.clone(),
                least: !rank.not_least,
                variants: Vec::new(),
                more: 0,
                more_href: String::new(),
                continues: String::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[i];
        let code = |v: &Variant| -> Vec<(String, String)> {
            v.tabs
                .iter()
                .map(|t| (t.label.clone(), t.code.clone()))
                .collect()
        };
        // The same example in beta after v1.0 (same request name and line) or the same
        // code again says nothing new.
        let same_request = |v: &Variant| {
            v.name == variant.name && v.method == variant.method && v.path == variant.path
        };
        if group
            .variants
            .iter()
            .any(|v| same_request(v) || code(v) == code(&variant))
        {
            continue;
        }
        group.variants.push(variant);
    }
    for g in &mut groups {
        for (j, v) in g.variants.iter_mut().enumerate() {
            for t in &mut v.tabs {
                t.id = format!("{}-{}-{}", g.id, j + 1, t.id);
            }
        }
    }
    groups
}

/// Path of part `n` (from 1) of a permission's examples pages, relative to the site
/// root. Each permission has its own folder, so no page name can meet another's.
pub fn examples_file(permission_slug: &str, n: usize) -> String {
    let page = if n <= 1 {
        "index".to_string()
    } else {
        n.to_string()
    };
    format!("permissions/examples/{permission_slug}/{page}.html")
}

/// Size of one example on a page: its code as escaped in HTML and the markup around
/// each tab and its request line (measured on rendered pages, rounded up).
fn weight(v: &Variant) -> usize {
    let escaped = |code: &str| {
        code.len()
            + code
                .bytes()
                .map(|b| match b {
                    b'"' | b'\'' | b'&' => 4,
                    b'<' | b'>' => 3,
                    _ => 0,
                })
                .sum::<usize>()
    };
    v.tabs
        .iter()
        .map(|t| escaped(&t.code) + 8 * t.id.len() + 450)
        .sum::<usize>()
        + 2 * v.path.len()
        + 900
}

/// Size of a group's heading and frame.
fn frame_weight(g: &ExampleGroup) -> usize {
    2 * g.title.len() + 500
}

/// A run of one group's examples on one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Index of the group.
    pub group: usize,
    /// Its examples on this page.
    pub variants: std::ops::Range<usize>,
}

/// Splits the groups into pages of about `budget` bytes each, in order. A group that
/// does not fit on the rest of a page continues on the next, so only a single example
/// larger than the budget makes a larger page.
pub fn paginate(groups: &[ExampleGroup], budget: usize) -> Vec<Vec<Chunk>> {
    let mut pages = Vec::new();
    let mut page: Vec<Chunk> = Vec::new();
    let mut size = 0;
    for (group, g) in groups.iter().enumerate() {
        let mut start = 0;
        size += frame_weight(g);
        for (i, v) in g.variants.iter().enumerate() {
            let w = weight(v);
            if size + w > budget && (!page.is_empty() || i > start) {
                if i > start {
                    page.push(Chunk {
                        group,
                        variants: start..i,
                    });
                }
                pages.push(std::mem::take(&mut page));
                start = i;
                size = frame_weight(g);
            }
            size += w;
        }
        page.push(Chunk {
            group,
            variants: start..g.variants.len(),
        });
    }
    if !page.is_empty() {
        pages.push(page);
    }
    pages
}

/// A chunk as a group to render: a continued group keeps its title, says so, and
/// leaves the group's anchor to its first chunk.
fn chunk_view(groups: &[ExampleGroup], c: &Chunk) -> ExampleGroup {
    let g = &groups[c.group];
    let mut view = g.clone();
    view.variants = g.variants[c.variants.clone()].to_vec();
    if c.variants.start > 0 {
        view.continues = g.id.clone();
        view.id = format!("{}-{}", g.id, c.variants.start + 1);
    }
    view
}

/// Size of the list of every title each examples page carries.
fn contents_weight(groups: &[ExampleGroup], permission_slug: &str) -> usize {
    groups
        .iter()
        .map(|g| g.title.len() + g.title.len() / 4 + permission_slug.len() + 110)
        .sum()
}

/// What the examples section of a permission page shows.
pub struct ExamplesView {
    /// The first groups, each with its first example only.
    pub shown: Vec<ExampleGroup>,
    /// Groups in all.
    pub groups: usize,
    /// Examples in all.
    pub total: usize,
    /// Link to the first examples page, relative to the site root; empty when the page
    /// itself shows every example.
    pub all_href: String,
    /// Examples per language, in tab order: ("C#", 12).
    pub languages: Vec<(String, usize)>,
}

/// One part of a permission's examples pages.
#[derive(Template)]
#[template(path = "permission-examples.html")]
struct ExamplesPage<'a> {
    site: Site,
    name: &'a str,
    slug: &'a str,
    groups: &'a [ExampleGroup],
    total: usize,
    group_count: usize,
    /// (part number, href relative to the site root, is this part).
    parts: Vec<(usize, String, bool)>,
    /// First and last group numbers on this part.
    from: usize,
    to: usize,
    primary: String,
    /// Every group's (title, link relative to the site root, least privileged), on
    /// every part.
    contents: &'a [(String, String, bool)],
}

/// The examples section of a permission page and the examples pages it links to.
pub fn examples(
    catalog: &Catalog,
    info: &SiteInfo,
    p: &Permission,
    permission_slug: &str,
    endpoints: &[Granted<'_>],
) -> Result<(ExamplesView, Files)> {
    let mut groups = example_groups(catalog, p, endpoints);
    let total: usize = groups.iter().map(|g| g.variants.len()).sum();
    let mut languages: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for t in groups
        .iter()
        .flat_map(|g| &g.variants)
        .flat_map(|v| &v.tabs)
    {
        let (order, _) = language_label(&t.lang);
        *languages.entry((order, t.label.clone())).or_default() += 1;
    }
    let needs_pages = groups.len() > EXAMPLES_SHOWN || groups.iter().any(|g| g.variants.len() > 1);
    let mut files = Vec::new();
    let parts = if needs_pages {
        let contents = contents_weight(&groups, permission_slug);
        paginate(
            &groups,
            PAGE_BUDGET.saturating_sub(contents).max(PAGE_BUDGET / 4),
        )
    } else {
        Vec::new()
    };
    for (n, chunks) in parts.iter().enumerate() {
        for c in chunks.iter().filter(|c| c.variants.start == 0) {
            let g = &mut groups[c.group];
            g.more_href = format!("{}#{}", examples_file(permission_slug, n + 1), g.id);
        }
    }
    let contents: Vec<(String, String, bool)> = groups
        .iter()
        .map(|g| (g.title.clone(), g.more_href.clone(), g.least))
        .collect();
    let primary = p
        .primary_resource
        .as_ref()
        .map(|t| {
            t.type_name
                .rsplit('.')
                .next()
                .unwrap_or(&t.type_name)
                .to_string()
        })
        .unwrap_or_default();
    for (n, chunks) in parts.iter().enumerate() {
        let path = examples_file(permission_slug, n + 1);
        let views: Vec<ExampleGroup> = chunks.iter().map(|c| chunk_view(&groups, c)).collect();
        let page = ExamplesPage {
            site: info.site(
                &path,
                format!("Code examples: {}", p.name),
                format!(
                    "Code examples of the Microsoft Graph requests the permission {} grants.",
                    p.name
                ),
            ),
            name: &p.name,
            slug: permission_slug,
            groups: &views,
            total,
            group_count: groups.len(),
            parts: (0..parts.len())
                .map(|i| (i + 1, examples_file(permission_slug, i + 1), i == n))
                .collect(),
            from: chunks.first().map_or(0, |c| c.group + 1),
            to: chunks.last().map_or(0, |c| c.group + 1),
            primary: primary.clone(),
            contents: &contents,
        };
        let html = page
            .render()
            .with_context(|| format!("failed to render the examples of {}", p.name))?;
        files.push((path, html.into_bytes()));
    }
    let shown: Vec<ExampleGroup> = groups
        .iter()
        .take(EXAMPLES_SHOWN)
        .map(|g| {
            let mut g = g.clone();
            g.more = g.variants.len().saturating_sub(1);
            g.variants.truncate(1);
            g
        })
        .collect();
    let view = ExamplesView {
        shown,
        groups: groups.len(),
        total,
        all_href: if needs_pages {
            examples_file(permission_slug, 1)
        } else {
            String::new()
        },
        languages: languages.into_iter().map(|((_, l), n)| (l, n)).collect(),
    };
    Ok((view, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, sizes: &[usize]) -> ExampleGroup {
        ExampleGroup {
            id: id.into(),
            title: id.into(),
            least: false,
            variants: sizes
                .iter()
                .enumerate()
                .map(|(i, n)| Variant {
                    name: format!("{id}_{i}"),
                    method: "GET".into(),
                    method_class: "get".into(),
                    key: "/x".into(),
                    path: "/x".into(),
                    version: "v1.0".into(),
                    doc_link: String::new(),
                    tabs: vec![SnippetTab {
                        lang: "go".into(),
                        label: "Go".into(),
                        id: "t".into(),
                        code: "x".repeat(*n),
                    }],
                })
                .collect(),
            more: 0,
            more_href: String::new(),
            continues: String::new(),
        }
    }

    #[test]
    fn languages_have_one_order() {
        let labels: Vec<String> = [
            "python",
            "cli",
            "csharp",
            "zig",
            "go",
            "php",
            "java",
            "powershell",
            "javascript",
            "abap",
        ]
        .iter()
        .map(|l| language_label(l))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(_, l)| l)
        .collect();
        assert_eq!(
            labels,
            [
                "C#",
                "Go",
                "Java",
                "JavaScript",
                "PHP",
                "PowerShell",
                "Python",
                "CLI",
                "abap",
                "zig"
            ]
        );
    }

    #[test]
    fn pages_keep_to_the_budget_and_split_a_large_title() {
        let groups = vec![
            group("a", &[10_000]),
            group("b", &[40_000, 40_000, 40_000]),
            group("c", &[5_000]),
        ];
        let pages = paginate(&groups, 60_000);
        let chunk = |group, variants| Chunk { group, variants };
        assert_eq!(
            pages,
            vec![
                vec![chunk(0, 0..1), chunk(1, 0..1)],
                vec![chunk(1, 1..2)],
                vec![chunk(1, 2..3), chunk(2, 0..1)],
            ]
        );
        // A continued group keeps its title and leaves its anchor to the first part.
        let v = chunk_view(&groups, &pages[1][0]);
        assert_eq!((v.id.as_str(), v.continues.as_str()), ("b-2", "b"));
        assert_eq!(v.variants.len(), 1);
        // One example larger than the budget still gets a page of its own.
        let big = vec![group("a", &[1_000]), group("b", &[500_000])];
        assert_eq!(paginate(&big, 60_000).len(), 2);
    }
}
