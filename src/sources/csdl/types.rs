//! The CSDL model: the records a parsed schema document is made of.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The description texts Microsoft attaches to an element: `Core.Description` and
/// `Core.LongDescription`. Serialized flat, as two fields of the element.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocText {
    /// `Core.Description`.
    pub description: Option<String>,
    /// `Core.LongDescription`.
    pub long_description: Option<String>,
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
    /// `Core.Description` and `Core.LongDescription`.
    #[serde(flatten)]
    pub doc: DocText,
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
    /// `Core.Description` and `Core.LongDescription`.
    #[serde(flatten)]
    pub doc: DocText,
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
    /// `Core.Description` and `Core.LongDescription`.
    #[serde(flatten)]
    pub doc: DocText,
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
    /// `Core.Description` and `Core.LongDescription`.
    #[serde(flatten)]
    pub doc: DocText,
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
    /// `Core.Description` and `Core.LongDescription`.
    #[serde(flatten)]
    pub doc: DocText,
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
    /// `Core.Description` and `Core.LongDescription`.
    #[serde(flatten)]
    pub doc: DocText,
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
