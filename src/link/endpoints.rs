//! Endpoints: every (method, canonical path) that permissions.json grants, with the API
//! versions, titles, Learn links, readable spellings and resource types that the docs,
//! the command map and the CSDL add to it.

use crate::hash::HashMap;
use std::collections::BTreeMap;

use rayon::prelude::*;

use super::resolve::{NameMatcher, Resolved, Resolver};
use super::Linker;
use crate::model::{ApiVersion, Endpoint, Grant, TypeRef};
use crate::sources::docs::Docs;

/// How readable a source's spelling of a path is; the highest wins for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Spelling {
    /// permissions.json, mostly lower case.
    Permissions,
    /// The same, but with camelCase kept.
    PermissionsCamel,
    /// The command map: camelCase with named placeholders.
    Commands,
    /// The docs, written for people.
    Docs,
}

/// Learn URL of an API page.
pub(super) fn learn_api_link(slug: &str, version: ApiVersion) -> String {
    format!(
        "https://learn.microsoft.com/graph/api/{slug}?view={}",
        view(version)
    )
}

/// Learn URL of a resource page.
pub(super) fn learn_resource_link(slug: &str, version: ApiVersion) -> String {
    format!(
        "https://learn.microsoft.com/graph/api/resources/{slug}?view={}",
        view(version)
    )
}

fn view(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1_0 => "graph-rest-1.0",
        ApiVersion::Beta => "graph-rest-beta",
    }
}

/// The endpoints being built, by (key, method), with the rank of their display spelling.
pub(super) type EndpointMap = BTreeMap<(String, String), (Endpoint, Spelling)>;

fn add_unique(list: &mut Vec<String>, item: &str) {
    if let Err(i) = list.binary_search_by(|s| s.as_str().cmp(item)) {
        list.insert(i, item.to_string());
    }
}

/// Records that `source` places an endpoint in `version`.
pub(super) fn add_version(e: &mut Endpoint, version: ApiVersion, source: &str) {
    add_unique(e.versions.entry(version).or_default(), source);
}

