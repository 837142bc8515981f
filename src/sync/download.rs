//! HTTP for `permcat sync`: one file at a time streamed to disk within a size cap and a
//! time bound, retried after transient failures, following redirects only to hosts the
//! caller allows.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use sha2::{Digest, Sha256};

use super::Event;

/// Redirects followed for one file at most.
const MAX_REDIRECTS: usize = 5;

/// The HTTP client of one sync: statuses and redirects are left to this module.
pub(super) fn agent(timeout: Duration) -> ureq::Agent {
    // Connecting and the response headers get at most 30 s even under a long transfer
    // bound: a server that has not answered by then is not going to.
    let first = timeout.min(Duration::from_secs(30));
    ureq::Agent::config_builder()
        // Statuses are judged here: 404 may be fine, 5xx is retried, other 4xx fail.
        .http_status_as_error(false)
        // Redirects are followed here, so each hop's host can be checked.
        .max_redirects(0)
        .timeout_connect(Some(first))
        .timeout_recv_response(Some(first))
        .user_agent(concat!("permcat/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Bounds of one download.
pub(super) struct Limits<'a> {
    /// Bound on one attempt's whole transfer.
    pub(super) timeout: Duration,
    /// End of the whole run.
    pub(super) deadline: Instant,
    /// The run's bound in seconds, for messages.
    pub(super) deadline_secs: f64,
    /// Largest file accepted.
    pub(super) max_bytes: u64,
    /// Scheme, host and port of the base URL.
    pub(super) origin: Origin,
    /// Further hosts redirects may lead to.
    pub(super) allowed: &'a [String],
}

/// Why one attempt failed, and whether another attempt may help.
struct AttemptError {
    message: String,
    retry: bool,
}

/// A file that arrived.
pub(super) struct Got {
    /// Final URL after redirects.
    pub(super) url: String,
    /// Size in bytes.
    pub(super) bytes: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub(super) sha256: String,
}

/// Downloads one URL into `target` with retries; `Ok(None)` on 404.
pub(super) fn download(
    agent: &ureq::Agent,
    url: &str,
    target: &Path,
    limits: &Limits<'_>,
    retries: u32,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<Option<Got>> {
    let mut attempt = 1;
    loop {
        match attempt_download(agent, url, target, limits) {
            Ok(found) => return Ok(found),
            Err(e) if e.retry && attempt <= retries => {
                // 0.5 s, then 1 s: enough for a restarting server, short enough for a CLI.
                let pause = Duration::from_millis(500 << (attempt - 1).min(4));
                if Instant::now() + pause >= limits.deadline {
                    return Err(anyhow!(
                        "`{url}`: {}; no time left for another attempt within the {} s deadline",
                        e.message,
                        limits.deadline_secs
                    ));
                }
                on_event(Event::Retry {
                    url,
                    attempt,
                    error: e.message,
                });
                std::thread::sleep(pause);
                attempt += 1;
            }
            Err(e) => {
                let tries = if attempt > 1 {
                    format!(" (after {attempt} attempts)")
                } else {
                    String::new()
                };
                return Err(anyhow!("`{url}`: {}{tries}", e.message));
            }
        }
    }
}

/// Scheme, lower-case host and port of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Origin {
    pub(super) scheme: String,
    pub(super) host: String,
    pub(super) port: u16,
}

impl Origin {
    /// `host`, or `host:port` when the port is not the scheme's default.
    pub(super) fn authority(&self) -> String {
        let default = if self.scheme == "https" { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The origin of `url`; a URL without a scheme counts as `http`.
pub(super) fn origin(url: &str) -> Origin {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let default = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, p.parse().unwrap_or(default)),
        _ => (authority, default),
    };
    Origin {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
    }
}

/// Where a `Location` header leads from `current`.
pub(super) fn resolve_location(current: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let o = origin(current);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}://{rest}", o.scheme);
    }
    let base = format!("{}://{}", o.scheme, o.authority());
    if location.starts_with('/') {
        return format!("{base}{location}");
    }
    let path = current
        .split_once("://")
        .map_or("", |(_, r)| r.find('/').map_or("/", |i| &r[i..]));
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    format!("{base}{dir}{location}")
}

/// Whether a redirect from the base URL's origin to `to` may be followed.
pub(super) fn redirect_allowed(from: &Origin, to: &Origin, allowed: &[String]) -> bool {
    if from.scheme == "https" && to.scheme != "https" {
        return false;
    }
    if to.host == from.host && to.port == from.port {
        return true;
    }
    allowed.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a == to.host || a == to.authority() || a == format!("{}:{}", to.host, to.port)
    })
}

