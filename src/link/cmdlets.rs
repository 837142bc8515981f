//! PowerShell SDK cmdlets attached to their endpoints, and conflicts where the command
//! map's permissions disagree with permissions.json.

use std::collections::HashMap;

use super::endpoints::{add_version, offer_spelling, EndpointMap, Spelling};
use super::learn::{side, GrantIndex};
use super::Linker;
use crate::model::{ApiVersion, Command, CommandPermission, Conflict, ConflictKind};
use crate::sources::commands::{self, CommandEntry};
use crate::sources::docs::Docs;

const COMMANDS: &str = "commands";

impl Linker<'_> {
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
                let Some(g) = granted.get(&(c.key().to_string(), method.clone(), p.scheme)) else {
                    continue;
                };
                let subject = format!("{method} {} ({}) via {}", c.display(), p.scheme, e.command);
                if !g.all.contains(&p.name) {
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
                } else if p.least_privileged && !g.least.is_empty() && !g.least.contains(&p.name) {
                    let least: Vec<&str> = g.least.iter().map(String::as_str).collect();
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
