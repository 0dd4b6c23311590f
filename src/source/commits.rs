//! What a push sends, or a range holds: one commit walk for pre-push, pre-receive and
//! `intercept scan --range` — the [`CommitWalk`] source.
//!
//! Receives the pushed objects with the refs they go to (a range: its tip, no ref) and what
//! the other side already has (hidden tips). Peels each pushed object ([`pushed::peel`]: an
//! annotated tag's message is an item; a ref may point at a tree or a blob), hands on the
//! ref names, walks the commits reachable from the tips and not from the hidden ones (git's
//! `rev-list` walk, `history`), and hands on what each commit adds and the text it carries
//! (`carried`: message and free-text headers), one
//! commit per unit of the session's threads. Shallow boundaries have no parents.

use std::collections::HashSet;
use std::sync::Mutex;

use gix::ObjectId;

use super::carried::{self, Carrier};
use super::history::{self, Graph};
use super::pushed::{self, Peeled, TagMessage};
use super::{tree_diff, Blobs, Change, Emit, Error, Input, Item, Source};
use crate::origin::{Origin, Subject, Unnamed};
use crate::repo::{ObjectDirs, RepoError};

/// One pushed object and the ref it goes to (`name` is empty for a range's tip).
#[derive(Clone, Debug)]
pub struct Pushed {
    pub name: String,
    pub id: ObjectId,
}

/// The commits to walk from, and what else the pushed objects peeled to.
#[derive(Default)]
pub struct Peels {
    pub tips: Vec<ObjectId>,
    pub tags: Vec<TagMessage>,
    pub trees: Vec<ObjectId>,
    pub blobs: Vec<ObjectId>,
}

/// Peels every pushed object.
pub fn peel_all(objects: &impl gix::objs::Find, pushed: &[Pushed]) -> Result<Peels, RepoError> {
    let mut peels = Peels::default();
    for p in pushed {
        match pushed::peel(objects, p.id, &mut peels.tags)? {
            Peeled::Commit(c) => peels.tips.push(c),
            Peeled::Tree(t) => peels.trees.push(t),
            Peeled::Blob(b) => peels.blobs.push(b),
        }
    }
    Ok(peels)
}

/// What a push sends (or a range holds), as a source.
pub struct CommitWalk<'a, F> {
    repo: &'a gix::Repository,
    objects: &'a F,
    dirs: &'a ObjectDirs,
    pushed: Vec<Pushed>,
    peels: Peels,
    hidden: Vec<ObjectId>,
}

impl<'a, F> CommitWalk<'a, F>
where
    F: gix::objs::Find + gix::objs::FindHeader + Clone + Send,
{
    /// The walk of `pushed` minus the history of `hidden`; the pushed objects are peeled now
    /// (their tips say which `.intercept.toml` counts).
    pub fn new(
        repo: &'a gix::Repository,
        objects: &'a F,
        dirs: &'a ObjectDirs,
        pushed: Vec<Pushed>,
        hidden: Vec<ObjectId>,
    ) -> Result<Self, RepoError> {
        let peels = peel_all(objects, &pushed)?;
        Ok(CommitWalk {
            repo,
            objects,
            dirs,
            pushed,
            peels,
            hidden,
        })
    }

    /// The commits the pushed refs lead to.
    pub fn tips(&self) -> &[ObjectId] {
        &self.peels.tips
    }
}

impl<F> Source for CommitWalk<'_, F>
where
    F: gix::objs::Find + gix::objs::FindHeader + Clone + Send,
{
    fn run(&mut self, emit: &mut dyn Emit) -> Result<(), Error> {
        let blobs = Blobs {
            objects: self.objects,
            dirs: self.dirs,
        };
        for p in self.pushed.iter().filter(|p| !p.name.is_empty()) {
            let origin = Origin {
                subject: Subject::RefName,
                path: p.name.as_bytes().to_vec(),
                ..Origin::default()
            };
            emit.item(Item::new(origin, Input::Name(p.name.as_bytes())));
        }
        for tag in &self.peels.tags {
            carried::emit(Carrier::Tag, tag.tag, &tag.raw, &Origin::default(), emit);
        }
        for tree in &self.peels.trees {
            let mut changes = Vec::new();
            tree_diff::changes(
                self.objects,
                &mut tree_diff::Trees::new(16 << 20),
                None,
                *tree,
                b"",
                &mut changes,
            )?;
            for change in changes {
                change.emit(&Origin::default(), &blobs, emit);
            }
        }
        for blob in &self.peels.blobs {
            let origin = Origin {
                blob: Some(*blob),
                unnamed: Some(Unnamed::PushedBlob),
                ..Origin::default()
            };
            let input = Input::Blob {
                id: *blob,
                objects: &blobs,
            };
            emit.item(Item::new(origin, input));
        }
        let mut graph = Graph::new(self.repo, self.objects);
        let commits = history::commits(&mut graph, &self.peels.tips, &self.hidden)?;
        tracing::debug!(
            commits = commits.len(),
            hidden = self.hidden.len(),
            "commits to check"
        );
        // One graph (object handle, tree cache) per thread of the session.
        let shallow: HashSet<ObjectId> = graph.shallow().clone();
        let graphs: Vec<Mutex<Graph<F>>> = (0..emit.threads_for(commits.len()))
            .map(|_| Mutex::new(Graph::detached(self.objects.clone(), shallow.clone())))
            .collect();
        let dirs = self.dirs;
        emit.units(commits.len(), "commits", &|thread, unit, emit| {
            let Ok(mut graph) = graphs[thread].lock() else {
                return;
            };
            commit(&mut graph, dirs, commits[unit], emit);
        });
        Ok(())
    }
}

