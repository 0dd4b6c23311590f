//! What a push sends: the ref updates git passes a hook, and what each pushed object
//! peels to.
//!
//! Receives the bytes of a hook's standard input (pre-push: `<local ref> <local oid>
//! <remote ref> <remote oid>`; pre-receive: `<old oid> <new oid> <ref name>`) and hands on
//! typed updates, or an error naming the line that is not what git writes. Then, per pushed
//! object, [`peel`] follows annotated tags (handing on their messages) down to the commit,
//! tree or blob a ref points at. The parsers are pure functions of their input (fuzzed).

use gix::ObjectId;

use crate::causes::BoxError;
use crate::repo::{RepoError, Why};

/// One line of pre-push's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushUpdate {
    pub local_ref: String,
    /// `None`: the remote ref is deleted.
    pub local: Option<ObjectId>,
    pub remote_ref: String,
    /// `None`: the remote does not have the ref.
    pub remote: Option<ObjectId>,
}

/// One line of pre-receive's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiveUpdate {
    /// `None`: the ref is new.
    pub old: Option<ObjectId>,
    /// `None`: the ref is deleted.
    pub new: Option<ObjectId>,
    pub name: String,
}

/// A line of a hook's input that is not what git writes.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot understand line {number} of what git passed on standard input (expected {expected}). Check that \
     the hook is installed as {hook} and receives git's input unchanged"
)]
pub struct LineError {
    pub number: usize,
    pub expected: &'static str,
    pub hook: &'static str,
}

fn id(field: &str) -> Option<Option<ObjectId>> {
    let id = ObjectId::from_hex(field.as_bytes()).ok()?;
    Some((!id.is_null()).then_some(id))
}

/// Non-empty lines of `input`, numbered from 1 (`\r\n` tolerated).
fn lines(input: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    input
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
}

/// Parses pre-push's standard input.
pub fn push_updates(input: &[u8]) -> Result<Vec<PushUpdate>, LineError> {
    const EXPECTED: &str = "<local ref> <local oid> <remote ref> <remote oid>";
    let bad = |number| LineError {
        number,
        expected: EXPECTED,
        hook: "pre-push",
    };
    let mut out = Vec::new();
    for (number, line) in lines(input) {
        // git allows any byte above 0x7f in a ref name (`refs/heads/caf\xe9` from a Latin-1
        // shell): names are labels here, so an odd byte becomes U+FFFD, not a refusal.
        let text = String::from_utf8_lossy(line);
        let fields: Vec<&str> = text.split_ascii_whitespace().collect();
        let [local_ref, local, remote_ref, remote] = fields[..] else {
            return Err(bad(number));
        };
        out.push(PushUpdate {
            local_ref: local_ref.to_string(),
            local: id(local).ok_or_else(|| bad(number))?,
            remote_ref: remote_ref.to_string(),
            remote: id(remote).ok_or_else(|| bad(number))?,
        });
    }
    Ok(out)
}

/// Parses pre-receive's standard input.
pub fn receive_updates(input: &[u8]) -> Result<Vec<ReceiveUpdate>, LineError> {
    const EXPECTED: &str = "<old oid> <new oid> <ref name>";
    let bad = |number| LineError {
        number,
        expected: EXPECTED,
        hook: "pre-receive",
    };
    let mut out = Vec::new();
    for (number, line) in lines(input) {
        let text = String::from_utf8_lossy(line);
        let fields: Vec<&str> = text.split_ascii_whitespace().collect();
        let [old, new, name] = fields[..] else {
            return Err(bad(number));
        };
        out.push(ReceiveUpdate {
            old: id(old).ok_or_else(|| bad(number))?,
            new: id(new).ok_or_else(|| bad(number))?,
            name: name.to_string(),
        });
    }
    Ok(out)
}

/// What a pushed object peels to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peeled {
    Commit(ObjectId),
    Tree(ObjectId),
    Blob(ObjectId),
}

/// An annotated tag met on the way, with its object's bytes (its headers and message:
/// `super::carried`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagMessage {
    pub tag: ObjectId,
    pub raw: Vec<u8>,
}

