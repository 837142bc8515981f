//! Hostile text through every field: a copy of the sample where every text in every
//! source — permissions.json, the descriptions and their translations, provisioningInfo,
//! SNAPSHOT.json, the command map, the Learn docs and the CSDL — carries script tags,
//! event handlers, `javascript:` URLs, unclosed tags, right-to-left overrides, terminal
//! escapes and formula prefixes, plus permissions whose very names are hostile and one
//! huge text. Every output must stay inert: no executable markup in the site, no live
//! formula in a CSV, valid JSON and XML, no file outside the output, no terminal escape
//! in what the commands print, and never a panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::common::*;

/// Formula prefixes a spreadsheet would act on; each field gets the next one.
const FORMULA_PREFIXES: [&str; 6] = ["=", "+", "-", "@", "\t", "\r"];

/// Markup and control payloads without `"` or `|`, so they fit in YAML strings and
/// markdown table cells as well as JSON.
const PAYLOAD: &str = "HYPERLINK('http://evil.example') <script>alert(1)</script>\
<img src=x onerror=alert(2)> <a href='javascript:alert(3)'>a</a> [md](javascript:alert(4)) \
<javascript:alert(5)> </textarea></title></code></pre><!-- <b>unclosed <i \
\u{202e}gnp.exe\u{202c} \u{1b}[31mred\u{1b}]0;title\u{7} {{ 7*7 }} ";

/// Names given to extra permissions, each a different way a name could do harm.
const HOSTILE_NAMES: [&str; 6] = [
    "<img src=x onerror=alert(7)>.Read.All",
    "user.READ",
    "../../../../permcat-escaped.Read",
    "=HYPERLINK('http://evil.example').Read",
    "\u{202e}lla.daeR.resU",
    "Evil\u{1b}[2J.ReadWrite",
];

/// Keys whose values are identifiers the linking relies on, not text.
const STRUCTURAL: [&str; 17] = [
    "id",
    "value",
    "schemeKeys",
    "methods",
    "authorizationType",
    "resourceAppId",
    "scheme",
    "folder",
    "files",
    "Uri",
    "Method",
    "ApiVersion",
    "Name",
    "PermissionType",
    "Variants",
    "$schema",
    "requiresAdminConsent",
];

fn payload(n: usize) -> String {
    format!("{}{PAYLOAD}", FORMULA_PREFIXES[n % FORMULA_PREFIXES.len()])
}

