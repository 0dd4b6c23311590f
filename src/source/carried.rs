//! The text a commit or an annotated tag carries: one reader for every path that reads
//! history (pre-push, pre-receive, `scan --range`, `scan --all`), so they all report the
//! same findings for the same object.
//!
//! Receives a commit's or tag's raw object bytes; hands on its message and every header
//! whose value is free text: the ident fields (`author`, `committer`, `tagger`), the tag's
//! name (`tag`), a merged signed tag's whole text (`mergetag`), `encoding`, signatures and
//! any header git does not know yet. Only the headers that hold object ids or an object
//! kind (`tree`, `parent`; a tag's `object` and `type`) are left out: no token fits in
//! them. A header's continuation lines (a line starting with a space) are joined with
//! their leading space removed, so a tag copied into a `mergetag` header reads as the tag
//! did.

use gix::ObjectId;

use super::{Emit, Input, Item};
use crate::origin::{Origin, Subject};

/// Whether the object is a commit or a tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    Commit,
    Tag,
}

/// One part of what an object carries: a header (its name and value) or the message
/// (`field` is `None`).
#[derive(Debug, PartialEq, Eq)]
pub struct Part<'a> {
    pub field: Option<&'a [u8]>,
    pub text: std::borrow::Cow<'a, [u8]>,
}

/// The headers that hold only ids or kinds (when they have no continuation line: one that
/// does is read, whatever its name).
fn holds_no_text(carrier: Carrier, field: &[u8]) -> bool {
    match carrier {
        Carrier::Commit => matches!(field, b"tree" | b"parent"),
        Carrier::Tag => matches!(field, b"object" | b"type"),
    }
}

/// Every part of `data` (a commit's or tag's raw object bytes) that carries free text,
/// headers first, the message last.
pub fn parts(carrier: Carrier, data: &[u8]) -> Vec<Part<'_>> {
    let mut headers: Vec<(&[u8], Vec<u8>)> = Vec::new();
    let mut rest = data;
    let message = loop {
        if rest.is_empty() {
            break None;
        }
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        if line.is_empty() {
            break Some(rest);
        }
        if let (Some(more), Some((_, text))) = (line.strip_prefix(b" "), headers.last_mut()) {
            text.push(b'\n');
            text.extend_from_slice(more);
            continue;
        }
        let (field, value) = match memchr::memchr(b' ', line) {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &line[line.len()..]),
        };
        headers.push((field, value.to_vec()));
    };
    let mut out: Vec<Part<'_>> = headers
        .into_iter()
        .filter(|(field, text)| !holds_no_text(carrier, field) || text.contains(&b'\n'))
        .map(|(field, text)| Part {
            field: Some(field),
            text: text.into(),
        })
        .collect();
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        out.push(Part {
            field: None,
            text: message.into(),
        });
    }
    out
}

/// The origin of one part of object `id`; `base` brings what the caller knows (the
/// commit's author and date).
pub fn origin(carrier: Carrier, id: ObjectId, field: Option<&[u8]>, base: &Origin) -> Origin {
    let subject = match (carrier, field) {
        (Carrier::Commit, None) => Subject::CommitMessage,
        (Carrier::Commit, Some(_)) => Subject::CommitHeader,
        (Carrier::Tag, None) => Subject::TagMessage,
        (Carrier::Tag, Some(_)) => Subject::TagHeader,
    };
    let mut o = Origin {
        subject,
        path: field.map(<[u8]>::to_vec).unwrap_or_default(),
        ..base.clone()
    };
    match carrier {
        Carrier::Commit => o.commit = Some(id),
        Carrier::Tag => o.tag = Some(id),
    }
    o
}

/// Hands on every part of object `id` as an item.
pub fn emit(carrier: Carrier, id: ObjectId, data: &[u8], base: &Origin, emit: &mut dyn Emit) {
    each(carrier, id, data, base, &mut |item| emit.item(item));
}

/// Calls `scan` with every part of object `id` as an item.
pub fn each(carrier: Carrier, id: ObjectId, data: &[u8], base: &Origin, scan: &mut dyn FnMut(Item<'_>)) {
    for part in parts(carrier, data) {
        let origin = origin(carrier, id, part.field, base);
        scan(Item::new(origin, Input::Bytes(&part.text)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(carrier: Carrier, data: &[u8]) -> Vec<(String, String)> {
        parts(carrier, data)
            .into_iter()
            .map(|p| {
                (
                    String::from_utf8_lossy(p.field.unwrap_or(b"(message)")).into_owned(),
                    String::from_utf8_lossy(&p.text).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn a_commit_carries_its_idents_every_free_text_header_and_its_message() {
        let commit = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
parent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
author A U Thor <a@example.com> 1 +0000\n\
committer C O Mitter <c@example.com> 2 +0000\n\
mergetag object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n type commit\n tag v1\n tagger T <t@x> 3 +0000\n \n signed release\nx-unknown free text\n\
\n\
the message\n\nbody\n";
        assert_eq!(
            shown(Carrier::Commit, commit),
            [
                ("author".into(), "A U Thor <a@example.com> 1 +0000".into()),
                ("committer".into(), "C O Mitter <c@example.com> 2 +0000".into()),
                (
                    "mergetag".into(),
                    "object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1\ntagger T <t@x> 3 +0000\n\nsigned release"
                        .into()
                ),
                ("x-unknown".into(), "free text".into()),
                ("(message)".into(), "the message\n\nbody\n".into()),
            ]
        );
    }

    #[test]
    fn a_tag_carries_its_name_tagger_and_message_and_nothing_is_lost_at_the_edges() {
        let tag = b"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1.0\ntagger T <t@x> 3 +0000\n\nnotes";
        assert_eq!(
            shown(Carrier::Tag, tag),
            [
                ("tag".into(), "v1.0".into()),
                ("tagger".into(), "T <t@x> 3 +0000".into()),
                ("(message)".into(), "notes".into()),
            ]
        );
        // No message, no final newline, a header without a value, empty input.
        assert_eq!(
            shown(Carrier::Commit, b"tree 4b82\nauthor x"),
            [("author".into(), "x".into())]
        );
        assert_eq!(
            shown(Carrier::Commit, b"lonely\n"),
            [("lonely".into(), "".into())]
        );
        assert!(parts(Carrier::Commit, b"").is_empty());
        // A continuation line before any header is a header of its own (never dropped).
        assert_eq!(shown(Carrier::Commit, b" odd\n"), [("".into(), "odd".into())]);
    }
}
