//! XML to model: walks the EDMX document and builds a [`Csdl`], counting what it skips.

use std::collections::BTreeMap;

use roxmltree::{Document, Node};

use super::annotations::Targeted;
use super::types::{
    ContainerElement, Csdl, DocText, EnumMember, EnumType, Namespace, NavigationProperty,
    Operation, OperationKind, Parameter, Property, ReturnType, StructuredType, TypeKind,
};

/// Parsing state: the document, its aliases and the result being built.
pub(super) struct Parser<'a, 'input> {
    doc: &'a Document<'input>,
    aliases: BTreeMap<String, String>,
    /// The document being built.
    pub(super) out: Csdl,
    /// `<Annotations Target>` descriptions, attached once every element is known.
    pub(super) targeted: Vec<Targeted>,
}

impl<'a, 'input> Parser<'a, 'input> {
    pub(super) fn new(doc: &'a Document<'input>) -> Self {
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

    pub(super) fn warn(&mut self, node: Node, msg: impl std::fmt::Display) {
        let pos = self.pos(node);
        self.out.stats.warnings.push(format!("{pos}: {msg}"));
    }

    pub(super) fn skip(&mut self, parent: Node, child: Node) {
        let key = format!("{}/{}", parent.tag_name().name(), child.tag_name().name());
        *self.out.stats.skipped.entry(key).or_default() += 1;
    }

    pub(super) fn unattached(&mut self, reason: &str) {
        *self
            .out
            .stats
            .descriptions_unattached
            .entry(reason.to_string())
            .or_default() += 1;
    }

    /// Replaces a namespace alias in a qualified name by the namespace it stands for.
    pub(super) fn qualify(&self, name: &str) -> String {
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
    pub(super) fn type_ref(&self, type_str: &str) -> (String, bool) {
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
    pub(super) fn required<'n>(&mut self, node: Node<'n, '_>, attr: &str) -> Option<&'n str> {
        let value = node.attribute(attr);
        if value.is_none() {
            let tag = node.tag_name().name();
            self.warn(node, format!("<{tag}> without {attr}: skipped"));
        }
        value
    }

    pub(super) fn run(&mut self, root: Node) {
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
                // A description of the schema itself has no record to go on.
                "Annotation" => self.annotation_without_field(child, "schema"),
                _ => self.skip(schema, child),
            }
        }
    }

    /// Name, type (split and qualified) and `Nullable` of a property; `None` when the
    /// name or the type is missing, each warned about.
    fn typed(&mut self, node: Node) -> Option<(String, String, bool, Option<bool>)> {
        let (Some(name), Some(type_str)) =
            (self.required(node, "Name"), self.required(node, "Type"))
        else {
            return None;
        };
        let (type_name, is_collection) = self.type_ref(type_str);
        let nullable = self.bool_attr(node, "Nullable");
        Some((name.to_string(), type_name, is_collection, nullable))
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
            doc: DocText::default(),
        };
        for child in node.children().filter(Node::is_element) {
            match child.tag_name().name() {
                "Property" => {
                    let Some((name, type_name, is_collection, nullable)) = self.typed(child) else {
                        continue;
                    };
                    let doc = self.leaf_children(child);
                    self.attached(&doc);
                    t.properties.push(Property {
                        name,
                        type_name,
                        is_collection,
                        nullable,
                        doc,
                    });
                }
                "NavigationProperty" => {
                    let Some((name, type_name, is_collection, nullable)) = self.typed(child) else {
                        continue;
                    };
                    let contains_target = self.bool_attr(child, "ContainsTarget").unwrap_or(false);
                    let doc = self.leaf_children(child);
                    self.attached(&doc);
                    t.navigation_properties.push(NavigationProperty {
                        name,
                        type_name,
                        is_collection,
                        nullable,
                        contains_target,
                        doc,
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
                "Annotation" => self.inline_annotation(&mut t.doc, child),
                _ => self.skip(node, child),
            }
        }
        self.attached(&t.doc);
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
            doc: DocText::default(),
        };
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
                    let long = DocText {
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
                "Annotation" => self.inline_annotation(&mut e.doc, child),
                _ => self.skip(node, child),
            }
        }
        self.attached(&e.doc);
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
        let mut doc = DocText::default();
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
                "Annotation" => self.inline_annotation(&mut doc, child),
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
        self.attached(&doc);
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
            doc,
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
                    self.annotation_without_field(child, "container");
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
                doc: DocText::default(),
            };
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
                    ("Annotation", _, _) => self.inline_annotation(&mut element.doc, c),
                    _ => self.skip(child, c),
                }
            }
            self.attached(&element.doc);
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

    /// Sorts the operations and attaches the descriptions of `<Annotations Target>` blocks.
    pub(super) fn finish(mut self) -> Csdl {
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
        self.attach_targeted();
        self.out
    }
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
