//! `permissions/new/permissions.json`, the kibali permissions document: schemes with
//! consent texts and privilege levels, and the paths each permission grants.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::Deserialize;

use super::upstream::{checked_json, Measure, Upstream, DEVX_CONTENT_REPO};
use super::{DataDir, DEVX_CONTENT};

/// Path of the file relative to the data directory.
pub const PATH: &str = "microsoft-graph-devx-content/permissions/new/permissions.json";

/// The whole document.
#[derive(Debug, Clone, Deserialize)]
pub struct PermissionsDocument {
    /// Permissions by name.
    #[serde(deserialize_with = "unique_keys")]
    pub permissions: Keyed<RawPermission>,
}

/// A JSON object read without losing repeated keys: serde's maps keep the last value of
/// a repeated key silently; this keeps the first and lists the repeats.
#[derive(Debug, Clone, Default)]
pub struct Keyed<T> {
    /// Entries by key, the first of each repeated key.
    pub map: BTreeMap<String, T>,
    /// Keys that appeared more than once, once per extra appearance, in file order.
    pub repeated: Vec<String>,
}

impl<T> Keyed<T> {
    /// How many distinct keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

fn unique_keys<'de, D, T>(d: D) -> Result<Keyed<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
        type Value = Keyed<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of permissions by name")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Keyed<T>, A::Error> {
            let mut out = Keyed {
                map: BTreeMap::new(),
                repeated: Vec::new(),
            };
            while let Some((k, v)) = m.next_entry::<String, T>()? {
                match out.map.entry(k) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        out.repeated.push(e.key().clone())
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(v);
                    }
                }
            }
            Ok(out)
        }
    }
    d.deserialize_map(V(std::marker::PhantomData))
}

/// One permission as written in the document.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPermission {
    /// `oAuth2` or `RSC`.
    pub authorization_type: Option<String>,
    /// Free-form note.
    pub note: Option<String>,
    /// Whether the permission is implicitly granted.
    pub implicit: Option<bool>,
    /// Link to documentation.
    pub documentation_web_url: Option<String>,
    /// Schemes by key (`DelegatedWork`, `DelegatedPersonal`, `Application`).
    #[serde(default)]
    pub schemes: BTreeMap<String, RawScheme>,
    /// Groups of paths granted under some schemes for some methods.
    #[serde(default)]
    pub path_sets: Vec<RawPathSet>,
    /// Owner of the permission.
    pub owner_info: Option<OwnerInfo>,
}

/// One scheme's consent texts and flags.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawScheme {
    /// Display name for administrators.
    pub admin_display_name: Option<String>,
    /// Description for administrators.
    pub admin_description: Option<String>,
    /// Display name for users.
    pub user_display_name: Option<String>,
    /// Description for users.
    pub user_description: Option<String>,
    /// Whether an administrator must consent.
    pub requires_admin_consent: Option<bool>,
    /// Whether the scheme can only be preauthorized.
    pub is_preauthorization_only: Option<bool>,
    /// 1 (least) to 5 (most privileged).
    pub privilege_level: Option<u8>,
}

/// Paths granted under `scheme_keys` for `methods`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPathSet {
    /// Schemes the set applies to.
    #[serde(default)]
    pub scheme_keys: Vec<String>,
    /// HTTP methods.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Path → flags (`least=…`, `AlsoRequires=…`, joined by `;`, or empty).
    #[serde(default)]
    pub paths: BTreeMap<String, String>,
    /// Properties the permission covers, when restricted.
    pub included_properties: Option<Vec<String>>,
    /// Properties the permission does not cover.
    pub excluded_properties: Option<Vec<String>>,
}

/// `ownerInfo`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerInfo {
    /// Owning security group.
    pub owner_security_group: Option<String>,
}

/// The flags of one path entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathFlags {
    /// Scheme keys for which this permission is the least privileged.
    pub least: Vec<String>,
    /// Other permissions that must be granted as well.
    pub also_requires: Vec<String>,
    /// Parts that were not understood, kept for a warning.
    pub unknown: Vec<String>,
}

impl PathFlags {
    /// Parses `least=DelegatedWork,Application;AlsoRequires=Policy.Read.All`.
    pub fn parse(value: &str) -> PathFlags {
        let mut flags = PathFlags::default();
        for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, list) = part.split_once('=').unwrap_or((part, ""));
            let items = list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from);
            match key.trim().to_ascii_lowercase().as_str() {
                "least" => flags.least.extend(items),
                "alsorequires" => flags.also_requires.extend(items),
                _ => flags.unknown.push(part.to_string()),
            }
        }
        flags
    }
}

/// Reads permissions.json; its absence is an error, as nothing works without it.
pub fn load(dir: &DataDir) -> Result<PermissionsDocument> {
    debug_assert!(PATH.starts_with(DEVX_CONTENT));
    dir.json_required(PATH, "permissions file")
}

/// The file `permcat sync` fetches: the only required one.
pub fn upstream() -> Vec<Upstream> {
    vec![Upstream::required(DEVX_CONTENT_REPO, PATH, validate)]
}

/// Parses a downloaded permissions.json and counts its permissions by name, so the
/// shrink gate can tell how many were dropped.
fn validate(name: &Path, bytes: &[u8]) -> Result<Measure> {
    let value = checked_json::<PermissionsDocument>(name, bytes)?;
    let mut m = Measure::of_value(&value, "permissions");
    if let Some(serde_json::Value::Object(p)) = value.get("permissions") {
        m.names = p.keys().cloned().collect();
        m.entries = p.len();
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_with_least_and_also_requires() {
        let f = PathFlags::parse("least=Application;AlsoRequires=User.Read.All,Group.Read.All");
        assert_eq!(f.least, ["Application"]);
        assert_eq!(f.also_requires, ["User.Read.All", "Group.Read.All"]);
        assert!(f.unknown.is_empty());
    }

    #[test]
    fn empty_flags_mean_not_least() {
        assert_eq!(PathFlags::parse(""), PathFlags::default());
    }

    #[test]
    fn unknown_flag_is_kept() {
        let f = PathFlags::parse("least=DelegatedWork;Deprecated=true");
        assert_eq!(f.least, ["DelegatedWork"]);
        assert_eq!(f.unknown, ["Deprecated=true"]);
    }
}
