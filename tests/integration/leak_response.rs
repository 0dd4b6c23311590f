//! After a leak: `scan --verify` against a loopback stand-in for Intercom's API, and which
//! remotes already have a token (`remotes` in JSON, the summary per token, the push block).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{commit_unchecked, json, token, TestRepo};

/// One request the stand-in received: the request line and the headers (lowercase names).
#[derive(Clone, Debug)]
struct Request {
    line: String,
    headers: HashMap<String, String>,
}

/// A small HTTP server on 127.0.0.1 that answers `GET /me` like Intercom: by bearer token,
/// a status and body, optionally after a delay; 401 with Intercom's `error.list` otherwise.
struct StandIn {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

struct Answer {
    status: u16,
    body: String,
    delay: Duration,
}

fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        body: body.to_string(),
        delay: Duration::ZERO,
    }
}

const ADMIN: &str = r#"{"type":"admin","id":"991267","email":"jane.doe@acme.example","name":"Jane","app":{"type":"app","id_code":"abc12345","name":"Acme","region":"US"}}"#;
const UNAUTHORIZED: &str = r#"{"type":"error.list","request_id":"000e2","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}"#;

impl StandIn {
    fn start(answers: HashMap<String, Answer>) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let answers = Arc::new(answers);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let seen = Arc::clone(&seen);
                let answers = Arc::clone(&answers);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let mut headers = HashMap::new();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                        }
                    }
                    let bearer = headers
                        .get("authorization")
                        .and_then(|a| a.strip_prefix("Bearer "))
                        .unwrap_or_default()
                        .to_string();
                    seen.lock().unwrap().push(Request {
                        line: line.trim().to_string(),
                        headers,
                    });
                    let fallback = answer(401, UNAUTHORIZED);
                    let a = answers.get(&bearer).unwrap_or(&fallback);
                    std::thread::sleep(a.delay);
                    let reason = match a.status {
                        200 => "OK",
                        401 => "Unauthorized",
                        403 => "Forbidden",
                        429 => "Too Many Requests",
                        _ => "Internal Server Error",
                    };
                    let mut stream = stream;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-RateLimit-Reset: 1767225600\r\nConnection: close\r\n\r\n{}",
                        a.status,
                        a.body.len(),
                        a.body
                    );
                });
            }
        });
        StandIn { url, requests }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

