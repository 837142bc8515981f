//! Code snippet files (`includes/snippets/<lang>/<name>-<lang>-snippets.md`): one SDK
//! example per request example of the API pages.

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

/// Key under which an example's snippets are filed: the docs' tooling writes request
/// names with `-` for `_`, and the files are lower case even when the name is not.
pub fn snippet_key(request_name: &str) -> String {
    request_name.trim().replace('_', "-").to_lowercase()
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
        Block::Fence { info, body } => Some(Snippet {
            version,
            language: language.to_string(),
            request_name: snippet_key(request_name),
            file: file.to_string(),
            fence_language: info,
            code: trim_blank_lines(&body).join("\n"),
        }),
        _ => None,
    })
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
    }
}
