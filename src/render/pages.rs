//! The page types and their renderers. Each renderer returns the files it makes; the
//! permission and resource pages render in parallel and come back in catalog order.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use askama::Template;
use rayon::prelude::*;

use super::views::{self, *};
use super::Files;
use crate::export::{self, Format, PermissionBundle, What};
use crate::model::{ApiVersion, Catalog, Permission, PermissionType, Resource, Scheme};

/// What every page's frame shows.
#[derive(Debug, Clone)]
pub struct Site {
    /// Relative path from the page to the site root: `""`, `"../"` or `"../../"`.
    pub root: String,
    /// Page title.
    pub title: String,
    /// Absolute canonical URL, or empty.
    pub canonical: String,
    /// Meta description.
    pub description: String,
    /// "Permission data" date for people.
    pub data_date: String,
    /// Whether the site has a "What changed" page to link from the navigation.
    pub has_changes: bool,
}

/// Facts shared by every page of one build.
pub struct SiteInfo {
    base: Option<String>,
    data_date: String,
    /// Index badge per permission ("new" or "changed") when built with a previous
    /// catalog; `None` without one.
    pub(crate) changes: Option<BTreeMap<String, &'static str>>,
    /// The page file name of every permission.
    pub(crate) slugs: views::Slugs,
}

impl SiteInfo {
    /// Collects the build-wide facts.
    pub fn new(catalog: &Catalog, base: Option<&str>) -> SiteInfo {
        SiteInfo {
            base: base.map(str::to_string),
            data_date: views::human_date(catalog.data_date.as_deref()),
            changes: None,
            slugs: views::Slugs::new(catalog),
        }
    }

    /// Public address of the site without a trailing slash, when given.
    pub(crate) fn base(&self) -> Option<&str> {
        self.base.as_deref()
    }

    pub(crate) fn site(&self, path: &str, title: String, description: String) -> Site {
        let depth = path.matches('/').count();
        Site {
            root: "../".repeat(depth),
            title,
            canonical: self
                .base
                .as_deref()
                .map(|b| format!("{b}/{path}"))
                .unwrap_or_default(),
            description,
            data_date: self.data_date.clone(),
            has_changes: self.changes.is_some(),
        }
    }
}

/// The app registration steps of a permission.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Steps, plain text.
    pub steps: Vec<String>,
    /// `requiredResourceAccess` entry, or empty when no GUID is known.
    pub manifest: String,
}

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
    commands: Vec<CommandGroup>,
    commands_missing: String,
    examples: Vec<Example>,
    examples_total: usize,
    examples_missing: String,
    /// How old the docs the examples come from are, when over a year: else empty.
    examples_age: String,
    registration: Registration,
    conflicts: Vec<views::ConflictGroup>,
    conflicts_total: usize,
    sources: Vec<SourceView>,
}

/// Most conflicts of one kind a permission page lists; its JSON export has all of them.
const CONFLICTS_SHOWN: usize = 20;

/// How many code examples a permission page shows; the rest are a click away in Learn.
const EXAMPLES_SHOWN: usize = 6;

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
    let mut access = Vec::new();
    for kind in kinds {
        if let Some(id) = p.id_of(kind) {
            let t = match kind {
                PermissionType::Delegated => "Scope",
                PermissionType::Application => "Role",
            };
            access.push(format!("        {{ \"id\": \"{id}\", \"type\": \"{t}\" }}"));
        }
    }
    let manifest = if access.is_empty() {
        String::new()
    } else {
        format!(
            "\"requiredResourceAccess\": [\n  {{\n    \"resourceAppId\": \"00000003-0000-0000-c000-000000000000\",\n    \"resourceAccess\": [\n{}\n    ]\n  }}\n]",
            access.join(",\n")
        )
    };
    Registration { steps, manifest }
}

