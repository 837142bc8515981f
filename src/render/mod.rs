//! The static site: one page per permission and per resource, an index with filters, an
//! about page, the catalog-wide downloads and a sitemap, rendered with askama.
//!
//! Each kind of page has its own module holding its view structs, its template struct
//! and the function that builds its files; `frame` holds what every page shares.
//!
//! [`build`] is a flat list of named, timed steps. It writes into a fresh directory
//! beside the output and swaps it into place only when every step succeeded, so a
//! failed build leaves the previous site untouched.

mod about;
mod assets;
mod changes;
mod conflicts;
mod downloads;
mod escape;
mod frame;
mod index;
mod lookup;
mod markdown;
mod not_found;
mod permission;
mod resource;
mod sitemap;
mod write;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use self::write::{SiteWriter, Written};
use crate::model::Catalog;
use crate::staged::StagedDir;

/// The file that marks a directory as permcat's output, so a build never replaces a
/// directory it did not make.
pub const MARKER: &str = ".permcat-site";

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Output directory; replaced as a whole.
    pub out: PathBuf,
    /// Public address of the site (`https://example.org/permcat`), for canonical links
    /// and the sitemap; without it pages carry no canonical link and no sitemap is made.
    pub base_url: Option<String>,
    /// An older catalog: when given, the site gets a "What changed" page, an Atom feed
    /// and New/Changed badges in the index.
    pub previous: Option<Catalog>,
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Named steps with their wall time.
    pub steps: Vec<(String, Duration)>,
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// The largest HTML page: (path, bytes).
    pub largest_page: (String, u64),
    /// Files and folders someone else put in the output, kept in the new site.
    pub carried_over: usize,
}

/// Files to write, relative path → bytes.
pub(crate) type Files = Vec<(String, Vec<u8>)>;

/// The HTML of one permission's page as `build` writes it (without a base URL), or
/// `None` for an unknown name.
pub fn permission_page_html(catalog: &Catalog, name: &str) -> Result<Option<String>> {
    let Some(p) = catalog.permission(name) else {
        return Ok(None);
    };
    let info = frame::SiteInfo::new(catalog, None);
    let files = permission::page(catalog, &info, p)?;
    Ok(files
        .into_iter()
        .find(|(path, _)| path.ends_with(".html"))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned()))
}

/// Renders the catalog into `opts.out`.
///
/// Every kind of file renders at once — permission pages, resource pages, the index
/// pages, the downloads and both indexes — and each file is written into the staged
/// directory as soon as it is rendered. The sitemap and the marker, which list every
/// file, come last; then the staged site takes the place of the old one.
pub fn build(catalog: &Catalog, opts: &BuildOptions) -> Result<BuildReport> {
    build_with(catalog, opts, Vec::new())
}

