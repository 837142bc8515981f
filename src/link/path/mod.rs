//! Canonical request-path templates, so that the spellings of one Microsoft Graph path in
//! different sources (permissions.json, the docs, the PowerShell command map) meet.
//!
//! [`canonicalize`] turns any spelling into a [`CanonicalPath`]: a string key used for
//! matching, the [`Segment`]s behind it (for a later trie that walks literal versus
//! placeholder segments), and the cleaned original spelling for display. The rules:
//!
//! - Scheme and host (`https://graph.microsoft.com`), a leading `/v1.0` or `/beta` (and
//!   any further leading segment that normalizes to one), the query string (`?$filter=...`) and the fragment are dropped; empty segments (from
//!   `//`, a leading or trailing `/`) are dropped. The key always starts with `/`.
//! - Literal segments are lower-cased: sources disagree on casing.
//! - Every placeholder (`{id}`, `{user-id}`, `{id | userPrincipalName}`, `{ id }`, and
//!   the stray `(team-id)` and `{id}}` spellings seen upstream) becomes `{}`.
//! - Function calls and alternate keys become `name(p1={},p2={})`: name and parameter
//!   names lower-cased, parameters sorted by name, every value (placeholder, quoted or
//!   concrete) replaced by `{}`. A namespace qualifier on the name (`microsoft.graph.`,
//!   `graph.`, `Default.`) is dropped, as Graph accepts both forms. Empty parentheses are
//!   dropped (`delta()` is `delta`), and text glued after `)` starts a new segment
//!   (upstream has `itemat(index={value})range`).
//! - A key in parentheses (`users('{id}')`, `workflows({id})`) becomes the key-as-segment
//!   form `users/{}`: upstream writes both for the same entity.
//! - `$ref`, `$value` and `$count` stay literal segments (lower-cased).
//! - A type-cast segment (`microsoft.graph.user`, `graph.user`,
//!   `microsoft.graph.windowsUpdates.azureADDevice`) becomes a [`Segment::Cast`] with the
//!   full `microsoft.graph.` prefix, lower-cased. A namespace-qualified bound action
//!   without parentheses (`microsoft.graph.follow`) cannot be told from a cast without the
//!   schema, so it is kept as a cast too; the key is the same either way.
//! - Drive path addressing (`root:/{path}:`, `root:/folder/file.txt:`,
//!   `items/{id}:/{path}:`) becomes one [`Segment::ItemPath`], `root:{}:` or `{}:{}:`.
//!   Such addressing opens with a `:` (outside parentheses, quotes and braces) that ends
//!   its segment or that a second `:` in the segment closes; a lone `:` inside a value
//!   (Teams ids such as `19:abc@thread.skype`) belongs to the value. When
//!   the closing `:` is missing and the path is a single placeholder
//!   (`root:/{item-path}/media/reactions`, seen upstream), the placeholder alone is taken
//!   as the path; otherwise the rest of the request path is the item path, which is what
//!   Graph does with `root:/a/b.txt`.
//!
//! Canonicalizing never panics, whatever the input; odd input gives an odd but stable key.
//! A key is a fixed point: canonicalizing it again gives the same key (the `canonicalize`
//! fuzz target checks this).

mod canonical;
mod scan;
mod segment;

pub use canonical::{CanonicalPath, Segment};
use scan::{find_top, split_top};
use segment::parse_piece;

/// Canonicalizes a request path written in any of the upstream spellings; see the module
/// documentation for the rules.
pub fn canonicalize(raw: &str) -> CanonicalPath {
    let (path, query) = strip_query(strip_host(raw.trim()));
    let mut pieces: Vec<&str> = split_top(path, '/')
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if pieces
        .first()
        .is_some_and(|v| v.eq_ignore_ascii_case("v1.0") || v.eq_ignore_ascii_case("beta"))
    {
        pieces.remove(0);
    }

    let mut segments = Vec::with_capacity(pieces.len());
    let mut i = 0;
    while i < pieces.len() {
        i = parse_piece(&pieces, i + 1, pieces[i], &mut segments);
    }
    // A first segment that only becomes `v1.0` or `beta` once normalized (`b:eta`, or a
    // second version after the first) would be taken for the version when the key is
    // canonicalized again, so the key would not be a fixed point. Graph has no resource
    // named like a version, so such segments are dropped as the version is.
    while segments
        .first()
        .is_some_and(|s| matches!(s, Segment::Literal(l) if l == "v1.0" || l == "beta"))
    {
        segments.remove(0);
    }

    let mut key = String::with_capacity(path.len());
    for s in &segments {
        key.push('/');
        key.push_str(&s.to_string());
    }
    if key.is_empty() {
        key.push('/');
    }
    CanonicalPath {
        key,
        segments,
        display: format!("/{}", pieces.join("/")),
        query: query.map(str::to_string),
        original: raw.to_string(),
    }
}

/// Drops `scheme://host`, or a bare Graph host without scheme.
fn strip_host(s: &str) -> &str {
    let lower_prefix = |p: &str| s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    for scheme in ["https://", "http://"] {
        if lower_prefix(scheme) {
            let rest = &s[scheme.len()..];
            return rest.find('/').map_or("", |i| &rest[i..]);
        }
    }
    if !s.starts_with('/') {
        let first = s.split('/').next().unwrap_or_default().to_ascii_lowercase();
        if first.contains("graph.microsoft.") || first.contains("microsoftgraph.") {
            return s.find('/').map_or("", |i| &s[i..]);
        }
    }
    s
}

/// Cuts the query string or fragment: the first `?` or `#` outside parentheses, braces
/// and quotes (a quoted function argument may hold either).
fn strip_query(s: &str) -> (&str, Option<&str>) {
    match find_top(s, '?').into_iter().chain(find_top(s, '#')).min() {
        Some(i) => (&s[..i], Some(&s[i..])),
        None => (s, None),
    }
}

#[cfg(test)]
mod tests;
