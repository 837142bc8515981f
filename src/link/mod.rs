//! Merges the records of every source into one [`Catalog`], keeping each disagreement
//! between sources as a [`Conflict`] instead of silently picking one side.

mod cmdlets;
mod endpoints;
mod learn;
mod least;
pub mod path;
mod permissions;
pub mod resolve;
mod resources;
mod tiering;

use crate::hash::HashMap;
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::model::{ApiVersion, Catalog, Conflict, Endpoint, Permission, SourceFile};
use crate::sources::snapshot::Snapshot;
use crate::sources::{csdl, docs, typemap, Records};
use path::CanonicalPath;
use resolve::{NameMatcher, Resolver};

/// Counts of what was read, for `permcat check`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Lines of (source key, what, count), in reading order.
    pub counts: Vec<(String, String, usize)>,
    /// Things skipped while reading, with how often.
    pub warnings: BTreeMap<String, usize>,
    /// Facts about the linking itself: (what, count).
    pub linked: Vec<(String, usize)>,
    /// Named steps with their wall time, in order.
    pub steps: Vec<(String, Duration)>,
    lap_start: Option<Instant>,
}

impl LoadReport {
    fn count(&mut self, source: &str, what: &str, n: usize) {
        self.counts.push((source.to_string(), what.to_string(), n));
    }

    fn linked(&mut self, what: &str, n: usize) {
        self.linked.push((what.to_string(), n));
    }

    /// Ends the step running since the previous lap (or the start) and names it.
    fn lap(&mut self, name: &str) {
        let now = Instant::now();
        let start = self.lap_start.unwrap_or(now);
        self.steps.push((name.to_string(), now - start));
        self.lap_start = Some(now);
    }

    fn warn(&mut self, what: impl Into<String>) {
        self.warn_n(what, 1);
    }

    fn warn_n(&mut self, what: impl Into<String>, n: usize) {
        if n > 0 {
            *self.warnings.entry(what.into()).or_default() += n;
        }
    }
}

/// Links the records of every source into one catalog. No file I/O: everything the
/// catalog says comes from `records`. The steps run in a fixed order, each named and
/// timed in the report.
pub fn link(mut records: Records) -> (Catalog, LoadReport) {
    Started::new(&mut records).finish(records)
}

/// A catalog with the permission sources linked (permissions.json, the descriptions,
/// the deployment records), waiting for the schemas, the docs and the command map.
/// [`crate::load`] starts it as soon as the permission files are read, while the
/// docs are still being read on other threads; [`link`] runs both halves in a row.
pub struct Started {
    ctx: Linker,
    /// The endpoints that permissions.json grants, and an index of its grants: neither
    /// waits for the docs.
    endpoints: endpoints::EndpointMap,
    granted: learn::GrantIndex,
}

impl Started {
    /// Links the permission sources of `records`, taking them out of it.
    pub fn new(records: &mut Records) -> Started {
        let mut ctx = Linker {
            catalog: Catalog::default(),
            permissions: BTreeMap::new(),
            paths: RefCell::default(),
            snapshot: records.snapshot.take().unwrap_or_default(),
            report: LoadReport {
                lap_start: Some(Instant::now()),
                ..LoadReport::default()
            },
            set_methods: Vec::new(),
        };
        ctx.catalog.data_date = ctx
            .snapshot
            .find(crate::sources::permissions::PATH)
            .and_then(|s| s.date.clone());
        let permissions = std::mem::replace(
            &mut records.permissions,
            crate::sources::permissions::PermissionsDocument {
                permissions: crate::sources::permissions::Keyed {
                    map: BTreeMap::new(),
                    repeated: Vec::new(),
                },
            },
        );
        ctx.add_permissions(permissions);
        ctx.report.lap("permissions");

        // The pick of the least-privileged permissions and the index of the grants
        // read only the grants and the privilege levels: they run on a thread of their
        // own while the descriptions, the deployment records and the tiers are linked
        // into the permissions (not on the pool, which is reading the docs by now).
        let levels = ctx.privilege_levels();
        let mut grants = std::mem::take(&mut ctx.catalog.grants);
        let set_methods = std::mem::take(&mut ctx.set_methods);
        let (picks, granted, endpoints) = std::thread::scope(|scope| {
            let side = scope.spawn(|| {
                let picks = least::pick_least_privileged(&grants, &levels, &set_methods);
                (picks, learn::grant_index(&grants))
            });
            if let Some(doc) = records.descriptions.take() {
                ctx.add_descriptions(doc);
            }
            for (lang, path, doc) in std::mem::take(&mut records.localized) {
                ctx.add_localized(lang, &path, doc);
            }
            if let Some(doc) = records.provisioning.take() {
                ctx.add_provisioning(doc);
            }
            ctx.report_missing_ids();
            if let Some(doc) = records.tiering.take() {
                ctx.add_tiering(doc);
            }
            let endpoints = ctx.endpoints_from_grants(&grants);
            let (picks, granted) = match side.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            (picks, granted, endpoints)
        });
        ctx.mark_least_privileged(&mut grants, picks);
        ctx.catalog.grants = grants;
        ctx.report
            .lap("descriptions, provisioning, least privileged and granted endpoints (at once)");
        Started {
            ctx,
            endpoints,
            granted,
        }
    }

