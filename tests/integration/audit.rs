//! `intercept scan --all`: the whole object database, with provenance.

use crate::support::{token, TestRepo};

fn audit(repo: &TestRepo, dir: &std::path::Path) -> (crate::support::Run, serde_json::Value) {
    let run = repo.intercept_in(dir, &["scan", "--all", "--format", "json"]);
    let doc = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    (run, doc)
}

fn paths(doc: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn history_messages_tags_and_dangling_blobs_loose_and_packed() {
    let repo = TestRepo::new();
    repo.initial_commit();
    let clean = audit(&repo, &repo.root);
    clean.0.code(0);

    let (a, b, c, d) = (token(), token(), token(), token());
    // Added then deleted: history keeps it.
    repo.commit_file("old.env", format!("T={}\n", a.b64()), "add")
        .code(0);
    let added = repo.head();
    std::fs::remove_file(repo.root.join("old.env")).unwrap();
    repo.git(&["commit", "-q", "-am", "remove"]).code(0);
    // A commit message and an annotated tag message.
    repo.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        &format!("debug {}", b.b64()),
    ])
    .code(0);
    repo.git(&["tag", "-a", "v1", "-m", &format!("release {}", c.b64())])
        .code(0);
    // A dangling blob: written, never committed.
    std::fs::write(
        repo.scratch.path().join("dangling.txt"),
        format!("T={}\n", d.b64()),
    )
    .unwrap();
    let dangling = repo
        .git(&[
            "hash-object",
            "-w",
            repo.scratch.path().join("dangling.txt").to_str().unwrap(),
        ])
        .stdout
        .trim()
        .to_string();

    for packed in [false, true] {
        if packed {
            repo.git(&["gc", "-q", "--prune=never"]).code(0);
            assert!(repo.root.join(".git/objects/pack").read_dir().unwrap().count() > 0);
        }
        let (run, doc) = audit(&repo, &repo.root);
        run.code(1);
        assert_eq!(
            paths(&doc),
            vec![
                "(commit message)".to_string(),
                "(tag message)".to_string(),
                format!("(unreachable blob) {dangling}"),
                "old.env".to_string(),
            ],
            "packed={packed}: {}",
            run.stdout
        );
        let old = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "old.env")
            .unwrap();
        assert_eq!(
            old["commit"],
            added.as_str(),
            "provenance: the commit that added it"
        );
        assert_eq!(old["line"], 1);
    }
}

#[test]
fn several_packs_are_all_scanned() {
    let repo = TestRepo::new();
    let (a, b) = (token(), token());
    repo.commit_file("one.env", format!("T={}\n", a.b64()), "one")
        .code(0);
    repo.git(&["repack", "-q", "-d"]).code(0);
    repo.commit_file("two.env", format!("T={}\n", b.b64()), "two")
        .code(0);
    repo.git(&["repack", "-q", "-d"]).code(0);
    let packs = repo
        .root
        .join(".git/objects/pack")
        .read_dir()
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pack")
        })
        .count();
    assert_eq!(packs, 2);
    let (run, doc) = audit(&repo, &repo.root);
    run.code(1);
    assert_eq!(paths(&doc), vec!["one.env".to_string(), "two.env".to_string()]);
}

#[test]
fn alternates_shallow_and_sha256() {
    // Objects behind an alternate are scanned.
    let repo = TestRepo::new();
    let t = token();
    repo.commit_file("a.env", format!("T={}\n", t.b64()), "a").code(0);
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", "--shared", "repo", "borrower"],
    )
    .code(0);
    let borrower = repo.scratch.path().join("borrower");
    assert!(borrower.join(".git/objects/info/alternates").exists());
    let (run, doc) = audit(&repo, &borrower);
    run.code(1);
    assert_eq!(paths(&doc), vec!["a.env".to_string()]);

    // A shallow clone: what is there is scanned, and the boundary is said.
    let url = format!("file://{}", repo.root.display());
    repo.commit_file("b.txt", "b\n", "b").code(0);
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    )
    .code(0);
    let shallow = repo.scratch.path().join("shallow");
    let (run, doc) = audit(&repo, &shallow);
    run.code(1);
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
    // The token's blob is in the boundary commit's tree: found, added by that commit.
    assert_eq!(paths(&doc), vec!["a.env".to_string()]);
    assert_eq!(doc["findings"][0]["commit"], repo.head_in(&shallow).as_str());

    // SHA-256.
    let repo = TestRepo::with_init(&["--object-format=sha256"]);
    repo.commit_file("s.env", format!("T={}\n", token().b64()), "s")
        .code(0);
    repo.git(&["gc", "-q"]).code(0);
    let (run, doc) = audit(&repo, &repo.root);
    run.code(1);
    assert_eq!(doc["findings"][0]["commit"].as_str().unwrap().len(), 64);
}

#[test]
fn a_partial_clone_is_scanned_without_fetching_and_says_so() {
    let repo = TestRepo::new();
    repo.git(&["config", "uploadpack.allowFilter", "true"]).code(0);
    repo.commit_file("big.env", format!("T={}\n", token().b64()), "big")
        .code(0);
    let url = format!("file://{}", repo.root.display());
    repo.git_in(
        repo.scratch.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            "partial",
        ],
    )
    .code(0);
    let partial = repo.scratch.path().join("partial");
    let before = repo.git_in(&partial, &["count-objects", "-v"]).stdout;
    let (run, doc) = audit(&repo, &partial);
    run.code(2);
    assert!(
        run.stderr.contains("partial clone") && run.stderr.contains("never fetches"),
        "{}",
        run.stderr
    );
    assert_eq!(doc["findings"], serde_json::json!([]));
    // Nothing was fetched.
    assert_eq!(repo.git_in(&partial, &["count-objects", "-v"]).stdout, before);
}

#[test]
fn a_corrupt_pack_is_reported_and_the_rest_still_scanned() {
    let repo = TestRepo::new();
    let t = token();
    for i in 0..20 {
        repo.commit_file(
            &format!("f{i}.txt"),
            format!("file {i} {}\n", "x".repeat(i * 50)),
            "f",
        )
        .code(0);
    }
    repo.git(&["gc", "-q"]).code(0);
    let pack_dir = repo.root.join(".git/objects/pack");
    let pack = pack_dir
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    let mut bytes = std::fs::read(&pack).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0xa5;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pack, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::write(&pack, bytes).unwrap();
    // A loose object with a token is still found.
    repo.write("loose.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "loose.env"]).code(0);
    let (run, doc) = audit(&repo, &repo.root);
    assert!(run.stderr.contains("cannot read pack"), "{}", run.stderr);
    // The history walk cannot read the pack either, so the blob is reported by id.
    assert!(
        paths(&doc).iter().any(|p| p.starts_with("(blob, place unknown)")),
        "{}",
        run.stdout
    );
    run.code(1);
    assert!(!doc["errors"].as_array().unwrap().is_empty());
}
