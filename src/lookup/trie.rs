//! The path-template trie: one node per canonical segment, a placeholder edge that any
//! concrete value may take, literal edges tried first.

use serde::{Deserialize, Serialize};

use crate::link::path::Segment;
use crate::model::Catalog;

/// A node: literal edges, the placeholder edge, and the endpoint key ending here.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Node {
    /// Edges by canonical segment text, sorted.
    pub children: Vec<(String, usize)>,
    /// The edge a concrete value takes, if any template has `{}` here.
    pub placeholder: Option<usize>,
    /// The canonical key of the endpoint template ending at this node.
    pub key: Option<String>,
}

/// Endpoint templates as a trie over canonical segments.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PathTrie {
    /// Nodes; the root is node 0.
    pub nodes: Vec<Node>,
}

/// The edge text of a segment; `None` for the placeholder.
fn edge(seg: &Segment) -> Option<String> {
    match seg {
        Segment::Placeholder => None,
        other => Some(other.to_string()),
    }
}

impl PathTrie {
    /// A trie of every endpoint key of the catalog.
    pub fn from_catalog(catalog: &Catalog) -> PathTrie {
        let mut trie = PathTrie {
            nodes: vec![Node::default()],
        };
        let mut keys: Vec<&str> = catalog.endpoints.iter().map(|e| e.key.as_str()).collect();
        keys.dedup();
        for key in keys {
            trie.insert(key);
        }
        for node in &mut trie.nodes {
            node.children.sort();
        }
        trie
    }

    fn insert(&mut self, key: &str) {
        let c = crate::link::path::canonicalize(key);
        let mut at = 0;
        for seg in c.segments() {
            at = match edge(seg) {
                None => match self.nodes[at].placeholder {
                    Some(next) => next,
                    None => {
                        let next = self.push();
                        self.nodes[at].placeholder = Some(next);
                        next
                    }
                },
                Some(text) => match self.nodes[at].children.iter().find(|(t, _)| *t == text) {
                    Some((_, next)) => *next,
                    None => {
                        let next = self.push();
                        self.nodes[at].children.push((text, next));
                        next
                    }
                },
            };
        }
        self.nodes[at].key = Some(key.to_string());
    }

    fn push(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    fn child(&self, at: usize, text: &str) -> Option<usize> {
        let children = &self.nodes[at].children;
        children
            .binary_search_by(|(t, _)| t.as_str().cmp(text))
            .ok()
            .map(|i| children[i].1)
    }

    /// The key of the template a concrete path matches: literal segments first, a
    /// concrete value through the placeholder otherwise, backtracking when a literal
    /// leads nowhere. `$value`, `$ref` and `$count` are never values; a function call
    /// whose parameters no template spells is the function by its name alone.
    pub fn find(&self, segments: &[Segment]) -> Option<&str> {
        self.walk(0, segments)
            .and_then(|n| self.nodes[n].key.as_deref())
    }

    fn walk(&self, at: usize, segments: &[Segment]) -> Option<usize> {
        let Some((seg, rest)) = segments.split_first() else {
            return self.nodes[at].key.as_ref().map(|_| at);
        };
        if let Some(text) = edge(seg) {
            if let Some(found) = self.child(at, &text).and_then(|n| self.walk(n, rest)) {
                return Some(found);
            }
            match seg {
                // `items/{id}:/path:` spelled with a concrete id.
                Segment::ItemPath { base: Some(_) } => {
                    let any = Segment::ItemPath { base: None }.to_string();
                    if let Some(found) = self.child(at, &any).and_then(|n| self.walk(n, rest)) {
                        return Some(found);
                    }
                }
                // `calendarView(startDateTime='…',endDateTime='…')`: the function itself.
                Segment::Call { name, .. } => {
                    if let Some(found) = self.child(at, name).and_then(|n| self.walk(n, rest)) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        match self.nodes[at].placeholder {
            Some(next) if value_like(seg) => self.walk(next, rest),
            _ => None,
        }
    }
}

/// Whether a concrete segment can stand for a `{}` placeholder: a plain value, not a
/// system segment such as `$ref`.
pub(crate) fn value_like(seg: &Segment) -> bool {
    match seg {
        Segment::Placeholder => true,
        Segment::Literal(s) => !s.starts_with('$'),
        _ => false,
    }
}
