//! Code examples that fit the permission and readable resources: the order of the
//! examples, a tab per language, every example reachable, pages of bounded size, and
//! resource sections typed from the current Learn resource pages. Checked on the real
//! data (with the sample of today's docs beside it) against readings of the raw files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use permcat::model::{ApiVersion, Catalog};
use permcat::render;
use permcat::sources::docs::ResourcePage;

use crate::common::*;

/// The sample of today's docs (docs-contrib layout).
fn current_docs() -> PathBuf {
    current_docs_api()
}

struct Built {
    catalog: &'static Catalog,
    slugs: permcat::slugs::Slugs,
    site: &'static Path,
}

/// The combined data, loaded and built once.
fn combined() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let c = combined_docs();
        Built {
            catalog: &c.catalog,
            slugs: permcat::slugs::Slugs::new(&c.catalog),
            site: &c.site,
        }
    })
}

/// The real snapshot with its 2021 docs (many examples per permission), built once.
fn current() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| Built {
        catalog: upstream_catalog(),
        slugs: permcat::slugs::Slugs::new(upstream_catalog()),
        site: upstream_site(),
    })
}

const REFERENCE: &str = "IndustryData-OutboundFlow.ReadWrite.All";

/// Snippet language folders and their tab labels, in the order the issue lists them
/// (any other language comes after these, by name).
const FOLDERS: &str = "csharp go java javascript php powershell python cli";
const LABELS: &str = "C# Go Java JavaScript PHP PowerShell Python CLI";

fn tab_labels() -> Vec<&'static str> {
    LABELS.split(' ').collect()
}

/// Tabs follow [`LABELS`], then other languages by name.
fn assert_language_order(tabs: &[String], what: &str) {
    let known = tab_labels();
    let pos = |l: &String| known.iter().position(|x| x == l).unwrap_or(known.len());
    let ordered = tabs
        .windows(2)
        .all(|w| pos(&w[0]) < pos(&w[1]) || (pos(&w[0]) == known.len() && w[0] < w[1]));
    assert!(ordered, "{what}: tabs out of order: {tabs:?}");
}

/// One example group as a page shows it: title and its requests, each
/// (version, method, key, request name).
#[derive(Debug)]
struct Group {
    title: String,
    requests: Vec<(String, String, String, String)>,
    tab_lists: Vec<Vec<String>>,
    /// Whether it continues the group before it (a title split across pages).
    continued: bool,
}

fn groups(html: &str) -> Vec<Group> {
    between(html, "<section class=\"example\"", "</section>")
        .into_iter()
        .map(|sec| {
            let h3 = between(sec, "-h\">", "</h3>")[0];
            let title = plain(h3.split(" <span").next().unwrap_or(h3))
                .trim()
                .to_string();
            let requests = between(sec, "data-request=\"", "\"")
                .into_iter()
                .map(|r| {
                    let r = unescape(r);
                    let mut it = r.splitn(4, ' ').map(str::to_string);
                    let mut next = || it.next().unwrap_or_default();
                    (next(), next(), next(), next())
                })
                .collect();
            let tab_lists = between(sec, "role=\"tablist\"", "</div>")
                .into_iter()
                .map(|list| {
                    between(list, "role=\"tab\"", "</button>")
                        .into_iter()
                        .map(|b| b.rsplit('>').next().unwrap_or_default().to_string())
                        .collect()
                })
                .collect();
            let continued = sec.contains("data-continues=");
            let title = match title.strip_suffix(" (continued)") {
                Some(t) if continued => t.to_string(),
                _ => title,
            };
            Group {
                title,
                requests,
                tab_lists,
                continued,
            }
        })
        .collect()
}

