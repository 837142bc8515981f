//! Inputs the fuzz targets of `fuzz/` (run by `scripts/fuzz.sh`, see FUZZING.md) found
//! to break a parser, written out small by hand. Each test pins the behaviour a user sees
//! once the bug is fixed.

use permcat::link::path::canonicalize;

/// A canonical key must canonicalize to itself, or a path written in canonical form (as
/// `permcat export` prints it) would not find its own endpoint again.
fn assert_fixed_point(raw: &str, expected: &str) {
    let key = canonicalize(raw).key().to_string();
    assert_eq!(key, expected, "key of {raw:?}");
    assert_eq!(
        canonicalize(&key).key(),
        key,
        "key of {raw:?} is not a fixed point"
    );
}

/// `b:eta` loses its colon when normalized and reads as `beta`; a second version segment
/// after the first is the same case. Such a first segment used to stay in the key, and
/// canonicalizing the key again dropped it as the version.
#[test]
fn first_segment_that_normalizes_to_a_version_is_dropped_like_the_version() {
    assert_fixed_point("/b:eta/users", "/users");
    assert_fixed_point("/v1.0/beta/users/{id}", "/users/{}");
    // Later in the path a version-like segment is an ordinary literal.
    assert_fixed_point("/me/b:eta", "/me/beta");
}

/// `graph. range(...)` has a space after the namespace qualifier. The name used to keep
/// it (` range`), while parsing the key back trims it, giving another key.
#[test]
fn space_after_namespace_qualifier_of_a_call_is_trimmed() {
    assert_fixed_point("/me/graph. range(a={x},b={y})", "/me/range(a={},b={})");
}