/// What commit `id` adds, and its message, with who made it and when.
fn commit<F: gix::objs::Find + gix::objs::FindHeader>(
    graph: &mut Graph<F>,
    dirs: &ObjectDirs,
    id: ObjectId,
    emit: &mut dyn Emit,
) {
    let changes = match history::commit_changes(graph, &id) {
        Ok(changes) => changes,
        Err(e) => return emit.problem(e.into()),
    };
    let base = Origin {
        commit: Some(id),
        author: changes.author,
        date: changes.date,
        ..Origin::default()
    };
    let blobs = Blobs {
        objects: graph.objects(),
        dirs,
    };
    for change in &changes.changes {
        Change::emit(change, &base, &blobs, emit);
    }
    carried::emit(Carrier::Commit, id, &changes.raw, &base, emit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::{id, open, repo, Recorder};

    #[test]
    fn a_push_hands_on_ref_names_tags_trees_blobs_and_what_each_commit_adds() {
        let fixture = repo(
            "echo 1 > a; git add a; commit one
             echo 2 > a; mkdir d; echo n > d/new; git add .; commit two
             git tag -a -m 'release notes' v1
             echo 3 > b; git add b; commit three",
        );
        let git = open(&fixture);
        let dirs = crate::repo::ObjectDirs::of(&git);
        let pushed = vec![
            Pushed {
                name: "refs/heads/main".into(),
                id: id(&fixture, "HEAD"),
            },
            Pushed {
                name: "refs/tags/v1".into(),
                id: id(&fixture, "v1"),
            },
            Pushed {
                name: "refs/x/blob".into(),
                id: id(&fixture, "HEAD:a"),
            },
        ];
        let hidden = vec![id(&fixture, "HEAD~2")];
        let mut walk = CommitWalk::new(&git, &git.objects, &dirs, pushed, hidden).unwrap();
        assert_eq!(walk.tips(), [id(&fixture, "HEAD"), id(&fixture, "HEAD~1")]);
        let mut seen = Recorder::default();
        walk.run(&mut seen).unwrap();
        let (two, three) = (&fixture.rev("HEAD~1")[..7], &fixture.rev("HEAD")[..7]);
        let old_a = &fixture.rev("HEAD~2:a")[..7];
        let blob_a = fixture.rev("HEAD:a");
        assert_eq!(
            seen.items,
            [
                "name refs/heads/main (ref name) ref-name".to_string(),
                "name refs/tags/v1 (ref name) ref-name".to_string(),
                "name refs/x/blob (ref name) ref-name".to_string(),
                "bytes (tag header tag) tag-header".to_string(),
                "bytes (tag header tagger) tag-header".to_string(),
                "bytes (tag message) tag-message".to_string(),
                format!("blob (blob {blob_a}) content"),
                // Newest first: what each commit adds, then its message.
                format!("name b content commit={three} +author"),
                format!("blob b content commit={three} +author"),
                format!("bytes (commit header author) commit-header commit={three} +author"),
                format!("bytes (commit header committer) commit-header commit={three} +author"),
                format!("bytes (commit message) commit-message commit={three} +author"),
                format!("blob a content commit={two} baseline={old_a} +author"),
                format!("name d/new content commit={two} +author"),
                format!("blob d/new content commit={two} +author"),
                format!("bytes (commit header author) commit-header commit={two} +author"),
                format!("bytes (commit header committer) commit-header commit={two} +author"),
                format!("bytes (commit message) commit-message commit={two} +author"),
            ]
        );
        assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    }
}
