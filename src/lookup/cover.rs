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
    // Exact search by size for up to 24 candidates; greedy beyond that.
    if candidates.len() <= 24 {
        if let Some(best) = exact(&candidates, &sets, &cost) {
            return Some(best.into_iter().map(str::to_string).collect());
        }
    }
    Some(greedy(&candidates, &sets, &levels))
}

/// Beyond 24 candidates: the permission allowing the most requests left, then the lowest
/// level, then the first name, until every request is allowed. Equal sets are kept once
/// with their count, and each candidate's count of requests left is updated as requests
/// drop out, so a thousand requests do not mean a thousand set look-ups per candidate.
fn greedy(
    candidates: &[&str],
    sets: &[BTreeSet<&str>],
    levels: &BTreeMap<&str, u32>,
) -> Vec<String> {
    let pos: BTreeMap<&str, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i))
        .collect();
    let mut weighted: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
    for s in sets {
        *weighted
            .entry(s.iter().map(|p| pos[p]).collect())
            .or_default() += 1;
    }
    let groups: Vec<(Vec<usize>, usize)> = weighted.into_iter().collect();
    let mut count = vec![0usize; candidates.len()];
    let mut holders: Vec<Vec<usize>> = vec![Vec::new(); candidates.len()];
    for (g, (members, weight)) in groups.iter().enumerate() {
        for &c in members {
            count[c] += weight;
            holders[c].push(g);
        }
    }
    let mut left = vec![true; groups.len()];
    let mut remaining = groups.len();
    let mut pick = Vec::new();
    while remaining > 0 {
        let best = (0..candidates.len())
            .max_by(|&a, &b| {
                count[a]
                    .cmp(&count[b])
                    .then_with(|| levels[candidates[b]].cmp(&levels[candidates[a]]))
                    .then_with(|| b.cmp(&a))
            })
            .expect("a request left has candidates");
        for &g in &holders[best] {
            if std::mem::replace(&mut left[g], false) {
                remaining -= 1;
                for &c in &groups[g].0 {
                    count[c] -= groups[g].1;
                }
            }
        }
        pick.push(candidates[best].to_string());
    }
    pick.sort();
    pick
}

/// The cheapest smallest cover, candidates as bits: each request's set becomes a mask,
/// equal masks count once and a mask that holds another is implied by it. Covers of
/// each size are found by branching on the first request not yet allowed (every
/// smallest cover picks one of its permissions), so a thousand requests cost what
/// their few distinct candidate sets cost. Ties go to the first cover in name order.
fn exact<'a>(
    candidates: &[&'a str],
    sets: &[BTreeSet<&str>],
    cost: &dyn Fn(&[&str]) -> (u32, usize),
) -> Option<Vec<&'a str>> {
    let pos: BTreeMap<&str, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i))
        .collect();
    let mut masks: Vec<u32> = sets
        .iter()
        .map(|s| s.iter().fold(0u32, |m, p| m | (1 << pos[p])))
        .collect();
    masks.sort_unstable();
    masks.dedup();
    let minimal: Vec<u32> = masks
        .iter()
        .copied()
        .filter(|&m| !masks.iter().any(|&o| o != m && o & m == o))
        .collect();
    for size in 1..=minimal.len().min(candidates.len()) {
        let mut best: Option<((u32, usize), Vec<&'a str>)> = None;
        branch(&minimal, 0, 0, size, &mut |chosen| {
            let pick: Vec<&'a str> = (0..candidates.len())
                .filter(|b| chosen & (1 << b) != 0)
                .map(|b| candidates[b])
                .collect();
            let c = cost(&pick);
            let better = match &best {
                None => true,
                Some((bc, bp)) => (c, &pick) < (*bc, bp),
            };
            if better {
                best = Some((c, pick));
            }
        });
        if let Some((_, pick)) = best {
            return Some(pick);
        }
    }
    None
}

/// Calls `found` with every set of at most `left` more bits added to `chosen` that meets
/// every mask, branching on the first mask `chosen` misses. A bit a branch has tried is
/// `forbidden` to the branches after it, so each set is reached once and the search
/// never visits more nodes than there are subsets.
fn branch(masks: &[u32], chosen: u32, forbidden: u32, left: usize, found: &mut dyn FnMut(u32)) {
    match masks.iter().find(|&&m| m & chosen == 0) {
        None => found(chosen),
        Some(&m) if left > 0 => {
            let mut rest = m & !forbidden;
            let mut forbid = forbidden;
            while rest != 0 {
                let bit = rest & rest.wrapping_neg();
                branch(masks, chosen | bit, forbid, left - 1, found);
                forbid |= bit;
                rest &= rest - 1;
            }
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subset of `candidates` by size, in lexicographic order: the definition
    /// [`exact`] must meet, checked exhaustively.
    fn brute<'a>(
        candidates: &[&'a str],
        sets: &[BTreeSet<&str>],
        cost: &dyn Fn(&[&str]) -> (u32, usize),
    ) -> Option<Vec<&'a str>> {
        let n = candidates.len();
        for size in 1..=n {
            let mut best: Option<((u32, usize), Vec<&'a str>)> = None;
            for mask in 0u32..(1 << n) {
                if mask.count_ones() as usize != size {
                    continue;
                }
                let pick: Vec<&str> = (0..n)
                    .filter(|b| mask & (1 << b) != 0)
                    .map(|b| candidates[b])
                    .collect();
                if !sets.iter().all(|s| pick.iter().any(|p| s.contains(p))) {
                    continue;
                }
                let c = cost(&pick);
                if best.as_ref().is_none_or(|(bc, bp)| (c, &pick) < (*bc, bp)) {
                    best = Some((c, pick));
                }
            }
            if let Some((_, p)) = best {
                return Some(p);
            }
        }
        None
    }

    #[test]
    fn exact_search_finds_what_trying_every_subset_finds() {
        let names = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];
        // A small linear congruential generator: varied, repeatable cases.
        let mut seed = 12345u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for case in 0..300 {
            let n = 2 + (case % 9);
            let candidates: Vec<&str> = names[..n].to_vec();
            let levels: Vec<u32> = (0..n).map(|_| 1 + next(5) as u32).collect();
            let least: Vec<bool> = (0..n).map(|_| next(2) == 0).collect();
            let sets: Vec<BTreeSet<&str>> = (0..1 + next(8))
                .map(|_| {
                    let mut s: BTreeSet<&str> = (0..n)
                        .filter(|_| next(3) == 0)
                        .map(|i| candidates[i])
                        .collect();
                    if s.is_empty() {
                        s.insert(candidates[next(n as u64) as usize]);
                    }
                    s
                })
                .collect();
            let cost = |pick: &[&str]| {
                let idx = |p: &&str| candidates.iter().position(|c| c == p).unwrap();
                (
                    pick.iter().map(|p| levels[idx(p)]).sum::<u32>(),
                    pick.iter().filter(|p| !least[idx(p)]).count(),
                )
            };
            assert_eq!(
                exact(&candidates, &sets, &cost),
                brute(&candidates, &sets, &cost),
                "case {case}: {sets:?}"
            );
        }
    }
}
