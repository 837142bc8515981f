//! Today's Learn docs (`../shared/upstream/current-docs`, a sample of
//! microsoft-graph-docs-contrib): one test per format quirk on the real file that shows
//! it, the PowerShell cmdlets its snippets give, and the data directory a user who syncs
//! today gets, built in a temp dir from symlinks of `current/` plus the current docs.
//! Expectations are read off the raw files in the tests themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use permcat::lookup::{self, Lookup, Outcome};
use permcat::model::{ApiVersion, Catalog, Command, ConflictKind};
use permcat::sources::docs::{self, Docs, Scheme, TableLayout};
use permcat::sources::DataDir;
use serde_json::Value;

use crate::common::*;

/// The raw `api-reference/<version>` folder of the current docs.
fn raw_dir(version: &str) -> PathBuf {
    current_docs()
        .join(CONTRIB)
        .join("api-reference")
        .join(version)
}

/// A raw file of the current docs, relative to `api-reference/<version>`.
fn raw(version: &str, rel: &str) -> String {
    let path = raw_dir(version).join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn symlink(from: &Path, to: &Path) {
    std::os::unix::fs::symlink(from, to)
        .unwrap_or_else(|e| panic!("symlink {} → {}: {e}", to.display(), from.display()));
}

/// The combined data directory and its catalog.
fn combined() -> (
    &'static tempfile::TempDir,
    &'static Catalog,
    &'static permcat::LoadReport,
) {
    let c = combined_docs();
    (&c.dir, &c.catalog, &c.report)
}

/// The current docs read alone.
fn current() -> &'static Docs {
    static DOCS: OnceLock<Docs> = OnceLock::new();
    DOCS.get_or_init(|| {
        let dir = combined_docs_dir(false);
        let data = DataDir::open(dir.path()).expect("data dir");
        docs::load(&data).expect("docs load").expect("docs present")
    })
}

fn set(docs: &Docs, version: ApiVersion) -> &docs::DocsSet {
    docs.version(version).expect("version present")
}

fn page<'d>(docs: &'d Docs, version: ApiVersion, slug: &str) -> &'d docs::ApiPage {
    set(docs, version)
        .api_page(slug)
        .unwrap_or_else(|| panic!("page {slug}"))
}

/// The body rows of the one pipe table in an include, read naively: cells between
/// pipes, trimmed, after the header and separator.
fn raw_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .skip(2)
        .map(|l| {
            let t = l.trim().trim_start_matches('|').trim_end_matches('|');
            t.split('|').map(|c| c.trim().to_string()).collect()
        })
        .collect()
}

/// Permission names in a raw cell: comma-separated, "Not supported." / "Not available."
/// and blanks being none.
fn raw_names(cell: &str) -> Vec<String> {
    cell.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.starts_with("Not "))
        .map(str::to_string)
        .collect()
}

fn scheme_of(label: &str) -> Scheme {
    match label {
        "Delegated (work or school account)" => Scheme::DelegatedWork,
        "Delegated (personal Microsoft account)" => Scheme::DelegatedPersonal,
        "Application" => Scheme::Application,
        other => panic!("unexpected scheme label {other:?}"),
    }
}

/// The raw permissions include of a beta page.
fn raw_include(slug: &str) -> String {
    raw(
        "beta",
        &format!("includes/permissions/{slug}-permissions.md"),
    )
}

/// Checks a page's table against its raw include, row by row.
fn assert_include_parses(slug: &str) -> docs::PermissionTable {
    let include = format!("includes/permissions/{slug}-permissions.md");
    let rows = raw_rows(&raw_include(slug));
    let p = page(current(), ApiVersion::Beta, slug);
    let [table] = p.permission_tables.as_slice() else {
        panic!("{slug}: {} tables", p.permission_tables.len());
    };
    assert_eq!(table.layout, TableLayout::LeastHigher, "{slug}");
    assert_eq!(table.include.as_deref(), Some(&*format!("../{include}")));
    assert_eq!(table.rows.len(), rows.len(), "{slug}");
    for (row, cells) in table.rows.iter().zip(&rows) {
        let least = raw_names(&cells[1]);
        let mut all = least.clone();
        all.extend(
            raw_names(&cells[2])
                .into_iter()
                .filter(|n| !least.contains(n)),
        );
        assert_eq!(row.scheme, scheme_of(&cells[0]), "{slug}");
        assert_eq!(row.permissions, all, "{slug} {cells:?}");
        assert_eq!(row.least_privileged(), &least[..], "{slug} {cells:?}");
        let unsupported = cells[1] == "Not supported." && cells[2] == "Not supported.";
        assert_eq!(row.not_supported, unsupported, "{slug} {cells:?}");
    }
    table.clone()
}

