//! Where sources disagree, as pages explain it: one sentence per kind of conflict
//! (the about page's table) and the conflicts of a permission grouped by kind.

use std::collections::BTreeMap;

use crate::model::Conflict;

/// A conflict for people.
#[derive(Debug, Clone)]
pub struct ConflictView {
    /// What disagrees.
    pub subject: String,
    /// (source key, claim).
    pub sides: Vec<(String, String)>,
    /// What permcat shows.
    pub resolution: String,
}

/// The conflicts of one kind on a page, collapsed under one plain sentence.
#[derive(Debug, Clone)]
pub struct ConflictGroup {
    /// Kind, kebab-case.
    pub kind: String,
    /// One sentence saying what the kind means.
    pub meaning: &'static str,
    /// "docs page from 2021-07-16" when every conflict here only reflects a source's
    /// age; empty for real disagreements.
    pub age: String,
    /// How many there are.
    pub total: usize,
    /// The ones shown.
    pub items: Vec<ConflictView>,
}

/// Groups conflicts by kind: real disagreements first, then the ones that only reflect
/// the age of a source, each group with up to `shown` conflicts.
pub fn conflict_groups<'a>(
    conflicts: impl Iterator<Item = &'a Conflict>,
    shown: usize,
) -> Vec<ConflictGroup> {
    let mut groups: BTreeMap<(bool, String, String), Vec<&Conflict>> = BTreeMap::new();
    for c in conflicts {
        let age = c.source_age.clone().unwrap_or_default();
        groups
            .entry((!age.is_empty(), c.kind.to_string(), age))
            .or_default()
            .push(c);
    }
    groups
        .into_iter()
        .map(|((_, kind, age), list)| ConflictGroup {
            meaning: conflict_meaning(&kind),
            total: list.len(),
            items: conflict_views(list.into_iter().take(shown)),
            kind,
            age,
        })
        .collect()
}

/// What a conflict kind means, in one sentence.
pub fn conflict_meaning(kind: &str) -> &'static str {
    match kind {
        "id-for-unlisted-type" => {
            "A GUID exists for a permission type that permissions.json does not list."
        }
        "unknown-permission" => {
            "permissions-descriptions.json lists a permission that permissions.json lacks."
        }
        "missing-id" => "permissions.json lists a type for which no source gives a GUID.",
        "id-mismatch" => "Two sources give different GUIDs.",
        "text-mismatch" => "Display names or descriptions differ between files.",
        "admin-consent-mismatch" => "The files disagree on whether admin consent is required.",
        "duplicate-grant" => "The same method and path appear more than once for a permission.",
        "undefined-scheme" => "A path set names a scheme the permission does not define.",
        "docs-permission-not-granted" => {
            "A docs permission table names a permission permissions.json does not grant there."
        }
        "docs-least-privileged-mismatch" => "The docs name another least-privileged permission.",
        "command-permission-not-granted" => {
            "The PowerShell command map lists a permission permissions.json does not grant there."
        }
        "command-least-privileged-mismatch" => {
            "The command map marks another permission as least privileged."
        }
        "least-privileged-missing" => {
            "permissions.json flags no permission least= for a request; permcat's rule picked one."
        }
        "least-privileged-duplicate" => {
            "permissions.json flags several permissions least= for one request; permcat's rule picked one."
        }
        "duplicate-key" => "A permission is defined twice in permissions.json; the first is kept.",
        "least-privileged-above-alternative" => {
            "A permission flagged least= has a higher privilege level than an unflagged one for the same request."
        }
        _ => "",
    }
}

/// Conflict views.
pub fn conflict_views<'a>(conflicts: impl Iterator<Item = &'a Conflict>) -> Vec<ConflictView> {
    conflicts
        .map(|c| ConflictView {
            subject: c.subject.clone(),
            sides: c
                .sides
                .iter()
                .map(|s| (s.source.clone(), s.value.clone()))
                .collect(),
            resolution: c.resolution.clone(),
        })
        .collect()
}
