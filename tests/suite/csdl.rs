//! Parses the real Microsoft Graph CSDL files of `../shared/upstream` in place.
//!
//! Counts are not pinned: they change with every upstream release. Instead the parsed
//! model is compared with an independent reading of the same file ([`Raw`]), so a parser
//! that drops or misplaces an element or a description still fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use permcat::sources::csdl::{self, ApiVersion, Csdl, DocText, FoundType, OperationKind};
use permcat::sources::DataDir;

const CURRENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/upstream/current");
const PREVIOUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/upstream/previous");
const V1_0: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/upstream/current/msgraph-metadata/clean_v10_metadata/cleanMetadata.xml"
);
const BETA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/upstream/current/msgraph-metadata/clean_beta_metadata/cleanMetadataWithDescriptionsbeta.xml"
);

/// Reads and parses a file, printing the parse time (run with `--nocapture`).
fn parse_timed(path: &str) -> Csdl {
    let bytes = std::fs::read(path).expect("real CSDL file is present");
    let start = Instant::now();
    let csdl = Csdl::parse(Path::new(path), &bytes).expect("real CSDL file parses");
    println!(
        "parsed {} ({} bytes) in {:?}",
        path.rsplit('/').next().unwrap_or(path),
        bytes.len(),
        start.elapsed()
    );
    csdl
}

fn v1() -> &'static Csdl {
    static CELL: OnceLock<Csdl> = OnceLock::new();
    CELL.get_or_init(|| parse_timed(V1_0))
}

fn beta() -> &'static Csdl {
    static CELL: OnceLock<Csdl> = OnceLock::new();
    CELL.get_or_init(|| parse_timed(BETA))
}

#[test]
fn v1_matches_an_independent_reading() {
    let c = v1();
    matches_raw_file(c, V1_0);
    assert_eq!(c.container.as_deref(), Some("microsoft.graph.GraphService"));
    // Every Description annotation of the file finds its element.
    assert!(c.stats.descriptions_unattached.is_empty());
}

#[test]
fn v1_user() {
    let c = v1();
    let user = &c.entity_types["microsoft.graph.user"];
    assert_eq!(
        user.base_type.as_deref(),
        Some("microsoft.graph.directoryObject")
    );
    assert!(user.open_type);
    let display_name = user
        .properties
        .iter()
        .find(|p| p.name == "displayName")
        .expect("user.displayName");
    assert_eq!(display_name.type_name, "Edm.String");
    assert!(!display_name.is_collection);
    // The current v1.0 file is the one *without* descriptions: user.displayName has
    // none there (see `display_name_descriptions` for the files that carry it).
    assert_eq!(display_name.doc.description, None);
    let messages = user
        .navigation_properties
        .iter()
        .find(|p| p.name == "messages")
        .expect("user.messages");
    assert_eq!(messages.type_name, "microsoft.graph.message");
    assert!(messages.is_collection);
    assert!(messages.contains_target);
    // Targeted descriptions of user's members do exist: four navigation properties.
    let described: Vec<&str> = user
        .navigation_properties
        .iter()
        .filter(|n| n.doc.description.is_some())
        .map(|n| n.name.as_str())
        .collect();
    assert!(described.contains(&"managedDevices"), "{described:?}");

    // `id` is declared on `entity`, two levels up.
    let all = c.all_properties("microsoft.graph.user");
    assert_eq!(all.first().map(|p| p.item.name.as_str()), Some("id"));
    assert_eq!(all[0].declared_in, "microsoft.graph.entity");
    assert!(all
        .iter()
        .any(|p| p.item.name == "deletedDateTime"
            && p.declared_in == "microsoft.graph.directoryObject"));
    assert_eq!(
        all.len(),
        c.base_chain("microsoft.graph.user")
            .iter()
            .map(|t| t.properties.len())
            .sum::<usize>()
    );
    let navs = c.all_navigation_properties("microsoft.graph.user");
    assert!(navs.iter().any(|n| n.item.name == "messages"));
}

#[test]
fn v1_container() {
    let c = v1();
    assert_eq!(c.singletons["me"].type_name, "microsoft.graph.user");
    let users = &c.entity_sets["users"];
    assert_eq!(users.type_name, "microsoft.graph.user");
    assert_eq!(
        users.navigation_bindings.get("manager").map(String::as_str),
        Some("directoryObjects")
    );
    // An entity set in another namespace keeps its full type name.
    assert!(c.entity_sets.values().any(|s| s
        .type_name
        .starts_with("microsoft.graph.externalConnectors.")));
}