#[test]
fn every_current_permissions_include_parses() {
    let mut slugs = Vec::new();
    for entry in fs::read_dir(raw_dir("beta").join("includes/permissions")).expect("includes") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf-8");
        slugs.push(name.trim_end_matches("-permissions.md").to_string());
    }
    slugs.sort();
    assert_eq!(slugs.len(), 5, "{slugs:?}");
    for slug in &slugs {
        assert_include_parses(slug);
    }
    let stats = set(current(), ApiVersion::Beta).stats.clone();
    assert_eq!(stats.unknown_table_layouts, 0);
    assert_eq!(stats.unknown_permission_rows, 0);
}

/// The parsed table of an include whose raw text has `line`, the quirk a test is about.
fn include_showing(slug: &str, line: &str) -> docs::PermissionTable {
    assert!(raw_include(slug).contains(line), "{slug}: {line:?}");
    assert_include_parses(slug)
}

/// One parsed row: scheme, every permission, the least privileged ones, refused.
fn assert_row(row: &docs::PermissionRow, expected: (Scheme, &[&str], &[&str], bool)) {
    let (scheme, all, least, refused) = expected;
    assert_eq!(row.scheme, scheme);
    assert_eq!(row.permissions, all);
    assert_eq!(row.least_privileged(), least);
    assert_eq!(row.not_supported, refused);
}

const READ: &str = "IndustryData-OutboundFlow.Read.All";
const READ_WRITE: &str = "IndustryData-OutboundFlow.ReadWrite.All";

#[test]
fn compact_table_with_plural_header() {
    let t = include_showing(
        "industrydata-outboundprovisioningflowset-get",
        "\n|Permission type|Least privileged permissions|Higher privileged permissions|\n",
    );
    // `|Application|IndustryData-OutboundFlow.Read.All|Not available.|`: "Not
    // available." as the higher cell is no refusal.
    assert_row(&t.rows[2], (Scheme::Application, &[READ], &[READ], false));
}

#[test]
fn space_padded_table_with_singular_header() {
    let t = include_showing(
        "industrydata-industrydataroot-post-outboundprovisioningflowsets",
        "| Permission type                        | Least privileged permission             | Higher privileged permissions |",
    );
    let work = (
        Scheme::DelegatedWork,
        &[READ_WRITE][..],
        &[READ_WRITE][..],
        false,
    );
    assert_row(&t.rows[0], work);
}

#[test]
fn not_supported_cells() {
    let t = include_showing(
        "industrydata-outboundprovisioningflowset-update",
        "|Application|Not supported.|Not supported.|",
    );
    assert_row(&t.rows[2], (Scheme::Application, &[], &[], true));
}

#[test]
fn a_blank_least_privileged_cell() {
    let t = include_showing(
        "industrydata-outboundprovisioningflowset-post-provisioningflows",
        "| Delegated (work or school account)     |                             | IndustryData-OutboundFlow.ReadWrite.All |",
    );
    assert_row(
        &t.rows[0],
        (Scheme::DelegatedWork, &[READ_WRITE], &[], false),
    );
}

#[test]
fn the_permissions_block_marker() {
    // One line on the get page, spread over four on the reset page.
    for (slug, one_line) in [
        ("industrydata-outboundprovisioningflowset-get", true),
        ("industrydata-provisioningflow-reset", false),
    ] {
        let text = raw("beta", &format!("api/{slug}.md"));
        let at = text.find("\"blockType\": \"permissions\"").expect("marker");
        let line_end = text[at..].find('\n').expect("eol") + at;
        assert_eq!(text[at..line_end].contains("\"name\""), one_line, "{slug}");
        let name_at = text[at..].find("\"name\": \"").expect("name") + at + 9;
        let name = &text[name_at..name_at + text[name_at..].find('"').expect("quote")];
        let p = page(current(), ApiVersion::Beta, slug);
        assert_eq!(p.permission_blocks, [name], "{slug}");
        assert_eq!(
            p.permission_tables[0].block.as_deref(),
            Some(name),
            "{slug}"
        );
    }
    // user-get marks its include `"blockType": "ignored"`: no permissions marker, and
    // the include is not in the sample, which is counted.
    let text = raw("v1.0", "api/user-get.md");
    assert!(text.contains("<!-- { \"blockType\": \"ignored\", \"name\": \"user_get\" } -->"));
    let p = page(current(), ApiVersion::V1_0, "user-get");
    assert!(p.permission_blocks.is_empty());
    assert!(p.permission_tables.is_empty());
    let v1 = set(current(), ApiVersion::V1_0);
    assert!(
        v1.warnings
            .iter()
            .any(|w| w.file == "v1.0/api/user-get.md"
                && w.message.contains("user-get-permissions.md"))
    );
}