    /// Links the rest of `records` (whose permission sources [`Started::new`] took) and
    /// puts the catalog in order.
    pub fn finish(self, records: Records) -> (Catalog, LoadReport) {
        let Records {
            schemas,
            docs,
            commands,
            typemaps,
            missing,
            skipped,
            steps,
            ..
        } = records;
        let Started {
            mut ctx,
            endpoints,
            granted,
        } = self;
        // The reading steps first, then the linking steps; the wait for the other
        // sources is not a linking step.
        let linked = std::mem::replace(&mut ctx.report.steps, steps);
        ctx.report.steps.extend(linked);
        ctx.report.lap_start = Some(Instant::now());
        ctx.catalog.missing = missing;
        let linked = Linked {
            endpoints,
            granted,
            schemas,
            docs,
            commands,
            typemaps,
            skipped,
        };
        finish(ctx, linked)
    }
}

/// What the half of [`link`] after the permission sources starts from.
struct Linked {
    endpoints: endpoints::EndpointMap,
    granted: learn::GrantIndex,
    schemas: Vec<(ApiVersion, String, csdl::Csdl)>,
    docs: Option<docs::Docs>,
    commands: Option<Vec<crate::sources::commands::CommandEntry>>,
    typemaps: Vec<(ApiVersion, Vec<String>, typemap::TypeMap)>,
    skipped: Vec<(String, usize)>,
}

