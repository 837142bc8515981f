//! Fuzzes request-path canonicalization, the key every source's paths meet on. A key
//! must be a fixed point: canonicalizing it again gives the same key, or a path written
//! in canonical form would not find itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use permcat::link::path::canonicalize;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let c = canonicalize(&raw);
    assert!(c.key().starts_with('/'), "key {:?}", c.key());
    assert_eq!(c.original(), raw);
    let again = canonicalize(c.key());
    assert_eq!(again.key(), c.key(), "not idempotent for {raw:?}");
});