#[test]
fn the_older_inline_tables() {
    for slug in ["application-addpassword", "message-send"] {
        let text = raw("v1.0", &format!("api/{slug}.md"));
        assert!(
            text.contains("| Permissions (from least to most privileged)"),
            "{slug}"
        );
        assert!(!text.contains("includes/permissions/"), "{slug}");
        let start = text.find("## Permissions").expect("section");
        let end = start + text[start..].find("## HTTP request").expect("next section");
        let rows = raw_rows(&text[start..end]);
        let p = page(current(), ApiVersion::V1_0, slug);
        assert!(p.permission_blocks.is_empty());
        let [t] = p.permission_tables.as_slice() else {
            panic!("{slug}: one table");
        };
        assert_eq!(t.layout, TableLayout::LeastToMost);
        assert_eq!(t.include, None);
        assert_eq!(t.rows.len(), rows.len());
        for (row, cells) in t.rows.iter().zip(&rows) {
            let names = raw_names(&cells[1]);
            assert_eq!(row.scheme, scheme_of(&cells[0]));
            assert_eq!(row.permissions, names, "{slug}");
            assert_eq!(row.least_privileged(), &names[..1], "{slug}");
        }
    }
    let app = &page(current(), ApiVersion::V1_0, "application-addpassword").permission_tables[0];
    assert_eq!(
        app.rows[2].permissions,
        ["Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"]
    );
}

/// The snippet files of one version: (language folder, file name).
fn raw_snippet_files(version: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dir = raw_dir(version).join("includes/snippets");
    for lang in fs::read_dir(&dir).expect("snippets") {
        let lang = lang.expect("entry");
        let name = lang.file_name().into_string().expect("utf-8");
        for file in fs::read_dir(lang.path()).expect("language folder") {
            let file = file
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8");
            out.push((name.clone(), file));
        }
    }
    out.sort();
    out
}

#[test]
fn snippet_files_are_named_after_the_request() {
    let cases = [
        // Lower case and `_` → `-`.
        (
            "v1.0",
            "user-get",
            "get_schemaextension_selectCourse",
            "get-schemaextension-selectcourse",
        ),
        // The dot of the request name dropped.
        (
            "beta",
            "industrydata-provisioningflow-reset",
            "provisioningflowthis.reset",
            "provisioningflowthisreset",
        ),
        // A trailing `_` gives `--` before the language.
        (
            "beta",
            "industrydata-industrydataroot-post-outboundprovisioningflowsets",
            "create_outboundprovisioningflowset_from_",
            "create-outboundprovisioningflowset-from-",
        ),
    ];
    for (version, slug, name, stem) in cases {
        assert!(raw(version, &format!("api/{slug}.md")).contains(&format!("\"name\": \"{name}\"")));
        let expected: Vec<String> = raw_snippet_files(version)
            .into_iter()
            .filter(|(lang, file)| *file == format!("{stem}-{lang}-snippets.md"))
            .map(|(lang, _)| lang)
            .collect();
        assert!(!expected.is_empty(), "{stem}");
        let v = ApiVersion::parse(version).expect("version");
        let p = page(current(), v, slug);
        let example = p.examples.iter().find(|e| e.name == name).expect("example");
        assert_eq!(example.snippet_languages, expected, "{name}");
        assert_eq!(docs::snippet_key(name), stem);
    }
}

#[test]
fn every_snippet_language_present_is_read() {
    for version in ApiVersion::ALL {
        let files = raw_snippet_files(version.as_str());
        let mut expected: BTreeMap<String, usize> = BTreeMap::new();
        for (lang, _) in &files {
            *expected.entry(lang.clone()).or_default() += 1;
        }
        let mut got: BTreeMap<String, usize> = BTreeMap::new();
        for s in &set(current(), version).snippets {
            *got.entry(s.language.clone()).or_default() += 1;
        }
        assert_eq!(got, expected, "{version}");
        for lang in [
            "csharp",
            "go",
            "java",
            "javascript",
            "php",
            "powershell",
            "python",
            "cli",
        ] {
            assert!(got.contains_key(lang), "{version} {lang}");
        }
    }
    // CLI snippets are fenced as bash: the folder names the language.
    let cli = set(current(), ApiVersion::V1_0)
        .snippet("get_user_1", "cli")
        .expect("cli snippet");
    assert!(raw("v1.0", "includes/snippets/cli/get-user-1-cli-snippets.md").contains("```bash"));
    assert_eq!(cli.fence_language, "bash");
    assert_eq!(cli.code, "mgc users get --user-id {user-id}");
}

