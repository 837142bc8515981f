//! The normalized, serializable catalog: plain data, no I/O.
//!
//! Every collection is a sorted `Vec` or a `BTreeMap`, so serializing the same catalog
//! twice gives byte-identical output.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Version of the catalog's serialized shape; bump it on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// Everything permcat knows, merged from all sources.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Catalog {
    /// Date of the permission data ("Permission data: `<date>`"), from `SNAPSHOT.json`;
    /// `None` when the data directory carries no snapshot.
    pub data_date: Option<String>,
    /// Every source file that was read, keyed by [`SourceFile::key`].
    pub sources: BTreeMap<String, SourceFile>,
    /// Optional sources that were not found, with the reason shown to users.
    pub missing: Vec<MissingSource>,
    /// Permissions sorted by name (case-insensitive, then exact).
    pub permissions: Vec<Permission>,
    /// Grants sorted by permission, method, path, scheme.
    pub grants: Vec<Grant>,
    /// Endpoints (method × canonical path) sorted by key, then method.
    pub endpoints: Vec<Endpoint>,
    /// Resource types that endpoints return, sorted by version and type name.
    pub resources: Vec<Resource>,
    /// PowerShell SDK cmdlets, sorted by key, method, version and name.
    pub commands: Vec<Command>,
    /// Code examples from the docs, sorted by key, method, version, language and name.
    pub snippets: Vec<Snippet>,
    /// Disagreements between or inside sources.
    pub conflicts: Vec<Conflict>,
    /// GUIDs provisioningInfo.json deploys under another resource application than
    /// Microsoft Graph, sorted by id: what an id that is not Graph's belongs to.
    #[serde(default)]
    pub foreign_ids: Vec<ForeignId>,
    /// Permissions the azure-tiering project rates that Microsoft's files do not define
    /// as application permissions, sorted.
    #[serde(default)]
    pub unlisted_tiers: Vec<UnlistedTier>,
}

impl Catalog {
    /// Whether the azure-tiering source was read: without it, no permission's tier is
    /// known, and "not listed" means nothing.
    pub fn has_tiering(&self) -> bool {
        self.sources.contains_key("tiering")
    }
}

/// A permission GUID of another resource application (Azure AD Graph, SharePoint, …).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignId {
    /// The GUID, lower case.
    pub id: String,
    /// The permission's name in that application.
    pub permission: String,
    /// Scheme key as provisioningInfo.json spells it.
    pub scheme: String,
    /// The resource application's id.
    pub resource_app_id: String,
}

impl ForeignId {
    /// Whether this id is for `kind` (a scope or an app role).
    pub fn is_of(&self, kind: PermissionType) -> bool {
        Scheme::parse(&self.scheme).map(Scheme::kind) == Some(kind)
    }

    /// The resource application's name when it is a well-known first-party app.
    pub fn app_name(&self) -> Option<&'static str> {
        app_name(&self.resource_app_id)
    }

    /// "Office 365 Exchange Online (00000002-0000-0ff1-ce00-000000000000)" or the bare id.
    pub fn app_label(&self) -> String {
        match self.app_name() {
            Some(n) => format!("{n} ({})", self.resource_app_id),
            None => format!("resource app {}", self.resource_app_id),
        }
    }
}

/// Well-known first-party resource applications: (app id, name).
pub const KNOWN_APPS: [(&str, &str); 8] = [
    ("00000002-0000-0000-c000-000000000000", "Azure AD Graph"),
    ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    ("00000003-0000-0ff1-ce00-000000000000", "SharePoint Online"),
    (
        "00000004-0000-0ff1-ce00-000000000000",
        "Skype for Business Online",
    ),
    ("00000005-0000-0ff1-ce00-000000000000", "Yammer"),
    (
        "0000000a-0000-0000-c000-000000000000",
        "Microsoft Intune API",
    ),
    ("00000007-0000-0000-c000-000000000000", "Dynamics CRM"),
];

/// Names of well-known first-party resource applications by app id.
pub fn app_name(app_id: &str) -> Option<&'static str> {
    KNOWN_APPS
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(app_id))
        .map(|(_, n)| *n)
}

