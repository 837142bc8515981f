//! Loading reads the docs in parallel and resolves each folder's symlinks once rather
//! than every file's: the catalog must not depend on either. Loading twice gives the
//! same catalog; the pages read match a listing of the raw folders; links between
//! folders are followed or refused exactly as the files' real places say.

use std::path::Path;

use crate::common::*;

const BETA: &str = "microsoft-graph-docs/api-reference/beta";

/// The catalog as JSON, the form every output is made from.
fn catalog_json(dir: &Path) -> String {
    serde_json::to_string(&load(dir)).expect("the catalog serializes")
}

/// Pages as `check` counts them: the "API pages" and "resource pages" lines summed over
/// the docs sources.
fn pages_read(dir: &Path) -> (usize, usize) {
    let (_, report) = permcat::load(dir).expect("loads");
    let sum = |what: &str| {
        report
            .counts
            .iter()
            .filter(|(source, w, _)| source.starts_with("docs") && w == what)
            .map(|(_, _, n)| n)
            .sum()
    };
    (sum("API pages"), sum("resource pages"))
}

/// `.md` files directly in a folder, read straight from the file system.
fn md_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".md"))
                .filter(|e| e.path().is_file())
                .count()
        })
        .unwrap_or(0)
}

/// API and resource pages of every version folder of a data directory, counted from
/// the raw listing.
fn raw_pages(dir: &Path) -> (usize, usize) {
    let root = dir.join("microsoft-graph-docs/api-reference");
    ["v1.0", "beta"].iter().fold((0, 0), |(api, res), v| {
        (
            api + md_files(&root.join(v).join("api")),
            res + md_files(&root.join(v).join("resources")),
        )
    })
}

#[test]
fn loading_twice_gives_the_same_catalog() {
    let first = catalog_json(&sample());
    assert_eq!(first, catalog_json(&sample()), "the sample");
    if upstream().is_dir() {
        let first = catalog_json(&upstream());
        assert_eq!(first, catalog_json(&upstream()), "the upstream snapshot");
    }
}

#[test]
fn every_page_of_the_folders_is_read_once() {
    assert_eq!(pages_read(&sample()), raw_pages(&sample()));
}

#[test]
fn a_docs_folder_linked_out_of_its_api_reference_is_not_read() {
    let tmp = sample_copy();
    let outside = tempfile::tempdir().expect("temp dir");
    let api = tmp.path().join(BETA).join("api");
    let pages = md_files(&api);
    assert!(pages > 0, "the sample has beta API pages");
    std::fs::rename(&api, outside.path().join("api")).expect("move the folder out");
    std::os::unix::fs::symlink(outside.path().join("api"), &api).expect("symlink");
    let (read, _) = pages_read(tmp.path());
    let (raw, _) = raw_pages(tmp.path());
    assert_eq!(read, raw - pages, "no page of the linked folder is read");
    let out = stdout(&permcat(&[
        "check",
        "--data",
        &tmp.path().to_string_lossy(),
    ]));
    assert!(out.contains("outside the data directory"), "{out}");
}

#[test]
fn a_docs_folder_linked_within_its_api_reference_is_read() {
    let tmp = sample_copy();
    let resources = tmp.path().join(BETA).join("resources");
    let elsewhere = tmp.path().join(BETA).join("includes/moved-resources");
    std::fs::rename(&resources, &elsewhere).expect("move the folder");
    std::os::unix::fs::symlink(&elsewhere, &resources).expect("symlink");
    assert_eq!(pages_read(tmp.path()), raw_pages(&sample()));
    assert_eq!(
        catalog_json(tmp.path()),
        catalog_json(&sample()),
        "the same pages give the same catalog"
    );
}

#[test]
fn a_page_linked_to_a_page_of_its_folder_is_read_and_one_linked_out_is_not() {
    let tmp = sample_copy();
    let api = tmp.path().join(BETA).join("api");
    let first = std::fs::read_dir(&api)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .min()
        .expect("a page");
    std::os::unix::fs::symlink(api.join(&first), api.join("zz-linked-copy.md")).expect("link");
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::copy(api.join(&first), outside.path().join("page.md")).expect("copy");
    std::os::unix::fs::symlink(outside.path().join("page.md"), api.join("zz-outside.md"))
        .expect("link");
    let (read, _) = pages_read(tmp.path());
    let (raw, _) = raw_pages(tmp.path());
    // The raw listing counts both links; only the one inside is read.
    assert_eq!(read, raw - 1);
}

/// The binary tunes its allocator before the first allocation: mimalloc's own report
/// of its options (`MIMALLOC_VERBOSE`) shows the purge delay and the arena commit
/// permcat sets, and a value in the environment still wins over them.
#[cfg(target_os = "linux")]
#[test]
fn allocator_options_are_set_before_main_and_yield_to_the_environment() {
    let run = |env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_permcat"));
        cmd.arg("--version")
            .env("MIMALLOC_VERBOSE", "1")
            .env_remove("MIMALLOC_PURGE_DELAY")
            .env_remove("MIMALLOC_ARENA_EAGER_COMMIT");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("permcat runs");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let option = |report: &str, name: &str| {
        report
            .lines()
            .find_map(|l| l.strip_prefix(&format!("option '{name}': ")))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no option `{name}` in mimalloc's report:\n{report}"))
    };
    let tuned = run(&[]);
    assert_eq!(option(&tuned, "purge_delay"), "10");
    assert_eq!(option(&tuned, "arena_eager_commit"), "0");
    let overridden = run(&[("MIMALLOC_PURGE_DELAY", "250")]);
    assert_eq!(option(&overridden, "purge_delay"), "250");
    assert_eq!(option(&overridden, "arena_eager_commit"), "0");
}
