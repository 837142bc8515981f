//! The search index as the site ships it (format version 2, `docs/search-index.md`): a
//! first script with everything a name query ranks over in the page — permission names,
//! display names, resources, the words of each as numbers into a table of distinct
//! words, each kind already in rank order — and parts the page loads only when a query
//! needs them: descriptions, endpoints sharded by the first segment of their path,
//! cmdlets, and permission GUIDs sharded by their first hex digit. The first results
//! come from the first script while the parts load, as Pagefind answers from a small
//! index before fetching fragments.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::words::{
    name_words, path_words, rank_order, replace_placeholders, resource_words, vocabulary, OrderKey,
};
use super::SearchIndex;

/// The global the first script assigns.
pub const GLOBAL: &str = super::GLOBAL;

/// The global list each part pushes itself onto, so a part's script needs no function
/// of the page to exist when it runs.
pub const PARTS_GLOBAL: &str = "PERMCAT_SEARCH_PARTS";

/// The first script, relative to the site root.
pub const FIRST_FILE: &str = "assets/search-index.js";

/// Where the parts go, relative to `assets/` (the page's paths to them are relative to
/// the folder of the first script).
const PARTS_DIR: &str = "search/";

/// A part's rows stop growing at this many bytes of JSON, so each file stays well under
/// [`MAX_PART_BYTES`] with its table of words.
const TARGET_PART_BYTES: usize = 64 * 1024;

/// The largest part file the build writes: a query never waits for more than this per
/// request (the tests check it).
pub const MAX_PART_BYTES: usize = 128 * 1024;

/// The namespace most resource names start with, left out of the first script.
const GRAPH_NS: &str = "microsoft.graph.";

/// Format version of the shipped files.
pub const FORMAT_VERSION: u32 = 2;

/// The HTTP methods endpoints are numbered by; others are written as text.
const METHODS: [&str; 5] = ["GET", "POST", "PATCH", "PUT", "DELETE"];