/// Whether a string is a GUID (8-4-4-4-12 hexadecimal digits), with or without braces.
pub fn is_guid(s: &str) -> bool {
    let s = s.trim();
    let s = s
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(s);
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A GUID in the catalog's spelling: lower case, no braces.
pub fn normalize_guid(s: &str) -> String {
    s.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

impl Catalog {
    /// Finds a permission by exact name.
    pub fn permission(&self, name: &str) -> Option<&Permission> {
        self.permissions
            .binary_search_by(|p| permission_order(&p.name, name))
            .ok()
            .map(|i| &self.permissions[i])
    }

    /// Finds a permission by name, ignoring case.
    pub fn permission_ignore_case(&self, name: &str) -> Option<&Permission> {
        self.permission(name).or_else(|| {
            self.permissions
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name))
        })
    }

    /// The grants of one permission, in catalog order.
    pub fn grants_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Grant> + 'a {
        let start = self
            .grants
            .partition_point(|g| permission_order(&g.permission, name).is_lt());
        self.grants[start..]
            .iter()
            .take_while(move |g| g.permission == name)
    }

    /// The endpoint of a method and canonical path key.
    pub fn endpoint(&self, method: &str, key: &str) -> Option<&Endpoint> {
        self.endpoints
            .binary_search_by(|e| (e.key.as_str(), e.method.as_str()).cmp(&(key, method)))
            .ok()
            .map(|i| &self.endpoints[i])
    }

    /// A resource by version and full type name.
    pub fn resource(&self, version: ApiVersion, type_name: &str) -> Option<&Resource> {
        self.resources
            .binary_search_by(|r| (r.version, r.type_name.as_str()).cmp(&(version, type_name)))
            .ok()
            .map(|i| &self.resources[i])
    }

    /// The commands of one endpoint.
    pub fn commands_of<'a>(
        &'a self,
        method: &'a str,
        key: &'a str,
    ) -> impl Iterator<Item = &'a Command> + 'a {
        let start = self
            .commands
            .partition_point(|c| (c.key.as_str(), c.method.as_str()) < (key, method));
        self.commands[start..]
            .iter()
            .take_while(move |c| c.key == key && c.method == method)
    }

    /// The code examples of one endpoint.
    pub fn snippets_of<'a>(
        &'a self,
        method: &'a str,
        key: &'a str,
    ) -> impl Iterator<Item = &'a Snippet> + 'a {
        let start = self
            .snippets
            .partition_point(|s| (s.key.as_str(), s.method.as_str()) < (key, method));
        self.snippets[start..]
            .iter()
            .take_while(move |s| s.key == key && s.method == method)
    }

    /// The permission whose delegated scope or app role has this GUID, and which type.
    pub fn permission_by_id(&self, id: &str) -> Option<(&Permission, PermissionType)> {
        let id = normalize_guid(id);
        self.permissions.iter().find_map(|p| {
            p.schemes
                .values()
                .find(|s| s.id.as_deref() == Some(id.as_str()))
                .map(|s| (p, s.scheme.kind()))
        })
    }

    /// The deployments of this GUID under other resource applications.
    pub fn foreign_id(&self, id: &str) -> impl Iterator<Item = &ForeignId> {
        let id = normalize_guid(id);
        let start = self.foreign_ids.partition_point(|f| f.id < id);
        self.foreign_ids[start..]
            .iter()
            .take_while(move |f| f.id == id)
    }

    /// The GUIDs provisioningInfo.json gives a permission name under other resource
    /// applications, for one permission type.
    pub fn foreign_ids_of<'a>(
        &'a self,
        name: &'a str,
        kind: PermissionType,
    ) -> impl Iterator<Item = &'a ForeignId> + 'a {
        self.foreign_ids
            .iter()
            .filter(move |f| f.permission == name && f.is_of(kind))
    }

    /// How much older than the permission data a source is, when that is more than a
    /// year: "from 2021-07-16, 5 years before the permission data (2026-08-07)".
    pub fn source_age(&self, key: &str) -> Option<String> {
        let date = self.sources.get(key)?.date.as_deref()?;
        let data = self.data_date.as_deref()?;
        let days = days_of(data)? - days_of(date)?;
        (days > 365).then(|| {
            let years = days / 365;
            let unit = if years == 1 { "year" } else { "years" };
            format!("from {date}, {years} {unit} before the permission data ({data})")
        })
    }

    /// The conflicts that concern one permission.
    pub fn conflicts_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Conflict> + 'a {
        self.conflicts
            .iter()
            .filter(move |c| c.permission.as_deref() == Some(name))
    }
}

