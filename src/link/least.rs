//! The one least-privileged permission per request.
//!
//! permissions.json flags `least=<scheme>` per **path** across every method of a pathSet,
//! so one (method, path, scheme) can carry several flags (GET /users: User.ReadBasic.All
//! and User.ReadWrite.All) or none. An auditor needs one answer, so permcat picks exactly
//! one permission per (method, canonical key, scheme) by this rule, in order:
//!
//! 1. the candidates are the permissions that grant the method on the path for the
//!    scheme; when some of them are flagged `least=` for it, only those;
//! 2. the grant from the pathSet with the fewest methods (the one most specific to the
//!    request's method: a GET-only grant beats a GET+POST one for a GET);
//! 3. the lower `privilegeLevel` of that scheme (a scheme without one comes last);
//! 4. the permission that grants fewer paths under that scheme;
//! 5. the name, in catalog order.
//!
//! What the source said is kept: [`Grant::flagged_least`] carries the raw flag, and each
//! request with no flag, several flags, or a flagged permission above an unflagged one of
//! lower privilege is recorded as a conflict of its own kind.

use crate::hash::{HashMap, HashSet};

use super::Linker;
use crate::model::{Conflict, ConflictKind, ConflictSide, Grant, Scheme};

/// What the rule weighs for one candidate permission of one request.
#[derive(Debug, Clone)]
struct Candidate<'a> {
    name: &'a str,
    flagged: bool,
    set_methods: usize,
    level: Option<u8>,
    paths: usize,
}

impl Candidate<'_> {
    fn describe(&self) -> String {
        let level = self.level.map_or_else(
            || "no privilege level".to_string(),
            |l| format!("level {l}"),
        );
        let methods = match self.set_methods {
            1 => "a pathSet of 1 method".to_string(),
            n => format!("a pathSet of {n} methods"),
        };
        format!("{} ({level}, {methods})", self.name)
    }
}

/// Orders candidates by the rule, best first (steps 2–5; step 1 filters before).
fn rule_order(a: &Candidate<'_>, b: &Candidate<'_>) -> std::cmp::Ordering {
    a.set_methods
        .cmp(&b.set_methods)
        .then_with(|| a.level.unwrap_or(u8::MAX).cmp(&b.level.unwrap_or(u8::MAX)))
        .then_with(|| a.paths.cmp(&b.paths))
        .then_with(|| super::name_order(a.name, b.name))
}

/// What one permission grants under one scheme: its paths and its privilege level.
struct Granting<'a> {
    paths: HashSet<&'a str>,
    level: Option<u8>,
}

/// The picked permission of one request and the conflicts its flags show.
struct Pick<'a> {
    chosen: &'a str,
    conflicts: Vec<Conflict>,
}

fn side(value: String) -> ConflictSide {
    ConflictSide {
        source: "permissions".to_string(),
        value,
    }
}

/// Applies the rule to the candidates of one request.
fn pick<'a>(method: &str, path: &str, scheme: Scheme, mut all: Vec<Candidate<'a>>) -> Pick<'a> {
    all.sort_by(rule_order);
    let flagged: Vec<&Candidate<'_>> = all.iter().filter(|c| c.flagged).collect();
    let chosen = flagged.first().copied().unwrap_or(&all[0]);
    let subject = || format!("{method} {path} ({scheme})");
    let mut conflicts = Vec::new();
    let names = |list: &[&Candidate<'_>]| {
        list.iter()
            .map(|c| c.describe())
            .collect::<Vec<_>>()
            .join("; ")
    };
    match flagged.len() {
        0 => conflicts.push(Conflict {
            kind: ConflictKind::LeastPrivilegedMissing,
            permission: Some(chosen.name.to_string()),
            subject: subject(),
            sides: vec![side(format!(
                "no permission flagged least= among {}",
                names(&all.iter().collect::<Vec<_>>())
            ))],
            resolution: format!("{} picked by permcat's rule", chosen.name),
            source_age: None,
        }),
        1 => {}
        _ => conflicts.push(Conflict {
            kind: ConflictKind::LeastPrivilegedDuplicate,
            permission: Some(chosen.name.to_string()),
            subject: subject(),
            sides: vec![side(format!("flagged least=: {}", names(&flagged)))],
            resolution: format!(
                "{} picked by permcat's rule; the others shown as also flagged least",
                chosen.name
            ),
            source_age: None,
        }),
    }
    // A flagged permission above an unflagged alternative of lower privilege.
    let lowest_unflagged = all
        .iter()
        .filter(|c| !c.flagged && c.level.is_some())
        .min_by(|a, b| a.level.cmp(&b.level).then_with(|| rule_order(a, b)));
    if let Some(low) = lowest_unflagged {
        let above: Vec<&Candidate<'_>> = flagged
            .iter()
            .copied()
            .filter(|f| f.level.is_some_and(|l| Some(l) > low.level))
            .collect();
        if !above.is_empty() {
            conflicts.push(Conflict {
                kind: ConflictKind::LeastPrivilegedAboveAlternative,
                permission: Some(chosen.name.to_string()),
                subject: subject(),
                sides: vec![
                    side(format!("flagged least=: {}", names(&above))),
                    side(format!("not flagged: {}", low.describe())),
                ],
                resolution: format!(
                    "{} picked: a flagged permission is preferred, the lower one is listed",
                    chosen.name
                ),
                source_age: None,
            });
        }
    }
    Pick {
        chosen: chosen.name,
        conflicts,
    }
}

