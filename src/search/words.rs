//! What `site/search.js` used to compute in the page after loading the index, done at
//! build time: the words of each name and the fixed order of each kind's entries. Both
//! follow the script's rules exactly (ASCII letters and digits, UTF-16 lengths and
//! comparisons, as JavaScript strings have), so the shipped structure ranks as the old
//! in-page preparation did.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Letters and digits that a "lower" position of a camelCase boundary may hold.
fn is_lower(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// The words of a name, in the order the page's `nameWords` lists them: every run of
/// ASCII letters and digits, lower-cased, followed by its camelCase parts when it has
/// several (`ReadWrite` gives `readwrite`, `read`, `write`).
pub fn name_words(text: &str, out: &mut Vec<String>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let run = &b[start..i];
        out.push(lower(run));
        let mut cuts = vec![0];
        for k in 1..run.len() {
            let (a, c) = (run[k - 1], run[k]);
            let next_lower = run.get(k + 1).is_some_and(u8::is_ascii_lowercase);
            // userRead | APIConnector: lower→Upper, or the last capital of a capital run.
            if (is_lower(a) && c.is_ascii_uppercase())
                || (a.is_ascii_uppercase() && c.is_ascii_uppercase() && next_lower)
            {
                cuts.push(k);
            }
        }
        if cuts.len() < 2 {
            continue;
        }
        cuts.push(run.len());
        for w in cuts.windows(2) {
            out.push(lower(&run[w[0]..w[1]]));
        }
    }
}

fn lower(run: &[u8]) -> String {
    run.iter()
        .map(|c| char::from(c.to_ascii_lowercase()))
        .collect()
}

/// `text` with every `{placeholder}` (a `{`, then anything but `}`, then `}`) replaced
/// by `with`, as the page's `/\{[^}]*\}/g` does.
pub fn replace_placeholders(text: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        match rest[open..].find('}') {
            Some(close) => {
                out.push_str(&rest[..open]);
                out.push_str(with);
                rest = &rest[open + close + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// The words of an endpoint path: placeholders are not words (`id` would match every
/// path).
pub fn path_words(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    name_words(&replace_placeholders(path, " "), &mut out);
    out
}

/// The words of a resource: the namespace words of its full name, then its short name's
/// (`security`, `alert` for `microsoft.graph.security.alert`).
pub fn resource_words(short: &str, full: &str) -> Vec<String> {
    let ns = strip_prefix_ignore_case(full, "microsoft.graph.");
    let mut out = Vec::new();
    if ns.len() > short.len() && ns.ends_with(short) {
        name_words(&ns[..ns.len() - short.len()], &mut out);
    }
    name_words(short, &mut out);
    out
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> &'a str {
    match text.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => &text[prefix.len()..],
        _ => text,
    }
}

/// The page's static order inside a tier: shorter names first, then alphabetical
/// (lower-cased), then the name as written, then the method (GET first) or the version
/// (v1.0 first). Lengths and comparisons are in UTF-16 code units, as in the page.
pub struct OrderKey {
    sort_name: Vec<u16>,
    name: Vec<u16>,
    method: u8,
    beta: bool,
}

impl OrderKey {
    /// `sort_name` is the lower-cased name (for endpoints with placeholders as `{}`).
    pub fn new(sort_name: &str, name: &str, method: &str, version: &str) -> Self {
        OrderKey {
            sort_name: sort_name.encode_utf16().collect(),
            name: name.encode_utf16().collect(),
            method: match method {
                "POST" => 1,
                "PATCH" => 2,
                "PUT" => 3,
                "DELETE" => 4,
                _ => 0,
            },
            beta: version == "beta",
        }
    }

    pub fn cmp(&self, other: &Self) -> Ordering {
        self.sort_name
            .len()
            .cmp(&other.sort_name.len())
            .then_with(|| self.sort_name.cmp(&other.sort_name))
            .then_with(|| self.name.cmp(&other.name))
            .then_with(|| self.method.cmp(&other.method))
            .then_with(|| self.beta.cmp(&other.beta))
    }
}

/// Positions of `keys` in rank order: a stable sort, like the page's `Array.sort`.
pub fn rank_order(keys: &[OrderKey]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    order
}

/// A table of distinct words, sorted, and each entry's words as numbers into it.
pub fn vocabulary(entries: &[Vec<String>]) -> (Vec<String>, Vec<Vec<usize>>) {
    let words: BTreeSet<&str> = entries.iter().flatten().map(String::as_str).collect();
    let ids: BTreeMap<&str, usize> = words.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let numbered = entries
        .iter()
        .map(|e| {
            e.iter()
                .filter_map(|w| ids.get(w.as_str()).copied())
                .collect()
        })
        .collect();
    (words.into_iter().map(str::to_string).collect(), numbered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        name_words(s, &mut out);
        out
    }

    #[test]
    fn words_split_like_the_page() {
        assert_eq!(
            words("Mail.ReadWrite.All"),
            ["mail", "readwrite", "read", "write", "all"]
        );
        assert_eq!(
            words("APIConnectors"),
            ["apiconnectors", "api", "connectors"]
        );
        assert_eq!(path_words("/users/{id}/messages"), ["users", "messages"]);
        assert_eq!(
            resource_words("alert", "microsoft.graph.security.alert"),
            ["security", "alert"]
        );
        assert_eq!(replace_placeholders("/a/{x}/b{y", "{}"), "/a/{}/b{y");
    }
}
