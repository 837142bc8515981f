//! What the Learn docs add beyond endpoints: code snippets attached to endpoints, and
//! conflicts where a page's permission table disagrees with permissions.json.

use crate::hash::HashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::endpoints::EndpointMap;
use super::path::{CanonicalPath, Segment};
use super::Linker;
use crate::model::{ApiVersion, Conflict, ConflictKind, ConflictSide, Grant, Scheme, Snippet};
use crate::sources::docs::Docs;

/// Permissions granted for one (key, method, scheme): all, and the least privileged.
/// Names, keys and methods are shared with one copy each: 43,000 grants name fewer
/// than a thousand permissions.
#[derive(Debug, Default)]
pub(super) struct Granted {
    pub all: NameSet,
    pub least: NameSet,
}

/// A few permission names, sorted: most requests are granted by one to five
/// permissions, for which a sorted list is a fraction of a tree set's size.
#[derive(Debug, Default)]
pub(super) struct NameSet(Vec<Arc<str>>);

impl NameSet {
    fn insert(&mut self, name: Arc<str>) {
        if let Err(i) = self.0.binary_search(&name) {
            self.0.insert(i, name);
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.binary_search_by(|n| (**n).cmp(name)).is_ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names in order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<str>> {
        self.0.iter()
    }
}

/// What permissions.json grants, by (key, method, scheme).
pub(super) type GrantIndex = BTreeMap<(Arc<str>, Arc<str>, Scheme), Granted>;

/// The index key of (key, method, scheme).
pub(super) fn grant_key(key: &str, method: &str, scheme: Scheme) -> (Arc<str>, Arc<str>, Scheme) {
    (Arc::from(key), Arc::from(method), scheme)
}

/// One shared copy of each distinct string.
#[derive(Default)]
struct Interner<'a>(HashMap<&'a str, Arc<str>>);

/// An index of the grants for comparisons with the docs and the command map.
pub(super) fn grant_index(grants: &[Grant]) -> GrantIndex {
    let mut index = GrantIndex::new();
    let mut strings = Interner::default();
    for g in grants {
        let name = strings.get(&g.permission);
        let entry = index
            .entry((strings.get(&g.key), strings.get(&g.method), g.scheme))
            .or_default();
        if g.flagged_least {
            entry.least.insert(Arc::clone(&name));
        }
        entry.all.insert(name);
    }
    index
}

impl<'a> Interner<'a> {
    fn get(&mut self, s: &'a str) -> Arc<str> {
        Arc::clone(self.0.entry(s).or_insert_with(|| Arc::from(s)))
    }
}

impl Linker {
    /// The source key of one version of the docs, registering it on first use.
    pub(super) fn docs_source(&mut self, docs: &Docs, version: ApiVersion) -> String {
        let key = self.docs_source_key(version);
        if !self.catalog.sources.contains_key(&key) {
            let path = format!("{}/{}", docs.root, version.as_str());
            self.source(&key, &path);
        }
        key
    }

    /// The source key of one version of the docs.
    pub(super) fn docs_source_key(&self, version: ApiVersion) -> String {
        format!("docs:{version}")
    }

    /// Attaches the docs' snippets to endpoints ([`find_snippets`]) and compares the
    /// docs' permission tables with permissions.json ([`find_docs_conflicts`]): the two
    /// read the same linked records and run at the same time.
    pub(super) fn snippets_and_docs_conflicts(
        &mut self,
        docs: &Docs,
        endpoints: &EndpointMap,
        granted: &GrantIndex,
    ) {
        let mut by_shape: HashMap<(&str, usize), Vec<Arc<CanonicalPath>>> = HashMap::default();
        for (key, method) in endpoints.keys() {
            let c = self.canonical(key);
            by_shape
                .entry((method.as_str(), c.segments().len()))
                .or_default()
                .push(c);
        }
        let mut sources: HashMap<(&str, ApiVersion), String> = HashMap::default();
        for set in &docs.sets {
            for page in &set.api_pages {
                if page.permission_tables.len() == 1
                    && !sources.contains_key(&(page.root.as_str(), set.version))
                {
                    let src = self.docs_page_source(docs, &page.root, set.version);
                    sources.insert((page.root.as_str(), set.version), src);
                }
            }
        }
        let ((snippets, by_pattern), (conflicts, compared)) = {
            let paths = self.paths.borrow();
            let known = KnownPaths(&paths);
            rayon::join(
                || find_snippets(docs, endpoints, &by_shape, &known),
                || find_docs_conflicts(docs, granted, &sources, &known),
            )
        };
        self.report
            .linked("snippets attached to endpoints", snippets.len());
        self.report.linked(
            "docs examples matched to an endpoint by a request pattern",
            by_pattern,
        );
        self.catalog.snippets = snippets;
        self.report
            .linked("docs table rows compared with grants", compared);
        self.catalog.conflicts.extend(conflicts);
    }
}

/// The canonical forms of request paths computed so far, read from several threads at
/// once; a path not among them is canonicalized where it is asked for.
struct KnownPaths<'a>(&'a HashMap<String, Arc<CanonicalPath>>);

