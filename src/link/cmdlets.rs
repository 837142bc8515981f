//! PowerShell SDK cmdlets attached to their endpoints: from the command map, with
//! conflicts where its permissions disagree with permissions.json, or else from the
//! docs' PowerShell snippets.

use crate::hash::HashMap;
use std::collections::BTreeMap;

use super::endpoints::{add_version, learn_api_link, offer_spelling, EndpointMap, Spelling};
use super::learn::{grant_key, side, GrantIndex};
use super::path::Segment;
use super::Linker;
use crate::model::{ApiVersion, Command, CommandPermission, Conflict, ConflictKind};
use crate::sources::commands::{self, CommandEntry};
use crate::sources::docs::{ApiPage, Docs, PowerShellCall, POWERSHELL};

const COMMANDS: &str = "commands";

impl Linker {
    /// Turns command map entries into [`Command`]s, adds their versions and spellings to
    /// known endpoints, and records where their permissions disagree with the grants.
    pub(super) fn add_commands(
        &mut self,
        entries: Vec<CommandEntry>,
        endpoints: &mut EndpointMap,
        docs: Option<&Docs>,
        granted: &GrantIndex,
    ) {
        let src = self.source(COMMANDS, commands::PATH);
        self.report.count(&src, "cmdlet entries", entries.len());
        // Docs titles by (version, page slug), to say what a cmdlet does.
        let titles: HashMap<(ApiVersion, String), &str> = docs
            .iter()
            .flat_map(|d| &d.sets)
            .flat_map(|s| {
                s.api_pages.iter().filter_map(move |p| {
                    p.title
                        .as_deref()
                        .map(|t| ((s.version, p.slug.to_ascii_lowercase()), t))
                })
            })
            .collect();
        let mut out = Vec::new();
        let mut conflicts = Vec::new();
        let mut no_uri = 0;
        for e in entries {
            let Some(uri) = e.uri.as_deref().filter(|u| !u.trim().is_empty()) else {
                no_uri += 1;
                continue;
            };
            let c = self.canonical(uri);
            let method = e.method.trim().to_ascii_uppercase();
            let version = e.version();
            if let Some(entry) = endpoints.get_mut(&(c.key().to_string(), method.clone())) {
                if let Some(v) = version {
                    add_version(&mut entry.0, v, &src);
                }
                if !entry.0.sources.iter().any(|s| s == &src) {
                    entry.0.sources.push(src.clone());
                    entry.0.sources.sort();
                }
                offer_spelling(entry, c.display(), Spelling::Commands);
            }
            let slug = e
                .api_reference_link
                .as_deref()
                .and_then(|l| l.split('?').next())
                .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
                .map(str::to_ascii_lowercase);
            let title = slug.as_ref().and_then(|s| {
                version
                    .and_then(|v| titles.get(&(v, s.clone())))
                    .or_else(|| {
                        ApiVersion::ALL
                            .iter()
                            .find_map(|v| titles.get(&(*v, s.clone())))
                    })
                    .map(|t| t.to_string())
            });
            let mut permissions: Vec<CommandPermission> = e
                .permissions
                .iter()
                .filter_map(|p| {
                    Some(CommandPermission {
                        name: p.name.trim().to_string(),
                        scheme: p.scheme()?,
                        least_privileged: p.is_least_privilege,
                    })
                })
                .collect();
            permissions.sort();
            permissions.dedup();
            for p in &permissions {
                let Some(g) = granted.get(&grant_key(c.key(), &method, p.scheme)) else {
                    continue;
                };
                let subject = format!("{method} {} ({}) via {}", c.display(), p.scheme, e.command);
                if !g.all.contains(p.name.as_str()) {
                    conflicts.push(Conflict {
                        kind: ConflictKind::CommandPermissionNotGranted,
                        permission: Some(p.name.clone()),
                        subject: subject.clone(),
                        sides: vec![
                            side(&src, format!("{} lists {}", e.command, p.name)),
                            side("permissions", "does not grant it here".into()),
                        ],
                        resolution: "not shown as a grant".into(),
                        source_age: None,
                    });
                } else if p.least_privileged
                    && !g.least.is_empty()
                    && !g.least.contains(p.name.as_str())
                {
                    let least: Vec<&str> = g.least.iter().map(|n| &**n).collect();
                    conflicts.push(Conflict {
                        kind: ConflictKind::CommandLeastPrivilegedMismatch,
                        permission: Some(p.name.clone()),
                        subject,
                        sides: vec![
                            side(&src, format!("least privileged: {}", p.name)),
                            side(
                                "permissions",
                                format!("least privileged: {}", least.join(", ")),
                            ),
                        ],
                        resolution: "permissions.json's choice marked".into(),
                        source_age: None,
                    });
                }
            }
            out.push(Command {
                module: e.module_full_name(),
                name: e.command,
                version,
                method,
                path: c.display().to_string(),
                key: c.key().to_string(),
                title,
                doc_link: e.api_reference_link,
                permissions,
                source: src.clone(),
            });
        }
        if no_uri > 0 {
            self.report.count(&src, "cmdlets without a path", no_uri);
        }
        self.catalog.commands = out;
        self.catalog.conflicts.extend(conflicts);
    }
}