/// The groups of consecutive pages, a continued group joined to the one it continues.
fn joined(pages: &[String]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for g in pages.iter().flat_map(|p| groups(p)) {
        match out.last_mut() {
            Some(last) if g.continued => {
                assert_eq!(last.title, g.title, "a continued group follows its start");
                last.requests.extend(g.requests);
                last.tab_lists.extend(g.tab_lists);
            }
            _ => out.push(g),
        }
    }
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every examples page of a permission, in order (`index.html`, `2.html`, …).
fn example_pages(site: &Path, slug: &str) -> Vec<String> {
    let dir = site.join("permissions/examples").join(slug);
    let mut out = Vec::new();
    if dir.join("index.html").is_file() {
        out.push(read(&dir.join("index.html")));
        for n in 2.. {
            let p = dir.join(format!("{n}.html"));
            if !p.is_file() {
                break;
            }
            out.push(read(&p));
        }
    }
    out
}

/// The order permission pages promise, from the catalog: least privileged first, then
/// the primary resource, reads before writes, v1.0 before beta.
fn rank(
    catalog: &Catalog,
    permission: &str,
    r: &(String, String, String, String),
) -> (bool, bool, bool, bool) {
    let (version, method, key, _) = r;
    let least = catalog
        .grants_of(permission)
        .any(|g| &g.key == key && &g.method == method && g.least_privileged);
    let primary = catalog
        .permission(permission)
        .and_then(|p| p.primary_resource.as_ref())
        .is_some_and(|pr| {
            catalog.endpoint(method, key).is_some_and(|e| {
                [&e.resource, &e.bound_to]
                    .into_iter()
                    .flatten()
                    .any(|t| t.type_name.eq_ignore_ascii_case(&pr.type_name))
            })
        });
    (!least, !primary, method != "GET", version != "v1.0")
}

/// The code, by language, of one request example.
type Code = BTreeMap<String, String>;

/// Every request example of the permission's endpoints the catalog holds, by
/// (version, method, key, request name), with its code.
fn catalog_requests(
    catalog: &Catalog,
    permission: &str,
) -> BTreeMap<(String, String, String, String), Code> {
    let endpoints: BTreeSet<(&str, &str)> = catalog
        .grants_of(permission)
        .map(|g| (g.method.as_str(), g.key.as_str()))
        .collect();
    let mut out: BTreeMap<_, Code> = BTreeMap::new();
    for s in endpoints
        .into_iter()
        .flat_map(|(m, k)| catalog.snippets_of(m, k))
    {
        out.entry((
            s.version.as_str().to_string(),
            s.method.clone(),
            s.key.clone(),
            s.request_name.clone(),
        ))
        .or_default()
        .insert(s.language.clone(), s.code.clone());
    }
    out
}

fn check_permission(b: &Built, permission: &str) -> usize {
    let slug = b.slugs.get(permission);
    let page = read(&b.site.join(format!("permissions/{slug}.html")));
    let on_page = groups(&page);
    let parts = example_pages(b.site, &slug);
    let all = joined(&parts);
    let wanted = catalog_requests(b.catalog, permission);
    if wanted.is_empty() {
        assert!(on_page.is_empty() && all.is_empty(), "{permission}");
        return 0;
    }
    // The page shows the first groups of the examples pages, each with its first example.
    // Without examples pages the permission page shows every example itself.
    let all = if all.is_empty() {
        joined(std::slice::from_ref(&page))
    } else {
        all
    };
    assert!(
        !on_page.is_empty() && on_page.len() <= all.len(),
        "{permission}"
    );
    for (shown, full) in on_page.iter().zip(&all) {
        assert_eq!(shown.title, full.title, "{permission}");
        assert_eq!(
            shown.requests.first(),
            full.requests.first(),
            "{permission}"
        );
    }
    // No title twice.
    let mut titles = BTreeSet::new();
    for g in &all {
        assert!(
            titles.insert(g.title.to_lowercase()),
            "{permission}: title {:?} twice",
            g.title
        );
    }
    // Groups in rank order, and the requests inside each.
    let firsts: Vec<_> = all
        .iter()
        .map(|g| rank(b.catalog, permission, &g.requests[0]))
        .collect();
    assert!(
        firsts.windows(2).all(|w| w[0] <= w[1]),
        "{permission}: groups out of order: {:?}",
        all.iter()
            .map(|g| (&g.title, &g.requests[0]))
            .zip(&firsts)
            .collect::<Vec<_>>()
    );
    for g in &all {
        let ranks: Vec<_> = g
            .requests
            .iter()
            .map(|r| rank(b.catalog, permission, r))
            .collect();
        assert!(
            ranks.windows(2).all(|w| w[0] <= w[1]),
            "{permission}: {g:?}"
        );
    }
    // Every example reachable: each request of the catalog is on an examples page, or
    // it repeats one that is (the same request in another version, or the same code in
    // every language under another request name).
    let shown: Vec<&(String, String, String, String)> =
        all.iter().flat_map(|g| &g.requests).collect();
    let shown_code: Vec<&Code> = shown.iter().filter_map(|r| wanted.get(*r)).collect();
    let missing: Vec<_> = wanted
        .iter()
        .filter(|((_, m, k, n), code)| {
            !shown
                .iter()
                .any(|(_, m2, k2, n2)| (m2, k2, n2) == (m, k, n))
                && !shown_code.contains(code)
        })
        .map(|(r, _)| r)
        .collect();
    assert!(
        missing.is_empty(),
        "{permission}: not reachable: {missing:?}"
    );
    for list in all.iter().flat_map(|g| &g.tab_lists) {
        assert_language_order(list, permission);
    }
    for p in &parts {
        assert!(
            p.len() < 250_000,
            "{permission}: an examples page of {} bytes",
            p.len()
        );
    }
    all.len()
}

#[test]
fn reference_permission_has_a_tab_per_language_of_todays_docs() {
    let b = combined();
    let slug = permcat::slugs::slug(REFERENCE);
    let page = read(&b.site.join(format!("permissions/{slug}.html")));
    let mut html = page.clone();
    for p in example_pages(b.site, &slug) {
        html.push_str(&p);
    }
    let labels: BTreeSet<String> = groups(&html)
        .iter()
        .flat_map(|g| g.tab_lists.iter().flatten().cloned())
        .collect();
    // The seven SDK languages of today's docs (CLI only where a snippet was stored).
    for lang in &tab_labels()[..7] {
        assert!(labels.contains(*lang), "no {lang} tab: {labels:?}");
    }
    // An independent reading: every language folder holding a snippet of a request
    // the examples name has a tab.
    let names: BTreeSet<String> = groups(&html)
        .iter()
        .flat_map(|g| g.requests.iter().map(|r| r.3.replace('_', "-")))
        .collect();
    let snippets = current_docs().join("beta/includes/snippets");
    for lang in std::fs::read_dir(&snippets).expect("snippets") {
        let lang = lang.expect("entry");
        let folder = lang.file_name().to_string_lossy().to_string();
        let has = std::fs::read_dir(lang.path())
            .expect("language folder")
            .filter_map(|f| f.ok())
            .any(|f| {
                let file = f.file_name().to_string_lossy().to_lowercase();
                names
                    .iter()
                    .any(|n| file == format!("{}-{folder}-snippets.md", n.to_lowercase()))
            });
        let label = FOLDERS
            .split(' ')
            .position(|f| f == folder)
            .map_or(folder.as_str(), |i| tab_labels()[i]);
        assert_eq!(
            has,
            labels.contains(label),
            "{folder}: snippets {has}, tab {}",
            !has
        );
    }
    check_permission(b, REFERENCE);
    assert_works_without_javascript(&page);
}

/// Without JavaScript every language's code is there: no tab panel starts hidden, and
/// the tab lists do (permcat.js shows them).
fn assert_works_without_javascript(page: &str) {
    let examples = &page[page.find("id=\"examples\"").expect("examples section")..];
    let panels = between(examples, "role=\"tabpanel\"", ">");
    let lists = between(examples, "<div role=\"tablist\"", ">");
    assert!(!panels.is_empty() && !lists.is_empty());
    for panel in panels {
        assert!(!panel.contains("hidden"), "{panel}");
    }
    for list in lists {
        assert!(list.ends_with(" hidden"), "{list}");
    }
}

/// The rows of the first table under `## heading` of a raw resource page, as
/// (name, type text without link syntax).
fn raw_rows(text: &str, heading: &str) -> Vec<(String, String)> {
    let Some(start) = text.find(&format!("\n## {heading}")) else {
        return Vec::new();
    };
    let section = &text[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut rows = Vec::new();
    let mut header_seen = false;
    for line in section.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            if header_seen && !rows.is_empty() {
                break;
            }
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if !header_seen {
            header_seen = true;
            continue;
        }
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| matches!(ch, ':' | '-' | ' ')))
        {
            continue;
        }
        let ty = cells.get(1).copied().unwrap_or_default();
        let ty = match (ty.find('['), ty.find(']')) {
            (Some(a), Some(b)) if a < b => format!(
                "{}{}",
                &ty[a + 1..b],
                &ty[ty[b..].find(')').map_or(ty.len(), |i| b + i + 1)..]
            ),
            _ => ty.to_string(),
        };
        rows.push((cells[0].to_string(), ty.trim().to_string()));
    }
    rows
}