/// Days since 0000-03-01 of a `YYYY-MM-DD` date (the first ten characters), for
/// differences between dates.
pub fn days_of(date: &str) -> Option<i64> {
    let d = date.get(..10)?;
    let mut parts = d.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    Some(365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1)
}

/// The order of permission names everywhere: case-insensitive, ties broken by exact bytes.
pub fn permission_order(a: &str, b: &str) -> std::cmp::Ordering {
    // Byte by byte, never allocating: sorts and searches call it millions of times.
    let lower = |s| str::bytes(s).map(|c: u8| c.to_ascii_lowercase());
    lower(a).cmp(lower(b)).then_with(|| a.cmp(b))
}

/// One upstream file that contributed to the catalog.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceFile {
    /// Short stable key, e.g. `permissions` or `descriptions:de-DE`.
    pub key: String,
    /// Path relative to the data directory, with `/` separators.
    pub path: String,
    /// Upstream repository (`owner/name`), when the snapshot names it.
    pub repo: Option<String>,
    /// Upstream commit the file was taken from, when known.
    pub commit: Option<String>,
    /// Date of that commit or retrieval, when known.
    pub date: Option<String>,
}

/// An optional source that was not there.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MissingSource {
    /// Path relative to the data directory.
    pub path: String,
    /// What the catalog lacks without it.
    pub consequence: String,
}

/// How a permission is consented to.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Scheme {
    /// Delegated, work or school account.
    #[default]
    DelegatedWork,
    /// Delegated, personal Microsoft account.
    DelegatedPersonal,
    /// Application (app-only), no signed-in user.
    Application,
}

impl Scheme {
    /// All schemes in display order.
    pub const ALL: [Scheme; 3] = [
        Scheme::DelegatedWork,
        Scheme::DelegatedPersonal,
        Scheme::Application,
    ];