/// Prefixes every text leaf of a JSON document with a payload; `paths` objects keep
/// their values (`least=…` markers) and every identifier keeps its value.
fn poison(v: &mut Value, key: Option<&str>, n: &mut usize) {
    match v {
        Value::Object(map) => {
            let in_paths = key == Some("paths");
            for (k, x) in map.iter_mut() {
                if !in_paths {
                    poison(x, Some(k), n);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| poison(x, key, n)),
        // Links from the data: schemes that would run script or stay inside the site.
        Value::String(s) if key == Some("ApiReferenceLink") => {
            *n += 1;
            *s = [
                "javascript:alert(12)",
                "data:text/html,<script>alert(13)</script>",
            ][*n % 2]
                .to_string();
        }
        Value::String(s) if !key.is_some_and(|k| STRUCTURAL.contains(&k)) => {
            *n += 1;
            *s = format!("{}{s}", payload(*n));
        }
        _ => {}
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read sample JSON");
    serde_json::from_str(text.trim_start_matches('\u{feff}')).expect("sample JSON")
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(v).expect("JSON")).expect("write");
}

/// Hostile permissions: a name from [`HOSTILE_NAMES`] each, with hostile paths.
fn add_hostile_permissions(doc: &mut Value) {
    let perms = doc["permissions"].as_object_mut().expect("permissions");
    for (i, name) in HOSTILE_NAMES.iter().enumerate() {
        perms.insert(
            name.to_string(),
            json!({
                "authorizationType": "oAuth2",
                "schemes": {
                    "DelegatedWork": {
                        "adminDisplayName": payload(i),
                        "adminDescription": payload(i + 1),
                        "userDisplayName": payload(i + 2),
                        "userDescription": payload(i + 3),
                        "requiresAdminConsent": true,
                        "privilegeLevel": 3
                    }
                },
                "pathSets": [{
                    "schemeKeys": ["DelegatedWork"],
                    "methods": ["GET", "<script>alert(8)</script>"],
                    "paths": {
                        format!("/hostile{i}/<script>alert(9)</script>"): "least=DelegatedWork",
                        format!("/hostile{i}/=cmd|' /C calc'!A0/{{id}}"): "",
                        format!("/hostile{i}/\u{202e}txt.exe"): ""
                    }
                }]
            }),
        );
    }
}

/// Markdown with a payload in the front matter, every table row's last cell, every
/// line of text and every code block except the HTTP requests (which stay requests).
fn poison_markdown(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    let mut front_matter = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        let mut line = line.to_string();
        if i == 0 && trimmed == "---" {
            front_matter = true;
        } else if front_matter {
            if trimmed == "---" {
                front_matter = false;
            } else if let Some(v) = line.strip_prefix("title: ") {
                line = format!("title: {}", quoted_with_payload(v));
            } else if let Some(v) = line.strip_prefix("description: ") {
                line = format!("description: {}", quoted_with_payload(v));
            }
        } else if let Some(lang) = trimmed.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(lang.to_string()),
            };
        } else if let Some(lang) = &fence {
            if !lang.starts_with("http") && !line.is_empty() {
                line.push_str(" </code></pre><script>alert(10)</script>\u{202e}x");
            }
        } else if trimmed.starts_with('|') && !trimmed.contains("---") {
            if let Some(at) = line.rfind('|') {
                line.insert_str(at, PAYLOAD);
            }
        } else if !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with('[') {
            line.push(' ');
            line.push_str(PAYLOAD);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A YAML scalar with the payload inside its quotes (or after a bare value).
fn quoted_with_payload(v: &str) -> String {
    let v = v.trim();
    match v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => format!("\"{PAYLOAD}{inner}\""),
        None => format!("'{PAYLOAD}{}'", v.trim_matches('\'')),
    }
}

/// CSDL with the payload (XML-escaped) before every annotation string, and one property
/// whose name is markup.
fn poison_csdl(xml: &str) -> String {
    let escaped = PAYLOAD
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        // XML 1.0 allows these control characters in no form at all.
        .replace(['\u{1b}', '\u{7}'], "");
    let mut out = xml.replace("String=\"", &format!("String=\"{escaped}"));
    let property = "<Property Name=\"x&lt;img src=x onerror=alert(11)&gt;\" Type=\"Edm.String\" />";
    if let Some(at) = out.find("<EntityType Name=\"user\"") {
        if let Some(end) = out[at..].find('>') {
            out.insert_str(at + end + 1, property);
        }
    }
    out
}

fn files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk").into_path())
        .filter(|p| p.is_file())
        .collect()
}

/// The hostile data directory and the site built from it, made once for the module.
struct Hostile {
    _data: tempfile::TempDir,
    _out: tempfile::TempDir,
    data: PathBuf,
    site: PathBuf,
}

fn hostile() -> &'static Hostile {
    static H: OnceLock<Hostile> = OnceLock::new();
    H.get_or_init(|| {
        let copy = sample_copy();
        let data = copy.path().to_path_buf();
        let mut n = 0;
        for path in files(&data) {
            let name = path.to_string_lossy().into_owned();
            if name.ends_with(".json") {
                let mut v = read_json(&path);
                poison(&mut v, None, &mut n);
                if name.ends_with("new/permissions.json") {
                    add_hostile_permissions(&mut v);
                    // One huge text: a megabyte of description.
                    let huge = format!("{}{}", "<b>".repeat(1000), "A".repeat(1 << 20));
                    v["permissions"]["User.Read"]["schemes"]["DelegatedWork"]["userDescription"] =
                        Value::String(huge);
                }
                write_json(&path, &v);
            } else if name.ends_with(".md") && !name.ends_with("README.md") {
                let text = std::fs::read_to_string(&path).expect("read markdown");
                std::fs::write(&path, poison_markdown(&text)).expect("write markdown");
            } else if name.ends_with(".xml") {
                let text = std::fs::read_to_string(&path).expect("read CSDL");
                std::fs::write(&path, poison_csdl(&text)).expect("write CSDL");
            }
        }
        assert!(n > 300, "only {n} text fields poisoned");
        // The site goes into a folder of its own, so anything written beside it shows.
        let out = tempfile::tempdir().expect("temp dir");
        let site = out.path().join("site");
        let run = permcat(&[
            "build",
            "--data",
            data.to_str().expect("utf-8"),
            "--out",
            site.to_str().expect("utf-8"),
            "--base-url",
            "https://permcat.example/x",
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
        no_panic(&run);
        Hostile {
            _data: copy,
            _out: out,
            data,
            site,
        }
    })
}

fn no_panic(out: &std::process::Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
}

/// Characters a page or a terminal must never carry raw.
fn has_raw_control(s: &str) -> Option<char> {
    s.chars()
        .find(|&c| permcat::text::needs_escape(c) && c != '\r')
}

/// Every start tag of a page: text from the data reaches HTML escaped, so a payload
/// only matters if it shows up here.
fn tags(html: &str) -> Vec<String> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(start) = html[i..].find('<').map(|p| p + i) {
        let next = bytes.get(start + 1).copied().unwrap_or(b' ');
        let end = html[start..]
            .find('>')
            .map_or(html.len(), |p| p + start + 1);
        if next.is_ascii_alphabetic() {
            out.push(html[start..end].to_string());
        }
        i = end.max(start + 1);
    }
    out
}

