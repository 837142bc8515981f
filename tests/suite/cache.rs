//! The catalog cache: a fresh cache gives the output of `--no-cache` byte for byte, an
//! edited data directory is seen by the next call, and a damaged, foreign or unwritable
//! cache is rebuilt or bypassed with a note, never a wrong answer.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::common::*;

/// Runs permcat with its cache in `cache`: exit code, stdout, stderr.
fn run_in(cache: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    run_bin(Path::new(env!("CARGO_BIN_EXE_permcat")), cache, args)
}

fn run_bin(bin: &Path, cache: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    let out = Command::new(bin)
        .args(args)
        .env("PERMCAT_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .output()
        .expect("permcat runs");
    (
        out.status.code(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Sets every file's modification time an hour back, as for data synced a while ago: a
/// cache is not written while a data file is younger than the timestamp granularity.
fn age(dir: &Path) {
    let past = SystemTime::now() - Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let f = fs::OpenOptions::new()
                .write(true)
                .open(entry.path())
                .expect("open");
            f.set_modified(past).expect("set mtime");
        }
    }
}

/// An aged copy of the sample data.
fn aged_sample() -> tempfile::TempDir {
    let dir = sample_copy();
    age(dir.path());
    dir
}

/// The cache files written under `cache`, by section name.
fn cache_files(cache: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(cache) {
        for e in entries.flatten() {
            if let Ok(files) = fs::read_dir(e.path()) {
                out.extend(files.flatten().map(|f| f.path()));
            }
        }
    }
    out.sort();
    out
}

fn section(cache: &Path, name: &str) -> PathBuf {
    cache_files(cache)
        .into_iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n == format!("{name}.bin").as_str())
        })
        .unwrap_or_else(|| panic!("no {name}.bin under {}", cache.display()))
}

/// The commands that use the cache, each with the section it writes.
fn commands(data: &str) -> Vec<(Vec<String>, &'static str)> {
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        (
            s(&["which", "--data", data, "GET", "/me/messages"]),
            "lookup",
        ),
        (
            s(&[
                "which",
                "--data",
                data,
                "--json",
                "/me/messages",
                "POST /me/sendMail",
                "/nope/x",
            ]),
            "lookup",
        ),
        (s(&["which", "--data", data, "Get-MgUser"]), "lookup"),
        // Each way a lookup reaches the section: a GUID, another reading of the path
        // (`$value`, `/users/{id}` for `/me`, a drive path), a typo's suggestions,
        // `$batch`, another method of a known path.
        (
            s(&[
                "which",
                "--data",
                data,
                "--json",
                "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
                "/users/adele@contoso.com/messages/1/$value",
                "/me/drive/root:/a/b.txt:/content",
                "/me/mesages",
                "POST /$batch",
                "DELETE /me",
            ]),
            "lookup",
        ),
        (s(&["show", "--data", data, "User.Read"]), "catalog"),
        (
            s(&["show", "--data", data, "--json", "Mail.Read"]),
            "catalog",
        ),
        (
            s(&["export", "--data", data, "--what", "catalog"]),
            "catalog",
        ),
        (
            s(&[
                "export", "--data", data, "--what", "grants", "--format", "csv",
            ]),
            "catalog",
        ),
        (
            s(&["export", "--data", data, "--what", "conflicts"]),
            "catalog",
        ),
        (s(&["check", "--data", data]), "check"),
        (s(&["diff", data, data]), "catalog"),
    ]
}

