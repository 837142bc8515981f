//! Line-based reading of the Learn docs' markdown: front matter, headings, fenced code,
//! HTML comments and pipe tables, plus small text helpers for table cells.
//!
//! The docs are machine-checked markdown written by many hands, so the reader is lenient:
//! it never fails, and anything it does not recognise is plain text.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// One cell of a pipe table: the page's own text, unless an escaped pipe (`\|`) had
/// to be unescaped.
pub(crate) type Cell<'a> = Cow<'a, str>;

/// The text of cell `i` of a row; a row too short for it has an empty one.
pub(crate) fn cell_at<'r>(row: &'r [Cell<'_>], i: usize) -> &'r str {
    row.get(i).map_or("", |c| c.as_ref())
}

/// One block of a page, in page order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block<'a> {
    /// `#`-style heading (Learn's tab markers like `# [C#](#tab/csharp)` are not headings).
    Heading { level: usize, text: String },
    /// A fenced code block: the info string and the lines between the fences.
    Fence { info: String, body: Vec<&'a str> },
    /// An HTML comment with its inner text (may span lines).
    Comment { text: String },
    /// A pipe table: header cells and body rows, cells trimmed but otherwise raw.
    Table {
        header: Vec<Cell<'a>>,
        rows: Vec<Vec<Cell<'a>>>,
    },
    /// Any other non-blank line.
    Text { line: &'a str },
}

/// Splits YAML front matter (`---` … `---` at the very top) into simple `key: value`
/// pairs and returns them with the rest of the page. Nested YAML is not used by the docs,
/// so lines that are not `key: value` are ignored.
pub(crate) fn front_matter(text: &str) -> (BTreeMap<String, String>, &str) {
    let mut map = BTreeMap::new();
    let mut rest = text;
    let Some(first_end) = text.find('\n') else {
        return (map, text);
    };
    if text[..first_end].trim() != "---" {
        return (map, text);
    }
    let mut offset = first_end + 1;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let line = text[offset..end].trim_end_matches('\r');
        let next = (end + 1).min(text.len());
        if line.trim() == "---" {
            rest = &text[next..];
            return (map, rest);
        }
        if let Some((key, value)) = line.split_once(':') {
            let key = key.trim();
            if !key.is_empty() && !key.starts_with(' ') && !key.contains(char::is_whitespace) {
                map.insert(key.to_string(), unquote(value.trim()));
            }
        }
        offset = next;
    }
    // An unterminated front matter block is treated as no front matter at all, since
    // the page body would otherwise be swallowed.
    map.clear();
    (map, rest)
}

/// Removes YAML quotes: `"a \"b\""` → `a "b"`, `'it''s'` → `it's`.
pub(crate) fn unquote(value: &str) -> String {
    let v = value.trim();
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let inner = &v[1..v.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    } else if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else {
        v.to_string()
    }
}

/// Cuts a page body into blocks. Reads the lines once, in order, looking ahead on a
/// copy of the line iterator where a block's end decides what it is (an unclosed comment
/// is one line of text, a table needs its separator row).
pub(crate) fn blocks(body: &str) -> Vec<Block<'_>> {
    let mut lines = body.lines();
    let mut out = Vec::new();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some((ch, count, info)) = fence_open(trimmed) {
            // An unclosed fence runs to the end of the page, as in CommonMark.
            let mut body = Vec::new();
            for l in lines.by_ref() {
                if fence_closes(l.trim(), ch, count) {
                    break;
                }
                body.push(l);
            }
            out.push(Block::Fence {
                info: info.to_string(),
                body,
            });
            continue;
        }
        if let Some(after) = trimmed.strip_prefix("<!--") {
            if let Some(end) = after.find("-->") {
                out.push(Block::Comment {
                    text: after[..end].to_string(),
                });
                continue;
            }
            let mut text = String::from(after);
            let mut ahead = lines.clone();
            let mut closed = false;
            for l in ahead.by_ref() {
                text.push('\n');
                if let Some(end) = l.find("-->") {
                    text.push_str(&l[..end]);
                    closed = true;
                    break;
                }
                text.push_str(l);
            }
            if closed {
                out.push(Block::Comment { text });
                lines = ahead;
            } else {
                // A comment that never closes would hide the rest of the page; treat
                // its opening line as text instead.
                out.push(Block::Text { line });
            }
            continue;
        }
        if let Some((level, text)) = heading(trimmed) {
            out.push(Block::Heading { level, text });
            continue;
        }
        if trimmed.contains('|') && lines.clone().next().is_some_and(is_separator_row) {
            lines.next();
            let header = split_row(trimmed);
            let mut rows = Vec::new();
            loop {
                let mut ahead = lines.clone();
                let Some(t) = ahead.next().map(str::trim) else {
                    break;
                };
                if t.is_empty() || !t.contains('|') || fence_open(t).is_some() || t.starts_with('#')
                {
                    break;
                }
                rows.push(split_row(t));
                lines = ahead;
            }
            out.push(Block::Table { header, rows });
            continue;
        }
        out.push(Block::Text { line });
    }
    out
}

