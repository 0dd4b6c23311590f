//! The CI recipes in `docs/ci.md`, run for real: every `run:` block and `script:` line that
//! calls `intercept scan` is taken from the document, its CI variables filled in, and run
//! with bash in a clone shaped like the CI's (whole history, `origin/<default>`), for a
//! push, a new branch, a force push, a pull request, an audit to SARIF and a bare clone of
//! an organisation's matrix. Each with a token, and its twin with a placeholder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{bin, hermetic, token, TestRepo, PLACEHOLDER};

/// The shell snippets of `docs/ci.md` that run intercept: GitHub `run:` blocks and GitLab
/// `script:` lines, in document order.
fn snippets() -> Vec<String> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci.md")).unwrap();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if trimmed == "run: |" {
            let base = indent(line);
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > base) {
                body.push(lines[i]);
                i += 1;
            }
            let strip = body
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| indent(l))
                .min()
                .unwrap_or(0);
            out.push(
                body.iter()
                    .map(|l| l.get(strip..).unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            continue;
        }
        if trimmed == "script:" {
            let base = indent(line);
            i += 1;
            while i < lines.len() && indent(lines[i]) > base {
                if let Some(cmd) = lines[i].trim_start().strip_prefix("- ") {
                    out.push(cmd.to_string());
                }
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    out.retain(|s| s.contains("intercept scan"));
    out
}

/// `snippet` with every `${{ expr }}` replaced from `vars`; an expression the test does not
/// know fails (the document changed: the test must learn it).
fn fill(snippet: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = snippet;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = vars
            .get(expr)
            .unwrap_or_else(|| panic!("docs/ci.md uses ${{{{ {expr} }}}}, which this test does not fill in"));
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

struct Outcome {
    code: i32,
    stderr: String,
}

/// Runs `script` as GitHub does (`bash -e`), with `intercept` on PATH, in `dir`.
fn run_script(repo: &TestRepo, dir: &Path, script: &str, env: &[(&str, String)]) -> Outcome {
    let bin_dir = bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = hermetic("bash", &repo.home());
    cmd.current_dir(dir).args(["-e", "-c", script]).env("PATH", path);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stderr: format!("{stdout}{stderr}"),
    }
}

fn snippet(containing: &str) -> String {
    let all = snippets();
    let found: Vec<&String> = all.iter().filter(|s| s.contains(containing)).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one snippet with {containing:?} in docs/ci.md: {all:#?}"
    );
    found[0].clone()
}

/// A server with `main`, a developer clone, and a CI clone made after the push under test.
struct Ci {
    repo: TestRepo,
    bare: PathBuf,
}

impl Ci {
    fn new() -> Ci {
        let repo = TestRepo::new();
        let bare = repo.remote_bare();
        repo.initial_commit();
        repo.git(&["push", "-q", "origin", "main"]).code(0);
        Ci { repo, bare }
    }

    /// What `actions/checkout` with `fetch-depth: 0` leaves: a full clone at `sha`.
    fn checkout(&self, name: &str, sha: &str) -> PathBuf {
        let dir = self.repo.scratch.path().join(name);
        self.repo
            .git_in(
                self.repo.scratch.path(),
                &["clone", "-q", self.bare.to_str().unwrap(), name],
            )
            .code(0);
        self.repo
            .git_in(&dir, &["checkout", "-q", "--detach", sha])
            .code(0);
        dir
    }

    fn vars(&self, before: &str, sha: &str) -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("github.event.before", before.to_string()),
            ("github.sha", sha.to_string()),
            ("github.event.repository.default_branch", "main".to_string()),
            ("github.event.pull_request.base.sha", before.to_string()),
            ("github.event.pull_request.head.sha", sha.to_string()),
        ])
    }
}

const NULL: &str = "0000000000000000000000000000000000000000";

/// The token (or the placeholder) a scenario commits.
fn value(with_token: bool) -> String {
    if with_token {
        token().b64()
    } else {
        PLACEHOLDER.to_string()
    }
}

#[test]
fn the_push_step_checks_a_push_a_new_branch_and_a_force_push() {
    let push = snippet("github.event.before");
    for with_token in [true, false] {
        let want = if with_token { 1 } else { 0 };
        // An ordinary push to main.
        let ci = Ci::new();
        let before = ci.repo.head();
        ci.repo
            .commit_file("app.env", format!("T={}\n", value(with_token)), "config")
            .code(0);
        ci.repo.git(&["push", "-q", "origin", "main"]).code(0);
        let sha = ci.repo.head();
        let dir = ci.checkout("ci-push", &sha);
        let out = run_script(&ci.repo, &dir, &fill(&push, &ci.vars(&before, &sha)), &[]);
        assert_eq!(out.code, want, "push: {}", out.stderr);

        // A new branch: `before` is forty zeros.
        ci.repo.git(&["checkout", "-q", "-b", "feature"]).code(0);
        ci.repo
            .commit_file("b.env", format!("T={}\n", value(with_token)), "more")
            .code(0);
        ci.repo.git(&["push", "-q", "origin", "feature"]).code(0);
        let sha = ci.repo.head();
        let dir = ci.checkout("ci-new-branch", &sha);
        let out = run_script(&ci.repo, &dir, &fill(&push, &ci.vars(NULL, &sha)), &[]);
        assert_eq!(out.code, want, "new branch: {}", out.stderr);

        // A force push: the old tip is not in the clone.
        let gone = "1234567890abcdef1234567890abcdef12345678";
        let out = run_script(&ci.repo, &dir, &fill(&push, &ci.vars(gone, &sha)), &[]);
        assert_eq!(out.code, want, "force push: {}", out.stderr);
        assert!(!out.stderr.contains("names no commit"), "{}", out.stderr);
    }
}