/// The half of [`link`] after the permission sources.
fn finish(mut ctx: Linker, linked: Linked) -> (Catalog, LoadReport) {
    let Linked {
        mut endpoints,
        granted,
        schemas,
        docs,
        commands,
        typemaps,
        skipped,
    } = linked;
    // The Graph schema, the docs and the command map, linked through endpoints.
    let schemas = ctx.register_schemas(schemas);
    if let Some(docs) = &docs {
        ctx.count_docs(docs);
        ctx.canonicalize_docs_paths(docs);
    }
    if let Some(docs) = &docs {
        let unknown = ctx.endpoints_from_docs(&mut endpoints, docs);
        ctx.report
            .linked("docs requests not in permissions.json", unknown);
    }
    ctx.report.lap("endpoints");
    let has_command_map = commands.is_some();
    if let Some(entries) = commands {
        ctx.add_commands(entries, &mut endpoints, docs.as_ref(), &granted);
    }
    if let Some(docs) = &docs {
        ctx.add_snippet_commands(docs, &mut endpoints, has_command_map);
    }
    ctx.report.lap("commands");
    let typemaps = ctx.register_typemaps(typemaps);
    let matcher = {
        // The indexes of the type maps and of each schema, built at the same time.
        let (matcher, resolvers) = rayon::join(
            || {
                (!typemaps.is_empty())
                    .then(|| NameMatcher::new(typemaps.iter().map(|(v, m)| (*v, m)).collect()))
            },
            || {
                schemas
                    .par_iter()
                    .map(|(v, k, doc)| (*v, k.clone(), Resolver::new(doc)))
                    .collect::<Vec<(ApiVersion, String, Resolver<'_>)>>()
            },
        );
        ctx.resolve_endpoints(&mut endpoints, &resolvers, matcher.as_ref());
        matcher
    };
    ctx.report.lap("resolution");
    if let Some(docs) = &docs {
        ctx.snippets_and_docs_conflicts(docs, &endpoints, &granted);
    }
    ctx.report.lap("snippets and docs tables");
    let endpoint_list: Vec<Endpoint> = endpoints.into_values().map(|(e, _)| e).collect();
    let schema_refs: Vec<resources::Schema<'_>> = schemas
        .iter()
        .map(|(version, source, csdl)| resources::Schema {
            version: *version,
            source: source.clone(),
            csdl,
        })
        .collect();
    // The resources, and each permission's primary resource (from the grants alone),
    // at the same time. The grants and permissions are taken out of the linker while
    // build_resources runs, which reads neither.
    let grants = std::mem::take(&mut ctx.catalog.grants);
    let mut permissions = std::mem::take(&mut ctx.permissions);
    rayon::join(
        || {
            ctx.build_resources(
                &endpoint_list,
                &schema_refs,
                docs.as_ref(),
                matcher.as_ref(),
            )
        },
        || resources::assign_primary_resources(&grants, &mut permissions, &endpoint_list),
    );
    ctx.catalog.grants = grants;
    ctx.permissions = permissions;
    // The records are all linked: they go before the catalog is sorted, freed on
    // another thread while this one sorts.
    drop(schema_refs);
    drop(matcher);
    drop_aside((docs, schemas, typemaps, granted, ctx.paths.take()));
    ctx.report.lap("resources");
    ctx.report_endpoints(&endpoint_list);
    ctx.catalog.endpoints = endpoint_list;

    let mut catalog = ctx.catalog;
    let mut report = ctx.report;
    catalog.permissions = ctx.permissions.into_values().collect();
    label_source_age(&mut catalog);
    catalog.finish();
    for (what, n) in skipped {
        report.warn_n(what, n);
    }
    report.lap("sorting");
    (catalog, report)
}

/// Frees `spent` on a thread of its own: freeing the records of 18,000 files takes
/// longer than most linking steps, and nothing waits for it. Without a thread to spare
/// it is freed here.
fn drop_aside<T: Send + 'static>(spent: T) {
    // A failed spawn drops the closure, and `spent` with it, right here.
    let _ = std::thread::Builder::new()
        .name("permcat-free".into())
        .spawn(move || drop(spent));
}

impl Linker {
    /// Registers each schema as a source and keys it for the resolution.
    fn register_schemas(
        &mut self,
        schemas: Vec<(ApiVersion, String, csdl::Csdl)>,
    ) -> Vec<(ApiVersion, String, csdl::Csdl)> {
        schemas
            .into_iter()
            .map(|(version, rel, doc)| {
                let key = self.source(&format!("csdl:{version}"), &rel);
                self.report
                    .count(&key, "entity types", doc.entity_types.len());
                (version, key, doc)
            })
            .collect()
    }

    /// Registers each version of the docs as a source, with what was read and skipped:
    /// the pages and snippets under the folder each came from (today's docs and the
    /// older copy apart), the parse problems per version.
    fn count_docs(&mut self, docs: &docs::Docs) {
        for set in &docs.sets {
            self.docs_source(docs, set.version);
            let mut per_root: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
            for page in &set.api_pages {
                let n = per_root.entry(page.root.as_str()).or_default();
                n[0] += 1;
                if page.permission_tables.iter().any(|t| !t.rows.is_empty()) {
                    n[3] += 1;
                }
            }
            for page in &set.resources {
                per_root.entry(page.root.as_str()).or_default()[1] += 1;
            }
            for snippet in &set.snippets {
                per_root.entry(snippet.root.as_str()).or_default()[2] += 1;
            }
            if per_root.is_empty() {
                per_root.insert("", [0; 4]);
            }
            for (root, n) in per_root {
                let key = self.docs_page_source(docs, root, set.version);
                for (what, count) in [
                    ("API pages", n[0]),
                    ("resource pages", n[1]),
                    ("snippets", n[2]),
                    ("pages with a permission table", n[3]),
                ] {
                    self.report.count(&key, what, count);
                }
            }
            let st = &set.stats;
            let v = set.version;
            for (n, what) in [
                (
                    st.pages_without_permissions,
                    "API pages without a permission table",
                ),
                (
                    st.unknown_table_layouts,
                    "permission tables of unknown layout",
                ),
                (
                    st.unknown_permission_rows,
                    "permission rows of unknown type",
                ),
                (st.missing_includes, "permission includes not found"),
                (
                    st.examples_without_request,
                    "examples without a request line",
                ),
                (st.snippet_files_skipped, "snippet files without code"),
            ] {
                self.report.warn_n(format!("docs {v}: {what}"), n);
            }
        }
    }