#[test]
fn v1_aliases_and_namespaces_are_resolved() {
    let c = v1();
    let all_types = c.entity_types.values().chain(c.complex_types.values());
    for t in all_types {
        for p in &t.properties {
            assert!(
                !p.type_name.starts_with("graph.") && !p.type_name.starts_with("self."),
                "{}.{}: {}",
                t.full_name,
                p.name,
                p.type_name
            );
            assert!(!p.type_name.starts_with("Collection("));
        }
        if let Some(base) = &t.base_type {
            assert!(
                c.structured_type(base).is_some(),
                "{} base {base}",
                t.full_name
            );
        }
    }
    // `self.` is the alias of microsoft.graph.security.
    let alert = &c.entity_types["microsoft.graph.security.alert"];
    assert_eq!(alert.base_type.as_deref(), Some("microsoft.graph.entity"));
    assert!(c
        .entity_types
        .contains_key("microsoft.graph.callRecords.callRecord"));
}

#[test]
fn v1_descriptions_of_every_target_form() {
    let c = v1();
    // enum type and enum member
    let state = &c.enum_types["microsoft.graph.actionState"];
    assert!(state.members.iter().any(|m| m.description.is_some()));
    // operation overload `name(type, ...)`
    let described = c
        .actions
        .iter()
        .filter(|o| o.doc.description.is_some())
        .count();
    assert!(described > 0);
    // Capability targets that name nothing in the file are reported, and only they
    // (`matches_raw_file` compares them with the raw file's); an overload target ending
    // in `Collection(T))` resolves, so none of those is among them.
    assert!(
        !c.stats.unresolved_targets.iter().any(|t| t.ends_with("))")),
        "{:?}",
        c.stats.unresolved_targets
    );
}

#[test]
fn v1_operations() {
    let c = v1();
    let assign: Vec<_> = c
        .operations_named("microsoft.graph.assignLicense")
        .collect();
    assert!(!assign.is_empty());
    let on_user = assign
        .iter()
        .find(|o| {
            o.binding
                .as_ref()
                .is_some_and(|b| b.type_name == "microsoft.graph.user")
        })
        .expect("user.assignLicense");
    assert_eq!(on_user.kind, OperationKind::Action);
    assert!(on_user.is_bound);
    let add = on_user
        .parameters
        .iter()
        .find(|p| p.name == "addLicenses")
        .expect("addLicenses");
    assert_eq!(add.type_name, "microsoft.graph.assignedLicense");
    assert!(add.is_collection);
    assert_eq!(
        on_user.return_type.as_ref().map(|r| r.type_name.as_str()),
        Some("microsoft.graph.user")
    );
    let delta = c
        .functions
        .iter()
        .find(|f| {
            f.name == "delta"
                && f.binding
                    .as_ref()
                    .is_some_and(|b| b.type_name == "microsoft.graph.user" && b.is_collection)
        })
        .expect("users/delta");
    assert!(!delta.is_composable);
    assert!(delta.return_type.as_ref().is_some_and(|r| r.is_collection));
    let raw = Raw::read(V1_0);
    assert_eq!(
        c.functions.iter().filter(|f| f.is_composable).count(),
        raw.composable_functions
    );
    assert!(raw.composable_functions > 0);
    assert!(c.actions.iter().all(|a| a.kind == OperationKind::Action));
}

#[test]
fn v1_find_and_derive() {
    let c = v1();
    let found = c
        .find_type("Microsoft.Graph.USER")
        .map(|t| t.full_name().to_string());
    assert_eq!(found.as_deref(), Some("microsoft.graph.user"));
    assert!(matches!(
        c.find_type("user"),
        Some(FoundType::Structured(_))
    ));
    assert!(matches!(
        c.find_type("graph.actionState"),
        Some(FoundType::Enum(_))
    ));
    assert!(c.find_type("self.alert").is_some());
    assert!(c.find_type("noSuchType").is_none());
    let derived = c.derived_types("microsoft.graph.directoryObject");
    let names: Vec<&str> = derived.iter().map(|t| t.full_name.as_str()).collect();
    assert!(names.contains(&"microsoft.graph.user"));
    assert!(names.contains(&"microsoft.graph.group"));
    // `servicePrincipal` derives from directoryObject; agents derive from it in turn.
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    let direct_and_deeper = c.derived_types("microsoft.graph.entity");
    assert!(direct_and_deeper.len() > 1000);
}

