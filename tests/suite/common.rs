//! Shared helpers: where the data is, running the binary, scratch data directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use permcat::Catalog;

/// The real upstream snapshot, read in place.
pub fn upstream() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/upstream/current")
}

/// The bundled hand-written sample.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Loads a catalog, failing the test with the error's text.
pub fn load(dir: &Path) -> Catalog {
    match permcat::load(dir) {
        Ok((catalog, _)) => catalog,
        Err(e) => panic!("loading {}: {e:#}", dir.display()),
    }
}

/// The upstream catalog, loaded once per test binary.
pub fn upstream_catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| load(&upstream()))
}

/// The base URL the shared upstream site is built with (so it has a sitemap).
pub const SITE_BASE_URL: &str = "https://permcat.example/catalog";

/// The site of [`upstream_catalog`] (with [`SITE_BASE_URL`]), built once per test binary.
pub fn upstream_site() -> &'static Path {
    static SITE: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, path) = SITE.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("site");
        build_site(upstream_catalog(), &out);
        (tmp, out)
    });
    path
}

/// Builds a catalog's site into `out` with [`SITE_BASE_URL`], as `permcat build
/// --base-url` does.
pub fn build_site(catalog: &Catalog, out: &Path) {
    let options = permcat::render::BuildOptions {
        out: out.to_path_buf(),
        base_url: Some(SITE_BASE_URL.into()),
        previous: None,
    };
    if let Err(e) = permcat::render::build(catalog, &options) {
        panic!("building the site into {}: {e:#}", out.display());
    }
}

/// A JSON file read without permcat, for checks against an independent reading.
pub fn raw_json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// How many permissions a data directory's permissions.json lists, read without permcat.
pub fn raw_permission_count(dir: &Path) -> usize {
    raw_json(&permissions_json(dir))["permissions"]
        .as_object()
        .expect("a permissions object")
        .len()
}

/// Runs the permcat binary.
pub fn permcat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_permcat"))
        .args(args)
        .output()
        .expect("permcat binary runs")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch copy of the bundled sample that a test may change.
pub fn sample_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&sample(), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Path of the permissions file inside a data directory.
pub fn permissions_json(dir: &Path) -> PathBuf {
    dir.join("microsoft-graph-devx-content/permissions/new/permissions.json")
}

/// Path of the descriptions file inside a data directory.
pub fn descriptions_json(dir: &Path) -> PathBuf {
    dir.join("microsoft-graph-devx-content/permissions/permissions-descriptions.json")
}

/// Collects a child's output on a thread (so it never blocks on a full pipe), passing
/// each line on if asked.
pub fn drain(
    from: impl std::io::Read + Send + 'static,
    lines: Option<std::sync::mpsc::Sender<String>>,
) -> std::sync::Arc<std::sync::Mutex<String>> {
    use std::io::BufRead;
    let all = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = all.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(from).lines().map_while(Result::ok) {
            if let Ok(mut all) = sink.lock() {
                all.push_str(&line);
                all.push('\n');
            }
            if let Some(tx) = &lines {
                let _ = tx.send(line);
            }
        }
    });
    all
}

/// Every regular file below `dir`, as relative paths with `/` separators, sorted.
pub fn files_under(dir: &Path) -> std::collections::BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk the directory"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside the directory");
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect()
}

/// The docs folder of today's Learn docs in a data directory.
pub const CONTRIB: &str = "microsoft-graph-docs-contrib";

/// `../shared/upstream/current-docs`: a sample of today's Learn docs.
pub fn current_docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/upstream/current-docs")
}

/// The sample's `api-reference` folder.
pub fn current_docs_api() -> PathBuf {
    current_docs().join(CONTRIB).join("api-reference")
}

