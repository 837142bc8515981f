//! The `git` command for `permcat sync --docs`: found on `PATH`, run without prompts or
//! hooks, in its own process group, and bounded in time and disk use. A command that
//! passes a bound is killed together with every process it started.
//!
//! A process group (rather than the terminal's) keeps a hung `git-remote-https` or a
//! lingering helper from outliving the step; an interrupted sync kills the group
//! through [`interrupt`].

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};

/// Oldest git with every command the docs step uses (`sparse-checkout`, `clone --sparse`).
pub const MIN_GIT: (u32, u32) = (2, 25);

/// Settings passed with `-c` to every command. Each keeps a clone that sync does not
/// control from doing something sync cannot bound or undo.
const CONFIG: [&str; 7] = [
    // No hooks, even in a clone copied from an older directory.
    "core.hooksPath=/dev/null",
    // No file-system monitor daemon outliving the step.
    "core.fsmonitor=false",
    // A link in the tree becomes a small file naming its target, never a link out.
    "core.symlinks=false",
    // Hard-linked copies change a file's ctime, not its content: the index stays valid.
    "core.trustctime=false",
    // Housekeeping runs inside the bounds, never detached on a folder swapped in later.
    "gc.autoDetach=false",
    "maintenance.autoDetach=false",
    "credential.interactive=never",
];

/// Variables of an outer git (a hook, an alias) that would point these commands at
/// another repository.
const FOREIGN_ENV: [&str; 10] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CONFIG_PARAMETERS",
    "GIT_QUARANTINE_PATH",
];

/// Most bytes of a command's standard output kept as text; the rest is only counted.
const STDOUT_KEPT: usize = 1 << 20;

/// Lines of a command's error output quoted when it fails.
const TAIL_LINES: usize = 6;

/// Process group of the git command running now, while it has not been reaped.
static RUNNING: Mutex<Option<u32>> = Mutex::new(None);

/// Set once the user interrupted the sync.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Kills the git command running now, if any, with everything it started, and makes
/// the sync fail as interrupted. Returns whether a command was running. Meant for a
/// Ctrl-C handler; a second call with nothing running is the caller's cue to exit.
pub fn interrupt() -> bool {
    INTERRUPTED.store(true, Ordering::SeqCst);
    let running = RUNNING.lock().map(|g| *g).unwrap_or(None);
    if let Some(pid) = running {
        kill_group(pid);
    }
    running.is_some()
}

/// Whether [`interrupt`] was called.
pub(super) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The bounds of one command.
pub(super) struct Bounds<'a> {
    /// End of the whole sync.
    pub(super) deadline: Instant,
    /// The sync's bound in seconds, for messages.
    pub(super) deadline_secs: f64,
    /// Longest silence (no output, no growth of `watch`) before the command counts as hung.
    pub(super) stall: Duration,
    /// Folder whose size is capped while the command runs, and after it.
    pub(super) watch: Option<&'a Path>,
    /// Largest size of `watch`, in bytes.
    pub(super) max_bytes: u64,
}

/// What a command printed on its standard output.
pub(super) struct Output {
    /// The text, up to a megabyte.
    pub(super) text: String,
    /// Lines printed in all.
    pub(super) lines: usize,
}

/// The git command, checked to be there and recent enough.
#[derive(Debug, Clone)]
pub(super) struct Git {
    program: OsString,
    /// `git --version`'s answer.
    pub(super) version: String,
}

impl Git {
    /// Finds `git` on `PATH` and checks its version.
    pub(super) fn find(bounds: &Bounds<'_>) -> Result<Git> {
        let git = Git {
            program: OsString::from("git"),
            version: String::new(),
        };
        let out = git.run(
            None,
            &["--version"].map(OsString::from),
            bounds,
            &mut |_| {},
        )?;
        let version = out.text.trim().to_string();
        match parse_version(&version) {
            Some(v) if v >= MIN_GIT => Ok(Git { version, ..git }),
            Some(_) => bail!(
                "`{version}` is too old: permcat sync --docs needs git {}.{} or newer",
                MIN_GIT.0,
                MIN_GIT.1
            ),
            None => bail!("`git --version` answered `{version}`, not a git version"),
        }
    }

