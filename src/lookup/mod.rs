//! Reverse lookup: a request URL or a PowerShell cmdlet in, the permissions that allow
//! it out, least privileged first. One structure, [`PathTrie`], matches concrete
//! request paths against the catalog's endpoint templates; the site's lookup page walks
//! the same trie, serialized.
//!
//! `request` reads what is asked, [`Lookup`] answers it in the shapes of `answer`,
//! trying the other `readings` of a request before `suggest` offers the closest known
//! paths; [`cover()`] picks the fewest permissions for several answers.

mod answer;
mod cover;
pub mod index;
mod keyed;
mod readings;
mod request;
mod suggest;
mod trie;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

pub use answer::{
    Answer, Batch, Candidate, Entry, IdMatch, Miss, NoCmdletSource, Outcome, PermissionId, Report,
    UnknownCmdlet, UnknownId, Via, ViaKind, BATCH_NOTE, NO_SIGNED_IN_USER,
};
pub use cover::cover;
pub use keyed::{KeyEntry, KeyedGrants};
pub use request::{is_cmdlet, parse_guid, parse_request, Request};
pub use suggest::SUGGEST_CHARS;
pub use trie::PathTrie;

use crate::link::path::canonicalize;
use crate::model::{Catalog, Command, PermissionType, Scheme};
use crate::sources::{commands, docs};
use readings::{is_me, literal, readings};
use request::METHODS;
use suggest::key_bigrams;

/// Reverse lookup over one catalog.
pub struct Lookup<'c> {
    catalog: &'c Catalog,
    trie: std::borrow::Cow<'c, PathTrie>,
    /// Each endpoint key's endpoints and grants.
    keyed: Keyed<'c>,
    /// Bigrams of every key, for suggestions; made on the first miss.
    bigrams: OnceLock<Vec<(&'c str, Vec<u64>)>>,
    /// When no cmdlet source is loaded: the files that would bring one.
    cmdlet_sources_missing: Vec<String>,
    /// Permissions by scope or app-role id, lower case; made on the first GUID asked.
    ids: OnceLock<BTreeMap<String, Vec<IdMatch>>>,
}

/// Where a lookup finds a key's endpoints and grants.
enum Keyed<'c> {
    /// A linked catalog: its endpoints are sorted by key, its grants indexed by key.
    Catalog(BTreeMap<&'c str, Vec<&'c crate::model::Grant>>),
    /// The catalog cache's lookup section: each key decoded when first reached.
    Section(&'c KeyedGrants),
}

impl<'c> Lookup<'c> {
    /// Builds the trie of every endpoint.
    pub fn new(catalog: &'c Catalog) -> Lookup<'c> {
        Lookup::build(
            catalog,
            std::borrow::Cow::Owned(PathTrie::from_catalog(catalog)),
            None,
        )
    }

    /// A lookup over what the catalog cache keeps: `catalog` for permissions, commands
    /// and sources (its endpoints and grants are not read), `trie` and `keyed` of the
    /// same linked catalog for the endpoints and grants of each key.
    pub fn with_keyed(
        catalog: &'c Catalog,
        trie: &'c PathTrie,
        keyed: &'c KeyedGrants,
    ) -> Lookup<'c> {
        Lookup::build(catalog, std::borrow::Cow::Borrowed(trie), Some(keyed))
    }

