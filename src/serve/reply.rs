//! The answer to one request, before it goes on the wire: the site's files, the 404
//! page, the trailing-slash redirect, error replies, and in serve mode the live-reload
//! script and the build status.

use std::fs;
use std::path::{Path, PathBuf};

use super::mime::content_type;
use super::policy::{resolve, Refusal, Target};
use super::watch::State;
use super::{CONTENT_SECURITY_POLICY, MAX_URL_BYTES};

/// Where the live-reload script is served (serve mode only).
pub const RELOAD_SCRIPT_PATH: &str = "/__permcat/reload.js";

/// Where open pages poll for the build number and error (serve mode only).
pub const STATUS_PATH: &str = "/__permcat/status";

/// The live-reload script, compiled in; never written into a built site.
const RELOAD_JS: &str = include_str!("../../site/reload.js");

/// An answer to one request, before it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Headers besides the ones every answer carries (see [`COMMON_HEADERS`]).
    pub headers: Vec<(&'static str, String)>,
    /// The body; for HEAD the server sends the headers only (with this length).
    pub body: Vec<u8>,
    /// A file to stream as the body instead (status 200, `body` empty): the canonical
    /// path the policy allowed. Ranges, validators and HEAD apply to it.
    pub file: Option<PathBuf>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: body.into(),
            file: None,
        }
    }

    fn file(path: PathBuf) -> Reply {
        let mut reply = Reply::new(200, content_type(&path), Vec::new());
        reply.file = Some(path);
        reply
    }

    pub(crate) fn text(status: u16, text: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", format!("{text}\n"))
    }

    /// The value of a header of this reply, if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Headers on every answer: no MIME sniffing, the site's CSP, always revalidate (the
/// site changes under the browser), and no referrer leaving the preview.
pub const COMMON_HEADERS: [(&str, &str); 4] = [
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Cache-Control", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
];

/// Answers one request against the site in `root`.
///
/// `reload` is the build state in serve mode: it enables `/__permcat/…` and the reload
/// script in HTML pages. Without it (a plain directory) the site is served as built.
/// HEAD gets the same reply as GET; the server leaves the body off the wire.
pub fn respond(root: &Path, method: &str, raw_url: &str, reload: Option<&State>) -> Reply {
    if method != "GET" && method != "HEAD" {
        let mut reply = Reply::text(405, "method not allowed: only GET and HEAD");
        reply.headers.push(("Allow", "GET, HEAD".into()));
        return reply;
    }
    if raw_url.len() > MAX_URL_BYTES {
        return Reply::text(414, "request URL too long");
    }
    if let Some(state) = reload {
        let path = raw_url.split(['?', '#']).next().unwrap_or_default();
        if path == RELOAD_SCRIPT_PATH {
            return Reply::new(200, "text/javascript; charset=utf-8", RELOAD_JS);
        }
        if path == STATUS_PATH {
            let mut reply = Reply::new(200, "application/json", state.to_json());
            reply.headers.push(("Cache-Control", "no-store".into()));
            return reply;
        }
    }
    match resolve(root, raw_url) {
        Ok(Target::File(path)) => match reload {
            // Pages get the reload script, so they are read and changed in memory; they
            // are small. Everything else is streamed from disk as it is.
            Some(state) if content_type(&path).starts_with("text/html") => match fs::read(&path) {
                Ok(body) => Reply::new(
                    200,
                    content_type(&path),
                    with_reload_script(body, state.build()),
                ),
                // Gone between the check and the read: a rebuild is swapping the site.
                Err(_) => not_found(root, reload),
            },
            _ => Reply::file(path),
        },
        Ok(Target::AddSlash) => {
            let path = raw_url.split(['?', '#']).next().unwrap_or_default();
            let mut reply = Reply::text(301, "moved: add a trailing slash");
            reply.headers.push(("Location", format!("{path}/")));
            reply
        }
        Err(Refusal::BadRequest) => Reply::text(400, "bad request path"),
        Err(Refusal::NotFound) => not_found(root, reload),
    }
}

/// The site's own 404 page with status 404, or plain text if the site has none.
pub(super) fn not_found(root: &Path, reload: Option<&State>) -> Reply {
    match fs::read(root.join("404.html")) {
        Ok(body) => {
            let body = match reload {
                Some(state) => with_reload_script(body, state.build()),
                None => body,
            };
            Reply::new(404, "text/html; charset=utf-8", body)
        }
        Err(_) => Reply::text(404, "not found"),
    }
}

/// Inserts the live-reload script before `</head>`, tagged with the build the page came
/// from.
fn with_reload_script(mut html: Vec<u8>, build: u64) -> Vec<u8> {
    const HEAD_END: &[u8] = b"</head>";
    if let Some(at) = html.windows(HEAD_END.len()).position(|w| w == HEAD_END) {
        let tag = format!(
            "<script src=\"{RELOAD_SCRIPT_PATH}\" data-build=\"{build}\" defer></script>\n"
        );
        html.splice(at..at, tag.into_bytes());
    }
    html
}
