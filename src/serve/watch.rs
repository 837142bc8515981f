//! Serve mode's rebuild loop: the build state open pages poll, and the watcher that
//! polls the data directory and rebuilds the site after a change.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::RwLock;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;

use super::Event;
use crate::render::{self, BuildOptions};

/// How often the watcher looks at the data directory.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// How long the data must stay unchanged before a rebuild, so an editor's save in
/// several writes triggers one build.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// The poll interval is at least this many times the time one scan takes.
const SCAN_SHARE: u32 = 40;

/// The build state open pages poll: a counter that moves on every good build, and the
/// last build's error.
#[derive(Debug, Default)]
pub struct State {
    build: AtomicU64,
    error: RwLock<Option<String>>,
}

impl State {
    /// Number of the last good build (1 after the first).
    pub fn build(&self) -> u64 {
        self.build.load(Ordering::SeqCst)
    }

    /// The error of the last build attempt, if it failed.
    pub fn error(&self) -> Option<String> {
        self.error
            .read()
            .map(|e| e.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    pub(super) fn succeeded(&self) -> u64 {
        self.set_error(None);
        self.build.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub(super) fn set_error(&self, error: Option<String>) {
        match self.error.write() {
            Ok(mut e) => *e = error,
            Err(poisoned) => *poisoned.into_inner() = error,
        }
    }

    /// The JSON that `/__permcat/status` answers: `{"build": N, "error": null | "text"}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "build": self.build(), "error": self.error() }).to_string()
    }
}

/// Loads the data and renders it into `root` (atomically, so a failure leaves the last
/// good site); returns the number of permissions.
pub(super) fn rebuild(data: &Path, root: &Path) -> Result<usize> {
    let (catalog, _) = crate::load(data)?;
    render::build(
        &catalog,
        &BuildOptions {
            out: root.to_path_buf(),
            base_url: None,
            previous: None,
        },
    )?;
    Ok(catalog.permissions.len())
}

/// Size and modification time of every file under the data directory, by path.
pub(super) type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

/// Walks the data directory; polling works on every filesystem, unlike change events.
pub(super) fn fingerprint(data: &Path) -> Fingerprint {
    let mut files: Fingerprint = walkdir::WalkDir::new(data)
        .follow_links(true)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file()
                .then(|| (e.into_path(), meta.len(), meta.modified().ok()))
        })
        .collect();
    files.sort();
    files
}

/// The watcher: polls the data directory and rebuilds once it has been quiet for the
/// debounce time after a change; `built` is the fingerprint the current site came from.
pub(super) fn watch(
    data: &Path,
    mut built: Fingerprint,
    root: &Path,
    state: &State,
    stop: &AtomicBool,
    on_event: &(dyn Fn(Event) + Send + Sync),
) {
    let mut seen = built.clone();
    let mut changed_at = Instant::now();
    let mut interval = POLL_EVERY;
    while !stop.load(Ordering::SeqCst) {
        let wake = Instant::now() + interval;
        while Instant::now() < wake {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let scan = Instant::now();
        let now = fingerprint(data);
        // A large data directory (the full snapshot has some 19,000 files) takes tens of
        // milliseconds to walk: poll less often then, so an idle preview stays near
        // 1/SCAN_SHARE of a core.
        interval = POLL_EVERY.max(scan.elapsed() * SCAN_SHARE);
        if now != seen {
            seen = now;
            changed_at = Instant::now();
        }
        if seen == built || changed_at.elapsed() < DEBOUNCE {
            continue;
        }
        // What is built is what was seen before reading: a change during the build
        // differs from it and triggers another.
        built = seen.clone();
        let started = Instant::now();
        match rebuild(data, root) {
            Ok(permissions) => on_event(Event::Built {
                build: state.succeeded(),
                took: started.elapsed(),
                permissions,
            }),
            Err(e) => {
                let error = format!("{e:#}");
                state.set_error(Some(error.clone()));
                on_event(Event::Failed { error });
            }
        }
    }
}