/// A data directory of every top-level entry of `current/` (with `with_current`) plus
/// today's docs, as symlinks, with a `SNAPSHOT.json` listing the sources of both
/// snapshots (written, as the data directory refuses a snapshot outside itself): what a
/// user who syncs today has.
pub fn combined_docs_dir(with_current: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut snapshot = serde_json::json!({"name": "combined", "sources": []});
    let mut add_sources = |file: &Path| {
        let v = raw_json(file);
        let list = snapshot["sources"].as_array_mut().expect("sources");
        list.extend(v["sources"].as_array().cloned().unwrap_or_default());
    };
    let link = |from: &Path, to: &Path| {
        std::os::unix::fs::symlink(from, to)
            .unwrap_or_else(|e| panic!("symlink {} → {}: {e}", to.display(), from.display()))
    };
    if with_current {
        for entry in std::fs::read_dir(upstream()).expect("current/") {
            let entry = entry.expect("entry");
            let name = entry.file_name();
            if name == "SNAPSHOT.json" {
                add_sources(&entry.path());
            } else {
                link(&entry.path(), &tmp.path().join(&name));
            }
        }
    }
    add_sources(&current_docs().join("SNAPSHOT.json"));
    link(&current_docs().join(CONTRIB), &tmp.path().join(CONTRIB));
    std::fs::write(
        tmp.path().join("SNAPSHOT.json"),
        serde_json::to_string_pretty(&snapshot).expect("JSON"),
    )
    .expect("write snapshot");
    tmp
}

/// `../shared/upstream/third-party/azure-tiering`: the risk tiers (GPL-3.0, read in place).
pub fn azure_tiering() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/upstream/third-party/azure-tiering")
}

/// The tiered list inside a data directory.
pub fn tiered_json(dir: &Path) -> PathBuf {
    dir.join(
        "azure-tiering/Microsoft Graph application permissions/tiered-msgraph-app-permissions.json",
    )
}

/// A data directory of every top-level entry of `current/` plus the azure-tiering
/// folder, as symlinks, with a `SNAPSHOT.json` listing the sources of both.
pub fn tiering_dir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut snapshot = raw_json(&upstream().join("SNAPSHOT.json"));
    let extra = raw_json(&azure_tiering().join("SNAPSHOT.json"));
    snapshot["sources"]
        .as_array_mut()
        .expect("sources")
        .extend(extra["sources"].as_array().cloned().unwrap_or_default());
    for entry in std::fs::read_dir(upstream()).expect("current/") {
        let entry = entry.expect("entry");
        if entry.file_name() != "SNAPSHOT.json" {
            std::os::unix::fs::symlink(entry.path(), tmp.path().join(entry.file_name()))
                .expect("symlink");
        }
    }
    std::os::unix::fs::symlink(azure_tiering(), tmp.path().join("azure-tiering")).expect("symlink");
    std::fs::write(
        tmp.path().join("SNAPSHOT.json"),
        serde_json::to_string_pretty(&snapshot).expect("JSON"),
    )
    .expect("write snapshot");
    tmp
}

/// The catalog of [`tiering_dir`], loaded once per test binary, with its directory.
pub fn tiering_catalog() -> &'static (tempfile::TempDir, Catalog) {
    static CATALOG: std::sync::OnceLock<(tempfile::TempDir, Catalog)> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = tiering_dir();
        let catalog = load(dir.path());
        (dir, catalog)
    })
}

/// The combined data directory of [`combined_docs_dir`], its catalog and load report,
/// and its site, made once for every test that reads them.
pub struct CombinedDocs {
    pub dir: tempfile::TempDir,
    pub catalog: Catalog,
    pub report: permcat::LoadReport,
    pub site: PathBuf,
}

pub fn combined_docs() -> &'static CombinedDocs {
    static COMBINED: std::sync::OnceLock<CombinedDocs> = std::sync::OnceLock::new();
    COMBINED.get_or_init(|| {
        let dir = combined_docs_dir(true);
        let (catalog, report) = permcat::load(dir.path()).expect("combined data loads");
        let site = dir.path().join("site-out");
        build_site(&catalog, &site);
        CombinedDocs {
            dir,
            catalog,
            report,
            site,
        }
    })
}

/// Every piece of `html` between `start` and the next `end` after it.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(start) {
        let after = &rest[i + start.len()..];
        let Some(j) = after.find(end) else { break };
        out.push(&after[..j]);
        rest = &after[j..];
    }
    out
}

/// HTML with its tags dropped (entities left as written).
pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The few entities askama writes, decoded (`&amp;` last).
pub fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The text a reader sees of some HTML: tags dropped, entities decoded.
pub fn plain(html: &str) -> String {
    unescape(&strip_tags(html))
}
