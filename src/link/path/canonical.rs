//! The canonical form of a request path: its [`Segment`]s and the [`CanonicalPath`] key
//! that equality, ordering and hashing follow.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// One segment of a canonical path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A literal name in lower case, e.g. `users`, `$ref`, `delta`.
    Literal(String),
    /// A placeholder for one value, written `{}`.
    Placeholder,
    /// A type cast in lower case with the full namespace, e.g. `microsoft.graph.user`.
    Cast(String),
    /// A function call or alternate key, e.g. `range(address={})`: `name` and `params`
    /// in lower case, `params` sorted; an unnamed (positional) parameter is an empty name.
    Call {
        /// Function or entity-set name, without namespace qualifier.
        name: String,
        /// Parameter names, sorted; values are always placeholders.
        params: Vec<String>,
    },
    /// Drive path addressing: `root:{}:` (`base` = `Some("root")`) or `{}:{}:` after an
    /// item id (`base` = `None`).
    ItemPath {
        /// The addressed item: a literal such as `root`, or `None` for a placeholder.
        base: Option<String>,
    },
}

impl Segment {
    /// Whether the segment is the placeholder `{}`.
    pub fn is_placeholder(&self) -> bool {
        matches!(self, Segment::Placeholder)
    }

    /// Whether the segment matches only itself (everything but a bare placeholder). A
    /// call or item path still holds placeholders inside.
    pub fn is_literal(&self) -> bool {
        !self.is_placeholder()
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Literal(s) | Segment::Cast(s) => f.write_str(s),
            Segment::Placeholder => f.write_str("{}"),
            Segment::Call { name, params } => {
                write!(f, "{name}(")?;
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    if p.is_empty() {
                        f.write_str("{}")?;
                    } else {
                        write!(f, "{p}={{}}")?;
                    }
                }
                f.write_str(")")
            }
            Segment::ItemPath { base } => {
                write!(f, "{}:{{}}:", base.as_deref().unwrap_or("{}"))
            }
        }
    }
}

/// A request path in canonical form. Equality, ordering and hashing use the key only, so
/// two spellings of one path are equal.
#[derive(Debug, Clone)]
pub struct CanonicalPath {
    pub(super) key: String,
    pub(super) segments: Vec<Segment>,
    pub(super) display: String,
    pub(super) query: Option<String>,
    pub(super) original: String,
}

impl CanonicalPath {
    /// The canonical key, e.g. `/users/{}/drive/root:{}:/content`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The canonical segments, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The path as written, without scheme, host, version, query and empty segments, in
    /// its original casing: for showing people.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The dropped query string or fragment, with its `?` or `#`, if there was one. It is
    /// not part of the key, but upstream grants a few permissions only for a filtered
    /// query (`/agentRegistry/agentInstances?$filter=...` with extra `AlsoRequires`), so
    /// a linker may want to tell such paths apart.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The input exactly as given.
    pub fn original(&self) -> &str {
        &self.original
    }
}

impl PartialEq for CanonicalPath {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for CanonicalPath {}

impl Hash for CanonicalPath {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialOrd for CanonicalPath {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CanonicalPath {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl fmt::Display for CanonicalPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}
