//! Resource type pages (`resources/*.md`): the type name, the Properties, Relationships
//! and Methods tables, and the JSON representation.

use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::markdown::{
    blocks, cell_at as cell, first_link_target, front_matter, json_string_field, plain, Block, Cell,
};
use super::ApiVersion;

/// One resource type page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourcePage {
    /// File name without `.md`, e.g. `user`.
    pub slug: String,
    /// API version folder the page lives in.
    pub version: ApiVersion,
    /// Front matter `title`, e.g. `user resource type`.
    pub title: Option<String>,
    /// Front matter `description`.
    pub description: Option<String>,
    /// `@odata.type` of the page's resource metadata comment, e.g. `microsoft.graph.user`.
    pub odata_type: Option<String>,
    /// Type name: `odata_type` without `microsoft.graph.`, else the title without
    /// "resource type", else the slug.
    pub type_name: String,
    /// Rows of the Properties tables.
    pub properties: Vec<Member>,
    /// Rows of the Relationships tables.
    pub relationships: Vec<Member>,
    /// Rows of the Methods tables (group label rows left out).
    pub methods: Vec<Method>,
    /// Text of the JSON representation code block, verbatim.
    pub json_representation: Option<String>,
    /// The `api-reference` folder the page was read from (one of
    /// [`super::ROOTS`]); empty until the loader sets it.
    #[serde(default)]
    pub root: String,
}

/// A property or relationship row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Name, plain text.
    pub name: String,
    /// Type, plain text with link syntax removed, e.g. `assignedLicense collection`.
    pub type_text: String,
    /// Type cell as written (markdown).
    pub type_markdown: String,
    /// Description cell as written (markdown).
    pub description: String,
}

impl Member {
    /// The member's type as a schema would name it, with whether it is a collection:
    /// `Edm.DateTimeOffset` for `DateTimeOffset`, `microsoft.graph.itemBody` for
    /// `[itemBody](itembody.md)`, `microsoft.graph.industryData.filter` as written,
    /// `(Edm.String, true)` for `String collection` or `Collection(Edm.String)`. `None`
    /// when the cell is empty or is not one type name (`String or Int32`, prose).
    pub fn graph_type(&self) -> Option<(String, bool)> {
        let text = self.type_text.trim();
        let (inner, collection) = if let Some(rest) = strip_prefix_ignore_case(text, "collection(")
        {
            (rest.strip_suffix(')')?, true)
        } else if let Some(rest) = strip_suffix_ignore_case(text, " collection") {
            (rest, true)
        } else {
            (text, false)
        };
        let name = inner.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        {
            return None;
        }
        Some((graph_type_name(name), collection))
    }

    /// Target of the link in the type cell, e.g. `../resources/industrydata-filter.md`:
    /// the page of the member's type.
    pub fn type_link(&self) -> Option<String> {
        first_link_target(&self.type_markdown)
    }
}

/// The full name of a type as the docs write it: primitives as `Edm.*`, Graph types with
/// their `microsoft.graph.` namespace.
fn graph_type_name(name: &str) -> String {
    const PRIMITIVES: [&str; 16] = [
        "Binary",
        "Boolean",
        "Byte",
        "Date",
        "DateTimeOffset",
        "Decimal",
        "Double",
        "Duration",
        "Guid",
        "Int16",
        "Int32",
        "Int64",
        "SByte",
        "Single",
        "Stream",
        "String",
    ];
    let bare = strip_prefix_ignore_case(name, "edm.").unwrap_or(name);
    if let Some(p) = PRIMITIVES.iter().find(|p| p.eq_ignore_ascii_case(bare)) {
        return format!("Edm.{p}");
    }
    if bare.eq_ignore_ascii_case("timeofday") {
        "Edm.TimeOfDay".to_string()
    } else if bare.eq_ignore_ascii_case("bool") {
        "Edm.Boolean".to_string()
    } else if strip_prefix_ignore_case(name, "microsoft.").is_some() {
        name.to_string()
    } else if let Some(rest) = strip_prefix_ignore_case(name, "graph.") {
        format!("microsoft.graph.{rest}")
    } else {
        format!("microsoft.graph.{name}")
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..cut])
}

