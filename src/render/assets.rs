//! The front-end assets, compiled into the binary so the site is self-contained.
//!
//! The stylesheet's dark palette is written once, in `site/palette-dark.css`, but applies
//! twice: for an explicit choice (`<html data-theme="dark">`) and for the system
//! preference (`prefers-color-scheme`), and CSS cannot share one declaration block
//! between a selector and a media query. So `site/permcat.css` holds a marker line in
//! each place, and [`stylesheet`] replaces it with the palette's custom properties,
//! indented as the marker is.

use super::Files;

/// The stylesheet as written, with the palette markers.
const STYLESHEET: &str = include_str!("../../site/permcat.css");

/// The dark palette: the lines that start with `--` are its custom properties.
const PALETTE_DARK: &str = include_str!("../../site/palette-dark.css");

/// A line of the stylesheet that the dark palette replaces.
const PALETTE_MARK: &str = "/* palette-dark.css is spliced in here when permcat is compiled */";

/// The other assets, as they are in `site/`.
const PLAIN: [(&str, &[u8]); 5] = [
    ("assets/permcat.js", include_bytes!("../../site/permcat.js")),
    ("assets/search.js", include_bytes!("../../site/search.js")),
    ("assets/lookup.js", include_bytes!("../../site/lookup.js")),
    ("assets/audit.js", include_bytes!("../../site/audit.js")),
    (
        "assets/favicon.svg",
        include_bytes!("../../site/favicon.svg"),
    ),
];

/// Every asset file of the site.
pub(crate) fn files() -> Files {
    let mut files = vec![("assets/permcat.css".to_string(), stylesheet().into_bytes())];
    files.extend(PLAIN.iter().map(|(p, b)| (p.to_string(), b.to_vec())));
    files
}

/// The stylesheet as the site serves it: each marker line replaced by the dark palette.
pub(crate) fn stylesheet() -> String {
    let mut out = String::with_capacity(STYLESHEET.len() + 2 * PALETTE_DARK.len());
    for line in STYLESHEET.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        if body.trim_end() != PALETTE_MARK {
            out.push_str(line);
            continue;
        }
        let indent = &line[..line.len() - body.len()];
        for property in PALETTE_DARK.lines().filter(|l| l.starts_with("--")) {
            out.push_str(indent);
            out.push_str(property);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dark_palette_fills_both_places() {
        let css = stylesheet();
        assert_eq!(STYLESHEET.matches(PALETTE_MARK).count(), 2);
        assert!(!css.contains("palette-dark.css"));
        assert!(
            css.contains(":root[data-theme=\"dark\"] {\n  color-scheme: dark;\n  --bg: #0d1117;\n")
        );
        assert!(css.contains(
            "  :root:not([data-theme]) {\n    color-scheme: dark;\n    --bg: #0d1117;\n"
        ));
        let properties = PALETTE_DARK.lines().filter(|l| l.starts_with("--")).count();
        assert_eq!(
            css.lines().count(),
            STYLESHEET.lines().count() + 2 * properties - 2
        );
    }
}
