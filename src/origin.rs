//! `Origin`: where a chunk's bytes (and so a finding) came from, typed.
//!
//! A source says what it hands over (a file's or blob's content at a path, a commit or tag
//! message, a path name, a ref name) and, for git sources, the commit, blob and ref as
//! `ObjectId`s; the content layer adds the archive members and decoders it went through
//! (`app.jar!config/app.properties`, via gzip). Paths stay bytes until a report escapes
//! them; nothing here holds content.

use std::fmt;

use gix::ObjectId;

use crate::path::Escaped;

/// What the bytes are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// The content of the file (or blob) at `path`.
    #[default]
    Content,
    /// The path itself: a token used as a file or directory name.
    PathName,
    /// A commit's message.
    CommitMessage,
    /// An annotated tag's message.
    TagMessage,
    /// The name of a pushed ref (`path` holds it).
    RefName,
    /// A commit header with free text (`path` holds the header's name: `author`,
    /// `committer`, `mergetag`, …).
    CommitHeader,
    /// An annotated tag's header with free text (`path` holds its name: `tag`, `tagger`, …).
    TagHeader,
    /// A push option (`git push -o …`), as a server receives it.
    PushOption,
}

impl Subject {
    /// Stable identifier used in JSON and SARIF.
    pub fn id(self) -> &'static str {
        match self {
            Subject::Content => "content",
            Subject::PathName => "path-name",
            Subject::CommitMessage => "commit-message",
            Subject::TagMessage => "tag-message",
            Subject::RefName => "ref-name",
            Subject::CommitHeader => "commit-header",
            Subject::TagHeader => "tag-header",
            Subject::PushOption => "push-option",
        }
    }

    /// True for the subjects that are a name (a finding there has no line).
    pub fn is_name(self) -> bool {
        matches!(self, Subject::PathName | Subject::RefName)
    }

    /// True for the subjects that are text a commit or tag carries (no file holds it).
    pub fn is_object_text(self) -> bool {
        matches!(
            self,
            Subject::CommitMessage | Subject::TagMessage | Subject::CommitHeader | Subject::TagHeader
        )
    }

    /// True for the subjects that are text inside a file (a line and column mean something
    /// in the file at `path`).
    pub fn is_file(self) -> bool {
        self == Subject::Content
    }
}

/// A decoder the content layer applied on the way to the bytes, as each decoder defines
/// itself (`content::DECODERS`): its name in reports, and whether the lines and columns of
/// what it decodes are the file's own (UTF-16 text, an LFS object) or those of a view inside
/// it (a decompressed stream, an archive member).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Via {
    /// The stable name in JSON and SARIF (`gzip`, `zip`, `utf-16le`, …).
    pub id: &'static str,
    pub keeps_positions: bool,
}

impl Via {
    pub fn id(self) -> &'static str {
        self.id
    }
}

/// What stands where a path would, for bytes that no path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unnamed {
    /// Standard input (`intercept scan -`).
    Stdin,
    /// A blob a pushed ref points at itself (`git push origin <blob>:refs/x`).
    PushedBlob,
    /// A blob of the object database that no ref's history holds.
    Unreachable,
    /// A blob whose place in history could not be learnt (the history walk failed).
    PlaceUnknown,
}

/// Where bytes came from.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    pub subject: Subject,
    /// The path as the user or git names it (may be non-UTF-8); for a ref name, the ref;
    /// empty for a message and for bytes no path names (`unnamed`).
    pub path: Vec<u8>,
    /// What the bytes are when no path names them.
    pub unnamed: Option<Unnamed>,
    /// Archive members, outermost first (`app.jar!lib/inner.jar!a.properties`).
    pub members: Vec<Vec<u8>>,
    /// Decoders applied, outermost first.
    pub via: Vec<Via>,
    /// The commit that adds these bytes (or whose message they are).
    pub commit: Option<ObjectId>,
    /// The annotated tag whose message these bytes are.
    pub tag: Option<ObjectId>,
    /// The blob holding the bytes, when they come from a git object.
    pub blob: Option<ObjectId>,
    /// The tree whose entry names hold the bytes (`scan --all` reads names tree by tree,
    /// before history says where a tree is).
    pub tree: Option<ObjectId>,
    /// A ref whose history holds `commit`, where known.
    pub reference: Option<String>,
    /// The commit's author (`Name <email>`), where known.
    pub author: Option<String>,
    /// The commit's author date (ISO 8601), where known.
    pub date: Option<String>,
    /// The remotes that already have `commit` (`source::reach`): `None` where not asked or
    /// not known (files, staged changes), empty when only this clone has it.
    pub remotes: Option<Vec<Remote>>,
    /// The local branches whose history holds `commit`, where asked.
    pub branches: Vec<String>,
    /// When no remote is known to hold `commit`: why one may anyway (a local tag holds it; a
    /// remote whose tracking refs cover only some branches).
    pub doubts: Vec<String>,
}

/// A remote that holds a commit: its name (`.` for a bare repository itself, a server or
/// a mirror) and its URL without credentials.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Remote {
    pub name: String,
    pub url: Option<String>,
}

