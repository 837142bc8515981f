//! One file per subcommand; each parses its flags and calls the library.

mod audit;
mod build;
mod check;
mod diff;
pub mod exit;
mod export;
mod registration;
#[cfg(feature = "serve")]
mod serve;
mod show;
#[cfg(feature = "sync")]
mod sync;
mod which;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use permcat::cache::{Cache, FullCatalog, LookupSection, Place, Section};
use permcat::lookup::Lookup;
use permcat::model::Catalog;

/// A catalog of Microsoft Graph permissions: what each permission lets an app do, and
/// which permission a call needs.
#[derive(Debug, Parser)]
#[command(name = "permcat", version, about, long_about = None, after_help = exit::HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render the catalog as a static website.
    Build(build::BuildArgs),
    /// Load every source, print counts and a summary of conflicts.
    Check(check::CheckArgs),
    /// Show one permission: types, GUIDs, consent, privilege level and grants.
    Show(show::ShowArgs),
    #[cfg(feature = "serve")]
    /// Build the site, serve it on 127.0.0.1 and rebuild when the data changes.
    Serve(serve::ServeArgs),
    /// What changed between two data directories or catalog exports (exit 1 on changes).
    Diff(diff::DiffArgs),
    /// Export permissions, grants or conflicts as JSON or CSV.
    Export(export::ExportArgs),
    /// Which permission does a request need? URLs or cmdlets in, least privileged out.
    Which(which::WhichArgs),
    /// Audit an app's grants (manifest, Graph response or list): risk tiers, and with
    /// --requests the needed, missing and excess permissions.
    Audit(audit::AuditArgs),
    /// An app registration to paste: requiredResourceAccess JSON, Azure CLI, Graph
    /// PowerShell and Terraform, with the real GUIDs.
    Registration(registration::RegistrationArgs),
    #[cfg(feature = "sync")]
    /// Download the upstream files (with --docs the Learn docs, via git) into a data
    /// directory, atomically.
    Sync(sync::SyncArgs),
}

/// The data directory flag shared by every command.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data directory in the upstream repositories' layout.
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub data: PathBuf,
}

/// The flag that bypasses the catalog cache, shared by the commands that use it.
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// Load the data directory without the catalog cache (neither read nor written).
    /// The cache lives in PERMCAT_CACHE_DIR, else the platform cache folder
    /// (~/.cache/permcat on Linux); it is keyed by the data directory's file list,
    /// sizes and times.
    #[arg(long)]
    pub no_cache: bool,
}

/// A cached section and what was computed from it, or no usable cache (with the cache
/// entry to write, when there is one).
pub enum Speculated<T, R> {
    /// The section was fresh.
    Hit(T, R, Cache),
    /// No fresh section; the entry to save one in, unless the cache is off or unusable.
    Miss(Option<Cache>),
}

/// Reads `section` of the cache of `data` and runs `work` on it while the data
/// directory is keyed; the result counts only when the keys match. A fresh cache so
/// costs the metadata walk, which the reading thread joins when it is done.
pub fn speculate<T, R>(
    data: &Path,
    flags: &CacheArgs,
    section: Section,
    work: impl FnOnce(&T) -> R + Send,
) -> Speculated<T, R>
where
    T: serde::de::DeserializeOwned + Send,
    R: Send,
{
    if flags.no_cache || !data.is_dir() {
        return Speculated::Miss(None);
    }
    let place = match Place::locate(data) {
        Ok(p) => p,
        Err(why) => {
            cache_note(&why);
            return Speculated::Miss(None);
        }
    };
    // Both halves run on the thread pool: the read takes a fraction of the walk's time,
    // and its thread then helps walk the folders.
    let walk = place.clone();
    let (keyed, read) = rayon::join(
        move || walk.key(),
        || {
            place.read::<T>(section).map(|(v, k)| {
                let r = work(&v);
                (v, k, r)
            })
        },
    );
    let cache = match keyed {
        Ok(c) => c,
        Err(why) => {
            cache_note(&why);
            return Speculated::Miss(None);
        }
    };
    match read {
        Ok((v, k, r)) if k == cache.key_digest() => Speculated::Hit(v, r, cache),
        Ok(_) | Err(None) => Speculated::Miss(Some(cache)),
        Err(Some(why)) => {
            cache_note(&why);
            Speculated::Miss(Some(cache))
        }
    }
}