/// A cmdlet one docs example's PowerShell snippet calls.
struct SnippetCall {
    command: Command,
    /// The page and example it came from, for conflicts.
    origin: String,
}

impl Linker {
    /// The cmdlets of the docs' PowerShell snippets: each example's snippet gives the
    /// first Graph cmdlet it calls, the module it imports, the version that module calls
    /// and the example's request; the page's permission table gives its permissions.
    /// Without a command map they are the catalog's cmdlets, labelled with their own
    /// source; with one, the command map stays the source and a snippet calling another
    /// cmdlet for the same request is a conflict.
    pub(super) fn add_snippet_commands(
        &mut self,
        docs: &Docs,
        endpoints: &mut EndpointMap,
        has_command_map: bool,
    ) {
        let calls = self.snippet_calls(docs, endpoints);
        let stats = docs.stats();
        self.report.warn_n(
            "docs: PowerShell snippets without a recognised cmdlet (skipped)",
            stats.powershell_without_cmdlet,
        );
        if has_command_map {
            self.snippet_conflicts(&calls);
            return;
        }
        let mut per_source: BTreeMap<String, usize> = BTreeMap::new();
        for call in &calls {
            let c = &call.command;
            *per_source.entry(c.source.clone()).or_default() += 1;
            if let Some(entry) = endpoints.get_mut(&(c.key.clone(), c.method.clone())) {
                if let Some(v) = c.version {
                    add_version(&mut entry.0, v, &c.source);
                }
                if !entry.0.sources.iter().any(|s| s == &c.source) {
                    entry.0.sources.push(c.source.clone());
                    entry.0.sources.sort();
                }
            }
        }
        for (src, n) in per_source {
            self.report
                .count(&src, "cmdlets from PowerShell snippets", n);
        }
        if !calls.is_empty() {
            // The cmdlets are there after all: the command map's absence only costs the
            // SDK's own permission lists, which the report says.
            self.catalog.missing.retain(|m| m.path != commands::PATH);
            self.report.linked(
                "cmdlets from Learn PowerShell snippets (no command map)",
                calls.len(),
            );
        } else if let Some(m) = self
            .catalog
            .missing
            .iter_mut()
            .find(|m| m.path == commands::PATH)
        {
            m.consequence = format!(
                "no PowerShell cmdlets: neither this command map nor the docs' PowerShell snippets (`{}`) are in the data",
                crate::sources::docs::powershell_snippets_dirs()
            );
        }
        self.catalog
            .commands
            .extend(calls.into_iter().map(|c| c.command));
    }

    /// Every example's PowerShell call, in docs order.
    fn snippet_calls(&mut self, docs: &Docs, endpoints: &EndpointMap) -> Vec<SnippetCall> {
        let mut out = Vec::new();
        let (mut unmatched, mut other_version, mut no_module) = (0, 0, 0);
        for set in &docs.sets {
            for page in &set.api_pages {
                let permissions = page_permissions(page);
                for example in &page.examples {
                    let Some(snippet) = set.snippet(&example.name, POWERSHELL) else {
                        continue;
                    };
                    let Some(call) = &snippet.powershell else {
                        continue;
                    };
                    let version = call.version();
                    if version != set.version {
                        other_version += 1;
                    }
                    if call.module.is_none() {
                        no_module += 1;
                    }
                    let asked = powershell_request_path(&example.request.path, call);
                    let (key, path, known) =
                        self.example_endpoint(page, &example.request.method, &asked, endpoints);
                    if !known {
                        unmatched += 1;
                    }
                    let source = self.powershell_source(docs, &snippet.root, set.version);
                    out.push(SnippetCall {
                        command: Command {
                            name: call.cmdlet.clone(),
                            module: call.module.clone().unwrap_or_default(),
                            version: Some(version),
                            method: example.request.method.clone(),
                            path,
                            key,
                            title: page.title.clone(),
                            doc_link: Some(learn_api_link(&page.slug, set.version)),
                            permissions: permissions.clone(),
                            source,
                        },
                        origin: format!("{}/{} example {}", set.version, page.slug, example.name),
                    });
                }
            }
        }
        for (n, what) in [
            (
                unmatched,
                "docs: PowerShell examples whose request no endpoint of permissions.json has",
            ),
            (
                other_version,
                "docs: PowerShell snippets importing a module of the other API version",
            ),
            (no_module, "docs: PowerShell snippets without Import-Module"),
        ] {
            self.report.warn_n(what, n);
        }
        out
    }

    /// The endpoint an example requests: the page's own request line that the example's
    /// concrete path fills in (`/users/87d349ed-…` is `/users/{id}`), else the
    /// example's path as written. Returns the key, the path to show and whether
    /// permissions.json has the endpoint.
    fn example_endpoint(
        &self,
        page: &ApiPage,
        method: &str,
        raw_path: &str,
        endpoints: &EndpointMap,
    ) -> (String, String, bool) {
        let asked = self.canonical(raw_path);
        let template = page
            .requests
            .iter()
            .filter(|r| r.method == method)
            .map(|r| self.canonical(&r.path))
            .find(|t| fills(asked.segments(), t.segments()));
        let c = template.unwrap_or(asked);
        match endpoints.get(&(c.key().to_string(), method.to_string())) {
            Some((e, _)) => (e.key.clone(), e.path.clone(), true),
            None => (c.key().to_string(), c.display().to_string(), false),
        }
    }