/// Same stdout, stderr and exit code with a fresh cache, a second (warm) run and
/// `--no-cache`, for every command that reads the cache.
fn assert_same_with_and_without_cache(data: &Path) {
    let cache = tempfile::tempdir().expect("temp dir");
    let data = data.to_str().expect("utf-8 path");
    for (args, section_name) in commands(data) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut bypass = args.clone();
        bypass.insert(1, "--no-cache");
        let plain = run_in(cache.path(), &bypass);
        let cold = run_in(cache.path(), &args);
        let file = section(cache.path(), section_name);
        let written = fs::metadata(&file).expect("cache file").modified().ok();
        let warm = run_in(cache.path(), &args);
        assert_eq!(
            fs::metadata(&file).expect("cache file").modified().ok(),
            written,
            "{args:?}: a warm run rewrote the cache"
        );
        for (what, got) in [("cold", &cold), ("warm", &warm)] {
            assert_eq!(got.0, plain.0, "{args:?} ({what}): exit code");
            assert!(got.1 == plain.1, "{args:?} ({what}): stdout differs");
            assert_eq!(got.2, plain.2, "{args:?} ({what}): stderr");
        }
    }
}

#[test]
fn a_fresh_cache_gives_the_output_of_no_cache_on_the_sample() {
    let data = aged_sample();
    assert_same_with_and_without_cache(data.path());
}

#[test]
fn a_fresh_cache_gives_the_output_of_no_cache_on_the_snapshot() {
    assert_same_with_and_without_cache(&upstream());
}

#[test]
fn an_edited_permissions_json_is_seen_by_the_next_call() {
    let data = aged_sample();
    let cache = tempfile::tempdir().expect("temp dir");
    let d = data.path().to_str().expect("utf-8 path");
    let args = ["which", "--data", d, "--json", "GET", "/me/messages"];
    let before = run_in(cache.path(), &args);
    assert_eq!(before.0, Some(0), "{}", before.2);
    section(cache.path(), "lookup");
    // The first permission answered, renamed in place to a name of the same length, so
    // the file's size stays the same.
    let json: serde_json::Value = serde_json::from_slice(&before.1).expect("json");
    let name = json["answers"][0]["schemes"]["DelegatedWork"][0]["permission"]
        .as_str()
        .or_else(|| {
            json["answers"][0]["schemes"]
                .as_object()
                .and_then(|m| m.values().next())
                .and_then(|l| l[0]["permission"].as_str())
        })
        .expect("an answered permission")
        .to_string();
    let renamed = format!("{}Q", &name[..name.len() - 1]);
    let path = permissions_json(data.path());
    let text = fs::read_to_string(&path).expect("permissions.json");
    let quoted = format!("\"{name}\"");
    assert!(text.contains(&quoted));
    let edited = text.replace(&quoted, &format!("\"{renamed}\""));
    assert_eq!(edited.len(), text.len());
    fs::write(&path, edited).expect("edit");
    let after = run_in(cache.path(), &args);
    let after_text = String::from_utf8_lossy(&after.1);
    assert!(after_text.contains(&renamed), "stale answer: {after_text}");
    assert!(!after_text.contains(&quoted), "stale answer: {after_text}");
    let mut bypass = args.to_vec();
    bypass.insert(1, "--no-cache");
    assert!(after.1 == run_in(cache.path(), &bypass).1);
}

/// Damages the lookup cache of an aged sample with `damage`, then expects the next
/// `which` to answer as `--no-cache` does, with a note naming the cache file, and the
/// cache to be whole again afterwards.
fn rebuilt_after(damage: impl Fn(&Path)) {
    let data = aged_sample();
    let cache = tempfile::tempdir().expect("temp dir");
    let d = data.path().to_str().expect("utf-8 path");
    let args = ["which", "--data", d, "GET", "/me/messages", "Get-MgUser"];
    let plain = run_in(
        cache.path(),
        &[
            "which",
            "--no-cache",
            "--data",
            d,
            "GET",
            "/me/messages",
            "Get-MgUser",
        ],
    );
    run_in(cache.path(), &args);
    let file = section(cache.path(), "lookup");
    damage(&file);
    let got = run_in(cache.path(), &args);
    assert_eq!(got.0, plain.0);
    assert!(got.1 == plain.1, "wrong answer from a damaged cache");
    assert!(
        got.2.contains("permcat: note: cache file") && got.2.contains("rebuilding"),
        "no note: {}",
        got.2
    );
    assert_eq!(got.2.lines().filter(|l| l.contains("note:")).count(), 1);
    let again = run_in(cache.path(), &args);
    assert!(again.1 == plain.1);
    assert!(!again.2.contains("note:"), "not rebuilt: {}", again.2);
}

