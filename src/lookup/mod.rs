//! Reverse lookup: a request URL or a PowerShell cmdlet in, the permissions that allow
//! it out, least privileged first. One structure, [`PathTrie`], matches concrete
//! request paths against the catalog's endpoint templates; the site's lookup page walks
//! the same trie, serialized.

pub mod index;
mod trie;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use trie::PathTrie;

use crate::link::path::canonicalize;
use crate::model::{ApiVersion, Catalog, Scheme};

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// HTTP method, upper case.
    pub method: String,
    /// The path as given, without host, version and query.
    pub path: String,
    /// The version named in the URL, if any.
    pub version: Option<ApiVersion>,
}

/// Parses `[METHOD] URL`: a full URL, a `/v1.0` or `/beta` path, or a bare path. The
/// method defaults to GET.
pub fn parse_request(method: Option<&str>, url: &str) -> Request {
    let url = url.trim();
    let without_host = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or("/", |j| &url[i + 3 + j..]),
        None => url,
    };
    let path = without_host.split(['?', '#']).next().unwrap_or_default();
    let path = percent_decode(path);
    let trimmed = path.trim_start_matches('/');
    let (version, rest) = match trimmed.split_once('/') {
        Some((v, rest)) => match ApiVersion::parse(v) {
            Some(v) => (Some(v), format!("/{rest}")),
            None => (None, format!("/{trimmed}")),
        },
        None => match ApiVersion::parse(trimmed) {
            Some(v) => (Some(v), "/".to_string()),
            None => (None, format!("/{trimmed}")),
        },
    };
    Request {
        method: method.unwrap_or("GET").trim().to_ascii_uppercase(),
        path: rest.trim_end_matches('/').to_string(),
        version,
    }
}

/// Decodes `%XX` escapes; malformed escapes stay as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One permission that allows a request under one scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Permission name.
    pub permission: String,
    /// Whether it is the one least-privileged choice for this request and scheme.
    pub least_privileged: bool,
    /// Whether permissions.json flags it least privileged here (see
    /// [`crate::model::Grant::flagged_least`]).
    pub flagged_least: bool,
    /// Privilege level of the permission's scheme, 1–5.
    pub privilege_level: Option<u8>,
    /// Permissions that must be granted as well.
    pub also_requires: Vec<String>,
}

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The request as understood.
    pub request: Request,
    /// The endpoint template matched, as the most readable source spells it.
    pub template: String,
    /// Its canonical key.
    pub key: String,
    /// Versions it exists in.
    pub versions: Vec<ApiVersion>,
    /// Per scheme: the permissions that allow it, least privileged first, then by
    /// privilege level and name.
    pub schemes: BTreeMap<Scheme, Vec<Candidate>>,
    /// Source of the grants.
    pub source: String,
}

/// Why a request found no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Miss {
    /// The request as understood.
    pub request: Request,
    /// Methods the path is known for, when the path matched but not the method.
    pub other_methods: Vec<String>,
    /// Known templates that look most like the path.
    pub closest: Vec<String>,
}

/// Reverse lookup over one catalog.
pub struct Lookup<'c> {
    catalog: &'c Catalog,
    trie: PathTrie,
    /// Grants by (key, method), so each answer reads only its own.
    grants: BTreeMap<(&'c str, &'c str), Vec<&'c crate::model::Grant>>,
}

