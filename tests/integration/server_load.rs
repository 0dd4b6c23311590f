//! The server hook under load and faults: many pushes at once into one bare repository,
//! and a push whose client goes away mid-way.

use std::path::{Path, PathBuf};

use crate::support::{token, TestRepo};

/// Whatever a push leaves in a bare repository while it runs: git's quarantine
/// directories and temporary packs. None may remain once the pushes are over.
fn leftovers(bare: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![bare.join("objects")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("tmp_objdir") || name.starts_with("incoming-") || name.starts_with("tmp_") {
                found.push(path.clone());
            }
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found
}

#[test]
fn twenty_concurrent_pushes_half_with_tokens_end_consistent() {
    let maker = TestRepo::new();
    let bare = maker.remote_bare();
    maker.intercept_in(&bare, &["install"]).code(0);
    maker.initial_commit();
    maker.git(&["push", "-q", "origin", "main"]).code(0);
    // Twenty clients, each with one commit on its own branch; the odd ones carry a token.
    let mut clients = Vec::new();
    for i in 0..20 {
        let dir = maker.scratch.path().join(format!("client{i}"));
        maker
            .git_in(
                maker.scratch.path(),
                &["clone", "-q", bare.to_str().unwrap(), dir.to_str().unwrap()],
            )
            .code(0);
        let content = if i % 2 == 1 {
            format!("T={}\n", token().b64())
        } else {
            format!("clean {i}\n")
        };
        std::fs::write(dir.join(format!("f{i}.env")), content).unwrap();
        maker.git_in(&dir, &["add", "."]).code(0);
        maker
            .git_in(&dir, &["commit", "-q", "-m", &format!("change {i}")])
            .code(0);
        let head = maker.head_in(&dir);
        clients.push((i, dir, head));
    }
    let results: Vec<(usize, String, crate::support::Run)> = std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter()
            .map(|(i, dir, head)| {
                let maker = &maker;
                s.spawn(move || {
                    let run = maker.git_in(dir, &["push", "origin", &format!("HEAD:refs/heads/b{i}")]);
                    (*i, head.clone(), run)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let refs = maker.refs_of(&bare);
    for (i, head, run) in &results {
        let line = format!("{head} refs/heads/b{i}");
        if i % 2 == 1 {
            assert_eq!(run.code, 1, "push {i} carries a token:\n{}", run.stderr);
            assert!(
                run.stderr.contains("remote: intercept: blocked this push"),
                "{}",
                run.stderr
            );
            assert!(
                !refs.contains(&format!("refs/heads/b{i}\n")),
                "b{i} must not exist:\n{refs}"
            );
        } else {
            assert_eq!(run.code, 0, "push {i} is clean:\n{}", run.stderr);
            assert!(refs.contains(&line), "b{i} must be at {head}:\n{refs}");
        }
    }
    assert_eq!(
        refs.lines().count(),
        11,
        "main and the ten clean branches:\n{refs}"
    );
    maker.git_in(&bare, &["fsck", "--no-progress"]).code(0);
    assert_eq!(leftovers(&bare), Vec::<PathBuf>::new());
}

/// Every path in the repository outside git's own quarantine directories.
fn files_outside_quarantine(bare: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![bare.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with("tmp_objdir") {
                continue;
            }
            if path.is_dir() {
                stack.push(path.clone());
            }
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Processes still running in `dir` (a hook outliving its push would show here).
fn processes_in(dir: &Path) -> Vec<String> {
    let dir = dir.canonicalize().unwrap();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter(|e| std::fs::read_link(e.path().join("cwd")).is_ok_and(|cwd| cwd == dir))
        .map(|e| {
            String::from_utf8_lossy(&std::fs::read(e.path().join("cmdline")).unwrap_or_default())
                .replace('\0', " ")
        })
        .collect()
}

#[test]
fn a_push_killed_mid_way_leaves_nothing_behind() {
    let maker = TestRepo::new();
    let bare = maker.remote_bare();
    maker.intercept_in(&bare, &["install"]).code(0);
    maker.initial_commit();
    maker.git(&["push", "-q", "origin", "main"]).code(0);
    let before = maker.refs_of(&bare);
    let files_before = files_outside_quarantine(&bare);
    // A big incompressible file: the push is still sending or checking when it is killed.
    let mut bytes = vec![0u8; 48 << 20];
    let mut x = crate::support::random_u64() | 1;
    for chunk in bytes.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    std::fs::write(maker.root.join("big.bin"), &bytes).unwrap();
    maker.write("leak.env", format!("T={}\n", token().b64()));
    maker.git(&["add", "."]).code(0);
    maker.git(&["commit", "-q", "--no-verify", "-m", "big"]).code(0);
    for delay_ms in [30, 150, 400] {
        let mut cmd = crate::support::hermetic("git", &maker.home());
        cmd.current_dir(&maker.root)
            .args(["push", "origin", "main"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // The server side sees the connection close; nothing of it may keep running.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !processes_in(&bare).is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(
            processes_in(&bare),
            Vec::<String>::new(),
            "killed after {delay_ms} ms"
        );
        assert_eq!(maker.refs_of(&bare), before, "killed after {delay_ms} ms");
        // intercept writes nothing on a server. (git itself may leave its quarantine
        // directory, objects/tmp_objdir-incoming-*, when the client dies: it does so with no
        // hook installed at all, and `git gc` prunes it.)
        assert_eq!(
            files_outside_quarantine(&bare),
            files_before,
            "killed after {delay_ms} ms"
        );
    }
    // Twin: the same push, not killed, is rejected in the normal way and leaves nothing,
    // not even a quarantine.
    for dir in leftovers(&bare) {
        std::fs::remove_dir_all(dir).unwrap();
    }
    let run = maker.git(&["push", "origin", "main"]);
    run.code(1);
    assert!(
        run.stderr.contains("remote: intercept: blocked this push"),
        "{}",
        run.stderr
    );
    assert_eq!(leftovers(&bare), Vec::<PathBuf>::new());
    assert_eq!(files_outside_quarantine(&bare), files_before);
    assert_eq!(maker.refs_of(&bare), before);
    maker.git_in(&bare, &["fsck", "--no-progress"]).code(0);
}
