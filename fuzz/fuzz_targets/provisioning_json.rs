//! Fuzzes the reader of provisioningInfo.json, its environment list and the filter that
//! keeps only Microsoft Graph's entries.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::sources::parse_json;
use permcat::sources::provisioning::{ProvisioningDocument, PATH};

fuzz_target!(|data: &[u8]| {
    match parse_json::<ProvisioningDocument>(Path::new(PATH), data) {
        Ok(doc) => {
            for deployment in doc.permission_deployments.values().flatten() {
                let envs = deployment.environments();
                // Sorted, without repeats or blanks, lower case: pages compare them as is.
                assert!(envs.windows(2).all(|w| w[0] < w[1]), "{envs:?}");
                assert!(envs.iter().all(|e| !e.is_empty() && e.trim() == e));
                assert!(envs.iter().all(|e| *e == e.to_ascii_lowercase()));
            }
            for deployment in doc.graph_only().values().flatten() {
                assert!(deployment.is_graph());
            }
        }
        Err(e) => assert!(format!("{e:#}").contains(PATH), "error without file: {e:#}"),
    }
});