pub(crate) fn permission_page(catalog: &Catalog, info: &SiteInfo, p: &Permission) -> Result<Files> {
    let slug = info.slugs.get(&p.name);
    let grants: Vec<_> = catalog.grants_of(&p.name).collect();
    let endpoints = views::granted(catalog, &grants);
    let types: Vec<TypeBlock> = [PermissionType::Application, PermissionType::Delegated]
        .into_iter()
        .map(|k| views::type_block(catalog, p, k))
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
            .map(|l| (l.clone(), views::language_name(&l).to_string())),
    );
    let resource = p
        .primary_resource
        .as_ref()
        .and_then(|t| catalog.resource(t.version, &t.type_name))
        .map(|r| views::resource_view(catalog, r));
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
    let commands = views::command_groups(catalog, &endpoints);
    let commands_missing =
        missing_reason(catalog, "msgraph-sdk-powershell", "").unwrap_or_default();
    let (examples, examples_total) = views::examples(catalog, &endpoints, EXAMPLES_SHOWN);
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
    let path = format!("permissions/{slug}.html");
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
        category_anchor: format!("cat-{}", views::slug(p.category())),
        authorization: p
            .authorization_type
            .as_deref()
            .unwrap_or("authorization type unknown"),
        summary_html: summary,
        types,
        langs: lang_list,
        resource,
        resource_missing,
        methods: views::method_groups(catalog, &endpoints),
        commands,
        commands_missing,
        examples,
        examples_total,
        examples_missing,
        examples_age,
        registration: registration(p),
        conflicts: views::conflict_groups(catalog.conflicts_of(&p.name), CONFLICTS_SHOWN),
        conflicts_total: catalog.conflicts_of(&p.name).count(),
        sources: views::sources_for(catalog, source_keys),
    };
    let html = page
        .render()
        .with_context(|| format!("failed to render the page of {}", p.name))?;
    let bundle = PermissionBundle::new(catalog, p);
    Ok(vec![
        (path, html.into_bytes()),
        (format!("permissions/{slug}.json"), bundle.to_json()?),
        (format!("permissions/{slug}.csv"), bundle.to_csv()?),
    ])
}

/// Every permission's page, JSON and CSV.
pub fn permission_pages(catalog: &Catalog, info: &SiteInfo) -> Result<Files> {
    let parts: Vec<Files> = catalog
        .permissions
        .par_iter()
        .map(|p| permission_page(catalog, info, p))
        .collect::<Result<_>>()?;
    Ok(parts.into_iter().flatten().collect())
}

/// One endpoint row of a resource page.
#[derive(Debug, Clone)]
pub struct ResourceEndpoint {
    method: String,
    path: String,
    versions: String,
    /// (name, slug) of least-privileged permissions.
    least: Vec<(String, String)>,
    /// (name, slug) of the other permissions granting it.
    others: Vec<(String, String)>,
    /// What it returns, as the permission pages' "Returns" cell says it.
    returns: String,
    /// Link to the page of the resource returned relative to the site root, or empty.
    returns_href: String,
}

#[derive(Template)]
#[template(path = "resource.html")]
struct ResourcePage {
    site: Site,
    r: ResourceView,
    /// Endpoints whose response is this type.
    endpoints: Vec<ResourceEndpoint>,
    /// Bound actions and functions that act on this type, whatever they return.
    actions: Vec<ResourceEndpoint>,
}

fn resource_page(
    catalog: &Catalog,
    info: &SiteInfo,
    r: &Resource,
    grants_by_key: &BTreeMap<(&str, &str), Vec<&crate::model::Grant>>,
) -> Result<(String, Vec<u8>)> {
    let view = views::resource_view(catalog, r);
    let is_this = |t: &Option<crate::model::TypeRef>| {
        t.as_ref()
            .is_some_and(|t| t.version == r.version && t.type_name == r.type_name)
    };
    let row = |e: &crate::model::Endpoint| {
        let grants = grants_by_key
            .get(&(e.key.as_str(), e.method.as_str()))
            .cloned()
            .unwrap_or_default();
        let least: BTreeSet<&str> = grants
            .iter()
            .filter(|g| g.least_privileged)
            .map(|g| g.permission.as_str())
            .collect();
        let others: BTreeSet<&str> = grants
            .iter()
            .map(|g| g.permission.as_str())
            .filter(|p| !least.contains(p))
            .collect();
        let pair = |p: &str| (p.to_string(), info.slugs.get(p));
        let page = e
            .resource
            .as_ref()
            .filter(|t| catalog.resource(t.version, &t.type_name).is_some());
        ResourceEndpoint {
            method: e.method.clone(),
            path: e.path.clone(),
            versions: e
                .versions
                .keys()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            least: least.into_iter().map(pair).collect(),
            others: others.into_iter().map(pair).collect(),
            returns: views::returns_text(Some(e), page.is_some()),
            returns_href: page
                .and_then(|t| views::type_href(catalog, t.version, &t.type_name))
                .unwrap_or_default(),
        }
    };
    let endpoints = catalog
        .endpoints
        .iter()
        .filter(|e| is_this(&e.resource))
        .map(row)
        .collect();
    let actions = catalog
        .endpoints
        .iter()
        .filter(|e| is_this(&e.bound_to))
        .map(row)
        .collect();
    let path = views::resource_href(r);
    let page = ResourcePage {
        site: info.site(
            &path,
            format!("{} ({})", view.short_name, view.version),
            format!(
                "The Microsoft Graph resource {} and the permissions that reach it.",
                r.type_name
            ),
        ),
        r: view,
        endpoints,
        actions,
    };
    let html = page
        .render()
        .with_context(|| format!("failed to render the page of {}", r.type_name))?;
    Ok((path, html.into_bytes()))
}

