//! The lookup index for the site's "Which permission do I need?" page: the same trie
//! the CLI walks, and each endpoint's ranked answer, in a compact JSON the page's
//! script reads. The format is documented in `docs/search-index.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Lookup;
use crate::model::{Catalog, Scheme};

/// Version of the lookup format.
pub const INDEX_VERSION: u32 = 2;

/// The global the lookup script assigns.
pub const GLOBAL: &str = "PERMCAT_LOOKUP";

/// A ranked candidate: `[permission index, flags (1 = permcat's least-privileged
/// choice, 2 = flagged least in permissions.json), privilege level (0 when unknown),
/// also-requires permission indexes]`.
type CandidateRow = (usize, u8, u8, Vec<usize>);

/// A trie node: `[[edge text, child], …]`, placeholder child or -1, key index or -1.
type NodeRow = (Vec<(String, usize)>, i64, i64);

/// A request a cmdlet makes: method, path, version.
type CmdletRow = (String, String, Option<&'static str>);

/// A permission with a scope or app-role id: permission index, `delegated` or
/// `application`, the schemes carrying the id.
type IdRow = (usize, &'static str, Vec<&'static str>);

/// An endpoint's answer: template as shown, versions, candidates per scheme.
type EndpointRow = (String, Vec<&'static str>, Vec<Vec<CandidateRow>>);

/// The lookup index.
#[derive(Debug, Serialize)]
pub struct LookupIndex {
    /// Format version.
    pub v: u32,
    /// Scheme names, in the order the answers use.
    pub schemes: Vec<&'static str>,
    /// Permission names; candidates refer to them by index.
    pub names: Vec<String>,
    /// Page slug of each name when it differs from the name, by index.
    pub slugs: BTreeMap<usize, String>,
    /// The risk tier of each tiered application permission, by index (azure-tiering).
    pub tiers: BTreeMap<usize, u8>,
    /// Trie nodes: `[[[edge text, child], …], placeholder child or -1, key index or -1]`;
    /// the root is node 0.
    pub nodes: Vec<NodeRow>,
    /// Canonical keys of the templates.
    pub keys: Vec<String>,
    /// Answers by `"<key index> <METHOD>"`: `[template as shown, versions,
    /// [candidates per scheme, in `schemes` order]]`.
    pub endpoints: BTreeMap<String, EndpointRow>,
    /// Methods per key index, for "known, but not for this method".
    pub methods: BTreeMap<usize, Vec<String>>,
    /// Cmdlets by lower-case name: `[[method, path, version or null], …]`, in the
    /// command map's order.
    pub cmdlets: BTreeMap<String, Vec<CmdletRow>>,
    /// Permissions by lower-case scope or app-role id: `[[permission index, type,
    /// [schemes]], …]`.
    pub ids: BTreeMap<String, Vec<IdRow>>,
    /// Cmdlet names as the command map spells them, sorted and distinct, for
    /// suggestions.
    pub cmdlet_names: Vec<String>,
    /// Where the cmdlets come from, for people ("the command map"); empty when no
    /// cmdlet source is loaded.
    pub cmdlet_source: String,
    /// When no cmdlet source is loaded: the files that would bring one.
    pub cmdlet_sources_missing: Vec<String>,
}

/// Builds the lookup index.
pub fn build(catalog: &Catalog) -> LookupIndex {
    let lookup = Lookup::new(catalog);
    let names: Vec<String> = catalog.permissions.iter().map(|p| p.name.clone()).collect();
    let id: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let page_slugs = crate::slugs::Slugs::new(catalog);
    let slugs = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let s = page_slugs.get(n);
            (s != *n).then_some((i, s))
        })
        .collect();
    let tiers = catalog
        .permissions
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let t = p.schemes.get(&Scheme::Application)?.tiering.as_ref()?;
            Some((i, t.tier?))
        })
        .collect();
    let trie = lookup.trie();
    let mut keys: Vec<String> = Vec::new();
    let mut key_id: BTreeMap<String, usize> = BTreeMap::new();
    let nodes = trie
        .nodes
        .iter()
        .map(|n| {
            let key = n.key.as_ref().map_or(-1, |k| {
                let next = keys.len();
                let i = *key_id.entry(k.clone()).or_insert(next);
                if i == next {
                    keys.push(k.clone());
                }
                i as i64
            });
            (
                n.children.clone(),
                n.placeholder.map_or(-1, |p| p as i64),
                key,
            )
        })
        .collect();
    let mut endpoints = BTreeMap::new();
    let mut methods: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for e in &catalog.endpoints {
        let Some(&k) = key_id.get(&e.key) else {
            continue;
        };
        methods.entry(k).or_default().push(e.method.clone());
        let schemes = lookup.candidates(&e.key, &e.method);
        let per_scheme = Scheme::ALL
            .iter()
            .map(|s| {
                schemes
                    .get(s)
                    .map(|list| {
                        list.iter()
                            .filter_map(|c| {
                                Some((
                                    *id.get(c.permission.as_str())?,
                                    u8::from(c.least_privileged) | (2 * u8::from(c.flagged_least)),
                                    c.privilege_level.unwrap_or(0),
                                    c.also_requires
                                        .iter()
                                        .filter_map(|a| id.get(a.as_str()).copied())
                                        .collect(),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        endpoints.insert(
            format!("{k} {}", e.method),
            (
                e.path.clone(),
                e.versions.keys().map(|v| v.as_str()).collect(),
                per_scheme,
            ),
        );
    }
    let mut cmdlets: BTreeMap<String, Vec<CmdletRow>> = BTreeMap::new();
    for c in &catalog.commands {
        let list = cmdlets.entry(c.name.to_ascii_lowercase()).or_default();
        let item = (
            c.method.clone(),
            c.path.clone(),
            c.version.map(|v| v.as_str()),
        );
        if !list.contains(&item) {
            list.push(item);
        }
    }
    let ids = lookup
        .ids()
        .iter()
        .map(|(guid, matches)| {
            let rows = matches
                .iter()
                .filter_map(|m| {
                    Some((
                        *id.get(m.permission.as_str())?,
                        m.kind.as_str(),
                        m.schemes.iter().map(|s| s.as_str()).collect(),
                    ))
                })
                .collect();
            (guid.clone(), rows)
        })
        .collect();
    LookupIndex {
        v: INDEX_VERSION,
        schemes: Scheme::ALL.iter().map(|s| s.as_str()).collect(),
        names,
        slugs,
        tiers,
        nodes,
        keys,
        endpoints,
        methods,
        cmdlets,
        ids,
        cmdlet_names: catalog
            .commands
            .iter()
            .map(|c| c.name.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        cmdlet_source: super::cmdlet_source_label(catalog).unwrap_or_default(),
        cmdlet_sources_missing: super::missing_cmdlet_sources(catalog),
    }
}
