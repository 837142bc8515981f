//! Reverse lookup: a request URL or a PowerShell cmdlet in, the permissions that allow
//! it out, least privileged first. One structure, [`PathTrie`], matches concrete
//! request paths against the catalog's endpoint templates; the site's lookup page walks
//! the same trie, serialized.

pub mod index;
mod trie;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use trie::PathTrie;

use crate::link::path::{canonicalize, Segment};
use crate::model::{ApiVersion, Catalog, PermissionType, Scheme};

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

/// How a request was answered when no template spells it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViaKind {
    /// `/sites/{hostname}:/{path}:` answered as `/sites/{id}`.
    Site,
    /// A type cast left out.
    Cast,
    /// A trailing `$value`, `$ref` or `$count` answered as the navigation before it.
    Navigation,
    /// `/me/…` answered as `/users/{id}/…`.
    Users,
    /// `/users/{id}/…` answered as `/me/…`.
    Me,
}

/// One step from the request to the template that answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Via {
    /// What changed.
    pub kind: ViaKind,
    /// The same, in words.
    pub note: String,
}

/// Why Application answers are left out of `/me` requests.
pub const NO_SIGNED_IN_USER: &str = "not usable with application permissions (no signed-in user)";

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
    /// Schemes that cannot make this request at all, and why (Application on `/me`).
    pub not_usable: BTreeMap<Scheme, String>,
    /// When the template is not the request's own: how the request was read.
    pub via: Vec<Via>,
    /// Source of the grants.
    pub source: String,
}

/// Why a request found no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Miss {
    /// The request as understood.
    pub request: Request,
    /// Always `null`: no template answers the request.
    pub template: Option<String>,
    /// Methods the path is known for, when the path matched but not the method.
    pub other_methods: Vec<String>,
    /// The template `other_methods` belong to, when it is not the request's own (the
    /// navigation before `$ref`, the `/users/{id}` form of `/me`).
    pub known_path: Option<String>,
    /// Known templates that look most like the path.
    pub closest: Vec<String>,
}

/// `POST /$batch`: JSON batching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Batch {
    /// The request as understood.
    pub request: Request,
    /// `/$batch`.
    pub template: String,
    /// What it needs, in words.
    pub note: String,
}

/// What `$batch` needs, in words.
pub const BATCH_NOTE: &str = "JSON batching needs no permission of its own; each request inside the batch needs its own permission (look each one up)";

/// A permission whose scope or app-role id is the one asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdMatch {
    /// Permission name.
    pub permission: String,
    /// Delegated (an OAuth2 scope) or application (an app role).
    #[serde(rename = "type")]
    pub kind: PermissionType,
    /// The schemes that carry the id.
    pub schemes: Vec<Scheme>,
}

/// A permission id (GUID) and the permissions that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionId {
    /// The id, lower case.
    pub id: String,
    /// The permissions with that id: one, or more when sources share an id.
    pub matches: Vec<IdMatch>,
}

/// Reverse lookup over one catalog.
pub struct Lookup<'c> {
    catalog: &'c Catalog,
    trie: PathTrie,
    /// Grants by (key, method), so each answer reads only its own.
    grants: BTreeMap<(&'c str, &'c str), Vec<&'c crate::model::Grant>>,
    /// Endpoint templates by key, in catalog order, for suggestions.
    templates: BTreeMap<&'c str, Vec<&'c str>>,
    /// Bigrams of every key, for suggestions.
    bigrams: Vec<(&'c str, Vec<u64>)>,
    /// Permissions by scope or app-role id, lower case.
    ids: BTreeMap<String, Vec<IdMatch>>,
}