#[test]
fn a_language_permcat_does_not_know_is_kept() {
    // The real current docs, and a second docs folder holding one snippet in a language
    // the sample lacks, written here: it fills in for the current page's example.
    let tmp = tempfile::tempdir().expect("temp dir");
    symlink(&current_docs().join(CONTRIB), &tmp.path().join(CONTRIB));
    let kotlin = tmp
        .path()
        .join("microsoft-graph-docs/api-reference/beta/includes/snippets/kotlin");
    fs::create_dir_all(&kotlin).expect("mkdir");
    fs::write(
        kotlin.join("get-outboundprovisioningflowset-kotlin-snippets.md"),
        "```kotlin\nval set = graphClient.external.industryData.outboundProvisioningFlowSets.byId(id).get()\n```\n",
    )
    .expect("write");
    let data = DataDir::open(tmp.path()).expect("data dir");
    let loaded = docs::load(&data).expect("load").expect("docs");
    let p = page(
        &loaded,
        ApiVersion::Beta,
        "industrydata-outboundprovisioningflowset-get",
    );
    assert_eq!(p.examples[0].name, "get_outboundprovisioningflowset");
    let langs = &p.examples[0].snippet_languages;
    assert!(langs.contains(&"kotlin".to_string()), "{langs:?}");
    assert!(langs.contains(&"powershell".to_string()), "{langs:?}");
    let k = set(&loaded, ApiVersion::Beta)
        .snippet("get_outboundprovisioningflowset", "kotlin")
        .expect("kotlin");
    assert_eq!(k.fence_language, "kotlin");
    assert_eq!(k.root, "microsoft-graph-docs/api-reference");
}

/// What a raw PowerShell snippet says, read line by line: the module after
/// `Import-Module` and the first word of the first line starting with `Verb-Mg`.
fn raw_powershell(text: &str) -> (Option<String>, Option<String>) {
    let module = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Import-Module "))
        .map(|m| m.trim().to_string());
    let cmdlet = text.lines().map(str::trim).find_map(|l| {
        let word = l.split_whitespace().next()?;
        let (verb, noun) = word.split_once('-')?;
        (!verb.is_empty() && noun.starts_with("Mg")).then(|| word.to_string())
    });
    (module, cmdlet)
}

#[test]
fn powershell_snippets_give_cmdlet_module_and_version() {
    let mut seen = 0;
    for version in ApiVersion::ALL {
        for (lang, file) in raw_snippet_files(version.as_str()) {
            if lang != "powershell" {
                continue;
            }
            let text = raw(
                version.as_str(),
                &format!("includes/snippets/powershell/{file}"),
            );
            let (module, cmdlet) = raw_powershell(&text);
            let stem = file.trim_end_matches("-powershell-snippets.md");
            let s = set(current(), version)
                .snippets_for(stem)
                .iter()
                .find(|s| s.language == "powershell")
                .expect("read");
            let call = s.powershell.as_ref().expect("a cmdlet");
            assert_eq!(Some(call.cmdlet.clone()), cmdlet, "{file}");
            assert_eq!(call.module, module, "{file}");
            // Beta pages import the beta modules.
            let beta = module
                .as_deref()
                .is_some_and(|m| m.starts_with("Microsoft.Graph.Beta."));
            assert_eq!(beta, version == ApiVersion::Beta, "{file}");
            assert_eq!(call.version(), version, "{file}");
            seen += 1;
        }
    }
    assert_eq!(seen, 15);
    let list = set(current(), ApiVersion::Beta)
        .snippet("list_outboundprovisioningflowset", "powershell")
        .and_then(|s| s.powershell.as_ref())
        .expect("list");
    assert_eq!(
        list.cmdlet,
        "Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSet"
    );
    assert_eq!(list.module.as_deref(), Some("Microsoft.Graph.Beta.Search"));
    assert_eq!(
        set(current(), ApiVersion::Beta)
            .stats
            .powershell_without_cmdlet,
        0
    );
}

fn names(cmds: &[&Command]) -> BTreeSet<String> {
    cmds.iter().map(|c| c.name.clone()).collect()
}

