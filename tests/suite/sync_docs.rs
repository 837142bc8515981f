//! `permcat sync --docs` against git repositories the tests make in temp dirs (file://
//! URLs) from the real sample of today's docs: a first clone, an update of the same
//! clone, refused trees, a missing git, a hostile tree and a hanging git.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, UNIX_EPOCH};

use permcat::sources::snapshot::Snapshot;
use permcat::sources::DataDir;
use permcat::sync::rfc3339;
use serde_json::Value;

use crate::common::{stderr, stdout};
use crate::sync::{
    assert_refused, assert_untouched, run_bounded, sync_command, tree, Fault, Server,
};

/// The data directory's docs folder.
const FOLDER: &str = "microsoft-graph-docs-contrib";

/// The real sample of today's docs, read in place.
fn current_docs() -> PathBuf {
    crate::common::current_docs().join(FOLDER)
}

/// Runs git for the tests' own repositories, apart from the user's configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=permcat tests",
            "-c",
            "user.email=tests@example.invalid",
        ])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs (these tests need git on PATH)");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

/// Every file under `root/sub`, relative to `root`, sorted.
fn files_under(root: &Path, sub: &str) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(root.join(sub))
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("under root");
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

/// `.md` files directly in a folder.
fn count_md(dir: &Path) -> usize {
    fs::read_dir(dir)
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".md"))
            })
            .count()
        })
        .unwrap_or(0)
}

/// API pages of a docs tree, v1.0 and beta.
fn api_pages(root: &Path) -> usize {
    ["v1.0", "beta"]
        .iter()
        .map(|v| count_md(&root.join("api-reference").join(v).join("api")))
        .sum()
}

/// A docs repository in a temp dir: the current-docs sample, plus a folder and a root
/// file outside the folders sync checks out.
struct Upstream {
    tmp: tempfile::TempDir,
}

impl Upstream {
    fn sample() -> Upstream {
        let up = Upstream {
            tmp: tempfile::tempdir().expect("temp dir"),
        };
        let repo = up.path();
        fs::create_dir(&repo).expect("mkdir");
        git(&repo, &["init", "-q"]);
        git(&repo, &["symbolic-ref", "HEAD", "refs/heads/main"]);
        // A file:// remote is served by the local upload-pack, which filters only when
        // allowed to, as GitHub does.
        git(&repo, &["config", "uploadpack.allowFilter", "true"]);
        for rel in files_under(&current_docs(), "api-reference") {
            up.write(
                &rel,
                &fs::read(current_docs().join(&rel)).expect("sample file"),
            );
        }
        up.write("concepts/overview.md", b"# Outside the sparse folders\n");
        up.write("README.md", b"# docs\n");
        up.commit("the current-docs sample");
        up
    }

    fn path(&self) -> PathBuf {
        self.tmp.path().join("docs")
    }

    fn url(&self) -> String {
        format!("file://{}", self.path().display())
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.path().join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, bytes).expect("write");
    }

    /// Commits everything; returns the commit.
    fn commit(&self, message: &str) -> String {
        git(&self.path(), &["add", "-A"]);
        git(&self.path(), &["commit", "-q", "-m", message]);
        git(&self.path(), &["rev-parse", "HEAD"])
    }

    /// The committer date of HEAD as SNAPSHOT.json records it.
    fn committed(&self) -> String {
        let secs = git(&self.path(), &["show", "-s", "--format=%ct", "HEAD"]);
        rfc3339(UNIX_EPOCH + Duration::from_secs(secs.parse().expect("a timestamp")))
    }
}

/// `permcat sync --docs-only` from `up` into `dest`.
fn docs_command(up: &str, dest: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_permcat"));
    cmd.args(["sync", "--docs-only", "--docs-repo", up, "--dest"])
        .arg(dest)
        .args(extra);
    cmd
}

fn docs_sync(up: &Upstream, dest: &Path, extra: &[&str]) -> Output {
    docs_command(&up.url(), dest, extra)
        .output()
        .expect("permcat runs")
}

