//! Markdown from the data rendered to HTML that cannot carry markup of its own: raw
//! HTML is shown as text, and only `http(s)` and `mailto` links survive.

use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Renders untrusted markdown (descriptions) to safe inline-or-block HTML.
pub fn to_html(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    // Links whose target is not safe are replaced by their text; track the nesting so
    // that the matching end tag is dropped as well.
    let mut dropped_links: Vec<bool> = Vec::new();
    let events = parser.filter_map(|event| match event {
        // The docs break lines inside table cells with `<br>`: the one tag kept, as a break.
        Event::InlineHtml(raw) if is_line_break(&raw) => Some(Event::HardBreak),
        Event::Html(raw) | Event::InlineHtml(raw) => Some(visible_text(raw)),
        Event::Text(text) => Some(visible_text(text)),
        Event::Code(code) => Some(Event::Code(visible(code))),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            // Email autolinks carry the bare address; the writer adds `mailto:`.
            let safe = link_type == LinkType::Email || is_safe_url(&dest_url);
            dropped_links.push(!safe);
            safe.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) => {
            let dropped = dropped_links.pop().unwrap_or(false);
            (!dropped).then_some(Event::End(TagEnd::Link))
        }
        // Images could load from anywhere: show their alt text only.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut out = String::with_capacity(text.len() + 16);
    html::push_html(&mut out, events);
    out
}

/// Renders a one-paragraph description without the wrapping `<p>`, for table cells.
pub fn to_inline_html(text: &str) -> String {
    let html = to_html(text);
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// Text with control characters and bidirectional overrides shown as escapes.
fn visible_text(text: CowStr<'_>) -> Event<'_> {
    Event::Text(visible(text))
}

/// `text` through [`crate::text::visible`], kept borrowed when nothing changes.
fn visible(text: CowStr<'_>) -> CowStr<'_> {
    match crate::text::visible(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(s) => CowStr::from(s),
    }
}

fn is_line_break(raw: &str) -> bool {
    let tag: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(tag.as_str(), "<br>" | "<br/>")
}

fn is_safe_url(url: &CowStr<'_>) -> bool {
    is_web_url(url) || url.trim().to_ascii_lowercase().starts_with("mailto:")
}

/// Whether a URL from the data may become a link: `http(s)` only, so no `javascript:`,
/// `data:` or relative target that would point into the site.
pub(super) fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html("Hello <script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn javascript_links_lose_their_target() {
        let html = to_html("[click](javascript:alert(1)) and [docs](https://learn.microsoft.com)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("click"), "{html}");
        assert!(
            html.contains("href=\"https://learn.microsoft.com\""),
            "{html}"
        );
    }

    #[test]
    fn overrides_and_escapes_are_shown_as_text() {
        let html = to_html("\u{202e}gnp.exe and `\u{1b}[2J`");
        assert_eq!(
            html,
            "<p>\\u{202e}gnp.exe and <code>\\u{1b}[2J</code></p>\n"
        );
    }

    #[test]
    fn relative_links_become_text() {
        let html = to_inline_html("The [user](user.md) who owns it.");
        assert_eq!(html, "The user who owns it.");
    }

    #[test]
    fn br_tags_become_line_breaks() {
        let html = to_inline_html("Read-only.<br><br/>Returned only on `$select`.");
        assert_eq!(
            html,
            "Read-only.<br />\n<br />\nReturned only on <code>$select</code>."
        );
    }

    #[test]
    fn images_keep_only_their_alt_text() {
        let html = to_html("![logo](https://evil.example/x.png)");
        assert!(!html.contains("<img"), "{html}");
    }
}
