//! Code snippet files (`includes/snippets/<lang>/<name>-<lang>-snippets.md`): one SDK
//! example per request example of the API pages, in whatever language folders the tree
//! has. A PowerShell snippet also names the cmdlet it calls and the module it imports.

use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::markdown::{blocks, front_matter, Block};
use super::ApiVersion;

/// One code snippet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snippet {
    /// API version folder.
    pub version: ApiVersion,
    /// Language folder name, e.g. `csharp`, `javascript`.
    pub language: String,
    /// Request name as it appears in the file name, e.g. `get-user-1`; compare with
    /// [`snippet_key`] of an example's name.
    pub request_name: String,
    /// File name, e.g. `get-user-1-csharp-snippets.md`.
    pub file: String,
    /// Info string of the code block, e.g. `csharp`.
    pub fence_language: String,
    /// The code, verbatim.
    pub code: String,
    /// The `api-reference` folder the file was read from, relative to the data directory;
    /// set by [`super::load`].
    #[serde(default)]
    pub root: String,
    /// For a PowerShell snippet: the cmdlet it calls, when one is recognised.
    #[serde(default)]
    pub powershell: Option<PowerShellCall>,
}

/// What a PowerShell snippet calls: `Import-Module Microsoft.Graph.Beta.Search` then
/// `Get-MgBetaExternalIndustryDataOutboundProvisioningFlowSet …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerShellCall {
    /// The first Microsoft Graph cmdlet the code calls (`Verb-Mg…`), authentication and
    /// raw-request cmdlets left out.
    pub cmdlet: String,
    /// The module of the first `Import-Module` line, e.g. `Microsoft.Graph.Users.Actions`.
    pub module: Option<String>,
    /// The parameters the call names on its line, without the dash, e.g. `UserId`.
    #[serde(default)]
    pub parameters: Vec<String>,
}

impl PowerShellCall {
    /// The API version the cmdlet calls: beta modules are published as
    /// `Microsoft.Graph.Beta.<Module>` and their cmdlets are named `Verb-MgBeta…`.
    pub fn version(&self) -> ApiVersion {
        let beta_module = self
            .module
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().starts_with("microsoft.graph.beta."));
        let beta_name = self
            .cmdlet
            .split_once('-')
            .is_some_and(|(_, noun)| noun.to_ascii_lowercase().starts_with("mgbeta"));
        if beta_module || beta_name {
            ApiVersion::Beta
        } else {
            ApiVersion::V1_0
        }
    }
}

/// Language folder of the PowerShell snippets.
pub const POWERSHELL: &str = "powershell";

impl Snippet {
    /// The file relative to the data directory, e.g.
    /// `microsoft-graph-docs-contrib/api-reference/v1.0/includes/snippets/go/get-user-1-go-snippets.md`.
    pub fn path(&self) -> String {
        let root = if self.root.is_empty() {
            String::new()
        } else {
            format!("{}/", self.root)
        };
        format!(
            "{root}{}/includes/snippets/{}/{}",
            self.version.as_str(),
            self.language,
            self.file
        )
    }
}

impl Snippet {
    /// Parses the bytes of a snippet file of the `language` folder. `path` names the
    /// file in errors and gives the file name the request name is taken from. `Ok(None)`
    /// when the name does not follow `<name>-<language>-snippets.md` or the file holds no
    /// code block; only text that is not UTF-8 fails.
    pub fn parse(
        path: &Path,
        version: ApiVersion,
        language: &str,
        bytes: &[u8],
    ) -> Result<Option<Snippet>> {
        let text = super::decode(path, bytes)?;
        Ok(parse_snippet(
            version,
            language,
            &super::file_name(path),
            text,
        ))
    }
}