#[test]
fn beta_matches_an_independent_reading() {
    let c = beta();
    matches_raw_file(c, BETA);
    let user = &c.entity_types["microsoft.graph.user"];
    assert!(user.properties.iter().any(|p| p.name == "displayName"));
    // The 2020 beta file predates the industryData namespace.
    assert!(c
        .find_type("microsoft.graph.industryData.outboundProvisioningFlowSet")
        .is_none());
    // It still points at namespaces whose schemas it does not contain.
    assert_eq!(
        c.singletons["termStore"].type_name,
        "microsoft.graph.termStore.store"
    );
    assert!(c.find_type("microsoft.graph.termStore.store").is_none());
}

#[test]
fn beta_descriptions() {
    let c = beta();
    // Targeted texts repeat inline ones or replace a text already there (the inline one,
    // or another in the same block: one block holds 24 for `deviceManagement`); the texts
    // each element ends up with are checked in `beta_matches_an_independent_reading`.
    assert!(
        c.stats.descriptions_unattached.is_empty(),
        "{:?}",
        c.stats.descriptions_unattached
    );
    // Where the inline text is a placeholder, the targeted text wins.
    let config = &c.entity_types["microsoft.graph.deviceEnrollmentConfiguration"];
    let display_name = config
        .properties
        .iter()
        .find(|p| p.name == "displayName")
        .and_then(|p| p.doc.description.as_deref());
    assert_eq!(
        display_name,
        Some("The display name of the device enrollment configuration")
    );
}

#[test]
fn load_picks_files_by_version() {
    let dir = DataDir::open(CURRENT).expect("data dir");
    let (path, csdl) = csdl::load(&dir, ApiVersion::Beta)
        .expect("loads")
        .expect("beta present");
    assert!(path.ends_with("cleanMetadataWithDescriptionsbeta.xml"));
    assert_eq!(&csdl, beta());

    let (path, _) = csdl::load(&dir, ApiVersion::V1_0)
        .expect("loads")
        .expect("v1.0 present");
    assert!(path.ends_with("cleanMetadata.xml"));

    let previous = DataDir::open(PREVIOUS).expect("previous data dir");
    let (path, _) = csdl::load(&previous, ApiVersion::V1_0)
        .expect("loads")
        .expect("previous v1.0 present");
    assert!(path.ends_with("cleanMetadataWithDescriptionsv1.0.xml"));
    assert!(csdl::load(&previous, ApiVersion::Beta)
        .expect("loads")
        .is_none());
}

#[test]
fn serializes_deterministically() {
    let c = v1();
    let a = serde_json::to_string(c).expect("serializes");
    let back: Csdl = serde_json::from_str(&a).expect("deserializes");
    assert_eq!(&back, c);
    let again = parse_timed(V1_0);
    assert_eq!(serde_json::to_string(&again).expect("serializes"), a);
}

#[test]
fn display_name_descriptions() {
    // The files "with descriptions" carry property descriptions inline.
    let previous = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/upstream/previous/msgraph-metadata/clean_v10_metadata/cleanMetadataWithDescriptionsv1.0.xml"
    );
    for c in [&parse_timed(previous), beta()] {
        let text = c
            .all_properties("microsoft.graph.user")
            .into_iter()
            .find(|p| p.item.name == "displayName")
            .and_then(|p| p.item.doc.description.clone());
        assert!(
            text.as_deref()
                .is_some_and(|t| t.starts_with("The name displayed in the address book")),
            "{text:?}"
        );
    }
}

