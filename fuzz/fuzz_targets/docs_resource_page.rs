//! Fuzzes the reader of Learn resource type pages: Properties, Relationships and Methods
//! tables and the JSON representation.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::model::ApiVersion;
use permcat::sources::docs::ResourcePage;

const FILE: &str = "api-reference/beta/resources/user.md";

fuzz_target!(|data: &[u8]| {
    match ResourcePage::parse(Path::new(FILE), ApiVersion::Beta, data) {
        Ok((page, counts)) => {
            assert_eq!(page.slug, "user");
            assert_eq!(counts.unknown_table_layouts, counts.warnings.len());
        }
        Err(e) => assert!(format!("{e:#}").contains(FILE), "error without file: {e:#}"),
    }
});
