//! What a lookup answers, in the shape `which --json` prints and the lookup page
//! mirrors: endpoint answers, misses with suggestions, `$batch`, permission ids, and the
//! report over several arguments.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Request;
use crate::model::{ApiVersion, PermissionType, Scheme};

/// One permission that allows a request under one scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Permission name.
    pub permission: String,
    /// Whether it is the one least-privileged choice for this request and scheme.
    pub least_privileged: bool,
    /// Whether permissions.json flags it least privileged here (see
    /// [`crate::model::Grant::flagged_least`]).
    pub flagged_least: bool,
    /// Privilege level of the permission's scheme, 1–5.
    pub privilege_level: Option<u8>,
    /// The azure-tiering project's risk tier (0 = a known path to Global Admin, 1, 2) of
    /// an application permission; absent when not tiered or not loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_tier: Option<u8>,
    /// Permissions that must be granted as well.
    pub also_requires: Vec<String>,
}

/// How a request was answered when no template spells it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViaKind {
    /// `/sites/{hostname}:/{path}:` answered as `/sites/{id}`.
    Site,
    /// A type cast left out.
    Cast,
    /// A trailing `$value`, `$ref` or `$count` answered as the navigation before it.
    Navigation,
    /// `/me/…` answered as `/users/{id}/…`.
    Users,
    /// `/users/{id}/…` answered as `/me/…`.
    Me,
}

/// One step from the request to the template that answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Via {
    /// What changed.
    pub kind: ViaKind,
    /// The same, in words.
    pub note: String,
}

/// Why Application answers are left out of `/me` requests.
pub const NO_SIGNED_IN_USER: &str = "not usable with application permissions (no signed-in user)";

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The request as understood.
    pub request: Request,
    /// The endpoint template matched, as the most readable source spells it.
    pub template: String,
    /// Its canonical key.
    pub key: String,
    /// Versions it exists in.
    pub versions: Vec<ApiVersion>,
    /// Per scheme: the permissions that allow it, least privileged first, then by
    /// privilege level and name.
    pub schemes: BTreeMap<Scheme, Vec<Candidate>>,
    /// Schemes that cannot make this request at all, and why (Application on `/me`).
    pub not_usable: BTreeMap<Scheme, String>,
    /// When the template is not the request's own: how the request was read.
    pub via: Vec<Via>,
    /// Source of the grants.
    pub source: String,
}

/// Why a request found no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Miss {
    /// The request as understood.
    pub request: Request,
    /// Always `null`: no template answers the request.
    pub template: Option<String>,
    /// Methods the path is known for, when the path matched but not the method.
    pub other_methods: Vec<String>,
    /// The template `other_methods` belong to, when it is not the request's own (the
    /// navigation before `$ref`, the `/users/{id}` form of `/me`).
    pub known_path: Option<String>,
    /// Known templates that look most like the path.
    pub closest: Vec<String>,
}

/// `POST /$batch`: JSON batching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Batch {
    /// The request as understood.
    pub request: Request,
    /// `/$batch`.
    pub template: String,
    /// What it needs, in words.
    pub note: String,
}

/// What `$batch` needs, in words.
pub const BATCH_NOTE: &str = "JSON batching needs no permission of its own; each request inside the batch needs its own permission (look each one up)";

/// A permission whose scope or app-role id is the one asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdMatch {
    /// Permission name.
    pub permission: String,
    /// Delegated (an OAuth2 scope) or application (an app role).
    #[serde(rename = "type")]
    pub kind: PermissionType,
    /// The schemes that carry the id.
    pub schemes: Vec<Scheme>,
}

/// A permission id (GUID) and the permissions that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionId {
    /// The id, lower case.
    pub id: String,
    /// The permissions with that id: one, or more when sources share an id.
    pub matches: Vec<IdMatch>,
}

/// A cmdlet no cmdlet source of the data knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownCmdlet {
    /// The name given.
    pub cmdlet: String,
    /// Known names that look like it.
    pub closest: Vec<String>,
}

/// A cmdlet asked for while the data holds no cmdlet source at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoCmdletSource {
    /// The name given.
    pub cmdlet: String,
    /// The files, relative to the data directory, that would bring cmdlets: the command
    /// map, or the docs' PowerShell snippets.
    pub sources: Vec<String>,
}

/// A GUID that is no permission's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownId {
    /// The id, lower case.
    pub id: String,
}

/// What one request (or one argument without a request: an id, an unknown cmdlet, a
/// cmdlet without a cmdlet source) got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// An endpoint template matched.
    Endpoint(Answer),
    /// `POST /$batch`.
    Batch(Batch),
    /// A permission's scope or app-role id.
    Permission(PermissionId),
    /// No template matched.
    Miss(Miss),
    /// A cmdlet the command map does not know.
    UnknownCmdlet(UnknownCmdlet),
    /// A cmdlet, but no cmdlet source is loaded.
    NoCmdletSource(NoCmdletSource),
    /// A GUID that is no permission's id.
    UnknownId(UnknownId),
}

impl Outcome {
    /// Whether it answers its input (exit 0) rather than failing to (exit 1).
    pub fn answered(&self) -> bool {
        matches!(
            self,
            Outcome::Endpoint(_) | Outcome::Batch(_) | Outcome::Permission(_)
        )
    }
}

/// One entry of a report: the argument it came from and what it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The argument as given (a cmdlet gives one entry per request it makes).
    pub input: String,
    /// What it got.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Everything `permcat which` answers for a list of arguments; the site's lookup page
/// computes the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One per request, in input order, misses included, so each lines up with its
    /// input.
    pub answers: Vec<Entry>,
    /// With several endpoint answers: per scheme, the fewest permissions that allow
    /// them all.
    pub cover: Vec<(Scheme, Option<Vec<String>>)>,
}

impl Report {
    /// The endpoint answers, in order.
    pub fn endpoints(&self) -> impl Iterator<Item = &Answer> {
        self.answers.iter().filter_map(|e| match &e.outcome {
            Outcome::Endpoint(a) => Some(a),
            _ => None,
        })
    }

    /// Whether every input was answered.
    pub fn all_answered(&self) -> bool {
        self.answers.iter().all(|e| e.outcome.answered())
    }
}
