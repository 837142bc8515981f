//! Suggestions for what the catalog does not know: the cmdlet names and the endpoint
//! templates that look most like the one asked for.

use std::collections::BTreeSet;

use super::Lookup;
use crate::closest::closest;

impl Lookup<'_> {
    /// Known cmdlet names that look like `name` (its first 128 characters).
    pub fn closest_cmdlets(&self, name: &str) -> Vec<String> {
        let q = truncated(&name.to_ascii_lowercase(), 128);
        let names: BTreeSet<&str> = self
            .catalog
            .commands
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let score = |n: &&str| {
            let score = strsim::jaro_winkler(&q, &n.to_ascii_lowercase());
            (score > 0.8).then_some(score)
        };
        closest(names, score, 5)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Templates that look most like a canonical key: the keys sharing the most
    /// character pairs with it (Dice), then the best of those by normalized
    /// Levenshtein distance. Both compare the first [`SUGGEST_CHARS`] characters only,
    /// so a long path costs no more than a short one.
    pub(super) fn closest(&self, key: &str) -> Vec<String> {
        let q = truncated(key, SUGGEST_CHARS);
        let qb = bigrams(&q);
        // The keys are distinct, so equal scores fall to key order.
        let shortlist = closest(
            self.bigrams(),
            |(_, b)| Some(dice(&qb, b)),
            SUGGEST_SHORTLIST,
        );
        let distance: Vec<f64> = shortlist
            .iter()
            .map(|(k, _)| strsim::normalized_levenshtein(&q, &truncated(k, SUGGEST_CHARS)))
            .collect();
        // Every template of a shortlisted key, scored as its key; equal scores by
        // template.
        let templates = shortlist.iter().enumerate().flat_map(|(i, (k, _))| {
            self.endpoints_of(k)
                .iter()
                .map(move |e| (e.path.as_str(), i))
        });
        let ranked = closest(templates, |(_, i)| Some(distance[*i]), usize::MAX);
        let mut out: Vec<String> = Vec::new();
        for (p, _) in ranked {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(p)) {
                out.push(p.to_string());
            }
            if out.len() == 5 {
                break;
            }
        }
        out
    }
}

/// How many characters of a path suggestions compare.
pub const SUGGEST_CHARS: usize = 256;

/// How many keys the character-pair filter passes on to the edit distance.
const SUGGEST_SHORTLIST: usize = 40;

/// The first `n` characters.
fn truncated(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The distinct pairs of adjacent characters, sorted.
fn bigrams(s: &str) -> Vec<u64> {
    let chars: Vec<u64> = s.chars().map(|c| u64::from(u32::from(c))).collect();
    let mut out: Vec<u64> = chars.windows(2).map(|w| (w[0] << 21) | w[1]).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Dice's coefficient of two sorted sets.
fn dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (2 * both) as f64 / (a.len() + b.len()) as f64
}

/// The character pairs of a key's first [`SUGGEST_CHARS`] characters, as the
/// suggestions compare them.
pub(super) fn key_bigrams(key: &str) -> Vec<u64> {
    bigrams(&truncated(key, SUGGEST_CHARS))
}