/// Compares a parsed file with [`Raw`], the independent reading of the same file: the
/// declared elements, the description text of every element, the dangling targets and
/// the description counters.
fn matches_raw_file(c: &Csdl, path: &str) {
    let raw = Raw::read(path);
    assert!(!raw.entity_types.is_empty(), "{path}: no entity types read");
    assert!(!raw.docs.is_empty(), "{path}: no descriptions read");
    assert_same("entity types", c.entity_types.keys(), &raw.entity_types);
    assert_same("complex types", c.complex_types.keys(), &raw.complex_types);
    assert_same("enum types", c.enum_types.keys(), &raw.enum_types);
    assert_same("entity sets", c.entity_sets.keys(), &raw.entity_sets);
    assert_same("singletons", c.singletons.keys(), &raw.singletons);
    assert_same(
        "unresolved targets",
        c.stats.unresolved_targets.iter(),
        &raw.dangling,
    );
    assert_eq!(c.functions.len(), raw.functions, "functions");
    assert_eq!(c.actions.len(), raw.actions, "actions");
    assert_eq!(c.namespaces.len(), raw.namespaces, "namespaces");
    assert_eq!(c.container, raw.container, "container");
    // Terms are declared but not modelled.
    assert_eq!(
        c.stats.skipped.get("Schema/Term").copied().unwrap_or(0),
        raw.terms
    );
    assert!(c.stats.warnings.is_empty(), "{:?}", c.stats.warnings);

    let docs = model_docs(c);
    let wrong: Vec<_> = raw
        .docs
        .iter()
        .filter(|(k, v)| docs.get(*k) != Some(*v))
        .map(|(k, v)| (k, v, docs.get(k)))
        .take(5)
        .collect();
    assert!(
        wrong.is_empty(),
        "descriptions missing or different: {wrong:?}"
    );
    let extra: Vec<_> = docs
        .keys()
        .filter(|k| !raw.docs.contains_key(*k))
        .take(5)
        .collect();
    assert!(
        extra.is_empty(),
        "descriptions the file does not have: {extra:?}"
    );
    let long = docs.keys().filter(|(_, long)| *long).count();
    assert_eq!(
        c.stats.descriptions,
        docs.len() - long,
        "descriptions counted"
    );
    assert_eq!(c.stats.long_descriptions, long, "long descriptions counted");
}

/// Asserts that the parser's names are the raw file's, showing a few differences.
fn assert_same<'a>(what: &str, parsed: impl Iterator<Item = &'a String>, raw: &BTreeSet<String>) {
    let parsed: BTreeSet<&String> = parsed.collect();
    let missing: Vec<_> = raw.iter().filter(|n| !parsed.contains(n)).take(5).collect();
    let extra: Vec<_> = parsed
        .iter()
        .filter(|n| !raw.contains(**n))
        .take(5)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && parsed.len() == raw.len(),
        "{what}: {} parsed, {} in the file; missing {missing:?}, extra {extra:?}",
        parsed.len(),
        raw.len()
    );
}

/// The description texts of a parsed model, keyed like [`Raw::docs`].
fn model_docs(c: &Csdl) -> BTreeMap<(String, bool), String> {
    let mut out = BTreeMap::new();
    let mut put = |key: String, doc: &DocText| {
        if let Some(d) = &doc.description {
            out.insert((key.clone(), false), d.clone());
        }
        if let Some(d) = &doc.long_description {
            out.insert((key, true), d.clone());
        }
    };
    for t in c.entity_types.values().chain(c.complex_types.values()) {
        put(t.full_name.clone(), &t.doc);
        for p in &t.properties {
            put(format!("{}/{}", t.full_name, p.name), &p.doc);
        }
        for n in &t.navigation_properties {
            put(format!("{}/{}", t.full_name, n.name), &n.doc);
        }
    }
    for e in c.enum_types.values() {
        put(e.full_name.clone(), &e.doc);
        for m in &e.members {
            let doc = DocText {
                description: m.description.clone(),
                long_description: None,
            };
            put(format!("{}/{}", e.full_name, m.name), &doc);
        }
    }
    let container = c.container.clone().unwrap_or_default();
    for (name, s) in c.entity_sets.iter().chain(&c.singletons) {
        put(format!("{container}/{name}"), &s.doc);
    }
    for op in c.functions.iter().chain(&c.actions) {
        put(
            format!("{}({})", op.full_name, op.signature().join(",")),
            &op.doc,
        );
    }
    out
}

/// A reading of a CSDL file straight from its XML, written apart from permcat's parser
/// from the CSDL rules: what the file declares, and the text each description slot ends
/// up with (the first inline annotation, replaced by `<Annotations Target>` blocks in
/// document order).
#[derive(Default)]
struct Raw {
    namespaces: usize,
    container: Option<String>,
    entity_types: BTreeSet<String>,
    complex_types: BTreeSet<String>,
    enum_types: BTreeSet<String>,
    entity_sets: BTreeSet<String>,
    singletons: BTreeSet<String>,
    functions: usize,
    composable_functions: usize,
    actions: usize,
    terms: usize,
    /// Elements that hold descriptions (`ns.T`, `ns.T/p`, `ns.E/m`, `ns.C/set`,
    /// `ns.op(sig)`), and whether they take a long one too.
    slots: BTreeMap<String, bool>,
    /// Slot keys of each operation's overloads, by full name.
    overloads: BTreeMap<String, Vec<String>>,
    /// Description text by slot key and whether it is the long one.
    docs: BTreeMap<(String, bool), String>,
    /// `<Annotations Target>` values that name no element.
    dangling: BTreeSet<String>,
    aliases: BTreeMap<String, String>,
}