/// Opening fence: three or more backticks or tildes, then an info string.
fn fence_open(trimmed: &str) -> Option<(char, usize, &str)> {
    let ch = trimmed.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let count = trimmed.chars().take_while(|&c| c == ch).count();
    if count < 3 {
        return None;
    }
    let info = trimmed[count..].trim();
    // A backtick fence's info string may not contain backticks (CommonMark); this keeps
    // inline code like ```` ```x``` ```` on one line from opening a block.
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some((ch, count, info))
}

fn fence_closes(trimmed: &str, ch: char, count: usize) -> bool {
    let n = trimmed.chars().take_while(|&c| c == ch).count();
    n >= count && trimmed[n..].trim().is_empty()
}

/// `## Text` → (2, "Text"); tab markers `# [C#](#tab/csharp)` are not headings.
fn heading(trimmed: &str) -> Option<(usize, String)> {
    let level = trimmed.chars().take_while(|&c| c == '#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &trimmed[level..];
    if !rest.is_empty() && !rest.starts_with(' ') && !rest.starts_with('\t') {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim();
    if text.starts_with('[') && text.contains("](#tab/") {
        return None;
    }
    Some((level, text.to_string()))
}

/// `|:---|---:|` and friends. Asked of the line after every line with a pipe, so it
/// reads the cells in place: a backslash never belongs in a separator cell, so a line
/// with one is no separator, and without one the cells are the plain pipe splits.
fn is_separator_row(line: &str) -> bool {
    let t = line.trim();
    if !t.contains('-') || !(t.contains('|') || t.starts_with(':') || t.starts_with('-')) {
        return false;
    }
    if t.contains('\\') {
        return false;
    }
    row_cells(t).all(|c| {
        let c = c.trim();
        !c.is_empty() && c.contains('-') && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
    })
}

/// The row without its optional outer pipes.
fn row_inner(line: &str) -> &str {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    }
}

/// The cells of a row without backslashes: the splits on every pipe.
fn row_cells(line: &str) -> std::str::Split<'_, char> {
    row_inner(line).split('|')
}

/// Splits a table row on unescaped pipes; outer pipes are optional. `\|` stays in the
/// cell as `|`.
pub(crate) fn split_row(line: &str) -> Vec<Cell<'_>> {
    if !line.contains('\\') {
        return row_cells(line).map(|c| Cow::Borrowed(c.trim())).collect();
    }
    let t = row_inner(line);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => {
                cells.push(Cow::Owned(cur.trim().to_string()));
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    cells.push(Cow::Owned(cur.trim().to_string()));
    cells
}