#[test]
fn the_pull_request_step_checks_the_pull_requests_commits() {
    let pr = snippet("pull_request.base.sha");
    for with_token in [true, false] {
        let ci = Ci::new();
        let base = ci.repo.head();
        ci.repo.git(&["checkout", "-q", "-b", "topic"]).code(0);
        ci.repo
            .commit_file("c.env", format!("T={}\n", value(with_token)), "topic")
            .code(0);
        ci.repo.git(&["push", "-q", "origin", "topic"]).code(0);
        let head = ci.repo.head();
        let dir = ci.checkout("ci-pr", &head);
        let out = run_script(&ci.repo, &dir, &fill(&pr, &ci.vars(&base, &head)), &[]);
        assert_eq!(out.code, i32::from(with_token), "{}", out.stderr);
    }
}

#[test]
fn the_audit_steps_write_sarif_and_say_whether_tokens_were_found() {
    let audit = snippet("GITHUB_OUTPUT");
    let gitlab_range = snippet("CI_COMMIT_BEFORE_SHA");
    let gitlab_all = snippets()
        .into_iter()
        .find(|s| s.trim() == "intercept scan --all --format sarif > intercept.sarif")
        .expect("the GitLab audit line in docs/ci.md");
    let mut logs = Vec::new();
    for with_token in [true, false] {
        let ci = Ci::new();
        ci.repo
            .commit_file("d.env", format!("T={}\n", value(with_token)), "history")
            .code(0);
        ci.repo.git(&["push", "-q", "origin", "main"]).code(0);
        let sha = ci.repo.head();
        let dir = ci.checkout(if with_token { "ci-audit" } else { "ci-audit-clean" }, &sha);
        let output = ci.repo.scratch.path().join(format!("github-output-{with_token}"));
        let env = [("GITHUB_OUTPUT", output.to_str().unwrap().to_string())];
        let out = run_script(&ci.repo, &dir, &fill(&audit, &ci.vars(NULL, &sha)), &env);
        assert_eq!(
            out.code, 0,
            "the audit step itself passes so the report is uploaded: {}",
            out.stderr
        );
        let status = std::fs::read_to_string(&output).unwrap();
        assert_eq!(status.trim(), format!("status={}", i32::from(with_token)));
        let sarif = std::fs::read_to_string(dir.join("intercept.sarif")).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        assert_eq!(
            doc["runs"][0]["results"].as_array().unwrap().len(),
            usize::from(with_token),
            "{sarif}"
        );
        logs.push((if with_token { "audit" } else { "audit-clean" }, sarif));

        // GitLab: the same commands, with its variables.
        let env = [
            ("CI_COMMIT_BEFORE_SHA", NULL.to_string()),
            ("CI_COMMIT_SHA", sha.clone()),
        ];
        let out = run_script(&ci.repo, &dir, &gitlab_range, &env);
        assert_eq!(out.code, i32::from(with_token), "{}", out.stderr);
        let out = run_script(&ci.repo, &dir, &gitlab_all, &env);
        assert_eq!(out.code, i32::from(with_token), "{}", out.stderr);
    }
    let logs: Vec<(&str, &str)> = logs.iter().map(|(n, s)| (*n, s.as_str())).collect();
    crate::sarif::assert_valid(tempfile::tempdir().unwrap().path(), &logs);
}

#[test]
fn the_matrix_audits_a_bare_clone() {
    let github = snippet("(cd repo.git && intercept scan --all --format sarif) > intercept.sarif || status");
    let gitlab = snippets()
        .into_iter()
        .find(|s| s.trim() == "(cd repo.git && intercept scan --all --format sarif) > intercept.sarif")
        .expect("the GitLab matrix line in docs/ci.md");
    let mut logs = Vec::new();
    for with_token in [true, false] {
        let ci = Ci::new();
        ci.repo
            .commit_file("e.env", format!("T={}\n", value(with_token)), "history")
            .code(0);
        ci.repo.git(&["push", "-q", "origin", "main"]).code(0);
        let job = ci.repo.scratch.path().join(format!("job-{with_token}"));
        std::fs::create_dir_all(&job).unwrap();
        // The clone step, with a credential in the URL as GitLab's is.
        ci.repo
            .git_in(
                &job,
                &["clone", "-q", "--bare", ci.bare.to_str().unwrap(), "repo.git"],
            )
            .code(0);
        ci.repo
            .git_in(
                job.join("repo.git"),
                &[
                    "remote",
                    "set-url",
                    "origin",
                    "https://gitlab-ci-token:job-secret@gitlab.example.com/acme/api.git",
                ],
            )
            .code(0);
        let vars = BTreeMap::from([("matrix.repository", "acme/api".to_string())]);
        let out = run_script(&ci.repo, &job, &fill(&github, &vars), &[]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let sarif = std::fs::read_to_string(job.join("intercept.sarif")).unwrap();
        assert!(
            !sarif.contains("job-secret"),
            "the clone URL's credential reached the report"
        );
        let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        assert_eq!(
            doc["runs"][0]["results"].as_array().unwrap().len(),
            usize::from(with_token)
        );
        assert_eq!(
            doc["runs"][0]["versionControlProvenance"][0]["repositoryUri"],
            "https://gitlab.example.com/acme/api.git"
        );
        logs.push((if with_token { "matrix" } else { "matrix-clean" }, sarif));
        let out = run_script(&ci.repo, &job, &gitlab, &[]);
        assert_eq!(out.code, i32::from(with_token), "{}", out.stderr);
    }
    let logs: Vec<(&str, &str)> = logs.iter().map(|(n, s)| (*n, s.as_str())).collect();
    crate::sarif::assert_valid(tempfile::tempdir().unwrap().path(), &logs);
}
