//! The sitemap of a site with a public address, and the XML escaping it shares with
//! the Atom feed of the "What changed" page.

/// A sitemap of every HTML page among `paths` (relative to the site root) but the 404
/// page.
pub fn xml<'a>(base: &str, paths: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut pages: Vec<&str> = paths
        .filter(|p| p.ends_with(".html") && *p != "404.html")
        .collect();
    pages.sort();
    for p in pages {
        out.push_str("  <url><loc>");
        out.push_str(&xml_escape(&format!("{base}/{p}")));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// Escapes text for XML 1.0 content and attributes. Characters XML 1.0 forbids even as
/// references (C0 controls other than tab, newline and carriage return, U+FFFE, U+FFFF)
/// are written as visible `[U+0001]` text, so no data can make a feed or sitemap invalid.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("[U+{:04X}]", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}
