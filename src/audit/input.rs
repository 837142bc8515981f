//! Reading what an app was granted: an app registration manifest (the Azure AD manifest
//! or Microsoft Graph's `application` object), Graph's `appRoleAssignments` or
//! `oauth2PermissionGrants` responses, or a plain list of names and GUIDs. The shape is
//! detected unless forced.

use anyhow::{anyhow, bail, Result};
use serde::Serialize;
use serde_json::Value;

use crate::lookup::parse_guid;
use crate::model::PermissionType;

/// The app id of Microsoft Graph, the resource app permcat knows.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Most bytes of an audit input.
pub const INPUT_CAP: usize = 16 << 20;

/// The shapes an audit reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// Detect the shape.
    Auto,
    /// `requiredResourceAccess` of an app manifest or Graph `application` object.
    Manifest,
    /// `GET /servicePrincipals/{id}/appRoleAssignments`.
    Assignments,
    /// `GET /oauth2PermissionGrants`.
    Grants,
    /// Permission names or GUIDs, one per line.
    List,
}

impl InputFormat {
    /// The name used in the output.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Manifest => "manifest",
            InputFormat::Assignments => "assignments",
            InputFormat::Grants => "grants",
            InputFormat::List => "list",
        }
    }
}

/// What the input says was granted, before it is resolved against the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The text it came from: a GUID, a name, or a scope word.
    pub input: String,
    /// Line of a plain list, 1-based; `None` in JSON.
    pub line: Option<usize>,
    /// The resource app it is claimed for; `None` when the input does not say.
    pub resource_app_id: Option<String>,
    /// The resource's display name, when the input gives one.
    pub resource_name: Option<String>,
    /// Delegated (`Scope`) or application (`Role`); `None` when the input does not say.
    pub kind: Option<PermissionType>,
    /// A GUID (lower case), or `None` for a name.
    pub id: Option<String>,
}

/// The grants of an input, and the shape it was read as.
#[derive(Debug, Clone)]
pub struct Input {
    /// The shape.
    pub format: InputFormat,
    /// Every claimed grant, in input order.
    pub claimed: Vec<Claimed>,
}

/// Reads `bytes` (named `name` in errors) in `format`, detecting it for `Auto`.
pub fn read(name: &str, bytes: &[u8], format: InputFormat) -> Result<Input> {
    if bytes.len() > INPUT_CAP {
        bail!("`{name}`: larger than the {} MiB cap", INPUT_CAP >> 20);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| anyhow!("`{name}`: not UTF-8: {e}"))?;
    if text.trim().is_empty() {
        bail!("`{name}` is empty: pass an app manifest, a Graph response or a list of permissions");
    }
    let looks_json = matches!(text.trim_start().chars().next(), Some('{' | '['));
    if format == InputFormat::List || (format == InputFormat::Auto && !looks_json) {
        return Ok(Input {
            format: InputFormat::List,
            claimed: list(name, text)?,
        });
    }
    let value: Value = crate::sources::parse_json(std::path::Path::new(name), bytes)?;
    let detected = match format {
        InputFormat::Auto => detect(&value).ok_or_else(|| {
            anyhow!(
                "`{name}`: neither an app manifest (requiredResourceAccess), an appRoleAssignments \
                 nor an oauth2PermissionGrants response; pass --input-format to say which"
            )
        })?,
        f => f,
    };
    let claimed = match detected {
        InputFormat::Manifest => manifest(name, &value)?,
        InputFormat::Assignments => assignments(name, &value)?,
        InputFormat::Grants => grants(name, &value)?,
        InputFormat::Auto | InputFormat::List => unreachable!("handled above"),
    };
    Ok(Input {
        format: detected,
        claimed,
    })
}

/// The items of a Graph collection response (`{"value": [...]}`) or a bare array.
fn items(value: &Value) -> Option<&Vec<Value>> {
    match value {
        Value::Array(a) => Some(a),
        Value::Object(o) => o.get("value").and_then(Value::as_array),
        _ => None,
    }
}

fn detect(value: &Value) -> Option<InputFormat> {
    if value.get("requiredResourceAccess").is_some() {
        return Some(InputFormat::Manifest);
    }
    let list = items(value)?;
    let has = |key: &str| list.iter().any(|i| i.get(key).is_some());
    if has("requiredResourceAccess") || has("resourceAccess") {
        Some(InputFormat::Manifest)
    } else if has("appRoleId") {
        Some(InputFormat::Assignments)
    } else if has("scope") {
        Some(InputFormat::Grants)
    } else if list.is_empty() && value.get("value").is_some() {
        // An empty Graph collection: no grants, whichever it was.
        Some(InputFormat::Assignments)
    } else {
        None
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).map(str::trim)
}

