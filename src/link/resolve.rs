//! Resolves a canonical request path to the CSDL type it returns, by walking entity
//! sets, singletons, navigation and structural properties, casts and bound operations.

use crate::hash::HashMap;
use std::sync::Mutex;

use super::path::Segment;
use crate::model::ApiVersion;
use crate::sources::csdl::{Csdl, StructuredType};
use crate::sources::typemap::{TypeMap, TypeNames};

/// What a path returns: a type by full name, one or many, or nothing; and what the
/// operation it ends in is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    /// Full CSDL name, e.g. `microsoft.graph.user`; an `Edm.*` name for primitives.
    /// Empty when the path ends in an action that returns nothing (`returns_nothing`) or
    /// in an operation only matched by name, whose return type no source gives.
    pub type_name: String,
    /// Whether the path returns a collection.
    pub is_collection: bool,
    /// Whether the path ends in an action declared without a return type.
    pub returns_nothing: bool,
    /// When the path ends in a bound action or function: the full name of the type the
    /// path reached before it, which the operation acts on.
    pub bound_to: Option<String>,
}

impl Resolved {
    /// A value of a type, reached by anything but an operation.
    pub fn of(type_name: impl Into<String>, is_collection: bool) -> Resolved {
        Resolved {
            type_name: type_name.into(),
            is_collection,
            ..Resolved::default()
        }
    }

    /// The type returned and whether it is a collection; `None` when nothing is
    /// returned or what is returned is unknown.
    pub fn returned(&self) -> Option<(&str, bool)> {
        (!self.type_name.is_empty()).then_some((self.type_name.as_str(), self.is_collection))
    }

    /// An operation bound to `cur` whose return type no source gives.
    fn untyped_operation(cur: &Resolved) -> Resolved {
        Resolved {
            bound_to: Some(cur.type_name.clone()),
            ..Resolved::default()
        }
    }
}

/// Lower-cased lookup tables over one CSDL document, built once per link.
pub struct Resolver<'c> {
    csdl: &'c Csdl,
    /// Entity sets and singletons by lower-case name → (type, collection).
    roots: HashMap<String, (String, bool)>,
    /// Structured types by lower-case full name.
    types: HashMap<String, &'c StructuredType>,
    /// Members each type declares (navigation properties win over structural ones of
    /// the same name), by lower-case full name, then lower-case member name.
    members: HashMap<String, HashMap<String, (String, bool)>>,
    /// Lower-case base type of each type that has one.
    bases: HashMap<String, String>,
    /// Types directly derived from each type, by lower-case full name.
    children: HashMap<String, Vec<String>>,
    /// (lower-case binding type, binding is collection, lower-case short name) → return.
    operations: HashMap<(String, bool, String), Option<(String, bool)>>,
}

