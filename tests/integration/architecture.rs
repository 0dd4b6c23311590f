//! The pipeline's shape, checked from the `crate::` paths of every source file (comments and
//! test modules left out): each "never" of docs/design.md's picture, no import circle
//! between top-level modules, and nothing but `main.rs` importing `commands` or `cli`.
//!
//! ```text
//! source ──Item──▶ content ──Chunk──▶ detector ──Finding──▶ scan session ──▶ Sink (report)
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level module a file belongs to (`src/scan/units.rs` → `scan`).
fn module_of(rel: &Path) -> String {
    let first = rel.components().next().unwrap().as_os_str().to_str().unwrap();
    first.trim_end_matches(".rs").to_string()
}

/// A file's code: without comment lines and without its test module (tests may name
/// anything).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What one module names: other top-level modules (`crate::x`) and crates (`gix::`).
#[derive(Default, Debug)]
struct Names {
    modules: BTreeSet<String>,
    crates: BTreeSet<String>,
}

/// Every top-level module's names.
fn graph() -> BTreeMap<String, Names> {
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut graph: BTreeMap<String, Names> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || path.file_name().is_some_and(|n| n == "testing.rs")
            {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let from = module_of(rel);
            let text = code(&std::fs::read_to_string(&path).unwrap());
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
                        names.modules.insert(t.to_string());
                    }
                }
            }
            for krate in ["gix", "flate2", "clap"] {
                if text.contains(&format!("{krate}::")) {
                    names.crates.insert(krate.to_string());
                }
            }
        }
    }
    graph
}

/// Each "never" of docs/design.md: a module, what it must not name, and why.
const NEVER: &[(&str, &[&str], &str)] = &[
    (
        "detector",
        &[
            "repo", "source", "plumbing", "content", "scan", "report", "config", "plan", "gix",
        ],
        "the detector never reads git: chunks in, findings out",
    ),
    (
        "source",
        &[
            "content", "detector", "scan", "report", "config", "plan", "flate2",
        ],
        "sources never decode, and never see the detector or a finding",
    ),
    (
        "content",
        &["repo", "source", "scan", "report", "config", "plan", "gix"],
        "the content layer never reads git: it decodes what an item holds",
    ),
    (
        "scan",
        &["repo", "plumbing", "report", "plan", "gix"],
        "the session never walks git: it reads blobs only through a source's reader",
    ),
    (
        "report",
        &[
            "repo", "source", "plumbing", "content", "detector", "config", "plan", "gix",
        ],
        "reports never read the repository: they format what reaches the sink",
    ),
    (
        "plumbing",
        &[
            "allowlist",
            "causes",
            "chunk",
            "cli",
            "commands",
            "config",
            "content",
            "detector",
            "finding",
            "hooks",
            "installer",
            "origin",
            "outcome",
            "path",
            "plan",
            "progress",
            "redact",
            "repo",
            "report",
            "scan",
            "source",
        ],
        "plumbing knows nothing of intercept",
    ),
];

#[test]
fn every_never_of_the_design_holds() {
    let graph = graph();
    for (module, forbidden, why) in NEVER {
        let names = graph
            .get(*module)
            .unwrap_or_else(|| panic!("no module {module}: {graph:?}"));
        for name in *forbidden {
            assert!(
                !names.modules.contains(*name) && !names.crates.contains(*name),
                "{module} names {name}, but {why}"
            );
        }
    }
}

/// A token's bytes leave the detector only through `Secret::expose`, and only `remedy/`
/// (liveness checks, purge) calls it.
#[test]
fn only_remedy_exposes_a_secret() {
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut stack = vec![src.to_path_buf()];
    let mut callers = BTreeSet::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
                let text = code(&std::fs::read_to_string(&path).unwrap());
                if text.contains(".expose()") {
                    callers.insert(module_of(path.strip_prefix(src).unwrap()));
                }
            }
        }
    }
    assert!(
        callers.iter().all(|m| m == "remedy"),
        "Secret::expose is called outside remedy/: {callers:?}"
    );
}

#[test]
fn nothing_but_main_imports_commands_and_nothing_but_commands_reads_the_command_line() {
    for (from, names) in &graph() {
        if names.modules.contains("commands") {
            assert!(from == "main" || from == "lib", "{from} imports commands");
        }
        if names.modules.contains("cli") {
            assert!(
                ["main", "lib", "commands"].contains(&from.as_str()),
                "{from} imports cli"
            );
        }
        // clap stays at the command line's edge.
        if names.crates.contains("clap") {
            assert!(
                ["cli", "commands", "main"].contains(&from.as_str()),
                "{from} uses clap"
            );
        }
    }
}

#[test]
fn imports_flow_one_way() {
    let graph = graph();
    assert!(
        graph.contains_key("scan") && graph.contains_key("content"),
        "{graph:?}"
    );
    // No circle: a depth-first search finds no back edge.
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, Names>,
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
        for next in graph.get(node).into_iter().flat_map(|n| &n.modules) {
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
