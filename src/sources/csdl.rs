//! `msgraph-metadata` CSDL (EDMX XML): the types, entity sets, singletons and operations
//! of Microsoft Graph, with the descriptions Microsoft attaches to them.
//!
//! The parser reads the whole document with `roxmltree`, resolves namespace aliases
//! (`graph.user` → `microsoft.graph.user`), turns `Collection(T)` into `(T, true)` and
//! attaches `Org.OData.Core.V1.Description` / `LongDescription` annotations, whether they
//! sit inline on an element or in an `<Annotations Target="...">` block. Whatever it does
//! not model is counted in [`ParseStats`] rather than rejected, so a newer upstream file
//! with extra elements still loads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use roxmltree::{Document, Node};
use serde::{Deserialize, Serialize};

use super::DataDir;
pub use crate::model::ApiVersion;

/// Folder of the v1.0 CSDL files, relative to the data directory.
pub const V1_0_DIR: &str = "msgraph-metadata/clean_v10_metadata";
/// Folder of the beta CSDL files, relative to the data directory.
pub const BETA_DIR: &str = "msgraph-metadata/clean_beta_metadata";

/// Term of the short description annotation.
const DESCRIPTION: &str = "Org.OData.Core.V1.Description";
/// Term of the long description annotation.
const LONG_DESCRIPTION: &str = "Org.OData.Core.V1.LongDescription";

/// Folder of a version's CSDL files, relative to the data directory.
pub fn metadata_dir(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1_0 => V1_0_DIR,
        ApiVersion::Beta => BETA_DIR,
    }
}

/// A parsed CSDL document, flattened across its schemas. Maps are keyed by full name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Csdl {
    /// The schemas' namespaces and aliases, in document order.
    pub namespaces: Vec<Namespace>,
    /// Entity types by full name (`microsoft.graph.user`).
    pub entity_types: BTreeMap<String, StructuredType>,
    /// Complex types by full name.
    pub complex_types: BTreeMap<String, StructuredType>,
    /// Enum types by full name.
    pub enum_types: BTreeMap<String, EnumType>,
    /// Full name of the entity container (`microsoft.graph.GraphService`), if any.
    pub container: Option<String>,
    /// Entity sets of the container by name (`users`).
    pub entity_sets: BTreeMap<String, ContainerElement>,
    /// Singletons of the container by name (`me`).
    pub singletons: BTreeMap<String, ContainerElement>,
    /// Functions, sorted by full name then binding type; overloads keep document order.
    pub functions: Vec<Operation>,
    /// Actions, sorted like `functions`.
    pub actions: Vec<Operation>,
    /// What the parser counted, skipped or could not attach.
    pub stats: ParseStats,
}

/// A schema's namespace and its optional alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    /// Namespace, e.g. `microsoft.graph.security`.
    pub name: String,
    /// Alias, e.g. `graph` or `self`.
    pub alias: Option<String>,
}

/// Whether a structured type is an entity type or a complex type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeKind {
    /// `<EntityType>`: has a key and can be addressed.
    Entity,
    /// `<ComplexType>`: a value without identity.
    Complex,
}

/// An entity or complex type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StructuredType {
    /// Simple name, e.g. `user`.
    pub name: String,
    /// Namespace, e.g. `microsoft.graph`.
    pub namespace: String,
    /// Full name, e.g. `microsoft.graph.user`.
    pub full_name: String,
    /// Entity or complex.
    pub kind: TypeKind,
    /// Full name of the base type, aliases resolved.
    pub base_type: Option<String>,
    /// `Abstract="true"`.
    pub is_abstract: bool,
    /// `OpenType="true"`.
    pub open_type: bool,
    /// `HasStream="true"` (media entities such as photos).
    pub has_stream: bool,
    /// Names of the key properties declared on this type (usually only on `entity`).
    pub key: Vec<String>,
    /// Structural properties declared on this type, in document order.
    pub properties: Vec<Property>,
    /// Navigation properties declared on this type, in document order.
    pub navigation_properties: Vec<NavigationProperty>,
    /// `Core.Description`.
    pub description: Option<String>,
    /// `Core.LongDescription`.
    pub long_description: Option<String>,
}

/// A structural property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    /// Property name, e.g. `displayName`.
    pub name: String,
    /// Full type name without `Collection(...)`, e.g. `Edm.String`.
    pub type_name: String,
    /// The type was `Collection(...)`.
    pub is_collection: bool,
    /// `Nullable` as written; `None` when absent (CSDL's default is nullable).
    pub nullable: Option<bool>,
    /// `Core.Description`.
    pub description: Option<String>,
    /// `Core.LongDescription`.
    pub long_description: Option<String>,
}

/// A navigation property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NavigationProperty {
    /// Property name, e.g. `messages`.
    pub name: String,
    /// Full target type name without `Collection(...)`.
    pub type_name: String,
    /// The type was `Collection(...)`.
    pub is_collection: bool,
    /// `Nullable` as written.
    pub nullable: Option<bool>,
    /// `ContainsTarget="true"`: the targets live under this property's path.
    pub contains_target: bool,
    /// `Core.Description`.
    pub description: Option<String>,
    /// `Core.LongDescription`.
    pub long_description: Option<String>,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumType {
    /// Simple name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Full name.
    pub full_name: String,
    /// `IsFlags="true"`.
    pub is_flags: bool,
    /// `UnderlyingType`, aliases resolved; `None` means `Edm.Int32`.
    pub underlying_type: Option<String>,
    /// Members in document order.
    pub members: Vec<EnumMember>,
    /// `Core.Description`.
    pub description: Option<String>,
    /// `Core.LongDescription`.
    pub long_description: Option<String>,
}

/// One enum member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumMember {
    /// Member name.
    pub name: String,
    /// `Value`; `None` when absent or not an integer.
    pub value: Option<i64>,
    /// `Core.Description`.
    pub description: Option<String>,
}

/// An entity set or singleton of the entity container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerElement {
    /// Name, e.g. `users` or `me`.
    pub name: String,
    /// Full entity type name, e.g. `microsoft.graph.user`.
    pub type_name: String,
    /// `NavigationPropertyBinding`s: navigation path → target entity set.
    pub navigation_bindings: BTreeMap<String, String>,
    /// `Core.Description`.
    pub description: Option<String>,
    /// `Core.LongDescription`.
    pub long_description: Option<String>,
}

/// Function or action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperationKind {
    /// `<Function>`: no side effects, called with GET.
    Function,
    /// `<Action>`: may have side effects, called with POST.
    Action,
}

/// A function or action (one overload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Function or action.
    pub kind: OperationKind,
    /// Simple name, e.g. `assignLicense`.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Full name, e.g. `microsoft.graph.assignLicense`.
    pub full_name: String,
    /// `IsBound="true"`.
    pub is_bound: bool,
    /// The binding parameter (the first one) when bound.
    pub binding: Option<Parameter>,
    /// The other parameters, in order.
    pub parameters: Vec<Parameter>,
    /// The return type, if any.
    pub return_type: Option<ReturnType>,
    /// `IsComposable="true"` (functions only).
    pub is_composable: bool,
    /// `EntitySetPath`, as written.
    pub entity_set_path: Option<String>,
    /// `Core.Description`.
    pub description: Option<String>,
    /// `Core.LongDescription`.
    pub long_description: Option<String>,
}

