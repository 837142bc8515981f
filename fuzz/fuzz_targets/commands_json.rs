//! Fuzzes the reader of the PowerShell SDK's command map (MgCommandMetadata.json) and the
//! per-entry helpers the linker calls: version, module name, scheme and the request path.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::link::path::canonicalize;
use permcat::model::ApiVersion;
use permcat::sources::commands::{CommandEntry, PATH};
use permcat::sources::parse_json;

fuzz_target!(|data: &[u8]| {
    match parse_json::<Vec<CommandEntry>>(Path::new(PATH), data) {
        Ok(entries) => {
            for entry in &entries {
                if entry.is_beta() {
                    assert_eq!(entry.version(), Some(ApiVersion::Beta));
                }
                assert!(entry.module_full_name().starts_with("Microsoft.Graph."));
                for p in &entry.permissions {
                    p.scheme();
                }
                if let Some(uri) = &entry.uri {
                    canonicalize(uri);
                }
            }
        }
        Err(e) => assert!(format!("{e:#}").contains(PATH), "error without file: {e:#}"),
    }
});
