//! View models: everything a template shows, computed from the catalog in Rust so that
//! templates stay plain markup. Text from the data stays text here; templates escape
//! it, and the few HTML fields are built by [`super::markdown`].

use std::collections::{BTreeMap, BTreeSet};

use super::markdown::{is_web_url, to_html, to_inline_html};
use crate::model::{
    ApiVersion, Catalog, Endpoint, Grant, Permission, PermissionType, Resource, Scheme, SchemeInfo,
    SourceFile,
};
pub use crate::slugs::{assign_resource_slugs, short_hash, slug, SLUG_MAX};

/// The page file name ([`slug`]) of every permission, unique even where names differ
/// only in case — upstream has both `Calls.JoinGroupCallAsGuest.All` and
/// `Calls.JoinGroupCallasGuest.All` — or only in characters that [`slug`] replaces. On a
/// case-insensitive file system (macOS, Windows) such pages would overwrite each other,
/// so every name after the first (in catalog order) gets a `-2`, `-3`… suffix.
#[derive(Debug, Clone, Default)]
pub struct Slugs(BTreeMap<String, String>);

impl Slugs {
    /// Assigns the file names of the catalog's permissions.
    pub fn new(catalog: &Catalog) -> Slugs {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut map = BTreeMap::new();
        for p in &catalog.permissions {
            let base = slug(&p.name);
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.to_ascii_lowercase()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            map.insert(p.name.clone(), candidate);
        }
        Slugs(map)
    }

    /// The file name of the permission `name`; [`slug`] for a name not in the catalog
    /// (a permission a diff reports as removed has no page anyway).
    pub fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_else(|| slug(name))
    }
}

/// Path of a resource page relative to the site root.
pub fn resource_href(r: &Resource) -> String {
    let stem = if r.slug.is_empty() {
        slug(&r.type_name)
    } else {
        r.slug.clone()
    };
    format!("resources/{}/{stem}.html", r.version.as_str())
}

/// Path of the page of a resource type, when the catalog has one.
pub fn type_href(catalog: &Catalog, version: ApiVersion, type_name: &str) -> Option<String> {
    catalog.resource(version, type_name).map(resource_href)
}

/// A date as people write it: `2026-08-07` → `August 7, 2026`; other text unchanged.
pub fn human_date(date: Option<&str>) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let Some(d) = date else {
        return "date unknown".to_string();
    };
    let parts: Vec<&str> = d.get(..10).unwrap_or(d).split('-').collect();
    if let [y, m, day] = parts.as_slice() {
        if let (Ok(m), Ok(day)) = (m.parse::<usize>(), day.parse::<u32>()) {
            if (1..=12).contains(&m) && y.len() == 4 {
                return format!("{} {day}, {y}", MONTHS[m - 1]);
            }
        }
    }
    d.to_string()
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

/// A source file as shown in "Sources" lists.
#[derive(Debug, Clone)]
pub struct SourceView {
    /// Key other records use.
    pub key: String,
    /// Path in the data directory.
    pub path: String,
    /// `owner/name` or empty.
    pub repo: String,
    /// Short commit or empty.
    pub commit: String,
    /// Date or "date unknown".
    pub date: String,
    /// When the file is more than a year older than the permission data, how much.
    pub age: String,
}

impl SourceView {
    fn new(s: &SourceFile) -> SourceView {
        SourceView {
            key: s.key.clone(),
            path: s.path.clone(),
            repo: s.repo.clone().unwrap_or_default(),
            commit: s
                .commit
                .as_deref()
                .map(|c| c.chars().take(8).collect())
                .unwrap_or_default(),
            date: s.date.clone().unwrap_or_else(|| "date unknown".into()),
            age: String::new(),
        }
    }
}