/// Plain text of a markdown fragment: links become their text, HTML tags and emphasis
/// markers go, `&nbsp;` becomes a space, whitespace collapses.
pub(crate) fn plain(s: &str) -> String {
    // Each step only where its marker occurs: most cells have none of them.
    let mut s = Cow::Borrowed(s);
    if s.contains('[') {
        s = Cow::Owned(strip_links(&s));
    }
    if s.contains('<') {
        s = Cow::Owned(strip_tags(&s));
    }
    if s.contains("&nbsp;") {
        s = Cow::Owned(s.replace("&nbsp;", " "));
    }
    if s.contains("**") {
        s = Cow::Owned(s.replace("**", ""));
    }
    if s.contains('`') {
        s = Cow::Owned(s.replace('`', ""));
    }
    let s = s.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Replaces `[text](target)` and `![alt](target)` with the text.
pub(crate) fn strip_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some((text, _target, len)) = link_at(&rest[open..]) else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        let before = &rest[..open];
        out.push_str(before.strip_suffix('!').unwrap_or(before));
        out.push_str(text);
        rest = &rest[open + len..];
    }
    out.push_str(rest);
    out
}

/// Target of the first markdown link in `s`.
pub(crate) fn first_link_target(s: &str) -> Option<String> {
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        if let Some((_, target, _)) = link_at(&rest[open..]) {
            return Some(target.to_string());
        }
        rest = &rest[open + 1..];
    }
    None
}

/// Parses `[text](target)` at the start of `s`: (text, target, bytes consumed).
/// Nested brackets in the text are allowed one level deep, as in `[[a]](b)`.
fn link_at(s: &str) -> Option<(&str, &str, usize)> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'[') {
        return None;
    }
    let mut depth = 0usize;
    let mut close = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    if bytes.get(close + 1) != Some(&b'(') {
        return None;
    }
    let end = s[close + 2..].find(')')? + close + 2;
    Some((&s[1..close], s[close + 2..end].trim(), end + 1))
}