/// The docs entry of a data directory's SNAPSHOT.json.
fn docs_entry(dest: &Path) -> Value {
    let bytes = fs::read(dest.join("SNAPSHOT.json")).expect("SNAPSHOT.json");
    let doc: Value = serde_json::from_slice(&bytes).expect("snapshot JSON");
    let sources = doc["sources"].as_array().expect("sources").clone();
    sources
        .into_iter()
        .find(|s| s["folder"] == FOLDER)
        .expect("a docs entry")
}

/// A refusal (exit 2) whose message says each of `says`.
fn refused_saying(out: &Output, says: &[&str]) {
    assert_refused(out);
    let err = stderr(out);
    for s in says {
        assert!(err.contains(s), "no `{s}` in: {err}");
    }
}

fn succeeded(out: &Output) {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

#[test]
fn a_first_sync_clones_and_the_next_one_updates_the_same_clone() {
    let up = Upstream::sample();
    let first = git(&up.path(), &["rev-parse", "HEAD"]);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    // A docs folder that is not a clone is replaced by one.
    let stale = dest.join(FOLDER).join("api-reference/v1.0/api/stale.md");
    fs::create_dir_all(stale.parent().expect("parent")).expect("mkdir");
    fs::write(&stale, b"# stale\n").expect("write");
    let started = Instant::now();
    let out = docs_sync(&up, &dest, &[]);
    let clone_took = started.elapsed();
    succeeded(&out);
    assert!(
        !stale.exists(),
        "a page of the old folder survived the clone"
    );
    let clone = dest.join(FOLDER);
    // The checked-out folders byte for byte, and nothing else of the repository's.
    let want = files_under(&current_docs(), "api-reference");
    assert_eq!(files_under(&clone, "api-reference"), want);
    for rel in &want {
        let got = fs::read(clone.join(rel)).expect("synced page");
        assert!(
            got == fs::read(current_docs().join(rel)).expect("sample"),
            "{rel}"
        );
    }
    assert!(
        !clone.join("concepts").exists(),
        "a folder outside the sparse set"
    );
    // Shallow, and the blobs of the other folders never came.
    assert_eq!(
        git(&clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    let blob = git(&up.path(), &["rev-parse", "HEAD:concepts/overview.md"]);
    let objects = git(
        &clone,
        &["rev-list", "--objects", "--missing=print", "HEAD"],
    );
    assert!(
        objects.lines().any(|l| l == format!("?{blob}")),
        "the blob outside the sparse folders was fetched"
    );
    let text = stdout(&out);
    let api = api_pages(&current_docs());
    assert!(text.contains("cloned, "), "{text}");
    assert!(text.contains(&format!("; {api} API pages (")), "{text}");
    let entry = docs_entry(&dest);
    assert_eq!(entry["commit"], first.as_str());
    assert_eq!(entry["committed"], up.committed().as_str());
    assert_eq!(entry["date"], &up.committed()[..10]);
    assert_eq!(entry["url"], up.url().as_str());
    // The docs reader's sources find the record, so pages can say which commit they show.
    let dir = DataDir::open(&dest).expect("data dir");
    let record = Snapshot::load(&dir).expect("loads").expect("present");
    let found = record.find(&format!("{FOLDER}/api-reference/v1.0"));
    assert_eq!(
        found.and_then(|s| s.commit.as_deref()),
        Some(first.as_str())
    );

    // One page changes upstream.
    let page = "api-reference/v1.0/api/user-get.md";
    let kept = clone.join("api-reference/v1.0/resources/user.md");
    let packs = |clone: &Path| files_under(clone, ".git/objects/pack");
    let old_packs = packs(&clone);
    #[cfg(unix)]
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).expect("meta"));
    #[cfg(unix)]
    let kept_inode = inode(&kept);
    let mut changed = fs::read(up.path().join(page)).expect("page");
    changed.extend_from_slice(b"\nA line added upstream.\n");
    up.write(page, &changed);
    let second = up.commit("one page changes");

    // A dry run fetches and validates in the staging directory only.
    let before = tree(&dest);
    let out = docs_sync(&up, &dest, &["--dry-run"]);
    succeeded(&out);
    let updated = format!("updated from {}, 1 file changed", &first[..12]);
    assert!(stdout(&out).contains(&updated), "{}", stdout(&out));
    assert_untouched(tmp.path(), &dest, &before);

    let started = Instant::now();
    let out = docs_sync(&up, &dest, &[]);
    let update_took = started.elapsed();
    succeeded(&out);
    assert!(stdout(&out).contains(&updated), "{}", stdout(&out));
    assert_eq!(fs::read(clone.join(page)).expect("page"), changed);
    assert_eq!(git(&clone, &["rev-parse", "HEAD"]), second);
    let entry = docs_entry(&dest);
    assert_eq!(entry["commit"], second.as_str());
    assert_eq!(entry["committed"], up.committed().as_str());
    // The old clone went on: its packs and its reflog are still there, and an unchanged
    // page is the very same file.
    let new_packs = packs(&clone);
    assert!(
        old_packs.iter().all(|p| new_packs.contains(p)),
        "{old_packs:?} → {new_packs:?}"
    );
    let reflog = fs::read_to_string(clone.join(".git/logs/HEAD")).expect("reflog");
    assert!(
        reflog.contains(&first) && reflog.contains(&second),
        "{reflog}"
    );
    #[cfg(unix)]
    assert_eq!(
        inode(&kept),
        kept_inode,
        "an unchanged page was written again"
    );
    let names: Vec<_> = fs::read_dir(tmp.path()).expect("list").collect();
    assert_eq!(names.len(), 1, "staging or old directory left behind");
    eprintln!(
        "docs sync of the test repository: first clone {clone_took:?}, update {update_took:?}"
    );
}

#[test]
fn docs_and_files_sync_in_one_run_and_without_git_only_the_docs_stay_behind() {
    let up = Upstream::sample();
    let head = git(&up.path(), &["rev-parse", "HEAD"]);
    let server = Server::start(Fault::None);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    let url = up.url();
    let both = ["--docs", "--docs-repo", url.as_str()];
    let out = sync_command(&server, &dest, &both)
        .output()
        .expect("permcat runs");
    succeeded(&out);
    let text = stdout(&out);
    assert!(text.contains("synced 18 files"), "{text}");
    assert!(
        text.contains(&format!("docs {FOLDER} at {}", &head[..12])),
        "{text}"
    );
    let check = crate::common::permcat(&["check", "--data", dest.to_str().expect("utf-8")]);
    succeeded(&check);
    // The real files and the synced docs make one catalog, and its docs sources carry
    // the commit.
    let (catalog, _) = permcat::load(&dest).expect("the combined data loads");
    let docs = catalog
        .sources
        .get("docs:v1.0")
        .expect("a v1.0 docs source");
    assert_eq!(docs.commit.as_deref(), Some(head.as_str()));
    assert_eq!(docs.path, format!("{FOLDER}/api-reference/v1.0"));

    // Without git the files still sync, the docs stay exactly as they were, and the
    // run fails naming git.
    let enum_types = dest.join("msgraph-metadata/schemas/type-mappings/v1.0-enum-types.json");
    fs::remove_file(&enum_types).expect("remove");
    let docs_before = tree(&dest.join(FOLDER));
    let no_git = tempfile::tempdir().expect("temp dir");
    let out = sync_command(&server, &dest, &both)
        .env("PATH", no_git.path())
        .output()
        .expect("permcat runs");
    refused_saying(&out, &["git not found on PATH", "the old docs are kept"]);
    assert!(stdout(&out).contains("synced 18 files"), "{}", stdout(&out));
    assert!(enum_types.is_file(), "the other files did not sync");
    assert!(tree(&dest.join(FOLDER)) == docs_before, "the docs changed");
    assert_eq!(docs_entry(&dest)["commit"], head.as_str());

    // The same for a tree that git fetched and checked out but permcat refused: the
    // half-made clone is dropped before the old docs are carried over.
    fs::remove_dir_all(up.path().join("api-reference")).expect("remove");
    up.commit("no api-reference");
    fs::remove_file(&enum_types).expect("remove");
    let out = sync_command(&server, &dest, &both)
        .output()
        .expect("permcat runs");
    refused_saying(&out, &["has no api-reference/ folder"]);
    assert!(enum_types.is_file(), "the other files did not sync");
    assert!(tree(&dest.join(FOLDER)) == docs_before, "the docs changed");
    assert_eq!(docs_entry(&dest)["commit"], head.as_str());
    let names: Vec<_> = fs::read_dir(tmp.path()).expect("list").collect();
    assert_eq!(names.len(), 1, "staging or old directory left behind");
}

#[test]
fn without_git_a_docs_sync_fails_naming_git() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    let no_git = tempfile::tempdir().expect("temp dir");
    let out = docs_command("file:///nowhere", &dest, &[])
        .env("PATH", no_git.path())
        .output()
        .expect("permcat runs");
    refused_saying(&out, &["git not found on PATH", "install git"]);
    assert!(!dest.exists());
}

