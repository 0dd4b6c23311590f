//! The decoder table: every format the content layer reads besides plain bytes, in the
//! order they are tried.
//!
//! A [`Decoder`] says what it is ([`Via`]: its name in reports and the JSON schema's `via`
//! enum, and whether its view keeps the file's lines and columns), recognises an item from
//! its first bytes ([`Decoder::sniff`], never from a name), and opens it
//! ([`Decoder::open`]), handing what it decodes to [`Views`]: a decompressed stream, text in
//! another encoding, archive members, or content kept elsewhere. The content layer does the
//! rest for every decoder alike: the nesting limit, the decompression cap, the raw view after
//! the decoded one, and what a read error, a stream cut short or damage means.
//!
//! Adding a format is one file with its decoder (and its tests), and one line in
//! [`DECODERS`]; a test checks that the JSON schema's `via` enum is this table.

use std::io::{self, BufRead, Read};

use super::issue::{Cause, IssueKind, Skipped};
use super::lfs;
use crate::origin::{Origin, Via};

/// Every decoder, in the order they are tried on an item's first bytes.
pub static DECODERS: &[&dyn Decoder] = &[
    &super::lfs::Lfs,
    &super::utf16::UTF16_LE,
    &super::utf16::UTF16_BE,
    &super::gzip::Gzip,
    &super::xz::Xz,
    &super::bzip2::Bzip2,
    &super::zstd::Zstd,
    &super::tar::Tar,
    &super::zip::Zip,
    &super::zlib::Zlib,
];

/// How deep containers are opened: each archive and each compression is one level (a
/// `.tgz` holding a `.jar` holding a file is three; `app.ear!app.war!x.jar!a.properties`
/// too). Past it an item's raw bytes are scanned and it is said that what it holds was not.
pub const MAX_DEPTH: usize = 6;

/// What a decoder may look at to recognise an item.
pub struct Head<'h> {
    /// The item's first bytes (up to 4 KiB).
    pub bytes: &'h [u8],
    /// True when they are the whole item.
    pub whole: bool,
    /// How many containers deep the item is (0: a file or a blob).
    pub depth: usize,
    /// Where the item is (a decoder may refuse to follow itself).
    pub origin: &'h Origin,
}

/// One format.
pub trait Decoder: Sync {
    /// Its name in reports, and whether its view keeps the file's positions.
    fn via(&self) -> Via;

    /// True when what it decodes is a level deeper (a compression, an archive: at most
    /// [`MAX_DEPTH`] levels are opened); false for a view of the item itself (text in another
    /// encoding, the object an LFS pointer stands for).
    fn deepens(&self) -> bool {
        true
    }

    /// Whether an item starting with `head` is in this format.
    fn sniff(&self, head: &Head<'_>) -> bool;

    /// Decodes the item: `input` is its bytes from the start. An error is one reading the
    /// item in a view of the same level ([`Views::text`]).
    fn open(&self, head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()>;
}

/// Where a decoder hands what it decodes; the content layer scans it.
pub trait Views {
    /// A decoded stream (a decompression): scanned as an item one level deeper, within the
    /// cap. `doing` names the work for a read error of the input (`to decompress it
    /// (gzip)`); the stream's own error is what it is: the end cut short (a notice), or
    /// damage (a problem).
    fn stream(&mut self, content: &mut dyn Read, doing: &'static str);

    /// The item's text in another encoding: scanned at this level, in lines and columns of
    /// the text. An error is one reading the item.
    fn text(&mut self, text: &mut dyn Read) -> io::Result<()>;

    /// The item's own bytes in front of what the decoder reads (a script or program before
    /// an archive): scanned as plain bytes of the item, in its lines and columns. An error
    /// is one reading the item.
    fn prefix(&mut self, bytes: &mut dyn Read) -> io::Result<()>;

    /// An archive member: its name scanned as a name, its content as an item one level
    /// deeper, within the cap. The error that ended its content, if one did.
    fn member(&mut self, name: &[u8], content: &mut dyn Read) -> Option<Cause>;

    /// Content kept elsewhere (an LFS object), scanned as the item's own from the top.
    fn elsewhere(&mut self, open: &dyn Fn() -> io::Result<Box<dyn Read>>) -> Result<(), Cause>;

    /// Something about the item (`member`: one of its members), said or blocking as its
    /// kind says.
    fn issue(&mut self, member: Option<&[u8]>, kind: IssueKind);

    /// A member that was not opened: its name is scanned, and it is said why.
    fn skipped(&mut self, member: &[u8], why: Skipped) {
        self.issue(Some(member), IssueKind::Skipped(why));
    }

    /// The first error reading the item's own bytes (not decoding them), if one happened.
    fn input_failed(&self) -> Option<Cause>;

    /// Where git-lfs objects are, when the item comes from a repository.
    fn lfs_store(&self) -> Option<&lfs::Store>;
}

#[cfg(test)]
mod tests {
    use super::DECODERS;

    #[test]
    fn the_json_schemas_via_enum_is_the_decoder_table() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../docs/report.schema.json")).expect("the schema is JSON");
        let listed: Vec<&str> = schema["$defs"]["finding_fields"]["properties"]["via"]["items"]["enum"]
            .as_array()
            .expect("the schema lists the decoders")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let table: Vec<&str> = DECODERS.iter().map(|d| d.via().id).collect();
        let mut sorted = (listed.clone(), table.clone());
        sorted.0.sort_unstable();
        sorted.1.sort_unstable();
        assert_eq!(
            sorted.0, sorted.1,
            "docs/report.schema.json's `via` enum must list exactly the decoders of content::DECODERS"
        );
    }

    #[test]
    fn every_decoder_has_its_own_name() {
        let mut ids: Vec<&str> = DECODERS.iter().map(|d| d.via().id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), DECODERS.len());
    }
}
