//! `msgraph-metadata` CSDL (EDMX XML): the types, entity sets, singletons and operations
//! of Microsoft Graph, with the descriptions Microsoft attaches to them.
//!
//! The parser reads the whole document with `roxmltree`, resolves namespace aliases
//! (`graph.user` → `microsoft.graph.user`), turns `Collection(T)` into `(T, true)` and
//! attaches `Org.OData.Core.V1.Description` / `LongDescription` annotations, whether they
//! sit inline on an element or in an `<Annotations Target="...">` block. Whatever it does
//! not model is counted in [`ParseStats`] rather than rejected, so a newer upstream file
//! with extra elements still loads.

mod annotations;
mod parser;
mod queries;
mod types;
pub mod upstream;

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use roxmltree::Document;

use super::DataDir;
pub use crate::model::ApiVersion;
pub use parser::split_collection;
use parser::Parser;
pub use queries::{FoundType, Inherited};
pub use types::{
    ContainerElement, Csdl, DocText, EnumMember, EnumType, Namespace, NavigationProperty,
    Operation, OperationKind, Parameter, ParseStats, Property, ReturnType, StructuredType,
    TypeKind,
};

/// Folder of the v1.0 CSDL files, relative to the data directory.
pub const V1_0_DIR: &str = "msgraph-metadata/clean_v10_metadata";
/// Folder of the beta CSDL files, relative to the data directory.
pub const BETA_DIR: &str = "msgraph-metadata/clean_beta_metadata";

/// Folder of a version's CSDL files, relative to the data directory.
pub fn metadata_dir(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1_0 => V1_0_DIR,
        ApiVersion::Beta => BETA_DIR,
    }
}

/// Picks the CSDL file of a version in the data directory and parses it; `Ok(None)` when
/// the folder holds no `.xml` file. A file with `WithDescriptions` in its name is
/// preferred, since the plain one may lack descriptions; ties go to the first by name.
pub fn load(dir: &DataDir, version: ApiVersion) -> Result<Option<(PathBuf, Csdl)>> {
    let folder = metadata_dir(version);
    let mut xml: Vec<String> = dir
        .list_files(folder)?
        .into_iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".xml"))
        .collect();
    xml.sort();
    let chosen = xml
        .iter()
        .find(|n| n.to_ascii_lowercase().contains("withdescriptions"))
        .or_else(|| xml.first());
    let Some(name) = chosen else {
        return Ok(None);
    };
    let rel = format!("{folder}/{name}");
    let path = dir.path(&rel);
    let Some(bytes) = dir.read_optional(&rel)? else {
        return Ok(None);
    };
    let csdl = Csdl::parse(&path, &bytes)?;
    Ok(Some((path, csdl)))
}

impl Csdl {
    /// Parses a CSDL document. `path` only names the file in errors. A UTF-8 byte-order
    /// mark is skipped. Malformed XML is an error with line and column; unknown or
    /// malformed elements are counted in [`Csdl::stats`] instead.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Csdl> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, col) = line_col(&bytes[..e.valid_up_to()]);
            anyhow!("`{}`:{line}:{col}: invalid UTF-8: {e}", path.display())
        })?;
        let doc = Document::parse(text).map_err(|e| {
            let pos = e.pos();
            let msg = e.to_string();
            // roxmltree appends " at L:C"; the position is already in front.
            let msg = msg.rfind(" at ").map_or(msg.as_str(), |i| &msg[..i]);
            anyhow!(
                "`{}`:{}:{}: invalid XML: {msg}",
                path.display(),
                pos.row,
                pos.col
            )
        })?;
        let root = doc.root_element();
        if root.tag_name().name() != "Edmx" {
            let pos = doc.text_pos_at(root.range().start);
            return Err(anyhow!(
                "`{}`:{}:{}: not a CSDL document: root element is <{}>, expected <edmx:Edmx>",
                path.display(),
                pos.row,
                pos.col,
                root.tag_name().name()
            ));
        }
        let mut parser = Parser::new(&doc);
        parser.run(root);
        Ok(parser.finish())
    }
}

/// 1-based line and column of the end of `prefix`.
fn line_col(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let last_line = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(prefix, |i| &prefix[i + 1..]);
    let col = String::from_utf8_lossy(last_line).chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests;