    /// Registers the type maps as sources; returns the maps by version.
    fn register_typemaps(
        &mut self,
        typemaps: Vec<(ApiVersion, Vec<String>, typemap::TypeMap)>,
    ) -> Vec<(ApiVersion, typemap::TypeMap)> {
        typemaps
            .into_iter()
            .map(|(version, files, map)| {
                for (i, file) in files.iter().enumerate() {
                    let suffix = if i == 0 { "" } else { ":complex" };
                    let key = self.source(&format!("typemap:{version}{suffix}"), file);
                    if i == 0 {
                        self.report
                            .count(&key, "types (names only)", map.types.len());
                    }
                }
                (version, map)
            })
            .collect()
    }

    /// Facts about the endpoints for `permcat check`.
    fn report_endpoints(&mut self, endpoint_list: &[Endpoint]) {
        let resolved = endpoint_list
            .iter()
            .filter(|e| e.resource.is_some())
            .count();
        self.report.linked("endpoints", endpoint_list.len());
        for version in ApiVersion::ALL {
            let n = endpoint_list
                .iter()
                .filter(|e| e.versions.contains_key(&version))
                .count();
            self.report.linked(&format!("  in {version}"), n);
        }
        let unplaced = endpoint_list
            .iter()
            .filter(|e| e.versions.is_empty())
            .count();
        self.report
            .linked("  in no version any source confirms", unplaced);
        self.report.linked("endpoints resolved to a type", resolved);
        let by_name = endpoint_list
            .iter()
            .filter(|e| e.resource.is_some() && e.resource_by_name)
            .count();
        self.report
            .linked("  of which matched by name in the type maps", by_name);
        let nothing = endpoint_list.iter().filter(|e| e.returns_nothing).count();
        self.report
            .linked("endpoints returning nothing (actions)", nothing);
        let operations = endpoint_list
            .iter()
            .filter(|e| e.bound_to.is_some())
            .count();
        self.report
            .linked("endpoints ending in a bound action or function", operations);
    }
}

/// Marks the conflicts that only reflect the age of a source: a side from a source more
/// than a year older than the permission data, in a kind that compares that source with
/// permissions.json (the docs' permission tables, the command map).
fn label_source_age(catalog: &mut Catalog) {
    use crate::model::ConflictKind as K;
    let aged: BTreeMap<String, String> = catalog
        .sources
        .values()
        .filter(|s| catalog.source_age(&s.key).is_some())
        .filter_map(|s| {
            let what = match s.key.split(':').next()? {
                "docs" => "docs page",
                "commands" => "command map",
                "csdl" => "schema",
                _ => return None,
            };
            Some((s.key.clone(), format!("{what} from {}", s.date.as_deref()?)))
        })
        .collect();
    if aged.is_empty() {
        return;
    }
    for c in &mut catalog.conflicts {
        let compares_a_copy = matches!(
            c.kind,
            K::DocsPermissionNotGranted
                | K::DocsLeastPrivilegedMismatch
                | K::CommandPermissionNotGranted
                | K::CommandLeastPrivilegedMismatch
        );
        if compares_a_copy {
            c.source_age = c.sides.iter().find_map(|s| aged.get(&s.source).cloned());
        }
    }
}

/// Compares two strings as their ASCII lower-case forms compare, without building them:
/// a sort of 43,000 grants compares names about 700,000 times.
pub(crate) fn ascii_ci_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    // Bytes that are equal are equal in any case: the shared start of two paths or
    // names (`/users/{id}/…`, `DeviceManagement…`) is skipped eight bytes at a time.
    let mut i = 0;
    while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
        i += 8;
    }
    for (x, y) in a[i..n].iter().zip(&b[i..n]) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// [`crate::model::permission_order`] without allocating: case-insensitive, then exact.
