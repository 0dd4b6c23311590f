//! Which remotes (and local branches) already hold a commit: where a token has gone.
//!
//! A remote holds a commit when one of its remote-tracking refs (`refs/remotes/<remote>/…`)
//! reaches it; a bare repository is a server (or a mirror of one) itself, so its own
//! branches and tags hold theirs, under the name `.` (git's name for "this repository" in
//! `branch.<name>.remote`). What the remote-tracking refs say is what the last fetch or
//! push saw: a force-push someone else made since is not known.
//!
//! One walk of the history of those refs, highest generation first: each holder is a bit,
//! and a commit's bits flow to its parents. It is lazy and exact, whatever the committer
//! clocks say: a question walks only until no commit left to walk can be a descendant of the
//! commit asked about. With a commit-graph that is its generation (topological level:
//! parents are always lower); commits not in the graph (made since it was written) are
//! walked first, by committer time. Outside the graph a commit found on a remote is placed
//! once nothing a day newer is left (its list of remotes could then miss one whose clock was
//! far off), but "on no remote" is said only after the whole history of the holders was
//! walked, once.
//!
//! Local tags are one more holder (a tag pushed carries its history, and no ref says
//! whether it was), and a remote whose fetch refspecs do not cover every branch (a
//! single-branch clone) or that has no remote-tracking ref at all cannot say what it lacks:
//! both are doubts, said beside an empty list of remotes.

use std::collections::{BinaryHeap, HashMap};

use gix::ObjectId;

use super::history::Graph;
use crate::origin::Remote;
use crate::repo::{self, RepoError};

/// Local branches named at most; the rest are not told apart.
const MAX_BRANCHES: usize = 256;

/// Who holds one commit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holders {
    pub remotes: Vec<Remote>,
    /// Local branches (`main`, not `refs/heads/main`).
    pub branches: Vec<String>,
    /// Why a remote may hold the commit although no remote-tracking ref reaches it.
    pub doubts: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Remote(usize),
    Branch(usize),
    /// Any local tag.
    Tags,
}

/// The lazy walk.
pub struct Reach<'r> {
    graph: Graph<&'r gix::OdbHandle>,
    remotes: Vec<Remote>,
    branches: Vec<String>,
    slots: Vec<Slot>,
    /// Remotes that cannot say what they lack (a partial fetch refspec, no tracking ref).
    blind: Vec<String>,
    /// Per commit: its bits (one per slot), parents, and whether it was walked.
    nodes: HashMap<ObjectId, Node>,
    /// By generation (`u32::MAX`: not in the commit-graph), then committer time, highest
    /// first.
    queue: BinaryHeap<(u32, i64, ObjectId)>,
}

struct Node {
    bits: Vec<u64>,
    parents: Vec<ObjectId>,
    time: i64,
    walked: bool,
}

/// Outside the commit-graph, the committer-clock skew after which a commit found on a
/// remote is taken as placed (its remotes listed may then miss one; "on no remote" is
/// never said before the whole history was walked).
const SLOP: i64 = 24 * 60 * 60;

/// A commit's place in the walk's order.
fn key<F: gix::objs::Find>(graph: &Graph<F>, id: &ObjectId) -> u32 {
    graph.generation(id).unwrap_or(u32::MAX)
}

impl<'r> Reach<'r> {
    /// Seeds the walk with every holder's refs; nothing is walked yet.
    pub fn new(repo: &'r gix::Repository) -> Result<Self, RepoError> {
        let mut reach = Reach {
            graph: Graph::new(repo, &repo.objects),
            remotes: Vec::new(),
            branches: Vec::new(),
            slots: Vec::new(),
            blind: Vec::new(),
            nodes: HashMap::new(),
            queue: BinaryHeap::new(),
        };
        let names: Vec<String> = repo.remote_names().iter().map(|n| n.to_string()).collect();
        let bare = repo.workdir().is_none();
        let mut seeds: Vec<(Slot, ObjectId)> = Vec::new();
        for (name, id) in repo::refs::all(repo, None)? {
            let slot = if let Some(rest) = name.strip_prefix("refs/remotes/") {
                // The longest configured remote whose name prefixes the ref (names may hold
                // `/`), else the first component.
                let remote = names
                    .iter()
                    .filter(|n| rest.starts_with(&format!("{n}/")))
                    .max_by_key(|n| n.len())
                    .cloned()
                    .unwrap_or_else(|| rest.split('/').next().unwrap_or(rest).to_string());
                reach.remote_slot(repo, &remote)
            } else if bare && (name.starts_with("refs/heads/") || name.starts_with("refs/tags/")) {
                reach.remote_slot(repo, ".")
            } else if let Some(branch) = name.strip_prefix("refs/heads/") {
                match reach.branch_slot(branch) {
                    Some(slot) => slot,
                    None => continue,
                }
            } else if name.starts_with("refs/tags/") {
                if !reach.slots.contains(&Slot::Tags) {
                    reach.slots.push(Slot::Tags);
                }
                Slot::Tags
            } else {
                continue;
            };
            if let Some(commit) = repo::peel_to_commit(&repo.objects, id) {
                seeds.push((slot, commit));
            }
        }
        if !bare {
            let config = repo.config_snapshot();
            for name in &names {
                let fetch = config
                    .strings(&format!("remote.{name}.fetch"))
                    .unwrap_or_default();
                let all_branches = fetch
                    .iter()
                    .any(|f| f.to_string().trim_start_matches('+').starts_with("refs/heads/*:"));
                let mirror = config.boolean(&format!("remote.{name}.mirror")).unwrap_or(false);
                if !mirror && (!all_branches || !reach.remotes.iter().any(|r| &r.name == name)) {
                    reach.blind.push(name.clone());
                }
            }
        }
        let words = reach.slots.len().div_ceil(64).max(1);
        for (slot, commit) in seeds {
            let bit = reach.slots.iter().position(|s| *s == slot).unwrap_or(0);
            let mut bits = vec![0u64; words];
            bits[bit / 64] |= 1 << (bit % 64);
            reach.offer(commit, &bits)?;
        }
        Ok(reach)
    }