/// The privilege level of each scheme of each permission, copied out of the linked
/// permissions so that the pick can run while the descriptions are linked into them.
pub(super) type Levels = HashMap<String, Vec<(Scheme, u8)>>;

/// What [`pick_least_privileged`] decided: per grant whether it is the pick of its
/// request, the conflicts the flags show, and how many requests had no flag or several.
pub(super) struct Picks {
    chosen: Vec<bool>,
    conflicts: Vec<Conflict>,
    none: usize,
    several: usize,
}

/// Picks exactly one least-privileged permission per (method, key, scheme) of `grants`
/// and records what the flags of permissions.json say against it. `set_methods` is the
/// linker's, one per grant.
pub(super) fn pick_least_privileged(
    grants: &[Grant],
    levels: &Levels,
    set_methods: &[usize],
) -> Picks {
    // Per (permission, scheme): the paths it grants (step 4) and its privilege level
    // (step 3), looked up once per pair rather than once per grant.
    let mut per_scheme: HashMap<(&str, Scheme), Granting<'_>> = HashMap::default();
    for g in grants {
        per_scheme
            .entry((g.permission.as_str(), g.scheme))
            .or_insert_with(|| {
                let level = levels.get(g.permission.as_str()).and_then(|l| {
                    l.iter()
                        .find(|(scheme, _)| *scheme == g.scheme)
                        .map(|&(_, level)| level)
                });
                Granting {
                    paths: HashSet::default(),
                    level,
                }
            })
            .paths
            .insert(g.key.as_str());
    }
    // The grants of each request. The order of the requests does not matter: each
    // is decided on its own, and the conflicts are sorted with the catalog.
    let mut requests: HashMap<(&str, &str, Scheme), Vec<usize>> = HashMap::default();
    for (i, g) in grants.iter().enumerate() {
        requests
            .entry((g.method.as_str(), g.key.as_str(), g.scheme))
            .or_default()
            .push(i);
    }
    let mut chosen: Vec<bool> = vec![false; grants.len()];
    let mut conflicts = Vec::new();
    let (mut none, mut several) = (0, 0);
    let mut by_name: HashMap<&str, usize> = HashMap::default();
    for ((method, _key, scheme), idx) in &requests {
        // Candidates in the order their permissions first grant the request.
        by_name.clear();
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        for &i in idx {
            let g: &Grant = &grants[i];
            let set_methods = set_methods.get(i).copied().unwrap_or(usize::MAX);
            let at = *by_name.entry(g.permission.as_str()).or_insert_with(|| {
                let granting = &per_scheme[&(g.permission.as_str(), g.scheme)];
                candidates.push(Candidate {
                    name: &g.permission,
                    flagged: false,
                    set_methods,
                    level: granting.level,
                    paths: granting.paths.len(),
                });
                candidates.len() - 1
            });
            let c = &mut candidates[at];
            c.flagged |= g.flagged_least;
            c.set_methods = c.set_methods.min(set_methods);
        }
        let flags = candidates.iter().filter(|c| c.flagged).count();
        none += usize::from(flags == 0);
        several += usize::from(flags > 1);
        // The path as the first grant spells it, for the conflict's subject.
        let path = &grants[idx[0]].path;
        let p = pick(method, path, *scheme, candidates);
        for &i in idx {
            chosen[i] = grants[i].permission == p.chosen;
        }
        conflicts.extend(p.conflicts);
    }
    Picks {
        chosen,
        conflicts,
        none,
        several,
    }
}

impl Linker {
    /// The privilege levels of the permissions linked so far, for
    /// [`pick_least_privileged`].
    pub(super) fn privilege_levels(&self) -> Levels {
        self.permissions
            .iter()
            .map(|(name, p)| {
                let levels = p
                    .schemes
                    .iter()
                    .filter_map(|(scheme, info)| info.privilege_level.map(|l| (*scheme, l)))
                    .collect();
                (name.clone(), levels)
            })
            .collect()
    }

    /// Marks the picks of [`pick_least_privileged`] on `grants` (the grants it was
    /// given) and keeps its conflicts and counts.
    pub(super) fn mark_least_privileged(&mut self, grants: &mut [Grant], picks: Picks) {
        self.report
            .linked("requests with no least= flag (rule picked one)", picks.none);
        self.report.linked(
            "requests with several least= flags (rule picked one)",
            picks.several,
        );
        for (g, c) in grants.iter_mut().zip(picks.chosen) {
            g.least_privileged = c;
        }
        self.catalog.conflicts.extend(picks.conflicts);
    }
}
