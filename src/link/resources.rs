//! Resources: the CSDL types endpoints return, with properties, relationships and a
//! JSON representation, descriptions filled from the docs where the schema has none;
//! and each permission's primary resource.

use crate::hash::{HashMap, HashSet};
use std::collections::BTreeMap;

use super::endpoints::learn_resource_link;
use super::resolve::NameMatcher;
use super::Linker;
use crate::model::{ApiVersion, Endpoint, Grant, Member, Permission, Resource, TypeRef};
use crate::sources::csdl::{Csdl, FoundType};
use crate::sources::docs::{Docs, Member as DocsMember, ResourcePage};

/// A loaded schema with its source key.
pub(super) struct Schema<'a> {
    pub version: ApiVersion,
    pub source: String,
    pub csdl: &'a Csdl,
}

/// Docs resource pages by (version, lower-case full type name), and by (version,
/// lower-case slug) for the links of type cells.
#[derive(Default)]
pub(super) struct ResourcePages<'d> {
    by_type: HashMap<(ApiVersion, String), &'d ResourcePage>,
    by_slug: HashMap<(ApiVersion, String), &'d ResourcePage>,
}

impl<'d> ResourcePages<'d> {
    /// The page of a type: of the same version first, else the other version's.
    fn of_type(&self, version: ApiVersion, type_name: &str) -> Option<&'d ResourcePage> {
        let lower = type_name.to_ascii_lowercase();
        let other = ApiVersion::ALL.into_iter().filter(|v| *v != version);
        std::iter::once(version)
            .chain(other)
            .find_map(|v| self.by_type.get(&(v, lower.clone())).copied())
    }

    /// The type a docs member is of: the `@odata.type` of the page its type cell links
    /// to (which knows the namespace), else the name the cell writes.
    fn member_type(&self, page: &ResourcePage, m: &DocsMember) -> Option<(String, bool)> {
        let (written, collection) = m.graph_type()?;
        let linked = m.type_link().and_then(|target| {
            let file = target.rsplit('/').next()?.split(['#', '?']).next()?;
            let slug = file.strip_suffix(".md")?.to_ascii_lowercase();
            let to = self.by_slug.get(&(page.version, slug))?;
            let t = to.odata_type.as_deref()?.trim().trim_start_matches('#');
            // A link to a page of another type than the cell names is a docs slip.
            let short = |n: &str| n.rsplit('.').next().unwrap_or(n).to_ascii_lowercase();
            (short(t) == short(&written)).then(|| t.to_string())
        });
        Some((linked.unwrap_or(written), collection))
    }
}

pub(super) fn index_resource_pages(docs: Option<&Docs>) -> ResourcePages<'_> {
    let mut index = ResourcePages::default();
    for set in docs.iter().flat_map(|d| &d.sets) {
        for page in &set.resources {
            index
                .by_slug
                .insert((set.version, page.slug.to_ascii_lowercase()), page);
            let full = page
                .odata_type
                .clone()
                .unwrap_or_else(|| format!("microsoft.graph.{}", page.type_name));
            let full = full.trim_start_matches('#').to_ascii_lowercase();
            // Several pages may claim a type (`intune-devices-user` and `user`): the
            // page named after the type wins, then the shortest name.
            let short = full.rsplit('.').next().unwrap_or_default().to_string();
            let rank = |p: &ResourcePage| (p.slug.to_ascii_lowercase() != short, p.slug.len());
            index
                .by_type
                .entry((set.version, full))
                .and_modify(|old: &mut &ResourcePage| {
                    if rank(page) < rank(old) {
                        *old = page;
                    }
                })
                .or_insert(page);
        }
    }
    index
}

