//! Fuzzes the reader of permissions.json (the kibali format) and what the linker does to
//! every path entry it lists: the `least=…;AlsoRequires=…` flags and path canonicalization.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::link::path::canonicalize;
use permcat::sources::parse_json;
use permcat::sources::permissions::{PathFlags, PermissionsDocument, PATH};

fuzz_target!(|data: &[u8]| {
    match parse_json::<PermissionsDocument>(Path::new(PATH), data) {
        Ok(doc) => {
            for permission in doc.permissions.values() {
                for set in &permission.path_sets {
                    for (path, flags) in &set.paths {
                        PathFlags::parse(flags);
                        assert!(canonicalize(path).key().starts_with('/'));
                    }
                }
            }
        }
        // A user only sees the message, so it must say which file is broken.
        Err(e) => assert!(format!("{e:#}").contains(PATH), "error without file: {e:#}"),
    }
});
