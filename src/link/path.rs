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
    key: String,
    segments: Vec<Segment>,
    display: String,
    query: Option<String>,
    original: String,
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

/// Tracks nesting so that separators inside `(...)`, `{...}` and quotes are not split on.
/// Unbalanced closers are ignored rather than going negative.
#[derive(Default)]
struct Scanner {
    parens: usize,
    braces: usize,
    quote: Option<char>,
}

impl Scanner {
    /// Whether the scanner is outside any nesting.
    fn top(&self) -> bool {
        self.parens == 0 && self.braces == 0 && self.quote.is_none()
    }

    fn step(&mut self, c: char) {
        if let Some(q) = self.quote {
            if c == q {
                self.quote = None;
            }
            return;
        }
        if self.braces > 0 {
            // A placeholder's content is opaque: only its own braces count.
            match c {
                '{' => self.braces += 1,
                '}' => self.braces -= 1,
                _ => {}
            }
            return;
        }
        match c {
            // Quotes only delimit values inside parentheses; an apostrophe elsewhere is text.
            '\'' | '"' if self.parens > 0 => self.quote = Some(c),
            '(' => self.parens += 1,
            ')' => self.parens = self.parens.saturating_sub(1),
            '{' => self.braces += 1,
            '}' => self.braces = self.braces.saturating_sub(1),
            _ => {}
        }
    }
}

/// Splits at `sep` where it is outside any nesting.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut scan = Scanner::default();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == sep && scan.top() {
            out.push(&s[start..i]);
            start = i + c.len_utf8();
        } else {
            scan.step(c);
        }
    }
    out.push(&s[start..]);
    out
}

/// Byte index of the first `c` outside any nesting.
fn find_top(s: &str, c: char) -> Option<usize> {
    let mut scan = Scanner::default();
    for (i, ch) in s.char_indices() {
        if ch == c && scan.top() {
            return Some(i);
        }
        scan.step(ch);
    }
    None
}

/// Parses `piece` into zero or more segments; `next` is the index of the piece after it
/// in `pieces`, which drive path addressing may consume. Returns the index of the first
/// piece not consumed.
fn parse_piece(pieces: &[&str], next: usize, piece: &str, out: &mut Vec<Segment>) -> usize {
    let piece = piece.trim();
    if let Some(colon) = find_top(piece, ':') {
        // Addressing opens with a colon that ends the piece (`root:` before `/path`) or
        // that a second colon closes in the same piece (`root:{path}:`). A lone colon
        // inside a value is part of it: Teams ids look like `19:abc@thread.skype`.
        let rest = &piece[colon + 1..];
        if rest.trim().is_empty() || find_top(rest, ':').is_some() {
            return item_path(pieces, next, piece, colon, out);
        }
    }
    let Some(open) = find_top(piece, '(') else {
        out.extend(literal(piece));
        return next;
    };
    let name = call_name(&piece[..open]);
    let (inner, rest) = match_paren(&piece[open..]);

    // An unnamed (positional) parameter has an empty name, which sorts first.
    let mut params: Vec<String> = split_top(inner, ',')
        .into_iter()
        .map(str::trim)
        .filter(|arg| !arg.is_empty())
        .map(|arg| match find_top(arg, '=') {
            Some(eq) => identifier(&arg[..eq]),
            None => String::new(),
        })
        .collect();
    params.sort();
    let positional = params.iter().filter(|p| p.is_empty()).count();

    if params.is_empty() {
        // `delta()` is `delta`; a bare `()` adds nothing.
        out.extend(literal(&name));
    } else if positional == 1 && params.len() == 1 {
        // Key in parentheses: `users('{id}')` is `users/{id}`, `(team-id)` is `{id}`.
        out.extend(literal(&name));
        out.push(Segment::Placeholder);
    } else {
        out.push(Segment::Call { name, params });
    }
    if rest.trim().is_empty() {
        next
    } else {
        parse_piece(pieces, next, rest, out)
    }
}

