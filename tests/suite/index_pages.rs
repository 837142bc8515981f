//! The index and the resources index of the real catalog: both under the 250 KB page
//! budget, every permission and every resource still listed (counted against
//! permissions.json and the catalog), a jump bar whose links all land on headings, and
//! resources grouped under their API version and namespace.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{permissions_json, plain, raw_json, upstream, upstream_catalog, upstream_site};

/// Every page must stay under this many bytes.
const PAGE_BUDGET: u64 = 250_000;

fn read(rel: &str) -> String {
    let path = upstream_site().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The values of an attribute in order, e.g. every `id="…"`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The permission items of the index: (link target, name as shown).
fn index_items(index: &str) -> Vec<(String, String)> {
    index
        .split("<li class=\"perm\">")
        .skip(1)
        .map(|item| {
            let href = attr_values(&format!(" {item}"), "href")
                .first()
                .map(|h| h.to_string())
                .expect("an item links to its page");
            let start = item.find('>').expect("the link's text") + 1;
            let end = item.find("</a>").expect("the link ends");
            (href, plain(&item[start..end]))
        })
        .collect()
}

#[test]
fn index_and_resources_index_of_the_real_catalog_stay_under_the_page_budget() {
    for page in ["index.html", "resources/index.html"] {
        let size = std::fs::metadata(upstream_site().join(page))
            .expect("the page exists")
            .len();
        assert!(
            size < PAGE_BUDGET,
            "{page} is {size} bytes, over the {PAGE_BUDGET} byte budget"
        );
    }
}

#[test]
fn every_permission_of_permissions_json_is_on_the_index_once() {
    let index = read("index.html");
    let items = index_items(&index);
    let raw = raw_json(&permissions_json(&upstream()));
    let raw_names: BTreeSet<&str> = raw["permissions"]
        .as_object()
        .expect("a permissions object")
        .keys()
        .map(String::as_str)
        .collect();
    let shown: BTreeMap<&str, usize> = items.iter().fold(BTreeMap::new(), |mut m, (_, n)| {
        *m.entry(n.as_str()).or_default() += 1;
        m
    });
    let missing: Vec<&&str> = raw_names
        .iter()
        .filter(|n| !shown.contains_key(**n))
        .collect();
    assert!(missing.is_empty(), "not on the index: {missing:?}");
    let twice: Vec<_> = shown.iter().filter(|(_, c)| **c > 1).collect();
    assert!(twice.is_empty(), "listed more than once: {twice:?}");
    assert_eq!(items.len(), upstream_catalog().permissions.len());
    for (href, name) in &items {
        assert!(
            upstream_site().join(href).is_file(),
            "{name} links to {href}, which is not in the site"
        );
    }
    // Names break after their dots, and nowhere else.
    assert!(
        index.contains("Mail.<wbr>Read.<wbr>Shared</a>"),
        "no <wbr> after dots"
    );
    // The filters' facts: one entry per item, in the script the page loads.
    assert!(index.contains("<script src=\"assets/index-facts.js\" defer></script>"));
    let script = std::fs::read_to_string(upstream_site().join("assets/index-facts.js"))
        .expect("the facts script");
    let json = script
        .trim()
        .strip_prefix("window.PERMCAT_INDEX_FACTS=")
        .and_then(|s| s.strip_suffix(';'))
        .expect("the facts global");
    let facts: Vec<String> = serde_json::from_str(json).expect("a list of strings");
    assert_eq!(facts.len(), items.len(), "one facts entry per item");
}

#[test]
fn every_jump_bar_link_lands_on_a_category_heading() {
    let index = read("index.html");
    let nav_start = index
        .find("<nav class=\"jump")
        .expect("the index has a jump bar");
    let nav = &index[nav_start..nav_start + index[nav_start..].find("</nav>").expect("ends")];
    let links = attr_values(nav, "href");
    assert!(!links.is_empty(), "the jump bar has no links");
    let list = &index[index.find("<div class=\"index-list\">").expect("the list")..];
    let headings: Vec<(&str, String)> = list
        .split("<h2 id=\"")
        .skip(1)
        .map(|h| {
            let id = &h[..h.find('"').expect("id ends")];
            let name =
                plain(&h[h.find('>').expect("tag ends") + 1..h.find(" <span>").expect("count")]);
            (id, name)
        })
        .collect();
    let ids: BTreeSet<&str> = headings.iter().map(|(id, _)| *id).collect();
    for link in &links {
        let id = link.strip_prefix('#').expect("an in-page link");
        assert!(
            ids.contains(id),
            "the jump bar links to #{id}, no such heading"
        );
    }
    // Each category of the catalog has a heading, and every heading is reached from
    // the letter it starts with: the letter's link goes to the first category of it.
    let categories: BTreeSet<&str> = upstream_catalog()
        .permissions
        .iter()
        .map(|p| p.category())
        .collect();
    let named: BTreeSet<&str> = headings.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        named, categories,
        "headings and the catalog's categories differ"
    );
    let mut first_of: BTreeMap<char, &str> = BTreeMap::new();
    for (id, name) in &headings {
        let c = name.chars().next().unwrap_or('#').to_ascii_uppercase();
        first_of
            .entry(if c.is_ascii_alphabetic() { c } else { '#' })
            .or_insert(id);
    }
    let targets: BTreeSet<String> = links
        .iter()
        .map(|l| l.trim_start_matches('#').to_string())
        .collect();
    for (letter, id) in &first_of {
        assert!(targets.contains(*id), "no jump link to {letter} (#{id})");
    }
}