#[test]
fn the_reference_permission_lists_the_beta_cmdlets_of_the_snippets() {
    let (_, catalog, _) = combined();
    let cmds = lookup::permission_cmdlets(catalog, "IndustryData-OutboundFlow.ReadWrite.All");
    let found = names(&cmds);
    for (file, cmdlet) in [
        (
            "list-outboundprovisioningflowset",
            "Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSet",
        ),
        (
            "create-outboundprovisioningflowset-from-",
            "New-MgBetaExternalIndustryDataOutboundProvisioningFlowSet",
        ),
        (
            "delete-outboundprovisioningflowset",
            "Remove-MgBetaExternalIndustryDataOutboundProvisioningFlowSet",
        ),
        (
            "post-adminunit",
            "New-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow",
        ),
        (
            "provisioningflowthisreset",
            "Reset-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow",
        ),
    ] {
        let text = raw(
            "beta",
            &format!("includes/snippets/powershell/{file}-powershell-snippets.md"),
        );
        assert_eq!(raw_powershell(&text).1.as_deref(), Some(cmdlet), "{file}");
        assert!(found.contains(cmdlet), "{cmdlet} missing from {found:?}");
    }
    for c in &cmds {
        assert_eq!(c.module, "Microsoft.Graph.Beta.Search", "{}", c.name);
        assert_eq!(c.version, Some(ApiVersion::Beta), "{}", c.name);
        assert!(docs::is_powershell_source(&c.source), "{}", c.source);
        assert_eq!(
            docs::command_source_label(&c.source),
            "Learn PowerShell snippets"
        );
        let src = &catalog.sources[&c.source];
        assert_eq!(
            src.path,
            "microsoft-graph-docs-contrib/api-reference/beta/includes/snippets/powershell"
        );
        assert!(c
            .doc_link
            .as_deref()
            .is_some_and(|l| l.ends_with("?view=graph-rest-beta")));
    }
    // The flow sets' own requests are granted by permissions.json; the provisioning
    // flows' (`provisioningFlows`, which permissions.json spells
    // `educationprovisioningflows`) come in through the docs pages' tables.
    let new_flow = cmds
        .iter()
        .find(|c| {
            c.name == "New-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow"
        })
        .expect("new flow");
    assert_eq!(
        new_flow.path,
        "/external/industryData/outboundProvisioningFlowSets/{id}/provisioningFlows"
    );
    assert!(new_flow
        .permissions
        .iter()
        .any(|p| p.name == "IndustryData-OutboundFlow.ReadWrite.All" && !p.least_privileged));
    // Its list page's permission include is not in the sample, and no grant names the
    // path: the list cmdlet exists but is not this permission's.
    assert!(!raw_dir("beta")
        .join("includes/permissions/industrydata-outboundprovisioningflowset-list-provisioningflows-permissions.md")
        .exists());
    assert!(catalog
        .commands
        .iter()
        .any(|c| c.name
            == "Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow"));
}

#[test]
fn mail_send_lists_send_mgusermail() {
    let (_, catalog, _) = combined();
    let text = raw(
        "v1.0",
        "includes/snippets/powershell/user-sendmail-powershell-snippets.md",
    );
    assert_eq!(
        raw_powershell(&text),
        (
            Some("Microsoft.Graph.Users.Actions".into()),
            Some("Send-MgUserMail".into())
        )
    );
    let cmds = lookup::permission_cmdlets(catalog, "Mail.Send");
    let send = cmds
        .iter()
        .find(|c| c.name == "Send-MgUserMail")
        .unwrap_or_else(|| panic!("{:?}", names(&cmds)));
    assert_eq!(send.module, "Microsoft.Graph.Users.Actions");
    assert_eq!(send.version, Some(ApiVersion::V1_0));
    // The page's snippet is the `/me/sendMail` example's, but the cmdlet takes
    // `-UserId`: it sends `/users/{id}/sendMail`, which permissions.json grants
    // application permissions too.
    let page_text = raw("v1.0", "api/user-sendmail.md");
    let include = page_text
        .find("user-sendmail-powershell-snippets.md")
        .expect("the page includes the snippet");
    let request = page_text[..include]
        .rfind("POST https://graph.microsoft.com/v1.0/")
        .map(|i| page_text[i..].lines().next().unwrap_or_default())
        .expect("the example's request line");
    assert!(request.ends_with("/v1.0/me/sendMail"), "{request}");
    assert!(text.contains("Send-MgUserMail -UserId $userId"), "{text}");
    assert_eq!(
        (send.method.as_str(), send.path.as_str()),
        ("POST", "/users/{id | userPrincipalName}/sendMail")
    );
    assert!(catalog.grants_of("Mail.Send").any(|g| g.key == send.key
        && g.method == "POST"
        && g.scheme == permcat::model::Scheme::Application));
    assert!(names(&cmds).contains("Send-MgUserMessage"));
    // No command map in this data: its missing note gives way to the snippets' cmdlets.
    assert!(!catalog
        .missing
        .iter()
        .any(|m| m.path == permcat::sources::commands::PATH));
}