/// Records that `source` knows an endpoint, offering its spelling for display: a more
/// readable source wins, and between equals the spelling with fewer segments in
/// PascalCase (`OutboundProvisioningFlowSets` is a typo of the usual camelCase).
///
/// Placeholders are spelled one way whatever the page wrote: Learn's
/// `{id | userPrincipalName}`, not `{id|userPrincipalName}` or
/// `{id | user-principal-name}`, so one page lists one spelling of the same key.
pub(super) fn offer_spelling(entry: &mut (Endpoint, Spelling), path: &str, rank: Spelling) {
    let capitals = |p: &str| {
        p.split('/')
            .filter(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
            .count()
    };
    let path = tidy_placeholders(path);
    if rank > entry.1 || (rank == entry.1 && capitals(&path) < capitals(&entry.0.path)) {
        entry.0.path = path;
        entry.1 = rank;
    }
}

/// Spells the alternatives of each `{…|…}` placeholder in camelCase, separated by ` | `.
pub(super) fn tidy_placeholders(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 4);
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = &rest[open + 1..open + len];
        if inner.contains('|') {
            let names: Vec<String> = inner.split('|').map(|n| camel(n.trim())).collect();
            out.push('{');
            out.push_str(&names.join(" | "));
            out.push('}');
        } else {
            out.push_str(&rest[open..=open + len]);
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

/// `user-principal-name` → `userPrincipalName`; other names unchanged.
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Restores the camelCase of path segments that a source spells all lower case
/// (`/users/{id}/deleteddatetime`, `/me/onenote`): each such segment takes the spelling
/// another endpoint's path gives the same name, or a resource page's property or
/// relationship, so one page spells `oneNote` one way.
fn recase_lower_segments(map: &mut EndpointMap, docs: Option<&Docs>) {
    let mut spelled: HashMap<String, String> = HashMap::default();
    let mut learn = |name: &str| {
        let camel = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric())
            && name.chars().any(|c| c.is_ascii_uppercase());
        if camel {
            spelled
                .entry(name.to_ascii_lowercase())
                .or_insert_with(|| name.to_string());
        }
    };
    for (e, _) in map.values() {
        e.path.split('/').for_each(&mut learn);
    }
    for set in docs.iter().flat_map(|d| &d.sets) {
        for r in &set.resources {
            for m in r.properties.iter().chain(&r.relationships) {
                learn(m.name.trim());
            }
        }
    }
    for (e, _) in map.values_mut() {
        if !e.path.split('/').any(|s| spelled.contains_key(s)) {
            continue;
        }
        let recased: Vec<&str> = e
            .path
            .split('/')
            .map(|s| spelled.get(s).map_or(s, String::as_str))
            .collect();
        e.path = recased.join("/");
    }
}

/// The key suffix of a docs folder that is not the preferred one: its repository folder,
/// so `docs:v1.0:microsoft-graph-docs` next to `docs:v1.0`.
fn root_suffix(docs: &Docs, root: &str) -> String {
    if root.is_empty() || root == docs.root {
        String::new()
    } else {
        format!(":{}", root.split('/').next().unwrap_or(root))
    }
}

impl Linker {
    /// The source key of the docs folder `root` (as a page or snippet names it) in one
    /// version, registering it on first use: `docs:<version>` for the preferred folder,
    /// with the folder's repository appended for a later one, so each keeps its own
    /// snapshot date.
    pub(super) fn docs_page_source(
        &mut self,
        docs: &Docs,
        root: &str,
        version: ApiVersion,
    ) -> String {
        let suffix = root_suffix(docs, root);
        if suffix.is_empty() {
            return self.docs_source(docs, version);
        }
        let key = format!("{}{suffix}", self.docs_source_key(version));
        if !self.catalog.sources.contains_key(&key) {
            self.source(&key, &format!("{root}/{}", version.as_str()));
        }
        key
    }

    /// The source key of the PowerShell snippets of a docs folder in one version,
    /// registering it on first use.
    pub(super) fn powershell_source(
        &mut self,
        docs: &Docs,
        root: &str,
        version: ApiVersion,
    ) -> String {
        let key = format!(
            "{}:{version}{}",
            crate::sources::docs::POWERSHELL_SOURCE,
            root_suffix(docs, root)
        );
        if !self.catalog.sources.contains_key(&key) {
            let root = if root.is_empty() { &docs.root } else { root };
            let path = format!(
                "{root}/{}/includes/snippets/{}",
                version.as_str(),
                crate::sources::docs::POWERSHELL
            );
            self.source(&key, &path);
        }
        key
    }

    /// One endpoint per (method, key) that some grant names.
    pub(super) fn endpoints_from_grants(&self, grants: &[Grant]) -> EndpointMap {
        let mut map = EndpointMap::new();
        let mut displays: HashMap<&str, String> = Default::default();
        for g in grants {
            let display = displays
                .entry(g.path.as_str())
                .or_insert_with(|| self.canonical(&g.path).display().to_string())
                .clone();
            let rank = if g.path.chars().any(|c| c.is_ascii_uppercase()) {
                Spelling::PermissionsCamel
            } else {
                Spelling::Permissions
            };
            let entry = map
                .entry((g.key.clone(), g.method.clone()))
                .or_insert_with(|| {
                    (
                        Endpoint {
                            method: g.method.clone(),
                            key: g.key.clone(),
                            path: display.clone(),
                            versions: BTreeMap::new(),
                            title: None,
                            doc_links: BTreeMap::new(),
                            resource: None,
                            resource_by_name: false,
                            returns_collection: false,
                            returns_nothing: false,
                            bound_to: None,
                            sources: Vec::new(),
                        },
                        rank,
                    )
                });
            offer_spelling(entry, &display, rank);
            add_unique(&mut entry.0.sources, &g.source);
        }
        map
    }

    /// Adds what the docs' API pages say of known endpoints: versions, titles, links and
    /// spellings. Returns how many request lines name no endpoint of permissions.json.
    pub(super) fn endpoints_from_docs(&mut self, map: &mut EndpointMap, docs: &Docs) -> usize {
        if docs.roots.len() > 1 {
            self.report.linked(
                "docs pages and snippets of the older docs folder superseded",
                docs.stats().superseded,
            );
        }
        let mut unknown = 0;
        let mut titles: HashMap<(String, String), (bool, bool, usize)> = HashMap::default();
        for set in &docs.sets {
            for page in &set.api_pages {
                let src = self.docs_page_source(docs, &page.root, set.version);
                for req in &page.requests {
                    let c = self.canonical(&req.path);
                    let Some(entry) = map.get_mut(&(c.key().to_string(), req.method.clone()))
                    else {
                        unknown += 1;
                        continue;
                    };
                    let e = &mut entry.0;
                    add_version(e, set.version, &src);
                    add_unique(&mut e.sources, &src);
                    e.doc_links
                        .entry(set.version)
                        .or_insert_with(|| learn_api_link(&page.slug, set.version));
                    // The title of a page whose request is exactly this endpoint wins over
                    // one that shows it with a query (`/users/{id}?$expand=manager` on the
                    // manager page), v1.0's over beta's, and the page with the shortest name
                    // (`user-get`) over its variants (`intune-devices-user-get`).
                    let rank = (
                        c.query().is_some(),
                        set.version != ApiVersion::V1_0,
                        page.slug.len(),
                    );
                    let slot = titles.entry((e.key.clone(), e.method.clone())).or_insert((
                        true,
                        true,
                        usize::MAX,
                    ));
                    if let Some(t) = &page.title {
                        if e.title.is_none() || rank < *slot {
                            e.title = Some(t.clone());
                            *slot = rank;
                            // The page that names the endpoint best spells it best too.
                            entry.1 = Spelling::Permissions;
                        }
                    }
                    offer_spelling(entry, c.display(), Spelling::Docs);
                }
            }
        }
        recase_lower_segments(map, Some(docs));
        unknown
    }

    /// Resolves every endpoint against the schemas: a version that resolves the path
    /// places the endpoint in it, and the first that resolves names its resource.
    pub(super) fn resolve_endpoints(
        &mut self,
        map: &mut EndpointMap,
        schemas: &[(ApiVersion, String, Resolver<'_>)],
        matcher: Option<&NameMatcher<'_>>,
    ) {
        // The command map spelled its paths after the docs: one spelling for all again.
        recase_lower_segments(map, None);
        let strict: Vec<&Resolver<'_>> = schemas.iter().map(|(_, _, r)| r).collect();
        // Several methods share a path: each path is walked once per schema, and by name
        // in the type maps when no schema resolves it, the paths on every thread (a walk
        // only reads the schemas and the maps).
        let mut keys: Vec<String> = map.values().map(|(e, _)| e.key.clone()).collect();
        keys.sort_unstable();
        keys.dedup();
        type Walked = (Vec<Option<Resolved>>, Option<Resolved>);
        let walked: HashMap<String, Walked> = keys
            .into_par_iter()
            .map(|key| {
                let c = crate::link::path::canonicalize(&key);
                let results: Vec<Option<Resolved>> = schemas
                    .iter()
                    .map(|(_, _, r)| r.resolve(c.segments()))
                    .collect();
                let named = match matcher {
                    Some(m) if results.iter().all(Option::is_none) => {
                        m.resolve(&strict, c.segments())
                    }
                    _ => None,
                };
                (key, (results, named))
            })
            .collect();
        for (endpoint, _) in map.values_mut() {
            let (results, named) = walked
                .get(endpoint.key.as_str())
                .cloned()
                .unwrap_or_default();
            let mut by_schema = false;
            for ((version, src, _), r) in schemas.iter().zip(results) {
                let Some(r) = r else {
                    continue;
                };
                add_version(endpoint, *version, src);
                add_unique(&mut endpoint.sources, src);
                if !by_schema {
                    by_schema = true;
                    set_returns(endpoint, &r, *version);
                }
            }
            if by_schema {
                continue;
            }
            // No schema in the snapshot knows the path: matched by name in the type maps.
            let Some(matcher) = matcher else { continue };
            let Some(r) = named else {
                continue;
            };
            // The schema that has a type, else the type map that names it.
            let version_of = |type_name: &str| {
                let in_schema = schemas
                    .iter()
                    .find(|(_, _, res)| res.has_type(type_name))
                    .map(|(v, _, _)| *v);
                in_schema
                    .map(|v| (v, true))
                    .or_else(|| matcher.type_names(type_name).map(|(v, _)| (v, false)))
            };
            // The type returned, or else, for an operation whose return type no source
            // gives, the type it is bound to.
            let Some((version, in_schema)) = r
                .returned()
                .map(|(t, _)| t)
                .or(r.bound_to.as_deref())
                .and_then(version_of)
            else {
                continue;
            };
            // A type only the beta type map knows can only be returned by beta.
            if version == ApiVersion::Beta && !in_schema && endpoint.versions.is_empty() {
                let src = format!("typemap:{version}");
                add_version(endpoint, version, &src);
                add_unique(&mut endpoint.sources, &src);
            }
            set_returns(endpoint, &r, version);
            if let (Some(bound), Some(t)) = (&r.bound_to, endpoint.bound_to.as_mut()) {
                t.version = version_of(bound).map_or(version, |(v, _)| v);
            }
            endpoint.resource_by_name = true;
        }
    }
}

/// Records what a resolution says an endpoint returns and what it is bound to, both in
/// the schema of `version`.
fn set_returns(endpoint: &mut Endpoint, r: &Resolved, version: ApiVersion) {
    let type_ref = |type_name: &str| TypeRef {
        type_name: type_name.to_string(),
        version,
    };
    endpoint.resource = r.returned().map(|(t, _)| type_ref(t));
    endpoint.returns_collection = r.returned().is_some_and(|(_, coll)| coll);
    endpoint.returns_nothing = r.returns_nothing;
    endpoint.bound_to = r.bound_to.as_deref().map(type_ref);
}