#[test]
fn a_truncated_cache_is_rebuilt_with_a_note() {
    rebuilt_after(|f| {
        let len = fs::metadata(f).unwrap().len();
        fs::OpenOptions::new()
            .write(true)
            .open(f)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
    });
}

#[test]
fn a_cache_cut_inside_its_header_is_rebuilt_with_a_note() {
    rebuilt_after(|f| {
        fs::OpenOptions::new()
            .write(true)
            .open(f)
            .unwrap()
            .set_len(10)
            .unwrap();
    });
}

#[test]
fn a_corrupt_cache_is_rebuilt_with_a_note() {
    rebuilt_after(|f| {
        let mut bytes = fs::read(f).unwrap();
        let at = permcat::cache::HEADER + (bytes.len() - permcat::cache::HEADER) / 2;
        bytes[at] ^= 0x55;
        fs::write(f, bytes).unwrap();
    });
}

/// A lookup section whose checksum holds but whose entry for the key asked does not
/// decode (a damage the CRC missed, or a bug in writing it): the answer must not come
/// from the other, whole parts of the section.
#[test]
fn a_key_entry_that_does_not_decode_is_rebuilt_with_a_note() {
    rebuilt_after(|f| {
        let mut bytes = fs::read(f).unwrap();
        // The endpoint of /me/messages keeps its spelled path, a postcard string: its
        // length byte, then the text. The key list before the entries holds the same
        // string, so the last occurrence is the entry's.
        let needle = b"\x0c/me/messages";
        let at = bytes
            .windows(needle.len())
            .rposition(|w| w == needle)
            .expect("the entry of /me/messages");
        bytes[at] = 0xff;
        let crc = crc32fast::hash(&bytes[permcat::cache::HEADER..]);
        bytes[56..60].copy_from_slice(&crc.to_le_bytes());
        fs::write(f, bytes).unwrap();
    });
}

#[test]
fn a_cache_in_another_format_version_is_rebuilt_with_a_note() {
    rebuilt_after(|f| {
        let mut bytes = fs::read(f).unwrap();
        let other = permcat::cache::FORMAT + 1;
        bytes[8..12].copy_from_slice(&other.to_le_bytes());
        fs::write(f, bytes).unwrap();
    });
}

#[test]
fn a_zero_length_cache_is_rebuilt_with_a_note() {
    rebuilt_after(|f| fs::write(f, b"").unwrap());
}

#[test]
fn a_cache_of_random_bytes_is_rebuilt_with_a_note() {
    rebuilt_after(|f| {
        let bytes: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        fs::write(f, bytes).unwrap();
    });
}

#[test]
fn a_huge_cache_file_is_not_read_and_is_rebuilt() {
    // Sparse: past the cap without taking the disk space.
    rebuilt_after(|f| {
        fs::OpenOptions::new()
            .write(true)
            .open(f)
            .unwrap()
            .set_len(permcat::cache::MAX_FILE + 1)
            .unwrap();
    });
}

#[test]
fn a_header_claiming_a_huge_payload_is_rebuilt() {
    rebuilt_after(|f| {
        let mut bytes = fs::read(f).unwrap();
        bytes[48..56].copy_from_slice(&u64::MAX.to_le_bytes());
        fs::write(f, bytes).unwrap();
    });
}

#[test]
fn a_cache_from_another_build_is_rebuilt_with_a_note() {
    // A copy of the binary is another build to the cache (another file, another time).
    let bin_dir = tempfile::tempdir().expect("temp dir");
    let other = bin_dir.path().join("permcat");
    fs::copy(env!("CARGO_BIN_EXE_permcat"), &other).expect("copy binary");
    let data = aged_sample();
    let cache = tempfile::tempdir().expect("temp dir");
    let d = data.path().to_str().expect("utf-8 path");
    let args = ["show", "--data", d, "User.Read"];
    let first = run_in(cache.path(), &args);
    let got = run_bin(&other, cache.path(), &args);
    assert!(got.1 == first.1);
    assert!(got.2.contains("another permcat build"), "{}", got.2);
}

