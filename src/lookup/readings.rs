//! The other ways a request may be read when no template spells it: a SharePoint site
//! path as a site id, type casts left out, a trailing `$value`/`$ref`/`$count` left
//! out, and `/me` ↔ `/users/{id}`.

use super::trie;
use super::{Via, ViaKind};
use crate::link::path::Segment;

/// One way of reading a request's segments, and what it changed.
type Reading = (Vec<Segment>, Vec<Via>);

/// A literal path segment.
pub(super) fn literal(s: &str) -> Segment {
    Segment::Literal(s.to_string())
}

/// Whether a path is the signed-in user's: `/me` or below it.
pub(super) fn is_me(segments: &[Segment]) -> bool {
    segments.first() == Some(&literal("me"))
}

/// The ways of reading a request's segments, in the order they are tried: as given
/// first, then with each combination of the rewrites that apply (a SharePoint site
/// path as a site id, type casts left out, a trailing `$value`/`$ref`/`$count` left
/// out, `/me` ↔ `/users/{id}`), fewest and mildest first.
pub(super) fn readings(segments: &[Segment]) -> Vec<Reading> {
    let mut out = Vec::new();
    for mask in 0u8..16 {
        let mut segs = segments.to_vec();
        let mut via = Vec::new();
        let mut applies = true;
        if mask & 1 != 0 {
            // `/sites/contoso.sharepoint.com:/sites/hr:` names a site, as an id does.
            let mut changed = false;
            for i in 1..segs.len() {
                if segs[i - 1] == literal("sites")
                    && matches!(segs[i], Segment::ItemPath { base: Some(_) })
                {
                    segs[i] = Segment::Placeholder;
                    changed = true;
                }
            }
            applies &= changed;
            via.push(Via {
                kind: ViaKind::Site,
                note:
                    "answered as /sites/{id}/… — hostname:/path: addresses a site, as its id does"
                        .into(),
            });
        }
        if mask & 2 != 0 {
            let casts: Vec<String> = segs
                .iter()
                .filter_map(|s| match s {
                    Segment::Cast(c) => Some(c.clone()),
                    _ => None,
                })
                .collect();
            applies &= !casts.is_empty();
            segs.retain(|s| !matches!(s, Segment::Cast(_)));
            via.push(Via {
                kind: ViaKind::Cast,
                note: format!(
                    "answered without the type cast {} — a cast narrows the result, not the permission",
                    casts.join(", ")
                ),
            });
        }
        if mask & 4 != 0 {
            let last = match segs.last() {
                Some(Segment::Literal(s)) if ["$value", "$ref", "$count"].contains(&s.as_str()) => {
                    Some(s.clone())
                }
                _ => None,
            };
            applies &= last.is_some() && segs.len() > 1;
            if let Some(last) = last {
                segs.pop();
                via.push(Via {
                    kind: ViaKind::Navigation,
                    note: format!(
                        "answered as the navigation before {last}, which has no template of its own"
                    ),
                });
            }
        }
        if mask & 8 != 0 {
            if is_me(&segs) {
                segs.splice(0..1, [literal("users"), Segment::Placeholder]);
                via.push(Via {
                    kind: ViaKind::Users,
                    note: "answered as /users/{id}/… — /me is the signed-in user".into(),
                });
            } else if segs.first() == Some(&literal("users"))
                && segs.get(1).is_some_and(trie::value_like)
            {
                segs.splice(0..2, [literal("me")]);
                via.push(Via {
                    kind: ViaKind::Me,
                    note: "answered as /me/… — only the signed-in user's form is known; another user's data may need a broader permission".into(),
                });
            } else {
                applies = false;
            }
        }
        if applies {
            out.push((segs, via));
        }
    }
    out
}
