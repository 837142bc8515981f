//! The site's HTML escaper: askama's own escaping, with control characters and
//! bidirectional overrides from the data shown as visible escapes ([`crate::text`]).
//! `askama.toml` makes it the escaper of every `.html` template.

use std::fmt;

use askama::filters::Escaper;

/// Escapes text for HTML text and attribute values; see the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, dest: W, string: &str) -> fmt::Result {
        crate::text::write_visible(dest, string, |d, run| {
            askama::filters::Html.write_escaped_str(&mut *d, run)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_overrides_made_visible() {
        let mut out = String::new();
        Html.write_escaped_str(&mut out, "<b onclick=\"x\">\u{202e}gnp.exe & more")
            .expect("write");
        assert_eq!(
            out,
            "&#60;b onclick=&#34;x&#34;&#62;\\u{202e}gnp.exe &#38; more"
        );
    }
}