#[test]
fn an_unwritable_cache_folder_leaves_the_command_working_with_a_note() {
    let data = aged_sample();
    let d = data.path().to_str().expect("utf-8 path");
    // A regular file where the cache folder should be: nothing can be created in it,
    // even by root.
    let blocker = tempfile::NamedTempFile::new().expect("temp file");
    let args = ["which", "--data", d, "GET", "/me/messages"];
    let plain = run_in(
        blocker.path(),
        &["which", "--no-cache", "--data", d, "GET", "/me/messages"],
    );
    for _ in 0..2 {
        let got = run_in(blocker.path(), &args);
        assert_eq!(got.0, Some(0));
        assert!(got.1 == plain.1);
        assert!(
            got.2.contains("permcat: note: catalog cache not saved"),
            "{}",
            got.2
        );
    }
}

#[test]
fn no_cache_neither_reads_nor_writes_the_cache() {
    let data = aged_sample();
    let cache = tempfile::tempdir().expect("temp dir");
    let d = data.path().to_str().expect("utf-8 path");
    run_in(cache.path(), &["check", "--no-cache", "--data", d]);
    run_in(cache.path(), &["which", "--no-cache", "--data", d, "/me"]);
    assert!(cache_files(cache.path()).is_empty());
}

#[test]
fn the_cache_keeps_a_bounded_number_of_data_directories() {
    let cache = tempfile::tempdir().expect("temp dir");
    let dirs: Vec<tempfile::TempDir> = (0..permcat::cache::MAX_ENTRIES + 3)
        .map(|_| aged_sample())
        .collect();
    for d in &dirs {
        let d = d.path().to_str().expect("utf-8 path");
        run_in(cache.path(), &["check", "--data", d]);
    }
    let entries = fs::read_dir(cache.path()).expect("cache dir").count();
    assert!(entries <= permcat::cache::MAX_ENTRIES, "{entries} entries");
    assert!(entries > 0);
}

#[test]
fn a_fresh_data_file_is_not_cached_yet() {
    // Written just now: a second edit within the same timestamp tick would keep the
    // key, so nothing is cached until the data is older than the granularity.
    let data = sample_copy();
    let cache = tempfile::tempdir().expect("temp dir");
    let d = data.path().to_str().expect("utf-8 path");
    run_in(cache.path(), &["which", "--data", d, "/me/messages"]);
    assert!(cache_files(cache.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn a_data_directory_of_symlinks_sees_an_edit_behind_a_link() {
    // The tests' data directories link into checkouts elsewhere; the key follows links.
    let target = aged_sample();
    let data = tempfile::tempdir().expect("temp dir");
    for entry in fs::read_dir(target.path()).expect("read") {
        let entry = entry.expect("entry");
        std::os::unix::fs::symlink(entry.path(), data.path().join(entry.file_name()))
            .expect("symlink");
    }
    let cache = tempfile::tempdir().expect("temp dir");
    let d = data.path().to_str().expect("utf-8 path");
    let first = run_in(cache.path(), &["check", "--data", d]);
    section(cache.path(), "check");
    let path = permissions_json(target.path());
    let text = fs::read_to_string(&path).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let map = v["permissions"].as_object_mut().expect("a permission map");
    let first_key = map.keys().next().cloned().expect("a permission");
    map.remove(&first_key);
    fs::write(&path, serde_json::to_vec(&v).expect("json")).expect("write");
    let second = run_in(cache.path(), &["check", "--data", d]);
    let plain = run_in(cache.path(), &["check", "--no-cache", "--data", d]);
    assert!(second.1 == plain.1);
    assert!(second.1 != first.1, "the edit behind the link was not seen");
}
