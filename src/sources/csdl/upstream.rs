//! The CSDL files `permcat sync` fetches, declared with the CSDL source.

use std::path::Path;

use anyhow::Result;

use super::{Csdl, BETA_DIR, V1_0_DIR};
use crate::sources::upstream::{Measure, Upstream, METADATA_REPO};

/// The schema files, v1.0 first. Upstream publishes v1.0 both with and without
/// descriptions; permcat prefers the former and falls back to the latter, so both are
/// fetched when present.
pub fn upstream() -> Vec<Upstream> {
    [
        format!("{V1_0_DIR}/cleanMetadataWithDescriptionsv1.0.xml"),
        format!("{V1_0_DIR}/cleanMetadata.xml"),
        format!("{BETA_DIR}/cleanMetadataWithDescriptionsbeta.xml"),
    ]
    .iter()
    .map(|rel| Upstream::optional(METADATA_REPO, rel, validate))
    .collect()
}

/// Parses a downloaded schema and counts its entity, complex and enum types.
fn validate(name: &Path, bytes: &[u8]) -> Result<Measure> {
    let csdl = Csdl::parse(name, bytes)?;
    Ok(Measure {
        unit: "types",
        entries: csdl.entity_types.len() + csdl.complex_types.len() + csdl.enum_types.len(),
        ..Measure::default()
    })
}
