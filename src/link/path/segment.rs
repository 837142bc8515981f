//! One path piece to segments: literals, placeholders, casts, calls and drive item paths.

use super::canonical::Segment;
use super::scan::{find_top, match_paren, split_top};

/// Parses `piece` into zero or more segments; `next` is the index of the piece after it
/// in `pieces`, which drive path addressing may consume. Returns the index of the first
/// piece not consumed.
pub(super) fn parse_piece(
    pieces: &[&str],
    next: usize,
    piece: &str,
    out: &mut Vec<Segment>,
) -> usize {
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
