//! What a push sends, through the session: pre-push, pre-receive and `scan --range`.
//!
//! Receives the pushed objects (with their ref names) and what the other side already has
//! (hidden tips); peels each pushed object (an annotated tag's message is scanned; a ref
//! may point at a tree or a blob), scans the ref names, walks the commits reachable from the
//! pushed tips and not from the hidden ones (git's `rev-list` walk), and scans what each
//! adds and its message, on all cores for long lists.

use gix::ObjectId;

use super::git::threads_for;
use super::Session;
use crate::origin::{Origin, Subject};
use crate::repo::{ObjectDirs, RepoError};
use crate::source::history::{self, Graph};
use crate::source::pushed::{self, Peeled, TagMessage};
use crate::source::{tree_diff, Change};

/// One pushed object and the ref it goes to.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub name: String,
    pub id: ObjectId,
}

/// The commits to walk from, and what else the pushed objects peeled to.
pub struct Peels {
    pub tips: Vec<ObjectId>,
    pub tags: Vec<TagMessage>,
    pub trees: Vec<ObjectId>,
    pub blobs: Vec<ObjectId>,
}

/// Peels every pushed object.
pub fn peel_all(objects: &impl gix::objs::Find, pushed: &[Pushed]) -> Result<Peels, RepoError> {
    let mut peels = Peels {
        tips: Vec::new(),
        tags: Vec::new(),
        trees: Vec::new(),
        blobs: Vec::new(),
    };
    for p in pushed {
        match pushed::peel(objects, p.id, &mut peels.tags)? {
            Peeled::Commit(c) => peels.tips.push(c),
            Peeled::Tree(t) => peels.trees.push(t),
            Peeled::Blob(b) => peels.blobs.push(b),
        }
    }
    Ok(peels)
}

impl Session<'_> {
    /// Scans what a push sends: `pushed` objects (already peeled into `peels`), minus the
    /// history of `hidden`.
    #[allow(clippy::too_many_arguments)]
    pub fn push<F: gix::objs::Find + gix::objs::FindHeader + Clone + Send>(
        &mut self,
        repo: &gix::Repository,
        objects: &F,
        dirs: &ObjectDirs,
        pushed: &[Pushed],
        peels: &Peels,
        hidden: &[ObjectId],
    ) -> Result<(), RepoError> {
        for p in pushed {
            let origin = Origin {
                subject: Subject::RefName,
                path: p.name.as_bytes().to_vec(),
                ..Origin::default()
            };
            self.path_name(&origin, p.name.as_bytes());
        }
        for tag in &peels.tags {
            self.git_message(&Origin::tag_message(tag.tag), &tag.message);
        }
        let mut changes = Vec::new();
        for tree in &peels.trees {
            let mut trees = tree_diff::Trees::new(objects, 16 << 20);
            tree_diff::changes(&mut trees, None, *tree, b"", &mut changes)?;
        }
        for blob in &peels.blobs {
            changes.push(Change {
                path: format!("(blob {blob})").into_bytes(),
                new: *blob,
                old: None,
            });
        }
        self.changes(objects, dirs, &changes);
        let mut graph = Graph::new(repo, objects);
        let commits = history::commits(&mut graph, &peels.tips, hidden)?;
        tracing::debug!(commits = commits.len(), hidden = hidden.len(), "commits to check");
        let handles = (0..threads_for(commits.len())).map(|_| objects.clone()).collect();
        let shallow = graph.shallow().clone();
        self.commits(handles, dirs, &shallow, &commits);
        Ok(())
    }
}