/// Source views for a set of keys, in key order; unknown keys are skipped.
pub fn sources_for<'a>(
    catalog: &Catalog,
    keys: impl IntoIterator<Item = &'a str>,
) -> Vec<SourceView> {
    let keys: BTreeSet<&str> = keys.into_iter().collect();
    keys.into_iter()
        .filter_map(|k| catalog.sources.get(k))
        .map(|s| SourceView {
            age: catalog.source_age(&s.key).unwrap_or_default(),
            ..SourceView::new(s)
        })
        .collect()
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
pub fn type_block(catalog: &Catalog, p: &Permission, kind: PermissionType) -> TypeBlock {
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
        id: p.id_of(kind).unwrap_or_default().to_string(),
        foreign_ids: if p.id_of(kind).is_none() {
            catalog
                .foreign_ids_of(&p.name, kind)
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
        sources: sources_for(
            catalog,
            schemes
                .iter()
                .flat_map(|s| s.sources.iter().map(String::as_str)),
        ),
    }
}

/// One row of a "Graph methods" table.
#[derive(Debug, Clone)]
pub struct MethodRow {
    /// In the v1.0 table: whether beta has the endpoint too.
    pub also_beta: bool,
    /// HTTP method.
    pub method: String,
    /// Lower-case method for the CSS class.
    pub method_class: String,
    /// Readable path.
    pub path: String,
    /// Per scheme in [`Scheme::ALL`] order: "least" (permcat's one least-privileged
    /// choice), "flagged" (granted, also flagged least in permissions.json), "granted"
    /// or "".
    pub cells: Vec<&'static str>,
    /// Other permissions needed too.
    pub also_requires: String,
    /// Learn link of this version, or empty.
    pub doc_link: String,
    /// Title from the docs, or empty.
    pub title: String,
    /// Link to the resource page relative to the site root, or empty.
    pub resource_href: String,
    /// What it returns: the resource's short name (linked when `resource_href` is set),
    /// a type without a page (`Edm.Stream`), "no content" for an action that returns
    /// nothing, or empty when unknown.
    pub resource_name: String,
    /// Sources placing it in this version, for the tooltip.
    pub evidence: String,
}

/// What the "Returns" cell says of an endpoint: the short name of a resource with a
/// page, the full name of any other type, "no content" for an action without a return
/// type, nothing when unknown.
pub fn returns_text(e: Option<&Endpoint>, has_page: bool) -> String {
    let Some(e) = e else {
        return String::new();
    };
    match &e.resource {
        Some(t) if has_page => t
            .type_name
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_string(),
        Some(t) => t.type_name.clone(),
        None if e.returns_nothing => "no content".to_string(),
        None => String::new(),
    }
}

/// The methods of one API version (or of no confirmed version).
#[derive(Debug, Clone)]
pub struct MethodGroup {
    /// "v1.0", "beta" or "version not confirmed".
    pub label: String,
    /// Anchor id.
    pub anchor: String,
    /// Rows shown: least-privileged first, then by path.
    pub rows: Vec<MethodRow>,
    /// How many rows there are in all.
    pub total: usize,
    /// Why there are none.
    pub empty: String,
}

/// Most rows a method table shows; the exports hold every one. A few permissions grant
/// thousands of endpoints, and a page should stay quick to load and read.
pub const METHOD_ROWS_SHOWN: usize = 100;

/// A permission's endpoints with what it grants on each.
pub struct Granted<'a> {
    /// The endpoint.
    pub endpoint: Option<&'a Endpoint>,
    /// The grants of this permission on it.
    pub grants: Vec<&'a Grant>,
}