    /// Stops doubting `remote` (the one a push goes to: what it lacks is what is pushed).
    pub fn trust(&mut self, remote: &str) {
        self.blind.retain(|b| b != remote);
    }

    fn remote_slot(&mut self, repo: &gix::Repository, name: &str) -> Slot {
        if let Some(i) = self.remotes.iter().position(|r| r.name == name) {
            return Slot::Remote(i);
        }
        let url = (name != ".")
            .then(|| repo.find_remote(name).ok())
            .flatten()
            .and_then(|r| {
                r.url(gix::remote::Direction::Push)
                    .map(|u| u.to_bstring().to_string())
            })
            .map(|u| repo::vcs::without_credentials(&u));
        self.remotes.push(Remote {
            name: name.to_string(),
            url,
        });
        let slot = Slot::Remote(self.remotes.len() - 1);
        self.slots.push(slot);
        slot
    }

    fn branch_slot(&mut self, branch: &str) -> Option<Slot> {
        if self.branches.len() >= MAX_BRANCHES {
            return None;
        }
        self.branches.push(branch.to_string());
        let slot = Slot::Branch(self.branches.len() - 1);
        self.slots.push(slot);
        Some(slot)
    }

    /// The remotes and local branches whose history holds `commit`.
    pub fn holders(&mut self, commit: ObjectId) -> Result<Holders, RepoError> {
        self.walk_past(commit)?;
        let mut holders = Holders::default();
        let mut tagged = false;
        if let Some(node) = self.nodes.get(&commit) {
            for (bit, slot) in self.slots.iter().enumerate() {
                if node.bits[bit / 64] & (1 << (bit % 64)) == 0 {
                    continue;
                }
                match *slot {
                    Slot::Remote(i) => holders.remotes.push(self.remotes[i].clone()),
                    Slot::Branch(i) => holders.branches.push(self.branches[i].clone()),
                    Slot::Tags => tagged = true,
                }
            }
        }
        if holders.remotes.is_empty() {
            if tagged {
                holders.doubts.push(format!(
                    "a local tag holds it (`git tag --contains {}` names it): if that tag was pushed, \
                     so was the token",
                    &commit.to_string()[..10]
                ));
            }
            for name in &self.blind {
                holders.doubts.push(format!(
                    "remote {name} has remote-tracking refs for only some branches, or none: what it \
                     has is not known here"
                ));
            }
        }
        Ok(holders)
    }

    /// Walks until no commit left to walk can be a descendant of `commit`: none of a higher
    /// generation is left (or, for a commit not in the commit-graph, none outside it).
    ///
    /// Outside the commit-graph there are no generations: the walk goes by committer time,
    /// and stops early only once the commit is known to be on a remote and nothing a day
    /// newer is left; to say it is on none, the whole history is walked (once).
    fn walk_past(&mut self, commit: ObjectId) -> Result<(), RepoError> {
        let level = key(&self.graph, &commit);
        loop {
            let Some(&(next, next_time, _)) = self.queue.peek() else {
                return Ok(());
            };
            if next < level || (next == level && level != u32::MAX) {
                return Ok(());
            }
            if level == u32::MAX && next == u32::MAX {
                let placed = self.nodes.get(&commit).filter(|n| n.walked).and_then(|n| {
                    let on_remote = self.slots.iter().enumerate().any(|(bit, slot)| {
                        matches!(slot, Slot::Remote(_)) && n.bits[bit / 64] & (1 << (bit % 64)) != 0
                    });
                    on_remote.then_some(n.time)
                });
                if placed.is_some_and(|time| next_time < time.saturating_sub(SLOP)) {
                    return Ok(());
                }
            }
            let Some((_, _, id)) = self.queue.pop() else {
                return Ok(());
            };
            let (bits, parents) = match self.nodes.get_mut(&id) {
                Some(node) if !node.walked => {
                    node.walked = true;
                    (node.bits.clone(), node.parents.clone())
                }
                _ => continue,
            };
            for parent in parents {
                self.offer(parent, &bits)?;
            }
        }
    }

    /// Reaches `id` with `bits`: a new commit is queued; one already known gains the bits,
    /// and if it was walked they flow on to the ancestors already known.
    fn offer(&mut self, id: ObjectId, bits: &[u64]) -> Result<(), RepoError> {
        if let Some(node) = self.nodes.get_mut(&id) {
            if !gains(&node.bits, bits) {
                return Ok(());
            }
            merge(&mut node.bits, bits);
            if node.walked {
                let mut todo = node.parents.clone();
                while let Some(n) = todo.pop() {
                    if let Some(node) = self.nodes.get_mut(&n) {
                        if gains(&node.bits, bits) {
                            merge(&mut node.bits, bits);
                            if node.walked {
                                todo.extend(node.parents.iter().copied());
                            }
                        }
                    }
                }
            }
            return Ok(());
        }
        let (time, parents) = self.graph.load(&id)?;
        self.nodes.insert(
            id,
            Node {
                bits: bits.to_vec(),
                parents,
                time,
                walked: false,
            },
        );
        self.queue.push((key(&self.graph, &id), time, id));
        Ok(())
    }
}

fn gains(have: &[u64], more: &[u64]) -> bool {
    have.iter().zip(more).any(|(h, m)| m & !h != 0)
}

fn merge(have: &mut [u64], more: &[u64]) {
    for (h, m) in have.iter_mut().zip(more) {
        *h |= m;
    }
}