/// Handles drive path addressing that starts in `piece` at byte `colon`; `next` is the
/// index of the piece after it. Pushes the segments and returns the index of the first
/// piece not consumed.
fn item_path(
    pieces: &[&str],
    next: usize,
    piece: &str,
    colon: usize,
    out: &mut Vec<Segment>,
) -> usize {
    // The addressed item is the last segment before the colon; anything earlier in the
    // same piece (only in malformed input) stays in front of it.
    let mut before = Vec::new();
    parse_piece(&[], 0, &piece[..colon], &mut before);
    let base = match before.pop() {
        Some(Segment::Placeholder) => None,
        Some(Segment::Literal(s)) => Some(s),
        Some(other) => {
            before.push(other);
            Some(String::new())
        }
        None => Some(String::new()),
    };
    out.append(&mut before);
    let item = Segment::ItemPath { base };
    let after = &piece[colon + 1..];

    // Closed inside the same piece: `root:{path}:` or `root:file.txt:rest`.
    if let Some(close) = find_top(after, ':') {
        out.push(item);
        return parse_piece(pieces, next, &after[close + 1..], out);
    }
    // Closed in a later piece: everything up to its `:` is the item's path.
    for (j, p) in pieces.iter().enumerate().skip(next) {
        if let Some(close) = find_top(p, ':') {
            out.push(item);
            return parse_piece(pieces, j + 1, &p[close + 1..], out);
        }
    }
    // Never closed. A single placeholder path is upstream shorthand that forgot the
    // closing colon; the following pieces are ordinary segments.
    out.push(item);
    let first_is_placeholder = |p: &str| literal(p) == Some(Segment::Placeholder);
    if after.trim().is_empty() {
        if pieces.get(next).is_some_and(|p| first_is_placeholder(p)) {
            return next + 1;
        }
    } else if first_is_placeholder(after) {
        return next;
    }
    pieces.len()
}

