//! Permission pages: what a permission lets an app do per type (Application,
//! Delegated), the resource it reaches, the Graph methods, cmdlets and code examples it
//! grants, how to register it, where sources disagree, and its JSON and CSV exports.

mod endpoints;
mod examples;
mod methods;

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use askama::Template;
use rayon::prelude::*;

use self::endpoints::{
    command_groups, granted, method_groups, CommandGroup, Granted, MethodGroup, MethodRow,
};
use self::examples::{examples, ExamplesView};
use super::conflicts::{conflict_groups, ConflictGroup};
use super::frame::{sources_for, Site, SiteInfo, SourceView};
use super::markdown::to_html;
use super::resource::{resource_view, ResourceView};
use super::write::SiteWriter;
use super::Files;
use crate::export::PermissionBundle;
use crate::model::{ApiVersion, Catalog, Conflict, Permission, PermissionType, Scheme, SchemeInfo};
use crate::slugs::{self, permission_file};

#[derive(Template)]
#[template(path = "permission.html")]
struct PermissionPage<'a> {
    site: Site,
    name: &'a str,
    slug: String,
    category: &'a str,
    /// Anchor of its category's heading on the index page.
    category_anchor: String,
    authorization: &'a str,
    summary_html: String,
    types: Vec<TypeBlock>,
    langs: Vec<(String, String)>,
    resource: Option<ResourceView>,
    resource_missing: String,
    methods: Vec<MethodGroup>,
    /// The first methods page, relative to the site root, when the page lists only
    /// some rows; empty otherwise.
    methods_href: String,
    /// How many method rows a page lists at most.
    methods_shown: usize,
    /// How many requests the permission is least privileged for, and for what else.
    reach: Reach,
    commands: Vec<CommandGroup>,
    commands_missing: String,
    examples: ExamplesView,
    examples_missing: String,
    /// How old the docs the examples come from are, when over a year: else empty.
    examples_age: String,
    registration: Registration,
    conflicts: Vec<ConflictGroup>,
    conflicts_total: usize,
    /// How many conflicts only reflect the age of a source.
    conflicts_aged: usize,
    sources: Vec<SourceView>,
}

/// Most conflicts of one kind a permission page lists; its JSON export has all of them.
const CONFLICTS_SHOWN: usize = 8;

/// Requests a summary line links to.
const TOP_REQUESTS: usize = 3;

/// The one-line reach of a permission: for how many requests it is the least privileged
/// choice, how many more it grants, and the requests people look for first.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Requests in v1.0 it is least privileged for (for some account type).
    pub least_v1: usize,
    /// Requests only in beta it is least privileged for.
    pub least_beta: usize,
    /// Every other request it grants.
    pub more: usize,
    /// The first rows of its method tables: (row id, method, path).
    pub top: Vec<(String, String, String)>,
}

