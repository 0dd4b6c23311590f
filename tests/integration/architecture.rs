//! The pipeline's direction, checked from the `crate::` paths of every source file: no
//! import circle between top-level modules; only `main.rs` and `commands/` know `cli`; no
//! stage (source, content, detector, scan, config, report) knows `commands`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level module a file belongs to (`src/scan/git.rs` → `scan`).
fn module_of(rel: &Path) -> String {
    let first = rel.components().next().unwrap().as_os_str().to_str().unwrap();
    first.trim_end_matches(".rs").to_string()
}

/// Every top-level module each module names with `crate::…`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let from = module_of(rel);
            let text = std::fs::read_to_string(&path).unwrap();
            let names = graph.entry(from.clone()).or_default();
            // `crate::x` in `use` lines and in paths; `use crate::{a, b}` too.
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + "crate::".len()..];
                let targets: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(0);
                    group[..end]
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or(""))
                        .collect()
                } else {
                    vec![rest
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("")]
                };
                for t in targets {
                    if !t.is_empty() && t != from {
                        names.insert(t.to_string());
                    }
                }
            }
        }
    }
    graph
}

#[test]
fn imports_flow_one_way() {
    let graph = graph();
    assert!(
        graph.contains_key("scan") && graph.contains_key("content"),
        "{graph:?}"
    );
    for (from, to) in &graph {
        if from == "plumbing" {
            assert!(
                to.is_empty(),
                "plumbing imports {to:?}: it must know nothing of intercept"
            );
        }
        if to.contains("cli") {
            assert!(from == "main" || from == "commands", "{from} imports cli");
        }
        if to.contains("commands") {
            assert!(from == "main" || from == "lib", "{from} imports commands");
        }
    }
    // No circle: a depth-first search finds no back edge.
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(node) {
            return;
        }
        assert!(
            !path.contains(&node),
            "import circle: {} -> {node}",
            path.join(" -> ")
        );
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node);
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if node != "lib" {
            visit(node, &graph, &mut Vec::new(), &mut done);
        }
    }
}
