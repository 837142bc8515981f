//! Criterion benchmarks of permcat's hot paths on the real snapshot in
//! `../shared/upstream/current`: path canonicalization, reverse lookup, loading the
//! catalog, and the search index.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use permcat::link::path::canonicalize;
use permcat::lookup::{parse_request, Lookup};

/// Requests of varied shapes, as users paste them.
const REQUESTS: &[(&str, &str)] = &[
    ("GET", "https://graph.microsoft.com/v1.0/me"),
    (
        "GET",
        "https://graph.microsoft.com/v1.0/users/adele@contoso.com/messages?$top=5",
    ),
    ("GET", "/beta/users/AdeleV%40contoso.com/messages/"),
    ("POST", "/me/sendMail"),
    (
        "GET",
        "/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members?$select=id",
    ),
    ("GET", "/me/drive/root:/Documents/report.docx:/content"),
    ("GET", "/reports/getOffice365ActiveUserDetail(period='D7')"),
    (
        "GET",
        "/teams/02bd9fd6/channels/19:09fc54a3141a45d0bc769cf506d2e079@thread.skype/messages",
    ),
    (
        "PATCH",
        "/applications/00af5dfb-85da-4b41-a677-0c6b86dd34f8",
    ),
];

/// A path no template matches: the answer then suggests the closest known paths.
const MISS: (&str, &str) = ("GET", "/me/messagez");

fn upstream() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/upstream/current"
    ))
}

fn benches(c: &mut Criterion) {
    let (catalog, _) = permcat::load(upstream()).expect("the upstream snapshot loads");
    let lookup = Lookup::new(&catalog);
    let requests: Vec<_> = REQUESTS
        .iter()
        .map(|(m, u)| parse_request(Some(m), u))
        .collect();

    let mut group = c.benchmark_group("which");
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("lookups", |b| {
        b.iter(|| {
            for r in &requests {
                let _ = std::hint::black_box(lookup.request(r));
            }
        })
    });
    let miss = parse_request(Some(MISS.0), MISS.1);
    group.throughput(Throughput::Elements(1));
    group.bench_function("miss with suggestions", |b| {
        b.iter(|| std::hint::black_box(lookup.request(&miss)))
    });
    group.finish();

    let paths: Vec<&str> = catalog
        .grants
        .iter()
        .map(|g| g.path.as_str())
        .take(5000)
        .collect();
    let mut group = c.benchmark_group("canonicalize");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.bench_function("permissions.json paths", |b| {
        b.iter(|| {
            for p in &paths {
                std::hint::black_box(canonicalize(p));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("catalog");
    group.sample_size(10);
    group.bench_function("load and link the full snapshot", |b| {
        b.iter(|| permcat::load(upstream()).expect("load"))
    });
    group.bench_function("search index", |b| {
        b.iter(|| permcat::search::build(&catalog))
    });
    group.bench_function("lookup trie", |b| b.iter(|| Lookup::new(&catalog)));
    group.finish();
}

criterion_group!(hot_paths, benches);
criterion_main!(hot_paths);