#[test]
fn a_shrunk_tree_or_one_without_api_pages_is_refused_and_the_old_docs_stay() {
    let up = Upstream::sample();
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    succeeded(&docs_sync(&up, &dest, &[]));
    let before = tree(&dest);

    // All but one beta API page gone: more than a tenth of the pages.
    let beta_api = up.path().join("api-reference/beta/api");
    let mut pages: Vec<PathBuf> = fs::read_dir(&beta_api)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .collect();
    pages.sort();
    for page in &pages[1..] {
        fs::remove_file(page).expect("remove");
    }
    up.commit("most beta pages removed");
    let out = docs_sync(&up, &dest, &[]);
    let (was, now) = (api_pages(&current_docs()), api_pages(&up.path()));
    refused_saying(
        &out,
        &[&format!("{was} → {now} API pages"), "--allow-shrink"],
    );
    assert_untouched(tmp.path(), &dest, &before);
    let out = docs_sync(&up, &dest, &["--allow-shrink"]);
    succeeded(&out);
    assert!(stdout(&out).contains(&format!("; {now} API pages (")));

    // No API pages at all, then no api-reference/ at all: refused whatever the flags.
    let before = tree(&dest);
    for v in ["v1.0", "beta"] {
        let _ = fs::remove_dir_all(up.path().join("api-reference").join(v).join("api"));
    }
    up.commit("no API pages");
    let out = docs_sync(&up, &dest, &["--allow-shrink"]);
    refused_saying(&out, &["has no API pages"]);
    assert_untouched(tmp.path(), &dest, &before);
    fs::remove_dir_all(up.path().join("api-reference")).expect("remove");
    up.commit("no api-reference");
    let out = docs_sync(&up, &dest, &["--allow-shrink"]);
    refused_saying(&out, &["has no api-reference/ folder; refusing it"]);
    assert_untouched(tmp.path(), &dest, &before);
    // Nor does such a tree make a new data directory.
    let other = tempfile::tempdir().expect("temp dir");
    let fresh = other.path().join("data");
    assert_refused(&docs_sync(&up, &fresh, &[]));
    assert!(!fresh.exists());
}