/// A parameter of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Parameter name.
    pub name: String,
    /// Full type name without `Collection(...)`.
    pub type_name: String,
    /// The type was `Collection(...)`.
    pub is_collection: bool,
    /// `Nullable` as written.
    pub nullable: Option<bool>,
}

/// The return type of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnType {
    /// Full type name without `Collection(...)`.
    pub type_name: String,
    /// The type was `Collection(...)`.
    pub is_collection: bool,
    /// `Nullable` as written.
    pub nullable: Option<bool>,
}

/// Counters of what was parsed, ignored or left unattached.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParseStats {
    /// `Core.Description` annotations attached to an element.
    pub descriptions: usize,
    /// `Core.LongDescription` annotations attached to an element.
    pub long_descriptions: usize,
    /// Targeted descriptions that replaced a different inline one on the same element.
    pub descriptions_overridden: usize,
    /// Description annotations that could not be attached, by reason.
    pub descriptions_unattached: BTreeMap<String, usize>,
    /// `<Annotations Target>` values that name no element of the document.
    pub unresolved_targets: BTreeSet<String>,
    /// Annotations of other terms (capabilities, permissions...), by term; not modelled.
    pub other_annotations: BTreeMap<String, usize>,
    /// Elements not modelled, by `Parent/Child` local names.
    pub skipped: BTreeMap<String, usize>,
    /// Elements dropped or attributes ignored because they were malformed, with position.
    pub warnings: Vec<String>,
}

/// A property together with the type that declares it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inherited<'a, T> {
    /// Full name of the declaring type.
    pub declared_in: &'a str,
    /// The property.
    pub item: &'a T,
}

/// A type found by [`Csdl::find_type`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FoundType<'a> {
    /// An entity or complex type.
    Structured(&'a StructuredType),
    /// An enum type.
    Enum(&'a EnumType),
}

impl FoundType<'_> {
    /// Full name of the type.
    pub fn full_name(&self) -> &str {
        match self {
            FoundType::Structured(t) => &t.full_name,
            FoundType::Enum(t) => &t.full_name,
        }
    }
}

/// Picks the CSDL file of a version in the data directory and parses it; `Ok(None)` when
/// the folder holds no `.xml` file. A file with `WithDescriptions` in its name is
/// preferred, since the plain one may lack descriptions; ties go to the first by name.
pub fn load(dir: &DataDir, version: ApiVersion) -> Result<Option<(PathBuf, Csdl)>> {
    let folder = metadata_dir(version);
    let mut xml: Vec<String> = dir
        .list_files(folder)?
        .into_iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".xml"))
        .collect();
    xml.sort();
    let chosen = xml
        .iter()
        .find(|n| n.to_ascii_lowercase().contains("withdescriptions"))
        .or_else(|| xml.first());
    let Some(name) = chosen else {
        return Ok(None);
    };
    let rel = format!("{folder}/{name}");
    let path = dir.path(&rel);
    let Some(bytes) = dir.read_optional(&rel)? else {
        return Ok(None);
    };
    let csdl = Csdl::parse(&path, &bytes)?;
    Ok(Some((path, csdl)))
}

/// Splits `Collection(T)` into `(T, true)` and `T` into `(T, false)`, trimming spaces.
pub fn split_collection(type_str: &str) -> (&str, bool) {
    let t = type_str.trim();
    match t
        .strip_prefix("Collection(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        Some(inner) => (inner.trim(), true),
        None => (t, false),
    }
}

impl Csdl {
    /// Parses a CSDL document. `path` only names the file in errors. A UTF-8 byte-order
    /// mark is skipped. Malformed XML is an error with line and column; unknown or
    /// malformed elements are counted in [`Csdl::stats`] instead.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Csdl> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, col) = line_col(&bytes[..e.valid_up_to()]);
            anyhow!("`{}`:{line}:{col}: invalid UTF-8: {e}", path.display())
        })?;
        let doc = Document::parse(text).map_err(|e| {
            let pos = e.pos();
            let msg = e.to_string();
            // roxmltree appends " at L:C"; the position is already in front.
            let msg = msg.rfind(" at ").map_or(msg.as_str(), |i| &msg[..i]);
            anyhow!(
                "`{}`:{}:{}: invalid XML: {msg}",
                path.display(),
                pos.row,
                pos.col
            )
        })?;
        let root = doc.root_element();
        if root.tag_name().name() != "Edmx" {
            let pos = doc.text_pos_at(root.range().start);
            return Err(anyhow!(
                "`{}`:{}:{}: not a CSDL document: root element is <{}>, expected <edmx:Edmx>",
                path.display(),
                pos.row,
                pos.col,
                root.tag_name().name()
            ));
        }
        let mut parser = Parser::new(&doc);
        parser.run(root);
        Ok(parser.finish())
    }

    /// The entity or complex type with exactly this full name.
    pub fn structured_type(&self, full_name: &str) -> Option<&StructuredType> {
        self.entity_types
            .get(full_name)
            .or_else(|| self.complex_types.get(full_name))
    }

    /// Looks a type up by name, ignoring ASCII case: a full name
    /// (`microsoft.graph.user`), an alias-qualified name (`graph.user`), or a simple name
    /// taken to be in `microsoft.graph` (`user`).
    pub fn find_type(&self, name: &str) -> Option<FoundType<'_>> {
        let name = name.trim();
        let mut candidates = vec![name.to_string()];
        if let Some((prefix, simple)) = name.rsplit_once('.') {
            for ns in &self.namespaces {
                if ns
                    .alias
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(prefix))
                {
                    candidates.push(format!("{}.{simple}", ns.name));
                }
            }
        } else {
            candidates.push(format!("microsoft.graph.{name}"));
        }
        for c in &candidates {
            if let Some(t) = self.structured_type(c) {
                return Some(FoundType::Structured(t));
            }
            if let Some(t) = self.enum_types.get(c.as_str()) {
                return Some(FoundType::Enum(t));
            }
        }
        // Exact keys missed: fall back to a case-insensitive scan, which is rare enough.
        for c in &candidates {
            let structured = self
                .entity_types
                .values()
                .chain(self.complex_types.values());
            if let Some(t) = structured
                .into_iter()
                .find(|t| t.full_name.eq_ignore_ascii_case(c))
            {
                return Some(FoundType::Structured(t));
            }
            if let Some(t) = self
                .enum_types
                .values()
                .find(|t| t.full_name.eq_ignore_ascii_case(c))
            {
                return Some(FoundType::Enum(t));
            }
        }
        None
    }

    /// The type and its base types, most derived first. Stops at a missing base type or a
    /// cycle, so a broken file cannot loop. Empty when `full_name` is unknown.
    pub fn base_chain(&self, full_name: &str) -> Vec<&StructuredType> {
        let mut chain = Vec::new();
        let mut seen = BTreeSet::new();
        let mut next = Some(full_name);
        while let Some(name) = next {
            if !seen.insert(name) {
                break;
            }
            let Some(t) = self.structured_type(name) else {
                break;
            };
            chain.push(t);
            next = t.base_type.as_deref();
        }
        chain
    }

    /// Structural properties of a type including inherited ones, base type's first.
    pub fn all_properties(&self, full_name: &str) -> Vec<Inherited<'_, Property>> {
        self.base_chain(full_name)
            .into_iter()
            .rev()
            .flat_map(|t| {
                t.properties.iter().map(|p| Inherited {
                    declared_in: t.full_name.as_str(),
                    item: p,
                })
            })
            .collect()
    }

    /// Navigation properties of a type including inherited ones, base type's first.
    pub fn all_navigation_properties(
        &self,
        full_name: &str,
    ) -> Vec<Inherited<'_, NavigationProperty>> {
        self.base_chain(full_name)
            .into_iter()
            .rev()
            .flat_map(|t| {
                t.navigation_properties.iter().map(|p| Inherited {
                    declared_in: t.full_name.as_str(),
                    item: p,
                })
            })
            .collect()
    }

    /// All types deriving from `full_name`, directly or not, sorted by full name.
    pub fn derived_types(&self, full_name: &str) -> Vec<&StructuredType> {
        let mut children: BTreeMap<&str, Vec<&StructuredType>> = BTreeMap::new();
        for t in self
            .entity_types
            .values()
            .chain(self.complex_types.values())
        {
            if let Some(base) = t.base_type.as_deref() {
                children.entry(base).or_default().push(t);
            }
        }
        let mut found: BTreeMap<&str, &StructuredType> = BTreeMap::new();
        let mut queue = vec![full_name];
        while let Some(name) = queue.pop() {
            for t in children.get(name).into_iter().flatten() {
                // The guard makes a BaseType cycle terminate.
                if t.full_name != full_name && found.insert(&t.full_name, t).is_none() {
                    queue.push(&t.full_name);
                }
            }
        }
        found.into_values().collect()
    }

    /// Operations (functions and actions) with this full name, all overloads.
    pub fn operations_named<'a>(
        &'a self,
        full_name: &'a str,
    ) -> impl Iterator<Item = &'a Operation> {
        self.functions
            .iter()
            .chain(self.actions.iter())
            .filter(move |o| o.full_name == full_name)
    }
}