pub(crate) fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    ascii_ci_cmp(a, b).then_with(|| a.cmp(b))
}

impl Catalog {
    /// Puts every collection in its canonical order, so output is deterministic. The
    /// collections are independent: they sort at the same time, the larger ones on
    /// every thread (each sort is total, so the order does not depend on the threads).
    fn finish(&mut self) {
        let Catalog {
            permissions,
            grants,
            endpoints,
            resources,
            commands,
            snippets,
            conflicts,
            missing,
            ..
        } = self;
        rayon::scope(|s| {
            s.spawn(|_| {
                grants.par_sort_by(|a, b| {
                    name_order(&a.permission, &b.permission)
                        .then_with(|| a.method.cmp(&b.method))
                        .then_with(|| ascii_ci_cmp(&a.path, &b.path))
                        .then_with(|| a.cmp(b))
                });
                grants.dedup();
            });
            s.spawn(|_| {
                conflicts.par_iter_mut().for_each(|c| c.sides.sort());
                conflicts.par_sort();
                conflicts.dedup();
            });
            s.spawn(|_| {
                snippets.par_sort_by(|a, b| {
                    (
                        &a.key,
                        &a.method,
                        a.version,
                        &a.language,
                        &a.request_name,
                        &a.file,
                    )
                        .cmp(&(
                            &b.key,
                            &b.method,
                            b.version,
                            &b.language,
                            &b.request_name,
                            &b.file,
                        ))
                });
                snippets.dedup();
            });
            s.spawn(|_| {
                permissions.sort_by(|a, b| name_order(&a.name, &b.name));
                endpoints.sort_by(|a, b| (&a.key, &a.method).cmp(&(&b.key, &b.method)));
                resources.sort_by(|a, b| (a.version, &a.type_name).cmp(&(b.version, &b.type_name)));
                crate::slugs::assign_resource_slugs(resources);
                commands.sort_by(|a, b| {
                    (&a.key, &a.method, a.version, &a.name, &a.path)
                        .cmp(&(&b.key, &b.method, b.version, &b.name, &b.path))
                });
                commands.dedup();
                missing.sort_by(|a, b| a.path.cmp(&b.path));
            });
        });
    }
}

/// State while linking.
struct Linker {
    catalog: Catalog,
    /// Permissions by exact name while they are being merged.
    permissions: BTreeMap<String, Permission>,
    /// Canonical forms of the paths seen so far: the same few thousand paths come back
    /// from every source.
    paths: RefCell<HashMap<String, Arc<CanonicalPath>>>,
    snapshot: Snapshot,
    report: LoadReport,
    /// Per grant of `catalog.grants`, in their order while permissions.json is linked:
    /// the fewest methods of a pathSet that grants its (permission, method, key,
    /// scheme), for the least-privileged rule.
    set_methods: Vec<usize>,
}

impl Linker {
    /// Registers a source file under `key` and returns the key.
    fn source(&mut self, key: &str, path: &str) -> String {
        let entry = self.snapshot.find(path);
        self.catalog.sources.insert(
            key.to_string(),
            SourceFile {
                key: key.to_string(),
                path: path.to_string(),
                repo: entry.and_then(|e| e.repo.clone()),
                commit: entry.and_then(|e| e.commit.clone()),
                date: entry.and_then(|e| e.date.clone()),
            },
        );
        key.to_string()
    }

    /// Computes the canonical forms of the request paths of the docs' API pages (their
    /// request lines and examples) on every thread, so the linking steps that follow
    /// find them computed.
    fn canonicalize_docs_paths(&self, docs: &docs::Docs) {
        let mut todo: Vec<&str> = {
            let known = self.paths.borrow();
            docs.sets
                .iter()
                .flat_map(|set| &set.api_pages)
                .flat_map(|page| {
                    let requests = page.requests.iter().map(|r| r.path.as_str());
                    requests.chain(page.examples.iter().map(|e| e.request.path.as_str()))
                })
                .filter(|raw| !known.contains_key(*raw))
                .collect()
        };
        todo.sort_unstable();
        todo.dedup();
        let computed: Vec<(&str, Arc<CanonicalPath>)> = todo
            .into_par_iter()
            .map(|raw| (raw, Arc::new(path::canonicalize(raw))))
            .collect();
        let mut known = self.paths.borrow_mut();
        for (raw, c) in computed {
            known.insert(raw.to_string(), c);
        }
    }

