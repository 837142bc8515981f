//! Reading `MgCommandMetadata.json` (PowerShell SDK command map) from a hand-written file
//! of the upstream shape.

use std::fs;
use std::path::Path;

use permcat::model::{ApiVersion, Scheme};
use permcat::sources::commands::{self, CommandEntry};
use permcat::sources::DataDir;

/// Five entries of the exact upstream shape (ten keys each): a v1.0 cmdlet with two
/// permissions, a beta cmdlet, an authentication cmdlet with a null `Uri` and empty
/// `ApiVersion`, a beta cmdlet whose version field is empty, and one with nulls.
const FIXTURE: &str = r#"[
  {
    "Command": "Add-MgApplicationKey",
    "Variants": ["Add", "AddExpanded", "AddViaIdentity", "AddViaIdentityExpanded"],
    "Method": "POST",
    "Uri": "/applications/{application-id}/addKey",
    "ApiReferenceLink": "https://learn.microsoft.com/graph/api/application-addkey?view=graph-rest-1.0",
    "OutputType": "IMicrosoftGraphKeyCredential",
    "Module": "Applications",
    "Permissions": [
      {
        "Name": "Application.ReadWrite.All",
        "Description": "Read and write all applications",
        "FullDescription": "Allows the app to create, read, update and delete applications and service principals on your behalf.",
        "IsAdmin": true,
        "PermissionType": "DelegatedWork",
        "IsLeastPrivilege": false
      },
      {
        "Name": "Application.ReadWrite.OwnedBy",
        "Description": "Manage apps that this app creates or owns",
        "FullDescription": "Allows the app to create other applications, and fully manage those applications.",
        "IsAdmin": true,
        "PermissionType": "Application",
        "IsLeastPrivilege": true
      }
    ],
    "CommandAlias": null,
    "ApiVersion": "v1.0"
  },
  {
    "Command": "Get-MgBetaUser",
    "Variants": ["Get", "GetViaIdentity", "List"],
    "Method": "GET",
    "Uri": "/users/{user-id}",
    "ApiReferenceLink": "https://learn.microsoft.com/graph/api/user-get?view=graph-rest-beta",
    "OutputType": "IMicrosoftGraphUser",
    "Module": "Users",
    "Permissions": [
      {
        "Name": "User.Read",
        "Description": "Sign in and read user profile",
        "FullDescription": "Allows you to sign in to the app with your organizational account.",
        "IsAdmin": false,
        "PermissionType": "DelegatedPersonal",
        "IsLeastPrivilege": true
      }
    ],
    "CommandAlias": null,
    "ApiVersion": "beta"
  },
  {
    "Command": "Connect-MgGraph",
    "Variants": ["UserParameterSet", "AppCertificateParameterSet"],
    "Method": "",
    "Uri": null,
    "ApiReferenceLink": null,
    "OutputType": null,
    "Module": "Authentication",
    "Permissions": [],
    "CommandAlias": "Connect-Graph",
    "ApiVersion": ""
  },
  {
    "Command": "Get-MgBetaApplication",
    "Variants": ["List"],
    "Method": "GET",
    "Uri": "/applications",
    "ApiReferenceLink": "https://learn.microsoft.com/graph/api/application-list?view=graph-rest-beta",
    "OutputType": "IMicrosoftGraphApplication",
    "Module": "Applications",
    "Permissions": [],
    "CommandAlias": null,
    "ApiVersion": ""
  },
  {
    "Command": "Remove-MgGroupMemberByRef",
    "Variants": null,
    "Method": "DELETE",
    "Uri": "/groups/{group-id}/members/{directoryObject-id}/$ref",
    "ApiReferenceLink": "https://learn.microsoft.com/graph/api/group-delete-members?view=graph-rest-1.0",
    "OutputType": null,
    "Module": "Groups",
    "Permissions": [
      {
        "Name": "GroupMember.ReadWrite.All",
        "Description": null,
        "FullDescription": null,
        "IsAdmin": null,
        "PermissionType": "Application",
        "IsLeastPrivilege": null
      }
    ],
    "CommandAlias": null,
    "ApiVersion": "v1.0"
  }
]"#;

/// Writes `text` at the upstream path inside a fresh data directory.
fn data_dir_with(text: &str) -> (tempfile::TempDir, DataDir) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join(commands::PATH);
    fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    fs::write(&file, text).expect("write fixture");
    let dir = DataDir::open(tmp.path()).expect("open data dir");
    (tmp, dir)
}

fn load(text: &str) -> Vec<CommandEntry> {
    let (_tmp, dir) = data_dir_with(text);
    commands::load(&dir)
        .expect("fixture parses")
        .expect("fixture present")
}

