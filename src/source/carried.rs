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

/// The headers that hold only ids or kinds, where git reads them: `tree` then `parent`s
/// at the top of a commit, `object` then `type` at the top of a tag, each with exactly an
/// id (or a kind) as its value. The same names anywhere else, or with anything else in
/// them, are free text like any other header.
fn holds_no_text(
    carrier: Carrier,
    position: usize,
    field: &[u8],
    value: &[u8],
    kind: gix::hash::Kind,
) -> bool {
    let is_id = || value.len() == kind.len_in_hex() && value.iter().all(u8::is_ascii_hexdigit);
    match (carrier, field) {
        (Carrier::Commit, b"tree") => position == 0 && is_id(),
        (Carrier::Commit, b"parent") => position >= 1 && is_id(),
        (Carrier::Tag, b"object") => position == 0 && is_id(),
        (Carrier::Tag, b"type") => position == 1 && matches!(value, b"commit" | b"tree" | b"blob" | b"tag"),
        _ => false,
    }
}

/// Every part of `data` (a commit's or tag's raw object bytes) that carries free text,
/// headers first, the message last.
pub fn parts(carrier: Carrier, data: &[u8], kind: gix::hash::Kind) -> Vec<Part<'_>> {
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
    // Where git reads ids, the run of id headers at the top ends at the first other one.
    let mut ids = true;
    let mut out = Vec::with_capacity(headers.len() + 1);
    for (position, (field, value)) in headers.into_iter().enumerate() {
        ids = ids && holds_no_text(carrier, position, field, &value, kind);
        if ids {
            continue;
        }
        // The whole header, its name too: a token can stand anywhere in the line.
        let mut text = Vec::with_capacity(field.len() + 1 + value.len());
        text.extend_from_slice(field);
        text.push(b' ');
        text.extend_from_slice(&value);
        out.push(Part {
            field: Some(field),
            text: text.into(),
        });
    }
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        out.push(Part {
            field: None,
            text: message.into(),
        });
    }
    out
}

/// Encodings whose bytes for ASCII text are that text (a token written in them reads as
/// itself), as git and iconv name them, compared without case, `-` or `_`.
const ASCII_COMPATIBLE: [&str; 22] = [
    "utf8",
    "usascii",
    "ascii",
    "iso8859",
    "latin",
    "windows125",
    "cp125",
    "koi8",
    "shiftjis",
    "sjis",
    "eucjp",
    "euckr",
    "euccn",
    "euctw",
    "gbk",
    "gb2312",
    "gb18030",
    "big5",
    "macroman",
    "macintosh",
    "tis620",
    "iso2022",
];

/// The encoding an object's message declares (`encoding` header), when intercept cannot
/// read a token written in it (EBCDIC, UTF-7, anything it does not know): the message is
/// then not checked, and the caller says so.
pub fn unreadable_encoding(carrier: Carrier, data: &[u8]) -> Option<String> {
    let header_end = memchr::memmem::find(data, b"\n\n").unwrap_or(data.len());
    let value = data[..header_end]
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"encoding "))?;
    let name: String = String::from_utf8_lossy(value)
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    let known = ASCII_COMPATIBLE.iter().any(|p| name.starts_with(p))
        || matches!(
            name.as_str(),
            "cp437" | "cp850" | "cp852" | "cp866" | "ibm437" | "ibm850" | "ibm852" | "ibm866"
        );
    let _ = carrier;
    (!known).then(|| String::from_utf8_lossy(value).into_owned())
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

/// Hands on every part of object `id` as an item (and says when its message's encoding
/// cannot be read).
pub fn emit(carrier: Carrier, id: ObjectId, data: &[u8], base: &Origin, emit: &mut dyn Emit) {
    if let Some(encoding) = unreadable_encoding(carrier, data) {
        emit.problem(super::Error::Encoding { object: id, encoding });
    }
    each(carrier, id, data, base, &mut |item| emit.item(item));
}