    /// The canonical form of a request path, computed once per spelling.
    fn canonical(&self, raw: &str) -> Arc<CanonicalPath> {
        if let Some(found) = self.paths.borrow().get(raw) {
            return Arc::clone(found);
        }
        let c = Arc::new(path::canonicalize(raw));
        self.paths
            .borrow_mut()
            .insert(raw.to_string(), Arc::clone(&c));
        c
    }

    fn conflict(&mut self, conflict: Conflict) {
        self.catalog.conflicts.push(conflict);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MissingSource;
    use crate::sources::permissions::PermissionsDocument;

    /// Records holding only a permissions document, as if every other source were absent.
    fn records(permissions: &str) -> Records {
        let permissions: PermissionsDocument =
            serde_json::from_str(permissions).expect("the test document parses");
        Records {
            skipped: vec![("a skipped file".to_string(), 2)],
            ..Records::new(None, permissions)
        }
    }

    const TWO: &str = r#"{"permissions": {
        "Widget.ReadWrite.All": {"schemes": {"Application": {"adminDisplayName": "rw",
            "privilegeLevel": 3}},
            "pathSets": [{"schemeKeys": ["Application"], "methods": ["GET", "PATCH"],
                "paths": {"/widgets/{id}": ""}}]},
        "Widget.Read.All": {"schemes": {"Application": {"adminDisplayName": "r",
            "privilegeLevel": 1}},
            "pathSets": [{"schemeKeys": ["Application"], "methods": ["GET"],
                "paths": {"/widgets/{widget-id}": ""}}]}
    }}"#;

    #[test]
    fn links_records_built_in_memory() {
        let (catalog, report) = link(records(TWO));
        let names: Vec<&str> = catalog
            .permissions
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["Widget.Read.All", "Widget.ReadWrite.All"]);
        // Both spellings of the path are one request; the read permission, from the
        // smaller pathSet and the lower privilege level, is the one least privileged.
        let get: Vec<_> = catalog
            .grants
            .iter()
            .filter(|g| g.method == "GET")
            .collect();
        assert_eq!(get.len(), 2);
        assert_eq!(get[0].key, get[1].key);
        let least: Vec<&str> = get
            .iter()
            .filter(|g| g.least_privileged)
            .map(|g| g.permission.as_str())
            .collect();
        assert_eq!(least, ["Widget.Read.All"]);
        assert_eq!(report.warnings.get("a skipped file"), Some(&2));
        assert!(catalog.resources.is_empty());
    }

    #[test]
    fn name_order_is_permission_order() {
        let names = [
            "",
            "a",
            "A",
            "a.b",
            "A.B",
            "Ab",
            "aB",
            "a_b",
            "a[b",
            "Z",
            "z",
            "zz",
            "Ä",
            "ä",
            "a-b",
            "User.Read",
            "user.read",
            "User.ReadWrite",
            "User_Read",
            "User.Read.All",
            // Longer than the eight bytes compared at a time, equal or differing in
            // case before, at and after the eighth byte.
            "DeviceManagementApps.Read",
            "devicemanagementapps.read.all",
            "DeviceManagementApps.ReadWrite",
            "DeviceManagementApps.ReadWrite.All",
            "DeviceMAnagementApps.ReadWrite.All",
            "/users/{id}/messages",
            "/users/{ID}/messages",
            "/users/{id}/Messages",
            "/users/{id}/messages/{message-id}",
            "/users/{id",
            "/users/{",
            "/users/",
            "/users",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    name_order(a, b),
                    crate::model::permission_order(a, b),
                    "{a} {b}"
                );
                assert_eq!(
                    ascii_ci_cmp(a, b),
                    a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn the_missing_notes_of_the_records_reach_the_catalog_sorted() {
        let mut r = records(TWO);
        for path in ["b/file", "a/file"] {
            r.missing.push(MissingSource {
                path: path.to_string(),
                consequence: "nothing".to_string(),
            });
        }
        let (catalog, _) = link(r);
        let paths: Vec<&str> = catalog.missing.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(paths, ["a/file", "b/file"]);
    }
}
