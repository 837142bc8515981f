//! Loads the Learn docs of a data directory and prints what was parsed and how long it
//! took: `cargo run --release --example docs_stats -- DATA_DIR [--list-missing]`.

use std::time::Instant;

use anyhow::{anyhow, Result};
use permcat::sources::{docs, DataDir};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow!("usage: docs_stats DATA_DIR [--list-missing]"))?;
    let list_missing = args.any(|a| a == "--list-missing");
    let data = DataDir::open(dir)?;
    let start = Instant::now();
    let loaded = docs::load(&data)?;
    let elapsed = start.elapsed();
    let Some(loaded) = loaded else {
        println!("no docs found under {:?}", docs::ROOTS);
        return Ok(());
    };
    let stats = loaded.stats();
    println!("root: {}", loaded.root);
    println!("load time: {:.1} ms", elapsed.as_secs_f64() * 1000.0);
    println!("{stats:#?}");
    println!(
        "permission table share: {:.2}% ({} of {})",
        stats.permission_share() * 100.0,
        stats.pages_with_permissions,
        stats.api_pages
    );
    if list_missing {
        for set in &loaded.sets {
            for w in &set.warnings {
                println!("warning: {}: {}", w.file, w.message);
            }
        }
        for set in &loaded.sets {
            for page in &set.api_pages {
                for t in &page.permission_tables {
                    for r in &t.rows {
                        if r.permissions.is_empty() && !r.not_supported {
                            println!(
                                "empty row: {}/api/{}.md {:?} {:?}",
                                set.version, page.slug, r.scheme, r.variant
                            );
                        }
                    }
                }
                if page.requests.is_empty() {
                    println!("no request line: {}/api/{}.md", set.version, page.slug);
                }
                if !page.permission_tables.iter().any(|t| !t.rows.is_empty()) {
                    println!("no permission table: {}/api/{}.md", set.version, page.slug);
                }
            }
        }
    }
    Ok(())
}