/// Groups a permission's grants by endpoint, in endpoint order.
pub fn granted<'a>(catalog: &'a Catalog, grants: &[&'a Grant]) -> Vec<Granted<'a>> {
    let mut by_key: BTreeMap<(&str, &str), Vec<&Grant>> = BTreeMap::new();
    for g in grants {
        by_key
            .entry((g.key.as_str(), g.method.as_str()))
            .or_default()
            .push(g);
    }
    by_key
        .into_iter()
        .map(|((key, method), grants)| Granted {
            endpoint: catalog.endpoint(method, key),
            grants,
        })
        .collect()
}

/// The method tables of a permission: v1.0, beta, then endpoints of unconfirmed version.
pub fn method_groups(catalog: &Catalog, endpoints: &[Granted<'_>]) -> Vec<MethodGroup> {
    let mut groups = Vec::new();
    // v1.0 rows say whether beta has them too, so beta lists only what v1.0 lacks:
    // the same endpoint is not shown twice.
    for version in [Some(ApiVersion::V1_0), Some(ApiVersion::Beta), None] {
        let mut rows = Vec::new();
        for g in endpoints {
            let in_group = match (version, g.endpoint) {
                (Some(ApiVersion::V1_0), Some(e)) => e.versions.contains_key(&ApiVersion::V1_0),
                (Some(ApiVersion::Beta), Some(e)) => {
                    e.versions.contains_key(&ApiVersion::Beta)
                        && !e.versions.contains_key(&ApiVersion::V1_0)
                }
                (None, Some(e)) => e.versions.is_empty(),
                (None, None) => true,
                (Some(_), None) => false,
            };
            if !in_group {
                continue;
            }
            let first = g.grants[0];
            let cells = Scheme::ALL
                .iter()
                .map(|s| {
                    let of: Vec<&&Grant> = g.grants.iter().filter(|x| x.scheme == *s).collect();
                    if of.iter().any(|x| x.least_privileged) {
                        "least"
                    } else if of.iter().any(|x| x.flagged_least) {
                        "flagged"
                    } else if of.is_empty() {
                        ""
                    } else {
                        "granted"
                    }
                })
                .collect();
            let also: BTreeSet<&str> = g
                .grants
                .iter()
                .flat_map(|x| x.also_requires.iter().map(String::as_str))
                .collect();
            let e = g.endpoint;
            let returned = e.and_then(|e| e.resource.as_ref());
            let resource = returned.filter(|t| catalog.resource(t.version, &t.type_name).is_some());
            rows.push(MethodRow {
                also_beta: version == Some(ApiVersion::V1_0)
                    && e.is_some_and(|e| e.versions.contains_key(&ApiVersion::Beta)),
                method: first.method.clone(),
                method_class: first.method.to_ascii_lowercase(),
                path: e.map_or(first.path.clone(), |e| e.path.clone()),
                cells,
                also_requires: also.into_iter().collect::<Vec<_>>().join(", "),
                doc_link: e
                    .and_then(|e| {
                        version
                            .and_then(|v| e.doc_links.get(&v))
                            .or_else(|| e.doc_links.values().next())
                    })
                    .cloned()
                    .unwrap_or_default(),
                title: e.and_then(|e| e.title.clone()).unwrap_or_default(),
                resource_href: resource
                    .and_then(|t| type_href(catalog, t.version, &t.type_name))
                    .unwrap_or_default(),
                resource_name: returns_text(e, resource.is_some()),
                evidence: e
                    .and_then(|e| version.and_then(|v| e.versions.get(&v)))
                    .map(|s| s.join(", "))
                    .unwrap_or_default(),
            });
        }
        let (label, anchor, empty) = match version {
            Some(ApiVersion::V1_0) => (
                "v1.0".to_string(),
                "methods-v10".to_string(),
                "No endpoint of this permission is known to exist in v1.0.".to_string(),
            ),
            Some(ApiVersion::Beta) => (
                "beta only".to_string(),
                "methods-beta".to_string(),
                "No endpoint of this permission exists in beta alone; the v1.0 endpoints marked beta are there too.".to_string(),
            ),
            None => (
                "Version not confirmed".to_string(),
                "methods-unconfirmed".to_string(),
                String::new(),
            ),
        };
        if version.is_none() && rows.is_empty() {
            continue;
        }
        let total = rows.len();
        rows.sort_by_key(|r| !r.cells.contains(&"least"));
        rows.truncate(METHOD_ROWS_SHOWN);
        groups.push(MethodGroup {
            label,
            anchor,
            rows,
            total,
            empty,
        });
    }
    groups
}

/// One cmdlet row.
#[derive(Debug, Clone)]
pub struct CommandRow {
    /// Cmdlet name.
    pub name: String,
    /// Module.
    pub module: String,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// What it does.
    pub title: String,
    /// Learn link.
    pub doc_link: String,
}

/// The cmdlets of one version.
#[derive(Debug, Clone)]
pub struct CommandGroup {
    /// "v1.0" or "beta".
    pub label: String,
    /// Anchor id.
    pub anchor: String,
    /// Rows.
    pub rows: Vec<CommandRow>,
}

/// PowerShell cmdlets for a permission's endpoints, per version.
pub fn command_groups(catalog: &Catalog, endpoints: &[Granted<'_>]) -> Vec<CommandGroup> {
    ApiVersion::ALL
        .iter()
        .map(|v| {
            let mut rows: Vec<CommandRow> = endpoints
                .iter()
                .filter_map(|g| g.endpoint)
                .flat_map(|e| catalog.commands_of(&e.method, &e.key))
                .filter(|c| c.version == Some(*v))
                .map(|c| CommandRow {
                    name: c.name.clone(),
                    module: c.module.clone(),
                    method: c.method.clone(),
                    path: c.path.clone(),
                    title: c.title.clone().unwrap_or_default(),
                    doc_link: c
                        .doc_link
                        .clone()
                        .filter(|u| is_web_url(u))
                        .unwrap_or_default(),
                })
                .collect();
            rows.sort_by(|a, b| (&a.name, &a.path).cmp(&(&b.name, &b.path)));
            rows.dedup_by(|a, b| a.name == b.name && a.path == b.path);
            CommandGroup {
                label: v.as_str().to_string(),
                anchor: format!("powershell-{}", v.as_str().replace('.', "")),
                rows,
            }
        })
        .collect()
}

/// One language of a code example.
#[derive(Debug, Clone)]
pub struct SnippetTab {
    /// Label, e.g. "C#".
    pub label: String,
    /// Element id suffix.
    pub id: String,
    /// The code.
    pub code: String,
}

/// One request with its code in several languages.
#[derive(Debug, Clone)]
pub struct Example {
    /// Element id prefix.
    pub id: String,
    /// Heading: the endpoint's title or the request.
    pub title: String,
    /// HTTP method.
    pub method: String,
    /// Path as the example writes it.
    pub path: String,
    /// API version.
    pub version: String,
    /// One tab per language, in a fixed language order.
    pub tabs: Vec<SnippetTab>,
}

/// Label and sort order of a snippet language folder.
pub fn language_label(lang: &str) -> (usize, String) {
    match lang {
        "csharp" => (0, "C#".into()),
        "javascript" => (1, "JavaScript".into()),
        "powershell" => (2, "PowerShell".into()),
        "python" => (3, "Python".into()),
        "go" => (4, "Go".into()),
        "java" => (5, "Java".into()),
        "php" => (6, "PHP".into()),
        "cli" => (7, "CLI".into()),
        other => (8, other.to_string()),
    }
}

/// Up to `limit` code examples for a permission's endpoints, v1.0 first.
pub fn examples(
    catalog: &Catalog,
    endpoints: &[Granted<'_>],
    limit: usize,
) -> (Vec<Example>, usize) {
    let mut by_request: BTreeMap<(ApiVersion, &str, &str, &str), Vec<&crate::model::Snippet>> =
        BTreeMap::new();
    for e in endpoints.iter().filter_map(|g| g.endpoint) {
        for s in catalog.snippets_of(&e.method, &e.key) {
            by_request
                .entry((
                    s.version,
                    s.key.as_str(),
                    s.method.as_str(),
                    s.request_name.as_str(),
                ))
                .or_default()
                .push(s);
        }
    }
    let total = by_request.len();
    let out = by_request
        .into_iter()
        .take(limit)
        .enumerate()
        .map(|(i, ((version, key, method, name), snippets))| {
            let mut tabs: Vec<(usize, SnippetTab)> = snippets
                .iter()
                .map(|s| {
                    let (order, label) = language_label(&s.language);
                    (
                        order,
                        SnippetTab {
                            label,
                            id: format!("ex{i}-{}", slug(&s.language)),
                            code: s.code.clone(),
                        },
                    )
                })
                .collect();
            tabs.sort_by(|a, b| (a.0, &a.1.label).cmp(&(b.0, &b.1.label)));
            tabs.dedup_by(|a, b| a.1.label == b.1.label);
            let endpoint = catalog.endpoint(method, key);
            Example {
                id: format!("ex{i}"),
                title: endpoint
                    .and_then(|e| e.title.clone())
                    .unwrap_or_else(|| name.to_string()),
                method: method.to_string(),
                path: snippets.first().map(|s| s.path.clone()).unwrap_or_default(),
                version: version.as_str().to_string(),
                tabs: tabs.into_iter().map(|(_, t)| t).collect(),
            }
        })
        .collect();
    (out, total)
}

/// A property or relationship row.
#[derive(Debug, Clone)]
pub struct MemberRow {
    /// Name.
    pub name: String,
    /// Type for people: `String`, `itemBody`, `directoryObject collection`; empty if
    /// unknown.
    pub type_text: String,
    /// Link to the type's page relative to the site root, or empty.
    pub type_href: String,
    /// Description HTML, or empty.
    pub description_html: String,
    /// "Inherited from entity" or empty.
    pub inherited: String,
}

/// The resource section of a page.
#[derive(Debug, Clone)]
pub struct ResourceView {
    /// Full type name.
    pub type_name: String,
    /// Short name.
    pub short_name: String,
    /// Version label.
    pub version: String,
    /// Page link relative to the site root.
    pub href: String,
    /// Fallback explanation as HTML, or empty.
    pub note_html: String,
    /// Description HTML.
    pub description_html: String,
    /// Properties.
    pub properties: Vec<MemberRow>,
    /// Relationships.
    pub relationships: Vec<MemberRow>,
    /// JSON representation, or empty.
    pub json: String,
    /// Learn page, or empty.
    pub doc_link: String,
    /// Sources.
    pub sources: Vec<SourceView>,
}

fn type_text(m: &crate::model::Member) -> String {
    if m.type_name.is_empty() {
        return String::new();
    }
    let short = m
        .type_name
        .strip_prefix("Edm.")
        .or_else(|| m.type_name.strip_prefix("microsoft.graph."))
        .unwrap_or(&m.type_name);
    if m.is_collection {
        format!("{short} collection")
    } else {
        short.to_string()
    }
}

fn member_rows(
    catalog: &Catalog,
    r: &Resource,
    members: &[crate::model::Member],
) -> Vec<MemberRow> {
    members
        .iter()
        .map(|m| MemberRow {
            name: m.name.clone(),
            type_text: type_text(m),
            type_href: type_href(catalog, r.version, &m.type_name).unwrap_or_default(),
            description_html: m
                .description
                .as_deref()
                .map(to_inline_html)
                .unwrap_or_default(),
            inherited: m
                .inherited_from
                .as_deref()
                .map(|t| format!("Inherited from {}", t.rsplit('.').next().unwrap_or(t)))
                .unwrap_or_default(),
        })
        .collect()
}

/// Builds the resource section.
pub fn resource_view(catalog: &Catalog, r: &Resource) -> ResourceView {
    ResourceView {
        type_name: r.type_name.clone(),
        short_name: r
            .type_name
            .rsplit('.')
            .next()
            .unwrap_or(&r.type_name)
            .to_string(),
        version: r.version.as_str().to_string(),
        href: resource_href(r),
        note_html: r.note.as_deref().map(to_inline_html).unwrap_or_default(),
        description_html: r.description.as_deref().map(to_html).unwrap_or_default(),
        properties: member_rows(catalog, r, &r.properties),
        relationships: member_rows(catalog, r, &r.relationships),
        json: r.json_representation.clone(),
        doc_link: r.doc_link.clone().unwrap_or_default(),
        sources: sources_for(catalog, r.sources.iter().map(String::as_str)),
    }
}

/// A conflict for people.
#[derive(Debug, Clone)]
pub struct ConflictView {
    /// Kind, kebab-case.
    pub kind: String,
    /// What disagrees.
    pub subject: String,
    /// (source key, claim).
    pub sides: Vec<(String, String)>,
    /// What permcat shows.
    pub resolution: String,
}

/// The conflicts of one kind on a page, collapsed under one plain sentence.
#[derive(Debug, Clone)]
pub struct ConflictGroup {
    /// Kind, kebab-case.
    pub kind: String,
    /// One sentence saying what the kind means.
    pub meaning: &'static str,
    /// "docs page from 2021-07-16" when every conflict here only reflects a source's
    /// age; empty for real disagreements.
    pub age: String,
    /// How many there are.
    pub total: usize,
    /// The ones shown.
    pub items: Vec<ConflictView>,
}

/// Groups conflicts by kind: real disagreements first, then the ones that only reflect
/// the age of a source, each group with up to `shown` conflicts.
pub fn conflict_groups<'a>(
    conflicts: impl Iterator<Item = &'a crate::model::Conflict>,
    shown: usize,
) -> Vec<ConflictGroup> {
    let mut groups: BTreeMap<(bool, String, String), Vec<&crate::model::Conflict>> =
        BTreeMap::new();
    for c in conflicts {
        let age = c.source_age.clone().unwrap_or_default();
        groups
            .entry((!age.is_empty(), c.kind.to_string(), age))
            .or_default()
            .push(c);
    }
    groups
        .into_iter()
        .map(|((_, kind, age), list)| ConflictGroup {
            meaning: conflict_meaning(&kind),
            total: list.len(),
            items: conflict_views(list.into_iter().take(shown)),
            kind,
            age,
        })
        .collect()
}

/// What a conflict kind means, in one sentence.
pub fn conflict_meaning(kind: &str) -> &'static str {
    match kind {
        "id-for-unlisted-type" => {
            "A GUID exists for a permission type that permissions.json does not list."
        }
        "unknown-permission" => {
            "permissions-descriptions.json lists a permission that permissions.json lacks."
        }
        "missing-id" => "permissions.json lists a type for which no source gives a GUID.",
        "id-mismatch" => "Two sources give different GUIDs.",
        "text-mismatch" => "Display names or descriptions differ between files.",
        "admin-consent-mismatch" => "The files disagree on whether admin consent is required.",
        "duplicate-grant" => "The same method and path appear more than once for a permission.",
        "undefined-scheme" => "A path set names a scheme the permission does not define.",
        "docs-permission-not-granted" => {
            "A docs permission table names a permission permissions.json does not grant there."
        }
        "docs-least-privileged-mismatch" => "The docs name another least-privileged permission.",
        "command-permission-not-granted" => {
            "The PowerShell command map lists a permission permissions.json does not grant there."
        }
        "command-least-privileged-mismatch" => {
            "The command map marks another permission as least privileged."
        }
        "least-privileged-missing" => {
            "permissions.json flags no permission least= for a request; permcat's rule picked one."
        }
        "least-privileged-duplicate" => {
            "permissions.json flags several permissions least= for one request; permcat's rule picked one."
        }
        "duplicate-key" => "A permission is defined twice in permissions.json; the first is kept.",
        "least-privileged-above-alternative" => {
            "A permission flagged least= has a higher privilege level than an unflagged one for the same request."
        }
        _ => "",
    }
}

/// Conflict views.
pub fn conflict_views<'a>(
    conflicts: impl Iterator<Item = &'a crate::model::Conflict>,
) -> Vec<ConflictView> {
    conflicts
        .map(|c| ConflictView {
            kind: c.kind.to_string(),
            subject: c.subject.clone(),
            sides: c
                .sides
                .iter()
                .map(|s| (s.source.clone(), s.value.clone()))
                .collect(),
            resolution: c.resolution.clone(),
        })
        .collect()
}