impl<'c> Resolver<'c> {
    /// Indexes a CSDL document.
    pub fn new(csdl: &'c Csdl) -> Resolver<'c> {
        let mut roots = HashMap::default();
        for e in csdl.entity_sets.values() {
            roots.insert(e.name.to_ascii_lowercase(), (e.type_name.clone(), true));
        }
        for s in csdl.singletons.values() {
            roots.insert(s.name.to_ascii_lowercase(), (s.type_name.clone(), false));
        }
        let types: HashMap<String, &StructuredType> = csdl
            .entity_types
            .values()
            .chain(csdl.complex_types.values())
            .map(|t| (t.full_name.to_ascii_lowercase(), t))
            .collect();
        let mut members = HashMap::default();
        let mut bases = HashMap::default();
        let mut children: HashMap<String, Vec<String>> = HashMap::default();
        for (lower, t) in &types {
            let mut m = HashMap::default();
            for p in &t.properties {
                m.insert(
                    p.name.to_ascii_lowercase(),
                    (p.type_name.clone(), p.is_collection),
                );
            }
            for n in &t.navigation_properties {
                m.insert(
                    n.name.to_ascii_lowercase(),
                    (n.type_name.clone(), n.is_collection),
                );
            }
            members.insert(lower.clone(), m);
            if let Some(base) = &t.base_type {
                let base = base.to_ascii_lowercase();
                children
                    .entry(base.clone())
                    .or_default()
                    .push(lower.clone());
                bases.insert(lower.clone(), base);
            }
        }
        for list in children.values_mut() {
            list.sort();
        }
        let mut operations = HashMap::default();
        for op in csdl.functions.iter().chain(&csdl.actions) {
            let Some(binding) = &op.binding else { continue };
            let ret = op
                .return_type
                .as_ref()
                .map(|r| (r.type_name.clone(), r.is_collection));
            operations
                .entry((
                    binding.type_name.to_ascii_lowercase(),
                    binding.is_collection,
                    op.name.to_ascii_lowercase(),
                ))
                .or_insert(ret);
        }
        Resolver {
            csdl,
            roots,
            types,
            members,
            bases,
            children,
            operations,
        }
    }

    /// Whether the document knows a structured type (any case).
    pub fn has_type(&self, full_name: &str) -> bool {
        self.types.contains_key(&full_name.to_ascii_lowercase())
    }

    /// Walks `segments` from the entity container; `None` when a step is unknown.
    pub fn resolve(&self, segments: &[Segment]) -> Option<Resolved> {
        match self.resolve_prefix(segments) {
            Some((r, n)) if n == segments.len() => Some(r),
            _ => None,
        }
    }

    /// Walks as far as the schema allows: the type reached and how many segments it took;
    /// `None` when not even the first segment is known.
    pub fn resolve_prefix(&self, segments: &[Segment]) -> Option<(Resolved, usize)> {
        let (first, rest) = segments.split_first()?;
        let (name, keyed) = match first {
            Segment::Literal(name) => (name, false),
            // `users(userPrincipalName='…')`: an alternate key on an entity set.
            Segment::Call { name, .. } => (name, true),
            _ => return None,
        };
        let (t, coll) = self.roots.get(name.as_str())?;
        let mut cur = Resolved::of(t.clone(), *coll && !keyed);
        let mut taken = 1;
        for seg in rest {
            match self.step(&cur, seg) {
                Some(next) => cur = next,
                None => break,
            }
            taken += 1;
        }
        Some((cur, taken))
    }

    /// One step from `cur`, if the schema knows it.
    pub fn step_from(&self, cur: &Resolved, seg: &Segment) -> Option<Resolved> {
        self.types
            .contains_key(&cur.type_name.to_ascii_lowercase())
            .then(|| self.step(cur, seg))
            .flatten()
    }

    fn step(&self, cur: &Resolved, seg: &Segment) -> Option<Resolved> {
        // Nothing follows an action that returns nothing.
        cur.returned()?;
        match seg {
            Segment::Placeholder => cur
                .is_collection
                .then(|| Resolved::of(cur.type_name.clone(), false)),
            Segment::Literal(name) if matches!(name.as_str(), "$ref" | "$count" | "$value") => {
                Some(Resolved::of(cur.type_name.clone(), cur.is_collection))
            }
            Segment::Literal(name) => self
                .member(&cur.type_name, name, cur.is_collection)
                .or_else(|| self.operation(cur, name)),
            Segment::Call { name, .. } => self.operation(cur, name).or_else(|| {
                // An alternate key on a collection-valued navigation property.
                self.member(&cur.type_name, name, cur.is_collection)
                    .map(|r| Resolved::of(r.type_name, false))
            }),
            Segment::Cast(name) => {
                let t = self.csdl.find_type(name)?;
                Some(Resolved::of(t.full_name(), cur.is_collection))
            }
            // `root:/path:` and `{id}:/path:` address one drive item.
            Segment::ItemPath { .. } => {
                let t = self.csdl.find_type("microsoft.graph.driveItem")?;
                Some(Resolved::of(t.full_name(), false))
            }
        }
    }

    /// A navigation or structural property of a single instance of `type_name` (or of a
    /// type derived from it, since Graph paths often skip the cast).
    fn member(&self, type_name: &str, name: &str, on_collection: bool) -> Option<Resolved> {
        if on_collection {
            return None;
        }
        let lower = type_name.to_ascii_lowercase();
        // Declared here or on a base type; the chain is cut after 64 steps in case the
        // schema's inheritance loops.
        let lookup = |start: &str| {
            let mut t = start.to_string();
            for _ in 0..64 {
                if let Some((ty, coll)) = self.members.get(&t).and_then(|m| m.get(name)) {
                    return Some(Resolved::of(ty.clone(), *coll));
                }
                t = self.bases.get(&t)?.clone();
            }
            None
        };
        lookup(&lower).or_else(|| {
            // Declared on a derived type, breadth first.
            let mut queue: std::collections::VecDeque<&String> =
                self.children.get(&lower)?.iter().collect();
            let mut seen = crate::hash::HashSet::default();
            while let Some(t) = queue.pop_front() {
                if !seen.insert(t) {
                    continue;
                }
                if let Some(found) = self.members.get(t).and_then(|m| m.get(name)) {
                    return Some(Resolved::of(found.0.clone(), found.1));
                }
                queue.extend(self.children.get(t).into_iter().flatten());
            }
            None
        })
    }

    /// A bound function or action named `name` on the current value or a base type.
    fn operation(&self, cur: &Resolved, name: &str) -> Option<Resolved> {
        let chain: Vec<String> = match self.types.get(&cur.type_name.to_ascii_lowercase()) {
            Some(t) => self
                .csdl
                .base_chain(&t.full_name)
                .into_iter()
                .map(|b| b.full_name.to_ascii_lowercase())
                .collect(),
            None => vec![cur.type_name.to_ascii_lowercase()],
        };
        for t in chain {
            let key = (t, cur.is_collection, name.to_string());
            if let Some(ret) = self.operations.get(&key) {
                // What the operation returns, never the type it is bound to: an action
                // without a return type returns nothing.
                let bound_to = Some(cur.type_name.clone());
                return Some(match ret {
                    Some((t, coll)) => Resolved {
                        bound_to,
                        ..Resolved::of(t.clone(), *coll)
                    },
                    None => Resolved {
                        returns_nothing: true,
                        bound_to,
                        ..Resolved::default()
                    },
                });
            }
        }
        None
    }
}

/// Where a resolution came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Every step was found in a CSDL schema.
    Schema,
    /// Some steps were matched by name in the type maps, which list member names but not
    /// their types: the target type is the one named like the segment.
    NameMatch,
}