/// The flow-set resource of a catalog.
fn flow_set(catalog: &Catalog) -> &permcat::model::Resource {
    catalog
        .resources
        .iter()
        .find(|r| r.type_name == "microsoft.graph.industryData.outboundProvisioningFlowSet")
        .expect("flow set resource")
}

/// The JSON representation block of a raw resource page.
fn raw_json(text: &str) -> Option<String> {
    let section = &text[text.find("## JSON representation")?..];
    let start = section.find("```json\n")? + "```json\n".len();
    let end = section[start..].find("\n```")?;
    Some(section[start..start + end].to_string())
}

#[test]
fn reference_resource_is_typed_from_its_learn_page() {
    let b = combined();
    let raw =
        read(&current_docs().join("beta/resources/industrydata-outboundprovisioningflowset.md"));
    let r = flow_set(b.catalog);
    assert_eq!(r.version, ApiVersion::Beta);
    // The JSON representation is the page's, and says so.
    assert_eq!(Some(r.json_representation.clone()), raw_json(&raw));
    assert_eq!(r.json_source.as_deref(), Some("docs"));
    // Every property of the page's table, with its type.
    let rows = raw_rows(&raw, "Properties");
    assert!(rows.len() >= 5, "{rows:?}");
    let slug = permcat::slugs::slug(REFERENCE);
    let page = read(&b.site.join(format!("permissions/{slug}.html")));
    let props = &page[page.find("id=\"properties\"").expect("properties")
        ..page.find("id=\"json\"").expect("json")];
    for (name, ty) in &rows {
        let m = r
            .properties
            .iter()
            .find(|m| &m.name == name)
            .unwrap_or_else(|| panic!("no {name}"));
        assert!(!m.type_name.is_empty(), "{name} untyped");
        let short = ty.strip_prefix("microsoft.graph.").unwrap_or(ty);
        assert!(
            props.contains(&format!("<td><code>{name}</code></td><td>{short}</td>")),
            "{name}: {short} not on the page"
        );
        assert!(m.description.is_some(), "{name} has no description");
    }
    let rels = raw_rows(&raw, "Relationships");
    for (name, _) in &rels {
        assert!(
            r.relationships
                .iter()
                .any(|m| &m.name == name && !m.type_name.is_empty()),
            "{name}"
        );
    }
    // The page shows the JSON and where it comes from.
    let json = &page
        [page.find("id=\"json\"").expect("json")..page.find("id=\"relationships\"").expect("rels")];
    let code = between(json, "<code id=\"json-code\">", "</code>")[0];
    assert_eq!(Some(unescape(code)), raw_json(&raw));
    assert!(json.contains("Learn resource page"), "{json}");
}

