//! Fuzzes the reader of Learn API pages (front matter, request lines, permission tables,
//! tagged examples) and canonicalizes the request paths it finds, as the linker does.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::link::path::canonicalize;
use permcat::model::ApiVersion;
use permcat::sources::docs::ApiPage;

const FILE: &str = "api-reference/v1.0/api/user-get.md";

fuzz_target!(|data: &[u8]| {
    // Includes have a target of their own (docs_include); here they are all missing.
    let missing = |_: &str| Ok(None);
    match ApiPage::parse(Path::new(FILE), ApiVersion::V1_0, data, &missing) {
        Ok((page, counts)) => {
            assert_eq!(page.slug, "user-get");
            assert!(counts.missing_includes <= counts.warnings.len());
            for request in page
                .requests
                .iter()
                .chain(page.examples.iter().map(|e| &e.request))
            {
                assert!(!request.path.is_empty());
                canonicalize(&request.path);
            }
        }
        Err(e) => assert!(format!("{e:#}").contains(FILE), "error without file: {e:#}"),
    }
});