impl<'c> Lookup<'c> {
    /// Builds the trie of every endpoint.
    pub fn new(catalog: &'c Catalog) -> Lookup<'c> {
        let mut grants: BTreeMap<(&str, &str), Vec<&crate::model::Grant>> = BTreeMap::new();
        for g in &catalog.grants {
            grants
                .entry((g.key.as_str(), g.method.as_str()))
                .or_default()
                .push(g);
        }
        Lookup {
            catalog,
            trie: PathTrie::from_catalog(catalog),
            grants,
        }
    }

    /// The trie, for serializing.
    pub fn trie(&self) -> &PathTrie {
        &self.trie
    }

    /// Answers one request.
    pub fn request(&self, req: &Request) -> Result<Answer, Miss> {
        let c = canonicalize(&req.path);
        let Some(key) = self.trie.find(c.segments()) else {
            return Err(Miss {
                request: req.clone(),
                other_methods: Vec::new(),
                closest: self.closest(c.key()),
            });
        };
        let Some(endpoint) = self.catalog.endpoint(&req.method, key) else {
            let other_methods = self
                .catalog
                .endpoints
                .iter()
                .filter(|e| e.key == key)
                .map(|e| e.method.clone())
                .collect();
            return Err(Miss {
                request: req.clone(),
                other_methods,
                closest: Vec::new(),
            });
        };
        let mut schemes: BTreeMap<Scheme, Vec<Candidate>> = BTreeMap::new();
        let grants = self
            .grants
            .get(&(key, req.method.as_str()))
            .map_or(&[][..], Vec::as_slice);
        for g in grants {
            let level = self
                .catalog
                .permission(&g.permission)
                .and_then(|p| p.schemes.get(&g.scheme))
                .and_then(|s| s.privilege_level);
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
        Ok(Answer {
            request: req.clone(),
            template: endpoint.path.clone(),
            key: key.to_string(),
            versions: endpoint.versions.keys().copied().collect(),
            schemes,
            source: "permissions".into(),
        })
    }

    /// The requests a cmdlet makes, from the command map.
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

    /// Known cmdlet names that look like `name`.
    pub fn closest_cmdlets(&self, name: &str) -> Vec<String> {
        let q = name.to_ascii_lowercase();
        let names: BTreeSet<&str> = self
            .catalog
            .commands
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let mut scored: Vec<(f64, &str)> = names
            .into_iter()
            .map(|n| (strsim::jaro_winkler(&q, &n.to_ascii_lowercase()), n))
            .filter(|(s, _)| *s > 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored
            .into_iter()
            .take(5)
            .map(|(_, n)| n.to_string())
            .collect()
    }

    /// Templates that look most like a canonical key.
    fn closest(&self, key: &str) -> Vec<String> {
        let mut scored: Vec<(f64, &str)> = self
            .catalog
            .endpoints
            .iter()
            .map(|e| (strsim::normalized_levenshtein(key, &e.key), e.path.as_str()))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, p) in scored {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(p)) {
                out.push(p.to_string());
            }
            if out.len() == 5 {
                break;
            }
        }
        out
    }
}

/// The smallest set of permissions of one scheme that allows every answer, fewest
/// first, then lowest total privilege, then by name; `None` when some request has no
/// permission of that scheme.
pub fn cover(answers: &[Answer], scheme: Scheme) -> Option<Vec<String>> {
    let mut sets: Vec<BTreeSet<&str>> = Vec::new();
    let mut levels: BTreeMap<&str, u32> = BTreeMap::new();
    for a in answers {
        let list = a.schemes.get(&scheme)?;
        if list.is_empty() {
            return None;
        }
        sets.push(list.iter().map(|c| c.permission.as_str()).collect());
        for c in list {
            levels.insert(&c.permission, u32::from(c.privilege_level.unwrap_or(6)));
        }
    }
    let candidates: Vec<&str> = levels.keys().copied().collect();
    // Lower total privilege first; between equals, fewer picks that are nowhere the
    // least privileged choice.
    let least: BTreeSet<&str> = answers
        .iter()
        .filter_map(|a| a.schemes.get(&scheme))
        .flatten()
        .filter(|c| c.least_privileged)
        .map(|c| c.permission.as_str())
        .collect();
    let cost = |pick: &[&str]| {
        let level: u32 = pick.iter().map(|p| levels[p]).sum();
        let not_least = pick.iter().filter(|p| !least.contains(*p)).count();
        (level, not_least)
    };
    // Exact search by size for the usual handful of requests; greedy beyond that.
    if candidates.len() <= 24 {
        for size in 1..=sets.len().min(candidates.len()) {
            let mut best: Option<Vec<&str>> = None;
            combinations(&candidates, size, &mut Vec::new(), 0, &mut |pick| {
                if sets.iter().all(|s| pick.iter().any(|p| s.contains(p))) {
                    let better = match &best {
                        None => true,
                        Some(b) => (cost(pick), pick) < (cost(b), b.as_slice()),
                    };
                    if better {
                        best = Some(pick.to_vec());
                    }
                }
            });
            if let Some(b) = best {
                return Some(b.into_iter().map(str::to_string).collect());
            }
        }
    }
    let mut left: Vec<&BTreeSet<&str>> = sets.iter().collect();
    let mut pick = Vec::new();
    while !left.is_empty() {
        let best = candidates
            .iter()
            .max_by(|a, b| {
                let n = |p: &&str| left.iter().filter(|s| s.contains(p)).count();
                n(a).cmp(&n(b))
                    .then_with(|| levels[*b].cmp(&levels[*a]))
                    .then_with(|| b.cmp(a))
            })
            .copied()?;
        left.retain(|s| !s.contains(best));
        pick.push(best.to_string());
    }
    pick.sort();
    Some(pick)
}

fn combinations<'a>(
    items: &[&'a str],
    size: usize,
    current: &mut Vec<&'a str>,
    start: usize,
    f: &mut dyn FnMut(&[&'a str]),
) {
    if current.len() == size {
        f(current);
        return;
    }
    for i in start..items.len() {
        current.push(items[i]);
        combinations(items, size, current, i + 1, f);
        current.pop();
    }
}

const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/// Whether an argument names a PowerShell cmdlet rather than a path: no `/`, and a noun
/// after the first `-` that starts with `Mg`.
pub fn is_cmdlet(arg: &str) -> bool {
    !arg.contains('/')
        && arg.split_once('-').is_some_and(|(verb, noun)| {
            !verb.is_empty() && noun.to_ascii_lowercase().starts_with("mg")
        })
}

/// A cmdlet the command map does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownCmdlet {
    /// The name given.
    pub cmdlet: String,
    /// Known names that look like it.
    pub closest: Vec<String>,
}

/// Everything `permcat which` answers for a list of arguments; the site's lookup page
/// computes the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One per request that matched.
    pub answers: Vec<Answer>,
    /// One per request that did not.
    pub misses: Vec<Miss>,
    /// Cmdlets not in the command map.
    pub unknown_cmdlets: Vec<UnknownCmdlet>,
    /// With several answers: per scheme, the fewest permissions that allow them all.
    pub cover: Vec<(Scheme, Option<Vec<String>>)>,
}

impl Lookup<'_> {
    /// Answers arguments as the command line takes them: a method (GET, POST, …) applies
    /// to the URLs after it, GET by default; cmdlets stand for the requests they make.
    pub fn query(&self, args: &[String]) -> anyhow::Result<Report> {
        let mut method: Option<String> = None;
        let mut requests = Vec::new();
        let mut unknown_cmdlets = Vec::new();
        let mut any = false;
        for arg in args.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            let upper = arg.to_ascii_uppercase();
            if METHODS.contains(&upper.as_str()) {
                method = Some(upper);
                continue;
            }
            any = true;
            // `"POST /me/sendMail"` as one argument, as requests are written in the docs:
            // the method applies to this request only.
            if let Some((m, rest)) = arg.split_once(char::is_whitespace) {
                let m = m.to_ascii_uppercase();
                if METHODS.contains(&m.as_str()) {
                    requests.push(parse_request(Some(&m), rest.trim()));
                    continue;
                }
            }
            if is_cmdlet(arg) {
                let found = self.cmdlet(arg);
                if found.is_empty() {
                    unknown_cmdlets.push(UnknownCmdlet {
                        closest: self.closest_cmdlets(arg),
                        cmdlet: arg.to_string(),
                    });
                }
                requests.extend(found);
            } else {
                requests.push(parse_request(method.as_deref(), arg));
            }
        }
        if !any {
            anyhow::bail!(
                "no request given: pass a URL such as /me/messages or a cmdlet such as Get-MgUser"
            );
        }
        let mut answers = Vec::new();
        let mut misses = Vec::new();
        for r in &requests {
            match self.request(r) {
                Ok(a) => answers.push(a),
                Err(m) => misses.push(m),
            }
        }
        let cover = if answers.len() > 1 {
            Scheme::ALL
                .iter()
                .map(|s| (*s, cover(&answers, *s)))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Report {
            answers,
            misses,
            unknown_cmdlets,
            cover,
        })
    }
}