/// A page outside the data directory that a link in the docs tree points at.
#[cfg(unix)]
const SECRET_PAGE: &str = "## Permissions
|Permission type|Least privileged permissions|Higher privileged permissions|
|:-|:-|:-|
|Application|Leaked.Secret.All|Not available.|
";

#[cfg(unix)]
#[test]
fn links_and_oversized_pages_in_the_tree_stay_contained() {
    let up = Upstream::sample();
    let outside = tempfile::tempdir().expect("temp dir");
    let secret = outside.path().join("secret.md");
    fs::write(&secret, SECRET_PAGE).expect("write");
    let link = up.path().join("api-reference/v1.0/api/leak.md");
    std::os::unix::fs::symlink(&secret, &link).expect("symlink");
    std::os::unix::fs::symlink("/", up.path().join("api-reference/beta/includes/root"))
        .expect("symlink");
    let huge = "| a | b |\n".repeat(1 << 20);
    up.write("api-reference/v1.0/resources/huge.md", huge.as_bytes());
    up.commit("a hostile tree");
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    let out = docs_sync(&up, &dest, &[]);
    succeeded(&out);
    // Links arrive as small files naming their targets.
    let leak = dest.join(FOLDER).join("api-reference/v1.0/api/leak.md");
    let meta = fs::symlink_metadata(&leak).expect("leak.md");
    assert!(meta.is_file(), "a link in the tree became a link on disk");
    assert_eq!(
        fs::read(&leak).expect("read"),
        secret.as_os_str().as_encoded_bytes()
    );
    let root = dest.join(FOLDER).join("api-reference/beta/includes/root");
    assert!(fs::symlink_metadata(root).expect("root").is_file());
    // The oversized page is counted as a problem, not read.
    let text = stdout(&out);
    assert!(
        text.contains("huge.md") && text.contains("larger than the 8 MiB cap"),
        "{text}"
    );
    let docs = permcat::sources::docs::load(&DataDir::open(&dest).expect("data dir"))
        .expect("docs load")
        .expect("docs present");
    let read = serde_json::to_string(&docs).expect("JSON");
    assert!(!read.contains("Leaked.Secret.All"));
    // A cap on the clone's size refuses the tree.
    let other = tempfile::tempdir().expect("temp dir");
    let fresh = other.path().join("data");
    let out = docs_sync(&up, &fresh, &["--docs-max-bytes", "4000000"]);
    refused_saying(&out, &["4000000-byte cap (--docs-max-bytes)"]);
    assert!(!fresh.exists());
}