/// Follows annotated tags from `id` down to what they point at; their messages go to
/// `tags`.
pub fn peel(
    objects: &impl gix::objs::Find,
    mut id: ObjectId,
    tags: &mut Vec<TagMessage>,
) -> Result<Peeled, RepoError> {
    let error = |id: ObjectId, source: BoxError| RepoError::Object {
        kind: "object",
        id,
        at: None,
        source,
    };
    let mut buf = Vec::new();
    for _ in 0..32 {
        let data = objects
            .try_find(&id, &mut buf)
            .map_err(|e| error(id, e.into()))?
            .ok_or_else(|| error(id, Why::Missing.into()))?;
        match data.kind {
            gix::objs::Kind::Tag => {
                let tag =
                    gix::objs::TagRef::from_bytes(data.data, id.kind()).map_err(|e| error(id, e.into()))?;
                let target = tag.target();
                tags.push(TagMessage {
                    tag: id,
                    raw: data.data.to_vec(),
                });
                id = target;
            }
            gix::objs::Kind::Commit => return Ok(Peeled::Commit(id)),
            gix::objs::Kind::Tree => return Ok(Peeled::Tree(id)),
            gix::objs::Kind::Blob => return Ok(Peeled::Blob(id)),
        }
    }
    Err(error(id, Why::TagChain.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::{id, open, repo};

    #[test]
    fn peeling_follows_tags_and_keeps_their_messages() {
        let fixture = repo(
            "echo a > a; git add a; commit one
             git tag -a -m 'first tag' t1
             git tag -a -m 'a tag of a tag' t2 t1
             git tag -a -m 'a tree' tree HEAD^{tree}
             git tag -a -m 'a blob' blob HEAD:a",
        );
        let git = open(&fixture);
        let mut tags = Vec::new();
        let commit = peel(&git.objects, id(&fixture, "t2"), &mut tags).unwrap();
        assert_eq!(commit, Peeled::Commit(id(&fixture, "HEAD")));
        let messages: Vec<&[u8]> = tags
            .iter()
            .map(|t| &t.raw[memchr::memmem::find(&t.raw, b"\n\n").unwrap() + 2..])
            .collect();
        assert_eq!(messages, [&b"a tag of a tag\n"[..], b"first tag\n"]);
        assert_eq!(tags[0].tag, id(&fixture, "t2"));
        let mut tags = Vec::new();
        assert_eq!(
            peel(&git.objects, id(&fixture, "tree"), &mut tags).unwrap(),
            Peeled::Tree(id(&fixture, "HEAD^{tree}"))
        );
        assert_eq!(
            peel(&git.objects, id(&fixture, "blob"), &mut tags).unwrap(),
            Peeled::Blob(id(&fixture, "HEAD:a"))
        );
        let missing = ObjectId::from_hex(b"1111111111111111111111111111111111111111").unwrap();
        let e = peel(&git.objects, missing, &mut tags).unwrap_err().to_string();
        assert!(e.contains("missing"), "{e}");
    }

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_what_git_writes() {
        let input =
            format!("refs/heads/main {A} refs/heads/main {Z}\r\n\nrefs/heads/x {Z} refs/heads/x {A}\n");
        let u = push_updates(input.as_bytes()).unwrap();
        assert_eq!(u.len(), 2);
        assert_eq!((u[0].local.is_some(), u[0].remote), (true, None));
        assert_eq!((u[1].local, u[1].remote.is_some()), (None, true));
        let r = receive_updates(format!("{Z} {A} refs/heads/new\n").as_bytes()).unwrap();
        assert_eq!(
            (r[0].old, r[0].new.is_some(), r[0].name.as_str()),
            (None, true, "refs/heads/new")
        );
    }

    #[test]
    fn names_the_line_that_is_not() {
        let input = format!("refs/heads/main {A} refs/heads/main {Z}\nrefs/heads/x {A}\n");
        let e = push_updates(input.as_bytes()).unwrap_err();
        assert_eq!(e.number, 2);
        assert!(e.to_string().contains("line 2"), "{e}");
        assert!(receive_updates(b"not hex at all\n").is_err());
        assert!(receive_updates(b"\xff\xfe\n").is_err());
        assert!(push_updates(b"").unwrap().is_empty());
    }

    #[test]
    fn a_ref_name_that_is_not_utf8_is_still_a_ref() {
        let name = [&b"refs/heads/caf"[..], b"\xe9"].concat();
        let bytes = [
            &name[..],
            format!(" {A} ").as_bytes(),
            &name,
            format!(" {Z}\n").as_bytes(),
        ]
        .concat();
        let u = push_updates(&bytes).unwrap();
        assert_eq!(u[0].local_ref, "refs/heads/caf\u{fffd}");
        let line = [format!("{Z} {A} refs/heads/caf").as_bytes(), b"\xe9\n"].concat();
        assert_eq!(receive_updates(&line).unwrap()[0].name, "refs/heads/caf\u{fffd}");
    }
}