impl KnownPaths<'_> {
    fn canonical(&self, raw: &str) -> Arc<CanonicalPath> {
        match self.0.get(raw) {
            Some(c) => Arc::clone(c),
            None => Arc::new(super::path::canonicalize(raw)),
        }
    }
}

/// Attaches each docs example with a snippet to the endpoint it requests. Examples
/// request concrete paths (`/users/87d349ed-…/messages`), so one whose own path names
/// no endpoint is matched against the request lines of its page, then against every
/// endpoint, a placeholder standing for any one plain segment; the most literal
/// match wins.
///
/// `by_shape` holds the endpoints' canonical paths by method and segment count. Returns
/// the snippets and how many examples were matched by a pattern.
fn find_snippets(
    docs: &Docs,
    endpoints: &EndpointMap,
    by_shape: &HashMap<(&str, usize), Vec<Arc<CanonicalPath>>>,
    known: &KnownPaths<'_>,
) -> (Vec<Snippet>, usize) {
    let mut snippets = Vec::new();
    let mut by_pattern = 0;
    for set in &docs.sets {
        for page in &set.api_pages {
            for example in &page.examples {
                let found = set.snippets_for(&example.name);
                if found.is_empty() {
                    continue;
                }
                let method = example.request.method.as_str();
                let c = known.canonical(&example.request.path);
                let key = if endpoints.contains_key(&(c.key().to_string(), method.into())) {
                    c.key().to_string()
                } else {
                    let own: Vec<Arc<CanonicalPath>> = page
                        .requests
                        .iter()
                        .filter(|r| r.method == method)
                        .map(|r| known.canonical(&r.path))
                        .filter(|p| endpoints.contains_key(&(p.key().to_string(), method.into())))
                        .collect();
                    let everywhere = by_shape.get(&(method, c.segments().len()));
                    let Some(key) = best_match(&c, own.iter())
                        .or_else(|| best_match(&c, everywhere.into_iter().flatten()))
                    else {
                        continue;
                    };
                    by_pattern += 1;
                    key
                };
                for s in found {
                    snippets.push(Snippet {
                        language: s.language.clone(),
                        version: set.version,
                        request_name: example.name.clone(),
                        method: method.to_string(),
                        key: key.clone(),
                        path: c.display().to_string(),
                        code: s.code.clone(),
                        file: format!("{}/{}", docs.root, s.file),
                    });
                }
            }
        }
    }
    (snippets, by_pattern)
}