impl Linker {
    /// Builds one [`Resource`] per type that some endpoint returns or some action or
    /// function is bound to.
    pub(super) fn build_resources(
        &mut self,
        endpoints: &[Endpoint],
        schemas: &[Schema<'_>],
        docs: Option<&Docs>,
        matcher: Option<&NameMatcher<'_>>,
    ) {
        let pages = index_resource_pages(docs);
        let mut wanted: Vec<&TypeRef> = endpoints
            .iter()
            .flat_map(|e| e.resource.iter().chain(&e.bound_to))
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut from_type_maps: Vec<Resource> = Vec::new();
        for t in wanted {
            let schema = schemas.iter().find(|s| s.version == t.version);
            let Some((schema, st)) = schema.and_then(|s| match s.csdl.find_type(&t.type_name) {
                Some(FoundType::Structured(st)) => Some((s, st)),
                _ => None,
            }) else {
                if let Some(resource) = self.resource_without_schema(t, schemas, matcher, &pages) {
                    from_type_maps.push(resource);
                }
                continue;
            };
            let page = pages.of_type(t.version, &st.full_name);
            let docs_key = page.map(|p| self.docs_source_key(p.version));
            let describe = |name: &str, csdl_text: &Option<String>, rels: bool| {
                if let Some(d) = csdl_text.as_ref().filter(|d| !d.trim().is_empty()) {
                    return (Some(d.clone()), Some(schema.source.clone()));
                }
                let from_docs = page.and_then(|p| {
                    let list = if rels {
                        &p.relationships
                    } else {
                        &p.properties
                    };
                    list.iter()
                        .find(|m| m.name.eq_ignore_ascii_case(name))
                        .map(|m| m.description.trim().to_string())
                        .filter(|d| !d.is_empty())
                });
                match from_docs {
                    Some(d) => (Some(d), docs_key.clone()),
                    None => (None, None),
                }
            };
            let inherited = |declared_in: &str| {
                (!declared_in.eq_ignore_ascii_case(&st.full_name)).then(|| declared_in.to_string())
            };
            let properties: Vec<Member> = schema
                .csdl
                .all_properties(&st.full_name)
                .into_iter()
                .map(|p| {
                    let (description, description_source) =
                        describe(&p.item.name, &p.item.doc.description, false);
                    Member {
                        name: p.item.name.clone(),
                        type_name: p.item.type_name.clone(),
                        is_collection: p.item.is_collection,
                        description,
                        description_source,
                        inherited_from: inherited(p.declared_in),
                    }
                })
                .collect();
            let relationships: Vec<Member> = schema
                .csdl
                .all_navigation_properties(&st.full_name)
                .into_iter()
                .map(|n| {
                    let (description, description_source) =
                        describe(&n.item.name, &n.item.doc.description, true);
                    Member {
                        name: n.item.name.clone(),
                        type_name: n.item.type_name.clone(),
                        is_collection: n.item.is_collection,
                        description,
                        description_source,
                        inherited_from: inherited(n.declared_in),
                    }
                })
                .collect();
            let mut sources = vec![schema.source.clone()];
            sources.extend(docs_key.clone());
            sources.sort();
            sources.dedup();
            let description = st
                .doc
                .description
                .clone()
                .or_else(|| page.and_then(|p| p.description.clone()));
            self.catalog.resources.push(Resource {
                type_name: st.full_name.clone(),
                version: t.version,
                note: (t.version != ApiVersion::V1_0).then(|| {
                    format!(
                        "Shown from {} metadata because the v1.0 schema has no type `{}`.",
                        t.version, st.full_name
                    )
                }),
                description,
                base_types: schema
                    .csdl
                    .base_chain(&st.full_name)
                    .into_iter()
                    .skip(1)
                    .map(|b| b.full_name.clone())
                    .collect(),
                json_representation: json_representation(
                    &[schema.csdl],
                    &st.full_name,
                    &properties,
                ),
                json_source: Some("schema".into()),
                properties,
                relationships,
                doc_link: page.map(|p| learn_resource_link(&p.slug, p.version)),
                sources,
                slug: String::new(),
            });
        }
        // A type wanted under a version whose schema lacks it can come back from the type
        // map under the other version, where a schema already described it in full
        // (`termStore.store`: beta paths, a 2020 beta schema, a v1.0 type map). One
        // resource per version and type: the schema's, else the first type map's.
        let mut seen: HashSet<(ApiVersion, String)> = self
            .catalog
            .resources
            .iter()
            .map(|r| (r.version, r.type_name.to_ascii_lowercase()))
            .collect();
        self.catalog.resources.extend(
            from_type_maps
                .into_iter()
                .filter(|r| seen.insert((r.version, r.type_name.to_ascii_lowercase()))),
        );
    }

    /// A resource no schema of the data defines: its member names from the type map,
    /// and from its Learn resource page, when the docs have one, the members' types and
    /// descriptions and the JSON representation. Without a page (or a JSON block on
    /// it) the JSON representation is generated from the members known.
    fn resource_without_schema(
        &mut self,
        t: &TypeRef,
        schemas: &[Schema<'_>],
        matcher: Option<&NameMatcher<'_>>,
        pages: &ResourcePages<'_>,
    ) -> Option<Resource> {
        let names = matcher.and_then(|m| m.type_names(&t.type_name));
        let page = pages.of_type(t.version, &t.type_name);
        let version = names.map(|(v, _)| v).or(page.map(|p| p.version))?;
        let docs_key = page.map(|p| self.docs_source_key(p.version));
        // A name the page lists twice (two tables) is taken from its first row.
        let from_docs = |members: &[DocsMember], p: &ResourcePage| -> Vec<Member> {
            let mut seen = HashSet::default();
            members
                .iter()
                .filter(|m| seen.insert(m.name.to_ascii_lowercase()))
                .map(|m| {
                    let (type_name, is_collection) = pages.member_type(p, m).unwrap_or_default();
                    let description =
                        Some(m.description.trim().to_string()).filter(|d| !d.is_empty());
                    Member {
                        name: m.name.clone(),
                        type_name,
                        is_collection,
                        description_source: description.as_ref().and(docs_key.clone()),
                        description,
                        inherited_from: None,
                    }
                })
                .collect()
        };
        let name_only = |name: &String| Member {
            name: name.clone(),
            type_name: String::new(),
            is_collection: false,
            description: None,
            description_source: None,
            inherited_from: None,
        };
        // The page's rows in its order, then the names only the type map has.
        let merge = |docs: Vec<Member>, names: Option<&Vec<String>>| {
            let mut out = docs;
            for n in names.into_iter().flatten() {
                if !out.iter().any(|m| m.name.eq_ignore_ascii_case(n)) {
                    out.push(name_only(n));
                }
            }
            out
        };
        let properties = merge(
            page.map(|p| from_docs(&p.properties, p))
                .unwrap_or_default(),
            names.map(|(_, n)| &n.properties),
        );
        let relationships = merge(
            page.map(|p| from_docs(&p.relationships, p))
                .unwrap_or_default(),
            names.map(|(_, n)| &n.navigation_properties),
        );
        let docs_json = page
            .and_then(|p| p.json_representation.clone())
            .filter(|j| !j.trim().is_empty());
        let csdls: Vec<&Csdl> = schemas.iter().map(|s| s.csdl).collect();
        let (json, json_source) = match docs_json {
            Some(j) => (j, "docs"),
            None if properties.is_empty() => (String::new(), "members"),
            None => (
                json_representation(&csdls, &t.type_name, &properties),
                "members",
            ),
        };
        let mut sources: Vec<String> = names
            .map(|(v, _)| format!("typemap:{v}"))
            .into_iter()
            .collect();
        sources.extend(docs_key.clone());
        let names_from = names.map(|(v, _)| format!("the {v} type map"));
        let page_from = page.map(|p| format!("the {} Learn resource page `{}`", p.version, p.slug));
        let json_text = match json_source {
            "docs" => "its JSON representation is the page's",
            _ if properties.is_empty() => "no member is known, so there is no JSON representation",
            _ if page.is_some() => {
                "the page has no JSON representation, so permcat generated one from the members known"
            }
            _ => "permcat generated the JSON representation from those names, without types",
        };
        let note = match (&names_from, &page_from) {
            (Some(n), Some(p)) => format!(
                "No schema in this data defines `{}`; its member names come from {n} and {p}, \
                 their types and descriptions from the page, and {json_text}.",
                t.type_name
            ),
            (Some(n), None) => format!(
                "No schema in this data defines `{}`; its member names come from {n}, which \
                 lists names only, and the type was matched to the request paths by name; \
                 {json_text}.",
                t.type_name
            ),
            (None, Some(p)) => format!(
                "No schema and no type map in this data defines `{}`; its members, their \
                 types and descriptions come from {p}, and {json_text}.",
                t.type_name
            ),
            (None, None) => return None,
        };
        Some(Resource {
            type_name: t.type_name.clone(),
            version,
            note: Some(note),
            description: page.and_then(|p| p.description.clone()),
            base_types: Vec::new(),
            properties,
            relationships,
            json_representation: json,
            json_source: Some(json_source.to_string()),
            doc_link: page.map(|p| learn_resource_link(&p.slug, p.version)),
            sources,
            slug: String::new(),
        })
    }
}

/// Gives each permission the resource its endpoints return most, counting each
/// endpoint as 1 / (number of path segments): `/users/{id}` says more about what a
/// permission is for than `/users/{id}/manager/$ref`. A type the permission's
/// category names (`User` → `user`, `Sites` → `site`) counts three times; ties go to
/// the first by name.
///
/// An action is counted by what it returns, not by what it is bound to: `sendMail`
/// returns nothing, and being bound to `user` does not make Mail.Send about users.
/// Only a permission none of whose endpoints returns a resource type (its actions
/// return nothing, its functions text or numbers) is given the type its actions and
/// functions act on most, weighed the same way (Mail.Send: `message`, which `send`,
/// `reply` and `forward` act on).
pub(super) fn assign_primary_resources(
    grants: &[Grant],
    permissions: &mut BTreeMap<String, Permission>,
    endpoints: &[Endpoint],
) {
    let by_key: HashMap<(&str, &str), &Endpoint> = endpoints
        .iter()
        .map(|e| ((e.key.as_str(), e.method.as_str()), e))
        .collect();
    type Weights<'e> = BTreeMap<&'e str, BTreeMap<&'e TypeRef, f64>>;
    let mut returned: Weights<'_> = BTreeMap::new();
    let mut acted_on: Weights<'_> = BTreeMap::new();
    let mut seen = crate::hash::HashSet::default();
    for g in grants {
        if !seen.insert((g.permission.as_str(), g.key.as_str(), g.method.as_str())) {
            continue;
        }
        let Some(e) = by_key.get(&(g.key.as_str(), g.method.as_str())) else {
            continue;
        };
        let segments = e.key.split('/').filter(|s| !s.is_empty()).count().max(1);
        let weight = 1.0 / segments as f64;
        let resource = e
            .resource
            .as_ref()
            .filter(|t| !t.type_name.starts_with("Edm."));
        let (weights, t) = match (resource, &e.bound_to) {
            (Some(t), _) => (&mut returned, t),
            // Nothing, a primitive or an unknown type returned: the type acted on.
            (None, Some(t)) => (&mut acted_on, t),
            (None, None) => continue,
        };
        *weights
            .entry(g.permission.as_str())
            .or_default()
            .entry(t)
            .or_default() += weight;
    }
    for perm in permissions.values_mut() {
        let Some(types) = returned
            .get(perm.name.as_str())
            .or_else(|| acted_on.get(perm.name.as_str()))
        else {
            continue;
        };
        let category = perm.category().to_ascii_lowercase().replace('-', "");
        let named = |t: &TypeRef| {
            let short = t.type_name.rsplit('.').next().unwrap_or_default();
            category.contains(&short.to_ascii_lowercase())
        };
        perm.primary_resource = types
            .iter()
            .max_by(|(a, wa), (b, wb)| {
                named(a)
                    .cmp(&named(b))
                    .then_with(|| wa.total_cmp(wb))
                    .then_with(|| b.cmp(a))
            })
            .map(|(t, _)| (*t).clone());
    }
}

/// A JSON representation in the style of the Graph docs: each structural property with
/// a placeholder of its type, complex values as nested objects naming their type. Types
/// are looked up in each schema in turn; a member of unknown type says so.
pub fn json_representation(csdls: &[&Csdl], full_name: &str, properties: &[Member]) -> String {
    let mut out = String::from("{\n");
    let mut lines = vec![format!(
        "  \"@odata.type\": {}",
        json_string(&format!("#{full_name}"))
    )];
    for p in properties {
        let value = placeholder(csdls, p);
        let value = if p.is_collection {
            format!("[{value}]")
        } else {
            value
        };
        lines.push(format!("  {}: {value}", json_string(&p.name)));
    }
    out.push_str(&lines.join(",\n"));
    out.push_str("\n}");
    out
}

fn placeholder(csdls: &[&Csdl], p: &Member) -> String {
    let t = p.type_name.as_str();
    let text = match t {
        "" => "(type unknown)",
        "Edm.String" if p.name == "id" => "String (identifier)",
        "Edm.String" => "String",
        "Edm.DateTimeOffset" => "String (timestamp)",
        "Edm.Date" => "String (date)",
        "Edm.TimeOfDay" => "String (time)",
        "Edm.Duration" => "String (duration)",
        "Edm.Guid" => "String (guid)",
        "Edm.Binary" | "Edm.Stream" => "String (binary)",
        "Edm.Boolean" => return "\"Boolean\"".into(),
        "Edm.Int16" | "Edm.Int32" | "Edm.Int64" | "Edm.Byte" | "Edm.SByte" => {
            return format!("\"{}\"", t.trim_start_matches("Edm."))
        }
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => {
            return format!("\"{}\"", t.trim_start_matches("Edm."))
        }
        _ => match csdls.iter().find_map(|c| c.find_type(t)) {
            Some(FoundType::Enum(e)) => return json_string(&format!("String ({})", e.name)),
            Some(FoundType::Structured(s)) => {
                return format!("{{\"@odata.type\": {}}}", json_string(&s.full_name))
            }
            None => t,
        },
    };
    json_string(text)
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()))
}
