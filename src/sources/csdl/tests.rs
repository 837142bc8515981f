//! Unit tests of the CSDL parser and lookups on a small hand-written schema.

use super::annotations::split_params;
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
    assert_eq!(user.doc.description.as_deref(), Some("A person."));
    assert_eq!(user.doc.long_description.as_deref(), Some("A longer text."));
    // A targeted text replaces a different inline one.
    assert_eq!(
        user.properties[0].doc.description.as_deref(),
        Some("Targeted name.")
    );
    assert_eq!(
        user.navigation_properties[0].doc.description.as_deref(),
        Some("Mail.")
    );
    let color = &c.enum_types["microsoft.graph.color"];
    assert_eq!(color.members[0].description.as_deref(), Some("Red."));
    assert_eq!(
        c.entity_sets["users"].doc.description.as_deref(),
        Some("All users.")
    );
    assert_eq!(
        c.actions[1].doc.description.as_deref(),
        Some("Assigns to a user.")
    );
    assert_eq!(c.actions[0].doc.description, None);
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
