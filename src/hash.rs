//! Hash maps and sets for the in-memory work of one run (linking, reading, rendering).
//!
//! The standard library's SipHash showed up as 5–10 % of `check` and `build` profiles:
//! most keys are short strings (paths, names) hashed millions of times. foldhash is
//! several times faster on them and still seeded at random per process, so a data
//! directory cannot be written to collide on purpose without knowing the seed. Nothing
//! iterates these maps to produce output (the standard maps' order is random too), so
//! the output stays byte-identical.

/// A [`std::collections::HashMap`] with foldhash.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A [`std::collections::HashSet`] with foldhash.
pub type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