#[test]
fn resources_are_grouped_by_api_version_and_namespace() {
    let page = read("resources/index.html");
    let catalog = upstream_catalog();
    let mut listed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut count = 0;
    for version_part in page.split("<section class=\"res-version\"").skip(1) {
        let version =
            &version_part[version_part.find("<h2 id=\"").expect("a version heading") + 8..];
        let version = &version[version.find("\">").expect("id ends") + 2..];
        let version = version[..version.find(' ').expect("name ends")].to_string();
        for ns_part in version_part
            .split("<section class=\"res-ns\" data-ns=\"")
            .skip(1)
        {
            let ns = &ns_part[..ns_part.find('"').expect("namespace ends")];
            for item in ns_part.split("<li><a href=\"").skip(1) {
                let href = &item[..item.find('"').expect("href ends")];
                let short = plain(
                    &item[item.find('>').expect("tag ends") + 1
                        ..item.find("</a>").expect("link ends")],
                );
                let full = if ns.is_empty() {
                    short.clone()
                } else {
                    format!("{ns}.{short}")
                };
                assert!(
                    href.starts_with(&format!("{version}/")),
                    "{full} under {version} links to {href}"
                );
                assert!(
                    upstream_site().join("resources").join(href).is_file(),
                    "{full} links to {href}, not in the site"
                );
                assert!(
                    listed.insert((version.clone(), full.clone())),
                    "{version} {full} listed twice"
                );
                count += 1;
            }
        }
    }
    let expected: BTreeSet<(String, String)> = catalog
        .resources
        .iter()
        .map(|r| (r.version.as_str().to_string(), r.type_name.clone()))
        .collect();
    assert_eq!(count, catalog.resources.len());
    assert_eq!(
        listed, expected,
        "each resource under its version and namespace"
    );
    let groups = page.matches("<section class=\"res-ns\"").count();
    assert!(groups > 2, "only {groups} namespace groups");
    // The jump bar lands on headings, and a filter box waits for JavaScript.
    let ids: BTreeSet<&str> = attr_values(&page, "id").into_iter().collect();
    let nav = &page[page.find("<nav class=\"res-jump").expect("a jump bar")..];
    let nav = &nav[..nav.find("</nav>").expect("ends")];
    for link in attr_values(nav, "href") {
        let id = link.strip_prefix('#').expect("an in-page link");
        assert!(
            ids.contains(id),
            "the jump bar links to #{id}, no such heading"
        );
    }
    assert!(page
        .contains("data-resource-filter role=\"search\" aria-label=\"Filter resources\" hidden>"));
}