/// The key an endpoint is sharded by: the leading letters and digits of its first path
/// segment, lower-cased (`applications` for `/applications(appId='{appId}')`), so a
/// path query knows which shard holds the endpoints under its first segment.
pub fn shard_key(path: &str) -> String {
    path.trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Rows split into runs of at most [`TARGET_PART_BYTES`] of JSON (a single larger row
/// gets a run of its own), in order.
fn pack<T>(rows: Vec<(T, Value)>) -> Vec<Vec<(T, Value)>> {
    let mut out: Vec<Vec<(T, Value)>> = Vec::new();
    let mut size = 0;
    for (key, row) in rows {
        let n = row.to_string().len() + 1;
        if out.is_empty() || (size + n > TARGET_PART_BYTES && size > 0) {
            out.push(Vec::new());
            size = 0;
        }
        size += n;
        if let Some(last) = out.last_mut() {
            last.push((key, row));
        }
    }
    out
}

/// The digits word numbers are written in: 64 characters that need no escaping in JSON.
pub const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// How many [`DIGITS`] each word number takes in a table of `n` words.
pub fn digits_for(n: usize) -> usize {
    let mut width = 1;
    while 64usize.pow(width as u32) < n {
        width += 1;
    }
    width
}

/// The table of words of some entries, its digit width, and each entry's words as one
/// string of fixed-width numbers into the table (`"0A1b"` = words 10 and 107 with
/// width 2): a third of the bytes of a JSON array of numbers.
fn numbered(words: &[Vec<String>]) -> (Value, usize, Vec<Value>) {
    let (vocab, ids) = vocabulary(words);
    let width = digits_for(vocab.len());
    let encoded = ids
        .into_iter()
        .map(|entry| {
            let mut s = String::with_capacity(entry.len() * width);
            for id in entry {
                for k in (0..width).rev() {
                    s.push(char::from(DIGITS[(id >> (6 * k)) & 63]));
                }
            }
            json!(s)
        })
        .collect();
    (json!(vocab), width, encoded)
}

/// A part's script: `(window.PERMCAT_SEARCH_PARTS=…||[]).push(<json>);`.
fn part_script(value: &Value) -> Vec<u8> {
    let json = value.to_string().replace('<', "\\u003c");
    format!("(window.{PARTS_GLOBAL}=window.{PARTS_GLOBAL}||[]).push({json});\n").into_bytes()
}

/// Every file of the search: the first script, then the parts, as (path relative to the
/// site root, bytes).
pub fn files(index: &SearchIndex) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut parts: Vec<(String, Value)> = Vec::new();

    // Permissions in rank order; GUIDs and endpoints point at them by that position.
    let perm_keys: Vec<OrderKey> = index
        .permissions
        .iter()
        .map(|p| OrderKey::new(&p.0.to_lowercase(), &p.0, "", ""))
        .collect();
    let perm_order = rank_order(&perm_keys);
    let mut new_pos = vec![0; perm_order.len()];
    for (new, &old) in perm_order.iter().enumerate() {
        new_pos[old] = new;
    }
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for (new, &old) in perm_order.iter().enumerate() {
        by_name
            .entry(index.permissions[old].0.as_str())
            .or_insert(new);
    }

    // Resources in rank order, with the permissions' words in one table.
    let res_keys: Vec<OrderKey> = index
        .resources
        .iter()
        .map(|r| OrderKey::new(&r.0.to_lowercase(), &r.0, "", &r.2))
        .collect();
    let res_order = rank_order(&res_keys);
    let mut first_words: Vec<Vec<String>> = perm_order
        .iter()
        .map(|&i| {
            let mut w = Vec::new();
            name_words(&index.permissions[i].0, &mut w);
            w
        })
        .collect();
    first_words.extend(res_order.iter().map(|&i| {
        let r = &index.resources[i];
        resource_words(&r.0, &r.1)
    }));
    let (vocab, width, mut word_ids) = numbered(&first_words);
    let res_word_ids = word_ids.split_off(perm_order.len());
    let versions = ["v1.0", "beta"];
    let permissions: Vec<Value> = perm_order
        .iter()
        .zip(word_ids)
        .map(|(&i, words)| {
            let p = &index.permissions[i];
            let mut row = vec![json!(p.0), json!(p.1), json!(p.4), words];
            if let Some(slug) = &p.3 {
                row.push(json!(slug));
            }
            Value::Array(row)
        })
        .collect();
    let resources: Vec<Value> = res_order
        .iter()
        .zip(res_word_ids)
        .map(|(&i, words)| {
            let r = &index.resources[i];
            // The short name is the full name's last dot segment, the page path the usual
            // one, unless either says otherwise.
            let short_known = r.1.rsplit('.').next() == Some(r.0.as_str());
            // The version as 0 (v1.0) or 1 (beta), plus 2 when the full name starts with
            // `microsoft.graph.`, which is then left out.
            let rest = r.1.strip_prefix(GRAPH_NS);
            let version = match versions.iter().position(|v| *v == r.2) {
                Some(v) => json!(v + if rest.is_some() { 2 } else { 0 }),
                None => json!(r.2),
            };
            let name = match (rest, version.is_number()) {
                (Some(rest), true) => rest,
                _ => r.1.as_str(),
            };
            let default_path = format!("resources/{}/{}.html", r.2, r.1);
            let mut row = vec![json!(name), version, words];
            let path = (r.3 != default_path).then(|| json!(r.3));
            let short = (!short_known).then(|| json!(r.0));
            if path.is_some() || short.is_some() {
                row.push(path.unwrap_or(json!(0)));
            }
            if let Some(short) = short {
                row.push(short);
            }
            Value::Array(row)
        })
        .collect();

    // Descriptions, in the permissions' order.
    let descriptions: Vec<((), Value)> = perm_order
        .iter()
        .map(|&i| ((), json!(index.permissions[i].2)))
        .collect();
    let mut description_files = Vec::new();
    let mut base = 0;
    for (n, chunk) in pack(descriptions).into_iter().enumerate() {
        let file = format!("{PARTS_DIR}descriptions-{n}.js");
        let rows: Vec<Value> = chunk.into_iter().map(|(_, v)| v).collect();
        let len = rows.len();
        parts.push((
            file.clone(),
            json!({"part": file, "kind": "descriptions", "base": base, "rows": rows}),
        ));
        description_files.push(json!(file));
        base += len;
    }

    // Endpoints: ranked over all of them, sharded by the first segment of the path.
    let ep_keys: Vec<OrderKey> = index
        .endpoints
        .iter()
        .map(|e| {
            let lname = e.1.to_lowercase();
            OrderKey::new(
                &replace_placeholders(&lname, "{}"),
                &e.1,
                &e.0.to_uppercase(),
                "",
            )
        })
        .collect();
    let ep_order = rank_order(&ep_keys);
    let mut ep_rows: Vec<(String, usize, usize)> = ep_order
        .iter()
        .enumerate()
        .map(|(ord, &i)| (shard_key(&index.endpoints[i].1), ord, i))
        .collect();
    ep_rows.sort();
    // (shard key, rank, words) with the row, per endpoint.
    type Row = ((String, usize, Vec<String>), Value);
    let ep_rows: Vec<Row> = ep_rows
        .into_iter()
        .map(|(key, ord, i)| {
            let e = &index.endpoints[i];
            let method = e.0.to_uppercase();
            let least: Vec<Value> =
                e.2.iter()
                    .map(|name| match by_name.get(name.as_str()) {
                        Some(&n) => json!(n),
                        None => json!(name),
                    })
                    .collect();
            let m = match METHODS.iter().position(|x| *x == method) {
                Some(m) => json!(m),
                None => json!(method),
            };
            let row = json!([m, e.1, least, ord]);
            ((key, ord, path_words(&e.1)), row)
        })
        .collect();
    let mut endpoint_files = Vec::new();
    for (n, chunk) in pack(ep_rows).into_iter().enumerate() {
        let file = format!("{PARTS_DIR}endpoints-{n:02}.js");
        let first = chunk.first().map(|((k, _, _), _)| k.clone());
        let last = chunk.last().map(|((k, _, _), _)| k.clone());
        let words: Vec<Vec<String>> = chunk.iter().map(|((_, _, w), _)| w.clone()).collect();
        let (vocab, width, ids) = numbered(&words);
        let rows: Vec<Value> = chunk
            .into_iter()
            .zip(ids)
            .map(|((_, mut row), w)| {
                if let Value::Array(a) = &mut row {
                    a.insert(3, w);
                }
                row
            })
            .collect();
        parts.push((
            file.clone(),
            json!({"part": file, "kind": "endpoints", "vocab": vocab, "width": width, "rows": rows}),
        ));
        endpoint_files.push(json!([file, first, last]));
    }

    // Cmdlets: one entry per name (the SDK maps several paths to one cmdlet), in rank order.
    let mut cmdlet_at: BTreeMap<&str, usize> = BTreeMap::new();
    // (name, version, [(METHOD, path)]) per cmdlet.
    type Cmdlet<'a> = (&'a str, &'a str, Vec<(String, &'a str)>);
    let mut cmdlets: Vec<Cmdlet> = Vec::new();
    for c in &index.cmdlets {
        let at = *cmdlet_at.entry(c.0.as_str()).or_insert_with(|| {
            cmdlets.push((c.0.as_str(), c.3.as_str(), Vec::new()));
            cmdlets.len() - 1
        });
        cmdlets[at].2.push((c.1.to_uppercase(), c.2.as_str()));
    }
    let cmd_keys: Vec<OrderKey> = cmdlets
        .iter()
        .map(|c| OrderKey::new(&c.0.to_lowercase(), c.0, "", c.1))
        .collect();
    let cmd_rows: Vec<(Vec<String>, Value)> = rank_order(&cmd_keys)
        .into_iter()
        .map(|i| {
            let (name, version, calls) = &cmdlets[i];
            let mut w = Vec::new();
            name_words(name, &mut w);
            (w, json!([name, version, calls]))
        })
        .collect();
    let mut cmdlet_files = Vec::new();
    let mut base = 0;
    for (n, chunk) in pack(cmd_rows).into_iter().enumerate() {
        let file = format!("{PARTS_DIR}cmdlets-{n}.js");
        let words: Vec<Vec<String>> = chunk.iter().map(|(w, _)| w.clone()).collect();
        let (vocab, width, ids) = numbered(&words);
        let len = chunk.len();
        let rows: Vec<Value> = chunk
            .into_iter()
            .zip(ids)
            .map(|((_, mut row), w)| {
                if let Value::Array(a) = &mut row {
                    a.push(w);
                }
                row
            })
            .collect();
        parts.push((
            file.clone(),
            json!({"part": file, "kind": "cmdlets", "base": base, "vocab": vocab, "width": width, "rows": rows}),
        ));
        cmdlet_files.push(json!(file));
        base += len;
    }

    // GUIDs by their first character: a GUID query needs one small file.
    let mut ids: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (id, perm, flag) in &index.ids {
        let first = id.chars().next().map(|c| c.to_ascii_lowercase());
        let key = match first {
            Some(c) if c.is_ascii_hexdigit() => c.to_string(),
            _ => "_".to_string(),
        };
        let perm = new_pos.get(*perm).copied().unwrap_or(usize::MAX);
        if perm != usize::MAX {
            ids.entry(key).or_default().push(json!([id, perm, flag]));
        }
    }
    let mut id_files = serde_json::Map::new();
    for (key, rows) in ids {
        let file = format!("{PARTS_DIR}ids-{key}.js");
        parts.push((
            file.clone(),
            json!({"part": file, "kind": "ids", "rows": rows}),
        ));
        id_files.insert(key, json!(file));
    }

    let first = json!({
        "v": FORMAT_VERSION,
        "permissions": permissions,
        "resources": resources,
        "vocab": vocab,
        "width": width,
        "methods": METHODS,
        "versions": versions,
        "cmdlets_missing": index.cmdlets_missing,
        "parts": {
            "descriptions": description_files,
            "endpoints": endpoint_files,
            "cmdlets": cmdlet_files,
            "ids": id_files,
        },
    });
    let mut out = vec![(FIRST_FILE.to_string(), super::script(GLOBAL, &first)?)];
    out.extend(
        parts
            .into_iter()
            .map(|(file, v)| (format!("assets/{file}"), part_script(&v))),
    );
    Ok(out)
}
