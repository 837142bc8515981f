//! Fuzzes the reader of the docs' SDK code snippet files.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::model::ApiVersion;
use permcat::sources::docs::Snippet;

const FILE: &str = "api-reference/v1.0/includes/snippets/csharp/get-user-1-csharp-snippets.md";

fuzz_target!(|data: &[u8]| {
    match Snippet::parse(Path::new(FILE), ApiVersion::V1_0, "csharp", data) {
        Ok(Some(snippet)) => assert_eq!(snippet.request_name, "get-user-1"),
        Ok(None) => {}
        Err(e) => assert!(format!("{e:#}").contains(FILE), "error without file: {e:#}"),
    }
});