/// One way of reading a request's segments, and what it changed.
type Reading = (Vec<Segment>, Vec<Via>);

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
        let mut templates: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for e in &catalog.endpoints {
            templates
                .entry(e.key.as_str())
                .or_default()
                .push(e.path.as_str());
        }
        let bigrams = templates
            .keys()
            .map(|k| (*k, bigrams(&truncated(k, SUGGEST_CHARS))))
            .collect();
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
        Lookup {
            catalog,
            trie: PathTrie::from_catalog(catalog),
            grants,
            templates,
            bigrams,
            ids,
        }
    }

    /// The trie, for serializing.
    pub fn trie(&self) -> &PathTrie {
        &self.trie
    }

    /// Permissions by scope or app-role id (lower case), for serializing.
    pub fn ids(&self) -> &BTreeMap<String, Vec<IdMatch>> {
        &self.ids
    }

    /// The permissions that have a scope or app-role id; `None` when the text is not a
    /// GUID.
    pub fn permission_id(&self, text: &str) -> Option<PermissionId> {
        let id = parse_guid(text)?;
        Some(PermissionId {
            matches: self.ids.get(&id).cloned().unwrap_or_default(),
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
            let Some(endpoint) = self.catalog.endpoint(&req.method, key) else {
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
                self.catalog
                    .endpoints
                    .iter()
                    .filter(|e| e.key == key)
                    .map(|e| e.method.clone())
                    .collect(),
                (n > 0).then(|| self.templates[key][0].to_string()),
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
        let grants = self
            .grants
            .get(&(key, method))
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
        schemes
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

    /// Known cmdlet names that look like `name` (its first 128 characters).
    pub fn closest_cmdlets(&self, name: &str) -> Vec<String> {
        let q = truncated(&name.to_ascii_lowercase(), 128);
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

    /// Templates that look most like a canonical key: the keys sharing the most
    /// character pairs with it (Dice), then the best of those by normalized
    /// Levenshtein distance. Both compare the first [`SUGGEST_CHARS`] characters only,
    /// so a long path costs no more than a short one.
    fn closest(&self, key: &str) -> Vec<String> {
        let q = truncated(key, SUGGEST_CHARS);
        let qb = bigrams(&q);
        let mut pre: Vec<(f64, &str)> = self
            .bigrams
            .iter()
            .map(|(k, b)| (dice(&qb, b), *k))
            .collect();
        pre.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let mut scored: Vec<(f64, &str)> = Vec::new();
        for (_, k) in pre.into_iter().take(SUGGEST_SHORTLIST) {
            let score = strsim::normalized_levenshtein(&q, &truncated(k, SUGGEST_CHARS));
            scored.extend(self.templates[k].iter().map(|p| (score, *p)));
        }
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

/// How many characters of a path suggestions compare.
pub const SUGGEST_CHARS: usize = 256;

/// How many keys the character-pair filter passes on to the edit distance.
const SUGGEST_SHORTLIST: usize = 40;

/// The first `n` characters.
fn truncated(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The distinct pairs of adjacent characters, sorted.
fn bigrams(s: &str) -> Vec<u64> {
    let chars: Vec<u64> = s.chars().map(|c| u64::from(u32::from(c))).collect();
    let mut out: Vec<u64> = chars.windows(2).map(|w| (w[0] << 21) | w[1]).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Dice's coefficient of two sorted sets.
fn dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (2 * both) as f64 / (a.len() + b.len()) as f64
}

fn literal(s: &str) -> Segment {
    Segment::Literal(s.to_string())
}

/// Whether a path is the signed-in user's: `/me` or below it.
fn is_me(segments: &[Segment]) -> bool {
    segments.first() == Some(&literal("me"))
}

/// The ways of reading a request's segments, in the order they are tried: as given
/// first, then with each combination of the rewrites that apply (a SharePoint site
/// path as a site id, type casts left out, a trailing `$value`/`$ref`/`$count` left
/// out, `/me` ↔ `/users/{id}`), fewest and mildest first.
fn readings(segments: &[Segment]) -> Vec<Reading> {
    let mut out = Vec::new();
    for mask in 0u8..16 {
        let mut segs = segments.to_vec();
        let mut via = Vec::new();
        let mut applies = true;
        if mask & 1 != 0 {
            // `/sites/contoso.sharepoint.com:/sites/hr:` names a site, as an id does.
            let mut changed = false;
            for i in 1..segs.len() {
                if segs[i - 1] == literal("sites")
                    && matches!(segs[i], Segment::ItemPath { base: Some(_) })
                {
                    segs[i] = Segment::Placeholder;
                    changed = true;
                }
            }
            applies &= changed;
            via.push(Via {
                kind: ViaKind::Site,
                note:
                    "answered as /sites/{id}/… — hostname:/path: addresses a site, as its id does"
                        .into(),
            });
        }
        if mask & 2 != 0 {
            let casts: Vec<String> = segs
                .iter()
                .filter_map(|s| match s {
                    Segment::Cast(c) => Some(c.clone()),
                    _ => None,
                })
                .collect();
            applies &= !casts.is_empty();
            segs.retain(|s| !matches!(s, Segment::Cast(_)));
            via.push(Via {
                kind: ViaKind::Cast,
                note: format!(
                    "answered without the type cast {} — a cast narrows the result, not the permission",
                    casts.join(", ")
                ),
            });
        }
        if mask & 4 != 0 {
            let last = match segs.last() {
                Some(Segment::Literal(s)) if ["$value", "$ref", "$count"].contains(&s.as_str()) => {
                    Some(s.clone())
                }
                _ => None,
            };
            applies &= last.is_some() && segs.len() > 1;
            if let Some(last) = last {
                segs.pop();
                via.push(Via {
                    kind: ViaKind::Navigation,
                    note: format!(
                        "answered as the navigation before {last}, which has no template of its own"
                    ),
                });
            }
        }
        if mask & 8 != 0 {
            if is_me(&segs) {
                segs.splice(0..1, [literal("users"), Segment::Placeholder]);
                via.push(Via {
                    kind: ViaKind::Users,
                    note: "answered as /users/{id}/… — /me is the signed-in user".into(),
                });
            } else if segs.first() == Some(&literal("users"))
                && segs.get(1).is_some_and(trie::value_like)
            {
                segs.splice(0..2, [literal("me")]);
                via.push(Via {
                    kind: ViaKind::Me,
                    note: "answered as /me/… — only the signed-in user's form is known; another user's data may need a broader permission".into(),
                });
            } else {
                applies = false;
            }
        }
        if applies {
            out.push((segs, via));
        }
    }
    out
}

/// A GUID, lower case, with or without braces.
pub fn parse_guid(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    let ok = t.len() == 36
        && t.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    ok.then(|| t.to_ascii_lowercase())
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

/// A GUID that is no permission's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownId {
    /// The id, lower case.
    pub id: String,
}

/// What one request (or one argument without a request: an id, an unknown cmdlet) got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// An endpoint template matched.
    Endpoint(Answer),
    /// `POST /$batch`.
    Batch(Batch),
    /// A permission's scope or app-role id.
    Permission(PermissionId),
    /// No template matched.
    Miss(Miss),
    /// A cmdlet the command map does not know.
    UnknownCmdlet(UnknownCmdlet),
    /// A GUID that is no permission's id.
    UnknownId(UnknownId),
}

impl Outcome {
    /// Whether it answers its input (exit 0) rather than failing to (exit 1).
    pub fn answered(&self) -> bool {
        matches!(
            self,
            Outcome::Endpoint(_) | Outcome::Batch(_) | Outcome::Permission(_)
        )
    }
}

/// One entry of a report: the argument it came from and what it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The argument as given (a cmdlet gives one entry per request it makes).
    pub input: String,
    /// What it got.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Everything `permcat which` answers for a list of arguments; the site's lookup page
/// computes the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One per request, in input order, misses included, so each lines up with its
    /// input.
    pub answers: Vec<Entry>,
    /// With several endpoint answers: per scheme, the fewest permissions that allow
    /// them all.
    pub cover: Vec<(Scheme, Option<Vec<String>>)>,
}

impl Report {
    /// The endpoint answers, in order.
    pub fn endpoints(&self) -> impl Iterator<Item = &Answer> {
        self.answers.iter().filter_map(|e| match &e.outcome {
            Outcome::Endpoint(a) => Some(a),
            _ => None,
        })
    }

    /// Whether every input was answered.
    pub fn all_answered(&self) -> bool {
        self.answers.iter().all(|e| e.outcome.answered())
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