/// Counts the reach over every granted request, not only the rows a table shows.
fn reach(endpoints: &[Granted<'_>], methods: &[MethodGroup]) -> Reach {
    let mut r = Reach::default();
    for g in endpoints {
        let least = g.grants.iter().any(|x| x.least_privileged);
        let (v1, beta) = g.endpoint.map_or((false, false), |e| {
            (
                e.versions.contains_key(&ApiVersion::V1_0),
                e.versions.contains_key(&ApiVersion::Beta),
            )
        });
        match (least, v1, beta) {
            (true, true, _) => r.least_v1 += 1,
            (true, false, true) => r.least_beta += 1,
            _ => r.more += 1,
        }
    }
    r.top = methods
        .iter()
        .find(|g| !g.rows.is_empty())
        .map(|g| {
            g.rows
                .iter()
                .take(TOP_REQUESTS)
                .map(|m: &MethodRow| (m.id.clone(), m.method.clone(), m.path.clone()))
                .collect()
        })
        .unwrap_or_default();
    r
}

/// Writes every permission's page, JSON and CSV as each is rendered.
pub(crate) fn pages(catalog: &Catalog, info: &SiteInfo, w: &SiteWriter) -> Result<()> {
    catalog
        .permissions
        .par_iter()
        .try_for_each(|p| w.write_all(page(catalog, info, p)?))
}

/// One permission's page with its JSON and CSV exports.
pub(crate) fn page(catalog: &Catalog, info: &SiteInfo, p: &Permission) -> Result<Files> {
    let slug = info.slugs.get(&p.name);
    let grants: Vec<_> = catalog.grants_of(&p.name).collect();
    let endpoints = granted(catalog, &grants);
    let types: Vec<TypeBlock> = [PermissionType::Application, PermissionType::Delegated]
        .into_iter()
        .map(|k| type_block(catalog, info, p, k))
        .collect();
    let summary = types
        .iter()
        .filter(|t| t.available)
        .find_map(|t| t.texts.first())
        .map(|t| t.admin_description_html.clone())
        .unwrap_or_default();
    let mut langs: BTreeSet<String> = BTreeSet::new();
    for s in p.schemes.values() {
        langs.extend(s.localized.keys().cloned());
    }
    let mut lang_list = vec![("en".to_string(), "English".to_string())];
    lang_list.extend(
        langs
            .into_iter()
            .map(|l| (l.clone(), language_name(&l).to_string())),
    );
    let resource = p
        .primary_resource
        .as_ref()
        .and_then(|t| catalog.resource(t.version, &t.type_name))
        .map(|r| resource_view(catalog, r));
    let resource_missing = if grants.is_empty() {
        "Not available: permissions.json grants this permission no path, so no resource can be derived.".to_string()
    } else {
        missing_reason(
            catalog,
            "msgraph-metadata",
            "Not available: none of this permission's paths resolves to a type in the schemas or type maps of this data.",
        )
        .unwrap_or_default()
    };
    let commands = command_groups(catalog, info, &p.name);
    let commands_missing =
        missing_reason(catalog, "msgraph-sdk-powershell", "").unwrap_or_default();
    let (examples, example_pages) = examples(catalog, info, p, &slug, &endpoints)?;
    let examples_age = ApiVersion::ALL
        .iter()
        .find_map(|v| catalog.source_age(&format!("docs:{v}")))
        .unwrap_or_default();
    let examples_missing = missing_reason(
        catalog,
        "microsoft-graph-docs",
        "No code example in the docs requests one of this permission's endpoints.",
    )
    .unwrap_or_default();
    let mut source_keys: BTreeSet<&str> = BTreeSet::new();
    for s in p.schemes.values() {
        source_keys.extend(s.sources.iter().map(String::as_str));
    }
    for g in &endpoints {
        source_keys.extend(g.grants.iter().map(|x| x.source.as_str()));
        if let Some(e) = g.endpoint {
            source_keys.extend(e.sources.iter().map(String::as_str));
        }
    }
    let resource_sources: Vec<String> = resource
        .iter()
        .flat_map(|r| r.sources.iter().map(|s| s.key.clone()))
        .collect();
    source_keys.extend(resource_sources.iter().map(String::as_str));
    let first_text = p
        .schemes
        .values()
        .find_map(|s| s.admin_description.clone())
        .unwrap_or_default();
    let path = permission_file(&slug, "html");
    let methods = method_groups(catalog, &endpoints, p.primary_resource.as_ref());
    let reach = reach(&endpoints, &methods);
    let (methods_href, method_pages) = methods::method_pages(catalog, info, p, &slug, &endpoints)?;
    let conflicts: Vec<&Conflict> = info.conflicts_of(catalog, &p.name).collect();
    let page = PermissionPage {
        site: info.site(
            &path,
            p.name.clone(),
            if first_text.is_empty() {
                format!(
                    "What the Microsoft Graph permission {} lets an app do.",
                    p.name
                )
            } else {
                first_text
            },
        ),
        name: &p.name,
        slug: slug.clone(),
        category: p.category(),
        category_anchor: format!("cat-{}", slugs::slug(p.category())),
        authorization: p
            .authorization_type
            .as_deref()
            .unwrap_or("authorization type unknown"),
        summary_html: summary,
        types,
        langs: lang_list,
        resource,
        resource_missing,
        methods,
        methods_href,
        methods_shown: endpoints::METHOD_ROWS_SHOWN,
        reach,
        commands,
        commands_missing,
        examples,
        examples_missing,
        examples_age,
        registration: registration(p),
        conflicts: conflict_groups(conflicts.iter().copied(), CONFLICTS_SHOWN),
        conflicts_total: conflicts.len(),
        conflicts_aged: conflicts
            .iter()
            .filter(|c| c.source_age.as_deref().is_some_and(|a| !a.is_empty()))
            .count(),
        sources: sources_for(catalog, source_keys),
    };
    let html = page
        .render()
        .with_context(|| format!("failed to render the page of {}", p.name))?;
    let bundle = PermissionBundle::with_conflicts(catalog, p, conflicts);
    let mut files = vec![
        (path, html.into_bytes()),
        (permission_file(&slug, "json"), bundle.to_json_compact()?),
        (permission_file(&slug, "csv"), bundle.to_csv()?),
    ];
    files.extend(example_pages);
    files.extend(method_pages);
    Ok(files)
}

/// Texts of one language.
#[derive(Debug, Clone)]
pub struct LocalizedView {
    /// Language tag, `en` for the original texts.
    pub lang: String,
    /// Display name for administrators.
    pub admin_display_name: String,
    /// Description for administrators, HTML.
    pub admin_description_html: String,
    /// Display name for users.
    pub user_display_name: String,
    /// Description for users, HTML.
    pub user_description_html: String,
}

/// The Application or Delegated block of a permission page.
#[derive(Debug, Clone)]
pub struct TypeBlock {
    /// "Application" or "Delegated".
    pub label: &'static str,
    /// Anchor id.
    pub anchor: &'static str,
    /// Whether the permission has this type at all.
    pub available: bool,
    /// What it allows, in one line: the English display name for administrators.
    pub what: String,
    /// GUID, or empty.
    pub id: String,
    /// When there is no Graph GUID: the ids provisioningInfo.json gives this name under
    /// other resource apps, as (id, app label).
    pub foreign_ids: Vec<(String, String)>,
    /// Whether admin consent is required: "Required", "Not required" or "Unknown".
    pub admin_consent: &'static str,
    /// Whether to badge admin consent.
    pub admin_required: bool,
    /// Privilege levels per scheme, e.g. "3" or "work 3 · personal 2"; empty if unknown.
    pub privilege: String,
    /// The highest level, for the badge colour (0 when unknown).
    pub privilege_max: u8,
    /// "Yes", "No" or "Unknown".
    pub enabled: &'static str,
    /// "Hidden from consent screens" when hidden.
    pub hidden: bool,
    /// Schemes, for people.
    pub schemes: Vec<&'static str>,
    /// False when only the descriptions file knows this type.
    pub listed: bool,
    /// Texts: English first, then each language.
    pub texts: Vec<LocalizedView>,
    /// Source keys.
    pub sources: Vec<SourceView>,
    /// Whether the page says anything of risk tiers: an application type, with the
    /// azure-tiering source read.
    pub risk_known: bool,
    /// The azure-tiering project's tier; `None` when it does not list the permission.
    pub risk: Option<RiskView>,
}

/// The azure-tiering project's risk tier of an application permission, for people.
#[derive(Debug, Clone)]
pub struct RiskView {
    /// "0", "1", "2", or empty when not tiered yet.
    pub tier: String,
    /// "Tier 0" or "Not tiered yet".
    pub label: String,
    /// The tier's name, e.g. "Family of Global Admins", or empty.
    pub name: String,
    /// The tier's definition, or empty.
    pub definition: String,
    /// `Direct` or `Indirect`, or empty.
    pub path_type: String,
    /// The known shortest path to Global Admin, or empty.
    pub shortest_path: String,
    /// An example attack, or empty.
    pub example: String,
    /// When the project noticed an untiered permission, or empty.
    pub detected_on: String,
    /// When Microsoft's privilege level and the tier disagree: the level.
    pub disagreeing_level: String,
    /// The file it comes from, with its date.
    pub source: Option<SourceView>,
}

fn risk_of(catalog: &Catalog, info: &SchemeInfo) -> Option<RiskView> {
    let t = info.tiering.as_ref()?;
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    Some(RiskView {
        tier: t.tier.map(|t| t.to_string()).unwrap_or_default(),
        label: match t.tier {
            Some(n) => format!("Tier {n}"),
            None => "Not tiered yet".into(),
        },
        name: text(&t.tier_name),
        definition: text(&t.tier_definition),
        path_type: text(&t.path_type),
        shortest_path: text(&t.shortest_path),
        example: text(&t.example),
        detected_on: text(&t.detected_on),
        disagreeing_level: if t.disagrees_with(info.privilege_level) {
            info.privilege_level.unwrap_or_default().to_string()
        } else {
            String::new()
        },
        source: sources_for(catalog, std::iter::once(t.source.as_str()))
            .into_iter()
            .next(),
    })
}

fn texts_of(info: &SchemeInfo) -> Vec<LocalizedView> {
    let mut out = vec![LocalizedView {
        lang: "en".into(),
        admin_display_name: info.admin_display_name.clone().unwrap_or_default(),
        admin_description_html: info
            .admin_description
            .as_deref()
            .map(to_html)
            .unwrap_or_default(),
        user_display_name: info.user_display_name.clone().unwrap_or_default(),
        user_description_html: info
            .user_description
            .as_deref()
            .map(to_html)
            .unwrap_or_default(),
    }];
    for (lang, t) in &info.localized {
        out.push(LocalizedView {
            lang: lang.clone(),
            admin_display_name: t.admin_display_name.clone().unwrap_or_default(),
            admin_description_html: t
                .admin_description
                .as_deref()
                .map(to_html)
                .unwrap_or_default(),
            user_display_name: t.user_display_name.clone().unwrap_or_default(),
            user_description_html: t
                .user_description
                .as_deref()
                .map(to_html)
                .unwrap_or_default(),
        });
    }
    out
}

/// Builds the block of one type.
pub fn type_block(
    catalog: &Catalog,
    info: &SiteInfo,
    p: &Permission,
    kind: PermissionType,
) -> TypeBlock {
    let (label, anchor) = match kind {
        PermissionType::Application => ("Application", "application"),
        PermissionType::Delegated => ("Delegated", "delegated"),
    };
    let schemes: Vec<&SchemeInfo> = p.schemes_of(kind).collect();
    let Some(first) = schemes.first() else {
        return TypeBlock {
            label,
            anchor,
            available: false,
            what: String::new(),
            id: String::new(),
            foreign_ids: Vec::new(),
            admin_consent: "Unknown",
            admin_required: false,
            privilege: String::new(),
            privilege_max: 0,
            enabled: "Unknown",
            hidden: false,
            schemes: Vec::new(),
            listed: false,
            texts: Vec::new(),
            sources: Vec::new(),
            risk_known: false,
            risk: None,
        };
    };
    let levels: Vec<(Scheme, u8)> = schemes
        .iter()
        .filter_map(|s| s.privilege_level.map(|l| (s.scheme, l)))
        .collect();
    let privilege = match levels.as_slice() {
        [] => String::new(),
        [(_, l)] => l.to_string(),
        many if many.iter().all(|(_, l)| *l == many[0].1) => many[0].1.to_string(),
        many => many
            .iter()
            .map(|(s, l)| {
                let who = if *s == Scheme::DelegatedPersonal {
                    "personal"
                } else {
                    "work"
                };
                format!("{who} {l}")
            })
            .collect::<Vec<_>>()
            .join(" · "),
    };
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Unknown",
    };
    TypeBlock {
        label,
        anchor,
        available: true,
        what: first.admin_display_name.clone().unwrap_or_default(),
        id: p.id_of(kind).unwrap_or_default().to_string(),
        foreign_ids: if p.id_of(kind).is_none() {
            info.foreign_ids_of(catalog, &p.name, kind)
                .map(|f| (f.id.clone(), f.app_label()))
                .collect()
        } else {
            Vec::new()
        },
        admin_consent: match first.requires_admin_consent {
            Some(true) => "Required",
            Some(false) => "Not required",
            None => "Unknown",
        },
        admin_required: first.requires_admin_consent == Some(true),
        privilege,
        privilege_max: levels.iter().map(|(_, l)| *l).max().unwrap_or(0),
        enabled: yes_no(first.is_enabled),
        hidden: schemes.iter().any(|s| s.is_hidden == Some(true)),
        schemes: schemes.iter().map(|s| s.scheme.label()).collect(),
        listed: schemes.iter().any(|s| s.in_permissions_json),
        texts: texts_of(first),
        risk_known: kind == PermissionType::Application && catalog.has_tiering(),
        risk: if kind == PermissionType::Application {
            schemes.iter().find_map(|s| risk_of(catalog, s))
        } else {
            None
        },
        sources: sources_for(
            catalog,
            schemes
                .iter()
                .flat_map(|s| s.sources.iter().map(String::as_str)),
        ),
    }
}

