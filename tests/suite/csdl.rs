//! Parses the real Microsoft Graph CSDL files of `../shared/upstream` in place.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use permcat::sources::csdl::{self, ApiVersion, Csdl, FoundType, OperationKind};
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
fn v1_counts() {
    let c = v1();
    assert_eq!(c.entity_types.len(), 1182);
    assert_eq!(c.complex_types.len(), 1780);
    assert_eq!(c.enum_types.len(), 861);
    assert_eq!(c.entity_sets.len(), 40);
    assert_eq!(c.singletons.len(), 30);
    assert_eq!(c.functions.len(), 324);
    assert_eq!(c.actions.len(), 857);
    assert_eq!(c.namespaces.len(), 11);
    assert_eq!(c.container.as_deref(), Some("microsoft.graph.GraphService"));
    // Every one of the file's 4,477 Description annotations finds its element.
    assert_eq!(c.stats.descriptions, 4477);
    assert!(c.stats.descriptions_unattached.is_empty());
    assert_eq!(c.stats.descriptions_overridden, 0);
    assert_eq!(c.stats.long_descriptions, 18);
    // Terms are declared but not modelled.
    assert_eq!(c.stats.skipped.get("Schema/Term"), Some(&11));
    assert!(c.stats.warnings.is_empty(), "{:?}", c.stats.warnings);
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
    assert_eq!(display_name.description, None);
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
        .filter(|n| n.description.is_some())
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
    let described = c.actions.iter().filter(|o| o.description.is_some()).count();
    assert!(described > 0);
    // Six capability targets name nothing in the file; an overload target ending in
    // `Collection(T))` does resolve.
    let unresolved: Vec<&str> = c
        .stats
        .unresolved_targets
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        unresolved,
        [
            "microsoft.graph.directorySetting",
            "microsoft.graph.entitlementManagement/accessPackageAssignmentPolicies",
            "microsoft.graph.list/activities",
            "microsoft.graph.publishedResource/agentGroups",
            "microsoft.graph.servicePrincipal/claimsPolicy",
            "microsoft.graph.user/joinedGroups",
        ]
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
    assert_eq!(c.functions.iter().filter(|f| f.is_composable).count(), 131);
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
fn beta_counts_and_types() {
    let c = beta();
    assert_eq!(c.entity_types.len(), 1107);
    assert_eq!(c.complex_types.len(), 978);
    assert_eq!(c.enum_types.len(), 690);
    assert_eq!(c.entity_sets.len(), 73);
    assert_eq!(c.singletons.len(), 30);
    assert_eq!(c.namespaces.len(), 1);
    assert!(c.stats.warnings.is_empty(), "{:?}", c.stats.warnings);
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
    // 10,747 Description annotations: 4,223 inline, then targeted ones of which 1,507
    // repeat the inline text and 303 replace a text already there (the inline one, or
    // another in the same block: one block holds 24 for `deviceManagement`).
    assert_eq!(c.stats.descriptions, 10747 - 1507 - 303);
    assert_eq!(c.stats.descriptions_overridden, 303);
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
        .and_then(|p| p.description.as_deref());
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
    assert_eq!(csdl.entity_types.len(), 1107);

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
            .and_then(|p| p.item.description.clone());
        assert!(
            text.as_deref()
                .is_some_and(|t| t.starts_with("The name displayed in the address book")),
            "{text:?}"
        );
    }
}
