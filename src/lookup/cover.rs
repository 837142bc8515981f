//! The fewest permissions of one scheme that allow every answered request.

use std::collections::{BTreeMap, BTreeSet};

use super::Answer;
use crate::model::Scheme;

/// The smallest set of permissions of one scheme that allows every answer, fewest
/// first, then lowest total privilege, then by name; `None` when some request has no
/// permission of that scheme.
pub fn cover(answers: &[Answer], scheme: Scheme) -> Option<Vec<String>> {
    let mut sets: Vec<BTreeSet<&str>> = Vec::new();
    let mut levels: BTreeMap<&str, u32> = BTreeMap::new();
    for a in answers {
        let list = a.schemes.get(&scheme)?;
        if list.is_empty() {
            return None;
        }
        sets.push(list.iter().map(|c| c.permission.as_str()).collect());
        for c in list {
            levels.insert(&c.permission, u32::from(c.privilege_level.unwrap_or(6)));
        }
    }
    let candidates: Vec<&str> = levels.keys().copied().collect();
    // Lower total privilege first; between equals, fewer picks that are nowhere the
    // least privileged choice.
    let least: BTreeSet<&str> = answers
        .iter()
        .filter_map(|a| a.schemes.get(&scheme))
        .flatten()
        .filter(|c| c.least_privileged)
        .map(|c| c.permission.as_str())
        .collect();
    let cost = |pick: &[&str]| {
        let level: u32 = pick.iter().map(|p| levels[p]).sum();
        let not_least = pick.iter().filter(|p| !least.contains(*p)).count();
        (level, not_least)
    };
    // Exact search by size for the usual handful of requests; greedy beyond that.
    if candidates.len() <= 24 {
        for size in 1..=sets.len().min(candidates.len()) {
            let mut best: Option<Vec<&str>> = None;
            combinations(&candidates, size, &mut Vec::new(), 0, &mut |pick| {
                if sets.iter().all(|s| pick.iter().any(|p| s.contains(p))) {
                    let better = match &best {
                        None => true,
                        Some(b) => (cost(pick), pick) < (cost(b), b.as_slice()),
                    };
                    if better {
                        best = Some(pick.to_vec());
                    }
                }
            });
            if let Some(b) = best {
                return Some(b.into_iter().map(str::to_string).collect());
            }
        }
    }
    let mut left: Vec<&BTreeSet<&str>> = sets.iter().collect();
    let mut pick = Vec::new();
    while !left.is_empty() {
        let best = candidates
            .iter()
            .max_by(|a, b| {
                let n = |p: &&str| left.iter().filter(|s| s.contains(p)).count();
                n(a).cmp(&n(b))
                    .then_with(|| levels[*b].cmp(&levels[*a]))
                    .then_with(|| b.cmp(a))
            })
            .copied()?;
        left.retain(|s| !s.contains(best));
        pick.push(best.to_string());
    }
    pick.sort();
    Some(pick)
}

fn combinations<'a>(
    items: &[&'a str],
    size: usize,
    current: &mut Vec<&'a str>,
    start: usize,
    f: &mut dyn FnMut(&[&'a str]),
) {
    if current.len() == size {
        f(current);
        return;
    }
    for i in start..items.len() {
        current.push(items[i]);
        combinations(items, size, current, i + 1, f);
        current.pop();
    }
}