/// Every resource's page.
pub fn resource_pages(catalog: &Catalog, info: &SiteInfo) -> Result<Files> {
    let mut grants_by_key: BTreeMap<(&str, &str), Vec<&crate::model::Grant>> = BTreeMap::new();
    for g in &catalog.grants {
        grants_by_key
            .entry((g.key.as_str(), g.method.as_str()))
            .or_default()
            .push(g);
    }
    catalog
        .resources
        .par_iter()
        .map(|r| resource_page(catalog, info, r, &grants_by_key))
        .collect()
}

/// One permission in the index.
#[derive(Debug, Clone)]
pub struct IndexItem {
    name: String,
    slug: String,
    summary: String,
    types: String,
    type_text: String,
    admin: String,
    admin_badge: bool,
    privilege: String,
    level: u8,
    versions: String,
    conflicts: usize,
    /// `new`, `changed` or empty: the badge when the site was built with --previous.
    change: &'static str,
}

/// One category of the index.
#[derive(Debug, Clone)]
pub struct IndexCategory {
    name: String,
    anchor: String,
    items: Vec<IndexItem>,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    site: Site,
    total: usize,
    delegated: usize,
    application: usize,
    admin: usize,
    levels: Vec<u8>,
    categories: Vec<IndexCategory>,
}

#[derive(Template)]
#[template(path = "resources.html")]
struct ResourcesPage {
    site: Site,
    resources: Vec<ResourceView>,
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    site: Site,
    sources: Vec<SourceView>,
    missing: Vec<(String, String)>,
    counts: Vec<(String, String)>,
    /// (kind, count, meaning, how many only reflect a source's age).
    conflicts: Vec<(String, usize, String, usize)>,
    /// Sources more than a year older than the permission data: (key, age).
    aged: Vec<(String, String)>,
    downloads: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "404.html")]
struct NotFoundPage {
    site: Site,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    site: Site,
}