/// Removes `<tag ...>` HTML tags, leaving a space so words on either side stay apart.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let looks_like_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
        match after.find('>') {
            Some(close) if looks_like_tag && !after[..close].contains('<') => {
                out.push_str(&rest[..open]);
                out.push(' ');
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads `"key": "value"` out of almost-JSON text. The docs' metadata comments are often
/// not valid JSON (trailing commas, missing quotes elsewhere), so a strict parser would
/// lose them; this looks only at the one field.
pub(crate) fn json_string_field(text: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\"");
    let mut search = text;
    while let Some(pos) = search.find(&needle) {
        let after = search[pos + needle.len()..].trim_start();
        if let Some(after_colon) = after.strip_prefix(':') {
            let v = after_colon.trim_start();
            if let Some(body) = v.strip_prefix('"') {
                let mut out = String::new();
                let mut chars = body.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => return Some(out),
                        '\\' => {
                            if let Some(n) = chars.next() {
                                out.push(n);
                            }
                        }
                        '\n' => break,
                        _ => out.push(c),
                    }
                }
            }
        }
        search = &search[pos + needle.len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_handles_quotes_and_plain_values() {
        let text = "---\ntitle: \"Get a \\\"user\\\"\"\ndescription: 'It''s here'\nauthor: x\n---\n# Body\n";
        let (fm, rest) = front_matter(text);
        assert_eq!(fm["title"], "Get a \"user\"");
        assert_eq!(fm["description"], "It's here");
        assert_eq!(fm["author"], "x");
        assert_eq!(rest, "# Body\n");
    }

    #[test]
    fn front_matter_absent_or_unterminated() {
        let (fm, rest) = front_matter("# Title\n");
        assert!(fm.is_empty());
        assert_eq!(rest, "# Title\n");
        let (fm, rest) = front_matter("---\ntitle: x\n");
        assert!(fm.is_empty());
        assert_eq!(rest, "---\ntitle: x\n");
    }

    #[test]
    fn blocks_recognise_tables_fences_comments_and_tabs() {
        let body = "## HTTP request\n# [HTTP](#tab/http)\n<!-- {\n \"a\": 1\n} -->\n```http\nGET /me\n```\n|A|B|\n|-|-|\n|1|2|\ntext\n";
        let b = blocks(body);
        assert_eq!(
            b[0],
            Block::Heading {
                level: 2,
                text: "HTTP request".into()
            }
        );
        assert_eq!(
            b[1],
            Block::Text {
                line: "# [HTTP](#tab/http)"
            }
        );
        assert!(matches!(&b[2], Block::Comment { text } if text.contains("\"a\": 1")));
        assert_eq!(
            b[3],
            Block::Fence {
                info: "http".into(),
                body: vec!["GET /me"]
            }
        );
        assert_eq!(
            b[4],
            Block::Table {
                header: vec!["A".into(), "B".into()],
                rows: vec![vec!["1".into(), "2".into()]]
            }
        );
        assert_eq!(b[5], Block::Text { line: "text" });
    }

    #[test]
    fn unclosed_fence_and_comment_do_not_panic() {
        let b = blocks("```\nGET /x");
        assert_eq!(
            b,
            vec![Block::Fence {
                info: String::new(),
                body: vec!["GET /x"]
            }]
        );
        let b = blocks("<!-- open\n# Heading");
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn split_row_handles_escaped_pipes_and_missing_outer_pipes() {
        assert_eq!(split_row("| a | b \\| c |"), vec!["a", "b | c"]);
        assert_eq!(split_row("a | b"), vec!["a", "b"]);
        assert_eq!(split_row("| a | b \\|"), vec!["a", "b |"]);
        assert_eq!(split_row("|a\\b|c|"), vec!["a\\b", "c"]);
        assert_eq!(split_row("|"), vec![""]);
        assert_eq!(split_row("||"), vec![""]);
        assert_eq!(split_row("| x |  |"), vec!["x", ""]);
        // Cells without an escape are the page's own text, not copies.
        assert!(split_row("| a | b |")
            .iter()
            .all(|c| matches!(c, Cow::Borrowed(_))));
    }

    #[test]
    fn separator_rows_are_read_as_their_cells() {
        // The definition: every cell of the row (as split_row reads it) is dashes,
        // colons and spaces with at least one dash.
        let by_cells = |line: &str| {
            let t = line.trim();
            t.contains('-')
                && (t.contains('|') || t.starts_with(':') || t.starts_with('-'))
                && split_row(t).iter().all(|c| {
                    let c = c.trim();
                    !c.is_empty()
                        && c.contains('-')
                        && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
                })
        };
        for line in [
            "|-|-|",
            "|:---|---:|",
            "---|---",
            ":--|--:",
            "| --- | --- |",
            "|---|",
            "|---||",
            "|--- | |",
            "|---|\\|",
            "|--\\|--|",
            "|---|\\-|",
            "|- -|",
            "|-\t-|",
            "| a | b |",
            "-",
            "|",
            "",
            "  |---|---|  ",
            "|---|---\\|",
        ] {
            assert_eq!(is_separator_row(line), by_cells(line), "{line:?}");
        }
        assert!(is_separator_row("|:---|---:|"));
        assert!(!is_separator_row("|---|\\|"));
    }

    #[test]
    fn plain_strips_links_tags_and_emphasis() {
        assert_eq!(
            plain("[assignedLicense](assignedlicense.md) collection"),
            "assignedLicense collection"
        );
        assert_eq!(plain("&nbsp; &nbsp; **Policy Set**"), "Policy Set");
        assert_eq!(plain("a<br/>b"), "a b");
        assert_eq!(plain("x < y"), "x < y");
        assert_eq!(plain("[unclosed"), "[unclosed");
        assert_eq!(
            first_link_target("[List users](../api/user-list.md)").as_deref(),
            Some("../api/user-list.md")
        );
    }

    #[test]
    fn json_string_field_is_lenient() {
        let text = "{\n \"blockType\": \"request\",\n \"name\": \"get_user_1\",\n}";
        assert_eq!(
            json_string_field(text, "name").as_deref(),
            Some("get_user_1")
        );
        assert_eq!(json_string_field(text, "missing"), None);
        assert_eq!(json_string_field("\"name\": 3", "name"), None);
        assert_eq!(json_string_field("\"name\": \"unterminated", "name"), None);
    }
}