/// One line on standard error about the cache; never a failure.
pub fn cache_note(why: &str) {
    let mut err = permcat::text::Terminal::new(io::stderr().lock());
    let _ = writeln!(err, "permcat: note: {why}");
}

/// Saves a section; a failure is a note.
pub fn store<T: serde::Serialize>(cache: Option<&Cache>, section: Section, value: &T) {
    if let Some(cache) = cache {
        if let Err(why) = cache.put(section, value) {
            cache_note(&format!("catalog cache not saved: {why}"));
        }
    }
}

/// The whole linked catalog of `data`, from the cache when it is fresh.
pub fn full_catalog(data: &Path, flags: &CacheArgs) -> Result<Catalog> {
    let cache = match speculate(data, flags, Section::Catalog, |_: &FullCatalog| ()) {
        Speculated::Hit(full, (), cache) => match full.into_catalog() {
            Some(c) => return Ok(c),
            None => {
                cache_note("cached catalog does not line up; rebuilding it");
                Some(cache)
            }
        },
        Speculated::Miss(cache) => cache,
    };
    let (catalog, _) = permcat::load(data)?;
    if cache.is_some() {
        let full = FullCatalog::new(catalog);
        store(cache.as_ref(), Section::Catalog, &full);
        return full
            .into_catalog()
            .ok_or_else(|| anyhow::anyhow!("resource slugs do not line up"));
    }
    Ok(catalog)
}

/// Runs `work` on the lookup of `data` and returns it with the catalog it read: from
/// the cache's lookup section when it is fresh (computed while the data directory is
/// keyed, kept only when the key matches), else from the files, saving the section.
pub fn with_lookup<R: Send>(
    data: &Path,
    flags: &CacheArgs,
    work: impl Fn(&Lookup) -> R + Sync,
) -> Result<(Catalog, R)> {
    // A key of the section that does not decode leaves its answers incomplete: they are
    // dropped and the files read instead.
    let cached = |s: &LookupSection| {
        let answers = work(&s.lookup());
        (!s.keyed.is_damaged()).then_some(answers)
    };
    let from_files = |cache: Option<&Cache>| -> Result<(Catalog, R)> {
        let (catalog, _) = permcat::load(data)?;
        let Some(cache) = cache else {
            let answers = work(&Lookup::new(&catalog));
            return Ok((catalog, answers));
        };
        let section = LookupSection::new(&catalog);
        drop(catalog);
        store(Some(cache), Section::Lookup, &section);
        let answers = work(&section.lookup());
        Ok((section.catalog, answers))
    };
    match speculate(data, flags, Section::Lookup, cached) {
        Speculated::Hit(section, Some(answers), _) => {
            let LookupSection {
                catalog,
                trie,
                keyed,
            } = section;
            // Dropped with the process, not freed piece by piece.
            std::mem::forget((trie, keyed));
            Ok((catalog, answers))
        }
        Speculated::Hit(_, None, cache) => {
            cache_note(&format!(
                "cache file `{}` has an entry that does not decode; rebuilding it",
                cache.file(Section::Lookup).display()
            ));
            from_files(Some(&cache))
        }
        Speculated::Miss(cache) => from_files(cache.as_ref()),
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Show(args) => show::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Export(args) => export::run(args),
        Command::Which(args) => which::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Registration(args) => registration::run(args),
        #[cfg(feature = "sync")]
        Command::Sync(args) => sync::run(args),
    }
}