    fn build(
        catalog: &'c Catalog,
        trie: std::borrow::Cow<'c, PathTrie>,
        keyed: Option<&'c KeyedGrants>,
    ) -> Lookup<'c> {
        let keyed = match keyed {
            Some(k) => Keyed::Section(k),
            None => {
                let mut grants: BTreeMap<&str, Vec<&crate::model::Grant>> = BTreeMap::new();
                for g in &catalog.grants {
                    grants.entry(g.key.as_str()).or_default().push(g);
                }
                Keyed::Catalog(grants)
            }
        };
        Lookup {
            catalog,
            trie,
            keyed,
            bigrams: OnceLock::new(),
            ids: OnceLock::new(),
            cmdlet_sources_missing: missing_cmdlet_sources(catalog),
        }
    }

    /// The endpoints of one key (every method), by method.
    fn endpoints_of(&self, key: &str) -> &'c [crate::model::Endpoint] {
        match &self.keyed {
            Keyed::Catalog(_) => {
                let all = &self.catalog.endpoints[..];
                let start = all.partition_point(|e| e.key.as_str() < key);
                let n = all[start..].iter().take_while(|e| e.key == key).count();
                &all[start..start + n]
            }
            Keyed::Section(k) => k.entry(key).map_or(&[][..], |e| &e.endpoints[..]),
        }
    }

    /// The grants of one key and method, in catalog order.
    fn grants_of(&self, key: &str, method: &str) -> Vec<&'c crate::model::Grant> {
        let of_method = |g: &&'c crate::model::Grant| g.method == method;
        match &self.keyed {
            Keyed::Catalog(map) => map
                .get(key)
                .into_iter()
                .flatten()
                .copied()
                .filter(of_method)
                .collect(),
            Keyed::Section(k) => k
                .entry(key)
                .into_iter()
                .flat_map(|e| &e.grants)
                .filter(of_method)
                .collect(),
        }
    }

    /// Every endpoint key with its bigrams, in key order.
    fn bigrams(&self) -> &[(&'c str, Vec<u64>)] {
        self.bigrams.get_or_init(|| {
            let keys: Vec<&'c str> = match &self.keyed {
                Keyed::Catalog(_) => {
                    let mut keys: Vec<&str> = self
                        .catalog
                        .endpoints
                        .iter()
                        .map(|e| e.key.as_str())
                        .collect();
                    keys.dedup();
                    keys
                }
                Keyed::Section(k) => k.keys().iter().map(String::as_str).collect(),
            };
            keys.into_iter().map(|k| (k, key_bigrams(k))).collect()
        })
    }

    /// The catalog it answers from.
    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    /// The trie, for serializing.
    pub fn trie(&self) -> &PathTrie {
        &self.trie
    }

    /// Permissions by scope or app-role id (lower case), for serializing.
    pub fn ids(&self) -> &BTreeMap<String, Vec<IdMatch>> {
        self.ids.get_or_init(|| permission_ids(self.catalog))
    }

    /// The permissions that have a scope or app-role id; `None` when the text is not a
    /// GUID.
    pub fn permission_id(&self, text: &str) -> Option<PermissionId> {
        let id = parse_guid(text)?;
        Some(PermissionId {
            matches: self.ids().get(&id).cloned().unwrap_or_default(),
            id,
        })
    }

    /// Answers one request. When no template spells it, the request is read again
    /// without a trailing `$value`/`$ref`/`$count`, without type casts, with a
    /// SharePoint `hostname:/path:` as a site id, and `/me` ↔ `/users/{id}`; the answer
    /// says which of these it took.
    pub fn request(&self, req: &Request) -> Result<Answer, Box<Miss>> {
        let c = canonicalize(&req.path);
        let mut first_known: Option<(usize, &str)> = None;
        for (n, (segments, via)) in readings(c.segments()).into_iter().enumerate() {
            let Some(key) = self.trie.find(&segments) else {
                continue;
            };
            let Some(endpoint) = self
                .endpoints_of(key)
                .iter()
                .find(|e| e.method == req.method)
            else {
                first_known.get_or_insert((n, key));
                continue;
            };
            let mut schemes = self.candidates(key, &req.method);
            let mut not_usable = BTreeMap::new();
            if is_me(c.segments()) {
                schemes.remove(&Scheme::Application);
                not_usable.insert(Scheme::Application, NO_SIGNED_IN_USER.to_string());
            }
            return Ok(Answer {
                request: req.clone(),
                template: endpoint.path.clone(),
                key: key.to_string(),
                versions: endpoint.versions.keys().copied().collect(),
                schemes,
                not_usable,
                via,
                source: "permissions".into(),
            });
        }
        let (other_methods, known_path, closest) = match first_known {
            Some((n, key)) => (
                self.endpoints_of(key)
                    .iter()
                    .map(|e| e.method.clone())
                    .collect(),
                (n > 0)
                    .then(|| self.endpoints_of(key).first().map(|e| e.path.clone()))
                    .flatten(),
                Vec::new(),
            ),
            None => (Vec::new(), None, self.closest(c.key())),
        };
        Err(Box::new(Miss {
            request: req.clone(),
            template: None,
            other_methods,
            known_path,
            closest,
        }))
    }

    /// The permissions that allow one method on one template, per scheme, least
    /// privileged first, then by privilege level and name.
    pub fn candidates(&self, key: &str, method: &str) -> BTreeMap<Scheme, Vec<Candidate>> {
        let mut schemes: BTreeMap<Scheme, Vec<Candidate>> = BTreeMap::new();
        for g in self.grants_of(key, method) {
            let info = self
                .catalog
                .permission(&g.permission)
                .and_then(|p| p.schemes.get(&g.scheme));
            let level = info.and_then(|s| s.privilege_level);
            let risk_tier = info.and_then(|s| s.tiering.as_ref()).and_then(|t| t.tier);
            let list = schemes.entry(g.scheme).or_default();
            match list.iter_mut().find(|c| c.permission == g.permission) {
                Some(c) => {
                    c.least_privileged |= g.least_privileged;
                    c.flagged_least |= g.flagged_least;
                    for a in &g.also_requires {
                        if !c.also_requires.contains(a) {
                            c.also_requires.push(a.clone());
                        }
                    }
                }
                None => list.push(Candidate {
                    permission: g.permission.clone(),
                    least_privileged: g.least_privileged,
                    flagged_least: g.flagged_least,
                    privilege_level: level,
                    risk_tier,
                    also_requires: g.also_requires.clone(),
                }),
            }
        }
        for list in schemes.values_mut() {
            list.sort_by(|a, b| {
                b.least_privileged
                    .cmp(&a.least_privileged)
                    .then_with(|| {
                        a.privilege_level
                            .unwrap_or(u8::MAX)
                            .cmp(&b.privilege_level.unwrap_or(u8::MAX))
                    })
                    .then_with(|| a.permission.cmp(&b.permission))
            });
        }
        schemes
    }

    /// The requests a cmdlet makes, from the command map or the docs' PowerShell
    /// snippets.
    pub fn cmdlet(&self, name: &str) -> Vec<Request> {
        let mut seen = BTreeSet::new();
        self.catalog
            .commands
            .iter()
            .filter(|c| c.name.eq_ignore_ascii_case(name.trim()))
            .filter(|c| seen.insert((c.method.clone(), c.key.clone())))
            .map(|c| Request {
                method: c.method.clone(),
                path: c.path.clone(),
                version: c.version,
            })
            .collect()
    }
}