    /// The scheme's name as permissions.json spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::DelegatedWork => "DelegatedWork",
            Scheme::DelegatedPersonal => "DelegatedPersonal",
            Scheme::Application => "Application",
        }
    }

    /// Parses the permissions.json spelling.
    pub fn parse(s: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Delegated or application.
    pub fn kind(self) -> PermissionType {
        match self {
            Scheme::DelegatedWork | Scheme::DelegatedPersonal => PermissionType::Delegated,
            Scheme::Application => PermissionType::Application,
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Scheme::DelegatedWork => "Delegated (work or school account)",
            Scheme::DelegatedPersonal => "Delegated (personal Microsoft account)",
            Scheme::Application => "Application",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two permission types Microsoft Entra ID knows: an OAuth2 scope or an app role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PermissionType {
    /// An OAuth2 permission scope, used on behalf of a signed-in user.
    Delegated,
    /// An app role, used without a signed-in user.
    Application,
}

impl PermissionType {
    /// Lower-case name used in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionType::Delegated => "delegated",
            PermissionType::Application => "application",
        }
    }
}

impl fmt::Display for PermissionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Microsoft Graph permission with everything known about each of its schemes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Permission {
    /// The permission's value, e.g. `User.Read.All`.
    pub name: String,
    /// `oAuth2` for ordinary permissions, `RSC` for resource-specific consent.
    pub authorization_type: Option<String>,
    /// Owning security group from `ownerInfo`.
    pub owner_security_group: Option<String>,
    /// Per scheme, in [`Scheme`] order.
    pub schemes: BTreeMap<Scheme, SchemeInfo>,
    /// The resource most of its endpoints return, if any resolves.
    pub primary_resource: Option<TypeRef>,
}

impl Permission {
    /// Text before the first dot: `User` for `User.Read.All`.
    pub fn category(&self) -> &str {
        self.name.split('.').next().unwrap_or(&self.name)
    }

    /// The schemes of one type.
    pub fn schemes_of(&self, kind: PermissionType) -> impl Iterator<Item = &SchemeInfo> {
        self.schemes
            .values()
            .filter(move |s| s.scheme.kind() == kind)
    }

    /// The GUID of the delegated scope or application role.
    pub fn id_of(&self, kind: PermissionType) -> Option<&str> {
        self.schemes_of(kind).find_map(|s| s.id.as_deref())
    }
}

/// What one scheme of a permission says, merged from all permission sources.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SchemeInfo {
    /// Which scheme this is.
    pub scheme: Scheme,
    /// Whether permissions.json lists this scheme; `false` when only
    /// permissions-descriptions.json or provisioningInfo.json know it.
    pub in_permissions_json: bool,
    /// GUID of the scope (delegated) or app role (application).
    pub id: Option<String>,
    /// Display name shown to administrators.
    pub admin_display_name: Option<String>,
    /// Description shown to administrators.
    pub admin_description: Option<String>,
    /// Display name shown to users consenting for themselves (delegated only).
    pub user_display_name: Option<String>,
    /// Description shown to users consenting for themselves (delegated only).
    pub user_description: Option<String>,
    /// Whether an administrator must consent.
    pub requires_admin_consent: Option<bool>,
    /// 1 (least) to 5 (most privileged), when the source gives it.
    pub privilege_level: Option<u8>,
    /// Whether the permission is enabled, from permissions-descriptions.json.
    pub is_enabled: Option<bool>,
    /// Whether the permission is hidden, from provisioningInfo.json.
    pub is_hidden: Option<bool>,
    /// Cloud environments it is deployed to, from provisioningInfo.json.
    pub environments: Vec<String>,
    /// Localized texts by language tag (`de-DE`, …).
    pub localized: BTreeMap<String, LocalizedText>,
    /// Keys of the source files that contributed, sorted.
    pub sources: Vec<String>,
    /// The azure-tiering project's risk tier (application schemes only); `None` when
    /// that source is absent or does not list the permission.
    #[serde(default)]
    pub tiering: Option<Tiering>,
}

/// What the azure-tiering project says of an application permission's risk.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tiering {
    /// 0 (a known path to Global Admin), 1 or 2; `None` when the project lists the
    /// permission as not tiered yet.
    pub tier: Option<u8>,
    /// The tier's name, e.g. "Family of Global Admins".
    pub tier_name: Option<String>,
    /// The tier's definition.
    pub tier_definition: Option<String>,
    /// `Direct` or `Indirect`: how the path to Global Admin goes.
    pub path_type: Option<String>,
    /// The known shortest path to Global Admin.
    pub shortest_path: Option<String>,
    /// An example of an attack along that path.
    pub example: Option<String>,
    /// When the project noticed a permission it has not tiered yet.
    pub detected_on: Option<String>,
    /// Key of the source file.
    pub source: String,
}

impl Tiering {
    /// "Tier 0", or "not tiered yet".
    pub fn label(&self) -> String {
        match self.tier {
            Some(t) => format!("Tier {t}"),
            None => "not tiered yet".into(),
        }
    }

    /// Whether Microsoft's privilege level and the tier disagree. Each tier expects a
    /// band of levels (1 least to 5 most privileged): Tier 0, a path to Global Admin,
    /// 4–5; Tier 1, restricted but able to move laterally, 3–4; Tier 2, data access
    /// without escalation, 1–3. A level outside its tier's band disagrees; an unknown
    /// level or an untiered permission never does.
    pub fn disagrees_with(&self, privilege_level: Option<u8>) -> bool {
        let (Some(tier), Some(level)) = (self.tier, privilege_level) else {
            return false;
        };
        let band = match tier {
            0 => 4..=5,
            1 => 3..=4,
            _ => 1..=3,
        };
        !band.contains(&level)
    }
}

