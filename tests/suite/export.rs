//! `permcat export`: JSON that validates against the published schemas, CSV that
//! round-trips and cannot start a formula, deterministic bytes, safe output files.

use std::collections::BTreeMap;
use std::path::Path;

use permcat::export::{self, Format, What};
use permcat::model::PermissionType;
use permcat::Catalog;
use serde_json::Value;

use crate::common::*;

fn schema(what: What) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(format!("{what}.schema.json"));
    serde_json::from_slice(&std::fs::read(&path).expect("schema file")).expect("schema JSON")
}

fn assert_valid(catalog: &Catalog, what: What) {
    let bytes = export::to_bytes(catalog, what, Format::Json).expect("export");
    let doc: Value = serde_json::from_slice(&bytes).expect("export is JSON");
    let validator = jsonschema::validator_for(&schema(what)).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn json_exports_validate_against_schemas() {
    let sample = load(&sample());
    for what in What::ALL {
        assert_valid(upstream_catalog(), what);
        assert_valid(&sample, what);
    }
}

#[test]
fn catalog_bundle_validates_and_has_no_csv() {
    // The bundle of the full catalog is large; the sample covers its shape.
    let sample = load(&sample());
    assert_valid(&sample, What::Catalog);
    let err = export::to_bytes(&sample, What::Catalog, Format::Csv).expect_err("JSON only");
    assert!(err.to_string().contains("JSON only"), "{err}");
}

#[test]
fn schema_rejects_a_wrong_shape() {
    // The validation above means something only if the schema can say no.
    let bytes = export::to_bytes(&load(&sample()), What::Grants, Format::Json).expect("export");
    let mut doc: Value = serde_json::from_slice(&bytes).expect("JSON");
    doc["items"][0]["scheme"] = Value::from("Delegated");
    let validator = jsonschema::validator_for(&schema(What::Grants)).expect("schema");
    assert!(!validator.is_valid(&doc));
}

#[test]
fn permissions_csv_round_trips() {
    let catalog = upstream_catalog();
    let bytes = export::to_bytes(catalog, What::Permissions, Format::Csv).expect("csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(&headers[0], "permission");
    assert_eq!(&headers[2], "type");
    assert_eq!(&headers[4], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let expected: usize = catalog
        .permissions
        .iter()
        .map(|p| {
            [PermissionType::Delegated, PermissionType::Application]
                .iter()
                .filter(|k| p.schemes_of(**k).next().is_some())
                .count()
        })
        .sum();
    assert_eq!(rows.len(), expected);
    let row = rows
        .iter()
        .find(|r| &r[0] == "IndustryData-OutboundFlow.ReadWrite.All" && &r[2] == "application")
        .expect("application row");
    assert_eq!(&row[4], "24a65b4a-e501-47e2-8849-d679517887f0");
    assert_eq!(&row[13], "false", "in_permissions_json");
}

#[test]
fn grants_csv_round_trips() {
    let catalog = upstream_catalog();
    let bytes = export::to_bytes(catalog, What::Grants, Format::Csv).expect("csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), catalog.grants.len());
    for (row, grant) in rows.iter().zip(&catalog.grants) {
        assert_eq!(&row[0], grant.permission);
        assert_eq!(&row[1], grant.method);
        assert_eq!(&row[2], grant.path);
        assert_eq!(&row[3], grant.key);
        assert_eq!(&row[5], grant.least_privileged.to_string());
    }
}

#[test]
fn formula_looking_text_is_neutralized_in_csv() {
    let tmp = sample_copy();
    let path = permissions_json(tmp.path());
    let text = std::fs::read_to_string(&path).expect("read");
    let text = text.replacen(
        "\"adminDisplayName\": \"Read and write all applications\"",
        "\"adminDisplayName\": \"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\"",
        1,
    );
    let text = text.replacen(
        "\"adminDescription\": \"Allows the app to read the signed-in user's mailbox.\"",
        "\"adminDescription\": \"@SUM(1+1)\\r\\n-2+3\"",
        1,
    );
    std::fs::write(&path, text).expect("write");
    let out = permcat(&[
        "export",
        "--what",
        "permissions",
        "--format",
        "csv",
        "--data",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let mut seen = 0;
    for row in reader.records() {
        let row = row.expect("row");
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "live formula in cell {cell:?}"
            );
        }
        if &row[0] == "Application.ReadWrite.All" && &row[2] == "delegated" {
            assert_eq!(&row[5], "'=HYPERLINK(\"http://evil.example\",\"x\")");
            seen += 1;
        }
        if &row[0] == "Mail.Read" && &row[2] == "delegated" {
            assert_eq!(&row[6], "'@SUM(1+1)\r\n-2+3");
            seen += 1;
        }
    }
    assert_eq!(seen, 2);
}

/// The binary writes the same bytes on every run: each export kind and format, and the
/// whole site (built without `--base-url`, so without a sitemap). On the sample: the
/// full snapshot's determinism is checked in process by
/// `site::the_full_snapshot_loads_and_builds_byte_identically`.
#[test]
fn the_binary_writes_byte_identical_output_across_runs() {
    let data = sample();
    let data = data.to_str().expect("utf-8");
    let mut kinds: Vec<(&str, &str)> = What::ALL
        .iter()
        .flat_map(|what| ["json", "csv"].map(|format| (what.as_str(), format)))
        .collect();
    kinds.push((What::Catalog.as_str(), "json"));
    for (what, format) in kinds {
        let args = ["export", "--what", what, "--format", format, "--data", data];
        let a = permcat(&args);
        let b = permcat(&args);
        assert!(a.status.success(), "{what} {format}: {}", stderr(&a));
        assert!(!a.stdout.is_empty(), "{what} {format} is empty");
        assert!(a.stdout == b.stdout, "{what} {format} differs between runs");
    }

    let tmp = tempfile::tempdir().expect("temp dir");
    let sites: Vec<BTreeMap<String, Vec<u8>>> = ["a", "b"]
        .iter()
        .map(|name| {
            let out = tmp.path().join(name);
            let run = permcat(&[
                "build",
                "--data",
                data,
                "--out",
                out.to_str().expect("utf-8"),
            ]);
            assert!(run.status.success(), "{}", stderr(&run));
            files(&out)
        })
        .collect();
    assert!(sites[0].contains_key("index.html"), "the site has no index");
    assert!(
        !sites[0].contains_key("sitemap.xml"),
        "no sitemap without --base-url"
    );
    assert_eq!(
        sites[0].keys().collect::<Vec<_>>(),
        sites[1].keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &sites[0] {
        assert!(bytes == &sites[1][path], "{path} differs between builds");
    }
}

/// Every file below `dir`: relative path → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).expect("read a file of the site");
            (rel, bytes)
        })
        .collect()
}

#[test]
fn output_file_is_replaced_only_on_success() {
    let tmp = sample_copy();
    let out_file = tmp.path().join("grants.csv");
    std::fs::write(&out_file, "previous export\n").expect("write");
    let data = tmp.path().to_str().expect("utf-8");
    let out_arg = out_file.to_str().expect("utf-8");

    // A broken data file: the export fails and the previous file stays as it was.
    let perms = permissions_json(tmp.path());
    let good = std::fs::read(&perms).expect("read");
    std::fs::write(&perms, b"{ \"permissions\": ").expect("write");
    let fail = permcat(&[
        "export", "--what", "grants", "--format", "csv", "--data", data, "-o", out_arg,
    ]);
    assert!(!fail.status.success());
    assert_eq!(
        std::fs::read_to_string(&out_file).expect("read"),
        "previous export\n"
    );

    std::fs::write(&perms, good).expect("restore");
    let ok = permcat(&[
        "export", "--what", "grants", "--format", "csv", "--data", data, "-o", out_arg,
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let written = std::fs::read_to_string(&out_file).expect("read");
    assert!(
        written.starts_with("permission,method,path,key,scheme"),
        "{written}"
    );
    assert!(ok.stdout.is_empty());
}

#[test]
fn output_to_a_device_writes_through_it() {
    // Regression: `-o /dev/null` once renamed a temporary file over the device.
    let data = sample();
    let out = permcat(&[
        "export",
        "--data",
        data.to_str().expect("utf-8"),
        "-o",
        "/dev/null",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = std::fs::metadata("/dev/null").expect("/dev/null exists");
    assert!(!meta.is_file(), "/dev/null was replaced by a regular file");
}