impl Origin {
    /// The content of a plain file.
    pub fn file(path: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            ..Self::default()
        }
    }

    /// A commit's message.
    pub fn commit_message(commit: Option<ObjectId>) -> Self {
        Self {
            subject: Subject::CommitMessage,
            commit,
            ..Self::default()
        }
    }

    /// An annotated tag's message.
    pub fn tag_message(tag: ObjectId) -> Self {
        Self {
            subject: Subject::TagMessage,
            tag: Some(tag),
            ..Self::default()
        }
    }

    /// This origin, one archive member deeper (`via`: the archive's decoder).
    pub fn member(&self, name: &[u8], via: Via) -> Self {
        let mut o = self.clone();
        o.members.push(name.to_vec());
        o.via.push(via);
        o
    }

    /// This origin, through one more decoder.
    pub fn through(&self, via: Via) -> Self {
        let mut o = self.clone();
        o.via.push(via);
        o
    }

    /// Standard input.
    pub fn stdin() -> Self {
        Self {
            unnamed: Some(Unnamed::Stdin),
            ..Self::default()
        }
    }

    /// The path as reports show it: the path, or what stands for one (`<stdin>`,
    /// `(unreachable blob) <id>`).
    pub fn path_text(&self) -> Vec<u8> {
        let blob = self.blob.map(|b| b.to_string()).unwrap_or_default();
        match self.unnamed {
            None => self.path.clone(),
            Some(Unnamed::Stdin) => b"<stdin>".to_vec(),
            Some(Unnamed::PushedBlob) => format!("(blob {blob})").into_bytes(),
            Some(Unnamed::Unreachable) => format!("(unreachable blob) {blob}").into_bytes(),
            Some(Unnamed::PlaceUnknown) => format!("(blob, place unknown) {blob}").into_bytes(),
        }
    }

    /// The path with its archive members, as people read it: `app.jar!config/a.properties`.
    pub fn full_path(&self) -> Vec<u8> {
        let mut p = self.path_text();
        for m in &self.members {
            p.push(b'!');
            p.extend_from_slice(m);
        }
        p
    }

    /// The (member) path fit to print; for a blob no path names yet (`scan --all` reads
    /// blobs before history says where they are), `blob <id>` and its members.
    pub fn shown_path(&self) -> String {
        match self.blob {
            Some(blob) if self.path.is_empty() && self.unnamed.is_none() => {
                let mut shown = format!("blob {blob}");
                for m in &self.members {
                    shown.push('!');
                    shown.push_str(&Escaped(m).to_string());
                }
                shown
            }
            _ => Escaped(&self.full_path()).to_string(),
        }
    }

    /// What to print where a path goes: the (member) path, or what the bytes are.
    pub fn label(&self) -> String {
        match self.subject {
            Subject::Content => Escaped(&self.full_path()).to_string(),
            Subject::PathName => match self.tree {
                Some(tree) if self.path.is_empty() => format!("(a file name in tree {tree})"),
                _ => format!("{} (file name)", Escaped(&self.path)),
            },
            Subject::CommitMessage => "(commit message)".to_string(),
            Subject::TagMessage => "(tag message)".to_string(),
            Subject::RefName => format!("{} (ref name)", Escaped(&self.path)),
            Subject::CommitHeader => format!("(commit header {})", Escaped(&self.path)),
            Subject::TagHeader => format!("(tag header {})", Escaped(&self.path)),
            Subject::PushOption => format!("(push option {})", Escaped(&self.path)),
        }
    }

    /// The object a history finding belongs to: the commit, else the tag.
    pub fn object(&self) -> Option<ObjectId> {
        self.commit.or(self.tag)
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Origin")
            .field("subject", &self.subject)
            .field("path", &Escaped(&self.full_path()))
            .field("unnamed", &self.unnamed)
            .field("via", &self.via)
            .field("commit", &self.commit)
            .field("tag", &self.tag)
            .field("blob", &self.blob)
            .field("tree", &self.tree)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZIP: Via = Via {
        id: "zip",
        keeps_positions: false,
    };

    #[test]
    fn members_and_labels() {
        let o = Origin::file("app.jar")
            .member(b"lib/x.jar", ZIP)
            .member(b"a.properties", ZIP);
        assert_eq!(o.full_path(), b"app.jar!lib/x.jar!a.properties");
        assert_eq!(o.via, vec![ZIP, ZIP]);
        assert_eq!(Origin::commit_message(None).label(), "(commit message)");
        let mut p = Origin::file(&b"a\x1b.env"[..]);
        p.subject = Subject::PathName;
        assert_eq!(p.label(), "\"a\\033.env\" (file name)");
    }

    #[test]
    fn bytes_no_path_names_are_typed_and_shown_for_what_they_are() {
        assert_eq!(Origin::stdin().label(), "<stdin>");
        assert!(Origin::stdin().path.is_empty());
        let blob = ObjectId::empty_blob(gix::hash::Kind::Sha1);
        let mut o = Origin {
            blob: Some(blob),
            unnamed: Some(Unnamed::Unreachable),
            ..Origin::default()
        };
        assert_eq!(o.label(), format!("(unreachable blob) {blob}"));
        o.unnamed = Some(Unnamed::PushedBlob);
        assert_eq!(
            o.member(b"m", ZIP).full_path(),
            format!("(blob {blob})!m").into_bytes()
        );
        o.unnamed = None;
        assert_eq!(o.shown_path(), format!("blob {blob}"));
    }
}
