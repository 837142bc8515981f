//! Fuzzes the reader of SNAPSHOT.json and the lookup that dates a file: every file a
//! snapshot lists must be found again.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::sources::parse_json;
use permcat::sources::snapshot::{Snapshot, SNAPSHOT_FILE};

fuzz_target!(|data: &[u8]| {
    match parse_json::<Snapshot>(Path::new(SNAPSHOT_FILE), data) {
        Ok(snapshot) => {
            for source in &snapshot.sources {
                for file in &source.files {
                    let rel = match file.strip_suffix('/') {
                        Some(tree) => format!("{}/{tree}/x", source.folder),
                        None => format!("{}/{file}", source.folder),
                    };
                    assert!(snapshot.find(&rel).is_some(), "{rel} not found");
                }
            }
        }
        Err(e) => assert!(
            format!("{e:#}").contains(SNAPSHOT_FILE),
            "error without file: {e:#}"
        ),
    }
});