/// Calls `scan` with every part of object `id` as an item.
pub fn each(carrier: Carrier, id: ObjectId, data: &[u8], base: &Origin, scan: &mut dyn FnMut(Item<'_>)) {
    for part in parts(carrier, data, id.kind()) {
        let origin = origin(carrier, id, part.field, base);
        scan(Item::new(origin, Input::Bytes(&part.text)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;
    const ID: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

    fn shown(carrier: Carrier, data: &[u8]) -> Vec<(String, String)> {
        parts(carrier, data, SHA1)
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
        let commit = format!(
            "tree {ID}\nparent {ID}\nauthor A U Thor <a@example.com> 1 +0000\n\
committer C O Mitter <c@example.com> 2 +0000\n\
mergetag object {ID}\n type commit\n tag v1\n tagger T <t@x> 3 +0000\n \n signed release\nx-unknown free text\n\
\n\
the message\n\nbody\n"
        );
        assert_eq!(
            shown(Carrier::Commit, commit.as_bytes()),
            [
                ("author".into(), "author A U Thor <a@example.com> 1 +0000".into()),
                (
                    "committer".into(),
                    "committer C O Mitter <c@example.com> 2 +0000".into()
                ),
                (
                    "mergetag".into(),
                    format!(
                        "mergetag object {ID}\ntype commit\ntag v1\ntagger T <t@x> 3 +0000\n\nsigned release"
                    )
                ),
                ("x-unknown".into(), "x-unknown free text".into()),
                ("(message)".into(), "the message\n\nbody\n".into()),
            ]
        );
    }

    #[test]
    fn id_headers_are_left_out_only_where_and_as_git_reads_them() {
        // A header's name is text too; `tree`/`parent` after another header, or with more than
        // an id, are free text (fsck accepts them; no git reads them as ids).
        let commit = format!(
            "tree {ID}\nparent {ID}\nauthor A <a@x> 1 +0000\nparent not-an-id\ntree {ID}\nkey-as-name value\n\nm"
        );
        let fields: Vec<String> = shown(Carrier::Commit, commit.as_bytes())
            .into_iter()
            .map(|(_, text)| text)
            .collect();
        assert_eq!(
            fields,
            [
                "author A <a@x> 1 +0000".to_string(),
                "parent not-an-id".to_string(),
                format!("tree {ID}"),
                "key-as-name value".to_string(),
                "m".to_string(),
            ]
        );
        let commit = format!("tree {ID}x\n\nm");
        assert_eq!(
            shown(Carrier::Commit, commit.as_bytes())[0].1,
            format!("tree {ID}x")
        );
    }

    #[test]
    fn a_message_in_an_encoding_that_hides_ascii_is_said_not_read() {
        for (encoding, unreadable) in [
            ("ISO-8859-1", false),
            ("UTF-8", false),
            ("Shift_JIS", false),
            ("windows-1252", false),
            ("IBM037", true),
            ("UTF-7", true),
            ("x-unknown", true),
        ] {
            let commit = format!("tree {ID}\nauthor a\nencoding {encoding}\n\nmessage");
            assert_eq!(
                unreadable_encoding(Carrier::Commit, commit.as_bytes()).is_some(),
                unreadable,
                "{encoding}"
            );
        }
        // An `encoding` line in the message is no header.
        assert_eq!(
            unreadable_encoding(Carrier::Commit, b"author a\n\nencoding IBM037\n"),
            None
        );
    }

    #[test]
    fn a_tag_carries_its_name_tagger_and_message_and_nothing_is_lost_at_the_edges() {
        let tag = format!("object {ID}\ntype commit\ntag v1.0\ntagger T <t@x> 3 +0000\n\nnotes");
        assert_eq!(
            shown(Carrier::Tag, tag.as_bytes()),
            [
                ("tag".into(), "tag v1.0".into()),
                ("tagger".into(), "tagger T <t@x> 3 +0000".into()),
                ("(message)".into(), "notes".into()),
            ]
        );
        // No message, no final newline, a header without a value, empty input.
        assert_eq!(
            shown(Carrier::Commit, format!("tree {ID}\nauthor x").as_bytes()),
            [("author".into(), "author x".into())]
        );
        assert_eq!(
            shown(Carrier::Commit, b"lonely\n"),
            [("lonely".into(), "lonely ".into())]
        );
        assert!(parts(Carrier::Commit, b"", SHA1).is_empty());
        // A continuation line before any header is a header of its own (never dropped).
        assert_eq!(shown(Carrier::Commit, b" odd\n"), [("".into(), " odd".into())]);
    }
}