#[test]
fn verify_maps_each_answer_with_one_request_per_distinct_token() {
    let repo = TestRepo::new();
    let tokens: Vec<_> = (0..6).map(|_| token()).collect();
    let mut answers = HashMap::new();
    answers.insert(tokens[0].b64(), answer(200, ADMIN));
    answers.insert(tokens[1].b64(), answer(401, UNAUTHORIZED));
    answers.insert(
        tokens[2].b64(),
        answer(
            403,
            r#"{"type":"error.list","errors":[{"code":"forbidden","message":"Forbidden"}]}"#,
        ),
    );
    answers.insert(tokens[3].b64(), answer(429, r#"{"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit"}]}"#));
    answers.insert(tokens[4].b64(), answer(500, "oops"));
    answers.insert(
        tokens[5].b64(),
        Answer {
            status: 200,
            body: ADMIN.to_string(),
            delay: Duration::from_secs(12),
        },
    );
    let server = StandIn::start(answers);
    // The live token twice (and once in its decoded form): still one request.
    let mut env = String::new();
    for (i, t) in tokens.iter().enumerate() {
        env.push_str(&format!("T{i}={}\n", t.b64()));
    }
    env.push_str(&format!("AGAIN={}\nTEXT={}\n", tokens[0].b64(), tokens[0].text));
    repo.write("app.env", &env);

    // Negative twin first: without --verify, not one request (the variable is set).
    let mut cmd = crate::support::hermetic(crate::support::bin(), &repo.home());
    cmd.current_dir(&repo.root)
        .args(["scan", "--format", "json", "."])
        .env("INTERCEPT_INTERCOM_API", &server.url);
    let plain = crate::support::Run::new(cmd.output().unwrap(), "intercept");
    plain.code(1);
    assert!(json(&plain)["findings"][0].get("verification").is_none());
    assert!(
        server.requests().is_empty(),
        "a request without --verify: {:?}",
        server.requests()
    );

    for format in ["json", "human"] {
        let mut cmd = crate::support::hermetic(crate::support::bin(), &repo.home());
        cmd.current_dir(&repo.root)
            .args(["scan", "--verify", "--format", format, "."])
            .env("INTERCEPT_INTERCOM_API", &server.url)
            .env("INTERCEPT_LOG", "trace");
        let run = crate::support::Run::new(cmd.output().unwrap(), "intercept");
        run.code(1);
        if format == "json" {
            let report = json(&run);
            let status_of = |t: &crate::support::Token| {
                let fp = t.fingerprint();
                let f = report["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["fingerprint"] == fp)
                    .unwrap_or_else(|| panic!("no finding for {fp}: {report}"));
                f["verification"].clone()
            };
            let live = status_of(&tokens[0]);
            assert_eq!(live["status"], "live", "{live}");
            assert_eq!(live["workspace"], "Acme");
            assert_eq!(live["app_id"], "abc12345");
            assert_eq!(
                live["admin"], "j…@acme.example",
                "never the admin's email in full"
            );
            assert_eq!(status_of(&tokens[1])["status"], "invalid");
            assert!(status_of(&tokens[1])["reason"]
                .as_str()
                .unwrap()
                .contains("Access Token Invalid"));
            for (t, why) in [(2, "403"), (3, "429"), (4, "500"), (5, "no answer within")] {
                let v = status_of(&tokens[t]);
                assert_eq!(v["status"], "unknown", "{v}");
                assert!(v["reason"].as_str().unwrap().contains(why), "{v}");
            }
            assert_eq!(
                report["scanned"]["verified"],
                serde_json::json!({"live": 1, "invalid": 1, "unknown": 4})
            );
            assert!(!run.stdout.contains("jane.doe"));
        } else {
            assert!(
                run.stdout
                    .contains("live, workspace Acme (app abc12345, US), as j…@acme.example"),
                "{}",
                run.stdout
            );
            assert!(
                run.stderr
                    .contains("verified with Intercom: 1 live, 1 invalid, 4 unknown"),
                "{}",
                run.stderr
            );
        }
    }
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        12,
        "one request per distinct token, per run: {requests:?}"
    );
    for r in &requests {
        assert_eq!(r.line, "GET /me HTTP/1.1", "the token is never in the URL");
        assert!(r.headers["authorization"].starts_with("Bearer dG9rO"));
        assert_eq!(r.headers["accept"], "application/json");
        assert!(!r.headers["intercom-version"].is_empty());
    }
    let mut bearers: Vec<&str> = requests
        .iter()
        .map(|r| r.headers["authorization"].as_str())
        .collect();
    bearers.sort();
    bearers.dedup();
    assert_eq!(bearers.len(), 6);
}

#[test]
fn plain_http_to_another_host_is_refused_before_anything_is_sent() {
    let repo = TestRepo::new();
    repo.write("app.env", format!("T={}\n", token().b64()));
    for api in [
        "http://api.intercom.io",
        "http://10.1.2.3:8080",
        "http://127.0.0.1.nip.io",
    ] {
        let run = repo.intercept_in(&repo.root, &["scan", "--verify", "--intercom-api", api, "."]);
        run.code(2);
        assert!(run.stderr.contains("plain http"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "nothing scanned: {}", run.stdout);
    }
    // Twin: https to any host is accepted as an address (here, nothing listens: unknown).
    let run = repo.intercept_in(
        &repo.root,
        &[
            "scan",
            "--verify",
            "--intercom-api",
            "https://127.0.0.1:9",
            "--format",
            "json",
            ".",
        ],
    );
    run.code(1);
    assert_eq!(json(&run)["findings"][0]["verification"]["status"], "unknown");
}

/// A repository with remotes `origin` and `backup`: one token pushed to origin only, one
/// only in local commits.
fn two_remotes() -> (TestRepo, crate::support::Token, crate::support::Token) {
    let repo = TestRepo::new();
    repo.remote_bare();
    let backup = repo.scratch.path().join("backup.git");
    repo.git_in(repo.scratch.path(), &["init", "-q", "--bare", "backup.git"])
        .code(0);
    repo.git(&["remote", "add", "backup", backup.to_str().unwrap()])
        .code(0);
    repo.initial_commit();
    let (pushed, local) = (token(), token());
    commit_unchecked(
        &repo,
        "config/pushed.env",
        &format!("T={}\n", pushed.b64()),
        "pushed",
    );
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    repo.git(&["push", "-q", "backup", "HEAD~1:refs/heads/main"])
        .code(0);
    commit_unchecked(
        &repo,
        "config/local.env",
        &format!("T={}\n", local.b64()),
        "local",
    );
    (repo, pushed, local)
}

fn remotes_of(report: &serde_json::Value, t: &crate::support::Token) -> Vec<serde_json::Value> {
    let fp = t.fingerprint();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fingerprint"] == fp && f["subject"] == "content")
        .map(|f| f["remotes"].clone())
        .collect()
}

#[test]
fn remotes_name_where_each_token_already_is() {
    let (repo, pushed, local) = two_remotes();
    for args in [
        &["scan", "--all", "--format", "json"][..],
        &["scan", "--range", "main", "--format", "json"][..],
    ] {
        let run = repo.intercept_in(&repo.root, args);
        run.code(1);
        let report = json(&run);
        assert_eq!(
            remotes_of(&report, &pushed),
            [serde_json::json!(["origin"])],
            "{args:?}: {report}"
        );
        assert_eq!(
            remotes_of(&report, &local),
            [serde_json::json!([])],
            "{args:?}: {report}"
        );
    }
    // A files scan knows nothing of remotes: no field.
    let run = repo.intercept_in(&repo.root, &["scan", "--format", "json", "config"]);
    assert!(json(&run)["findings"][0].get("remotes").is_none());

    // The bare repository's own refs hold it: `.`.
    let bare = repo.scratch.path().join("remote.git");
    let run = repo.intercept_in(&bare, &["scan", "--all", "--format", "json"]);
    run.code(1);
    let report = json(&run);
    assert_eq!(
        remotes_of(&report, &pushed),
        [serde_json::json!(["."])],
        "{report}"
    );
    assert!(remotes_of(&report, &local).is_empty(), "never pushed there");
    // Twin: the backup never got the token's commit.
    let backup = repo.scratch.path().join("backup.git");
    repo.intercept_in(&backup, &["scan", "--all"]).code(0);
}

#[test]
fn after_a_force_push_that_removed_it_the_remote_no_longer_has_it() {
    let (repo, pushed, _) = two_remotes();
    // Rewrite origin's main to the initial commit, as a teammate's force-push would, and
    // fetch: origin/main no longer reaches the token's commit; local main still does.
    repo.git(&["push", "-q", "--force", "origin", "HEAD~2:refs/heads/main"])
        .code(0);
    repo.git(&["fetch", "-q", "origin"]).code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
    run.code(1);
    let report = json(&run);
    assert_eq!(remotes_of(&report, &pushed), [serde_json::json!([])], "{report}");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fingerprint"] == pushed.fingerprint())
        .unwrap();
    assert_eq!(f["branches"], serde_json::json!(["main"]));
}

#[test]
fn a_push_block_says_when_the_token_is_already_on_another_remote() {
    // Shims (git 2.47) and config-based hooks (2.55) say the same.
    for git in crate::support::Git::BOTH {
        git.select();
        push_block_names_another_remote();
    }
}

fn push_block_names_another_remote() {
    let (repo, _, _) = two_remotes();
    repo.install();
    // backup lacks both tokens' commits; origin has the first.
    let run = repo.git(&["push", "-q", "backup", "main"]);
    run.code(1);
    assert!(
        run.stderr.contains("It is already on origin (") && run.stderr.contains("rotate it now"),
        "{}",
        run.stderr
    );
    // Twin: a push of only local commits says they are local only.
    let repo2 = TestRepo::new();
    repo2.install();
    repo2.remote_bare();
    repo2.initial_commit();
    repo2.git(&["push", "-q", "origin", "main"]).code(0);
    commit_unchecked(&repo2, "a.env", &format!("T={}\n", token().b64()), "a");
    let run = repo2.git(&["push", "-q", "origin", "main"]);
    run.code(1);
    assert!(
        run.stderr.contains("It is in local commits only"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("already on"), "{}", run.stderr);
}

fn finding_of<'r>(report: &'r serde_json::Value, t: &crate::support::Token) -> &'r serde_json::Value {
    let fp = t.fingerprint();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fingerprint"] == fp && f["subject"] == "content")
        .unwrap_or_else(|| panic!("no finding for {fp}: {report}"))
}

#[test]
fn committer_clocks_do_not_hide_a_remote_that_has_it() {
    for graph in [false, true] {
        let repo = TestRepo::new();
        repo.remote_bare();
        repo.initial_commit();
        repo.git(&["push", "-q", "origin", "main"]).code(0);
        repo.git(&["checkout", "-q", "-b", "topic"]).code(0);
        let t = token();
        repo.write("s.env", format!("T={}\n", t.b64()));
        repo.git(&["add", "s.env"]).code(0);
        // The token's commit dated a year ahead, its child a year behind.
        repo.git_env(
            &repo.root,
            &[("GIT_COMMITTER_DATE", "2027-06-01T00:00:00Z")],
            &["commit", "-q", "--no-verify", "-m", "tok"],
        )
        .code(0);
        repo.write("g", "more\n");
        repo.git(&["add", "g"]).code(0);
        repo.git_env(
            &repo.root,
            &[("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")],
            &["commit", "-q", "--no-verify", "-m", "fix"],
        )
        .code(0);
        repo.git(&["push", "-q", "origin", "topic"]).code(0);
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
        if graph {
            repo.git(&["commit-graph", "write", "--reachable"]).code(0);
        }
        let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
        run.code(1);
        let report = json(&run);
        assert_eq!(
            finding_of(&report, &t)["remotes"],
            serde_json::json!(["origin"]),
            "graph {graph}: {report}"
        );
    }
}

#[test]
fn what_the_tracking_refs_cannot_tell_is_said_not_guessed() {
    // A single-branch clone: origin's other branches have no tracking ref.
    let repo = TestRepo::new();
    let bare = repo.remote_bare();
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let clone = repo.scratch.path().join("single");
    repo.git_in(
        repo.scratch.path(),
        &[
            "clone",
            "-q",
            "--single-branch",
            "--branch",
            "main",
            &format!("file://{}", bare.display()),
            "single",
        ],
    )
    .code(0);
    repo.git_in(&clone, &["checkout", "-q", "-b", "feature"]).code(0);
    let t = token();
    std::fs::write(clone.join("k.env"), format!("K={}\n", t.b64())).unwrap();
    repo.git_in(&clone, &["add", "k.env"]).code(0);
    repo.git_in(&clone, &["commit", "-q", "--no-verify", "-m", "k"])
        .code(0);
    repo.git_in(&clone, &["push", "-q", "origin", "feature"]).code(0);
    let run = repo.intercept_in(&clone, &["scan", "--all", "--format", "json"]);
    run.code(1);
    let report = json(&run);
    let f = finding_of(&report, &t);
    assert_eq!(f["remotes"], serde_json::json!([]));
    assert!(
        f["remotes_unsure"][0].as_str().unwrap().contains("remote origin"),
        "{f}"
    );
    let run = repo.intercept_in(&clone, &["scan", "--all"]);
    assert!(run.stderr.contains("a remote may have it"), "{}", run.stderr);
    assert!(!run.stderr.contains("only in local history"), "{}", run.stderr);

    // A commit only a local tag holds.
    let (repo, _, _) = two_remotes();
    repo.git(&["checkout", "-q", "-b", "rel"]).code(0);
    let tagged = token();
    commit_unchecked(&repo, "r.env", &format!("R={}\n", tagged.b64()), "r");
    repo.git(&["tag", "-a", "v1", "-m", "v1"]).code(0);
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.git(&["branch", "-q", "-D", "rel"]).code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
    let report = json(&run);
    let f = finding_of(&report, &tagged);
    assert_eq!(f["remotes"], serde_json::json!([]));
    assert!(f["remotes_unsure"][0].as_str().unwrap().contains("tag"), "{f}");
    // Twin: a commit on a branch of a fully tracked clone has no doubt.
    let (repo, _, local) = two_remotes();
    let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
    assert!(finding_of(&json(&run), &local).get("remotes_unsure").is_none());
}