/// A row of the Methods table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Link text, e.g. `List users`.
    pub name: String,
    /// Link target as written, e.g. `../api/user-list.md`.
    pub target: Option<String>,
    /// Return type, plain text.
    pub return_type: String,
    /// Description cell as written (markdown).
    pub description: String,
}

/// What one resource page held that the parser skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceCounts {
    /// Tables of unknown layout in the Properties, Relationships or Methods sections.
    pub unknown_table_layouts: usize,
    /// One message per unknown table.
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Properties,
    Relationships,
    Methods,
    Json,
    Other,
}

impl ResourcePage {
    /// Parses the bytes of a resource page file. `path` names the file in errors, and
    /// its file name without `.md` is the slug. Only text that is not UTF-8 fails;
    /// tables of unknown layout are counted.
    pub fn parse(
        path: &Path,
        version: ApiVersion,
        bytes: &[u8],
    ) -> Result<(ResourcePage, ResourceCounts)> {
        let text = super::decode(path, bytes)?;
        Ok(parse_resource_page(&super::slug(path), version, text))
    }
}

/// Parses a resource page.
pub(crate) fn parse_resource_page(
    slug: &str,
    version: ApiVersion,
    text: &str,
) -> (ResourcePage, ResourceCounts) {
    let (fm, body) = front_matter(text);
    let mut page = ResourcePage {
        slug: slug.to_string(),
        version,
        title: fm.get("title").cloned(),
        description: fm.get("description").cloned(),
        odata_type: None,
        type_name: String::new(),
        properties: Vec::new(),
        relationships: Vec::new(),
        methods: Vec::new(),
        json_representation: None,
        root: String::new(),
    };
    let mut counts = ResourceCounts::default();
    let mut section = Section::Other;
    for block in blocks(body) {
        match block {
            Block::Heading { level, text } if level <= 2 => {
                let l = text.to_lowercase();
                section = if l.starts_with("properties") {
                    Section::Properties
                } else if l.starts_with("relationships") {
                    Section::Relationships
                } else if l.starts_with("methods") {
                    Section::Methods
                } else if l.starts_with("json representation") {
                    Section::Json
                } else {
                    Section::Other
                };
            }
            Block::Comment { text }
                if page.odata_type.is_none()
                    && json_string_field(&text, "blockType").as_deref() == Some("resource") =>
            {
                page.odata_type = json_string_field(&text, "@odata.type");
            }
            Block::Fence { body, .. }
                if section == Section::Json && page.json_representation.is_none() =>
            {
                page.json_representation = Some(body.join("\n"));
            }
            Block::Table { header, rows } => {
                if section == Section::Other || section == Section::Json {
                    continue;
                }
                // Decide by header first: some pages put a Methods table under
                // Properties, and enum member tables (`Member | Value`) sit under
                // Properties too; those are not members of the type and are skipped.
                if let Some((ret_col, desc_col)) = method_columns(&header) {
                    push_methods(&mut page.methods, &rows, ret_col, desc_col);
                } else if let Some((type_col, desc_col)) = member_columns(&header) {
                    let first = plain(cell(&header, 0)).to_lowercase();
                    let target =
                        if section == Section::Relationships || first.contains("relationship") {
                            &mut page.relationships
                        } else {
                            &mut page.properties
                        };
                    push_members(target, &rows, type_col, desc_col);
                } else {
                    let first = plain(cell(&header, 0)).to_lowercase();
                    if ["property", "relationship", "method", "name"]
                        .iter()
                        .any(|w| first.contains(w))
                    {
                        counts.unknown_table_layouts += 1;
                        counts
                            .warnings
                            .push(format!("table of unknown layout: |{}|", header.join("|")));
                    }
                }
            }
            _ => {}
        }
    }
    page.type_name = type_name(&page, slug);
    (page, counts)
}

