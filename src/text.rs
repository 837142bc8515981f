//! Untrusted text made safe to show to people: control characters and bidirectional
//! overrides from the data are written out as visible `\u{…}` escapes.
//!
//! A terminal obeys escape sequences (`ESC [2J` clears it, `ESC ]0;…` retitles it), and
//! a right-to-left override makes `gnp.exe` read as `exe.png` in a browser or a terminal.
//! Upstream text never needs either, so every human-facing output — the site, `show`,
//! `which`, `check`, `diff` and error messages — shows them as escapes instead. Machine
//! outputs (JSON, CSV) keep the data exactly as it came.

use std::borrow::Cow;
use std::fmt;
use std::io;

/// Whether `c` is shown as an escape: C0 and C1 controls other than tab and newline,
/// and the bidirectional embedding, override and isolate controls.
pub fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every character that [`needs_escape`] written as `\u{…}`; borrowed when
/// there is none, which is nearly always.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    // Writing to a String cannot fail.
    let _ = write_visible(&mut out, s, |d, run| {
        d.push_str(run);
        Ok(())
    });
    Cow::Owned(out)
}

/// Writes `s` to `dest` in runs: plain runs through `plain`, and every character that
/// [`needs_escape`] as its escape (pure ASCII, safe in any markup).
pub fn write_visible<W: fmt::Write>(
    mut dest: W,
    s: &str,
    mut plain: impl FnMut(&mut W, &str) -> fmt::Result,
) -> fmt::Result {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if needs_escape(c) {
            plain(&mut dest, &s[start..i])?;
            write!(dest, "\\u{{{:x}}}", c as u32)?;
            start = i + c.len_utf8();
        }
    }
    plain(&mut dest, &s[start..])
}

/// A writer for terminal output: everything written through it is shown with
/// [`visible`], so text from the data cannot drive the terminal.
pub struct Terminal<W: io::Write> {
    inner: W,
}

impl<W: io::Write> Terminal<W> {
    /// Wraps `inner` (usually a locked stdout or stderr).
    pub fn new(inner: W) -> Self {
        Terminal { inner }
    }
}

impl<W: io::Write> io::Write for Terminal<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // `write!` hands over whole `&str` pieces, so a buffer never splits a character;
        // bytes that are not UTF-8 at all are shown as replacement characters.
        let text = String::from_utf8_lossy(buf);
        self.inner.write_all(visible(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "Allows the app to read\tall users' profiles.\nÜber 日本語 עברית";
        assert!(matches!(visible(s), Cow::Borrowed(t) if t == s));
    }

    #[test]
    fn escapes_and_overrides_become_visible() {
        assert_eq!(
            visible("\u{1b}[2Jred\u{7} \u{202e}gnp.exe\u{202c}\r"),
            "\\u{1b}[2Jred\\u{7} \\u{202e}gnp.exe\\u{202c}\\u{d}"
        );
        assert_eq!(visible("\u{9b}31m\u{2067}x"), "\\u{9b}31m\\u{2067}x");
    }

    #[test]
    fn terminal_writer_escapes_what_passes_through() {
        let mut out = Vec::new();
        let name = "\u{1b}]0;pwned\u{7}";
        writeln!(Terminal::new(&mut out), "name: {name}").expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "name: \\u{1b}]0;pwned\\u{7}\n"
        );
    }

    #[test]
    fn write_visible_sends_plain_runs_through_the_given_escaper() {
        let mut out = String::new();
        write_visible(&mut out, "<b>\u{202e}x", |d, s| {
            d.push_str(&s.replace('<', "&lt;").replace('>', "&gt;"));
            Ok(())
        })
        .expect("write");
        assert_eq!(out, "&lt;b&gt;\\u{202e}x");
    }
}
