//! Resolves a canonical request path to the CSDL type it returns, by walking entity
//! sets, singletons, navigation and structural properties, casts and bound operations.

use std::collections::HashMap;

use super::path::Segment;
use crate::sources::csdl::{Csdl, StructuredType};

/// What a path returns: a type by full name, one or many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Full CSDL name, e.g. `microsoft.graph.user`; an `Edm.*` name for primitives.
    pub type_name: String,
    /// Whether the path returns a collection.
    pub is_collection: bool,
}

/// Lower-cased lookup tables over one CSDL document, built once per link.
pub struct Resolver<'c> {
    csdl: &'c Csdl,
    /// Entity sets and singletons by lower-case name → (type, collection).
    roots: HashMap<String, (String, bool)>,
    /// Structured types by lower-case full name.
    types: HashMap<String, &'c StructuredType>,
    /// Members (navigation first, then structural, inherited included) of each type by
    /// lower-case full name, then lower-case member name.
    members: HashMap<String, HashMap<String, (String, bool)>>,
    /// Types derived from each type, at every depth, by lower-case full name.
    derived: HashMap<String, Vec<String>>,
    /// (lower-case binding type, binding is collection, lower-case short name) → return.
    operations: HashMap<(String, bool, String), Option<(String, bool)>>,
}

impl<'c> Resolver<'c> {
    /// Indexes a CSDL document.
    pub fn new(csdl: &'c Csdl) -> Resolver<'c> {
        let mut roots = HashMap::new();
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
        let mut members = HashMap::new();
        let mut derived: HashMap<String, Vec<String>> = HashMap::new();
        for (lower, t) in &types {
            let mut m = HashMap::new();
            for p in csdl.all_properties(&t.full_name) {
                m.insert(
                    p.item.name.to_ascii_lowercase(),
                    (p.item.type_name.clone(), p.item.is_collection),
                );
            }
            // Navigation properties win over a structural property of the same name.
            for n in csdl.all_navigation_properties(&t.full_name) {
                m.insert(
                    n.item.name.to_ascii_lowercase(),
                    (n.item.type_name.clone(), n.item.is_collection),
                );
            }
            members.insert(lower.clone(), m);
            for base in csdl.base_chain(&t.full_name).into_iter().skip(1) {
                derived
                    .entry(base.full_name.to_ascii_lowercase())
                    .or_default()
                    .push(lower.clone());
            }
        }
        for list in derived.values_mut() {
            list.sort();
        }
        let mut operations = HashMap::new();
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
            derived,
            operations,
        }
    }

    /// Whether the document knows a structured type (any case).
    pub fn has_type(&self, full_name: &str) -> bool {
        self.types.contains_key(&full_name.to_ascii_lowercase())
    }

    /// Walks `segments` from the entity container; `None` when a step is unknown.
    pub fn resolve(&self, segments: &[Segment]) -> Option<Resolved> {
        let (first, rest) = segments.split_first()?;
        let mut cur = match first {
            Segment::Literal(name) => {
                let (t, coll) = self.roots.get(name.as_str())?;
                Resolved {
                    type_name: t.clone(),
                    is_collection: *coll,
                }
            }
            // `users(userPrincipalName='…')`: an alternate key on an entity set.
            Segment::Call { name, .. } => {
                let (t, _) = self.roots.get(name.as_str())?;
                Resolved {
                    type_name: t.clone(),
                    is_collection: false,
                }
            }
            _ => return None,
        };
        for seg in rest {
            cur = self.step(&cur, seg)?;
        }
        Some(cur)
    }

    fn step(&self, cur: &Resolved, seg: &Segment) -> Option<Resolved> {
        match seg {
            Segment::Placeholder => cur.is_collection.then(|| Resolved {
                type_name: cur.type_name.clone(),
                is_collection: false,
            }),
            Segment::Literal(name) if matches!(name.as_str(), "$ref" | "$count" | "$value") => {
                Some(cur.clone())
            }
            Segment::Literal(name) => self
                .member(&cur.type_name, name, cur.is_collection)
                .or_else(|| self.operation(cur, name)),
            Segment::Call { name, .. } => self.operation(cur, name).or_else(|| {
                // An alternate key on a collection-valued navigation property.
                self.member(&cur.type_name, name, cur.is_collection)
                    .map(|r| Resolved {
                        type_name: r.type_name,
                        is_collection: false,
                    })
            }),
            Segment::Cast(name) => {
                let t = self.csdl.find_type(name)?;
                Some(Resolved {
                    type_name: t.full_name().to_string(),
                    is_collection: cur.is_collection,
                })
            }
            // `root:/path:` and `{id}:/path:` address one drive item.
            Segment::ItemPath { .. } => {
                let t = self.csdl.find_type("microsoft.graph.driveItem")?;
                Some(Resolved {
                    type_name: t.full_name().to_string(),
                    is_collection: false,
                })
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
        let lookup = |t: &str| {
            self.members
                .get(t)
                .and_then(|m| m.get(name))
                .map(|(t, coll)| Resolved {
                    type_name: t.clone(),
                    is_collection: *coll,
                })
        };
        lookup(&lower).or_else(|| {
            self.derived
                .get(&lower)?
                .iter()
                .find_map(|d| lookup(d))
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
                // An action without a return value leaves the resource as it was.
                return Some(match ret {
                    Some((t, coll)) => Resolved {
                        type_name: t.clone(),
                        is_collection: *coll,
                    },
                    None => cur.clone(),
                });
            }
        }
        None
    }
}
