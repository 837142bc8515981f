//! Unit tests of the path policy, the replies and the build state.

use std::fs;

use super::*;

/// A served directory with a page, an asset, a folder with and without an index,
/// a hidden file, and a secret beside it.
fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    for (rel, text) in [
        (
            "index.html",
            "<html><head><title>i</title></head><body>front</body></html>",
        ),
        (
            "404.html",
            "<html><head></head><body>missing page</body></html>",
        ),
        ("assets/permcat.css", "body {}"),
        (
            "resources/index.html",
            "<html><head></head><body>resources</body></html>",
        ),
        ("empty/.keep", ""),
        (".permcat-site", "marker"),
    ] {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    fs::write(tmp.path().join("secret.txt"), "SECRET").expect("write secret");
    (tmp, root)
}

fn file(root: &Path, rel: &str) -> Result<Target, Refusal> {
    Ok(Target::File(root.join(rel).canonicalize().expect("exists")))
}

#[test]
fn files_and_directory_indexes_resolve() {
    let (_tmp, root) = site();
    assert_eq!(resolve(&root, "/"), file(&root, "index.html"));
    assert_eq!(
        resolve(&root, "/index.html?x=1#top"),
        file(&root, "index.html")
    );
    assert_eq!(
        resolve(&root, "/resources/"),
        file(&root, "resources/index.html")
    );
    assert_eq!(resolve(&root, "/resources"), Ok(Target::AddSlash));
    assert_eq!(
        resolve(&root, "/assets/perm%63at.css"),
        file(&root, "assets/permcat.css")
    );
}

#[test]
fn no_directory_listings() {
    let (_tmp, root) = site();
    assert_eq!(resolve(&root, "/assets/"), Err(Refusal::NotFound));
    assert_eq!(resolve(&root, "/empty/"), Err(Refusal::NotFound));
    assert_eq!(resolve(&root, "/empty"), Err(Refusal::NotFound));
}

#[test]
fn traversal_and_odd_paths_are_refused() {
    let (_tmp, root) = site();
    for url in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/assets%5c..%5c..%5csecret.txt",
        "/index.html%00",
        "/%00",
        "//etc/passwd",
        "/C:/Windows/win.ini",
        "/c:secret.txt",
        "/.permcat-site",
        "/./index.html",
        "/etc/passwd",
        "/nope.html",
    ] {
        assert_eq!(resolve(&root, url), Err(Refusal::NotFound), "{url}");
    }
    let absolute = format!("/{}", _tmp.path().join("secret.txt").display());
    assert_eq!(resolve(&root, &absolute), Err(Refusal::NotFound));
}

#[test]
fn malformed_targets_are_bad_requests() {
    let (_tmp, root) = site();
    for url in [
        "/%",
        "/%2",
        "/%zz",
        "/%ff%fe",
        "index.html",
        "http://evil/",
        "*",
    ] {
        assert_eq!(resolve(&root, url), Err(Refusal::BadRequest), "{url}");
    }
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_refused_and_inside_it_followed() {
    let (tmp, root) = site();
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("leak.txt"))
        .expect("symlink");
    std::os::unix::fs::symlink(tmp.path(), root.join("up")).expect("symlink");
    std::os::unix::fs::symlink(root.join("index.html"), root.join("alias.html")).expect("symlink");
    assert_eq!(resolve(&root, "/leak.txt"), Err(Refusal::NotFound));
    assert_eq!(resolve(&root, "/up/secret.txt"), Err(Refusal::NotFound));
    assert_eq!(resolve(&root, "/alias.html"), file(&root, "index.html"));
    let reply = respond(&root, "GET", "/leak.txt", None);
    assert_eq!(reply.status, 404);
    assert!(!String::from_utf8_lossy(&reply.body).contains("SECRET"));
}

#[test]
fn replies_carry_types_and_statuses() {
    let (_tmp, root) = site();
    let page = respond(&root, "GET", "/", None);
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    let css = respond(&root, "HEAD", "/assets/permcat.css", None);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    let missing = respond(&root, "GET", "/nope", None);
    assert_eq!(missing.status, 404);
    assert!(String::from_utf8_lossy(&missing.body).contains("missing page"));
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "TRACE"] {
        let reply = respond(&root, method, "/", None);
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
    }
    let long = format!("/{}", "a".repeat(MAX_URL_BYTES));
    assert_eq!(respond(&root, "GET", &long, None).status, 414);
    assert_eq!(respond(&root, "GET", "/%zz", None).status, 400);
    let moved = respond(&root, "GET", "/resources?x", None);
    assert_eq!(
        (moved.status, moved.header("Location")),
        (301, Some("/resources/"))
    );
}

#[test]
fn content_types_by_extension() {
    for (name, kind) in [
        ("a.html", "text/html; charset=utf-8"),
        ("a.CSS", "text/css; charset=utf-8"),
        ("a.js", "text/javascript; charset=utf-8"),
        ("a.json", "application/json"),
        ("a.csv", "text/csv; charset=utf-8"),
        ("a.svg", "image/svg+xml"),
        ("a.xml", "application/xml"),
        ("a.txt", "text/plain; charset=utf-8"),
        ("a.png", "image/png"),
        ("a", "application/octet-stream"),
    ] {
        assert_eq!(content_type(Path::new(name)), kind, "{name}");
    }
}

#[test]
fn reload_only_in_serve_mode() {
    let (_tmp, root) = site();
    let state = State::default();
    state.succeeded();
    let served = respond(&root, "GET", "/", Some(&state));
    let html = String::from_utf8_lossy(&served.body);
    assert!(html.contains(
        "<script src=\"/__permcat/reload.js\" data-build=\"1\" defer></script>\n</head>"
    ));
    let plain = respond(&root, "GET", "/", None);
    assert_eq!(
        plain.file,
        Some(root.join("index.html").canonicalize().expect("page"))
    );
    assert!(plain.body.is_empty());
    assert_eq!(respond(&root, "GET", RELOAD_SCRIPT_PATH, None).status, 404);
    assert_eq!(respond(&root, "GET", STATUS_PATH, None).status, 404);
    assert_eq!(
        respond(&root, "GET", RELOAD_SCRIPT_PATH, Some(&state)).status,
        200
    );

    state.set_error(Some("`permissions.json`:3:1: invalid JSON".into()));
    let status = respond(&root, "GET", STATUS_PATH, Some(&state));
    let json: serde_json::Value = serde_json::from_slice(&status.body).expect("JSON");
    assert_eq!(json["build"], 1);
    assert_eq!(json["error"], "`permissions.json`:3:1: invalid JSON");
    assert_eq!(state.succeeded(), 2);
    assert_eq!(state.to_json(), r#"{"build":2,"error":null}"#);
}

#[test]
fn percent_escapes_decode_or_make_the_path_malformed() {
    use super::policy::percent_decode;
    for (input, want) in [
        ("/a%20b", Some("/a b")),
        ("%2e%2E", Some("..")),
        ("%00", Some("\0")),
        ("%C3%A9", Some("é")),
        ("%2541", Some("%41")),
        ("plain", Some("plain")),
        ("%", None),
        ("%2", None),
        ("a%", None),
        ("%zz", None),
        ("%%41", None),
        ("%ff", None),
        ("%C3", None),
        ("%é", None),
        // A sign is no hex digit.
        ("%+5", None),
    ] {
        assert_eq!(percent_decode(input).as_deref(), want, "{input}");
    }
}