impl Raw {
    fn read(path: &str) -> Raw {
        let text = std::fs::read_to_string(path).expect("real CSDL file is present");
        let doc = roxmltree::Document::parse(text.trim_start_matches('\u{feff}'))
            .expect("real CSDL file is XML");
        let mut raw = Raw {
            aliases: doc
                .descendants()
                .filter(|n| matches!(n.tag_name().name(), "Schema" | "Include"))
                .filter_map(|n| {
                    Some((
                        n.attribute("Alias")?.into(),
                        n.attribute("Namespace")?.into(),
                    ))
                })
                .collect(),
            ..Raw::default()
        };
        let schemas = doc
            .root_element()
            .children()
            .filter(|n| n.tag_name().name() == "DataServices")
            .flat_map(|d| d.children())
            .filter(|n| n.tag_name().name() == "Schema");
        let mut targeted = Vec::new();
        for schema in schemas {
            let Some(ns) = schema.attribute("Namespace") else {
                continue;
            };
            raw.namespaces += 1;
            for child in schema.children().filter(roxmltree::Node::is_element) {
                let full = child.attribute("Name").map(|n| format!("{ns}.{n}"));
                match (child.tag_name().name(), full) {
                    ("EntityType", Some(full)) => raw.structured(&full, child, true),
                    ("ComplexType", Some(full)) => raw.structured(&full, child, false),
                    ("EnumType", Some(full)) => raw.enum_type(&full, child),
                    ("Function", Some(full)) => {
                        raw.functions += 1;
                        raw.composable_functions +=
                            usize::from(child.attribute("IsComposable") == Some("true"));
                        raw.operation(&full, child);
                    }
                    ("Action", Some(full)) => {
                        raw.actions += 1;
                        raw.operation(&full, child);
                    }
                    ("EntityContainer", Some(full)) => raw.container(&full, child),
                    ("Annotations", _) => targeted.push(child),
                    ("Term", _) => raw.terms += 1,
                    _ => {}
                }
            }
        }
        for block in targeted {
            let Some(target) = block.attribute("Target") else {
                continue;
            };
            let Some(slots) = raw.resolve(target) else {
                raw.dangling.insert(target.to_string());
                continue;
            };
            for a in block.children() {
                let Some((long, text)) = raw.description(a) else {
                    continue;
                };
                for slot in &slots {
                    if !long || raw.slots[slot] {
                        raw.docs.insert((slot.clone(), long), text.clone());
                    }
                }
            }
        }
        raw
    }

    /// Replaces a namespace alias in a qualified name.
    fn qualify(&self, name: &str) -> String {
        let name = name.trim();
        match name.rsplit_once('.') {
            Some((prefix, simple)) => self
                .aliases
                .get(prefix)
                .map_or_else(|| name.to_string(), |ns| format!("{ns}.{simple}")),
            None => name.to_string(),
        }
    }

    /// A type reference with its alias replaced, `Collection(...)` kept.
    fn qualify_type(&self, t: &str) -> String {
        let t = t.trim();
        match t
            .strip_prefix("Collection(")
            .and_then(|r| r.strip_suffix(')'))
        {
            Some(inner) => format!("Collection({})", self.qualify(inner)),
            None => self.qualify(t),
        }
    }

    /// `(is long, text)` of an unqualified Core description annotation.
    fn description(&self, a: roxmltree::Node) -> Option<(bool, String)> {
        if a.tag_name().name() != "Annotation" || a.attribute("Qualifier").is_some() {
            return None;
        }
        let long = match self.qualify(a.attribute("Term")?).as_str() {
            "Org.OData.Core.V1.Description" => false,
            "Org.OData.Core.V1.LongDescription" => true,
            _ => return None,
        };
        let text = match a.attribute("String") {
            Some(s) => s.to_string(),
            None => a
                .children()
                .find(|c| c.tag_name().name() == "String")?
                .text()
                .unwrap_or_default()
                .to_string(),
        };
        Some((long, text))
    }

    /// Records a slot and its inline descriptions; the first of each term counts.
    fn slot(&mut self, key: String, element: roxmltree::Node, takes_long: bool) {
        for a in element.children() {
            if let Some((long, text)) = self.description(a) {
                if !long || takes_long {
                    self.docs.entry((key.clone(), long)).or_insert(text);
                }
            }
        }
        self.slots.insert(key, takes_long);
    }

