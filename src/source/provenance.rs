//! Where blobs entered history: for a history audit's findings, the commit and path that
//! added each blob, its author and date, and a ref whose history holds the commit. One pass.
//!
//! Receives the repository and the ids of the blobs that hold findings; walks history once,
//! newest first from every ref (HEAD's branch first, then branches, tags, remote-tracking
//! refs, the rest), diffing each commit against its first parent until every blob has been
//! seen being added. Which ref holds a commit is learnt in the same pass: each ref labels
//! its tip, and a label flows from a commit to its parents (the better-ranked label wins),
//! so no commit is walked twice however many findings there are.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use gix::objs::Kind;
use gix::ObjectId;

use super::history::{self, Graph};
use crate::repo::{self, RepoError};

/// Where a blob was added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub commit: ObjectId,
    pub path: Vec<u8>,
    /// The commit's author (`Name <email>`) and author date (ISO 8601).
    pub author: Option<String>,
    pub date: Option<String>,
    /// A ref whose history holds the commit.
    pub reference: Option<String>,
}

/// For each blob, the commits (newest first) and paths that add it.
pub type Places = HashMap<ObjectId, Vec<Place>>;

/// Every ref (and HEAD) with the commit it points at, peeled; HEAD's branch first, then
/// branches, tags and remote-tracking refs: the order in which a ref is named for a finding.
pub fn named_ref_commits(repo: &gix::Repository) -> Vec<(String, ObjectId)> {
    let mut tips = Vec::new();
    if let Some(head) = repo::head_commit_id(repo) {
        let name = repo
            .head_name()
            .ok()
            .flatten()
            .map_or_else(|| "HEAD".to_string(), |n| n.as_bstr().to_string());
        tips.push((name, head));
    }
    if let Ok(platform) = repo.references() {
        if let Ok(all) = platform.all() {
            for mut r in all.flatten() {
                let name = r.name().as_bstr().to_string();
                if let Ok(id) = r.peel_to_id() {
                    tips.push((name, id.detach()));
                }
            }
        }
    }
    let rank = |name: &str| match name {
        n if n.starts_with("refs/heads/") => 1,
        n if n.starts_with("refs/tags/") => 2,
        n if n.starts_with("refs/remotes/") => 3,
        _ => 4,
    };
    let head_first = tips.first().cloned();
    tips.sort_by_key(|(name, _)| rank(name));
    if let Some(first) = head_first {
        tips.retain(|t| t.0 != first.0);
        tips.insert(0, first);
    }
    // Only commits: a ref may name a tree or a blob.
    tips.retain(|(_, id)| repo.find_header(*id).is_ok_and(|h| h.kind() == Kind::Commit));
    tips
}

/// For each blob in `hits`: where it was added. On an error, what was found so far and
/// the error.
pub fn locate(
    repo: &gix::Repository,
    hits: &HashSet<ObjectId>,
    interrupt: &AtomicBool,
) -> (Places, Option<RepoError>) {
    let mut located = Places::new();
    match locate_into(repo, hits, interrupt, &mut located) {
        Ok(()) => (located, None),
        Err(e) => (located, Some(e)),
    }
}

fn locate_into(
    repo: &gix::Repository,
    hits: &HashSet<ObjectId>,
    interrupt: &AtomicBool,
    located: &mut Places,
) -> Result<(), RepoError> {
    if hits.is_empty() {
        return Ok(());
    }
    let refs = named_ref_commits(repo);
    let tips: Vec<ObjectId> = refs.iter().map(|(_, id)| *id).collect();
    let mut graph = Graph::new(repo, &repo.objects);
    let commits = history::commits_with_parents(&mut graph, &tips)?;
    let labels = labels(&refs, &commits);
    let mut remaining: HashSet<ObjectId> = hits.clone();
    for (id, _) in &commits {
        if remaining.is_empty() || interrupt.load(Ordering::SeqCst) {
            break;
        }
        let changes = history::commit_changes(&mut graph, id)?;
        let mut about: Option<(Option<String>, Option<String>)> = None;
        for change in changes.changes {
            if hits.contains(&change.new) {
                remaining.remove(&change.new);
                let (author, date) = about.get_or_insert_with(|| author_and_date(repo, id)).clone();
                located.entry(change.new).or_default().push(Place {
                    commit: *id,
                    path: change.path,
                    author,
                    date,
                    reference: labels.get(id).map(|&i| refs[i].0.clone()),
                });
            }
        }
    }
    Ok(())
}

/// The best-ranked ref (an index into `refs`) whose history holds each commit: every tip
/// is labelled by its refs, and labels flow to parents until nothing improves.
fn labels(refs: &[(String, ObjectId)], commits: &[(ObjectId, Vec<ObjectId>)]) -> HashMap<ObjectId, usize> {
    let parents: HashMap<ObjectId, &[ObjectId]> = commits.iter().map(|(id, p)| (*id, p.as_slice())).collect();
    let mut label: HashMap<ObjectId, usize> = HashMap::new();
    let mut todo = Vec::new();
    for (i, (_, tip)) in refs.iter().enumerate() {
        if !label.contains_key(tip) {
            label.insert(*tip, i);
            todo.push(*tip);
        }
    }
    // Refs are in rank order, so a tip's first label is its best; a parent takes a child's
    // label only when it is better than the one it has, so each commit improves at most
    // as often as there are refs, and usually once.
    while let Some(id) = todo.pop() {
        let mine = label[&id];
        for parent in parents.get(&id).copied().unwrap_or_default() {
            match label.get(parent) {
                Some(&theirs) if theirs <= mine => {}
                _ => {
                    label.insert(*parent, mine);
                    todo.push(*parent);
                }
            }
        }
    }
    label
}

/// A commit's author and author date (ISO 8601).
fn author_and_date(repo: &gix::Repository, id: &ObjectId) -> (Option<String>, Option<String>) {
    use gix::prelude::FindExt as _;
    let mut buf = Vec::new();
    let Ok(commit) = repo.objects.find_commit(id, &mut buf) else {
        return (None, None);
    };
    let Ok(author) = commit.author() else {
        return (None, None);
    };
    let date = author
        .time()
        .ok()
        .and_then(|t| t.format(gix::date::time::format::ISO8601_STRICT).ok());
    (Some(format!("{} <{}>", author.name, author.email)), date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    #[test]
    fn labels_flow_to_parents_and_the_better_ref_wins() {
        // main: 3 → 2 → 1; topic: 4 → 2.
        let commits = vec![
            (id(4), vec![id(2)]),
            (id(3), vec![id(2)]),
            (id(2), vec![id(1)]),
            (id(1), vec![]),
        ];
        let refs = vec![
            ("refs/heads/main".to_string(), id(3)),
            ("refs/heads/topic".to_string(), id(4)),
        ];
        let l = labels(&refs, &commits);
        assert_eq!((l[&id(1)], l[&id(2)], l[&id(3)], l[&id(4)]), (0, 0, 0, 1));
    }
}