/// One attempt at `url`, redirects included; the body streams into `target` while it is
/// counted against the cap and hashed.
fn attempt_download(
    agent: &ureq::Agent,
    url: &str,
    target: &Path,
    limits: &Limits<'_>,
) -> Result<Option<Got>, AttemptError> {
    let started = Instant::now();
    // Whatever ends first: this file's bound or the run's deadline.
    let (end, by_deadline) = if started + limits.timeout <= limits.deadline {
        (started + limits.timeout, false)
    } else {
        (limits.deadline, true)
    };
    let timed_out = || AttemptError {
        message: if by_deadline {
            format!(
                "timeout: not finished within the {} s deadline",
                limits.deadline_secs
            )
        } else {
            format!(
                "timeout: not finished within {} s",
                limits.timeout.as_secs_f64()
            )
        },
        retry: !by_deadline,
    };
    let transport = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => timed_out(),
        other => AttemptError {
            message: other.to_string(),
            retry: true,
        },
    };
    let mut current = url.to_string();
    let mut hops = 0;
    let mut response = loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        let response = agent
            .get(&current)
            .config()
            .timeout_global(Some(left))
            .build()
            .call()
            .map_err(transport)?;
        if !response.status().is_redirection() {
            break response;
        }
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let Some(location) = location else {
            break response;
        };
        let next = resolve_location(&current, &location);
        let to = origin(&next);
        if limits.origin.scheme == "https" && to.scheme != "https" {
            return Err(AttemptError {
                message: format!("redirected from https to plain `{next}`; refused"),
                retry: false,
            });
        }
        if !redirect_allowed(&limits.origin, &to, limits.allowed) {
            return Err(AttemptError {
                message: format!(
                    "redirected to another host, `{next}`; pass --allow-redirect-host {} to follow it",
                    to.authority()
                ),
                retry: false,
            });
        }
        hops += 1;
        if hops > MAX_REDIRECTS {
            return Err(AttemptError {
                message: format!("more than {MAX_REDIRECTS} redirects"),
                retry: false,
            });
        }
        current = next;
    };
    let status = response.status();
    if status.as_u16() == 404 {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(AttemptError {
            message: format!("HTTP {status}"),
            retry: status.is_server_error(),
        });
    }
    let expected = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let cap = limits.max_bytes;
    let too_large = || AttemptError {
        message: format!("response larger than the {cap}-byte cap"),
        retry: false,
    };
    if expected.is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    let write_error = |e: io::Error| AttemptError {
        message: format!("cannot write `{}`: {e}", target.display()),
        retry: false,
    };
    let mut out = fs::File::create(target).map_err(write_error)?;
    // The raw reader, so a short body surfaces as a length mismatch below rather than as
    // whatever the HTTP layer calls an early close; the cap is counted here.
    let mut reader = response.body_mut().with_config().limit(u64::MAX).reader();
    let mut hasher = Sha256::new();
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let e = ureq::Error::from(e);
                if matches!(e, ureq::Error::Timeout(_)) || Instant::now() >= end {
                    return Err(timed_out());
                }
                let message = match expected {
                    Some(n) if total < n => {
                        format!("truncated body: {total} of {n} bytes received ({e})")
                    }
                    _ => format!("reading the body failed: {e}"),
                };
                return Err(AttemptError {
                    message,
                    retry: true,
                });
            }
        };
        total += n as u64;
        if total > cap {
            return Err(too_large());
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(write_error)?;
        if Instant::now() >= end {
            return Err(timed_out());
        }
    }
    if let Some(n) = expected {
        if total != n {
            return Err(AttemptError {
                message: format!("truncated body: {total} of {n} bytes received"),
                retry: true,
            });
        }
    }
    out.sync_all().map_err(write_error)?;
    Ok(Some(Got {
        url: current,
        bytes: total,
        sha256: hex(&hasher.finalize()),
    }))
}

/// Lower-case hex SHA-256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
