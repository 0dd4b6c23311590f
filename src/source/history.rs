//! Commits → what each one adds.
//!
//! Receives tips (what is pushed, or a range's end) and hidden tips (what the other side
//! already has); hands on the commits reachable from the tips and not from the hidden
//! tips, the way `git rev-list` finds them: a queue ordered by committer time, hidden
//! tips seeded uninteresting, uninteresting spreading to parents, and a stop a few pops
//! after every queued commit is uninteresting (so hidden history that never meets the
//! tips, an unrelated branch, is not walked to its root). Times and parents come from
//! the commit-graph file when there is one.
//!
//! Then, per commit, the blobs it adds: its tree against its first parent's (a root
//! commit against the empty tree); for a merge, git's combined-diff rule drops a path
//! whose result equals the blob in another parent, so only what the merge itself
//! produced is checked (an "evil merge" is caught). Shallow boundaries have no parents.

use std::collections::{BinaryHeap, HashMap, HashSet};

use gix::prelude::FindExt as _;
use gix::ObjectId;

use super::tree_diff::{self, Trees};
use super::Change;
use crate::repo::RepoError;

/// Trees kept between commits (see [`Trees`]).
const TREE_CACHE_BYTES: usize = 64 << 20;

/// How far past "everything queued is uninteresting" to keep going, for clock skew
/// (git's SLOP).
const SLOP: usize = 5;

#[derive(Debug)]
struct Node {
    parents: Vec<ObjectId>,
    uninteresting: bool,
    queued: bool,
}

/// Reads commits' times and parents, from the commit-graph when possible, and what each
/// commit adds (with the trees it read kept between commits). It owns its object handle
/// (`F` may be a reference), so one can be made for each thread.
pub struct Graph<F> {
    objects: F,
    trees: Trees,
    graph: Option<gix::commitgraph::Graph>,
    shallow: HashSet<ObjectId>,
    buf: Vec<u8>,
}

impl<F: gix::objs::Find> Graph<F> {
    pub fn new(repo: &gix::Repository, objects: F) -> Self {
        let graph = repo.commit_graph_if_enabled().ok().flatten();
        let shallow = repo
            .shallow_commits()
            .ok()
            .flatten()
            .map(|c| c.iter().copied().collect())
            .unwrap_or_default();
        Graph {
            objects,
            trees: Trees::new(TREE_CACHE_BYTES),
            graph,
            shallow,
            buf: Vec::new(),
        }
    }

    /// A graph for another thread: its own object handle and tree cache, the same
    /// shallow boundary, no commit-graph (diffs decode each commit anyway).
    pub fn detached(objects: F, shallow: HashSet<ObjectId>) -> Self {
        Graph {
            objects,
            trees: Trees::new(TREE_CACHE_BYTES / 2),
            graph: None,
            shallow,
            buf: Vec::new(),
        }
    }

    /// The shallow boundary (commits whose parents are not here).
    pub fn shallow(&self) -> &HashSet<ObjectId> {
        &self.shallow
    }

    /// The commit's generation (topological level) in the commit-graph, when it is there: a
    /// commit's parents always have a lower one, and a commit missing from the graph has no
    /// descendant in it (the graph holds every ancestor of what it holds).
    pub fn generation(&self, id: &ObjectId) -> Option<u32> {
        self.graph.as_ref()?.commit_by_id(id).map(|c| c.generation())
    }

    /// Committer time and parents (none at a shallow boundary).
    pub fn load(&mut self, id: &ObjectId) -> Result<(i64, Vec<ObjectId>), RepoError> {
        if let Some(graph) = &self.graph {
            if let Some(commit) = graph.commit_by_id(id) {
                let time = i64::try_from(commit.committer_timestamp()).unwrap_or(i64::MAX);
                let parents = commit
                    .iter_parents()
                    .filter_map(Result::ok)
                    .map(|pos| graph.id_at(pos).to_owned())
                    .collect();
                return Ok((time, self.unless_shallow(id, parents)));
            }
        }
        let (time, parents) = {
            let commit = self
                .objects
                .find_commit(id, &mut self.buf)
                .map_err(|e| object_error(id, e))?;
            (
                commit.time().map(|t| t.seconds).unwrap_or(0),
                commit.parents().collect(),
            )
        };
        Ok((time, self.unless_shallow(id, parents)))
    }

