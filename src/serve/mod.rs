//! The preview server behind `permcat serve`: builds the site into a directory it owns,
//! serves it over HTTP on loopback, rebuilds when the data changes and tells open pages
//! to reload.
//!
//! Every answer comes from [`respond`], a function of the served directory, the method
//! and the raw URL, so the path rules can be tested without a socket. A path is served
//! only when, after percent-decoding and canonicalization, it names a regular file inside
//! the served directory: `policy` decides that, `reply` builds the answers, `watch`
//! rebuilds the site when the data changes, and `http` puts the answers on the wire
//! (hyper on tokio, files streamed by tower-http).

mod browser;
mod http;
mod mime;
mod policy;
mod reply;
mod watch;

#[cfg(test)]
mod tests;

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};

pub use browser::open_in_browser;
pub use mime::content_type;
pub use policy::{resolve, Refusal, Target};
pub use reply::{respond, Reply, COMMON_HEADERS, RELOAD_SCRIPT_PATH, STATUS_PATH};
pub use watch::State;

use reply::not_found;
use watch::{fingerprint, rebuild, watch};

/// The same policy as the `<meta>` tag of every page, sent as a header too.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'none'";

/// Longest request target answered; longer ones get 414.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// Most header bytes (names and values) answered; more get 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Data directory to build from and watch.
    pub data: PathBuf,
    /// Host or address to bind; loopback unless asked otherwise.
    pub host: String,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// Open the browser once serving (the command does this; kept here so the options
    /// describe the whole invocation).
    pub open: bool,
    /// Serve this already-built directory as it is: no build, no watching, no reload
    /// script. For measuring the server alone.
    pub dir: Option<PathBuf>,
}

/// The served directory and, in serve mode, the build state: what [`http`] answers from.
pub(crate) struct Site {
    root: PathBuf,
    state: Option<Arc<State>>,
}

impl Site {
    /// See [`respond`].
    pub(crate) fn respond(&self, method: &str, raw_url: &str) -> Reply {
        respond(&self.root, method, raw_url, self.state.as_deref())
    }

    /// The answer for a file that vanished after the checks.
    pub(crate) fn not_found(&self) -> Reply {
        not_found(&self.root, self.state.as_deref())
    }
}

/// Something the server reports while it runs; the command prints these.
#[derive(Debug, Clone)]
pub enum Event {
    /// A build succeeded: its number and how long loading and rendering took.
    Built {
        /// Build number (1 for the first).
        build: u64,
        /// Wall time of loading and rendering.
        took: Duration,
        /// Permissions in the catalog.
        permissions: usize,
    },
    /// A rebuild failed; the last good site stays up.
    Failed {
        /// The error with its causes, naming file, line and column where known.
        error: String,
    },
}

/// A running preview server. Dropping it without [`Server::stop`] also stops it.
pub struct Server {
    addr: SocketAddr,
    root: PathBuf,
    state: Option<Arc<State>>,
    stop: Arc<AtomicBool>,
    listening: http::Listening,
    watcher: Option<JoinHandle<()>>,
    // Owned so the built site is removed when the server stops.
    _site: Option<tempfile::TempDir>,
}

impl Server {
    /// Binds, builds the site (unless serving a built directory), starts the workers and
    /// the watcher. `on_event` hears of every build and failed rebuild, the first
    /// included; it runs on the watcher thread.
    pub fn start(
        opts: &ServeOptions,
        on_event: impl Fn(Event) + Send + Sync + 'static,
    ) -> Result<Server> {
        // Bind first: a taken port fails at once, before a build that would be wasted.
        let addr = (opts.host.as_str(), opts.port)
            .to_socket_addrs()
            .with_context(|| format!("cannot resolve host `{}`", opts.host))?
            .next()
            .ok_or_else(|| anyhow!("host `{}` has no address", opts.host))?;
        let bound = http::bind(addr).map_err(|e| bind_error(e, opts))?;
        let addr = bound
            .local_addr()
            .context("failed to read the bound address")?;
        let stop = Arc::new(AtomicBool::new(false));

        let (root, state, site) = match &opts.dir {
            Some(dir) => {
                let root = dir
                    .canonicalize()
                    .with_context(|| format!("cannot serve `{}`", dir.display()))?;
                if !root.is_dir() {
                    return Err(anyhow!("`{}` is not a directory", dir.display()));
                }
                (root, None, None)
            }
            None => {
                let site = tempfile::Builder::new()
                    .prefix("permcat-serve-")
                    .tempdir()
                    .context("failed to create a directory for the built site")?;
                let root = site.path().join("site");
                let state = Arc::new(State::default());
                // Taken before reading the data, so an edit made during the first build
                // or before the watcher runs is still seen as a change.
                let before = fingerprint(&opts.data);
                let started = Instant::now();
                let permissions = rebuild(&opts.data, &root)?;
                let build = state.succeeded();
                on_event(Event::Built {
                    build,
                    took: started.elapsed(),
                    permissions,
                });
                (root, Some((state, before)), Some(site))
            }
        };

        let (state, before) = match state {
            Some((state, before)) => (Some(state), Some(before)),
            None => (None, None),
        };
        let listening = bound.serve(Arc::new(Site {
            root: root.clone(),
            state: state.clone(),
        }));
        let watcher = match (&state, before) {
            (Some(state), Some(before)) => {
                let (stop, root, state, data) =
                    (stop.clone(), root.clone(), state.clone(), opts.data.clone());
                Some(thread::spawn(move || {
                    watch(&data, before, &root, &state, &stop, &on_event)
                }))
            }
            _ => None,
        };
        Ok(Server {
            addr,
            root,
            state,
            stop,
            listening,
            watcher,
            _site: site,
        })
    }

    /// The address actually bound (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the site's front page.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The directory being served.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The build state, in serve mode (not when serving a built directory).
    pub fn state(&self) -> Option<&State> {
        self.state.as_deref()
    }

    /// Stops accepting requests, lets the workers and the watcher finish, and removes
    /// the built site.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.listening.stop();
        if let Some(t) = self.watcher.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Whether an address is on this machine only.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Turns a bind error into one that says what to do.
fn bind_error(err: io::Error, opts: &ServeOptions) -> anyhow::Error {
    match err.kind() {
        io::ErrorKind::AddrInUse => anyhow!(
            "port {} on {} is in use; pass --port N, or --port 0 to pick a free one",
            opts.port,
            opts.host
        ),
        _ => anyhow!("cannot listen on {}:{}: {err}", opts.host, opts.port),
    }
}
