//! Lookups over a parsed schema: types by name, inheritance, derived types, overloads.

use std::collections::{BTreeMap, BTreeSet};

use super::types::{Csdl, EnumType, NavigationProperty, Operation, Property, StructuredType};

/// A property together with the type that declares it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inherited<'a, T> {
    /// Full name of the declaring type.
    pub declared_in: &'a str,
    /// The property.
    pub item: &'a T,
}

/// A type found by [`Csdl::find_type`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FoundType<'a> {
    /// An entity or complex type.
    Structured(&'a StructuredType),
    /// An enum type.
    Enum(&'a EnumType),
}

impl FoundType<'_> {
    /// Full name of the type.
    pub fn full_name(&self) -> &str {
        match self {
            FoundType::Structured(t) => &t.full_name,
            FoundType::Enum(t) => &t.full_name,
        }
    }
}

impl Csdl {
    /// The entity or complex type with exactly this full name.
    pub fn structured_type(&self, full_name: &str) -> Option<&StructuredType> {
        self.entity_types
            .get(full_name)
            .or_else(|| self.complex_types.get(full_name))
    }

    /// Looks a type up by name, ignoring ASCII case: a full name
    /// (`microsoft.graph.user`), an alias-qualified name (`graph.user`), or a simple name
    /// taken to be in `microsoft.graph` (`user`).
    pub fn find_type(&self, name: &str) -> Option<FoundType<'_>> {
        let name = name.trim();
        let mut candidates = vec![name.to_string()];
        if let Some((prefix, simple)) = name.rsplit_once('.') {
            for ns in &self.namespaces {
                if ns
                    .alias
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(prefix))
                {
                    candidates.push(format!("{}.{simple}", ns.name));
                }
            }
        } else {
            candidates.push(format!("microsoft.graph.{name}"));
        }
        for c in &candidates {
            if let Some(t) = self.structured_type(c) {
                return Some(FoundType::Structured(t));
            }
            if let Some(t) = self.enum_types.get(c.as_str()) {
                return Some(FoundType::Enum(t));
            }
        }
        // Exact keys missed: fall back to a case-insensitive scan, which is rare enough.
        for c in &candidates {
            let structured = self
                .entity_types
                .values()
                .chain(self.complex_types.values());
            if let Some(t) = structured
                .into_iter()
                .find(|t| t.full_name.eq_ignore_ascii_case(c))
            {
                return Some(FoundType::Structured(t));
            }
            if let Some(t) = self
                .enum_types
                .values()
                .find(|t| t.full_name.eq_ignore_ascii_case(c))
            {
                return Some(FoundType::Enum(t));
            }
        }
        None
    }

    /// The type and its base types, most derived first. Stops at a missing base type or a
    /// cycle, so a broken file cannot loop. Empty when `full_name` is unknown.
    pub fn base_chain(&self, full_name: &str) -> Vec<&StructuredType> {
        let mut chain = Vec::new();
        let mut seen = BTreeSet::new();
        let mut next = Some(full_name);
        while let Some(name) = next {
            if !seen.insert(name) {
                break;
            }
            let Some(t) = self.structured_type(name) else {
                break;
            };
            chain.push(t);
            next = t.base_type.as_deref();
        }
        chain
    }

    /// Structural properties of a type including inherited ones, base type's first.
    pub fn all_properties(&self, full_name: &str) -> Vec<Inherited<'_, Property>> {
        self.base_chain(full_name)
            .into_iter()
            .rev()
            .flat_map(|t| {
                t.properties.iter().map(|p| Inherited {
                    declared_in: t.full_name.as_str(),
                    item: p,
                })
            })
            .collect()
    }

    /// Navigation properties of a type including inherited ones, base type's first.
    pub fn all_navigation_properties(
        &self,
        full_name: &str,
    ) -> Vec<Inherited<'_, NavigationProperty>> {
        self.base_chain(full_name)
            .into_iter()
            .rev()
            .flat_map(|t| {
                t.navigation_properties.iter().map(|p| Inherited {
                    declared_in: t.full_name.as_str(),
                    item: p,
                })
            })
            .collect()
    }

    /// All types deriving from `full_name`, directly or not, sorted by full name.
    pub fn derived_types(&self, full_name: &str) -> Vec<&StructuredType> {
        let mut children: BTreeMap<&str, Vec<&StructuredType>> = BTreeMap::new();
        for t in self
            .entity_types
            .values()
            .chain(self.complex_types.values())
        {
            if let Some(base) = t.base_type.as_deref() {
                children.entry(base).or_default().push(t);
            }
        }
        let mut found: BTreeMap<&str, &StructuredType> = BTreeMap::new();
        let mut queue = vec![full_name];
        while let Some(name) = queue.pop() {
            for t in children.get(name).into_iter().flatten() {
                // The guard makes a BaseType cycle terminate.
                if t.full_name != full_name && found.insert(&t.full_name, t).is_none() {
                    queue.push(&t.full_name);
                }
            }
        }
        found.into_values().collect()
    }

    /// Operations (functions and actions) with this full name, all overloads.
    pub fn operations_named<'a>(
        &'a self,
        full_name: &'a str,
    ) -> impl Iterator<Item = &'a Operation> {
        self.functions
            .iter()
            .chain(self.actions.iter())
            .filter(move |o| o.full_name == full_name)
    }
}

impl Operation {
    /// Parameter types as written in an overload target, binding parameter first:
    /// `Collection(microsoft.graph.chat)`, `Edm.String`.
    pub fn signature(&self) -> Vec<String> {
        self.binding
            .iter()
            .chain(self.parameters.iter())
            .map(|p| {
                if p.is_collection {
                    format!("Collection({})", p.type_name)
                } else {
                    p.type_name.clone()
                }
            })
            .collect()
    }
}