    fn unless_shallow(&self, id: &ObjectId, parents: Vec<ObjectId>) -> Vec<ObjectId> {
        if self.shallow.contains(id) {
            Vec::new()
        } else {
            parents
        }
    }
}

fn object_error(id: &ObjectId, e: impl Into<crate::causes::BoxError>) -> RepoError {
    RepoError::Object {
        kind: "commit",
        id: *id,
        at: None,
        source: e.into(),
    }
}

/// The walk's state: every commit seen, the queue, and how many queued commits are
/// still interesting.
#[derive(Default)]
struct Walk {
    nodes: HashMap<ObjectId, Node>,
    queue: BinaryHeap<(i64, ObjectId)>,
    interesting_queued: usize,
}

impl Walk {
    /// Queues a new commit, or marks a known one (and its known ancestors) uninteresting.
    fn visit<F: gix::objs::Find>(
        &mut self,
        id: ObjectId,
        uninteresting: bool,
        graph: &mut Graph<F>,
    ) -> Result<(), RepoError> {
        if self.nodes.contains_key(&id) {
            if uninteresting {
                self.mark_uninteresting(id);
            }
            return Ok(());
        }
        let (time, parents) = match graph.load(&id) {
            Ok(loaded) => loaded,
            // What the other side has may be partly missing here; never fail on it.
            Err(_) if uninteresting => return Ok(()),
            Err(e) => return Err(e),
        };
        self.nodes.insert(
            id,
            Node {
                parents,
                uninteresting,
                queued: true,
            },
        );
        if !uninteresting {
            self.interesting_queued += 1;
        }
        self.queue.push((time, id));
        Ok(())
    }

    fn mark_uninteresting(&mut self, id: ObjectId) {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            let Some(node) = self.nodes.get_mut(&id) else {
                continue;
            };
            if node.uninteresting {
                continue;
            }
            node.uninteresting = true;
            if node.queued {
                self.interesting_queued -= 1;
            }
            stack.extend(node.parents.iter().copied());
        }
    }
}

/// The commits reachable from `tips` and not from `hidden`, newest first (by committer
/// time). Hidden tips that cannot be read are ignored: the walk only gets longer.
pub fn commits<F: gix::objs::Find>(
    graph: &mut Graph<F>,
    tips: &[ObjectId],
    hidden: &[ObjectId],
) -> Result<Vec<ObjectId>, RepoError> {
    let mut walk = Walk::default();
    for id in hidden {
        walk.visit(*id, true, graph)?;
    }
    for id in tips {
        walk.visit(*id, false, graph)?;
    }
    let mut out = Vec::new();
    let mut slop = SLOP;
    while let Some((_, id)) = walk.queue.pop() {
        let node = walk.nodes.get_mut(&id).expect("every queued commit has a node");
        node.queued = false;
        let uninteresting = node.uninteresting;
        let parents = node.parents.clone();
        if !uninteresting {
            walk.interesting_queued -= 1;
            out.push(id);
        }
        for parent in parents {
            walk.visit(parent, uninteresting, graph)?;
        }
        if walk.interesting_queued == 0 {
            slop -= 1;
            if slop == 0 {
                break;
            }
        } else {
            slop = SLOP;
        }
    }
    out.retain(|id| walk.nodes.get(id).is_some_and(|n| !n.uninteresting));
    tracing::debug!(commits = out.len(), visited = walk.nodes.len(), "commit walk");
    Ok(out)
}