/// A permission the azure-tiering project rates that Microsoft's permission files do not
/// define as an application permission.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnlistedTier {
    /// The name the project gives it.
    pub permission: String,
    /// The GUID the project gives it, lower case.
    pub id: Option<String>,
    /// 0, 1 or 2; `None` when listed as not tiered yet.
    pub tier: Option<u8>,
}

/// Display name and description in one language.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LocalizedText {
    /// Display name for administrators.
    pub admin_display_name: Option<String>,
    /// Description for administrators.
    pub admin_description: Option<String>,
    /// Display name for users.
    pub user_display_name: Option<String>,
    /// Description for users.
    pub user_description: Option<String>,
}

/// A permission granting access to one (method, path) under one scheme.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    /// Permission name.
    pub permission: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template as the source spells it.
    pub path: String,
    /// Canonical path key shared with [`Endpoint::key`].
    pub key: String,
    /// Scheme the grant applies to.
    pub scheme: Scheme,
    /// Whether this is permcat's one least-privileged choice for (method, key, scheme),
    /// picked by the rule in `link::least`: exactly one permission per request.
    pub least_privileged: bool,
    /// Whether permissions.json flags it `least=` for this scheme. The flag is per path
    /// across every method of a pathSet, so several permissions (or none) can carry it.
    pub flagged_least: bool,
    /// Permissions that must be granted as well.
    pub also_requires: Vec<String>,
    /// When not empty, the only properties this grant reaches.
    pub included_properties: Vec<String>,
    /// Properties this grant does not reach.
    pub excluded_properties: Vec<String>,
    /// Key of the source file.
    pub source: String,
}

/// What kind of disagreement a [`Conflict`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    /// A GUID exists for a permission type that permissions.json does not list.
    IdForUnlistedType,
    /// A permission in permissions-descriptions.json that permissions.json lacks.
    UnknownPermission,
    /// A permission type in permissions.json without a GUID anywhere.
    MissingId,
    /// Two sources give different GUIDs for the same permission type.
    IdMismatch,
    /// Display names or descriptions differ between sources.
    TextMismatch,
    /// Admin-consent requirement differs between sources.
    AdminConsentMismatch,
    /// The same (method, path) appears more than once for one permission and scheme.
    DuplicateGrant,
    /// A pathSet names a scheme the permission does not define.
    UndefinedScheme,
    /// A docs permission table names a permission permissions.json does not grant there.
    DocsPermissionNotGranted,
    /// The docs' least-privileged permission differs from permissions.json's.
    DocsLeastPrivilegedMismatch,
    /// The command map lists a permission permissions.json does not grant there.
    CommandPermissionNotGranted,
    /// The command map's least-privileged permission differs from permissions.json's.
    CommandLeastPrivilegedMismatch,
    /// A docs PowerShell snippet calls another cmdlet for a request than the command map.
    CommandSnippetMismatch,
    /// No permission is flagged `least=` for a (method, path, scheme); kibali's
    /// validation calls this MissingLeastPrivilegePermission.
    LeastPrivilegedMissing,
    /// Several permissions are flagged `least=` for one (method, path, scheme); kibali's
    /// validation calls this DuplicateLeastPrivilegeScopes.
    LeastPrivilegedDuplicate,
    /// A permission flagged `least=` has a higher privilege level than an unflagged
    /// permission that grants the same request.
    LeastPrivilegedAboveAlternative,
    /// A key repeated in one JSON object (a permission defined twice in permissions.json).
    DuplicateKey,
    /// Microsoft's privilege level and the azure-tiering project's risk tier disagree
    /// (see [`Tiering::disagrees_with`]).
    TierPrivilegeMismatch,
}