/// Key under which an example's snippets are filed, as the docs' tooling names the files:
/// lower case, `-` for `_`, and every other character that is not an ASCII letter, digit
/// or `-` dropped (`provisioningflowthis.reset` → `provisioningflowthisreset`,
/// `chatMessage.PatchPolicyViolation.All` → `chatmessagepatchpolicyviolationall`). A
/// trailing `_` stays a `-`, so its files read `…-from--csharp-snippets.md`.
pub fn snippet_key(request_name: &str) -> String {
    request_name
        .trim()
        .chars()
        .filter_map(|c| match c {
            '_' | '-' => Some('-'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Parses a snippet file; `None` when the file name does not follow the
/// `<name>-<lang>-snippets.md` pattern or the file holds no code block.
pub(crate) fn parse_snippet(
    version: ApiVersion,
    language: &str,
    file: &str,
    text: &str,
) -> Option<Snippet> {
    let suffix = format!("-{language}-snippets.md");
    let request_name = file.strip_suffix(&suffix)?;
    if request_name.is_empty() {
        return None;
    }
    let (_, body) = front_matter(text);
    blocks(body).into_iter().find_map(|b| match b {
        Block::Fence { info, body } => {
            let code = trim_blank_lines(&body).join("\n");
            let powershell = (language == POWERSHELL)
                .then(|| powershell_call(&code))
                .flatten();
            Some(Snippet {
                version,
                language: language.to_string(),
                request_name: snippet_key(request_name),
                file: file.to_string(),
                fence_language: info,
                code,
                root: String::new(),
                powershell,
            })
        }
        _ => None,
    })
}

/// Cmdlets of the SDK that make no request of their own, or a raw one: never the cmdlet
/// of an example.
const NOT_A_REQUEST: [&str; 5] = [
    "connect-mggraph",
    "disconnect-mggraph",
    "get-mgcontext",
    "invoke-mggraphrequest",
    "select-mgprofile",
];

/// The module a PowerShell snippet imports and the first Graph cmdlet it calls; `None`
/// when it calls none. Comments (`# …`, `<# … #>`) and strings are not calls.
pub fn powershell_call(code: &str) -> Option<PowerShellCall> {
    let mut module = None;
    let mut in_block_comment = false;
    for raw in code.lines() {
        let mut line = raw.trim();
        if in_block_comment {
            match line.find("#>") {
                Some(end) => {
                    in_block_comment = false;
                    line = line[end + 2..].trim();
                }
                None => continue,
            }
        }
        if let Some(start) = line.find("<#") {
            in_block_comment = !line[start..].contains("#>");
            line = line[..start].trim();
        }
        if line.starts_with('#') {
            continue;
        }
        let words = code_words(line);
        if let Some(i) = words
            .iter()
            .position(|w| w.eq_ignore_ascii_case("Import-Module"))
        {
            if module.is_none() {
                module = words
                    .get(i + 1)
                    .filter(|m| !m.starts_with('-'))
                    .map(|m| m.to_string());
            }
            continue;
        }
        if let Some(at) = words.iter().position(|w| is_graph_cmdlet(w)) {
            let parameters = words[at + 1..]
                .iter()
                .filter_map(|w| w.strip_prefix('-'))
                .filter(|p| p.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
                .map(str::to_string)
                .collect();
            return Some(PowerShellCall {
                cmdlet: words[at].to_string(),
                module,
                parameters,
            });
        }
    }
    None
}

/// The words of a line outside quoted strings and after any `#` comment, split at
/// whitespace and at the characters that end a command (`=`, `(`, `|`, `;`, …).
fn code_words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start: Option<usize> = None;
    for (i, c) in line.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        let ends_word = c.is_whitespace() || "=(){}[]|;,'\"#".contains(c);
        if ends_word {
            if let Some(s) = start.take() {
                out.push(&line[s..i]);
            }
            match c {
                '\'' | '"' => quote = Some(c),
                '#' => return out,
                _ => {}
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

/// `Verb-MgNoun`: a capitalised verb of letters, then a noun starting `Mg` of ASCII
/// letters and digits, not one of [`NOT_A_REQUEST`].
fn is_graph_cmdlet(word: &str) -> bool {
    let Some((verb, noun)) = word.split_once('-') else {
        return false;
    };
    let verb_ok = verb.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && verb.chars().all(|c| c.is_ascii_alphabetic());
    let noun_ok =
        noun.len() > 2 && noun.starts_with("Mg") && noun.chars().all(|c| c.is_ascii_alphanumeric());
    verb_ok && noun_ok && !NOT_A_REQUEST.contains(&word.to_ascii_lowercase().as_str())
}

/// Generated snippets start and end with a blank line inside the fence.
fn trim_blank_lines<'a, 'b>(lines: &'b [&'a str]) -> &'b [&'a str] {
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |i| i + 1);
    &lines[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_snippet_file() {
        let text = "---\ndescription: \"Automatically generated file. DO NOT MODIFY\"\n---\n\n```csharp\n\nvar user = await graphClient.Me\n\t.Request()\n\t.GetAsync();\n\n```";
        let s = parse_snippet(
            ApiVersion::V1_0,
            "csharp",
            "get-user-1-csharp-snippets.md",
            text,
        )
        .expect("snippet");
        assert_eq!(s.request_name, "get-user-1");
        assert_eq!(s.fence_language, "csharp");
        assert_eq!(
            s.code,
            "var user = await graphClient.Me\n\t.Request()\n\t.GetAsync();"
        );
    }

    #[test]
    fn rejects_odd_names_and_empty_files() {
        assert_eq!(
            parse_snippet(ApiVersion::V1_0, "csharp", "x.md", "```\nx\n```"),
            None
        );
        assert_eq!(
            parse_snippet(
                ApiVersion::V1_0,
                "csharp",
                "-csharp-snippets.md",
                "```\nx\n```"
            ),
            None
        );
        assert_eq!(
            parse_snippet(
                ApiVersion::V1_0,
                "csharp",
                "a-csharp-snippets.md",
                "no code"
            ),
            None
        );
        let s = parse_snippet(ApiVersion::V1_0, "go", "a-go-snippets.md", "```go\n\n```")
            .expect("empty code block is still a snippet");
        assert_eq!(s.code, "");
    }

    #[test]
    fn keys_match_file_names() {
        assert_eq!(snippet_key("get_user_1"), "get-user-1");
        assert_eq!(snippet_key("Get_Drive-Default"), "get-drive-default");
        assert_eq!(
            snippet_key("provisioningflowthis.reset"),
            "provisioningflowthisreset"
        );
        assert_eq!(snippet_key("create_x_from_"), "create-x-from-");
        assert_eq!(snippet_key("a b)é"), "ab");
    }

    #[test]
    fn powershell_calls() {
        let call = powershell_call(
            "Import-Module Microsoft.Graph.Users.Actions\n\n$params = @{\n\tsubject = \"Send-MgFake x\"\n}\n\n# A UPN can also be used as -UserId.\nSend-MgUserMail -UserId $userId -BodyParameter $params",
        )
        .expect("a call");
        assert_eq!(call.cmdlet, "Send-MgUserMail");
        assert_eq!(call.parameters, ["UserId", "BodyParameter"]);
        assert_eq!(
            call.module.as_deref(),
            Some("Microsoft.Graph.Users.Actions")
        );
        assert_eq!(call.version(), ApiVersion::V1_0);

        let call = powershell_call("Connect-MgGraph -Scopes x\n$r = Get-MgBetaUser -UserId 1")
            .expect("a call");
        assert_eq!(call.cmdlet, "Get-MgBetaUser");
        assert_eq!(call.parameters, ["UserId"]);
        assert_eq!(call.module, None);
        assert_eq!(call.version(), ApiVersion::Beta);

        for none in [
            "",
            "Import-Module Microsoft.Graph.Users",
            "# Get-MgUser\n<# Get-MgUser\nGet-MgUser #>",
            "Invoke-MgGraphRequest -Method GET /me",
            "Write-Host 'Get-MgUser'",
            "get-mguser",
        ] {
            assert_eq!(powershell_call(none), None, "{none:?}");
        }
        // Every prefix of awkward code reads without panicking.
        let code = "<# é #> Import-Module 'Ü'\n$x = \"#\" # Get-MgX\nGet-MgÜser; Get-MgUser -Id 'a\"b' | Remove-MgUser";
        for (i, _) in code.char_indices() {
            powershell_call(&code[..i]);
        }
        assert_eq!(
            powershell_call(code).map(|c| c.cmdlet).as_deref(),
            Some("Get-MgUser")
        );
        let beta = PowerShellCall {
            cmdlet: "Get-MgX".into(),
            module: Some("Microsoft.Graph.Beta.Search".into()),
            parameters: Vec::new(),
        };
        assert_eq!(beta.version(), ApiVersion::Beta);
    }
}
