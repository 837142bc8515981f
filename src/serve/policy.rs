//! The path policy of the preview: which request targets name which file, and the
//! rule that nothing outside the served directory is ever reached.

use std::fs;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

/// Why a request path was not resolved to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed: not an origin-form path, or an invalid percent escape or UTF-8 (400).
    BadRequest,
    /// Refused or missing; answered like a miss so nothing about the disk leaks (404).
    NotFound,
}

/// Where a request path leads inside the served directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A regular file inside the served directory (canonical path).
    File(PathBuf),
    /// A directory asked for without its trailing slash: redirect so relative links work.
    AddSlash,
}

/// Resolves a raw request target to a file inside `root`, or refuses.
///
/// In order: split off `?` and `#`; percent-decode (invalid escapes or UTF-8 → bad
/// request); refuse a NUL, a backslash, a path starting with `//`, a segment starting
/// with a dot (which covers `..` and hidden files) or a drive prefix like `C:`; join to
/// `root`, canonicalize and require the result inside the canonical `root`, which also
/// refuses symlinks leading out; a directory means its `index.html`; only regular files
/// are served. Nothing is read before every check passed.
pub fn resolve(root: &Path, raw_url: &str) -> Result<Target, Refusal> {
    let raw_path = raw_url.split(['?', '#']).next().unwrap_or_default();
    if !raw_path.starts_with('/') {
        return Err(Refusal::BadRequest);
    }
    let decoded = percent_decode(raw_path).ok_or(Refusal::BadRequest)?;
    if decoded.contains('\0') || decoded.contains('\\') || decoded.starts_with("//") {
        return Err(Refusal::NotFound);
    }
    let relative = &decoded[1..];
    if relative
        .split('/')
        .any(|segment| segment.starts_with('.') || has_drive_prefix(segment))
    {
        return Err(Refusal::NotFound);
    }
    let root = root.canonicalize().map_err(|_| Refusal::NotFound)?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|_| Refusal::NotFound)?;
    if !path.starts_with(&root) {
        return Err(Refusal::NotFound);
    }
    let meta = fs::metadata(&path).map_err(|_| Refusal::NotFound)?;
    if meta.is_dir() {
        if !decoded.ends_with('/') {
            return if path.join("index.html").is_file() {
                Ok(Target::AddSlash)
            } else {
                Err(Refusal::NotFound)
            };
        }
        let index = path
            .join("index.html")
            .canonicalize()
            .map_err(|_| Refusal::NotFound)?;
        return match fs::metadata(&index) {
            Ok(m) if m.is_file() && index.starts_with(&root) => Ok(Target::File(index)),
            _ => Err(Refusal::NotFound),
        };
    }
    if meta.is_file() {
        Ok(Target::File(path))
    } else {
        Err(Refusal::NotFound)
    }
}

/// `C:` or `c:foo`: a Windows drive prefix, which `Path::join` would treat as absolute
/// there.
fn has_drive_prefix(segment: &str) -> bool {
    let b = segment.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Decodes `%XX` escapes; `None` for a malformed escape (a `%` not followed by two hex
/// digits) or a result that is not UTF-8.
pub(super) fn percent_decode(s: &str) -> Option<String> {
    let well_formed = s.split('%').skip(1).all(|after| {
        after
            .as_bytes()
            .get(..2)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}