impl ConflictKind {
    /// The kebab-case name used in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::IdForUnlistedType => "id-for-unlisted-type",
            ConflictKind::UnknownPermission => "unknown-permission",
            ConflictKind::MissingId => "missing-id",
            ConflictKind::IdMismatch => "id-mismatch",
            ConflictKind::TextMismatch => "text-mismatch",
            ConflictKind::AdminConsentMismatch => "admin-consent-mismatch",
            ConflictKind::DuplicateGrant => "duplicate-grant",
            ConflictKind::UndefinedScheme => "undefined-scheme",
            ConflictKind::DocsPermissionNotGranted => "docs-permission-not-granted",
            ConflictKind::DocsLeastPrivilegedMismatch => "docs-least-privileged-mismatch",
            ConflictKind::CommandPermissionNotGranted => "command-permission-not-granted",
            ConflictKind::CommandLeastPrivilegedMismatch => "command-least-privileged-mismatch",
            ConflictKind::CommandSnippetMismatch => "command-snippet-mismatch",
            ConflictKind::LeastPrivilegedMissing => "least-privileged-missing",
            ConflictKind::LeastPrivilegedDuplicate => "least-privileged-duplicate",
            ConflictKind::LeastPrivilegedAboveAlternative => "least-privileged-above-alternative",
            ConflictKind::DuplicateKey => "duplicate-key",
            ConflictKind::TierPrivilegeMismatch => "tier-privilege-mismatch",
        }
    }
}

impl fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A disagreement, kept with both sides instead of silently picking one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Conflict {
    /// What kind of disagreement.
    pub kind: ConflictKind,
    /// The permission concerned, if any.
    pub permission: Option<String>,
    /// What exactly disagrees, e.g. `Application id` or `GET /me`.
    pub subject: String,
    /// Each source's claim.
    pub sides: Vec<ConflictSide>,
    /// What permcat did about it.
    pub resolution: String,
    /// Set when the disagreement only reflects the age of a source more than a year
    /// older than the permission data, e.g. "docs page from 2021-07-16".
    #[serde(default)]
    pub source_age: Option<String>,
}

/// One source's side of a conflict.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConflictSide {
    /// Key of the source file.
    pub source: String,
    /// What that source says (`(absent)` when it says nothing).
    pub value: String,
}

/// Up to `n` permission names that look like `query`, best first: the same letters in
/// another case, names containing the query, then names a few typos away.
pub fn closest_names(catalog: &Catalog, query: &str, n: usize) -> Vec<String> {
    let q = query.trim().to_ascii_lowercase();
    let names = catalog.permissions.iter().map(|p| p.name.as_str());
    let score = |name: &&str| {
        let name = name.to_ascii_lowercase();
        let similar = strsim::jaro_winkler(&q, &name);
        let score = if name.contains(&q) || q.contains(&name) {
            1.0 + similar
        } else {
            similar
        };
        (score >= 0.85).then_some(score)
    };
    crate::closest::closest(names, score, n)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// A Microsoft Graph API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ApiVersion {
    /// The stable `v1.0` endpoint.
    #[serde(rename = "v1.0")]
    V1_0,
    /// The `beta` endpoint.
    #[serde(rename = "beta")]
    Beta,
}

impl ApiVersion {
    /// Both versions, stable first.
    pub const ALL: [ApiVersion; 2] = [ApiVersion::V1_0, ApiVersion::Beta];

    /// The version as it appears in URLs: `v1.0` or `beta`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1_0 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }

    /// Parses `v1.0`, `v1`, `1.0` or `beta`, in any case.
    pub fn parse(s: &str) -> Option<ApiVersion> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v1.0" | "v1" | "1.0" => Some(ApiVersion::V1_0),
            "beta" => Some(ApiVersion::Beta),
            _ => None,
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A type in one API version's schema.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct TypeRef {
    /// Full CSDL name, e.g. `microsoft.graph.user`.
    pub type_name: String,
    /// Whose schema it comes from.
    pub version: ApiVersion,
}