#[test]
fn which_answers_a_snippet_cmdlet() {
    let (dir, _, _) = combined();
    let cmdlet = "Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSet";
    let data = dir.path().to_str().expect("utf-8");
    let out = permcat(&["which", "--data", data, cmdlet]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The list and the get request, both beta, least privileged first.
    let text = stdout(&out);
    for line in [
        "GET /external/industryData/outboundProvisioningFlowSets  [beta]",
        "GET /external/industryData/outboundProvisioningFlowSets/{id}  [beta]",
        "Delegated (work or school account): IndustryData-OutboundFlow.Read.All (least privileged)",
    ] {
        assert!(text.contains(line), "{line:?} not in {text}");
    }
}

#[test]
fn current_pages_win_and_the_older_tree_fills_the_rest() {
    let (_, catalog, report) = combined();
    let dir = combined_docs_dir(true);
    let data = DataDir::open(dir.path()).expect("data dir");
    let both = docs::load(&data).expect("load").expect("docs");
    assert_eq!(both.root, "microsoft-graph-docs-contrib/api-reference");
    assert_eq!(
        both.roots,
        [
            "microsoft-graph-docs-contrib/api-reference",
            "microsoft-graph-docs/api-reference"
        ]
    );
    let old = upstream().join("microsoft-graph-docs/api-reference");
    let mut superseded = 0;
    for version in ApiVersion::ALL {
        let v = version.as_str();
        for folder in ["api", "resources"] {
            for entry in fs::read_dir(raw_dir(v).join(folder)).expect("folder") {
                let name = entry
                    .expect("entry")
                    .file_name()
                    .into_string()
                    .expect("utf-8");
                if old.join(v).join(folder).join(&name).exists() {
                    superseded += 1;
                }
            }
        }
        for (lang, file) in raw_snippet_files(v) {
            if old
                .join(v)
                .join("includes/snippets")
                .join(&lang)
                .join(&file)
                .exists()
            {
                superseded += 1;
            }
        }
    }
    assert_eq!(both.stats().superseded, superseded);
    let v1 = set(&both, ApiVersion::V1_0);
    // Today's page where the sample has one, whole: user-get's include is missing, and
    // the 2021 table does not stand in for it.
    let user_get = v1.api_page("user-get").expect("user-get");
    assert_eq!(user_get.root, "microsoft-graph-docs-contrib/api-reference");
    assert!(user_get.permission_tables.is_empty());
    let text = raw("v1.0", "api/user-get.md");
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("title: "))
        .map(|t| t.trim_matches('"'));
    assert_eq!(user_get.title.as_deref(), title);
    // The 2021 page where it has none.
    let list = v1.api_page("user-list").expect("user-list");
    assert_eq!(list.root, "microsoft-graph-docs/api-reference");
    // Snippets by request and language: today's C# for get_user_1.
    let cs = v1.snippet("get_user_1", "csharp").expect("c#");
    assert_eq!(cs.root, "microsoft-graph-docs-contrib/api-reference");
    let raw_cs = raw(
        "v1.0",
        "includes/snippets/csharp/get-user-1-csharp-snippets.md",
    );
    assert!(raw_cs.contains(cs.code.lines().next().expect("code")));
    assert!(cs
        .path()
        .ends_with("v1.0/includes/snippets/csharp/get-user-1-csharp-snippets.md"));
    // Each folder keeps its own source, so the 2021 pages keep their date.
    assert_eq!(
        catalog.sources["docs:v1.0"].path,
        "microsoft-graph-docs-contrib/api-reference/v1.0"
    );
    let older = &catalog.sources["docs:v1.0:microsoft-graph-docs"];
    assert_eq!(older.path, "microsoft-graph-docs/api-reference/v1.0");
    assert_eq!(older.date.as_deref(), Some("2021-07-16"));
    assert!(report
        .linked
        .iter()
        .any(|(what, n)| what.contains("superseded") && *n == superseded));
}

#[test]
fn figures_on_the_combined_data() {
    let (_, catalog, report) = combined();
    let with: Vec<&str> = catalog
        .permissions
        .iter()
        .filter(|p| !lookup::permission_cmdlets(catalog, &p.name).is_empty())
        .map(|p| p.name.as_str())
        .collect();
    let cmdlets: BTreeSet<&str> = catalog.commands.iter().map(|c| c.name.as_str()).collect();
    let skipped = report
        .warnings
        .iter()
        .filter(|(what, _)| what.contains("without a recognised cmdlet"))
        .map(|(_, n)| *n)
        .sum::<usize>();
    eprintln!(
        "combined data: {} permissions with PowerShell cmdlets, {} cmdlets ({} entries), {} snippets skipped",
        with.len(),
        cmdlets.len(),
        catalog.commands.len(),
        skipped
    );
    assert!(
        with.contains(&"IndustryData-OutboundFlow.ReadWrite.All") && with.contains(&"Mail.Send")
    );
    assert_eq!(skipped, 0);
    let powershell_files: usize = ApiVersion::ALL
        .iter()
        .map(|v| {
            raw_snippet_files(v.as_str())
                .iter()
                .filter(|(l, _)| l == "powershell")
                .count()
        })
        .sum();
    // Every PowerShell snippet of the sample belongs to an example and names a cmdlet;
    // examples of one page calling one cmdlet for one request are one entry.
    let calls = report
        .linked
        .iter()
        .find(|(what, _)| what.starts_with("cmdlets from Learn PowerShell snippets"))
        .map(|(_, n)| *n);
    assert_eq!(calls, Some(powershell_files));
    assert!(catalog.commands.len() <= powershell_files);
}