impl Operation {
    /// Parameter types as written in an overload target, binding parameter first:
    /// `Collection(microsoft.graph.chat)`, `Edm.String`.
    pub fn signature(&self) -> Vec<String> {
        self.binding
            .iter()
            .chain(self.parameters.iter())
            .map(|p| {
                if p.is_collection {
                    format!("Collection({})", p.type_name)
                } else {
                    p.type_name.clone()
                }
            })
            .collect()
    }
}

/// 1-based line and column of the end of `prefix`.
fn line_col(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let last_line = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(prefix, |i| &prefix[i + 1..]);
    let col = String::from_utf8_lossy(last_line).chars().count() + 1;
    (line, col)
}

/// Which description term an annotation carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocTerm {
    Short,
    Long,
}

/// An `<Annotations Target>` block's target, with one of its descriptions or none (then
/// the target is only checked, so that dangling targets get reported whatever the term).
struct Targeted {
    target: String,
    doc: Option<(DocTerm, String)>,
}

/// Description texts found inline on one element.
#[derive(Default)]
struct Docs {
    description: Option<String>,
    long_description: Option<String>,
}

/// Parsing state: the document, its aliases and the result being built.
struct Parser<'a, 'input> {
    doc: &'a Document<'input>,
    aliases: BTreeMap<String, String>,
    out: Csdl,
    targeted: Vec<Targeted>,
}

impl<'a, 'input> Parser<'a, 'input> {
    fn new(doc: &'a Document<'input>) -> Self {
        Parser {
            doc,
            aliases: BTreeMap::new(),
            out: Csdl::default(),
            targeted: Vec::new(),
        }
    }

    /// `line:col` of a node, for warnings.
    fn pos(&self, node: Node) -> String {
        let p = self.doc.text_pos_at(node.range().start);
        format!("{}:{}", p.row, p.col)
    }

    fn warn(&mut self, node: Node, msg: impl std::fmt::Display) {
        let pos = self.pos(node);
        self.out.stats.warnings.push(format!("{pos}: {msg}"));
    }

    fn skip(&mut self, parent: Node, child: Node) {
        let key = format!("{}/{}", parent.tag_name().name(), child.tag_name().name());
        *self.out.stats.skipped.entry(key).or_default() += 1;
    }

    fn unattached(&mut self, reason: &str) {
        *self
            .out
            .stats
            .descriptions_unattached
            .entry(reason.to_string())
            .or_default() += 1;
    }

    /// Replaces a namespace alias in a qualified name by the namespace it stands for.
    fn qualify(&self, name: &str) -> String {
        let name = name.trim();
        match name.rsplit_once('.') {
            Some((prefix, simple)) => match self.aliases.get(prefix) {
                Some(ns) => format!("{ns}.{simple}"),
                None => name.to_string(),
            },
            None => name.to_string(),
        }
    }

    /// Splits `Collection(T)` and qualifies `T`.
    fn type_ref(&self, type_str: &str) -> (String, bool) {
        let (inner, is_collection) = split_collection(type_str);
        (self.qualify(inner), is_collection)
    }

