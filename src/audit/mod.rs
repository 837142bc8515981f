//! `permcat audit`: what an app was granted, resolved against the catalog (name, type,
//! GUID, admin consent, privilege level, risk tier), and with the requests it makes, the
//! least-privileged permission per request, the fewest that cover them all per account
//! type, the grants no request needs (excess) and the permissions it lacks (missing).
//!
//! The result is plain data in the shape `permcat audit --json` prints
//! (`schema/audit.schema.json`); [`output`] renders it as text, CSV or Markdown.

pub mod index;
pub mod input;
pub mod output;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use input::{read, Claimed, Input, InputFormat, GRAPH_APP_ID};

use crate::lookup::{cover, Answer, Lookup, Outcome};
use crate::model::{app_name, Catalog, PermissionType, Scheme, SchemeInfo, Tiering};

/// Version of the audit's JSON shape.
pub const AUDIT_VERSION: u32 = 1;

/// The account types an audit weighs: an organization's app is used with work or school
/// accounts, or without a user.
pub const AUDITED: [Scheme; 2] = [Scheme::DelegatedWork, Scheme::Application];

/// What one claimed grant turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A Microsoft Graph permission.
    Graph,
    /// A permission of another resource app.
    OtherResourceApp,
    /// Nothing permcat knows.
    Unknown,
}

/// The risk tier of a granted application permission, as the audit reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    /// 0, 1 or 2; `None` when not tiered yet.
    pub tier: Option<u8>,
    /// The tier's name.
    pub tier_name: Option<String>,
    /// `Direct` or `Indirect`.
    pub path_type: Option<String>,
    /// The known shortest path to Global Admin.
    pub shortest_path: Option<String>,
    /// Whether Microsoft's privilege level disagrees with the tier.
    pub disagrees_with_privilege_level: bool,
}

impl Risk {
    fn of(t: &Tiering, level: Option<u8>) -> Risk {
        Risk {
            tier: t.tier,
            tier_name: t.tier_name.clone(),
            path_type: t.path_type.clone(),
            shortest_path: t.shortest_path.clone(),
            disagrees_with_privilege_level: t.disagrees_with(level),
        }
    }
}

/// One granted permission, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Granted {
    /// The text it came from.
    pub input: String,
    /// Line of a plain list.
    pub line: Option<usize>,
    /// What it is.
    pub status: Status,
    /// The permission's name, when known.
    pub permission: Option<String>,
    /// Delegated or application, when known.
    #[serde(rename = "type")]
    pub kind: Option<PermissionType>,
    /// The GUID, when known.
    pub id: Option<String>,
    /// The resource app's id, when known.
    pub resource_app_id: Option<String>,
    /// The resource app's name, when known.
    pub resource_app: Option<String>,
    /// Whether an administrator must consent.
    pub requires_admin_consent: Option<bool>,
    /// Microsoft's privilege level, 1–5.
    pub privilege_level: Option<u8>,
    /// The azure-tiering risk tier of an application permission; `None` when not listed
    /// or the source is absent.
    pub risk: Option<Risk>,
    /// What else to know, in words.
    pub note: Option<String>,
}

/// What one request needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestNeed {
    /// The request line as given.
    pub input: String,
    /// Its line in the requests file, 1-based.
    pub line: usize,
    /// The endpoint template that answered it; `None` when none did.
    pub template: Option<String>,
    /// Per audited account type: the least-privileged permission (`None`: the type
    /// cannot make this request).
    pub least_privileged: BTreeMap<Scheme, Option<String>>,
    /// Per audited account type: the granted permissions that allow it.
    pub allowed_by: BTreeMap<Scheme, Vec<String>>,
    /// Why there is no answer, when there is none.
    pub note: Option<String>,
}

/// A granted permission no request needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excess {
    /// Permission name.
    pub permission: String,
    /// How many requests it allows (each covered by the needed set as well).
    pub allows_requests: usize,
}