/// [`build`] with `extra` files written beside the rendered ones (tests give it files
/// that collide with a page).
fn build_with(catalog: &Catalog, opts: &BuildOptions, extra: Files) -> Result<BuildReport> {
    let mut report = BuildReport::default();
    let mut lap = Instant::now();
    let mut step = |report: &mut BuildReport, name: &str| {
        report.steps.push((name.to_string(), lap.elapsed()));
        lap = Instant::now();
    };

    check_output(&resolve_out(&opts.out)?)?;
    let base = opts
        .base_url
        .as_deref()
        .map(|b| b.trim_end_matches('/').to_string());
    let mut site = frame::SiteInfo::new(catalog, base.as_deref());
    let diff = opts
        .previous
        .as_ref()
        .map(|prev| crate::diff::diff(prev, catalog));
    if let Some(d) = &diff {
        site.changes = Some(changes::badges(d));
    }
    // A symlinked --out stays a symlink: the directory it points at is replaced.
    let out = resolve_out(&opts.out)?;
    let staged = stage(&out)?;
    step(&mut report, "page names and staging");

    let writer = SiteWriter::new(staged.path(), &[MARKER]);
    let parts = render_all(catalog, &site, diff.as_ref(), &writer)?;
    report.steps.extend(parts);
    writer.write_all(extra)?;
    step(&mut report, "render and write (the steps above, at once)");

    let mut written = writer.take();
    if let Some(base) = &base {
        let xml = sitemap::xml(base, written.iter().map(|(p, _)| p.as_str()));
        writer.write("sitemap.xml", &xml)?;
        written.extend(writer.take());
        written.sort_unstable();
    }
    // The marker lists every file the build writes, so the next build knows which
    // files in the output are someone else's and carries them over.
    let mut manifest = String::from("permcat static site\n");
    for (n, _) in &written {
        manifest.push_str(n);
        manifest.push('\n');
    }
    let marker = staged.path().join(MARKER);
    fs::write(&marker, manifest.as_bytes())
        .with_context(|| format!("failed to write `{}`", marker.display()))?;
    step(&mut report, "sitemap and marker");

    carry_over(&out, staged.path(), &written)?;
    report.carried_over = carried(&out).len();
    swap_into_place(staged, &out)?;
    step(&mut report, "swap");

    report.files = written.len() + 1;
    report.bytes = written.iter().map(|(_, b)| b).sum::<u64>() + manifest.len() as u64;
    report.largest_page = written
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .cloned()
        .unwrap_or_default();
    Ok(report)
}

/// One part of the site rendered and written by [`render_all`].
type Part<'a> = (&'static str, Box<dyn FnOnce() -> Result<()> + Send + 'a>);

/// Renders and writes every file but the sitemap and the marker, all parts at once on
/// rayon's threads. Returns each part's own wall time; on failure the error of the first
/// failing part in the order below, so the message does not depend on thread timing.
fn render_all(
    catalog: &Catalog,
    site: &frame::SiteInfo,
    diff: Option<&crate::diff::CatalogDiff>,
    w: &SiteWriter,
) -> Result<Vec<(String, Duration)>> {
    let mut parts: Vec<Part<'_>> = vec![
        (
            "permission pages",
            Box::new(|| permission::pages(catalog, site, w)),
        ),
        (
            "resource pages",
            Box::new(|| resource::pages(catalog, site, w)),
        ),
        ("downloads", Box::new(|| downloads::write(catalog, w))),
        (
            "search index",
            Box::new(|| w.write_all(crate::search::site_files(catalog)?)),
        ),
        (
            "lookup index",
            Box::new(|| {
                let index = crate::lookup::index::build(catalog);
                let js = crate::search::script(crate::lookup::index::GLOBAL, &index)?;
                w.write("assets/lookup-index.js", &js)
            }),
        ),
        (
            "audit index",
            Box::new(|| {
                let index = crate::audit::index::build(catalog);
                let js = crate::search::script(crate::audit::index::GLOBAL, &index)?;
                w.write("assets/audit-index.js", &js)
            }),
        ),
        (
            "index, about and 404",
            Box::new(|| {
                w.write_all(index::page(catalog, site)?)?;
                for (path, bytes) in [
                    resource::index_page(catalog, site)?,
                    lookup::page(catalog, site)?,
                    lookup::audit_page(catalog, site)?,
                    about::page(catalog, site)?,
                    not_found::page(site)?,
                ] {
                    w.write(&path, &bytes)?;
                }
                Ok(())
            }),
        ),
        ("assets", Box::new(|| w.write_all(assets::files()))),
    ];
    if let Some(d) = diff {
        parts.push((
            "what changed",
            Box::new(move || w.write_all(changes::files(catalog, d, site)?)),
        ));
    }
    // Each part's time and outcome, filled in by the thread that ran it.
    type Outcome = Mutex<Option<(Duration, Result<()>)>>;
    let results: Vec<Outcome> = parts.iter().map(|_| Mutex::new(None)).collect();
    rayon::scope(|s| {
        for ((_, run), slot) in parts.iter_mut().zip(&results) {
            let run = std::mem::replace(run, Box::new(|| Ok(())));
            s.spawn(move |_| {
                let start = Instant::now();
                let result = run();
                *slot.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some((start.elapsed(), result));
            });
        }
    });
    let mut steps = Vec::new();
    for ((name, _), slot) in parts.into_iter().zip(results) {
        match slot.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some((took, Ok(()))) => steps.push((name.to_string(), took)),
            Some((_, Err(e))) => return Err(e),
            None => bail!("the {name} step did not run"),
        }
    }
    Ok(steps)
}