    fn bool_attr(&mut self, node: Node, attr: &str) -> Option<bool> {
        let value = node.attribute(attr)?;
        match value.trim() {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                let tag = node.tag_name().name();
                self.warn(node, format!("<{tag}> {attr}=\"{other}\" is not a boolean"));
                None
            }
        }
    }

    /// A required attribute; warns and returns `None` when missing.
    fn required<'n>(&mut self, node: Node<'n, '_>, attr: &str) -> Option<&'n str> {
        let value = node.attribute(attr);
        if value.is_none() {
            let tag = node.tag_name().name();
            self.warn(node, format!("<{tag}> without {attr}: skipped"));
        }
        value
    }

    fn run(&mut self, root: Node) {
        // Aliases are document-wide, and a type may refer to a schema further down, so
        // they are collected before anything else.
        for node in root.descendants().filter(Node::is_element) {
            let alias_owner = matches!(node.tag_name().name(), "Schema" | "Include");
            if let (true, Some(ns), Some(alias)) = (
                alias_owner,
                node.attribute("Namespace"),
                node.attribute("Alias"),
            ) {
                self.aliases.insert(alias.to_string(), ns.to_string());
            }
        }
        for child in root.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "DataServices" => {
                    for schema in child.children().filter(Node::is_element) {
                        if schema.tag_name().name() == "Schema" {
                            self.schema(schema);
                        } else {
                            self.skip(child, schema);
                        }
                    }
                }
                _ => self.skip(root, child),
            }
        }
    }

    fn schema(&mut self, schema: Node) {
        let Some(ns) = self.required(schema, "Namespace") else {
            return;
        };
        let ns = ns.to_string();
        self.out.namespaces.push(Namespace {
            name: ns.clone(),
            alias: schema.attribute("Alias").map(str::to_string),
        });
        for child in schema.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "EntityType" => self.structured(&ns, child, TypeKind::Entity),
                "ComplexType" => self.structured(&ns, child, TypeKind::Complex),
                "EnumType" => self.enum_type(&ns, child),
                "Function" => self.operation(&ns, child, OperationKind::Function),
                "Action" => self.operation(&ns, child, OperationKind::Action),
                "EntityContainer" => self.container(&ns, child),
                "Annotations" => self.annotations(child),
                "Annotation" => {
                    // A description of the schema itself has no record to go on.
                    if self.doc_term(child).is_some() {
                        self.unattached("schema");
                    } else {
                        self.other_annotation(child);
                    }
                }
                _ => self.skip(schema, child),
            }
        }
    }

    /// The description term of an annotation, `None` for other terms or qualified ones.
    fn doc_term(&self, annotation: Node) -> Option<DocTerm> {
        if annotation.attribute("Qualifier").is_some() {
            return None;
        }
        let term = self.qualify(annotation.attribute("Term")?);
        match term.as_str() {
            DESCRIPTION => Some(DocTerm::Short),
            LONG_DESCRIPTION => Some(DocTerm::Long),
            _ => None,
        }
    }

    fn other_annotation(&mut self, annotation: Node) {
        let term = annotation
            .attribute("Term")
            .map_or_else(|| "(no term)".to_string(), |t| self.qualify(t));
        *self.out.stats.other_annotations.entry(term).or_default() += 1;
    }

    /// The string value of an annotation: the `String` attribute or a `<String>` child.
    fn annotation_text(&mut self, annotation: Node) -> Option<String> {
        if let Some(s) = annotation.attribute("String") {
            return Some(s.to_string());
        }
        let child = annotation
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == "String");
        match child {
            Some(c) => Some(c.text().unwrap_or_default().to_string()),
            None => {
                self.warn(annotation, "description annotation without a string value");
                None
            }
        }
    }

    /// Reads one inline annotation into `docs`; the caller counts what it attaches with
    /// [`Parser::attached`] or [`Parser::dropped`].
    fn inline_annotation(&mut self, docs: &mut Docs, annotation: Node) {
        match self.doc_term(annotation) {
            Some(term) => {
                if let Some(text) = self.annotation_text(annotation) {
                    let slot = match term {
                        DocTerm::Short => &mut docs.description,
                        DocTerm::Long => &mut docs.long_description,
                    };
                    if slot.is_none() {
                        *slot = Some(text);
                    } else {
                        self.unattached("duplicate inline");
                    }
                }
            }
            None => self.other_annotation(annotation),
        }
    }

    /// Counts the descriptions of an element that keeps them.
    fn attached(&mut self, d: &Docs) {
        self.out.stats.descriptions += usize::from(d.description.is_some());
        self.out.stats.long_descriptions += usize::from(d.long_description.is_some());
    }

    /// Counts the descriptions of an element that has no field for them.
    fn dropped(&mut self, d: &Docs, reason: &str) {
        let n = usize::from(d.description.is_some()) + usize::from(d.long_description.is_some());
        for _ in 0..n {
            self.unattached(reason);
        }
    }

    /// Children of an element that may hold only annotations (property, member...).
    fn leaf_children(&mut self, node: Node) -> Docs {
        let mut docs = Docs::default();
        for child in node.children().filter(Node::is_element) {
            if child.tag_name().name() == "Annotation" {
                self.inline_annotation(&mut docs, child);
            } else {
                self.skip(node, child);
            }
        }
        docs
    }

    fn structured(&mut self, ns: &str, node: Node, kind: TypeKind) {
        let Some(name) = self.required(node, "Name") else {
            return;
        };
        let full_name = format!("{ns}.{name}");
        let mut t = StructuredType {
            name: name.to_string(),
            namespace: ns.to_string(),
            full_name: full_name.clone(),
            kind,
            base_type: node.attribute("BaseType").map(|b| self.qualify(b)),
            is_abstract: self.bool_attr(node, "Abstract").unwrap_or(false),
            open_type: self.bool_attr(node, "OpenType").unwrap_or(false),
            has_stream: self.bool_attr(node, "HasStream").unwrap_or(false),
            key: Vec::new(),
            properties: Vec::new(),
            navigation_properties: Vec::new(),
            description: None,
            long_description: None,
        };
        let mut docs = Docs::default();
        for child in node.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "Property" => {
                    let (Some(pname), Some(ptype)) =
                        (self.required(child, "Name"), self.required(child, "Type"))
                    else {
                        continue;
                    };
                    let (type_name, is_collection) = self.type_ref(ptype);
                    let nullable = self.bool_attr(child, "Nullable");
                    let d = self.leaf_children(child);
                    self.attached(&d);
                    t.properties.push(Property {
                        name: pname.to_string(),
                        type_name,
                        is_collection,
                        nullable,
                        description: d.description,
                        long_description: d.long_description,
                    });
                }
                "NavigationProperty" => {
                    let (Some(pname), Some(ptype)) =
                        (self.required(child, "Name"), self.required(child, "Type"))
                    else {
                        continue;
                    };
                    let (type_name, is_collection) = self.type_ref(ptype);
                    let nullable = self.bool_attr(child, "Nullable");
                    let contains_target = self.bool_attr(child, "ContainsTarget").unwrap_or(false);
                    let d = self.leaf_children(child);
                    self.attached(&d);
                    t.navigation_properties.push(NavigationProperty {
                        name: pname.to_string(),
                        type_name,
                        is_collection,
                        nullable,
                        contains_target,
                        description: d.description,
                        long_description: d.long_description,
                    });
                }
                "Key" => {
                    for r in child.children().filter(Node::is_element) {
                        match (r.tag_name().name(), r.attribute("Name")) {
                            ("PropertyRef", Some(n)) => t.key.push(n.to_string()),
                            _ => self.skip(child, r),
                        }
                    }
                }
                "Annotation" => self.inline_annotation(&mut docs, child),
                _ => self.skip(node, child),
            }
        }
        self.attached(&docs);
        t.description = docs.description;
        t.long_description = docs.long_description;
        let map = match kind {
            TypeKind::Entity => &mut self.out.entity_types,
            TypeKind::Complex => &mut self.out.complex_types,
        };
        if map.insert(full_name.clone(), t).is_some() {
            self.warn(
                node,
                format!("duplicate type {full_name}: the later one is kept"),
            );
        }
    }

    fn enum_type(&mut self, ns: &str, node: Node) {
        let Some(name) = self.required(node, "Name") else {
            return;
        };
        let full_name = format!("{ns}.{name}");
        let mut e = EnumType {
            name: name.to_string(),
            namespace: ns.to_string(),
            full_name: full_name.clone(),
            is_flags: self.bool_attr(node, "IsFlags").unwrap_or(false),
            underlying_type: node.attribute("UnderlyingType").map(|u| self.qualify(u)),
            members: Vec::new(),
            description: None,
            long_description: None,
        };
        let mut docs = Docs::default();
        for child in node.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "Member" => {
                    let Some(mname) = self.required(child, "Name") else {
                        continue;
                    };
                    let value = match child.attribute("Value") {
                        Some(v) => match v.trim().parse::<i64>() {
                            Ok(n) => Some(n),
                            Err(_) => {
                                self.warn(
                                    child,
                                    format!("enum member value \"{v}\" is not an integer"),
                                );
                                None
                            }
                        },
                        None => None,
                    };
                    let mut d = self.leaf_children(child);
                    // Members have no long description field.
                    let long = Docs {
                        description: None,
                        long_description: d.long_description.take(),
                    };
                    self.dropped(&long, "enum member long description");
                    self.attached(&d);
                    e.members.push(EnumMember {
                        name: mname.to_string(),
                        value,
                        description: d.description,
                    });
                }
                "Annotation" => self.inline_annotation(&mut docs, child),
                _ => self.skip(node, child),
            }
        }
        self.attached(&docs);
        e.description = docs.description;
        e.long_description = docs.long_description;
        if self.out.enum_types.insert(full_name.clone(), e).is_some() {
            self.warn(
                node,
                format!("duplicate enum type {full_name}: the later one is kept"),
            );
        }
    }

    fn parameter(&mut self, node: Node) -> Option<Parameter> {
        let name = self.required(node, "Name")?;
        let ptype = self.required(node, "Type")?;
        let (type_name, is_collection) = self.type_ref(ptype);
        let nullable = self.bool_attr(node, "Nullable");
        // Parameter descriptions have no field; count them rather than lose them silently.
        let d = self.leaf_children(node);
        self.dropped(&d, "parameter");
        Some(Parameter {
            name: name.to_string(),
            type_name,
            is_collection,
            nullable,
        })
    }

    fn operation(&mut self, ns: &str, node: Node, kind: OperationKind) {
        let Some(name) = self.required(node, "Name") else {
            return;
        };
        let is_bound = self.bool_attr(node, "IsBound").unwrap_or(false);
        let mut params = Vec::new();
        let mut return_type = None;
        let mut docs = Docs::default();
        for child in node.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "Parameter" => params.extend(self.parameter(child)),
                "ReturnType" => {
                    let Some(rtype) = self.required(child, "Type") else {
                        continue;
                    };
                    let (type_name, is_collection) = self.type_ref(rtype);
                    let nullable = self.bool_attr(child, "Nullable");
                    let d = self.leaf_children(child);
                    self.dropped(&d, "return type");
                    return_type = Some(ReturnType {
                        type_name,
                        is_collection,
                        nullable,
                    });
                }
                "Annotation" => self.inline_annotation(&mut docs, child),
                _ => self.skip(node, child),
            }
        }
        let binding = if is_bound && !params.is_empty() {
            Some(params.remove(0))
        } else {
            if is_bound {
                self.warn(
                    node,
                    format!("bound operation {name} has no binding parameter"),
                );
            }
            None
        };
        self.attached(&docs);
        let op = Operation {
            kind,
            name: name.to_string(),
            namespace: ns.to_string(),
            full_name: format!("{ns}.{name}"),
            is_bound,
            binding,
            parameters: params,
            return_type,
            is_composable: self.bool_attr(node, "IsComposable").unwrap_or(false),
            entity_set_path: node.attribute("EntitySetPath").map(str::to_string),
            description: docs.description,
            long_description: docs.long_description,
        };
        match kind {
            OperationKind::Function => self.out.functions.push(op),
            OperationKind::Action => self.out.actions.push(op),
        }
    }

    fn container(&mut self, ns: &str, node: Node) {
        let Some(name) = self.required(node, "Name") else {
            return;
        };
        if self.out.container.is_some() {
            self.warn(node, "second EntityContainer: its elements are merged");
        }
        self.out.container = Some(format!("{ns}.{name}"));
        for child in node.children().filter(Node::is_element) {
            let tag = child.tag_name().name();
            let type_attr = match tag {
                "EntitySet" => "EntityType",
                "Singleton" => "Type",
                "Annotation" => {
                    if self.doc_term(child).is_some() {
                        self.unattached("container");
                    } else {
                        self.other_annotation(child);
                    }
                    continue;
                }
                _ => {
                    self.skip(node, child);
                    continue;
                }
            };
            let (Some(ename), Some(etype)) = (
                self.required(child, "Name"),
                self.required(child, type_attr),
            ) else {
                continue;
            };
            let mut element = ContainerElement {
                name: ename.to_string(),
                type_name: self.qualify(etype),
                navigation_bindings: BTreeMap::new(),
                description: None,
                long_description: None,
            };
            let mut docs = Docs::default();
            for c in child.children().filter(Node::is_element) {
                match (
                    c.tag_name().name(),
                    c.attribute("Path"),
                    c.attribute("Target"),
                ) {
                    ("NavigationPropertyBinding", Some(p), Some(t)) => {
                        element
                            .navigation_bindings
                            .insert(p.to_string(), t.to_string());
                    }
                    ("Annotation", _, _) => self.inline_annotation(&mut docs, c),
                    _ => self.skip(child, c),
                }
            }
            self.attached(&docs);
            element.description = docs.description;
            element.long_description = docs.long_description;
            let map = if tag == "EntitySet" {
                &mut self.out.entity_sets
            } else {
                &mut self.out.singletons
            };
            if map.insert(ename.to_string(), element).is_some() {
                self.warn(
                    child,
                    format!("duplicate {tag} {ename}: the later one is kept"),
                );
            }
        }
    }

    /// An `<Annotations Target>` block: descriptions are kept for later, the rest counted.
    fn annotations(&mut self, node: Node) {
        let Some(target) = self.required(node, "Target") else {
            return;
        };
        let mut has_doc = false;
        for child in node.children().filter(Node::is_element) {
            if child.tag_name().name() != "Annotation" {
                self.skip(node, child);
                continue;
            }
            match self.doc_term(child) {
                Some(term) => {
                    if let Some(text) = self.annotation_text(child) {
                        has_doc = true;
                        self.targeted.push(Targeted {
                            target: target.to_string(),
                            doc: Some((term, text)),
                        });
                    }
                }
                None => self.other_annotation(child),
            }
        }
        if !has_doc {
            self.targeted.push(Targeted {
                target: target.to_string(),
                doc: None,
            });
        }
    }

    fn finish(mut self) -> Csdl {
        let key = |o: &Operation| {
            (
                o.full_name.clone(),
                o.binding
                    .as_ref()
                    .map(|b| (b.type_name.clone(), b.is_collection)),
            )
        };
        // Stable sorts: overloads with the same key keep their document order.
        self.out.functions.sort_by_key(key);
        self.out.actions.sort_by_key(key);
        let targeted = std::mem::take(&mut self.targeted);
        for t in targeted {
            if !self.apply_targeted(&t) {
                self.out.stats.unresolved_targets.insert(t.target.clone());
                if t.doc.is_some() {
                    self.unattached("unknown target");
                }
            }
        }
        self.out
    }

    /// Attaches one targeted description; `false` when the target names nothing.
    fn apply_targeted(&mut self, t: &Targeted) -> bool {
        let check_only = t.doc.is_none();
        let (head, rest) = match t.target.split_once('/') {
            Some((h, r)) => (h, Some(r)),
            None => (t.target.as_str(), None),
        };
        let mut stats = std::mem::take(&mut self.out.stats);
        let found = if let Some((name, params)) = head.split_once('(') {
            let name = self.qualify(name);
            // Only the list's own closing parenthesis goes: a last `Collection(T)` keeps its own.
            let params = params.trim_end();
            let params = params.strip_suffix(')').unwrap_or(params);
            let params: Vec<String> = split_params(params)
                .into_iter()
                .map(|p| {
                    let (inner, coll) = self.type_ref(p);
                    if coll {
                        format!("Collection({inner})")
                    } else {
                        inner
                    }
                })
                .collect();
            let out = &mut self.out;
            let ops = out
                .functions
                .iter_mut()
                .chain(out.actions.iter_mut())
                .filter(|o| o.full_name == name && o.signature() == params);
            let mut found = false;
            for op in ops {
                found = true;
                if rest.is_none() && !check_only {
                    set_doc(&mut stats, t, &mut op.description, &mut op.long_description);
                }
            }
            if found && rest.is_some() && !check_only {
                bump(&mut stats.descriptions_unattached, "operation parameter");
            }
            found
        } else {
            let head = self.qualify(head);
            let container = self.out.container.clone().unwrap_or_default();
            let is_container = !container.is_empty()
                && (head == container
                    || container
                        .rsplit_once('.')
                        .is_some_and(|(_, simple)| head == simple));
            if is_container {
                self.target_container(&mut stats, t, rest, check_only)
            } else if let Some(ty) = self
                .out
                .entity_types
                .get_mut(&head)
                .or_else(|| self.out.complex_types.get_mut(&head))
            {
                target_structured(&mut stats, t, ty, rest, check_only)
            } else if let Some(e) = self.out.enum_types.get_mut(&head) {
                target_enum(&mut stats, t, e, rest, check_only)
            } else {
                let out = &mut self.out;
                let mut found = false;
                for op in out
                    .functions
                    .iter_mut()
                    .chain(out.actions.iter_mut())
                    .filter(|o| o.full_name == head)
                {
                    found = true;
                    if rest.is_none() && !check_only {
                        set_doc(&mut stats, t, &mut op.description, &mut op.long_description);
                    }
                }
                if found && rest.is_some() && !check_only {
                    bump(&mut stats.descriptions_unattached, "operation parameter");
                }
                found
            }
        };
        self.out.stats = stats;
        found
    }

    /// Attaches a targeted description to an entity set or singleton; `false` when the
    /// container has no such element.
    fn target_container(
        &mut self,
        stats: &mut ParseStats,
        t: &Targeted,
        rest: Option<&str>,
        check_only: bool,
    ) -> bool {
        let Some(rest) = rest else {
            if !check_only {
                bump(&mut stats.descriptions_unattached, "container");
            }
            return true;
        };
        let (name, deeper) = match rest.split_once('/') {
            Some((n, d)) => (n, Some(d)),
            None => (rest, None),
        };
        let element = match self.out.entity_sets.get_mut(name) {
            Some(e) => Some(e),
            None => self.out.singletons.get_mut(name),
        };
        let Some(element) = element else {
            return false;
        };
        if check_only {
            return true;
        }
        if deeper.is_some() {
            bump(&mut stats.descriptions_unattached, "container element path");
        } else {
            set_doc(
                stats,
                t,
                &mut element.description,
                &mut element.long_description,
            );
        }
        true
    }
}