/// The verdict for one account type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeVerdict {
    /// The account type.
    pub scheme: Scheme,
    /// The fewest permissions that allow every request this type can make.
    pub needed: Vec<String>,
    /// Permissions to add: the fewest that allow the requests no grant allows.
    pub missing: Vec<String>,
    /// Granted permissions of this type outside `needed`.
    pub excess: Vec<Excess>,
    /// Requests (their input lines) this type cannot make at all.
    pub not_possible: Vec<String>,
}

/// What was found, for `--fail-on`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Findings {
    /// Granted application permissions rated Tier 0.
    pub tier0: Vec<String>,
    /// Granted permissions no request needs, over all account types.
    pub excess: usize,
    /// Permissions to add, over all account types.
    pub missing: usize,
    /// Grants permcat does not know, and requests no endpoint answers.
    pub unknown: usize,
}

/// The audit.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    /// Shape name, `permcat.audit`.
    pub format: &'static str,
    /// Shape version.
    pub version: u32,
    /// Date of the permission data.
    pub data_date: Option<String>,
    /// How the input was read.
    pub input_format: &'static str,
    /// Every grant, resolved, in input order.
    pub grants: Vec<Granted>,
    /// With requests: what each needs.
    pub requests: Option<Vec<RequestNeed>>,
    /// With requests: per account type the app holds grants of (both when it holds no
    /// Graph grant), needed, missing and excess.
    pub verdicts: Option<Vec<SchemeVerdict>>,
    /// What was found.
    pub findings: Findings,
    /// Whether the risk tiers were loaded: without them, `tier0` is empty for want of data.
    pub risk_tiers_loaded: bool,
}

/// Resolves the claimed grants of `input` and, with `requests` (line number and request
/// line, as `which` takes them), weighs them against what the requests need.
pub fn audit(
    catalog: &Catalog,
    lookup: &Lookup<'_>,
    input: &Input,
    requests: Option<&[(usize, String)]>,
) -> Audit {
    let ids = ids_by_first_match(catalog);
    let mut suggested = 0;
    let mut grants: Vec<Granted> = Vec::new();
    for c in &input.claimed {
        grants.extend(resolve(catalog, &ids, c, &mut suggested));
    }
    let mut findings = Findings {
        tier0: grants
            .iter()
            .filter(|g| g.risk.as_ref().is_some_and(|r| r.tier == Some(0)))
            .filter_map(|g| g.permission.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        unknown: grants
            .iter()
            .filter(|g| g.status == Status::Unknown)
            .count(),
        ..Findings::default()
    };
    let (needs, verdicts) = match requests {
        Some(lines) => {
            let (needs, verdicts) = weigh(lookup, &grants, lines);
            findings.unknown += needs.iter().filter(|n| n.template.is_none()).count();
            findings.excess = verdicts.iter().map(|v| v.excess.len()).sum();
            findings.missing = verdicts.iter().map(|v| v.missing.len()).sum();
            (Some(needs), Some(verdicts))
        }
        None => (None, None),
    };
    Audit {
        format: "permcat.audit",
        version: AUDIT_VERSION,
        data_date: catalog.data_date.clone(),
        input_format: input.format.as_str(),
        grants,
        requests: needs,
        verdicts,
        findings,
        risk_tiers_loaded: catalog.has_tiering(),
    }
}

/// What the audit says of one type of a Graph permission: its GUID, the highest
/// privilege level of its schemes, admin consent (always for application permissions;
/// else the first scheme's) and risk tier. The site's audit index holds the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeFacts {
    /// The GUID.
    pub id: Option<String>,
    /// The highest privilege level.
    pub privilege_level: Option<u8>,
    /// Whether an administrator must consent.
    pub requires_admin_consent: Option<bool>,
    /// The risk tier.
    pub risk: Option<Risk>,
}

/// The facts of `p`'s `kind` type; `None` when it has no such type.
pub fn type_facts(p: &crate::model::Permission, kind: PermissionType) -> Option<TypeFacts> {
    let schemes: Vec<&SchemeInfo> = p.schemes_of(kind).collect();
    let first = schemes.first()?;
    let level = schemes.iter().filter_map(|s| s.privilege_level).max();
    Some(TypeFacts {
        id: p.id_of(kind).map(str::to_string),
        privilege_level: level,
        requires_admin_consent: if kind == PermissionType::Application {
            Some(true)
        } else {
            first.requires_admin_consent
        },
        risk: schemes
            .iter()
            .find_map(|s| s.tiering.as_ref())
            .map(|t| Risk::of(t, level)),
    })
}

