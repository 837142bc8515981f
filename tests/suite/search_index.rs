//! The search files the site ships: read back without permcat's code (the scripts'
//! JSON, decoded here), together they hold every entry the gathered index
//! (`permcat::search::build`) holds, each part stays under its bound, the first script
//! is small, nothing in them can close a script element, and two builds give the same
//! bytes; on the real catalog and on the sample (which has cmdlets).

use std::collections::{BTreeMap, BTreeSet};

use permcat::search::shards::{DIGITS, FIRST_FILE, MAX_PART_BYTES};
use serde_json::Value;

use crate::common::{load, sample, upstream_catalog};

/// The first script may not be larger than what Pagefind fetches for its first query on
/// the same site (232 KB uncompressed).
const MAX_FIRST_BYTES: usize = 232_000;

/// The JSON a search script carries: `window.PERMCAT_SEARCH=…;` or
/// `(window.PERMCAT_SEARCH_PARTS=…||[]).push(…);`.
fn json_of(rel: &str, bytes: &[u8]) -> Value {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let body = if let Some(rest) = text.strip_prefix("window.PERMCAT_SEARCH=") {
        rest.strip_suffix(";\n")
    } else {
        text.strip_prefix("(window.PERMCAT_SEARCH_PARTS=window.PERMCAT_SEARCH_PARTS||[]).push(")
            .and_then(|r| r.strip_suffix(");\n"))
    };
    let body = body.unwrap_or_else(|| panic!("{rel} is not a search script: {:.80}", text));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Word numbers of an entry: fixed-width base-64 digits, each below the table's length.
fn check_words(rel: &str, words: &Value, width: usize, vocab: usize) {
    let text = words
        .as_str()
        .unwrap_or_else(|| panic!("{rel}: words {words}"));
    assert_eq!(text.len() % width, 0, "{rel}: {text:?}");
    for chunk in text.as_bytes().chunks(width) {
        let n = chunk.iter().fold(0usize, |n, c| {
            let d = DIGITS.iter().position(|x| x == c);
            n * 64 + d.unwrap_or_else(|| panic!("{rel}: digit {c}"))
        });
        assert!(n < vocab, "{rel}: word {n} of {vocab}");
    }
}

/// What the shipped files say, in the gathered index's terms.
#[derive(Default, Debug, PartialEq)]
struct Entries {
    permissions: BTreeSet<(String, String, String, Option<String>, u64)>,
    endpoints: BTreeMap<(String, String, Vec<String>), usize>,
    cmdlets: BTreeSet<(String, String, String, String)>,
    resources: BTreeSet<(String, String, String, String)>,
    ids: BTreeSet<(String, String, u64)>,
    cmdlets_missing: String,
}

/// Reads the shipped files back; checks bounds, escaping and the shard keys on the way.
fn read_back(files: &[(String, Vec<u8>)]) -> Entries {
    let by_path: BTreeMap<&str, &[u8]> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    assert_eq!(by_path.len(), files.len(), "a path written twice");
    for (rel, bytes) in &by_path {
        assert!(!bytes.contains(&b'<'), "{rel} holds a raw `<`");
        let bound = if *rel == FIRST_FILE {
            MAX_FIRST_BYTES
        } else {
            MAX_PART_BYTES
        };
        assert!(bytes.len() <= bound, "{rel}: {} bytes", bytes.len());
    }
    let first = json_of(FIRST_FILE, by_path[FIRST_FILE]);
    assert_eq!(first["v"], 2);
    let width = first["width"].as_u64().unwrap_or(0) as usize;
    let vocab = first["vocab"].as_array().map_or(0, Vec::len);
    let mut out = Entries {
        cmdlets_missing: s(&first["cmdlets_missing"]),
        ..Entries::default()
    };
    let perms = first["permissions"].as_array().expect("permissions");
    let names: Vec<String> = perms.iter().map(|p| s(&p[0])).collect();

    // Every part the first script lists exists, and every part file is listed once.
    let parts = &first["parts"];
    let mut listed: Vec<String> = Vec::new();
    for key in ["descriptions", "cmdlets"] {
        for f in parts[key].as_array().expect(key) {
            listed.push(format!("assets/{}", s(f)));
        }
    }
    let shards = parts["endpoints"].as_array().expect("endpoint shards");
    for shard in shards {
        listed.push(format!("assets/{}", s(&shard[0])));
    }
    for f in parts["ids"].as_object().expect("ids").values() {
        listed.push(format!("assets/{}", s(f)));
    }
    let mut on_disk: Vec<String> = by_path
        .keys()
        .filter(|p| **p != FIRST_FILE)
        .map(|p| p.to_string())
        .collect();
    listed.sort();
    on_disk.sort();
    assert_eq!(listed, on_disk, "the parts listed are the parts written");

    let mut descriptions = vec![None; perms.len()];
    for f in parts["descriptions"].as_array().expect("descriptions") {
        let rel = format!("assets/{}", s(f));
        let part = json_of(&rel, by_path[rel.as_str()]);
        let base = part["base"].as_u64().unwrap_or(0) as usize;
        for (i, d) in part["rows"].as_array().expect("rows").iter().enumerate() {
            assert!(
                descriptions[base + i].replace(s(d)).is_none(),
                "{rel}: twice"
            );
        }
    }
    for (p, d) in perms.iter().zip(descriptions) {
        check_words(FIRST_FILE, &p[3], width, vocab);
        let slug = p.get(4).map(s);
        out.permissions.insert((
            s(&p[0]),
            s(&p[1]),
            d.expect("every permission has a description row"),
            slug,
            p[2].as_u64().unwrap_or(99),
        ));
    }
    let versions = first["versions"].as_array().expect("versions");
    for r in first["resources"].as_array().expect("resources") {
        check_words(FIRST_FILE, &r[2], width, vocab);
        let (full, version) = match r[1].as_u64() {
            Some(code) => (
                if code & 2 == 2 {
                    format!("microsoft.graph.{}", s(&r[0]))
                } else {
                    s(&r[0])
                },
                s(&versions[(code & 1) as usize]),
            ),
            None => (s(&r[0]), s(&r[1])),
        };
        let short = r
            .get(4)
            .map(s)
            .unwrap_or_else(|| full.rsplit('.').next().unwrap_or_default().to_string());
        let path = match r.get(3).and_then(Value::as_str) {
            Some(p) => p.to_string(),
            None => format!("resources/{version}/{full}.html"),
        };
        out.resources.insert((short, full, version, path));
    }

    let methods: Vec<String> = first["methods"]
        .as_array()
        .expect("methods")
        .iter()
        .map(s)
        .collect();
    let mut ords = BTreeSet::new();
    for shard in shards {
        let rel = format!("assets/{}", s(&shard[0]));
        let (lo, hi) = (s(&shard[1]), s(&shard[2]));
        let part = json_of(&rel, by_path[rel.as_str()]);
        let w = part["width"].as_u64().unwrap_or(0) as usize;
        let n = part["vocab"].as_array().map_or(0, Vec::len);
        for e in part["rows"].as_array().expect("rows") {
            let method = match e[0].as_u64() {
                Some(m) => methods[m as usize].clone(),
                None => s(&e[0]),
            };
            let path = s(&e[1]);
            // The shard's range holds the first path segment's leading letters and digits.
            let key: String = path
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(lo <= key && key <= hi, "{rel}: {path} outside {lo}..{hi}");
            let least = e[2]
                .as_array()
                .expect("least")
                .iter()
                .map(|x| match x.as_u64() {
                    Some(i) => names[i as usize].clone(),
                    None => s(x),
                })
                .collect();
            check_words(&rel, &e[3], w, n);
            assert!(
                ords.insert(e[4].as_u64().expect("ord")),
                "{rel}: an order twice"
            );
            *out.endpoints.entry((method, path, least)).or_default() += 1;
        }
    }
    assert_eq!(
        ords.iter().copied().collect::<Vec<_>>(),
        (0..ords.len() as u64).collect::<Vec<_>>(),
        "the endpoints' rank order is a permutation"
    );

    for f in parts["cmdlets"].as_array().expect("cmdlets") {
        let rel = format!("assets/{}", s(f));
        let part = json_of(&rel, by_path[rel.as_str()]);
        let w = part["width"].as_u64().unwrap_or(0) as usize;
        let n = part["vocab"].as_array().map_or(0, Vec::len);
        for c in part["rows"].as_array().expect("rows") {
            check_words(&rel, &c[3], w, n);
            for call in c[2].as_array().expect("calls") {
                out.cmdlets
                    .insert((s(&c[0]), s(&call[0]), s(&call[1]), s(&c[1])));
            }
        }
    }
    for (key, f) in parts["ids"].as_object().expect("ids") {
        let rel = format!("assets/{}", s(f));
        let part = json_of(&rel, by_path[rel.as_str()]);
        for x in part["rows"].as_array().expect("rows") {
            let id = s(&x[0]);
            let first = id.chars().next().map(|c| c.to_ascii_lowercase());
            assert!(
                first.is_some_and(|c| c.to_string() == *key) || key == "_",
                "{rel}: {id}"
            );
            let perm = names[x[1].as_u64().expect("permission") as usize].clone();
            out.ids.insert((id, perm, x[2].as_u64().unwrap_or(0)));
        }
    }
    out
}

/// The gathered index in the same terms.
fn expected(catalog: &permcat::Catalog) -> Entries {
    let index = permcat::search::build(catalog);
    let mut endpoints: BTreeMap<(String, String, Vec<String>), usize> = BTreeMap::new();
    for e in &index.endpoints {
        *endpoints
            .entry((e.0.to_uppercase(), e.1.clone(), e.2.clone()))
            .or_default() += 1;
    }
    Entries {
        permissions: index
            .permissions
            .iter()
            .map(|p| {
                (
                    p.0.clone(),
                    p.1.clone(),
                    p.2.clone(),
                    p.3.clone(),
                    u64::from(p.4),
                )
            })
            .collect(),
        endpoints,
        cmdlets: index
            .cmdlets
            .iter()
            .map(|c| (c.0.clone(), c.1.to_uppercase(), c.2.clone(), c.3.clone()))
            .collect(),
        resources: index.resources.iter().cloned().collect(),
        ids: index
            .ids
            .iter()
            .map(|(id, i, flag)| {
                (
                    id.clone(),
                    index.permissions[*i].0.clone(),
                    u64::from(*flag),
                )
            })
            .collect(),
        cmdlets_missing: index.cmdlets_missing.clone(),
    }
}

fn check(catalog: &permcat::Catalog) -> Vec<(String, Vec<u8>)> {
    let files = permcat::search::site_files(catalog).expect("search files");
    let got = read_back(&files);
    let want = expected(catalog);
    assert_eq!(got.permissions, want.permissions);
    assert_eq!(got.endpoints, want.endpoints);
    assert_eq!(got.cmdlets, want.cmdlets);
    assert_eq!(got.resources, want.resources);
    assert_eq!(got.ids, want.ids);
    assert_eq!(got.cmdlets_missing, want.cmdlets_missing);
    files
}

#[test]
fn the_shipped_parts_hold_every_entry_of_the_real_index_within_their_bounds() {
    let catalog = upstream_catalog();
    let files = check(catalog);
    assert!(
        files.len() > 10,
        "the bulky parts are sharded: {} files",
        files.len()
    );
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    let first = files
        .iter()
        .find(|(p, _)| p == FIRST_FILE)
        .map_or(0, |(_, b)| b.len());
    assert!(first * 5 <= total, "first script {first} of {total} bytes");
    // The same catalog gives the same bytes.
    assert_eq!(files, permcat::search::site_files(catalog).expect("again"));
}

#[test]
fn the_shipped_parts_hold_every_entry_of_the_sample_with_its_cmdlets() {
    let catalog = load(&sample());
    let files = check(&catalog);
    assert!(!permcat::search::build(&catalog).cmdlets.is_empty());
    assert_eq!(files, permcat::search::site_files(&catalog).expect("again"));
}

#[test]
fn markup_in_the_data_cannot_close_a_search_script() {
    let mut catalog = load(&sample());
    for p in catalog.permissions.iter_mut().take(3) {
        for scheme in p.schemes.values_mut() {
            scheme.admin_description = Some("</script><script>alert(1)</script>. More".into());
            scheme.admin_display_name = Some("<b>bold</b> & \"quoted\"".into());
        }
    }
    // `check` decodes every file and fails on any raw `<`.
    check(&catalog);
}