/// The real output directory: `out` itself, or the directory a symlinked `out` points at.
fn resolve_out(out: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(out)
            .with_context(|| format!("`{}` is a symlink to nothing", out.display())),
        _ => Ok(out.to_path_buf()),
    }
}

/// What the previous build wrote, from its marker: `None` for an older marker without a
/// file list.
fn previous_manifest(out: &Path) -> Option<std::collections::HashSet<String>> {
    let bytes = match crate::sources::read_capped(&out.join(MARKER), 64 << 20) {
        Ok(Some(Ok(b))) => b,
        _ => return None,
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    lines.next()?;
    let set: std::collections::HashSet<String> = lines.map(str::to_string).collect();
    (!set.is_empty()).then_some(set)
}

/// Top-level names a permcat build writes, for sites built before the marker listed
/// its files.
const OWN_TOP_LEVEL: [&str; 13] = [
    MARKER,
    "404.html",
    "about.html",
    "audit.html",
    "assets",
    "downloads",
    "index.html",
    "lookup.html",
    "permissions",
    "resources",
    "changes.html",
    "changes.xml",
    "sitemap.xml",
];

/// Paths in the old output (relative, `/`-separated) that permcat did not write: a
/// CNAME, `.nojekyll`, a `.git/` folder. Folders wholly foreign are listed once.
fn carried(out: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(out) else {
        return Vec::new();
    };
    let manifest = previous_manifest(out);
    // Every folder the previous build wrote into, so telling ours from theirs is one
    // look-up per entry whatever the size of the site.
    let folders: std::collections::HashSet<&str> = manifest
        .iter()
        .flatten()
        .flat_map(|f| f.match_indices('/').map(move |(i, _)| &f[..i]))
        .collect();
    let mut found = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = entries
        .filter_map(|e| e.ok())
        .map(|e| (e.path(), e.file_name().to_string_lossy().into_owned()))
        .collect();
    while let Some((path, rel)) = stack.pop() {
        let ours = match &manifest {
            Some(m) => rel == MARKER || m.contains(&rel) || folders.contains(rel.as_str()),
            None => OWN_TOP_LEVEL.contains(&rel.split('/').next().unwrap_or_default()),
        };
        if !ours {
            found.push(rel);
            continue;
        }
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir && manifest.is_some() {
            if let Ok(entries) = fs::read_dir(&path) {
                stack.extend(entries.filter_map(|e| e.ok()).map(|e| {
                    (
                        e.path(),
                        format!("{rel}/{}", e.file_name().to_string_lossy()),
                    )
                }));
            }
        }
    }
    found.sort();
    found
}

/// Moves the files a user added to the old output into the new one, so a rebuild never
/// deletes what it did not write. A user file where the build now writes a page is
/// refused by name rather than overwritten.
fn carry_over(out: &Path, tmp: &Path, files: &[Written]) -> Result<()> {
    let theirs = carried(out);
    if theirs.is_empty() {
        return Ok(());
    }
    let written: std::collections::HashSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for rel in &theirs {
        if written.contains(rel.as_str()) {
            bail!(
                "refusing to build: `{}` in `{}` was not written by permcat, and the new site \
                 has a page of that name; move it away first",
                rel,
                out.display()
            );
        }
    }
    for rel in &theirs {
        let to = tmp.join(rel);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir)
                .with_context(|| format!("failed to create `{}`", dir.display()))?;
        }
        // Copy, not move: until the swap the old site must stay whole.
        copy_tree(&out.join(rel), &to)
            .with_context(|| format!("failed to carry `{rel}` over into the new site"))?;
    }
    Ok(())
}