#[test]
fn a_resource_without_schema_or_page_gets_a_json_generated_from_its_names() {
    // In the 2021 docs there is no page for the flow set: only the type map's names.
    let b = current();
    let r = flow_set(b.catalog);
    assert_eq!(r.json_source.as_deref(), Some("members"));
    let json: serde_json::Value = serde_json::from_str(&r.json_representation).expect("JSON");
    for m in &r.properties {
        assert_eq!(json[&m.name], "(type unknown)", "{}", m.name);
    }
    let page = read(&b.site.join(format!(
        "permissions/{}.html",
        permcat::slugs::slug(REFERENCE)
    )));
    assert!(page.contains("Generated by permcat from the member names known, without types"));
}

#[test]
fn examples_follow_the_order_rule_on_the_real_data() {
    for b in [combined(), current()] {
        let mut checked = 0;
        for p in &b.catalog.permissions {
            if check_permission(b, &p.name) > 0 {
                checked += 1;
            }
        }
        assert!(checked > 0);
    }
    // The cases that were wrong: User.Read.All opens with a request it is the least
    // privileged choice for, on users; Mail.Send has one "Send mail".
    let b = current();
    let page = read(&b.site.join("permissions/User.Read.All.html"));
    let first = &groups(&page)[0];
    assert_eq!(
        rank(b.catalog, "User.Read.All", &first.requests[0]),
        (false, false, false, false),
        "{first:?}"
    );
    let page = read(&b.site.join("permissions/Mail.Send.html"));
    let titles: Vec<String> = groups(&page).into_iter().map(|g| g.title).collect();
    assert_eq!(
        titles
            .iter()
            .filter(|t| t.eq_ignore_ascii_case("Send mail"))
            .count(),
        1,
        "{titles:?}"
    );
}