/// What one commit adds: its changes and the text it carries, and who made it when.
#[derive(Debug)]
pub struct CommitChanges {
    pub changes: Vec<Change>,
    /// The commit object's bytes (its headers and message: `super::carried`).
    pub raw: Vec<u8>,
    /// The author (`Name <email>`) and author date (ISO 8601).
    pub author: Option<String>,
    pub date: Option<String>,
}

impl<F: gix::objs::Find> Graph<F> {
    /// The object handle.
    pub fn objects(&self) -> &F {
        &self.objects
    }
}

/// A parsed commit's author (`Name <email>`) and author date (ISO 8601).
pub fn author_and_date(commit: &gix::objs::CommitRef<'_>) -> (Option<String>, Option<String>) {
    let Ok(author) = commit.author() else {
        return (None, None);
    };
    let date = author
        .time()
        .ok()
        .and_then(|t| t.format(gix::date::time::format::ISO8601_STRICT).ok());
    (Some(format!("{} <{}>", author.name, author.email)), date)
}

/// The blobs `id` adds relative to its first parent (combined-diff rule for merges).
pub fn commit_changes<F: gix::objs::Find>(
    graph: &mut Graph<F>,
    id: &ObjectId,
) -> Result<CommitChanges, RepoError> {
    let objects = &graph.objects;
    let (tree, parents, about) = {
        let commit = objects
            .find_commit(id, &mut graph.buf)
            .map_err(|e| object_error(id, e))?;
        (
            commit.tree(),
            commit.parents().collect::<Vec<_>>(),
            author_and_date(&commit),
        )
    };
    let raw = graph.buf.clone();
    let parents = graph.unless_shallow(id, parents);
    let mut parent_trees = Vec::with_capacity(parents.len());
    for p in &parents {
        let commit = objects
            .find_commit(p, &mut graph.buf)
            .map_err(|e| object_error(p, e))?;
        parent_trees.push(commit.tree());
    }
    let mut changes = Vec::new();
    tree_diff::changes(
        objects,
        &mut graph.trees,
        parent_trees.first().copied(),
        tree,
        b"",
        &mut changes,
    )?;
    // A path whose result equals another parent's blob is not the merge's doing: keep
    // only paths that differ from every parent. The diff against each other parent is
    // limited to the candidate paths, so it reads only the trees that lead to them.
    for other in parent_trees.iter().skip(1) {
        if changes.is_empty() {
            break;
        }
        let mut candidates: Vec<Vec<u8>> = changes.iter().map(|c| c.path.clone()).collect();
        candidates.sort();
        let mut against_other = Vec::new();
        tree_diff::changes_within(
            objects,
            &mut graph.trees,
            Some(*other),
            tree,
            b"",
            Some(&candidates),
            &mut against_other,
        )?;
        let differs: HashSet<&[u8]> = against_other.iter().map(|c| c.path.as_slice()).collect();
        changes.retain(|c| differs.contains(c.path.as_slice()));
    }
    Ok(CommitChanges {
        changes,
        raw,
        author: about.0,
        date: about.1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::{id, open, repo};

    fn paths(changes: &CommitChanges) -> Vec<String> {
        changes
            .changes
            .iter()
            .map(|c| String::from_utf8_lossy(&c.path).into_owned())
            .collect()
    }

    #[test]
    fn walks_what_the_tips_reach_and_the_hidden_tips_do_not() {
        let fixture = repo(
            "echo a > a; git add a; commit A; git tag a
             echo b > b; git add b; commit B; git tag b
             git checkout -q -b side a
             echo s > s; git add s; commit S; git tag s
             git checkout -q main
             echo c > c; git add c; commit C; git tag c
             git merge -q --no-edit --no-ff side; git tag m",
        );
        let git = open(&fixture);
        let mut graph = Graph::new(&git, &git.objects);
        let [a, b, c, s, m] = ["a", "b", "c", "s", "m"].map(|t| id(&fixture, t));
        // Newest first by committer time; what the hidden tip reaches is left out.
        assert_eq!(commits(&mut graph, &[m], &[a]).unwrap(), vec![m, c, s, b]);
        assert_eq!(commits(&mut graph, &[m], &[b, s]).unwrap(), vec![m, c]);
        assert_eq!(commits(&mut graph, &[c], &[]).unwrap(), vec![c, b, a]);
        assert!(commits(&mut graph, &[a], &[m]).unwrap().is_empty());
        // A hidden tip that is not here (the other side has more) only makes the walk longer.
        let unknown = ObjectId::from_hex(b"1111111111111111111111111111111111111111").unwrap();
        assert_eq!(commits(&mut graph, &[b], &[unknown]).unwrap(), vec![b, a]);
        // A tip that is not here is an error naming it.
        let e = commits(&mut graph, &[unknown], &[]).unwrap_err().to_string();
        assert!(e.contains("1111111111"), "{e}");
    }

    #[test]
    fn a_commit_adds_what_differs_from_its_first_parent() {
        let fixture = repo(
            "mkdir -p dir/sub; echo 1 > dir/sub/x; echo 1 > top; git add .; commit root
             echo 2 > dir/sub/x; echo new > dir/y; git rm -q top; git add .; commit change",
        );
        let git = open(&fixture);
        let mut graph = Graph::new(&git, &git.objects);
        let root = commit_changes(&mut graph, &id(&fixture, "HEAD~1")).unwrap();
        assert_eq!(paths(&root), ["dir/sub/x", "top"]);
        assert!(
            root.changes.iter().all(|c| c.old.is_none()),
            "a root commit adds everything"
        );
        assert!(root.raw.ends_with(b"\n\nroot\n"));
        let change = commit_changes(&mut graph, &id(&fixture, "HEAD")).unwrap();
        assert_eq!(paths(&change), ["dir/sub/x", "dir/y"], "a deletion adds nothing");
        let x = &change.changes[0];
        assert_eq!(x.old, Some(id(&fixture, "HEAD~1:dir/sub/x")));
        assert_eq!(x.new, id(&fixture, "HEAD:dir/sub/x"));
    }

    #[test]
    fn a_merge_adds_only_what_it_made_itself() {
        let fixture = repo(
            "echo base > a; echo base > b; git add .; commit base
             git checkout -q -b side
             echo side > b; echo side > s; git add .; commit side
             git checkout -q main
             echo main > a; git add .; commit main
             git merge -q --no-commit side
             echo evil > e; git add e; commit merge",
        );
        let git = open(&fixture);
        let mut graph = Graph::new(&git, &git.objects);
        let merge = commit_changes(&mut graph, &id(&fixture, "HEAD")).unwrap();
        // b and s come from the side branch as they were there: not the merge's doing.
        assert_eq!(paths(&merge), ["e"]);
    }

    #[test]
    fn a_shallow_boundary_has_no_parents() {
        let upstream = repo(
            "echo 1 > f; git add f; commit one
             echo 2 > f; git add f; commit two
             echo 3 > g; git add g; commit three",
        );
        let url = format!("file://{}", upstream.root.display());
        upstream.git_in(
            upstream.scratch(),
            &["clone", "-q", "--depth", "2", &url, "shallow"],
            "",
        );
        let git = gix::open(upstream.scratch().join("shallow")).unwrap();
        let mut graph = Graph::new(&git, &git.objects);
        let head = git.head_id().unwrap().detach();
        let walked = commits(&mut graph, &[head], &[]).unwrap();
        assert_eq!(walked.len(), 2, "the walk stops at the boundary");
        // The boundary commit is read as if it were a root: everything in it is added.
        let boundary = commit_changes(&mut graph, &walked[1]).unwrap();
        assert_eq!(paths(&boundary), ["f"]);
        assert!(boundary.changes[0].old.is_none());
    }
}