fn index_item(
    catalog: &Catalog,
    info: &SiteInfo,
    p: &Permission,
    versions_of: &BTreeMap<&str, BTreeSet<ApiVersion>>,
) -> IndexItem {
    let kinds: Vec<PermissionType> = [PermissionType::Delegated, PermissionType::Application]
        .into_iter()
        .filter(|k| p.schemes_of(*k).next().is_some())
        .collect();
    let admin: BTreeSet<&str> = p
        .schemes
        .values()
        .filter_map(|s| s.requires_admin_consent)
        .map(|b| if b { "yes" } else { "no" })
        .collect();
    let levels: BTreeSet<u8> = p
        .schemes
        .values()
        .filter_map(|s| s.privilege_level)
        .collect();
    let summary = p
        .schemes
        .values()
        .find_map(|s| s.admin_display_name.clone())
        .unwrap_or_default();
    IndexItem {
        name: p.name.clone(),
        slug: info.slugs.get(&p.name),
        summary,
        types: kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        type_text: kinds
            .iter()
            .map(|k| match k {
                PermissionType::Delegated => "Delegated",
                PermissionType::Application => "Application",
            })
            .collect::<Vec<_>>()
            .join(" · "),
        admin: admin.iter().copied().collect::<Vec<_>>().join(" "),
        admin_badge: admin.contains("yes"),
        privilege: levels
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(" "),
        level: levels.iter().max().copied().unwrap_or(0),
        versions: versions_of
            .get(p.name.as_str())
            .map(|v| v.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        conflicts: catalog.conflicts_of(&p.name).count(),
        change: "",
    }
}

/// The index, the resources list, the about page and the 404 page.
pub fn index_pages(catalog: &Catalog, info: &SiteInfo) -> Result<Files> {
    let mut versions_of: BTreeMap<&str, BTreeSet<ApiVersion>> = BTreeMap::new();
    for g in &catalog.grants {
        if let Some(e) = catalog.endpoint(&g.method, &g.key) {
            versions_of
                .entry(g.permission.as_str())
                .or_default()
                .extend(e.versions.keys().copied());
        }
    }
    let mut categories: BTreeMap<String, Vec<IndexItem>> = BTreeMap::new();
    for p in &catalog.permissions {
        categories
            .entry(p.category().to_string())
            .or_default()
            .push(IndexItem {
                change: info
                    .changes
                    .as_ref()
                    .and_then(|c| c.get(&p.name).copied())
                    .unwrap_or(""),
                ..index_item(catalog, info, p, &versions_of)
            });
    }
    let count = |k: PermissionType| {
        catalog
            .permissions
            .iter()
            .filter(|p| p.schemes_of(k).next().is_some())
            .count()
    };
    let mut levels: BTreeSet<u8> = BTreeSet::new();
    for p in &catalog.permissions {
        levels.extend(p.schemes.values().filter_map(|s| s.privilege_level));
    }
    let index = IndexPage {
        site: info.site(
            "index.html",
            "Microsoft Graph permissions".into(),
            "Every Microsoft Graph permission: what it lets an app do, which endpoints it grants, and where Microsoft's sources disagree.".into(),
        ),
        total: catalog.permissions.len(),
        delegated: count(PermissionType::Delegated),
        application: count(PermissionType::Application),
        admin: catalog
            .permissions
            .iter()
            .filter(|p| p.schemes.values().any(|s| s.requires_admin_consent == Some(true)))
            .count(),
        levels: levels.into_iter().collect(),
        categories: categories
            .into_iter()
            .map(|(name, items)| IndexCategory {
                anchor: views::slug(&name),
                name,
                items,
            })
            .collect(),
    };
    let resources = ResourcesPage {
        site: info.site(
            "resources/index.html",
            "Resources".into(),
            "Microsoft Graph resource types and the permissions that reach them.".into(),
        ),
        resources: catalog
            .resources
            .iter()
            .map(|r| views::resource_view(catalog, r))
            .collect(),
    };
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &catalog.conflicts {
        let e = by_kind.entry(c.kind.as_str()).or_default();
        e.0 += 1;
        e.1 += usize::from(c.source_age.is_some());
    }
    let about = AboutPage {
        site: info.site(
            "about.html",
            "Data & sources".into(),
            "The upstream files behind this catalog, their commits and dates.".into(),
        ),
        sources: views::sources_for(catalog, catalog.sources.keys().map(String::as_str)),
        missing: catalog
            .missing
            .iter()
            .map(|m| (m.path.clone(), m.consequence.clone()))
            .collect(),
        counts: vec![
            ("Permissions".into(), catalog.permissions.len().to_string()),
            ("Grants".into(), catalog.grants.len().to_string()),
            ("Endpoints".into(), catalog.endpoints.len().to_string()),
            ("Resources".into(), catalog.resources.len().to_string()),
            (
                "PowerShell cmdlets".into(),
                catalog.commands.len().to_string(),
            ),
            ("Code examples".into(), catalog.snippets.len().to_string()),
            ("Conflicts".into(), catalog.conflicts.len().to_string()),
        ],
        conflicts: by_kind
            .into_iter()
            .map(|(k, (n, aged))| {
                (
                    k.to_string(),
                    n,
                    views::conflict_meaning(k).to_string(),
                    aged,
                )
            })
            .collect(),
        aged: catalog
            .sources
            .keys()
            .filter_map(|k| catalog.source_age(k).map(|a| (k.clone(), a)))
            .collect(),
        downloads: What::ALL.iter().map(|w| w.as_str()).collect(),
    };
    let mut not_found = NotFoundPage {
        site: info.site("404.html", "Page not found".into(), "No page here.".into()),
    };
    // The 404 page answers for any address, so its links start at the server's root.
    not_found.site.root = "/".into();
    let lookup = LookupPage {
        site: info.site(
            "lookup.html",
            "Which permission do I need?".into(),
            "Paste a Microsoft Graph request or PowerShell cmdlet and get the least privileged permission.".into(),
        ),
    };
    Ok(vec![
        ("index.html".into(), index.render()?.into_bytes()),
        ("lookup.html".into(), lookup.render()?.into_bytes()),
        (
            "resources/index.html".into(),
            resources.render()?.into_bytes(),
        ),
        ("about.html".into(), about.render()?.into_bytes()),
        ("404.html".into(), not_found.render()?.into_bytes()),
    ])
}

/// The catalog-wide exports, the same bytes `permcat export` writes.
pub fn downloads(catalog: &Catalog) -> Result<Files> {
    let mut files = Vec::new();
    for what in What::ALL {
        for (format, ext) in [(Format::Json, "json"), (Format::Csv, "csv")] {
            files.push((
                format!("downloads/{what}.{ext}"),
                export::to_bytes(catalog, what, format)?,
            ));
        }
    }
    Ok(files)
}

/// A sitemap of every HTML page but the 404 page.
pub fn sitemap(base: &str, files: &Files) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut pages: Vec<&str> = files
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| p.ends_with(".html") && *p != "404.html")
        .collect();
    pages.sort();
    for p in pages {
        out.push_str("  <url><loc>");
        out.push_str(&xml_escape(&format!("{base}/{p}")));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// Escapes text for XML 1.0 content and attributes. Characters XML 1.0 forbids even as
/// references (C0 controls other than tab, newline and carriage return, U+FFFE, U+FFFF)
/// are written as visible `[U+0001]` text, so no data can make a feed or sitemap invalid.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("[U+{:04X}]", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}
