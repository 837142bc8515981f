//! Fuzzes the reader of permissions-descriptions.json and its localized siblings, which
//! share one format; the input's length picks the file name the errors must carry.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::sources::descriptions::{localized_path, DescriptionsDocument, LANGUAGES, PATH};
use permcat::sources::parse_json;

fuzz_target!(|data: &[u8]| {
    let file = match LANGUAGES.get(data.len() % (LANGUAGES.len() + 1)) {
        Some(lang) => localized_path(lang),
        None => PATH.to_string(),
    };
    if let Err(e) = parse_json::<DescriptionsDocument>(Path::new(&file), data) {
        assert!(
            format!("{e:#}").contains(&file),
            "error without file: {e:#}"
        );
    }
});