/// The sample without its command map, and with the given PowerShell snippets instead of
/// its own.
fn sample_without_command_map(snippets: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = sample_copy();
    fs::remove_dir_all(tmp.path().join("msgraph-sdk-powershell")).expect("rm commands");
    for version in ["v1.0", "beta"] {
        let dir = tmp
            .path()
            .join("microsoft-graph-docs/api-reference")
            .join(version)
            .join("includes/snippets/powershell");
        if dir.exists() {
            fs::remove_dir_all(&dir).expect("rm snippets");
        }
    }
    for (rel, text) in snippets {
        let path = tmp
            .path()
            .join("microsoft-graph-docs/api-reference")
            .join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    tmp
}

#[test]
fn a_snippet_without_a_cmdlet_is_counted_and_skipped() {
    let tmp = sample_without_command_map(&[
        (
            "beta/includes/snippets/powershell/list-outboundprovisioningflowset-powershell-snippets.md",
            "```powershell\nImport-Module Microsoft.Graph.Beta.Search\n\nGet-MgBetaExternalIndustryDataOutboundProvisioningFlowSet\n```\n",
        ),
        (
            "beta/includes/snippets/powershell/get-outboundprovisioningflowset-powershell-snippets.md",
            "```powershell\n# Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSet needs the module.\nInvoke-MgGraphRequest -Method GET -Uri /beta/external/industryData/outboundProvisioningFlowSets/1\n```\n",
        ),
    ]);
    let (catalog, report) = permcat::load(tmp.path()).expect("load");
    let names: BTreeSet<&str> = catalog.commands.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSet"])
    );
    // `check` prints the report's warnings.
    let skipped = "docs: PowerShell snippets without a recognised cmdlet (skipped)";
    assert_eq!(
        report.warnings.get(skipped),
        Some(&1),
        "{:?}",
        report.warnings
    );
}

#[test]
fn with_a_command_map_a_different_snippet_cmdlet_is_a_conflict() {
    let tmp = sample_copy();
    fs::write(
        tmp.path().join("microsoft-graph-docs/api-reference/beta/includes/snippets/powershell/get-outboundprovisioningflowset-powershell-snippets.md"),
        "```powershell\nImport-Module Microsoft.Graph.Beta.Search\n\nGet-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow -OutboundProvisioningFlowSetId $id\n```\n",
    )
    .expect("write");
    let (catalog, _) = permcat::load(tmp.path()).expect("load");
    // The command map stays the source of the cmdlets.
    assert!(catalog.commands.iter().all(|c| c.source == "commands"));
    let conflicts: Vec<_> = catalog
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::CommandSnippetMismatch)
        .collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = conflicts[0];
    assert!(
        c.subject.starts_with("GET /external/industryData/"),
        "{}",
        c.subject
    );
    assert!(c.sides.iter().any(|s| s.source == "commands"
        && s.value == "Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSet"));
    assert!(c.sides.iter().any(|s| s.source == "docs-powershell:beta"
        && s.value.ends_with(
            "calls Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow"
        )));
}

