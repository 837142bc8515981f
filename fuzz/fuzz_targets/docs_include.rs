//! Fuzzes the reading of permission include files (`includes/permissions/*.md`, where
//! today's docs keep the permission tables), through an API page that includes one.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::model::ApiVersion;
use permcat::sources::docs::ApiPage;

const FILE: &str = "api-reference/v1.0/api/user-get.md";
const TARGET: &str = "../includes/permissions/user-get-permissions.md";

fuzz_target!(|data: &[u8]| {
    // The loader rejects include files that are not UTF-8 before parsing them.
    let Ok(included) = std::str::from_utf8(data) else {
        return;
    };
    let page = format!("## Permissions\n\n[!INCLUDE [permissions-table]({TARGET})]\n");
    let resolve = |rel: &str| {
        assert_eq!(rel, TARGET);
        Ok(Some(included.to_string()))
    };
    let (page, counts) =
        ApiPage::parse(Path::new(FILE), ApiVersion::V1_0, page.as_bytes(), &resolve)
            .expect("only non-UTF-8 pages and failing includes are errors");
    assert_eq!(counts.missing_includes, 0);
    for table in &page.permission_tables {
        assert_eq!(table.include.as_deref(), Some(TARGET));
    }
});