fn push_members(
    target: &mut Vec<Member>,
    rows: &[Vec<Cell<'_>>],
    type_col: usize,
    desc_col: Option<usize>,
) {
    for row in rows {
        let name = plain(cell(row, 0));
        if name.is_empty() {
            continue;
        }
        let type_markdown = cell(row, type_col).to_string();
        target.push(Member {
            name,
            type_text: plain(&type_markdown),
            type_markdown,
            description: desc_col
                .map(|c| cell(row, c).to_string())
                .unwrap_or_default(),
        });
    }
}

fn push_methods(
    target: &mut Vec<Method>,
    rows: &[Vec<Cell<'_>>],
    ret_col: Option<usize>,
    desc_col: Option<usize>,
) {
    for row in rows {
        let first = cell(row, 0);
        // Rows like `| **App role assignments** | | |` label a group of methods.
        let rest_empty = row.iter().skip(1).all(|c| c.trim().is_empty());
        if plain(first).is_empty() || rest_empty {
            continue;
        }
        target.push(Method {
            name: plain(first),
            target: first_link_target(first),
            return_type: ret_col.map(|c| plain(cell(row, c))).unwrap_or_default(),
            description: desc_col
                .map(|c| cell(row, c).to_string())
                .unwrap_or_default(),
        });
    }
}

/// (type column, description column) of a Properties/Relationships header.
fn member_columns(header: &[Cell<'_>]) -> Option<(usize, Option<usize>)> {
    let h: Vec<String> = header.iter().map(|c| plain(c).to_lowercase()).collect();
    let first = h.first()?;
    if !(first.contains("property") || first.contains("relationship") || first == "name") {
        return None;
    }
    let type_col = (1..h.len()).find(|&i| h[i].contains("type"))?;
    let desc_col = (1..h.len()).find(|&i| h[i].contains("description"));
    Some((type_col, desc_col))
}

/// (return type column, description column) of a Methods header.
fn method_columns(header: &[Cell<'_>]) -> Option<(Option<usize>, Option<usize>)> {
    let h: Vec<String> = header.iter().map(|c| plain(c).to_lowercase()).collect();
    let first = h.first()?;
    // "Common task | HTTP method" tables (drive.md) list requests, not methods.
    if !first.contains("method") {
        return None;
    }
    let ret = (1..h.len()).find(|&i| h[i].contains("type"));
    let desc = (1..h.len()).find(|&i| h[i].contains("description"));
    Some((ret, desc))
}

fn type_name(page: &ResourcePage, slug: &str) -> String {
    if let Some(t) = &page.odata_type {
        let t = t.trim();
        if !t.is_empty() {
            return t.strip_prefix("microsoft.graph.").unwrap_or(t).to_string();
        }
    }
    if let Some(title) = &page.title {
        let lower = title.to_lowercase();
        for suffix in [" resource type", " complex type", " enum type", " resource"] {
            // `get` because lower-casing may change byte lengths of non-ASCII titles.
            let name = lower
                .ends_with(suffix)
                .then(|| title.get(..title.len().saturating_sub(suffix.len())))
                .flatten()
                .map(str::trim);
            if let Some(name) = name.filter(|n| !n.is_empty() && !n.contains(' ')) {
                return name.to_string();
            }
        }
    }
    slug.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"---
title: "user resource type"
description: "Represents a user."
---
# user resource type

## Methods

| Method | Return Type | Description |
|:---|:---|:---|
| [List users](../api/user-list.md) | [user](user.md) collection | Get a list of user objects. |
| **App role assignments** | | |

## Properties

| Property | Type | Description |
|:---|:---|:---|
|displayName|String|The name displayed in the address book. Supports `$filter`.|
|assignedLicenses|[assignedLicense](assignedlicense.md) collection|The licenses.|

## Relationships

| Relationship | Type |Description|
|:---|:---|:---|
|messages|[message](message.md) collection|The messages in a mailbox or folder. Read-only. Nullable.|

## JSON representation

<!-- {
  "blockType": "resource",
  "@odata.type": "microsoft.graph.user",
} -->

```json
{
  "displayName": "string"
}
```
"#;

    #[test]
    fn parses_a_resource_page() {
        let (page, counts) = parse_resource_page("user", ApiVersion::V1_0, PAGE);
        assert_eq!(counts, ResourceCounts::default());
        assert_eq!(page.title.as_deref(), Some("user resource type"));
        assert_eq!(page.odata_type.as_deref(), Some("microsoft.graph.user"));
        assert_eq!(page.type_name, "user");
        assert_eq!(page.properties.len(), 2);
        assert_eq!(page.properties[0].name, "displayName");
        assert_eq!(page.properties[0].type_text, "String");
        assert_eq!(
            page.properties[0].description,
            "The name displayed in the address book. Supports `$filter`."
        );
        assert_eq!(page.properties[1].type_text, "assignedLicense collection");
        assert_eq!(
            page.properties[1].type_markdown,
            "[assignedLicense](assignedlicense.md) collection"
        );
        assert_eq!(page.relationships[0].name, "messages");
        assert_eq!(page.methods.len(), 1);
        assert_eq!(page.methods[0].name, "List users");
        assert_eq!(
            page.methods[0].target.as_deref(),
            Some("../api/user-list.md")
        );
        assert_eq!(page.methods[0].return_type, "user collection");
        assert_eq!(
            page.json_representation.as_deref(),
            Some("{\n  \"displayName\": \"string\"\n}")
        );
    }

    #[test]
    fn type_cells_name_one_type() {
        let m = |text: &str| Member {
            name: "x".into(),
            type_text: text.into(),
            type_markdown: text.into(),
            description: String::new(),
        };
        let t = |text: &str| m(text).graph_type();
        let own = |s: &str, c: bool| Some((s.to_string(), c));
        assert_eq!(t("DateTimeOffset"), own("Edm.DateTimeOffset", false));
        assert_eq!(t("String collection"), own("Edm.String", true));
        assert_eq!(t("Collection(Edm.Int32)"), own("Edm.Int32", true));
        assert_eq!(t("boolean"), own("Edm.Boolean", false));
        assert_eq!(
            t("assignedLicense collection"),
            own("microsoft.graph.assignedLicense", true)
        );
        assert_eq!(
            t("microsoft.graph.industryData.filter"),
            own("microsoft.graph.industryData.filter", false)
        );
        assert_eq!(t("graph.itemBody"), own("microsoft.graph.itemBody", false));
        assert_eq!(t(""), None);
        assert_eq!(t("String or Int32"), None);
        let mut linked = m("filter");
        linked.type_markdown = "[filter](../resources/industrydata-filter.md)".into();
        assert_eq!(
            linked.type_link().as_deref(),
            Some("../resources/industrydata-filter.md")
        );
    }

    #[test]
    fn type_name_falls_back_to_title_then_slug() {
        let (page, _) = parse_resource_page(
            "x",
            ApiVersion::Beta,
            "---\ntitle: \"thing resource type\"\n---\n",
        );
        assert_eq!(page.type_name, "thing");
        let (page, _) = parse_resource_page("x", ApiVersion::Beta, "");
        assert_eq!(page.type_name, "x");
    }

    #[test]
    fn unknown_tables_are_counted() {
        let text =
            "## Properties\n|Property|Remarks|\n|-|-|\n|1|2|\n\n|Member|Value|\n|-|-|\n|a|0|\n";
        let (page, counts) = parse_resource_page("x", ApiVersion::Beta, text);
        assert!(page.properties.is_empty());
        assert_eq!(counts.unknown_table_layouts, 1, "{:?}", counts.warnings);
        assert_eq!(counts.warnings.len(), 1);
    }
}
