//! The static site: one page per permission and per resource, an index with filters, an
//! about page, the catalog-wide downloads and a sitemap, rendered with askama.
//!
//! [`build`] is a flat list of named, timed steps. It writes into a fresh directory
//! beside the output and swaps it into place only when every step succeeded, so a
//! failed build leaves the previous site untouched.

mod changes;
mod escape;
mod markdown;
mod pages;
pub mod views;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use crate::model::Catalog;

/// The file that marks a directory as permcat's output, so a build never replaces a
/// directory it did not make.
pub const MARKER: &str = ".permcat-site";

/// Front-end assets, compiled into the binary so the site is self-contained.
pub const ASSETS: [(&str, &[u8]); 5] = [
    (
        "assets/permcat.css",
        include_bytes!("../../site/permcat.css"),
    ),
    ("assets/permcat.js", include_bytes!("../../site/permcat.js")),
    ("assets/search.js", include_bytes!("../../site/search.js")),
    ("assets/lookup.js", include_bytes!("../../site/lookup.js")),
    (
        "assets/favicon.svg",
        include_bytes!("../../site/favicon.svg"),
    ),
];

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
}

/// Files to write, relative path → bytes.
pub(crate) type Files = Vec<(String, Vec<u8>)>;

/// Renders the catalog into `opts.out`.
/// The HTML of one permission's page as `build` writes it (without a base URL), or
/// `None` for an unknown name.
pub fn permission_page_html(catalog: &Catalog, name: &str) -> Result<Option<String>> {
    let Some(p) = catalog.permission(name) else {
        return Ok(None);
    };
    let info = pages::SiteInfo::new(catalog, None);
    let files = pages::permission_page(catalog, &info, p)?;
    Ok(files
        .into_iter()
        .find(|(path, _)| path.ends_with(".html"))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned()))
}

pub fn build(catalog: &Catalog, opts: &BuildOptions) -> Result<BuildReport> {
    let mut report = BuildReport::default();
    let mut lap = Instant::now();
    let mut step = |report: &mut BuildReport, name: &str| {
        report.steps.push((name.to_string(), lap.elapsed()));
        lap = Instant::now();
    };

    check_output(&opts.out)?;
    let base = opts
        .base_url
        .as_deref()
        .map(|b| b.trim_end_matches('/').to_string());
    let mut site = pages::SiteInfo::new(catalog, base.as_deref());
    let diff = opts
        .previous
        .as_ref()
        .map(|prev| crate::diff::diff(prev, catalog));
    if let Some(d) = &diff {
        site.changes = Some(changes::badges(d));
    }

    let mut files: Files = ASSETS
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect();
    files.push((MARKER.to_string(), b"permcat static site\n".to_vec()));
    step(&mut report, "assets");
    files.extend(pages::permission_pages(catalog, &site)?);
    step(&mut report, "permission pages");
    files.extend(pages::resource_pages(catalog, &site)?);
    step(&mut report, "resource pages");
    files.extend(pages::index_pages(catalog, &site)?);
    step(&mut report, "index, about and 404");
    if let Some(d) = &diff {
        files.extend(changes::files(catalog, d, &site)?);
        step(&mut report, "what changed");
    }
    files.extend(pages::downloads(catalog)?);
    step(&mut report, "downloads");
    files.push((
        "assets/search-index.js".into(),
        crate::search::to_script(&crate::search::build(catalog))?,
    ));
    files.push((
        "assets/lookup-index.js".into(),
        crate::search::script(
            crate::lookup::index::GLOBAL,
            &crate::lookup::index::build(catalog),
        )?,
    ));
    step(&mut report, "search and lookup indexes");
    if let Some(base) = &base {
        files.push(("sitemap.xml".into(), pages::sitemap(base, &files)));
    }
    step(&mut report, "sitemap");

    files.sort_by(|a, b| a.0.cmp(&b.0));
    // Two pages for one file (the same name twice, or names that differ only in case,
    // which a case-insensitive file system keeps as one) would silently lose a page.
    let mut lower: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for (path, _) in &files {
        if let Some(other) = lower.insert(path.to_ascii_lowercase(), path) {
            anyhow::bail!(
                "two pages would be written to `{other}` and `{path}`; one would be lost"
            );
        }
    }
    let tmp = write_fresh(&opts.out, &files)?;
    step(&mut report, "write");
    swap_into_place(&tmp, &opts.out)?;
    step(&mut report, "swap");

    report.files = files.len();
    report.bytes = files.iter().map(|(_, b)| b.len() as u64).sum();
    report.largest_page = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p.clone(), b.len() as u64))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .unwrap_or_default();
    Ok(report)
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

/// Writes every file into a new directory beside `out` and returns it.
fn write_fresh(out: &Path, files: &Files) -> Result<PathBuf> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .with_context(|| format!("failed to create `{}`", parent.display()))?;
    let name = out
        .file_name()
        .ok_or_else(|| anyhow!("`{}` is not a usable output directory", out.display()))?
        .to_string_lossy()
        .into_owned();
    let tmp = parent.join(format!(".{name}.permcat-new-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).with_context(|| format!("failed to clear `{}`", tmp.display()))?;
    }
    let result = (|| -> Result<()> {
        for (rel, bytes) in files {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)
                    .with_context(|| format!("failed to create `{}`", dir.display()))?;
            }
            fs::write(&path, bytes)
                .with_context(|| format!("failed to write `{}`", path.display()))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// Replaces `out` with `tmp`: the old site moves aside, the new one takes its name, the
/// old one is removed. Between the two renames `out` is briefly absent, never half-built.
fn swap_into_place(tmp: &Path, out: &Path) -> Result<()> {
    let old = tmp.with_file_name(format!(
        "{}.old",
        tmp.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    let had_old = out.exists();
    if had_old {
        fs::rename(out, &old)
            .with_context(|| format!("failed to move `{}` aside", out.display()))?;
    }
    if let Err(e) = fs::rename(tmp, out) {
        if had_old {
            let _ = fs::rename(&old, out);
        }
        let _ = fs::remove_dir_all(tmp);
        return Err(e)
            .with_context(|| format!("failed to move the new site to `{}`", out.display()));
    }
    if had_old {
        fs::remove_dir_all(&old)
            .with_context(|| format!("failed to remove `{}`", old.display()))?;
    }
    Ok(())
}
