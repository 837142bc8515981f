//! Suggestions for a name or path that matched nothing: the known candidates that look
//! most like it, ranked by a similarity score.
//!
//! `show`, `which` and the lookup page all rank the same way — highest score first,
//! equal scores in the candidates' own order — so a suggestion list does not depend on
//! the order the catalog happens to hold its entries in.

/// Up to `n` of `candidates`, best first. `score` rates each one, or leaves it out with
/// `None` (below the caller's threshold); higher scores come first and equal scores in
/// the candidates' `Ord` order.
pub fn closest<T: Ord>(
    candidates: impl IntoIterator<Item = T>,
    mut score: impl FnMut(&T) -> Option<f64>,
    n: usize,
) -> Vec<T> {
    let mut scored: Vec<(f64, T)> = candidates
        .into_iter()
        .filter_map(|c| score(&c).map(|s| (s, c)))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn best_first_ties_in_order_and_cut_at_n() {
        let words = ["pear", "apple", "fig", "plum", "kiwi"];
        let by_len = |w: &&str| Some(w.len() as f64);
        assert_eq!(closest(words, by_len, 3), ["apple", "kiwi", "pear"]);
        assert_eq!(closest(words, by_len, 0), Vec::<&str>::new());
        assert_eq!(closest(words, by_len, 9).len(), 5);
    }

    #[test]
    fn unrated_candidates_are_left_out() {
        let words = ["pear", "apple", "fig", "plum", "kiwi"];
        let long = |w: &&str| (w.len() > 4).then_some(1.0);
        assert_eq!(closest(words, long, 5), ["apple"]);
        let none: Vec<&str> = closest(words, |_| None, 5);
        assert!(none.is_empty());
    }

    #[test]
    fn scores_compare_totally() {
        let score = |w: &&str| match *w {
            "a" => Some(-0.0),
            "b" => Some(0.0),
            "c" => Some(f64::NAN),
            _ => Some(1.0),
        };
        assert_eq!(
            closest(["a", "b", "c", "d"], score, 4),
            ["c", "d", "b", "a"]
        );
    }
}
