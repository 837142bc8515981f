//! Description annotations: inline ones on an element and those of `<Annotations Target>`
//! blocks, attached to their element once the whole document is read.

use std::collections::BTreeMap;

use roxmltree::Node;

use super::parser::Parser;
use super::types::{DocText, EnumType, Operation, ParseStats, StructuredType};

/// Term of the short description annotation.
const DESCRIPTION: &str = "Org.OData.Core.V1.Description";
/// Term of the long description annotation.
const LONG_DESCRIPTION: &str = "Org.OData.Core.V1.LongDescription";

/// Which description term an annotation carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocTerm {
    Short,
    Long,
}

/// An `<Annotations Target>` block's target, with one of its descriptions or none (then
/// the target is only checked, so that dangling targets get reported whatever the term).
pub(super) struct Targeted {
    target: String,
    doc: Option<(DocTerm, String)>,
}

impl DocText {
    /// The slot of one description term.
    fn slot(&mut self, term: DocTerm) -> &mut Option<String> {
        match term {
            DocTerm::Short => &mut self.description,
            DocTerm::Long => &mut self.long_description,
        }
    }
}

impl Parser<'_, '_> {
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

    /// Counts an inline annotation of an element that keeps no descriptions: a
    /// description as unattached for `reason`, another term as usual.
    pub(super) fn annotation_without_field(&mut self, annotation: Node, reason: &str) {
        if self.doc_term(annotation).is_some() {
            self.unattached(reason);
        } else {
            self.other_annotation(annotation);
        }
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

    /// Reads one inline annotation into `doc`; the caller counts what it attaches with
    /// [`Parser::attached`] or [`Parser::dropped`].
    pub(super) fn inline_annotation(&mut self, doc: &mut DocText, annotation: Node) {
        match self.doc_term(annotation) {
            Some(term) => {
                if let Some(text) = self.annotation_text(annotation) {
                    let slot = doc.slot(term);
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
    pub(super) fn attached(&mut self, d: &DocText) {
        self.out.stats.descriptions += usize::from(d.description.is_some());
        self.out.stats.long_descriptions += usize::from(d.long_description.is_some());
    }

    /// Counts the descriptions of an element that has no field for them.
    pub(super) fn dropped(&mut self, d: &DocText, reason: &str) {
        let n = usize::from(d.description.is_some()) + usize::from(d.long_description.is_some());
        for _ in 0..n {
            self.unattached(reason);
        }
    }

    /// Children of an element that may hold only annotations (property, member...).
    pub(super) fn leaf_children(&mut self, node: Node) -> DocText {
        let mut doc = DocText::default();
        for child in node.children().filter(Node::is_element) {
            if child.tag_name().name() == "Annotation" {
                self.inline_annotation(&mut doc, child);
            } else {
                self.skip(node, child);
            }
        }
        doc
    }

    /// An `<Annotations Target>` block: descriptions are kept for later, the rest counted.
    pub(super) fn annotations(&mut self, node: Node) {
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

    /// Attaches the descriptions of the `<Annotations Target>` blocks read so far and
    /// records the targets that name nothing.
    pub(super) fn attach_targeted(&mut self) {
        let targeted = std::mem::take(&mut self.targeted);
        for t in targeted {
            if !self.apply_targeted(&t) {
                self.out.stats.unresolved_targets.insert(t.target.clone());
                if t.doc.is_some() {
                    self.unattached("unknown target");
                }
            }
        }
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
            let ops = self.operations_mut(&name, Some(&params));
            target_operations(&mut stats, t, ops, rest, check_only)
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
                let ops = self.operations_mut(&head, None);
                target_operations(&mut stats, t, ops, rest, check_only)
            }
        };
        self.out.stats = stats;
        found
    }

    /// The overloads of an operation, all of them or those of one signature.
    fn operations_mut(
        &mut self,
        full_name: &str,
        signature: Option<&[String]>,
    ) -> Vec<&mut Operation> {
        let out = &mut self.out;
        out.functions
            .iter_mut()
            .chain(out.actions.iter_mut())
            .filter(|o| o.full_name == full_name && signature.is_none_or(|s| o.signature() == s))
            .collect()
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
            set_doc(stats, t, &mut element.doc);
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
fn set_doc(stats: &mut ParseStats, t: &Targeted, doc: &mut DocText) {
    let Some((term, text)) = &t.doc else {
        return;
    };
    let slot = doc.slot(*term);
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

/// Attaches a targeted description to each overload of an operation; a target below an
/// operation (a parameter) has no field to go to. `false` when there is no overload.
fn target_operations(
    stats: &mut ParseStats,
    t: &Targeted,
    ops: Vec<&mut Operation>,
    rest: Option<&str>,
    check_only: bool,
) -> bool {
    if ops.is_empty() {
        return false;
    }
    if check_only {
        return true;
    }
    match rest {
        None => ops
            .into_iter()
            .for_each(|op| set_doc(stats, t, &mut op.doc)),
        Some(_) => bump(&mut stats.descriptions_unattached, "operation parameter"),
    }
    true
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
            set_doc(stats, t, &mut ty.doc);
        }
        return true;
    };
    let (name, deeper) = match rest.split_once('/') {
        Some((n, d)) => (n, Some(d)),
        None => (rest, None),
    };
    let doc = if let Some(p) = ty.properties.iter_mut().find(|p| p.name == name) {
        &mut p.doc
    } else if let Some(p) = ty.navigation_properties.iter_mut().find(|p| p.name == name) {
        &mut p.doc
    } else {
        return false;
    };
    if check_only {
        return true;
    }
    if deeper.is_some() {
        bump(&mut stats.descriptions_unattached, "property path");
    } else {
        set_doc(stats, t, doc);
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
            set_doc(stats, t, &mut e.doc);
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
        // Members keep a short description only.
        let mut doc = DocText {
            description: member.description.take(),
            long_description: None,
        };
        set_doc(stats, t, &mut doc);
        member.description = doc.description;
    }
    true
}

/// Splits an overload's parameter list at top-level commas.
pub(super) fn split_params(list: &str) -> Vec<&str> {
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