#[test]
fn reads_every_field_of_a_v1_entry() {
    let entries = load(FIXTURE);
    assert_eq!(entries.len(), 5);
    let e = &entries[0];
    assert_eq!(e.command, "Add-MgApplicationKey");
    assert_eq!(
        e.uri.as_deref(),
        Some("/applications/{application-id}/addKey")
    );
    assert_eq!(e.method, "POST");
    assert_eq!(e.version(), Some(ApiVersion::V1_0));
    assert_eq!(e.variants.len(), 4);
    assert_eq!(
        e.output_type.as_deref(),
        Some("IMicrosoftGraphKeyCredential")
    );
    assert_eq!(e.module, "Applications");
    assert_eq!(e.module_full_name(), "Microsoft.Graph.Applications");
    assert!(!e.is_beta());
    assert!(e
        .api_reference_link
        .as_deref()
        .is_some_and(|l| l.starts_with("https://learn.microsoft.com/")));
    assert_eq!(e.command_alias, None);

    assert_eq!(e.permissions.len(), 2);
    let p = &e.permissions[1];
    assert_eq!(p.name, "Application.ReadWrite.OwnedBy");
    assert!(p.is_admin);
    assert!(p.is_least_privilege);
    assert_eq!(p.scheme(), Some(Scheme::Application));
    assert_eq!(e.permissions[0].scheme(), Some(Scheme::DelegatedWork));
}

#[test]
fn beta_entries_name_the_beta_module() {
    let entries = load(FIXTURE);
    let user = &entries[1];
    assert_eq!(user.version(), Some(ApiVersion::Beta));
    assert_eq!(user.module_full_name(), "Microsoft.Graph.Beta.Users");
    assert_eq!(
        user.permissions[0].scheme(),
        Some(Scheme::DelegatedPersonal)
    );

    // Empty version field: the `MgBeta` prefix still makes it a beta cmdlet.
    let app = &entries[3];
    assert_eq!(app.api_version, "");
    assert!(app.is_beta());
    assert_eq!(app.module_full_name(), "Microsoft.Graph.Beta.Applications");
}

#[test]
fn nulls_and_empty_strings_read_as_none_or_empty() {
    let entries = load(FIXTURE);
    let auth = &entries[2];
    assert_eq!(auth.uri, None);
    assert_eq!(auth.version(), None);
    assert_eq!(auth.api_reference_link, None);
    assert_eq!(auth.output_type, None);
    assert_eq!(auth.command_alias.as_deref(), Some("Connect-Graph"));
    assert_eq!(auth.module_full_name(), "Microsoft.Graph.Authentication");

    let remove = &entries[4];
    assert!(remove.variants.is_empty());
    let p = &remove.permissions[0];
    assert_eq!(p.description, None);
    assert!(!p.is_admin);
    assert!(!p.is_least_privilege);
}

#[test]
fn missing_keys_read_as_none_or_empty() {
    let entries = load(r#"[{"Command": "Get-MgUser"}, {}]"#);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].command, "Get-MgUser");
    assert_eq!(entries[0].uri, None);
    assert!(entries[0].permissions.is_empty());
    assert_eq!(entries[1].command, "");
    assert_eq!(entries[1].module_full_name(), "Microsoft.Graph.");
}

#[test]
fn lenient_alias_and_unknown_version() {
    let entries = load(
        r#"[{"Command": "Get-MgThing", "CommandAlias": ["A", "B"], "ApiVersion": "V2.0"},
            {"Command": "Get-MgThing", "CommandAlias": "", "ApiVersion": "Beta"}]"#,
    );
    assert_eq!(entries[0].command_alias.as_deref(), Some("A, B"));
    // An unknown version is kept verbatim but names no version permcat knows.
    assert_eq!(entries[0].api_version, "V2.0");
    assert_eq!(entries[0].version(), None);
    assert_eq!(entries[1].command_alias, None);
    assert_eq!(entries[1].version(), Some(ApiVersion::Beta));
}

#[test]
fn serializes_back_in_the_upstream_shape() {
    let entries = load(FIXTURE);
    let json = serde_json::to_string(&entries).expect("serialize");
    assert!(json.contains(r#""ApiVersion":"v1.0""#));
    assert!(json.contains(r#""Uri":null"#));
    let back: Vec<CommandEntry> = serde_json::from_str(&json).expect("parse back");
    assert_eq!(back, entries);
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let text = "[\n  {\"Command\": \"Get-MgUser\",\n   \"Uri\": }\n]";
    let (_tmp, dir) = data_dir_with(text);
    let err = commands::load(&dir).expect_err("malformed JSON must fail");
    let msg = format!("{err:#}");
    assert!(msg.contains("MgCommandMetadata.json"), "{msg}");
    assert!(msg.contains(":3:11:"), "{msg}");
}

#[test]
fn wrong_type_is_an_error_with_position() {
    let (_tmp, dir) = data_dir_with("[{\"Command\": 42}]");
    let msg = format!(
        "{:#}",
        commands::load(&dir).expect_err("number is no command")
    );
    assert!(msg.contains("MgCommandMetadata.json`:1:"), "{msg}");
}

#[test]
fn missing_file_is_none() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = DataDir::open(tmp.path()).expect("open");
    assert!(commands::load(&dir).expect("no error").is_none());
    assert!(!Path::new(&dir.path(commands::PATH)).exists());
}