/// `requiredResourceAccess` of one application object, of a list of them, or the bare
/// list of resource entries.
fn manifest(name: &str, value: &Value) -> Result<Vec<Claimed>> {
    fn entries<'v>(name: &str, rra: &'v Value) -> Result<&'v Vec<Value>> {
        rra.as_array()
            .ok_or_else(|| anyhow!("`{name}`: requiredResourceAccess is not a list"))
    }
    let mut resources: Vec<&Value> = Vec::new();
    if let Some(rra) = value.get("requiredResourceAccess") {
        resources.extend(entries(name, rra)?);
    } else if let Some(list) = items(value) {
        for item in list {
            match item.get("requiredResourceAccess") {
                Some(rra) => resources.extend(entries(name, rra)?),
                None if item.get("resourceAccess").is_some() => resources.push(item),
                None => {}
            }
        }
    } else {
        bail!("`{name}`: no requiredResourceAccess");
    }
    let mut out = Vec::new();
    for r in resources {
        let app = str_of(r, "resourceAppId").map(str::to_ascii_lowercase);
        let access = r
            .get("resourceAccess")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                anyhow!("`{name}`: a requiredResourceAccess entry without a resourceAccess list")
            })?;
        for a in access {
            let id = str_of(a, "id").unwrap_or_default();
            let kind = match str_of(a, "type").map(str::to_ascii_lowercase).as_deref() {
                Some("scope") => Some(PermissionType::Delegated),
                Some("role") => Some(PermissionType::Application),
                _ => None,
            };
            out.push(Claimed {
                input: id.to_string(),
                line: None,
                resource_app_id: app.clone(),
                resource_name: None,
                kind,
                id: parse_guid(id),
            });
        }
    }
    Ok(out)
}

/// App role assignments: each `appRoleId` is an application permission of the resource
/// named by `resourceDisplayName` (the `resourceId` is a tenant's object id, not an app
/// id).
fn assignments(name: &str, value: &Value) -> Result<Vec<Claimed>> {
    let list =
        items(value).ok_or_else(|| anyhow!("`{name}`: not a list of app role assignments"))?;
    Ok(list
        .iter()
        .filter_map(|a| {
            let id = str_of(a, "appRoleId")?;
            Some(Claimed {
                input: id.to_string(),
                line: None,
                resource_app_id: None,
                resource_name: str_of(a, "resourceDisplayName").map(str::to_string),
                kind: Some(PermissionType::Application),
                id: parse_guid(id),
            })
        })
        .collect())
}

/// Delegated grants: each word of `scope` is a delegated permission's name.
fn grants(name: &str, value: &Value) -> Result<Vec<Claimed>> {
    let list =
        items(value).ok_or_else(|| anyhow!("`{name}`: not a list of oauth2PermissionGrants"))?;
    let mut out = Vec::new();
    for g in list {
        for word in str_of(g, "scope").unwrap_or_default().split_whitespace() {
            out.push(Claimed {
                input: word.to_string(),
                line: None,
                resource_app_id: None,
                resource_name: str_of(g, "resourceDisplayName").map(str::to_string),
                kind: Some(PermissionType::Delegated),
                id: None,
            });
        }
    }
    Ok(out)
}

/// One name or GUID per line, optionally followed by `delegated`/`application` (or
/// `Scope`/`Role`); blank lines and `#` comments skipped.
fn list(name: &str, text: &str) -> Result<Vec<Claimed>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let kind = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("delegated" | "scope") => Some(PermissionType::Delegated),
            Some("application" | "role" | "app") => Some(PermissionType::Application),
            Some(other) => bail!(
                "`{name}`:{}: `{other}` after `{first}`: the type is `delegated` or `application`",
                i + 1
            ),
        };
        if let Some(extra) = words.next() {
            bail!(
                "`{name}`:{}: unexpected `{extra}`: one permission per line",
                i + 1
            );
        }
        out.push(Claimed {
            input: first.to_string(),
            line: Some(i + 1),
            resource_app_id: None,
            resource_name: None,
            kind,
            id: parse_guid(first),
        });
    }
    Ok(out)
}