/// Compares each API page's permission table with permissions.json for every request
/// the page documents. Pages with several tables, and sub-case rows (Intune
/// workflows, per-resource rows), are skipped: which request they govern is unclear.
///
/// `sources` holds the source key of each docs folder and version. Returns the conflicts
/// and how many table rows were compared.
fn find_docs_conflicts(
    docs: &Docs,
    granted: &GrantIndex,
    sources: &HashMap<(&str, ApiVersion), String>,
    known: &KnownPaths<'_>,
) -> (Vec<Conflict>, usize) {
    let mut conflicts = Vec::new();
    let mut compared = 0;
    for set in &docs.sets {
        for page in &set.api_pages {
            let [table] = page.permission_tables.as_slice() else {
                continue;
            };
            let src = &sources[&(page.root.as_str(), set.version)];
            for req in &page.requests {
                let c = known.canonical(&req.path);
                for row in table.rows.iter().filter(|r| r.variant.is_none()) {
                    if row.not_supported || row.permissions.is_empty() {
                        continue;
                    }
                    let k = grant_key(c.key(), &req.method, row.scheme);
                    let Some(g) = granted.get(&k) else {
                        continue;
                    };
                    compared += 1;
                    let subject = format!("{} {} ({})", req.method, c.display(), row.scheme);
                    let missing: Vec<&str> = row
                        .permissions
                        .iter()
                        .map(String::as_str)
                        .filter(|p| !g.all.contains(p))
                        .collect();
                    for p in &missing {
                        conflicts.push(Conflict {
                            kind: ConflictKind::DocsPermissionNotGranted,
                            permission: Some((*p).to_string()),
                            subject: subject.clone(),
                            sides: vec![
                                side(src, format!("{} lists {p}", page.slug)),
                                side("permissions", "does not grant it here".into()),
                            ],
                            resolution: "not shown as a grant".into(),
                            source_age: None,
                        });
                    }
                    // A blank least privileged cell names no least privileged one.
                    let Some(first) = row.least_privileged().first() else {
                        continue;
                    };
                    if !g.least.is_empty() && !g.least.contains(first.as_str()) {
                        // Filed under permissions.json's least-privileged choice, whose
                        // page is where a reader needs to see the disagreement.
                        for p in g.least.iter() {
                            conflicts.push(Conflict {
                                kind: ConflictKind::DocsLeastPrivilegedMismatch,
                                permission: Some(p.to_string()),
                                subject: subject.clone(),
                                sides: vec![
                                    side(src, format!("least privileged: {first}")),
                                    side("permissions", format!("least privileged: {p}")),
                                ],
                                resolution: "permissions.json's choice marked".into(),
                                source_age: None,
                            });
                        }
                    }
                }
            }
        }
    }
    (conflicts, compared)
}

/// The key of the pattern that matches a concrete request path with the most literal
/// segments (ties: the smallest key). A placeholder matches one plain segment, never
/// `$ref`, `$value`, `$count`, a cast or a function call.
fn best_match<'a>(
    request: &CanonicalPath,
    patterns: impl Iterator<Item = &'a Arc<CanonicalPath>>,
) -> Option<String> {
    let fits = |pattern: &CanonicalPath| {
        pattern.segments().len() == request.segments().len()
            && pattern
                .segments()
                .iter()
                .zip(request.segments())
                .all(|(p, r)| match (p, r) {
                    (Segment::Placeholder, Segment::Literal(l)) => !l.starts_with('$'),
                    (p, r) => p == r,
                })
    };
    patterns
        .filter(|p| fits(p))
        .map(|p| {
            let literal = p.segments().iter().filter(|s| s.is_literal()).count();
            (std::cmp::Reverse(literal), p.key())
        })
        .min()
        .map(|(_, key)| key.to_string())
}

pub(super) fn side(source: &str, value: String) -> ConflictSide {
    ConflictSide {
        source: source.to_string(),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::path::canonicalize;

    #[test]
    fn a_concrete_request_meets_the_most_literal_pattern() {
        let patterns: Vec<Arc<CanonicalPath>> = [
            "/users/{id}/messages/{id}",
            "/users/{id}/messages/delta",
            "/users/{id}/{x}/{y}",
        ]
        .iter()
        .map(|p| Arc::new(canonicalize(p)))
        .collect();
        // `$count` is not a value a placeholder stands for.
        for (request, pattern) in [
            (
                "/users/87d349ed/messages/AAMk=",
                Some("/users/{}/messages/{}"),
            ),
            (
                "/users/a@contoso.com/messages/delta",
                Some("/users/{}/messages/delta"),
            ),
            ("/users/a/messages/$count", None),
            ("/users/a/messages", None),
        ] {
            let found = best_match(&canonicalize(request), patterns.iter());
            assert_eq!(found.as_deref(), pattern, "{request}");
        }
    }
}
