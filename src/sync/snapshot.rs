//! The `SNAPSHOT.json` a sync writes: where every fetched file came from, with its hash,
//! size and time; the commit and committer date of the docs clone; and the old record's
//! entries for the files carried over.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::{FetchedFile, SyncReport, DOCS_BRANCH, DOCS_FOLDER, DOCS_REPO, SPARSE_DIRS, SYNC_NAME};
use crate::sources::upstream::{repos, Repo, Upstream};

/// The new `SNAPSHOT.json`: one entry per repository folder fetched now, plus the old
/// record's entries for files carried over, so their provenance is not lost.
pub(super) fn snapshot_json(
    files: &[Upstream],
    report: &SyncReport,
    old: &Option<Value>,
) -> Vec<u8> {
    let mut sources = Vec::new();
    for Repo {
        name: repo, folder, ..
    } in repos(files)
    {
        let mine: Vec<&FetchedFile> = report
            .fetched
            .iter()
            .filter(|f| f.rel.starts_with(&format!("{folder}/")))
            .collect();
        let Some(first) = mine.first() else { continue };
        let prefix = format!("{folder}/");
        let inner = |f: &FetchedFile| f.rel[prefix.len()..].to_string();
        sources.push(json!({
            "repo": repo,
            "folder": folder,
            // The GitHub API that would name the commit is not consulted; raw files carry
            // no commit, so the record says "unknown" rather than guessing.
            "commit": null,
            "date": first.retrieved.get(..10).unwrap_or(&first.retrieved),
            "files": mine.iter().map(|f| inner(f)).collect::<Vec<_>>(),
            "files_detail": mine.iter().map(|f| json!({
                "path": inner(f),
                "url": f.url,
                "sha256": f.sha256,
                "bytes": f.bytes,
                "retrieved": f.retrieved,
            })).collect::<Vec<_>>(),
        }));
    }
    if let Some(Ok(d)) = &report.docs {
        sources.push(json!({
            "repo": DOCS_REPO,
            "folder": DOCS_FOLDER,
            "commit": d.commit,
            "date": d.committed.get(..10).unwrap_or(&d.committed),
            // The tree, as other snapshots record the docs, so the docs reader's sources
            // (`api-reference/v1.0`) find the entry; `sparse` says which of its folders
            // were checked out.
            "files": ["api-reference/"],
            "sparse": SPARSE_DIRS,
            "url": d.url,
            "branch": DOCS_BRANCH,
            "committed": d.committed,
            "retrieved": d.retrieved,
        }));
    }
    let carried: BTreeSet<&str> = report.carried.iter().map(String::as_str).collect();
    let old_sources = old
        .as_ref()
        .and_then(|v| v.get("sources"))
        .and_then(Value::as_array);
    for src in old_sources.into_iter().flatten() {
        let Some(folder) = src.get("folder").and_then(Value::as_str) else {
            continue;
        };
        let kept: Vec<&str> = src
            .get("files")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|f| {
                let full = format!("{folder}/{f}");
                if full.ends_with('/') {
                    carried.iter().any(|c| c.starts_with(&full))
                } else {
                    carried.contains(full.as_str())
                }
            })
            .collect();
        if kept.is_empty() {
            continue;
        }
        let mut entry = src.clone();
        entry["files"] = json!(kept);
        if let Some(obj) = entry.as_object_mut() {
            // Details of the old record may describe files that are gone now.
            obj.remove("files_detail");
        }
        sources.push(entry);
    }
    let doc = json!({ "name": SYNC_NAME, "sources": sources });
    let mut out = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    out.push(b'\n');
    out
}
