//! Reading what `which` and the lookup page are asked: a request line or URL, a
//! permission id (GUID), or the name of a PowerShell cmdlet.

use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::model::ApiVersion;

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// HTTP method, upper case.
    pub method: String,
    /// The path as given, without host, version and query.
    pub path: String,
    /// The version named in the URL, if any.
    pub version: Option<ApiVersion>,
}

/// Parses `[METHOD] URL`: a full URL, a `/v1.0` or `/beta` path, or a bare path. The
/// method defaults to GET.
pub fn parse_request(method: Option<&str>, url: &str) -> Request {
    let url = url.trim();
    let without_host = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or("/", |j| &url[i + 3 + j..]),
        None => url,
    };
    let path = without_host.split(['?', '#']).next().unwrap_or_default();
    let path = percent_decode(path);
    let trimmed = path.trim_start_matches('/');
    let (version, rest) = match trimmed.split_once('/') {
        Some((v, rest)) => match ApiVersion::parse(v) {
            Some(v) => (Some(v), format!("/{rest}")),
            None => (None, format!("/{trimmed}")),
        },
        None => match ApiVersion::parse(trimmed) {
            Some(v) => (Some(v), "/".to_string()),
            None => (None, format!("/{trimmed}")),
        },
    };
    Request {
        method: method.unwrap_or("GET").trim().to_ascii_uppercase(),
        path: rest.trim_end_matches('/').to_string(),
        version,
    }
}

/// Decodes `%XX` escapes; malformed escapes (a `%` not followed by two hex digits) stay
/// as they are, and bytes that are not UTF-8 become replacement characters.
fn percent_decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// A GUID, lower case, with or without braces.
pub fn parse_guid(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    let ok = t.len() == 36
        && t.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    ok.then(|| t.to_ascii_lowercase())
}

/// The methods an argument may name, which then apply to the URLs after it.
pub(super) const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/// Whether an argument names a PowerShell cmdlet rather than a path: no `/`, and a noun
/// after the first `-` that starts with `Mg`.
pub fn is_cmdlet(arg: &str) -> bool {
    !arg.contains('/')
        && arg.split_once('-').is_some_and(|(verb, noun)| {
            !verb.is_empty() && noun.to_ascii_lowercase().starts_with("mg")
        })
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_escapes_decode_and_malformed_ones_stay() {
        for (input, want) in [
            ("/a%20b", "/a b"),
            ("%41", "A"),
            ("%4", "%4"),
            ("%", "%"),
            ("a%", "a%"),
            ("%zz", "%zz"),
            ("%%41", "%A"),
            ("%ff", "\u{fffd}"),
            ("%C3%A9", "é"),
            ("%C3", "\u{fffd}"),
            ("a%éb", "a%éb"),
            ("%4é", "%4é"),
            ("%2541", "%41"),
            // A sign is no hex digit.
            ("%+5", "%+5"),
        ] {
            assert_eq!(percent_decode(input), want, "{input}");
        }
    }
}