/// The (name, value) attributes of a start tag; quoted values may hold spaces.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let mut chars = inner.chars().skip_while(|c| !c.is_whitespace()).peekable();
    let mut out = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == '/') {
            chars.next();
        }
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            match chars.peek().copied() {
                Some(q @ ('"' | '\'')) => {
                    chars.next();
                    value = std::iter::from_fn(|| chars.next_if(|c| *c != q)).collect();
                    chars.next();
                }
                _ => value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect(),
            }
        }
        out.push((name, value));
    }
    out
}

#[test]
fn pages_carry_no_executable_markup_and_show_the_payload_as_text() {
    let h = hostile();
    let mut pages = 0;
    for path in files(&h.site) {
        let rel = path
            .strip_prefix(&h.site)
            .expect("inside")
            .to_string_lossy();
        if !rel.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = std::fs::read_to_string(&path).expect("utf-8 page");
        if let Some(c) = has_raw_control(&html) {
            panic!("{rel}: raw {:?} from the data", c);
        }
        for tag in tags(&html) {
            let tag = tag.to_ascii_lowercase();
            for bad in [
                "<img", "<iframe", "<object", "<embed", "<svg", "<math", "<base",
            ] {
                assert!(!tag.starts_with(bad), "{rel}: {tag}");
            }
            let attrs = attributes(&tag);
            if tag.starts_with("<script") {
                let src = attrs.iter().find(|(n, _)| n == "src").map(|(_, v)| v);
                assert!(
                    src.is_some_and(|s| s.contains("assets/")
                        && s.ends_with(".js")
                        && !s.contains(':')),
                    "{rel}: {tag}"
                );
            }
            for (name, value) in attrs {
                assert!(!name.starts_with("on"), "{rel}: event handler in {tag}");
                assert!(!name.contains('<') && !name.contains('"'), "{rel}: {tag}");
                if matches!(name.as_str(), "href" | "src" | "action" | "formaction") {
                    let v = value.trim_start();
                    for scheme in ["javascript:", "data:", "vbscript:"] {
                        assert!(!v.starts_with(scheme), "{rel}: {tag}");
                    }
                }
            }
        }
    }
    assert!(pages > 20, "{pages} pages");
    // The text is shown, escaped, rather than dropped.
    let page = std::fs::read_to_string(h.site.join("permissions/User.Read.html")).expect("page");
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "payload not shown"
    );
    assert!(
        page.contains("\\u{202e}gnp.exe"),
        "override not shown as an escape"
    );
    assert!(page.contains(&"A".repeat(1 << 20)), "the huge text is cut");
}

#[test]
fn hostile_names_get_safe_files_inside_the_site() {
    let h = hostile();
    let out_parent = h.site.parent().expect("parent");
    let outside: Vec<PathBuf> = files(out_parent)
        .into_iter()
        .filter(|p| !p.starts_with(&h.site))
        .collect();
    assert!(outside.is_empty(), "written outside the site: {outside:?}");
    assert!(!h.data.join("permcat-escaped.Read.html").exists());
    let mut lower: BTreeMap<String, String> = BTreeMap::new();
    for path in files(&h.site) {
        let rel = path
            .strip_prefix(&h.site)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        assert!(
            rel.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/')),
            "unsafe file name {rel:?}"
        );
        if let Some(other) = lower.insert(rel.to_ascii_lowercase(), rel.clone()) {
            panic!("{rel} and {other} differ only in case");
        }
    }
    // Each hostile permission has its own page, found through the index.
    let index = std::fs::read_to_string(h.site.join("index.html")).expect("index");
    let pages: Vec<String> = tags(&index)
        .iter()
        .filter_map(|t| {
            attributes(t)
                .into_iter()
                .find(|(n, v)| n == "href" && v.starts_with("permissions/"))
                .map(|(_, v)| v)
        })
        .collect();
    assert_eq!(pages.len(), 14 + HOSTILE_NAMES.len(), "{pages:?}");
    for p in &pages {
        assert!(h.site.join(p).is_file(), "{p} is linked but missing");
    }
    let sitemap = std::fs::read_to_string(h.site.join("sitemap.xml")).expect("sitemap");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap is XML");
    let locs = doc.descendants().filter(|n| n.has_tag_name("loc")).count();
    assert!(locs >= pages.len(), "{locs} locations");
}

