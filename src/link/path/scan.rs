//! Splitting at separators outside parentheses, braces and quotes.

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
pub(super) fn split_top(s: &str, sep: char) -> Vec<&str> {
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
pub(super) fn find_top(s: &str, c: char) -> Option<usize> {
    let mut scan = Scanner::default();
    for (i, ch) in s.char_indices() {
        if ch == c && scan.top() {
            return Some(i);
        }
        scan.step(ch);
    }
    None
}

/// Splits `(inner)rest` at the parenthesis matching the first; unbalanced input runs to
/// the end.
pub(super) fn match_paren(s: &str) -> (&str, &str) {
    let mut scan = Scanner::default();
    for (i, c) in s.char_indices() {
        scan.step(c);
        if c == ')' && scan.top() {
            return (&s[1..i], &s[i + 1..]);
        }
    }
    (s.get(1..).unwrap_or_default(), "")
}