/// Display name of a language tag.
pub fn language_name(tag: &str) -> &str {
    match tag {
        "en" => "English",
        "de-DE" => "Deutsch",
        "es-ES" => "Español",
        "fr-FR" => "Français",
        "ja-JP" => "日本語",
        "pt-BR" => "Português (Brasil)",
        "ru-RU" => "Русский",
        "zh-CN" => "中文(简体)",
        other => other,
    }
}

/// The app registration steps of a permission.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Steps, plain text.
    pub steps: Vec<String>,
    /// Per type with a GUID: the registration in every form.
    pub forms: Vec<RegistrationForms>,
}

/// One type's registration in every form (`permcat registration` prints the same).
#[derive(Debug, Clone)]
pub struct RegistrationForms {
    /// "Delegated" or "Application".
    pub label: &'static str,
    /// `delegated` or `application`, for element ids.
    pub kind: &'static str,
    /// (form id, heading, text) per form.
    pub forms: Vec<(&'static str, &'static str, String)>,
}

fn registration(p: &Permission) -> Registration {
    let mut steps = vec![
        "In the Microsoft Entra admin center, open Identity › Applications › App registrations and select your app (or create one with New registration).".to_string(),
        "Open API permissions › Add a permission › Microsoft Graph.".to_string(),
    ];
    let kinds: Vec<PermissionType> = [PermissionType::Delegated, PermissionType::Application]
        .into_iter()
        .filter(|k| p.schemes_of(*k).next().is_some())
        .collect();
    let words: Vec<&str> = kinds
        .iter()
        .map(|k| match k {
            PermissionType::Delegated => {
                "Delegated permissions (the app acts for a signed-in user)"
            }
            PermissionType::Application => {
                "Application permissions (the app acts as itself, without a user)"
            }
        })
        .collect();
    steps.push(format!("Choose {}.", words.join(" or ")));
    steps.push(format!(
        "Search for {}, tick it and select Add permissions.",
        p.name
    ));
    let admin = p
        .schemes
        .values()
        .any(|s| s.requires_admin_consent == Some(true) || s.scheme == Scheme::Application);
    if admin {
        steps.push("Select Grant admin consent for your organization: an administrator must consent before the app can use it.".to_string());
    } else {
        steps.push("Users can consent themselves when they first sign in; an administrator may still grant consent for everyone.".to_string());
    }
    let forms = kinds
        .into_iter()
        .filter_map(|kind| {
            let id = p.id_of(kind).filter(|id| crate::model::is_guid(id))?;
            let pick = crate::registration::Pick {
                permission: p.name.clone(),
                kind,
                id: id.to_ascii_lowercase(),
                admin_consent: kind == PermissionType::Application
                    || p.schemes_of(kind)
                        .any(|s| s.requires_admin_consent == Some(true)),
            };
            let picks = [pick];
            Some(RegistrationForms {
                label: match kind {
                    PermissionType::Delegated => "Delegated",
                    PermissionType::Application => "Application",
                },
                kind: kind.as_str(),
                forms: crate::registration::Form::ALL
                    .into_iter()
                    .map(|f| (f.id(), f.label(), crate::registration::render(&picks, f)))
                    .collect(),
            })
        })
        .collect();
    Registration { steps, forms }
}

fn missing_reason(catalog: &Catalog, path_start: &str, fallback: &str) -> Option<String> {
    catalog
        .missing
        .iter()
        .find(|m| m.path.starts_with(path_start))
        .map(|m| {
            format!(
                "Not available: `{}` is not in this data, so {}.",
                m.path, m.consequence
            )
        })
        .or_else(|| (!fallback.is_empty()).then(|| fallback.to_string()))
}