#[test]
fn current_resource_pages_parse_with_their_tables_and_json() {
    for (version, slug) in [
        ("beta", "industrydata-outboundprovisioningflowset"),
        ("beta", "industrydata-provisioningflow"),
        ("v1.0", "user"),
        ("v1.0", "message"),
        ("v1.0", "application"),
    ] {
        let path = current_docs()
            .join(version)
            .join("resources")
            .join(format!("{slug}.md"));
        let bytes = std::fs::read(&path).expect("resource page");
        let v = ApiVersion::parse(version).expect("version");
        let (page, _) = ResourcePage::parse(&path, v, &bytes).expect("parses");
        let text = String::from_utf8_lossy(&bytes);
        let raw: BTreeMap<String, String> = raw_rows(&text, "Properties").into_iter().collect();
        let parsed: BTreeMap<String, String> = page
            .properties
            .iter()
            .map(|m| (m.name.clone(), m.type_text.clone()))
            .collect();
        for (name, ty) in &raw {
            assert_eq!(parsed.get(name), Some(ty), "{slug}: {name}");
        }
        for (name, _) in raw_rows(&text, "Relationships") {
            assert!(
                page.relationships.iter().any(|m| m.name == name),
                "{slug}: {name}"
            );
        }
        assert_eq!(page.json_representation, raw_json(&text), "{slug}");
        // Every typed cell names one type.
        for m in page.properties.iter().chain(&page.relationships) {
            let (t, coll) = m
                .graph_type()
                .unwrap_or_else(|| panic!("{slug}: {} {:?}", m.name, m.type_text));
            assert!(
                t.starts_with("Edm.") || t.starts_with("microsoft.graph."),
                "{slug}: {t}"
            );
            assert_eq!(
                coll,
                m.type_text.to_lowercase().ends_with(" collection"),
                "{slug}: {}",
                m.type_text
            );
        }
    }
}

#[test]
fn sample_examples_work_without_javascript_and_keep_the_language_order() {
    let catalog = load(&sample());
    let html = render::permission_page_html(&catalog, REFERENCE)
        .expect("render")
        .expect("page");
    let list = groups(&html)
        .into_iter()
        .find(|g| {
            g.requests.first().is_some_and(|r| {
                r.1 == "GET" && r.2 == "/external/industrydata/outboundprovisioningflowsets"
            })
        })
        .expect("the list example of the flow sets");
    // The languages of the sample's snippet files of that request, in tab order.
    let snippets = sample().join("microsoft-graph-docs/api-reference/beta/includes/snippets");
    let expected: Vec<String> = FOLDERS
        .split(' ')
        .zip(tab_labels())
        .filter(|(folder, _)| {
            snippets
                .join(format!(
                    "{folder}/list-outboundprovisioningflowset-{folder}-snippets.md"
                ))
                .is_file()
        })
        .map(|(_, label)| label.to_string())
        .collect();
    assert!(expected.len() >= 2, "{expected:?}");
    assert_eq!(list.tab_lists[0], expected);
    assert_language_order(&list.tab_lists[0], "sample");
    assert_works_without_javascript(&html);
    // The same page twice is the same bytes.
    let again = render::permission_page_html(&catalog, REFERENCE)
        .expect("render")
        .expect("page");
    assert_eq!(html, again);
}