/// Copies a file, symlink or folder, keeping symlinks as symlinks.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(fs::read_link(from)?, to);
        #[cfg(not(unix))]
        return fs::copy(from, to).map(|_| ());
    }
    if meta.is_dir() {
        fs::create_dir_all(to)?;
        fs::set_permissions(to, meta.permissions())?;
        for e in fs::read_dir(from)? {
            let e = e?;
            copy_tree(&e.path(), &to.join(e.file_name()))?;
        }
        return Ok(());
    }
    fs::copy(from, to).map(|_| ())
}

/// Refuses to replace a directory that holds files but is not a permcat site.
fn check_output(out: &Path) -> Result<()> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() && !out.join(MARKER).is_file() {
                bail!(
                    "refusing to replace `{}`: it is not empty and was not made by permcat \
                     (no {MARKER} file); choose another --out or empty it",
                    out.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            bail!("`{}` is a file, not a directory", out.display())
        }
        Err(e) => Err(e).with_context(|| format!("failed to read `{}`", out.display())),
    }
}

/// A new, empty directory beside `out` for the new site.
fn stage(out: &Path) -> Result<StagedDir> {
    let parent = crate::staged::parent_of(out);
    fs::create_dir_all(parent)
        .with_context(|| format!("failed to create `{}`", parent.display()))?;
    if out.file_name().is_none() {
        bail!("`{}` is not a usable output directory", out.display());
    }
    // Dropping the staged directory on any failure removes it.
    StagedDir::new_in(parent, out, "new")
        .with_context(|| format!("failed to create a directory in `{}`", parent.display()))
}

/// Replaces `out` with the staged site (see [`crate::staged::swap_dir`]): the old site
/// moves aside, the new one takes its name, the old one is removed. Between the two
/// renames `out` is briefly absent, never half-built; on failure the staged site is
/// removed.
fn swap_into_place(staged: StagedDir, out: &Path) -> Result<()> {
    let swapped = staged
        .swap_into(out)
        .map_err(|e| e.describe("failed to", "site"))?;
    swapped.remove_old().map_err(|(old, e)| {
        anyhow::Error::new(e).context(format!("failed to remove `{}`", old.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Catalog {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        match crate::load(&data) {
            Ok((catalog, _)) => catalog,
            Err(e) => panic!("loading the sample: {e:#}"),
        }
    }

    /// Every file below `dir` with its bytes.
    fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let e = e.expect("walk");
            if e.file_type().is_file() {
                out.push((e.path().to_path_buf(), fs::read(e.path()).expect("read")));
            }
        }
        out
    }

    #[test]
    fn a_page_colliding_in_case_fails_the_build_and_keeps_the_old_site() {
        let catalog = sample();
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("site");
        let opts = BuildOptions {
            out: out.clone(),
            base_url: None,
            previous: None,
        };
        build(&catalog, &opts).expect("first build");
        let before = tree(&out);
        for extra in ["Index.html", "permissions/../index.html", MARKER] {
            let err = build_with(&catalog, &opts, vec![(extra.into(), b"lost".to_vec())])
                .expect_err("must fail");
            let msg = format!("{err:#}");
            if extra == "Index.html" {
                assert!(
                    msg.contains("`Index.html` and `index.html`; one would be lost"),
                    "{msg}"
                );
            }
            assert_eq!(tree(&out), before, "the old site is untouched");
            let left: Vec<String> = fs::read_dir(tmp.path())
                .expect("list")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(left, ["site"], "nothing staged is left behind");
        }
    }
}