/// One request: a method and a canonical path, with what every source says of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Endpoint {
    /// HTTP method, upper case.
    pub method: String,
    /// Canonical path key: lower case, `{}` placeholders (see `link::path`).
    pub key: String,
    /// The most readable spelling found (docs, then command map, then permissions.json).
    pub path: String,
    /// API versions it exists in, each with the keys of the sources that say so.
    pub versions: BTreeMap<ApiVersion, Vec<String>>,
    /// Title of its docs page, e.g. "Get a user".
    pub title: Option<String>,
    /// Learn page per version.
    pub doc_links: BTreeMap<ApiVersion, String>,
    /// What it returns, resolved in the CSDL of `version`: an entity or complex type, an
    /// enum, or an `Edm.*` primitive (`$count`, `$value`, functions returning text). For
    /// a bound action or function, its declared return type, never what it is bound to.
    pub resource: Option<TypeRef>,
    /// Whether `resource` (or `bound_to`, for an operation no schema knows) was matched
    /// by segment names in the type maps because no schema in the data knows the path.
    pub resource_by_name: bool,
    /// Whether it returns a collection of `resource`.
    pub returns_collection: bool,
    /// Whether it is an action that returns nothing (no `ReturnType`: `204 No Content`);
    /// `resource` is then `None`.
    #[serde(default)]
    pub returns_nothing: bool,
    /// When the path ends in a bound action or function: the type it acts on, i.e. the
    /// one the path reaches before the operation's segment.
    #[serde(default)]
    pub bound_to: Option<TypeRef>,
    /// Keys of the sources that know this endpoint.
    pub sources: Vec<String>,
}

/// A resource type with what the reference page shows of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Resource {
    /// Full CSDL name.
    pub type_name: String,
    /// Version of the schema it is shown from.
    pub version: ApiVersion,
    /// Why it is shown from this version when that is not v1.0.
    pub note: Option<String>,
    /// Description of the type.
    pub description: Option<String>,
    /// Base types, nearest first.
    pub base_types: Vec<String>,
    /// Structural properties, inherited ones first.
    pub properties: Vec<Member>,
    /// Navigation properties.
    pub relationships: Vec<Member>,
    /// A JSON representation of the type, empty when nothing is known of its members.
    pub json_representation: String,
    /// Where it comes from: `schema`, `docs` (the Learn resource page) or `members`.
    pub json_source: Option<String>,
    /// Learn page of the resource, when the docs have one.
    pub doc_link: Option<String>,
    /// Keys of the sources used.
    pub sources: Vec<String>,
    /// File name of its page (without `.html`), unique per version even between types
    /// whose names differ only in case; assigned when the catalog is finished. Not
    /// serialized: a reloaded catalog falls back to the plain slug.
    #[serde(skip)]
    pub slug: String,
}

/// A property or relationship of a resource.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Member {
    /// Name as in the schema.
    pub name: String,
    /// Type, full name for Graph types (`microsoft.graph.itemBody`), `Edm.*` otherwise.
    pub type_name: String,
    /// Whether it is a collection.
    pub is_collection: bool,
    /// Description from the schema, or else from the docs resource page.
    pub description: Option<String>,
    /// Key of the source of the description.
    pub description_source: Option<String>,
    /// The type that declares it, when inherited.
    pub inherited_from: Option<String>,
}

/// A PowerShell SDK cmdlet for one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Command {
    /// Cmdlet name, e.g. `Get-MgUser`.
    pub name: String,
    /// Full module name, e.g. `Microsoft.Graph.Users`.
    pub module: String,
    /// API version it calls.
    pub version: Option<ApiVersion>,
    /// HTTP method.
    pub method: String,
    /// Path as the command map spells it.
    pub path: String,
    /// Canonical path key.
    pub key: String,
    /// What it does: the title of its docs page, when found.
    pub title: Option<String>,
    /// Learn page of the API.
    pub doc_link: Option<String>,
    /// Permissions the command map lists.
    pub permissions: Vec<CommandPermission>,
    /// Key of the source.
    pub source: String,
}

/// A permission the command map lists for a cmdlet.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct CommandPermission {
    /// Permission name.
    pub name: String,
    /// Scheme.
    pub scheme: Scheme,
    /// Whether the command map marks it least privileged.
    pub least_privileged: bool,
}

/// A code example from the docs for one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Snippet {
    /// Language folder name: `csharp`, `javascript`, `powershell`, `python`, ...
    pub language: String,
    /// Docs version it comes from.
    pub version: ApiVersion,
    /// Request name of the example, e.g. `get_user`.
    pub request_name: String,
    /// HTTP method of the request.
    pub method: String,
    /// Canonical path key of the request.
    pub key: String,
    /// The request path as the example writes it.
    pub path: String,
    /// The code.
    pub code: String,
    /// File it was read from, relative to the data directory.
    pub file: String,
}
