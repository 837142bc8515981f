//! Fuzzes `permcat which`: the request parser (`[METHOD] URL`) and the lookup of the
//! parsed requests in the catalog of the bundled sample data. Each input line is one
//! command-line argument.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use permcat::lookup::{parse_request, Lookup};
use permcat::Catalog;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../data");
        permcat::load(std::path::Path::new(data))
            .expect("the bundled sample loads")
            .0
    })
}

fn lookup() -> &'static Lookup<'static> {
    static LOOKUP: OnceLock<Lookup<'static>> = OnceLock::new();
    LOOKUP.get_or_init(|| Lookup::new(catalog()))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let args: Vec<String> = text.lines().take(8).map(str::to_string).collect();
    for arg in &args {
        let r = parse_request(None, arg);
        assert_eq!(r.method, "GET");
        assert!(
            r.path.is_empty() || r.path.starts_with('/'),
            "path {:?}",
            r.path
        );
        assert!(!r.path.ends_with('/'), "path {:?}", r.path);
        assert!(
            !r.path.contains(['?', '#']) || arg.contains('%'),
            "path {:?}",
            r.path
        );
        let with_method = parse_request(Some(arg), "/me");
        assert_eq!(with_method.method, with_method.method.to_ascii_uppercase());
    }
    let _ = lookup().query(&args);
});