fn graph(catalog: &Catalog, c: &Claimed, name: &str, kind: PermissionType) -> Granted {
    let facts = catalog.permission(name).and_then(|p| type_facts(p, kind));
    let facts = facts.unwrap_or(TypeFacts {
        id: None,
        privilege_level: None,
        requires_admin_consent: None,
        risk: None,
    });
    Granted {
        input: c.input.clone(),
        line: c.line,
        status: Status::Graph,
        permission: Some(name.to_string()),
        kind: Some(kind),
        id: facts.id,
        resource_app_id: Some(GRAPH_APP_ID.into()),
        resource_app: Some("Microsoft Graph".into()),
        requires_admin_consent: facts.requires_admin_consent,
        privilege_level: facts.privilege_level,
        risk: facts.risk,
        note: None,
    }
}

fn other(c: &Claimed, status: Status, note: Option<String>) -> Granted {
    Granted {
        input: c.input.clone(),
        line: c.line,
        status,
        permission: None,
        kind: c.kind,
        id: c.id.clone(),
        resource_app_id: c.resource_app_id.clone(),
        resource_app: c
            .resource_app_id
            .as_deref()
            .and_then(app_name)
            .map(str::to_string)
            .or_else(|| c.resource_name.clone()),
        requires_admin_consent: None,
        privilege_level: None,
        risk: None,
        note,
    }
}

/// Unknown names that get "did you mean" suggestions, in input order: each costs a
/// comparison with every permission name, so a list of a million unknown names stays
/// quick.
pub const SUGGESTED_NAMES: usize = 100;

/// Each GUID's permission (its index in catalog order) and type, as
/// `Catalog::permission_by_id` finds it — the first permission, then its first scheme —
/// made once, so an input of many GUIDs does not scan the catalog for each. The site's
/// audit index holds the same.
pub fn ids_by_first_match(
    catalog: &Catalog,
) -> std::collections::HashMap<&str, (usize, PermissionType)> {
    let mut ids = std::collections::HashMap::new();
    for (i, p) in catalog.permissions.iter().enumerate() {
        for s in p.schemes.values() {
            if let Some(id) = &s.id {
                ids.entry(id.as_str()).or_insert((i, s.scheme.kind()));
            }
        }
    }
    ids
}