/// Whether a process is gone (a zombie counts as gone).
#[cfg(target_os = "linux")]
fn gone(pid: &str) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

/// A `git` that knows its version and hangs at anything else, in a child process that
/// writes its id to `$PERMCAT_TEST_PIDFILE`.
#[cfg(target_os = "linux")]
const HANGING_GIT: &str = r#"#!/bin/sh
for a in "$@"; do
  if [ "$a" = --version ]; then echo 'git version 2.99.0'; exit 0; fi
done
sleep 600 &
echo $! > "$PERMCAT_TEST_PIDFILE"
wait
"#;

#[cfg(target_os = "linux")]
#[test]
fn a_hanging_git_is_killed_with_everything_it_started() {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::tempdir().expect("temp dir");
    let fake = bin.path().join("git");
    fs::write(&fake, HANGING_GIT).expect("write");
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let dest = tmp.path().join("data");
    for (flags, why) in [
        (
            ["--timeout", "2", "--deadline", "60"],
            "received nothing for 2 s; killed as hung",
        ),
        (
            ["--timeout", "60", "--deadline", "2"],
            "not finished within the 2 s deadline; killed",
        ),
    ] {
        let pidfile = bin.path().join("pid");
        let _ = fs::remove_file(&pidfile);
        let mut cmd = docs_command("file:///hangs", &dest, &flags);
        cmd.env("PATH", &path).env("PERMCAT_TEST_PIDFILE", &pidfile);
        let run = run_bounded(cmd, Duration::from_secs(30), &mut || {});
        let (took, err) = (run.elapsed, run.stderr);
        assert_eq!(run.code, Some(2), "after {took:?}: {err}");
        assert!(took < Duration::from_secs(10), "{took:?}");
        assert!(err.contains("`git clone`") && err.contains(why), "{err}");
        assert!(!dest.exists());
        let pid = fs::read_to_string(&pidfile).expect("the fake git ran");
        let pid = pid.trim();
        let until = Instant::now() + Duration::from_secs(3);
        while !gone(pid) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(gone(pid), "the process git started outlived it");
        eprintln!("the hanging git was killed after {took:?}");
    }
}