/// Adds one to a counter.
fn bump(map: &mut BTreeMap<String, usize>, key: &str) {
    *map.entry(key.to_string()).or_default() += 1;
}

/// Sets a description slot from a targeted annotation. A targeted description wins over
/// a different inline one: in the beta file the inline text is sometimes the placeholder
/// "Not yet documented" where the targeted block carries the documented text. Among
/// several targeted texts for one element (one beta block holds 24 for
/// `deviceManagement`), the last in document order wins, so the result is deterministic.
fn set_doc(
    stats: &mut ParseStats,
    t: &Targeted,
    description: &mut Option<String>,
    long_description: &mut Option<String>,
) {
    let Some((term, text)) = &t.doc else {
        return;
    };
    let slot = match term {
        DocTerm::Short => description,
        DocTerm::Long => long_description,
    };
    match slot {
        Some(old) if old == text => {
            // Same text twice: one attached description, not two.
        }
        Some(_) => {
            stats.descriptions_overridden += 1;
            *slot = Some(text.clone());
        }
        None => {
            match term {
                DocTerm::Short => stats.descriptions += 1,
                DocTerm::Long => stats.long_descriptions += 1,
            }
            *slot = Some(text.clone());
        }
    }
}

/// Attaches a targeted description to a type or one of its (navigation) properties;
/// `false` when the member does not exist.
fn target_structured(
    stats: &mut ParseStats,
    t: &Targeted,
    ty: &mut StructuredType,
    rest: Option<&str>,
    check_only: bool,
) -> bool {
    let Some(rest) = rest else {
        if !check_only {
            set_doc(stats, t, &mut ty.description, &mut ty.long_description);
        }
        return true;
    };
    let (name, deeper) = match rest.split_once('/') {
        Some((n, d)) => (n, Some(d)),
        None => (rest, None),
    };
    let slots = if let Some(p) = ty.properties.iter_mut().find(|p| p.name == name) {
        (&mut p.description, &mut p.long_description)
    } else if let Some(p) = ty.navigation_properties.iter_mut().find(|p| p.name == name) {
        (&mut p.description, &mut p.long_description)
    } else {
        return false;
    };
    if check_only {
        return true;
    }
    if deeper.is_some() {
        bump(&mut stats.descriptions_unattached, "property path");
    } else {
        set_doc(stats, t, slots.0, slots.1);
    }
    true
}

