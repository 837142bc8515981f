//! `msgraph-metadata/schemas/type-mappings/*.json`: the current property and navigation
//! property names of every type, per namespace, for v1.0 and beta. Names only — no
//! types, no descriptions — but newer than any CSDL a snapshot may hold.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Deserialize;

use super::upstream::{Measure, Upstream, Validator, METADATA_REPO};
use super::DataDir;
use crate::model::ApiVersion;

/// Folder of the files relative to the data directory.
pub const DIR: &str = "msgraph-metadata/schemas/type-mappings";

/// Names of one type's members.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TypeNames {
    /// Navigation property names.
    #[serde(default)]
    pub navigation_properties: Vec<String>,
    /// Structural property names.
    #[serde(default)]
    pub properties: Vec<String>,
}

/// One version's type map: full type name → member names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeMap {
    /// Entity and complex types by full name (`microsoft.graph.user`).
    pub types: BTreeMap<String, TypeNames>,
    /// Namespaces present.
    pub namespaces: Vec<String>,
}

type RawFile = BTreeMap<String, BTreeMap<String, TypeNames>>;

/// Path of one file relative to the data directory.
pub fn path(version: ApiVersion, kind: &str) -> String {
    format!("{DIR}/{}-{kind}-types.json", version.as_str())
}

/// Reads the entity and complex type maps of a version; `None` when neither exists.
pub fn load(dir: &DataDir, version: ApiVersion) -> Result<Option<(Vec<String>, TypeMap)>> {
    let mut map = TypeMap::default();
    let mut read = Vec::new();
    for kind in ["entity", "complex"] {
        let rel = path(version, kind);
        let Some(raw) = dir.json_optional::<RawFile>(&rel)? else {
            continue;
        };
        read.push(rel);
        for (ns, types) in raw {
            if !map.namespaces.contains(&ns) {
                map.namespaces.push(ns.clone());
            }
            for (name, names) in types {
                map.types.entry(format!("{ns}.{name}")).or_insert(names);
            }
        }
    }
    map.namespaces.sort();
    Ok((!read.is_empty()).then_some((read, map)))
}

/// The files `permcat sync` fetches: entity, complex and enum maps of each version.
/// permcat does not read the enum maps yet, but they belong to the same upstream set and
/// are checked for shape (namespace → enum → member names).
pub fn upstream() -> Vec<Upstream> {
    let types: Validator = |name, bytes| Measure::json::<RawFile>(name, bytes, "types");
    let enums: Validator = |name, bytes| {
        Measure::json::<BTreeMap<String, BTreeMap<String, Vec<String>>>>(name, bytes, "types")
    };
    let mut files = Vec::new();
    for version in [ApiVersion::V1_0, ApiVersion::Beta] {
        for (kind, validate) in [("entity", types), ("complex", types), ("enum", enums)] {
            files.push(Upstream::optional(
                METADATA_REPO,
                &path(version, kind),
                validate,
            ));
        }
    }
    files
}