/// Continues a walk the schemas cannot finish, using the type maps' member names and
/// matching each segment to the type named like it (`managedTenants` →
/// `microsoft.graph.managedTenants.managedTenant`). Used only when the schemas in the
/// snapshot are older than the permissions, which is the common case for beta.
pub struct NameMatcher<'t> {
    /// Lower-case full name → (full name, members: lower case → as spelled).
    types: HashMap<String, (String, HashMap<String, String>)>,
    /// Lower-case simple name → lower-case full names having it.
    by_simple: HashMap<String, Vec<String>>,
    /// Lower-case namespace → (lower-case simple name, lower-case full name) of its
    /// types, so the guesses within the owner's namespace look at that namespace only
    /// rather than at every type of every map.
    by_namespace: HashMap<String, Vec<(String, String)>>,
    maps: Vec<(ApiVersion, &'t TypeMap)>,
    /// Guesses already made, by (segment as spelled, lower-case owner type). A guess
    /// depends on its key alone, so the walks on every thread share it whatever their
    /// order.
    memo: Mutex<HashMap<(String, String), Option<Resolved>>>,
}

impl<'t> NameMatcher<'t> {
    /// Indexes type maps, most trusted first.
    pub fn new(maps: Vec<(ApiVersion, &'t TypeMap)>) -> NameMatcher<'t> {
        let mut types: HashMap<String, (String, HashMap<String, String>)> = HashMap::default();
        let mut by_simple: HashMap<String, Vec<String>> = HashMap::default();
        for (_, map) in &maps {
            for (full, names) in &map.types {
                let lower = full.to_ascii_lowercase();
                let entry = types.entry(lower.clone()).or_insert_with(|| {
                    let simple = lower.rsplit('.').next().unwrap_or_default().to_string();
                    by_simple.entry(simple).or_default().push(lower.clone());
                    (full.clone(), HashMap::default())
                });
                entry.1.extend(
                    names
                        .navigation_properties
                        .iter()
                        .chain(&names.properties)
                        .map(|n| (n.to_ascii_lowercase(), n.clone())),
                );
            }
        }
        for list in by_simple.values_mut() {
            list.sort();
        }
        let mut by_namespace: HashMap<String, Vec<(String, String)>> = HashMap::default();
        for full in types.keys() {
            if let Some((ns, simple)) = full.rsplit_once('.') {
                by_namespace
                    .entry(ns.to_string())
                    .or_default()
                    .push((simple.to_string(), full.clone()));
            }
        }
        NameMatcher {
            types,
            by_simple,
            by_namespace,
            maps,
            memo: Mutex::new(HashMap::default()),
        }
    }

    /// The type map entry of a type, from the most trusted map that has it, with that
    /// map's version.
    pub fn type_names(&self, full_name: &str) -> Option<(ApiVersion, &'t TypeNames)> {
        self.maps
            .iter()
            .find_map(|(v, m)| m.types.get(full_name).map(|t| (*v, t)))
    }

    /// Resolves `segments`, starting with the longest prefix a schema resolves and
    /// matching the rest by name. `None` when a segment matches nothing.
    pub fn resolve(&self, schemas: &[&Resolver<'_>], segments: &[Segment]) -> Option<Resolved> {
        // Each schema's walk is a starting point, the longest first (the most trusted
        // schema on ties): an old schema may name a type the type maps know differently.
        let mut starts: Vec<(Resolved, usize)> = schemas
            .iter()
            .filter_map(|r| r.resolve_prefix(segments))
            .collect();
        starts.sort_by_key(|(_, taken)| std::cmp::Reverse(*taken));
        if starts.is_empty() {
            let Some(Segment::Literal(first)) = segments.first() else {
                return None;
            };
            starts.push((self.guess(first, None)?, 1));
        }
        starts
            .into_iter()
            .find_map(|(cur, taken)| self.continue_walk(schemas, segments, cur, taken))
    }

    fn continue_walk(
        &self,
        schemas: &[&Resolver<'_>],
        segments: &[Segment],
        mut cur: Resolved,
        taken: usize,
    ) -> Option<Resolved> {
        for (i, seg) in segments.iter().enumerate().skip(taken) {
            let last = i + 1 == segments.len();
            if let Some(next) = schemas.iter().find_map(|r| r.step_from(&cur, seg)) {
                cur = next;
                continue;
            }
            // Nothing follows an action, nor an operation matched by name only.
            cur.returned()?;
            cur = match seg {
                Segment::Placeholder if cur.is_collection => Resolved::of(cur.type_name, false),
                Segment::Literal(l) if matches!(l.as_str(), "$ref" | "$count" | "$value") => {
                    Resolved::of(cur.type_name, cur.is_collection)
                }
                Segment::Literal(name) => {
                    let lower = cur.type_name.to_ascii_lowercase();
                    let member = self
                        .types
                        .get(&lower)
                        .and_then(|(_, members)| members.get(name.as_str()));
                    // A name the type map does not list may be an action, a function or
                    // a navigation property it lacks: nothing says which, nor what it
                    // returns, and the type reached so far is not the answer.
                    let spelled = member?;
                    self.member_type(name, spelled, &lower)?
                }
                // A call at the end is a function or action acting on the type reached;
                // what it returns, the type maps do not say.
                Segment::Call { .. } if last => Resolved::untyped_operation(&cur),
                Segment::Cast(name) => {
                    let (full, _) = self.types.get(name.as_str())?;
                    Resolved::of(full.clone(), cur.is_collection)
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The type of member `name` (`spelled` as the type map does) of `owner`, a
    /// lower-case full type name; guessed once and remembered.
    fn member_type(&self, name: &str, spelled: &str, owner: &str) -> Option<Resolved> {
        let key = (spelled.to_string(), owner.to_string());
        if let Some(known) = self.memo().get(&key) {
            return known.clone();
        }
        let found = self
            .guess(name, Some(owner))
            .or_else(|| self.guess_by_words(spelled, owner));
        self.memo().insert(key, found.clone());
        found
    }

    /// The guesses made so far. A poisoned lock only means another walk panicked; the
    /// entries are whole.
    fn memo(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Option<Resolved>>> {
        self.memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The type a member or root segment named `name` most likely has, `owner` being
    /// the lower-case full name of the type it belongs to: named like it, singular
    /// first, then prefixed with the owner's name (`user` + `cloudLicensing`), then with
    /// `Root` appended; in the owner's namespace, in a namespace named like the segment,
    /// or in `microsoft.graph` — never in an unrelated namespace.
    fn guess(&self, name: &str, owner: Option<&str>) -> Option<Resolved> {
        let ns = owner.and_then(|o| o.rsplit_once('.')).map(|(ns, _)| ns);
        let singular = singular(name);
        let mut candidates: Vec<(String, bool)> = Vec::new();
        if singular != name {
            candidates.push((singular.clone(), true));
        }
        candidates.push((name.to_string(), false));
        if let Some(simple) = owner.and_then(|o| o.rsplit('.').next()) {
            if singular != name {
                candidates.push((format!("{simple}{singular}"), true));
            }
            candidates.push((format!("{simple}{name}"), false));
        }
        candidates.push((format!("{name}root"), false));
        for (simple, plural) in candidates {
            let Some(fulls) = self.by_simple.get(&simple) else {
                continue;
            };
            let rank = |full: &str| {
                let full_ns = full.rsplit_once('.').map_or("", |(n, _)| n);
                if Some(full_ns) == ns {
                    0
                } else if full_ns.rsplit('.').next() == Some(name) {
                    1
                } else if full_ns == "microsoft.graph" {
                    2
                } else {
                    // A type of an unrelated namespace is more often wrong than right.
                    3
                }
            };
            if let Some(best) = fulls
                .iter()
                .filter(|f| rank(f) < 3)
                .min_by_key(|f| (rank(f), f.as_str()))
            {
                let (full, _) = &self.types[best];
                // A segment named in the plural of its type is a collection of it.
                return Some(Resolved::of(full.clone(), plural));
            }
        }
        // Last, a single type of the owner's namespace whose name ends with the singular
        // (`dataConnectors` → `industryDataConnector`).
        let ns = ns?;
        let mut suffixed = self
            .namespace(ns)
            .iter()
            .filter(|(simple, _)| simple.ends_with(singular.as_str()));
        let (_, only) = suffixed.next()?;
        if suffixed.next().is_some() {
            return None;
        }
        Some(Resolved::of(self.types[only].0.clone(), singular != name))
    }
}

impl NameMatcher<'_> {
    /// The (simple, full) lower-case names of the types of a lower-case namespace.
    fn namespace(&self, ns: &str) -> &[(String, String)] {
        self.by_namespace.get(ns).map_or(&[], Vec::as_slice)
    }

    /// A single type of the owner's namespace whose name holds the words of the member's
    /// singular in order (`hardwareOathMethods` → `hardwareOathAuthenticationMethod`).
    fn guess_by_words(&self, spelled: &str, owner: &str) -> Option<Resolved> {
        let ns = owner.rsplit_once('.').map(|(ns, _)| ns)?;
        let words = camel_words(&singular(spelled));
        if words.len() < 2 {
            return None;
        }
        let mut found = self.namespace(ns).iter().filter(|(simple, _)| {
            let mut rest = simple.as_str();
            words.iter().all(|w| match rest.find(w.as_str()) {
                Some(i) => {
                    rest = &rest[i + w.len()..];
                    true
                }
                None => false,
            })
        });
        let (_, only) = found.next()?;
        if found.next().is_some() {
            return None;
        }
        Some(Resolved::of(
            self.types[only].0.clone(),
            singular(spelled) != spelled,
        ))
    }
}

/// The lower-case words of a camelCase name.
fn camel_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() || words.is_empty() {
            words.push(String::new());
        }
        if let Some(w) = words.last_mut() {
            w.push(c.to_ascii_lowercase());
        }
    }
    words
}

/// The English singular of a lower-case member name, as Graph names collections.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = name
        .strip_suffix("sses")
        .or_else(|| name.strip_suffix("xes"))
        .or_else(|| name.strip_suffix("ches"))
        .or_else(|| name.strip_suffix("shes"))
    {
        format!("{}{}", stem, &name[stem.len()..name.len() - 2])
    } else if let Some(stem) = name.strip_suffix('s').filter(|s| !s.ends_with('s')) {
        stem.to_string()
    } else {
        name.to_string()
    }
}
