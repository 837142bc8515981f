//! Resource pages and the list of them: a Graph type's properties, JSON shape and
//! relationships, the endpoints that return it or act on it and the permissions each
//! needs. The same resource section also appears on a permission's page.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use askama::Template;
use rayon::prelude::*;

use super::frame::{sources_for, Site, SiteInfo, SourceView};
use super::markdown::{to_html, to_inline_html};
use super::Files;
use crate::model::{Catalog, Endpoint, Grant, Member, Resource, TypeRef};
use crate::slugs::{resource_href, type_href};

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

fn type_text(m: &Member) -> String {
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

fn member_rows(catalog: &Catalog, r: &Resource, members: &[Member]) -> Vec<MemberRow> {
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
    grants_by_key: &BTreeMap<(&str, &str), Vec<&Grant>>,
) -> Result<(String, Vec<u8>)> {
    let view = resource_view(catalog, r);
    let is_this = |t: &Option<TypeRef>| {
        t.as_ref()
            .is_some_and(|t| t.version == r.version && t.type_name == r.type_name)
    };
    let row = |e: &Endpoint| {
        let grants = grants_by_key
            .get(&(e.key.as_str(), e.method.as_str()))
            .cloned()
            .unwrap_or_default();
        // A permission least privileged for one account type is listed only as such.
        let mut least: BTreeSet<&str> = BTreeSet::new();
        let mut all: BTreeSet<&str> = BTreeSet::new();
        for g in &grants {
            all.insert(g.permission.as_str());
            if g.least_privileged {
                least.insert(g.permission.as_str());
            }
        }
        let others: Vec<&str> = all.difference(&least).copied().collect();
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
            returns: returns_text(Some(e), page.is_some()),
            returns_href: page
                .and_then(|t| type_href(catalog, t.version, &t.type_name))
                .unwrap_or_default(),
        }
    };
    let rows_where = |field: fn(&Endpoint) -> &Option<TypeRef>| -> Vec<ResourceEndpoint> {
        catalog
            .endpoints
            .iter()
            .filter(|e| is_this(field(e)))
            .map(&row)
            .collect()
    };
    let endpoints = rows_where(|e| &e.resource);
    let actions = rows_where(|e| &e.bound_to);
    let path = resource_href(r);
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
pub fn pages(catalog: &Catalog, info: &SiteInfo) -> Result<Files> {
    let mut grants_by_key: BTreeMap<(&str, &str), Vec<&Grant>> = BTreeMap::new();
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

#[derive(Template)]
#[template(path = "resources.html")]
struct ResourcesPage {
    site: Site,
    resources: Vec<ResourceView>,
}

/// The list of every resource page.
pub fn index_page(catalog: &Catalog, info: &SiteInfo) -> Result<(String, Vec<u8>)> {
    let resources = ResourcesPage {
        site: info.site(
            "resources/index.html",
            "Resources".into(),
            "Microsoft Graph resource types and the permissions that reach them.".into(),
        ),
        resources: catalog
            .resources
            .iter()
            .map(|r| resource_view(catalog, r))
            .collect(),
    };
    Ok((
        "resources/index.html".into(),
        resources.render()?.into_bytes(),
    ))
}