    /// With a command map: a snippet whose request the map knows (same method, path and
    /// version) but by other cmdlets.
    fn snippet_conflicts(&mut self, calls: &[SnippetCall]) {
        let mut by_request: HashMap<(&str, &str, Option<ApiVersion>), Vec<&str>> =
            HashMap::default();
        for c in &self.catalog.commands {
            by_request
                .entry((c.key.as_str(), c.method.as_str(), c.version))
                .or_default()
                .push(c.name.as_str());
        }
        let mut conflicts = Vec::new();
        for SnippetCall { command: c, origin } in calls {
            let Some(names) = by_request.get(&(c.key.as_str(), c.method.as_str(), c.version))
            else {
                continue;
            };
            if names.iter().any(|n| n.eq_ignore_ascii_case(&c.name)) {
                continue;
            }
            let mut names = names.clone();
            names.sort_unstable();
            names.dedup();
            let version = c.version.map_or("", |v| v.as_str());
            conflicts.push(Conflict {
                kind: ConflictKind::CommandSnippetMismatch,
                permission: None,
                subject: format!("{} {} ({version})", c.method, c.path),
                sides: vec![
                    side(&c.source, format!("{origin} calls {}", c.name)),
                    side(COMMANDS, names.join(", ")),
                ],
                resolution: "the command map's cmdlets shown".into(),
                source_age: None,
            });
        }
        self.report.linked(
            "PowerShell snippets calling another cmdlet than the command map",
            conflicts.len(),
        );
        self.catalog.conflicts.extend(conflicts);
    }
}

/// Whether a concrete request path fills in a template: as long, each segment equal or
/// a plain value where the template has a placeholder.
fn fills(concrete: &[Segment], template: &[Segment]) -> bool {
    concrete.len() == template.len()
        && concrete.iter().zip(template).all(|(c, t)| {
            c == t
                || (t.is_placeholder()
                    && match c {
                        Segment::Literal(s) => !s.starts_with('$'),
                        Segment::Placeholder => true,
                        _ => false,
                    })
        })
}

/// The permissions of a page's one permission table, as a cmdlet of that page needs
/// them: the plain rows (no sub-case), least privileged as the table marks them. None
/// when the page has no table or several (which request each governs is unclear).
fn page_permissions(page: &ApiPage) -> Vec<CommandPermission> {
    let [table] = page.permission_tables.as_slice() else {
        return Vec::new();
    };
    let mut out: Vec<CommandPermission> = table
        .rows
        .iter()
        .filter(|r| r.variant.is_none())
        .flat_map(|r| {
            r.permissions
                .iter()
                .enumerate()
                .map(|(i, p)| CommandPermission {
                    name: p.clone(),
                    scheme: r.scheme,
                    least_privileged: i < r.least,
                })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The request a PowerShell snippet's cmdlet sends. The SDK has no `/me` cmdlets: the
/// docs show the `/me` example's snippet as `Send-MgUserMail -UserId $userId`, which
/// calls `/users/{user-id}/sendMail`, so a `/me` path with a `-UserId` call is that
/// user path. Any other path is the example's own.
fn powershell_request_path(example_path: &str, call: &PowerShellCall) -> String {
    let passes_user = call
        .parameters
        .iter()
        .any(|p| p.eq_ignore_ascii_case("UserId"));
    let trimmed = example_path.trim_start_matches('/');
    let (first, rest) = match trimmed.find(['/', '?']) {
        Some(i) => trimmed.split_at(i),
        None => (trimmed, ""),
    };
    if passes_user && first.eq_ignore_ascii_case("me") {
        format!("/users/{{user-id}}{rest}")
    } else {
        example_path.to_string()
    }
}

#[cfg(test)]
mod snippet_path_tests {
    use super::*;

    fn call(parameters: &[&str]) -> PowerShellCall {
        PowerShellCall {
            cmdlet: "Send-MgUserMail".into(),
            module: None,
            parameters: parameters.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn me_with_a_user_id_is_the_user_path() {
        let with = call(&["UserId", "BodyParameter"]);
        assert_eq!(
            powershell_request_path("/me/sendMail", &with),
            "/users/{user-id}/sendMail"
        );
        assert_eq!(powershell_request_path("/me", &with), "/users/{user-id}");
        assert_eq!(
            powershell_request_path("/ME?$select=id", &with),
            "/users/{user-id}?$select=id"
        );
        assert_eq!(
            powershell_request_path("/messages/me", &with),
            "/messages/me"
        );
        assert_eq!(powershell_request_path("/meetings", &with), "/meetings");
        let without = call(&["BodyParameter"]);
        assert_eq!(
            powershell_request_path("/me/sendMail", &without),
            "/me/sendMail"
        );
    }
}