/// What one claimed grant is; a name without a type stands for each type it has.
/// `ids` is [`ids_by_first_match`]; `suggested` counts the unknown names given
/// suggestions so far.
fn resolve(
    catalog: &Catalog,
    ids: &std::collections::HashMap<&str, (usize, PermissionType)>,
    c: &Claimed,
    suggested: &mut usize,
) -> Vec<Granted> {
    let for_graph = c
        .resource_app_id
        .as_deref()
        .is_none_or(|a| a == GRAPH_APP_ID);
    if let Some(id) = &c.id {
        if !for_graph {
            // Another resource app: its own ids, named when provisioningInfo.json knows them.
            let known = catalog
                .foreign_id(id)
                .find(|f| Some(f.resource_app_id.as_str()) == c.resource_app_id.as_deref());
            let note = known.map(|f| format!("{} ({})", f.permission, f.scheme));
            let mut g = other(c, Status::OtherResourceApp, note);
            g.permission = known.map(|f| f.permission.clone());
            return vec![g];
        }
        if let Some(&(i, kind)) = ids.get(id.as_str()) {
            let p = &catalog.permissions[i];
            let mut g = graph(catalog, c, &p.name, kind);
            if c.kind.is_some_and(|k| k != kind) {
                g.note = Some(format!(
                    "the input calls it {}, but {id} is the {kind} id of {}",
                    c.kind.map(|k| k.as_str()).unwrap_or_default(),
                    p.name
                ));
            }
            return vec![g];
        }
        if let Some(f) = catalog.foreign_id(id).next() {
            let mut g = other(
                c,
                Status::OtherResourceApp,
                Some(format!(
                    "{} ({}) of {}",
                    f.permission,
                    f.scheme,
                    f.app_label()
                )),
            );
            g.permission = Some(f.permission.clone());
            g.resource_app_id = Some(f.resource_app_id.clone());
            g.resource_app = f.app_name().map(str::to_string);
            return vec![g];
        }
        let tiered = catalog
            .unlisted_tiers
            .iter()
            .find(|u| u.id.as_deref() == Some(id.as_str()));
        let note = match tiered {
            Some(u) => Some(format!(
                "not in Microsoft's permission files; azure-tiering names it {} ({})",
                u.permission,
                u.tier
                    .map_or("not tiered yet".into(), |t| format!("Tier {t}"))
            )),
            None if id == "00000000-0000-0000-0000-000000000000" => {
                Some("the default app role: access to the app without a permission".into())
            }
            None => match c.resource_name.as_deref() {
                Some(n) if n != "Microsoft Graph" => {
                    return vec![other(c, Status::OtherResourceApp, None)];
                }
                _ => Some("no Microsoft Graph permission has this id".into()),
            },
        };
        let mut g = other(c, Status::Unknown, note);
        if let Some(u) = tiered {
            g.permission = Some(u.permission.clone());
            g.risk = Some(Risk {
                tier: u.tier,
                tier_name: None,
                path_type: None,
                shortest_path: None,
                disagrees_with_privilege_level: false,
            });
        }
        return vec![g];
    }
    if !for_graph {
        return vec![other(c, Status::OtherResourceApp, None)];
    }
    let Some(p) = catalog.permission_ignore_case(&c.input) else {
        let note = match c.resource_name.as_deref() {
            Some(n) if n != "Microsoft Graph" => {
                return vec![other(c, Status::OtherResourceApp, None)];
            }
            _ => {
                // The first 128 characters, so a huge line costs no more than a name.
                let q: String = c.input.chars().take(128).collect();
                let close = if *suggested < SUGGESTED_NAMES {
                    *suggested += 1;
                    crate::model::closest_names(catalog, &q, 3)
                } else {
                    Vec::new()
                };
                if close.is_empty() {
                    "no Microsoft Graph permission has this name".to_string()
                } else {
                    format!(
                        "no Microsoft Graph permission has this name; did you mean {}?",
                        close.join(", ")
                    )
                }
            }
        };
        return vec![other(c, Status::Unknown, Some(note))];
    };
    let kinds: Vec<PermissionType> = match c.kind {
        Some(k) => vec![k],
        None => [PermissionType::Delegated, PermissionType::Application]
            .into_iter()
            .filter(|k| p.schemes_of(*k).next().is_some())
            .collect(),
    };
    if kinds.iter().all(|k| p.schemes_of(*k).next().is_none()) {
        let mut g = other(
            c,
            Status::Unknown,
            Some(format!(
                "{} has no {} type",
                p.name,
                c.kind.map(|k| k.as_str()).unwrap_or_default()
            )),
        );
        g.permission = Some(p.name.clone());
        return vec![g];
    }
    kinds
        .into_iter()
        .map(|k| graph(catalog, c, &p.name, k))
        .collect()
}