    /// Runs git with `args`; inside the clone at `repo` (named explicitly, so no
    /// repository above it is ever found instead) when given. `on_line` sees every
    /// progress or message line of the error output. Fails on a non-zero exit with the
    /// last lines git printed, and when a bound is passed (the command is killed).
    pub(super) fn run(
        &self,
        repo: Option<&Path>,
        args: &[OsString],
        bounds: &Bounds<'_>,
        on_line: &mut dyn FnMut(&str),
    ) -> Result<Output> {
        let name = command_name(args);
        let mut cmd = Command::new(&self.program);
        for c in CONFIG {
            cmd.args(["-c", c]);
        }
        if let Some(repo) = repo {
            cmd.arg(prefixed("--git-dir=", &repo.join(".git")))
                .arg(prefixed("--work-tree=", repo))
                .current_dir(repo);
        }
        cmd.args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            // Empty, so no helper program pops up to ask for a password either.
            .env("GIT_ASKPASS", "")
            .env("SSH_ASKPASS", "")
            .env("GCM_INTERACTIVE", "never")
            .env("GIT_LFS_SKIP_SMUDGE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for var in FOREIGN_ENV {
            cmd.env_remove(var);
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = {
            let mut running = RUNNING.lock().map_err(|_| anyhow!("git state poisoned"))?;
            if interrupted() {
                bail!("interrupted");
            }
            let child = cmd.spawn().map_err(|e| spawn_error(&name, &e))?;
            *running = Some(child.id());
            child
        };
        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            read_stdout(out, tx.clone());
        }
        if let Some(err) = child.stderr.take() {
            read_lines(err, tx);
        }
        watch(&name, &mut child, &rx, bounds, on_line)
    }
}

/// Messages of the threads reading a command's output.
enum Msg {
    /// A line of error output (progress updates end in `\r`, so each is a line).
    Line(String),
    /// A chunk of standard output.
    Out(Vec<u8>),
}

/// Waits for the command while enforcing the bounds; see [`Git::run`].
fn watch(
    name: &str,
    child: &mut Child,
    rx: &Receiver<Msg>,
    bounds: &Bounds<'_>,
    on_line: &mut dyn FnMut(&str),
) -> Result<Output> {
    let mut tail: VecDeque<String> = VecDeque::new();
    let mut out = Output {
        text: String::new(),
        lines: 0,
    };
    let mut stdout = Vec::new();
    let mut last_activity = Instant::now();
    // Not measured at the start: a large copied clone takes a while to walk, and the
    // first measure counting as growth does no harm.
    let mut size = 0;
    let mut next_measure = Instant::now() + Duration::from_secs(1);
    let mut take = |msg: Msg, tail: &mut VecDeque<String>, stdout: &mut Vec<u8>| match msg {
        Msg::Line(line) => {
            on_line(&line);
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
        Msg::Out(chunk) => {
            out.lines += chunk.iter().filter(|&&b| b == b'\n').count();
            let room = STDOUT_KEPT.saturating_sub(stdout.len());
            stdout.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
    };
    let status = loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(msg) => {
                last_activity = Instant::now();
                take(msg, &mut tail, &mut stdout);
            }
            Err(RecvTimeoutError::Timeout) => {}
            // Both pipes closed: the command is about to end.
            Err(RecvTimeoutError::Disconnected) => thread::sleep(Duration::from_millis(20)),
        }
        let now = Instant::now();
        let mut stop = None;
        // Measured first, so a command that writes without a word is not taken for hung.
        if let Some(dir) = bounds.watch.filter(|_| now >= next_measure) {
            let new = dir_size(dir);
            if new > bounds.max_bytes {
                stop = Some(too_large(name, new, bounds.max_bytes));
            } else if new != size {
                size = new;
                last_activity = now;
            }
            // Measuring a large tree takes time: at most a fifth of it goes to that.
            next_measure = Instant::now() + now.elapsed().mul_f64(4.0).max(Duration::from_secs(1));
        }
        if stop.is_none() {
            stop = if interrupted() {
                Some("interrupted".to_string())
            } else if now >= bounds.deadline {
                Some(format!(
                    "`{name}` not finished within the {} s deadline; killed",
                    bounds.deadline_secs
                ))
            } else if now.duration_since(last_activity) >= bounds.stall {
                Some(format!(
                    "`{name}` printed nothing and received nothing for {} s; killed as hung",
                    bounds.stall.as_secs_f64()
                ))
            } else {
                None
            };
        }
        // Checked before reaping, so the group id cannot have been reused yet.
        if let Some(why) = stop {
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            clear_running();
            bail!(why);
        }
        let mut running = RUNNING.lock().map_err(|_| anyhow!("git state poisoned"))?;
        if let Some(status) = child.try_wait()? {
            *running = None;
            break status;
        }
    };
    // Whatever is still in the pipes; a straggler holding them open is not waited for.
    let until = Instant::now() + Duration::from_secs(2);
    while let Ok(msg) = rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
        take(msg, &mut tail, &mut stdout);
    }
    if interrupted() {
        bail!("interrupted");
    }
    if !status.success() {
        // git's own verdict when it gave one, else whatever it printed last.
        let verdict = |l: &&String| ["fatal:", "error:"].iter().any(|p| l.starts_with(p));
        let mut said: Vec<&String> = tail.iter().filter(verdict).collect();
        if said.is_empty() {
            said = tail.iter().collect();
        }
        let said: Vec<&str> = said.into_iter().map(String::as_str).collect();
        bail!("`{name}` failed ({status}): {}", said.join(" / "));
    }
    if let Some(dir) = bounds.watch {
        let new = dir_size(dir);
        if new > bounds.max_bytes {
            bail!(too_large(name, new, bounds.max_bytes));
        }
    }
    out.text = String::from_utf8_lossy(&stdout).into_owned();
    Ok(out)
}