impl Lookup<'_> {
    /// Answers one parsed request: `$batch`, or an endpoint.
    pub fn outcome(&self, req: &Request) -> Outcome {
        if canonicalize(&req.path).segments() == [literal("$batch")] {
            if req.method == "POST" {
                return Outcome::Batch(Batch {
                    request: req.clone(),
                    template: "/$batch".into(),
                    note: BATCH_NOTE.into(),
                });
            }
            return Outcome::Miss(Miss {
                request: req.clone(),
                template: None,
                other_methods: vec!["POST".into()],
                known_path: None,
                closest: Vec::new(),
            });
        }
        match self.request(req) {
            Ok(a) => Outcome::Endpoint(a),
            Err(m) => Outcome::Miss(*m),
        }
    }

    /// Answers arguments as the command line takes them: a method (GET, POST, …) applies
    /// to the URLs after it, GET by default; cmdlets stand for the requests they make; a
    /// GUID is a permission's id.
    pub fn query(&self, args: &[String]) -> anyhow::Result<Report> {
        let mut method: Option<String> = None;
        let mut answers = Vec::new();
        let mut any = false;
        for arg in args.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            let upper = arg.to_ascii_uppercase();
            if METHODS.contains(&upper.as_str()) {
                method = Some(upper);
                continue;
            }
            any = true;
            let mut push = |outcome: Outcome| {
                answers.push(Entry {
                    input: arg.to_string(),
                    outcome,
                })
            };
            // `"POST /me/sendMail"` as one argument, as requests are written in the docs:
            // the method applies to this request only.
            if let Some((m, rest)) = arg.split_once(char::is_whitespace) {
                let m = m.to_ascii_uppercase();
                if METHODS.contains(&m.as_str()) {
                    push(self.outcome(&parse_request(Some(&m), rest.trim())));
                    continue;
                }
            }
            if let Some(found) = self.permission_id(arg) {
                push(if found.matches.is_empty() {
                    Outcome::UnknownId(UnknownId { id: found.id })
                } else {
                    Outcome::Permission(found)
                });
            } else if is_cmdlet(arg) && !self.cmdlet_sources_missing.is_empty() {
                push(Outcome::NoCmdletSource(NoCmdletSource {
                    cmdlet: arg.to_string(),
                    sources: self.cmdlet_sources_missing.clone(),
                }));
            } else if is_cmdlet(arg) {
                let found = self.cmdlet(arg);
                if found.is_empty() {
                    push(Outcome::UnknownCmdlet(UnknownCmdlet {
                        closest: self.closest_cmdlets(arg),
                        cmdlet: arg.to_string(),
                    }));
                }
                for r in &found {
                    push(self.outcome(r));
                }
            } else {
                push(self.outcome(&parse_request(method.as_deref(), arg)));
            }
        }
        if !any {
            anyhow::bail!(
                "no request given: pass a URL such as /me/messages or a cmdlet such as Get-MgUser"
            );
        }
        let mut report = Report {
            answers,
            cover: Vec::new(),
        };
        let endpoints: Vec<Answer> = report.endpoints().cloned().collect();
        if endpoints.len() > 1 {
            report.cover = Scheme::ALL
                .iter()
                .map(|s| (*s, cover(&endpoints, *s)))
                .collect();
        }
        Ok(report)
    }
}