/// The answers of the request lines, each request's need, and the verdict per audited
/// account type.
fn weigh(
    lookup: &Lookup<'_>,
    grants: &[Granted],
    lines: &[(usize, String)],
) -> (Vec<RequestNeed>, Vec<SchemeVerdict>) {
    let granted = |kind: PermissionType| -> BTreeSet<&str> {
        grants
            .iter()
            .filter(|g| g.status == Status::Graph && g.kind == Some(kind))
            .filter_map(|g| g.permission.as_deref())
            .collect()
    };
    let granted: BTreeMap<Scheme, BTreeSet<&str>> =
        AUDITED.iter().map(|s| (*s, granted(s.kind()))).collect();
    // The account types the app was granted permissions of; with no Graph grant at
    // all, both, to say what each would need.
    let mut audited: Vec<Scheme> = AUDITED
        .into_iter()
        .filter(|s| !granted[s].is_empty())
        .collect();
    if audited.is_empty() {
        audited = AUDITED.to_vec();
    }
    let mut needs = Vec::new();
    let mut answers: Vec<(usize, Answer)> = Vec::new();
    for (number, line) in lines {
        let text = line.trim();
        let report = match lookup.query(std::slice::from_ref(&text.to_string())) {
            Ok(r) => r,
            Err(e) => {
                needs.push(RequestNeed {
                    input: text.to_string(),
                    line: *number,
                    template: None,
                    least_privileged: BTreeMap::new(),
                    allowed_by: BTreeMap::new(),
                    note: Some(e.to_string()),
                });
                continue;
            }
        };
        for entry in report.answers {
            let mut need = RequestNeed {
                input: entry.input.clone(),
                line: *number,
                template: None,
                least_privileged: BTreeMap::new(),
                allowed_by: BTreeMap::new(),
                note: None,
            };
            match entry.outcome {
                Outcome::Endpoint(a) => {
                    need.template = Some(a.template.clone());
                    for s in AUDITED {
                        let list = a.schemes.get(&s).filter(|l| !l.is_empty());
                        need.least_privileged
                            .insert(s, list.map(|l| l[0].permission.clone()));
                        let allowed = list
                            .into_iter()
                            .flatten()
                            .filter(|c| allows(&granted[&s], &c.permission, &c.also_requires))
                            .map(|c| c.permission.clone())
                            .collect();
                        need.allowed_by.insert(s, allowed);
                    }
                    answers.push((needs.len(), a));
                }
                Outcome::Batch(b) => {
                    need.template = Some(b.template);
                    need.note = Some(b.note);
                }
                Outcome::Miss(_) => {
                    need.note = Some("no known endpoint matches this request".into());
                }
                Outcome::Permission(_) | Outcome::UnknownId(_) => {
                    need.note = Some("a permission id, not a request".into());
                }
                Outcome::UnknownCmdlet(_) => {
                    need.note = Some("no known cmdlet has this name".into())
                }
                Outcome::NoCmdletSource(_) => {
                    need.note = Some("no cmdlet source is loaded".into());
                }
            }
            needs.push(need);
        }
    }
    let verdicts = audited
        .into_iter()
        .map(|s| {
            let possible: Vec<&(usize, Answer)> = answers
                .iter()
                .filter(|(_, a)| a.schemes.get(&s).is_some_and(|l| !l.is_empty()))
                .collect();
            let not_possible = answers
                .iter()
                .filter(|(_, a)| a.schemes.get(&s).is_none_or(|l| l.is_empty()))
                .map(|(i, _)| needs[*i].input.clone())
                .collect();
            let all: Vec<Answer> = possible.iter().map(|(_, a)| a.clone()).collect();
            let needed = cover(&all, s).unwrap_or_default();
            let unmet: Vec<Answer> = possible
                .iter()
                .filter(|(i, _)| needs[*i].allowed_by.get(&s).is_none_or(Vec::is_empty))
                .map(|(_, a)| a.clone())
                .collect();
            let missing = cover(&unmet, s).unwrap_or_default();
            let excess = granted[&s]
                .iter()
                .filter(|p| !needed.iter().any(|n| n == *p))
                .map(|p| Excess {
                    permission: p.to_string(),
                    allows_requests: possible
                        .iter()
                        .filter(|(i, _)| needs[*i].allowed_by[&s].iter().any(|a| a == p))
                        .count(),
                })
                .collect();
            SchemeVerdict {
                scheme: s,
                needed,
                missing,
                excess,
                not_possible,
            }
        })
        .collect();
    (needs, verdicts)
}

/// Whether the granted set allows a candidate: it and everything it also requires.
fn allows(granted: &BTreeSet<&str>, permission: &str, also: &[String]) -> bool {
    granted.contains(permission) && also.iter().all(|a| granted.contains(a.as_str()))
}