fn too_large(name: &str, size: u64, cap: u64) -> String {
    format!(
        "during `{name}` the docs clone reached {size} bytes (a file counting at least \
         {BLOCK}), more than the {cap}-byte cap (--docs-max-bytes); killed"
    )
}

fn clear_running() {
    if let Ok(mut running) = RUNNING.lock() {
        *running = None;
    }
}

/// Kills the process group led by `pid`.
#[cfg(unix)]
fn kill_group(pid: u32) {
    if let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// Without process groups, only the command itself can be stopped, by the caller.
#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

/// `git clone`, `git fetch`, …: the subcommand, for messages.
fn command_name(args: &[OsString]) -> String {
    let sub = args
        .iter()
        .map(|a| a.to_string_lossy())
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| {
            args.first()
                .map(|a| a.to_string_lossy())
                .unwrap_or_default()
        });
    format!("git {sub}")
}

fn spawn_error(name: &str, e: &io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::NotFound {
        anyhow!(
            "git not found on PATH: permcat sync --docs fetches the Learn docs with the git \
             command ({}.{} or newer); install git, or sync without --docs",
            MIN_GIT.0,
            MIN_GIT.1
        )
    } else {
        anyhow!("cannot run `{name}`: {e}")
    }
}

fn prefixed(prefix: &str, path: &Path) -> OsString {
    let mut s = OsString::from(prefix);
    s.push(path.as_os_str());
    s
}

/// `(major, minor)` of `git version 2.47.3` (and of `git version 2.39.2 (Apple Git-143)`).
pub(super) fn parse_version(text: &str) -> Option<(u32, u32)> {
    let number = text
        .strip_prefix("git version ")?
        .split_whitespace()
        .next()?;
    let mut parts = number.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Sends standard output in chunks.
fn read_stdout(mut from: impl Read + Send + 'static, tx: Sender<Msg>) {
    thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || tx.send(Msg::Out(buf[..n].to_vec())).is_err() {
                break;
            }
        }
    });
}

/// Sends the error output line by line, splitting on `\r` too.
fn read_lines(mut from: impl Read + Send + 'static, tx: Sender<Msg>) {
    thread::spawn(move || {
        let mut buf = vec![0u8; 8 * 1024];
        let mut line = Vec::new();
        let send = |line: &mut Vec<u8>| {
            let text = String::from_utf8_lossy(line).trim().to_string();
            line.clear();
            text.is_empty() || tx.send(Msg::Line(text)).is_ok()
        };
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            for &b in &buf[..n] {
                if b == b'\n' || b == b'\r' {
                    if !send(&mut line) {
                        return;
                    }
                } else if line.len() < 4096 {
                    line.push(b);
                }
            }
        }
        send(&mut line);
    });
}

/// Smallest share of the disk one entry takes, as a file system's block: a tree of a
/// million empty files is not small.
const BLOCK: u64 = 4096;

/// Room the tree under `dir` takes: each file's length and each entry at least a
/// block, links not followed; files that vanish while git works count as nothing.
pub(super) fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| {
            if m.is_file() {
                m.len().max(BLOCK)
            } else {
                BLOCK
            }
        })
        .sum()
}

/// `OsString` arguments from plain ones.
pub(super) fn args<const N: usize>(plain: [&str; N]) -> Vec<OsString> {
    plain.iter().map(OsString::from).collect()
}

/// Appends a path argument.
pub(super) fn with_path(mut args: Vec<OsString>, path: &Path) -> Vec<OsString> {
    args.push(OsStr::new(path).to_os_string());
    args
}