    fn structured(&mut self, full: &str, node: roxmltree::Node, entity: bool) {
        if entity {
            self.entity_types.insert(full.to_string());
        } else {
            self.complex_types.insert(full.to_string());
        }
        self.slot(full.to_string(), node, true);
        for p in node.children().filter(|p| {
            matches!(p.tag_name().name(), "Property" | "NavigationProperty")
                && p.has_attribute("Type")
        }) {
            if let Some(name) = p.attribute("Name") {
                self.slot(format!("{full}/{name}"), p, true);
            }
        }
    }

    fn enum_type(&mut self, full: &str, node: roxmltree::Node) {
        self.enum_types.insert(full.to_string());
        self.slot(full.to_string(), node, true);
        for m in node.children().filter(|m| m.tag_name().name() == "Member") {
            if let Some(name) = m.attribute("Name") {
                self.slot(format!("{full}/{name}"), m, false);
            }
        }
    }

    fn operation(&mut self, full: &str, node: roxmltree::Node) {
        let signature: Vec<String> = node
            .children()
            .filter(|p| p.tag_name().name() == "Parameter" && p.has_attribute("Name"))
            .filter_map(|p| p.attribute("Type"))
            .map(|t| self.qualify_type(t))
            .collect();
        let key = format!("{full}({})", signature.join(","));
        self.overloads
            .entry(full.to_string())
            .or_default()
            .push(key.clone());
        self.slot(key, node, true);
    }

    fn container(&mut self, full: &str, node: roxmltree::Node) {
        self.container = Some(full.to_string());
        for e in node.children() {
            let (set, type_attr) = match e.tag_name().name() {
                "EntitySet" => (true, "EntityType"),
                "Singleton" => (false, "Type"),
                _ => continue,
            };
            let (Some(name), true) = (e.attribute("Name"), e.has_attribute(type_attr)) else {
                continue;
            };
            if set {
                self.entity_sets.insert(name.to_string());
            } else {
                self.singletons.insert(name.to_string());
            }
            self.slot(format!("{full}/{name}"), e, true);
        }
    }

    /// The slots a target's descriptions go to: empty when the target names an element
    /// that keeps none (the container, a parameter, a deeper path), `None` when it names
    /// nothing.
    fn resolve(&self, target: &str) -> Option<Vec<String>> {
        let (head, rest) = match target.split_once('/') {
            Some((h, r)) => (h, Some(r)),
            None => (target, None),
        };
        let first = rest.map(|r| r.split('/').next().unwrap_or(r));
        let deeper = rest.is_some_and(|r| r.contains('/'));
        let keep = |key: String| if deeper { Vec::new() } else { vec![key] };
        if let Some((name, params)) = head.split_once('(') {
            let params = params.trim_end();
            let params = params.strip_suffix(')').unwrap_or(params);
            let mut list = Vec::new();
            let (mut depth, mut start) = (0usize, 0);
            for (i, c) in params.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        list.push(self.qualify_type(&params[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            if !params[start..].trim().is_empty() || !list.is_empty() {
                list.push(self.qualify_type(&params[start..]));
            }
            let key = format!("{}({})", self.qualify(name), list.join(","));
            return self.slots.contains_key(&key).then(|| {
                if rest.is_some() {
                    Vec::new()
                } else {
                    vec![key]
                }
            });
        }
        let head = self.qualify(head);
        if let Some(c) = &self.container {
            if head == *c || c.rsplit_once('.').is_some_and(|(_, simple)| head == simple) {
                let Some(first) = first else {
                    return Some(Vec::new());
                };
                let key = format!("{c}/{first}");
                return self.slots.contains_key(&key).then(|| keep(key));
            }
        }
        if self.entity_types.contains(&head) || self.complex_types.contains(&head) {
            let Some(first) = first else {
                return Some(vec![head]);
            };
            let key = format!("{head}/{first}");
            return self.slots.contains_key(&key).then(|| keep(key));
        }
        if self.enum_types.contains(&head) {
            let Some(rest) = rest else {
                return Some(vec![head]);
            };
            let key = format!("{head}/{rest}");
            return self.slots.contains_key(&key).then(|| vec![key]);
        }
        let overloads = self.overloads.get(&head)?;
        Some(if rest.is_some() {
            Vec::new()
        } else {
            overloads.clone()
        })
    }
}