#[test]
fn csv_cells_never_start_a_formula_and_json_stays_valid() {
    let h = hostile();
    let mut outputs: Vec<(String, Vec<u8>)> = files(&h.site)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "json"))
        .map(|p| {
            let rel = p
                .strip_prefix(&h.site)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(&p).expect("read"))
        })
        .collect();
    let data = h.data.to_str().expect("utf-8");
    for what in [
        "permissions",
        "grants",
        "conflicts",
        "endpoints",
        "resources",
        "commands",
    ] {
        for format in ["csv", "json"] {
            let run = permcat(&["export", "--what", what, "--format", format, "--data", data]);
            assert!(run.status.success(), "{what} {format}: {}", stderr(&run));
            no_panic(&run);
            outputs.push((format!("export {what}.{format}"), run.stdout));
        }
    }
    let diff = permcat(&[
        "diff",
        sample().to_str().expect("utf-8"),
        data,
        "--format",
        "csv",
    ]);
    no_panic(&diff);
    outputs.push(("diff.csv".into(), diff.stdout));
    let (mut cells, mut csvs) = (0, 0);
    for (name, bytes) in &outputs {
        if name.ends_with(".json") {
            serde_json::from_slice::<Value>(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            continue;
        }
        csvs += 1;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
        for record in reader.records() {
            let record = record.unwrap_or_else(|e| panic!("{name}: {e}"));
            for cell in record.iter() {
                cells += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name}: live formula {cell:?}"
                );
            }
        }
    }
    assert!(
        csvs > 20 && cells > 5_000,
        "{csvs} CSV files, {cells} cells"
    );
}

#[test]
fn commands_print_no_terminal_escapes_and_never_panic() {
    let h = hostile();
    let data = h.data.to_str().expect("utf-8");
    let sample = sample();
    let runs: Vec<(String, Vec<&str>)> = vec![
        ("check".into(), vec!["check", "--data", data]),
        ("show".into(), vec!["show", "User.Read", "--data", data]),
        (
            "show hostile".into(),
            vec!["show", HOSTILE_NAMES[5], "--data", data],
        ),
        (
            "show unknown".into(),
            vec!["show", "\u{1b}[2JUser.Raed", "--data", data],
        ),
        ("which".into(), vec!["which", "GET", "/me", "--data", data]),
        (
            "which hostile path".into(),
            vec![
                "which",
                "/hostile0/<script>alert(9)</script>",
                "/nowhere/\u{1b}[2J",
                "--data",
                data,
            ],
        ),
        (
            "which cmdlet".into(),
            vec!["which", "Get-MgUser\u{7}", "--data", data],
        ),
        (
            "diff text".into(),
            vec!["diff", sample.to_str().expect("utf-8"), data],
        ),
        (
            "diff markdown".into(),
            vec![
                "diff",
                sample.to_str().expect("utf-8"),
                data,
                "--format",
                "markdown",
            ],
        ),
    ];
    for (what, args) in runs {
        let out = permcat(&args);
        no_panic(&out);
        let (o, e) = (stdout(&out), stderr(&out));
        assert!(!o.is_empty() || !e.is_empty(), "{what}: no output");
        for (stream, text) in [("stdout", &o), ("stderr", &e)] {
            if let Some(c) = has_raw_control(text) {
                panic!("{what}: raw {c:?} on {stream}:\n{text}");
            }
        }
    }
    // JSON for scripts keeps the data exactly, escaped the JSON way.
    let json = permcat(&["show", "User.Read", "--json", "--data", data]);
    let v: Value = serde_json::from_slice(&json.stdout).expect("show --json");
    assert!(
        v.to_string().contains("\\u001b[31mred"),
        "JSON lost the text"
    );
}