/// Where the catalog's cmdlets come from, for people: "the command map" (the primary
/// source) or "the Learn PowerShell snippets"; `None` when neither was read.
pub fn cmdlet_source_label(catalog: &Catalog) -> Option<String> {
    if catalog.sources.contains_key("commands") {
        Some("the command map".into())
    } else if catalog
        .sources
        .keys()
        .any(|k| docs::is_powershell_source(k))
    {
        Some(format!("the {}", docs::POWERSHELL_SOURCE_LABEL))
    } else {
        None
    }
}

/// When the catalog has no cmdlet source (neither the command map nor a PowerShell
/// snippet with a cmdlet was read): the files that would bring one, relative to the data
/// directory. Empty when a source is loaded, even one that gave no cmdlet.
pub fn missing_cmdlet_sources(catalog: &Catalog) -> Vec<String> {
    if cmdlet_source_label(catalog).is_some() {
        Vec::new()
    } else {
        vec![commands::PATH.to_string(), docs::powershell_snippets_dirs()]
    }
}

/// The cmdlets a permission allows: those calling an endpoint it is granted for, and,
/// where permissions.json grants nothing for the cmdlet's request, those whose own
/// permission list names it (the command map's, or the permission table of the docs page
/// a snippet comes from). Sorted by version, name and path; one per cmdlet and request.
pub fn permission_cmdlets<'c>(catalog: &'c Catalog, permission: &str) -> Vec<&'c Command> {
    let granted: BTreeSet<(&str, &str)> = catalog
        .grants_of(permission)
        .map(|g| (g.key.as_str(), g.method.as_str()))
        .collect();
    // The catalog's endpoints are exactly the requests some grant names (the linker
    // makes one per granted method and key, and no other), so "permissions.json grants
    // this request to someone" is a lookup, not a set of every grant built per call.
    let mut out: Vec<&Command> = catalog
        .commands
        .iter()
        .filter(|c| {
            let request = (c.key.as_str(), c.method.as_str());
            granted.contains(&request)
                || (catalog.endpoint(&c.method, &c.key).is_none()
                    && c.permissions.iter().any(|p| p.name == permission))
        })
        .collect();
    order_cmdlets(&mut out);
    out
}

/// The order of a permission's cmdlets, from a list in catalog order: by version,
/// name, path and method (a stable sort, so ties stay in catalog order), each cmdlet
/// of a request kept once.
pub(crate) fn order_cmdlets(out: &mut Vec<&Command>) {
    out.sort_by(|a, b| {
        (a.version, &a.name, &a.path, &a.method).cmp(&(b.version, &b.name, &b.path, &b.method))
    });
    out.dedup_by(|a, b| {
        (a.version, &a.name, &a.key, &a.method) == (b.version, &b.name, &b.key, &b.method)
    });
}

/// Permissions by scope or app-role id (lower case), each with its type and schemes.
fn permission_ids(catalog: &Catalog) -> BTreeMap<String, Vec<IdMatch>> {
    let mut ids: BTreeMap<String, Vec<IdMatch>> = BTreeMap::new();
    for p in &catalog.permissions {
        for kind in [PermissionType::Delegated, PermissionType::Application] {
            let mut by_id: BTreeMap<String, Vec<Scheme>> = BTreeMap::new();
            for s in p.schemes.values().filter(|s| s.scheme.kind() == kind) {
                if let Some(id) = s.id.as_deref().and_then(parse_guid) {
                    by_id.entry(id).or_default().push(s.scheme);
                }
            }
            for (id, schemes) in by_id {
                ids.entry(id).or_default().push(IdMatch {
                    permission: p.name.clone(),
                    kind,
                    schemes,
                });
            }
        }
    }
    ids
}