/// Attaches a targeted description to an enum type or member; `false` when the member
/// does not exist.
fn target_enum(
    stats: &mut ParseStats,
    t: &Targeted,
    e: &mut EnumType,
    rest: Option<&str>,
    check_only: bool,
) -> bool {
    let Some(rest) = rest else {
        if !check_only {
            set_doc(stats, t, &mut e.description, &mut e.long_description);
        }
        return true;
    };
    let Some(member) = e.members.iter_mut().find(|m| m.name == rest) else {
        return false;
    };
    if check_only {
        return true;
    }
    if let Some((DocTerm::Long, _)) = t.doc {
        bump(
            &mut stats.descriptions_unattached,
            "enum member long description",
        );
    } else {
        let mut no_long = None;
        set_doc(stats, t, &mut member.description, &mut no_long);
    }
    true
}

/// Splits an overload's parameter list at top-level commas.
fn split_params(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = list[start..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wraps schema content in an EDMX document.
    fn edmx(schemas: &str) -> String {
        format!(
            r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
{schemas}
  </edmx:DataServices>
</edmx:Edmx>"#
        )
    }

    fn parse(xml: &str) -> Result<Csdl> {
        Csdl::parse(Path::new("test.xml"), xml.as_bytes())
    }

    const SAMPLE: &str = r#"
    <Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="color" IsFlags="true">
        <Member Name="red" Value="1" />
        <Member Name="blue" Value="2" />
      </EnumType>
      <EntityType Name="entity" Abstract="true">
        <Key><PropertyRef Name="id" /></Key>
        <Property Name="id" Type="Edm.String" Nullable="false" />
      </EntityType>
      <EntityType Name="directoryObject" BaseType="graph.entity">
        <Property Name="deletedDateTime" Type="Edm.DateTimeOffset" />
      </EntityType>
      <EntityType Name="user" BaseType="graph.directoryObject" OpenType="true">
        <Property Name="displayName" Type="Edm.String">
          <Annotation Term="Org.OData.Core.V1.Description" String="Inline name." />
        </Property>
        <Property Name="colors" Type="Collection(graph.color)" />
        <Property Name="alerts" Type="Collection(sec.alert)" />
        <NavigationProperty Name="messages" Type="Collection(graph.message)" ContainsTarget="true" />
        <NavigationProperty Name="manager" Type="graph.directoryObject" />
      </EntityType>
      <EntityType Name="message" BaseType="graph.entity" />
      <ComplexType Name="address" OpenType="true">
        <Property Name="city" Type="Edm.String" />
      </ComplexType>
      <Function Name="delta" IsBound="true" IsComposable="true">
        <Parameter Name="bindingParameter" Type="Collection(graph.user)" />
        <ReturnType Type="Collection(graph.user)" />
      </Function>
      <Action Name="assign" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.user" />
        <Parameter Name="colors" Type="Collection(graph.color)" Nullable="false" />
        <ReturnType Type="graph.user" />
      </Action>
      <Action Name="assign" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.message" />
      </Action>
      <EntityContainer Name="GraphService">
        <EntitySet Name="users" EntityType="microsoft.graph.user">
          <NavigationPropertyBinding Path="manager" Target="users" />
        </EntitySet>
        <Singleton Name="me" Type="graph.user" />
        <FunctionImport Name="legacy" Function="graph.delta" />
      </EntityContainer>
      <Annotations Target="graph.user">
        <Annotation Term="Org.OData.Core.V1.Description" String="A person." />
        <Annotation Term="Org.OData.Core.V1.LongDescription" String="A longer text." />
      </Annotations>
      <Annotations Target="microsoft.graph.user/messages">
        <Annotation Term="Org.OData.Core.V1.Description">
          <String>Mail.</String>
        </Annotation>
      </Annotations>
      <Annotations Target="microsoft.graph.user/displayName">
        <Annotation Term="Org.OData.Core.V1.Description" String="Targeted name." />
      </Annotations>
      <Annotations Target="microsoft.graph.color/red">
        <Annotation Term="Org.OData.Core.V1.Description" String="Red." />
      </Annotations>
      <Annotations Target="microsoft.graph.GraphService/users">
        <Annotation Term="Org.OData.Core.V1.Description" String="All users." />
      </Annotations>
      <Annotations Target="microsoft.graph.assign(microsoft.graph.user, Collection(microsoft.graph.color))">
        <Annotation Term="Org.OData.Core.V1.Description" String="Assigns to a user." />
      </Annotations>
      <Annotations Target="microsoft.graph.delta(Collection(microsoft.graph.user))">
        <Annotation Term="Org.OData.Capabilities.V1.ReadRestrictions" />
      </Annotations>
      <Annotations Target="microsoft.graph.user/nothing">
        <Annotation Term="Org.OData.Core.V1.Description" String="Lost." />
      </Annotations>
      <Term Name="custom" Type="Edm.String" />
    </Schema>
    <Schema Namespace="microsoft.graph.security" Alias="sec" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="alert" BaseType="graph.entity" />
    </Schema>"#;

    #[test]
    fn parses_types_aliases_and_collections() -> Result<()> {
        let c = parse(&edmx(SAMPLE))?;
        assert_eq!(c.namespaces.len(), 2);
        assert_eq!(c.namespaces[1].alias.as_deref(), Some("sec"));
        let user = &c.entity_types["microsoft.graph.user"];
        assert_eq!(user.kind, TypeKind::Entity);
        assert_eq!(
            user.base_type.as_deref(),
            Some("microsoft.graph.directoryObject")
        );
        assert!(user.open_type && !user.is_abstract);
        let colors = &user.properties[1];
        assert_eq!(
            (colors.type_name.as_str(), colors.is_collection),
            ("microsoft.graph.color", true)
        );
        assert_eq!(
            user.properties[2].type_name,
            "microsoft.graph.security.alert"
        );
        let messages = &user.navigation_properties[0];
        assert_eq!(messages.type_name, "microsoft.graph.message");
        assert!(messages.is_collection && messages.contains_target);
        assert!(!user.navigation_properties[1].is_collection);
        assert_eq!(c.entity_types["microsoft.graph.entity"].key, ["id"]);
        assert_eq!(
            c.entity_types["microsoft.graph.entity"].properties[0].nullable,
            Some(false)
        );
        assert_eq!(
            c.entity_types["microsoft.graph.security.alert"]
                .base_type
                .as_deref(),
            Some("microsoft.graph.entity")
        );
        assert_eq!(
            c.complex_types["microsoft.graph.address"].kind,
            TypeKind::Complex
        );
        let color = &c.enum_types["microsoft.graph.color"];
        assert!(color.is_flags);
        assert_eq!(color.members[1].value, Some(2));
        Ok(())
    }

    #[test]
    fn parses_container_and_operations() -> Result<()> {
        let c = parse(&edmx(SAMPLE))?;
        assert_eq!(c.container.as_deref(), Some("microsoft.graph.GraphService"));
        assert_eq!(c.singletons["me"].type_name, "microsoft.graph.user");
        let users = &c.entity_sets["users"];
        assert_eq!(users.type_name, "microsoft.graph.user");
        assert_eq!(users.navigation_bindings["manager"], "users");
        assert_eq!(c.functions.len(), 1);
        let delta = &c.functions[0];
        assert!(delta.is_bound && delta.is_composable);
        assert_eq!(delta.kind, OperationKind::Function);
        let binding = delta
            .binding
            .as_ref()
            .map(|b| (b.type_name.as_str(), b.is_collection));
        assert_eq!(binding, Some(("microsoft.graph.user", true)));
        assert!(delta.parameters.is_empty());
        // Sorted by binding type: message before user.
        let bindings: Vec<_> = c
            .actions
            .iter()
            .filter_map(|a| a.binding.as_ref().map(|b| b.type_name.as_str()))
            .collect();
        assert_eq!(
            bindings,
            ["microsoft.graph.message", "microsoft.graph.user"]
        );
        let assign = &c.actions[1];
        assert_eq!(assign.parameters[0].nullable, Some(false));
        assert!(assign.parameters[0].is_collection);
        assert_eq!(
            assign.signature(),
            ["microsoft.graph.user", "Collection(microsoft.graph.color)"]
        );
        assert_eq!(
            assign.return_type,
            Some(ReturnType {
                type_name: "microsoft.graph.user".into(),
                is_collection: false,
                nullable: None
            })
        );
        Ok(())
    }

    #[test]
    fn attaches_descriptions_of_every_target_form() -> Result<()> {
        let c = parse(&edmx(SAMPLE))?;
        let user = &c.entity_types["microsoft.graph.user"];
        assert_eq!(user.description.as_deref(), Some("A person."));
        assert_eq!(user.long_description.as_deref(), Some("A longer text."));
        // A targeted text replaces a different inline one.
        assert_eq!(
            user.properties[0].description.as_deref(),
            Some("Targeted name.")
        );
        assert_eq!(
            user.navigation_properties[0].description.as_deref(),
            Some("Mail.")
        );
        let color = &c.enum_types["microsoft.graph.color"];
        assert_eq!(color.members[0].description.as_deref(), Some("Red."));
        assert_eq!(
            c.entity_sets["users"].description.as_deref(),
            Some("All users.")
        );
        assert_eq!(
            c.actions[1].description.as_deref(),
            Some("Assigns to a user.")
        );
        assert_eq!(c.actions[0].description, None);
        assert_eq!(c.stats.descriptions, 6);
        assert_eq!(c.stats.long_descriptions, 1);
        assert_eq!(c.stats.descriptions_overridden, 1);
        assert_eq!(c.stats.descriptions_unattached["unknown target"], 1);
        let unresolved: Vec<&str> = c
            .stats
            .unresolved_targets
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(unresolved, ["microsoft.graph.user/nothing"]);
        assert_eq!(
            c.stats.other_annotations["Org.OData.Capabilities.V1.ReadRestrictions"],
            1
        );
        assert_eq!(c.stats.skipped["Schema/Term"], 1);
        assert_eq!(c.stats.skipped["EntityContainer/FunctionImport"], 1);
        assert!(c.stats.warnings.is_empty());
        Ok(())
    }

    #[test]
    fn inheritance_and_lookup() -> Result<()> {
        let c = parse(&edmx(SAMPLE))?;
        let props: Vec<(&str, &str)> = c
            .all_properties("microsoft.graph.user")
            .iter()
            .map(|p| (p.declared_in, p.item.name.as_str()))
            .collect();
        assert_eq!(
            props[..3],
            [
                ("microsoft.graph.entity", "id"),
                ("microsoft.graph.directoryObject", "deletedDateTime"),
                ("microsoft.graph.user", "displayName"),
            ]
        );
        assert_eq!(c.all_navigation_properties("microsoft.graph.user").len(), 2);
        assert!(c.all_properties("microsoft.graph.none").is_empty());
        let derived: Vec<&str> = c
            .derived_types("microsoft.graph.entity")
            .iter()
            .map(|t| t.full_name.as_str())
            .collect();
        assert_eq!(
            derived,
            [
                "microsoft.graph.directoryObject",
                "microsoft.graph.message",
                "microsoft.graph.security.alert",
                "microsoft.graph.user",
            ]
        );
        for name in [
            "microsoft.graph.user",
            "MICROSOFT.GRAPH.User",
            "user",
            "graph.user",
        ] {
            let found = c.find_type(name).map(|t| t.full_name().to_string());
            assert_eq!(found.as_deref(), Some("microsoft.graph.user"), "{name}");
        }
        assert!(matches!(c.find_type("Color"), Some(FoundType::Enum(_))));
        assert_eq!(
            c.find_type("sec.ALERT")
                .map(|t| t.full_name().to_string())
                .as_deref(),
            Some("microsoft.graph.security.alert")
        );
        assert!(c.find_type("alert").is_none());
        Ok(())
    }

    #[test]
    fn base_type_cycles_terminate() -> Result<()> {
        let c = parse(&edmx(
            r#"<Schema Namespace="n" xmlns="http://docs.oasis-open.org/odata/ns/edm">
              <EntityType Name="a" BaseType="n.b"><Property Name="pa" Type="Edm.String" /></EntityType>
              <EntityType Name="b" BaseType="n.a"><Property Name="pb" Type="Edm.String" /></EntityType>
              <ComplexType Name="c" BaseType="n.missing" />
            </Schema>"#,
        ))?;
        let names: Vec<&str> = c
            .all_properties("n.a")
            .iter()
            .map(|p| p.item.name.as_str())
            .collect();
        assert_eq!(names, ["pb", "pa"]);
        assert_eq!(c.derived_types("n.a").len(), 1);
        assert_eq!(c.base_chain("n.c").len(), 1);
        Ok(())
    }

    #[test]
    fn skips_a_byte_order_mark() -> Result<()> {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(edmx(SAMPLE).as_bytes());
        let c = Csdl::parse(Path::new("bom.xml"), &bytes)?;
        assert_eq!(c.entity_types.len(), 5);
        Ok(())
    }

    #[test]
    fn malformed_xml_names_file_line_and_column() {
        let xml = "<edmx:Edmx xmlns:edmx=\"x\">\n  <edmx:DataServices>\n    <Schema>\n  </edmx:DataServices>\n</edmx:Edmx>";
        let err = parse(xml)
            .map(|_| ())
            .expect_err("mismatched tags are an error");
        let msg = err.to_string();
        assert_eq!(
            msg,
            "`test.xml`:4:3: invalid XML: expected 'Schema' tag, not 'edmx:DataServices'"
        );
    }

    #[test]
    fn invalid_utf8_and_wrong_root_are_errors() {
        let err = Csdl::parse(Path::new("u.xml"), b"<a>\n  \xFF</a>")
            .map(|_| ())
            .expect_err("invalid UTF-8");
        assert!(
            err.to_string().starts_with("`u.xml`:2:3: invalid UTF-8"),
            "{err}"
        );
        let err = parse("<feed/>").map(|_| ()).expect_err("not EDMX");
        assert!(err.to_string().contains("not a CSDL document"), "{err}");
    }

    #[test]
    fn malformed_elements_become_warnings() -> Result<()> {
        let c = parse(&edmx(
            r#"<Schema Namespace="n" xmlns="http://docs.oasis-open.org/odata/ns/edm">
              <EntityType><Property Name="x" Type="Edm.String" /></EntityType>
              <EntityType Name="ok" Abstract="maybe">
                <Property Name="noType" />
                <Property Name="fine" Type="Edm.Int32" />
                <Surprise />
              </EntityType>
              <EnumType Name="e"><Member Name="m" Value="many" /></EnumType>
              <Action Name="lonely" IsBound="true" />
              <Whatever />
            </Schema>"#,
        ))?;
        assert_eq!(c.entity_types.len(), 1);
        let ok = &c.entity_types["n.ok"];
        assert!(!ok.is_abstract);
        assert_eq!(ok.properties.len(), 1);
        assert_eq!(c.enum_types["n.e"].members[0].value, None);
        assert!(c.actions[0].binding.is_none());
        assert_eq!(c.stats.warnings.len(), 5, "{:?}", c.stats.warnings);
        assert!(c.stats.warnings[0].starts_with("4:15: <EntityType> without Name"));
        assert_eq!(c.stats.skipped["EntityType/Surprise"], 1);
        assert_eq!(c.stats.skipped["Schema/Whatever"], 1);
        Ok(())
    }

    #[test]
    fn splits_collections_and_parameter_lists() {
        assert_eq!(split_collection("Collection(a.b)"), ("a.b", true));
        assert_eq!(split_collection(" a.b "), ("a.b", false));
        assert_eq!(
            split_collection("Collection(a.b"),
            ("Collection(a.b", false)
        );
        assert_eq!(
            split_params("Collection(a.b), Edm.String,Collection(c)"),
            ["Collection(a.b)", "Edm.String", "Collection(c)"]
        );
        assert!(split_params("").is_empty());
    }
}