#[test]
fn without_any_cmdlet_source_cmdlets_are_not_looked_up() {
    let tmp = sample_without_command_map(&[]);
    let data = tmp.path().to_str().expect("utf-8");
    let out = permcat(&["which", "--data", data, "Get-MgUser"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no cmdlet source is loaded"), "{err}");
    assert!(err.contains(permcat::sources::commands::PATH), "{err}");
    assert!(err.contains("includes/snippets/powershell/"), "{err}");
    assert!(!err.contains("no cmdlet named"), "{err}");
    let json = permcat(&["which", "--json", "--data", data, "Get-MgUser"]);
    let v: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(v["answers"][0]["kind"], "no_cmdlet_source");
    let (catalog, _) = permcat::load(tmp.path()).expect("load");
    let report = Lookup::new(&catalog)
        .query(&["get-mguser".into()])
        .expect("query");
    assert!(matches!(
        report.answers[0].outcome,
        Outcome::NoCmdletSource(_)
    ));

    let site = tempfile::tempdir().expect("site dir");
    let built = permcat(&[
        "build",
        "--data",
        data,
        "--out",
        site.path().to_str().expect("utf-8"),
    ]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = fs::read_to_string(site.path().join("lookup.html")).expect("lookup page");
    assert!(page.contains("No cmdlet source is loaded"), "lookup page");
    assert!(page.contains("MgCommandMetadata.json"));
    let search = fs::read_to_string(site.path().join("assets/search-index.js")).expect("index");
    assert!(search.contains("No cmdlet source is loaded"));
    let index = fs::read_to_string(site.path().join("assets/lookup-index.js")).expect("index");
    assert!(index.contains("\"cmdlet_sources_missing\":[\""));
}

/// The text of one `<section id="…">` of a page, tags dropped, whitespace folded.
fn section_text(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..]
        .find("\n</section>")
        .map_or(html.len(), |e| start + e);
    // A path is written as segments that may break after each `/`; it reads as one word.
    let spaced = html[start..end]
        .replace("<wbr>", "")
        .replace("<span>", "")
        .replace("</span>", "")
        .replace('>', "> ");
    plain(&spaced)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_permission_pages_list_the_snippet_cmdlets_with_their_source() {
    let c = combined_docs();
    let page = |name: &str| {
        let slug = permcat::slugs::Slugs::new(&c.catalog).get(name);
        fs::read_to_string(c.site.join(format!("permissions/{slug}.html"))).expect("page")
    };
    let reference = section_text(
        &page("IndustryData-OutboundFlow.ReadWrite.All"),
        "powershell",
    );
    assert!(
        reference.contains("From Learn PowerShell snippets."),
        "{reference}"
    );
    // Every cmdlet `permission_cmdlets` gives is on the page, with its module; the
    // provisioning flows' too, which only the docs page's permission table links.
    let cmds = lookup::permission_cmdlets(&c.catalog, "IndustryData-OutboundFlow.ReadWrite.All");
    assert!(cmds.len() >= 6, "{:?}", names(&cmds));
    for cmd in &cmds {
        let row = format!("{} {} {}", cmd.name, cmd.method, cmd.path);
        assert!(reference.contains(&row), "{row:?} not in {reference}");
    }
    for cmdlet in [
        "New-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow",
        "Reset-MgBetaExternalIndustryDataOutboundProvisioningFlowSetProvisioningFlow",
    ] {
        assert!(reference.contains(cmdlet), "{cmdlet} not in {reference}");
    }
    assert!(reference.contains("Microsoft.Graph.Beta.Search"));
    assert!(!reference.contains("Not available"), "{reference}");

    let mail = section_text(&page("Mail.Send"), "powershell");
    assert!(
        mail.contains("Send-MgUserMail POST /users/{id | userPrincipalName}/sendMail"),
        "{mail}"
    );
    assert!(mail.contains("Microsoft.Graph.Users.Actions"), "{mail}");
    assert!(
        mail.contains("No beta cmdlet found in Learn PowerShell snippets"),
        "{mail}"
    );
}

/// The files of one kind under a docs folder of a data directory, counted without
/// permcat: `.md` files of `api/` or `resources/`, or of every language folder of
/// `includes/snippets/`.
fn raw_count(root: &Path, version: &str, kind: &str) -> usize {
    let md_in = |dir: PathBuf| {
        fs::read_dir(dir)
            .map(|it| {
                it.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".md"))
                    .count()
            })
            .unwrap_or(0)
    };
    let base = root.join("api-reference").join(version);
    match kind {
        "snippets" => fs::read_dir(base.join("includes/snippets"))
            .map(|it| it.filter_map(Result::ok).map(|e| md_in(e.path())).sum())
            .unwrap_or(0),
        folder => md_in(base.join(folder)),
    }
}

#[test]
fn check_counts_each_docs_folder_apart() {
    // Today's pages and the 2021 copy are two sources: each is counted under its own
    // folder, the older one without the pages today's docs supersede.
    let (_, catalog, report) = combined();
    let count = |path: &str, what: &str| {
        report
            .counts
            .iter()
            .find(|(source, w, _)| {
                w == what && catalog.sources.get(source).map(|s| s.path.as_str()) == Some(path)
            })
            .map(|(_, _, n)| *n)
    };
    let contrib = current_docs().join(CONTRIB);
    let older = upstream().join("microsoft-graph-docs");
    for version in ["v1.0", "beta"] {
        for (kind, what) in [
            ("api", "API pages"),
            ("resources", "resource pages"),
            ("snippets", "snippets"),
        ] {
            let today = raw_count(&contrib, version, kind);
            assert!(today > 0, "{version} {kind}");
            assert_eq!(
                count(&format!("{CONTRIB}/api-reference/{version}"), what),
                Some(today),
                "{version} {what} of today's docs"
            );
            let old = count(
                &format!("microsoft-graph-docs/api-reference/{version}"),
                what,
            )
            .expect("the older folder is counted");
            let raw_old = raw_count(&older, version, kind);
            assert!(
                old <= raw_old && old + today >= raw_old,
                "{version} {what}: {old} of {raw_old}"
            );
        }
    }
}
