//! Fuzzes the CSDL (EDMX XML) reader and the schema walks the linker and the site run on
//! every type: lookups, inheritance chains (which must stop at cycles) and derived types.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use permcat::sources::csdl::Csdl;

const FILE: &str = "msgraph-metadata/clean_v10_metadata/fuzz.xml";

fuzz_target!(|data: &[u8]| {
    match Csdl::parse(Path::new(FILE), data) {
        Ok(csdl) => {
            for name in csdl.entity_types.keys().chain(csdl.complex_types.keys()) {
                csdl.find_type(name);
                csdl.all_properties(name);
                csdl.all_navigation_properties(name);
                csdl.derived_types(name);
            }
            for name in csdl.enum_types.keys() {
                csdl.find_type(name);
            }
            for op in csdl.functions.iter().chain(&csdl.actions) {
                op.signature();
                assert!(csdl.operations_named(&op.full_name).next().is_some());
            }
        }
        Err(e) => assert!(format!("{e:#}").contains(FILE), "error without file: {e:#}"),
    }
});