/// A parameter name: lower case, with only the characters an identifier can have, so the
/// rendered call parses back to itself.
fn identifier(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !"(){}=,:'\"/".contains(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Splits `(inner)rest` at the parenthesis matching the first; unbalanced input runs to
/// the end.
fn match_paren(s: &str) -> (&str, &str) {
    let mut scan = Scanner::default();
    for (i, c) in s.char_indices() {
        scan.step(c);
        if c == ')' && scan.top() {
            return (&s[1..i], &s[i + 1..]);
        }
    }
    (s.get(1..).unwrap_or_default(), "")
}

/// Lower-cases a function name and drops a namespace qualifier Graph does not require.
fn call_name(raw: &str) -> String {
    let name = normalize_text(raw).trim().to_string();
    for ns in ["microsoft.graph.", "graph.", "default."] {
        // Trimmed again: the key is trimmed when parsed back, so `graph. x()` must give
        // `x()`, not ` x()`.
        if let Some(short) = name.strip_prefix(ns).map(str::trim) {
            // Only the default namespace; `microsoft.graph.windowsupdates.x()` keeps its
            // sub-namespace, which tells functions of different services apart.
            if !short.is_empty() && !short.contains('.') {
                return short.to_string();
            }
        }
    }
    name
}

/// Lower-cases text and turns each `{...}` (nesting counted, as the splitter does) into
/// `{}`. A stray `}` or `)` is dropped (upstream has `{id}}`); an unclosed `{` runs to the
/// end. `?`, `#`, `/` and `:` are dropped too: they reach here only from malformed
/// nesting, and would mean something else if the key were parsed again.
fn normalize_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push_str("{}");
                }
                depth += 1;
            }
            '}' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            ')' | '?' | '#' | '/' | ':' => {}
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A piece without parentheses: placeholder, cast or literal; `None` when empty.
fn literal(piece: &str) -> Option<Segment> {
    let text = normalize_text(piece);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text == "{}" {
        return Some(Segment::Placeholder);
    }
    // `(team-id)` reaches here only through `parse_piece`; a piece wholly in parentheses
    // is handled there.
    if !text.contains('{') {
        if text.starts_with("microsoft.graph.") && text.len() > "microsoft.graph.".len() {
            return Some(Segment::Cast(text.to_string()));
        }
        if let Some(rest) = text.strip_prefix("graph.") {
            if !rest.is_empty() {
                return Some(Segment::Cast(format!("microsoft.graph.{rest}")));
            }
        }
    }
    Some(Segment::Literal(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> String {
        canonicalize(raw).key().to_string()
    }

    #[test]
    fn host_version_query_fragment_and_slashes_are_dropped() {
        assert_eq!(
            key("https://graph.microsoft.com/v1.0/users/{id}"),
            "/users/{}"
        );
        assert_eq!(key("HTTPS://graph.microsoft.com/beta/me"), "/me");
        assert_eq!(key("graph.microsoft.com/v1.0/me/messages"), "/me/messages");
        assert_eq!(key("/v1.0/users"), "/users");
        assert_eq!(key("/BETA/users"), "/users");
        assert_eq!(key("users/"), "/users");
        assert_eq!(key("//users///{id}//"), "/users/{}");
        assert_eq!(key("/users?$filter=startswith(displayName,'a')"), "/users");
        assert_eq!(key("/users/{id}#section"), "/users/{}");
        assert_eq!(
            key("/agentRegistry/agentInstances?$filter=agentCardManifest/id eq '{id}'"),
            "/agentregistry/agentinstances"
        );
        assert_eq!(
            key("/networkAccess/filteringProfiles/{id}/policies?$filter=isof('microsoft.graph.networkaccess.tlsInspectionPolicyLink')"),
            "/networkaccess/filteringprofiles/{}/policies"
        );
        // `v1.0` or `beta` later in the path is an ordinary segment.
        assert_eq!(
            key("/rp/onpremises/spoons/api/v1/x"),
            "/rp/onpremises/spoons/api/v1/x"
        );
        assert_eq!(key("/me/beta"), "/me/beta");
    }

    #[test]
    fn casing_is_folded_but_kept_for_display() {
        let a = canonicalize("/OutboundProvisioningFlowSets/{id}");
        let b = canonicalize("/outboundProvisioningFlowSets/{flowSetId}");
        assert_eq!(a, b);
        assert_eq!(a.key(), "/outboundprovisioningflowsets/{}");
        assert_eq!(a.display(), "/OutboundProvisioningFlowSets/{id}");
        assert_eq!(a.original(), "/OutboundProvisioningFlowSets/{id}");
        let c = canonicalize("https://graph.microsoft.com/v1.0/Users/{id}?$select=id");
        assert_eq!(c.display(), "/Users/{id}");
        assert_eq!(
            c.original(),
            "https://graph.microsoft.com/v1.0/Users/{id}?$select=id"
        );
        assert_eq!(c.query(), Some("?$select=id"));
        assert_eq!(a.query(), None);
        assert_eq!(canonicalize("/a#b?c").query(), Some("#b?c"));
    }

    #[test]
    fn every_placeholder_form_is_one_placeholder() {
        for p in [
            "/users/{id}",
            "/users/{Id}",
            "/users/{ id }",
            "/users/{id | userPrincipalName}",
            "/users/{user-id}",
            "/users/{userId}",
            "/users/{policyId}",
            "/users/{application-id}",
            "/users/{}",
            "/users/(user-id)",
            "/users/{id}}",
        ] {
            assert_eq!(key(p), "/users/{}", "{p}");
        }
        assert_eq!(
            canonicalize("/users/{id}").segments(),
            &[Segment::Literal("users".into()), Segment::Placeholder]
        );
        assert_eq!(
            key("/teams/(team-id)/channels/{id}/messages/{id}"),
            "/teams/{}/channels/{}/messages/{}"
        );
        assert_eq!(
            key("/chats/{id}}/messages/forwardToChat"),
            "/chats/{}/messages/forwardtochat"
        );
    }

    #[test]
    fn function_parameters_are_named_sorted_and_valueless() {
        let expected = "/me/events/filterbycurrentuser(on={})";
        for p in [
            "/me/events/filterbycurrentuser(on={value})",
            "/me/events/filterByCurrentUser(on='{value}')",
            "/me/events/filterByCurrentUser(on = '{value}')",
            "/me/events/filterByCurrentUser( on='me' )",
            "/me/events/microsoft.graph.filterByCurrentUser(on='{value}')",
        ] {
            assert_eq!(key(p), expected, "{p}");
        }
        assert_eq!(
            key("/workbook/worksheets/{id}/range(address='{address}')"),
            "/workbook/worksheets/{}/range(address={})"
        );
        assert_eq!(
            key("/workbook/worksheets/{id}/range(address='Sheet1!A1:B2')"),
            "/workbook/worksheets/{}/range(address={})"
        );
        assert_eq!(
            key("/worksheets/{id}/cell(row={value},column={value})"),
            "/worksheets/{}/cell(column={},row={})"
        );
        assert_eq!(
            key("/range/resizedrange(deltarows={value}, deltacolumns={value})"),
            "/range/resizedrange(deltacolumns={},deltarows={})"
        );
        assert_eq!(
            key("/solutions/virtualEvents/webinars/getByUserIdAndRole(userId={userId}, role={userRole})"),
            "/solutions/virtualevents/webinars/getbyuseridandrole(role={},userid={})"
        );
        assert_eq!(
            canonicalize("/x/cell(row={a},column={b})").segments()[1],
            Segment::Call {
                name: "cell".into(),
                params: vec!["column".into(), "row".into()]
            }
        );
    }

    #[test]
    fn empty_calls_and_plain_functions_are_literals() {
        assert_eq!(key("/users/delta()"), "/users/delta");
        assert_eq!(key("/users/delta"), "/users/delta");
        assert_eq!(key("/users/microsoft.graph.delta()"), "/users/delta");
        assert_eq!(
            key("/directoryObjects/getByIds"),
            "/directoryobjects/getbyids"
        );
        assert_eq!(key("/users/delta( )"), "/users/delta");
    }

    #[test]
    fn alternate_keys_and_key_segments() {
        assert_eq!(
            key("/users(userPrincipalName='{upn}')"),
            "/users(userprincipalname={})"
        );
        assert_eq!(
            key("/applications(appId='{appId}')"),
            "/applications(appid={})"
        );
        assert_eq!(
            key("/applications(appid={value})"),
            "/applications(appid={})"
        );
        assert_eq!(
            key("/applications(appId = '{appId}')/owners"),
            "/applications(appid={})/owners"
        );
        // A bare key is the key-as-segment form.
        assert_eq!(key("/users('{id}')"), "/users/{}");
        assert_eq!(key("/users({id})"), "/users/{}");
        assert_eq!(
            key("/users('48d31887-5fad-4d73-a9f5-3c356e68a038')"),
            "/users/{}"
        );
        assert_eq!(
            key("/deviceManagement/cloudCertificationAuthority({id})/revokeLeafCertificate"),
            key("/deviceManagement/cloudCertificationAuthority/{id}/revokeLeafCertificate"),
        );
        assert_eq!(
            key("/rp/onpremises/spoons/api/v1/ingest('{itemId}')"),
            "/rp/onpremises/spoons/api/v1/ingest/{}"
        );
        // Text glued after `)` is its own segment.
        assert_eq!(
            key("/tables/{id}/rows/itemat(index={value})range"),
            key("/tables/{id}/rows/itemat(index={value})/range"),
        );
        // Two unnamed values are not a key-as-segment; they stay a call.
        assert_eq!(key("/things('a','b')"), "/things({},{})");
    }

    #[test]
    fn namespace_qualifiers_on_functions() {
        assert_eq!(
            key("/admin/windows/updates/products/Default.findByCatalogId(catalogID={catalogID})"),
            key("/admin/windows/updates/products/findByCatalogId(catalogID={catalogID})"),
        );
        assert_eq!(
            key("/x/microsoft.graph.windowsUpdates.find(a={b})"),
            "/x/microsoft.graph.windowsupdates.find(a={})"
        );
    }

    #[test]
    fn odata_literals_stay() {
        assert_eq!(key("/groups/{id}/members/$ref"), "/groups/{}/members/$ref");
        assert_eq!(
            key("/groups/{id}/members/{id}/$REF"),
            "/groups/{}/members/{}/$ref"
        );
        assert_eq!(key("/me/photo/$value"), "/me/photo/$value");
        assert_eq!(key("/users/$count"), "/users/$count");
        assert_eq!(
            canonicalize("/users/$count").segments()[1],
            Segment::Literal("$count".into())
        );
    }

    #[test]
    fn casts_get_the_full_namespace() {
        assert_eq!(
            key("/groups/{id}/members/microsoft.graph.user"),
            "/groups/{}/members/microsoft.graph.user"
        );
        assert_eq!(
            key("/groups/{id}/members/graph.user"),
            key("/groups/{id}/members/Microsoft.Graph.User"),
        );
        assert_eq!(
            canonicalize("/applications/microsoft.graph.agentIdentityBlueprint/{id}").segments()[1],
            Segment::Cast("microsoft.graph.agentidentityblueprint".into())
        );
        assert_eq!(
            key("/directory/federationconfigurations/graph.samlorwsfedexternaldomainfederation"),
            "/directory/federationconfigurations/microsoft.graph.samlorwsfedexternaldomainfederation"
        );
        assert_eq!(
            key("/admin/windows/updates/updatableassets/microsoft.graph.windowsUpdates.azureADDevice"),
            "/admin/windows/updates/updatableassets/microsoft.graph.windowsupdates.azureaddevice"
        );
        // Not casts: no name after the namespace, or a lookalike.
        assert_eq!(
            canonicalize("/x/graph.").segments()[1],
            Segment::Literal("graph.".into())
        );
        assert_eq!(
            canonicalize("/x/microsoftgraph.user").segments()[1],
            Segment::Literal("microsoftgraph.user".into())
        );
    }

    #[test]
    fn drive_path_addressing() {
        let expected = "/me/drive/root:{}:/content";
        for p in [
            "/me/drive/root:/{path}:/content",
            "/me/drive/root:/{item-path}:/content",
            "/me/drive/root:/folder/file.txt:/content",
            "/me/drive/root:/foldera/fileb.txt:/content",
            "/me/drive/Root:/{id}:/Content",
            "/me/drive/root:{path}:/content",
            "/me/drive/root:/folder/file.txt:content",
        ] {
            assert_eq!(key(p), expected, "{p}");
        }
        assert_eq!(
            canonicalize("/me/drive/root:/{path}:/content").segments()[2],
            Segment::ItemPath {
                base: Some("root".into())
            }
        );
        assert_eq!(
            key("/drives/{drive-id}/items/{id}:/{path}:/content"),
            "/drives/{}/items/{}:{}:/content"
        );
        assert_eq!(
            canonicalize("/drives/{d}/items/{id}:/{path}:").segments()[3],
            Segment::ItemPath { base: None }
        );
        // Addressing to the end of the path, closing colon or not.
        assert_eq!(key("/me/drive/root:/{id}"), "/me/drive/root:{}:");
        assert_eq!(key("/me/drive/root:/{id}:"), "/me/drive/root:{}:");
        assert_eq!(key("/me/drive/root:/a/b/c.txt"), "/me/drive/root:{}:");
        // Upstream forgot the closing colon after a placeholder path.
        assert_eq!(
            key("/me/drive/root:/{item-path}/media/reactions"),
            "/me/drive/root:{}:/media/reactions"
        );
        // A colon inside a function argument is not addressing.
        assert_eq!(
            key("/worksheets/{id}/range(address='A1:B2')/format"),
            "/worksheets/{}/range(address={})/format"
        );
        // Workbook paths keep going after the item path.
        assert_eq!(
            key("/users/{id}/drive/root:/{id}:/workbook/worksheets/{id}/range(address={value})/format/borders(sideindex={value})"),
            "/users/{}/drive/root:{}:/workbook/worksheets/{}/range(address={})/format/borders(sideindex={})"
        );
    }

    #[test]
    fn segments_tell_literals_from_placeholders() {
        let p = canonicalize("/users/{id}/messages/{id}/$value");
        let kinds: Vec<bool> = p.segments().iter().map(Segment::is_placeholder).collect();
        assert_eq!(kinds, [false, true, false, true, false]);
        assert!(p.segments()[0].is_literal());
    }

    #[test]
    fn equality_and_hashing_follow_the_key() {
        use std::collections::HashSet;
        let set: HashSet<CanonicalPath> = [
            "/users/{id}",
            "https://graph.microsoft.com/v1.0/Users/{user-id}/",
            "/users('{id}')",
        ]
        .into_iter()
        .map(canonicalize)
        .collect();
        assert_eq!(set.len(), 1);
        assert!(canonicalize("/a") < canonicalize("/b"));
        assert_eq!(canonicalize("/Users/{id}").to_string(), "/users/{}");
    }

    #[test]
    fn odd_input_never_panics() {
        let odd = [
            "",
            "/",
            "//",
            " ",
            "?",
            "#",
            ":",
            "::",
            "/:/",
            "(",
            ")",
            "()",
            "(()",
            "())",
            "{",
            "}",
            "{}",
            "{{}}",
            "}{",
            "/users/{id",
            "/users/id}",
            "/users/(",
            "/users/f(a=",
            "/users/f(a='b",
            "/users/f(=)",
            "/users/f(,,)",
            "/users/f('",
            "/me/drive/root:",
            "/me/drive/root:/",
            "/me/drive/root::",
            "/me/drive/root:/{",
            "https://",
            "https://graph.microsoft.com",
            "http:/x",
            "/v1.0",
            "/beta/",
            "/überall/{ïd}/ñame(ä='ö')",
            "/用户/{id}/数据",
            "/emoji/😀/{😀}/(😀)",
            "/\u{0}/\u{ffff}",
            "/a\tb/c\nd",
            "/İstanbul/ǅ",
            "'''",
            "/x('a/b')/y",
            "/x(\"a)b\")/y",
            "/graph./microsoft.graph.",
            "/a/b:c:d:e/f",
        ];
        for raw in odd {
            let p = canonicalize(raw);
            assert!(p.key().starts_with('/'), "{raw:?} -> {:?}", p.key());
            // Canonical keys are fixed points: canonicalizing a key gives the key again.
            assert_eq!(canonicalize(p.key()).key(), p.key(), "{raw:?}");
        }
        assert_eq!(key(""), "/");
        assert_eq!(key("/"), "/");
        assert_eq!(key("/x('a/b')/y"), "/x/{}/y");
        assert_eq!(key("/用户/{id}"), "/用户/{}");
    }

    /// Random strings over the characters the parser cares about: no panic, and the key
    /// is a fixed point.
    #[test]
    fn random_input_never_panics() {
        const ALPHABET: &[char] = &[
            '/', '{', '}', '(', ')', '\'', '"', ':', ',', '=', '?', '#', '$', ' ', 'a', 'Z', '.',
            'é', '用', '|', '-',
        ];
        // A fixed linear congruential generator keeps the test deterministic.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let len = (state >> 59) as usize;
            let raw: String = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    ALPHABET[(state >> 33) as usize % ALPHABET.len()]
                })
                .collect();
            let p = canonicalize(&raw);
            assert!(p.key().starts_with('/'), "{raw:?}");
            assert_eq!(canonicalize(p.key()).key(), p.key(), "{raw:?}");
        }
    }

    /// Every path of the real permissions.json canonicalizes to a fixed point without
    /// braces other than `{}` and without spaces or quotes. Skipped when the shared
    /// upstream data is not next to the project.
    #[test]
    fn real_permissions_json_paths() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../shared/upstream/current/microsoft-graph-devx-content/permissions/new/permissions.json",
        );
        let Ok(bytes) = std::fs::read(&file) else {
            return;
        };
        let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            panic!("permissions.json does not parse");
        };
        let mut raw = std::collections::BTreeSet::new();
        if let Some(perms) = doc.get("permissions").and_then(|p| p.as_object()) {
            for p in perms.values() {
                for set in p["pathSets"].as_array().into_iter().flatten() {
                    for path in set["paths"].as_object().into_iter().flatten() {
                        raw.insert(path.0.clone());
                    }
                }
            }
        }
        assert!(raw.len() > 5000, "{}", raw.len());
        let mut keys = std::collections::BTreeSet::new();
        for r in &raw {
            let p = canonicalize(r);
            let k = p.key();
            assert_eq!(canonicalize(k).key(), k, "{r}");
            assert!(
                !k.contains(' ') && !k.contains('\'') && !k.contains('?'),
                "{r} -> {k}"
            );
            let without = k.replace("{}", "");
            assert!(
                !without.contains('{') && !without.contains('}'),
                "{r} -> {k}"
            );
            assert!(k.chars().all(|c| !c.is_uppercase()), "{r} -> {k}");
            keys.insert(k.to_string());
        }
        assert!(keys.len() < raw.len());
    }
}
