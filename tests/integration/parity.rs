//! One table of forms, every path: what `intercept scan PATH` finds, every hook and every
//! git scan finds, at the same path and line. Adding a form to [`forms`] tests it
//! everywhere; each form has a negative twin (the same bytes around a token-shaped string
//! whose structure is wrong) that no path may report. Intercom's other secrets go the same
//! way ([`secret_forms`]: every syntax of `secrets::FORMS`, and in containers and
//! encodings), their twins holding a placeholder or a reference.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::secrets::{self, Which};
use crate::support::{fill, fixtures, json, token, uuid, Git, Run, TestRepo, Token};
use intercept_test_support::compress;
use intercept_test_support::text::{utf16, wrap};

/// A file to commit: its path, its bytes, and whether it is tracked by git-lfs.
struct Form {
    path: String,
    bytes: Vec<u8>,
    lfs: bool,
}

/// `(short fingerprint, path with members, line)`: what a path reports.
type Seen = BTreeSet<(String, String, u64)>;

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A zip archive as a streaming writer makes it (data descriptors after each member):
/// deflated unless the name ends in `!stored`.
fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = intercept_test_support::zip::Zip::streamed();
    for (name, data) in members {
        match name.strip_suffix("!stored") {
            Some(name) => zip.stored(name, data),
            None => zip.deflated(name, data),
        };
    }
    zip.finish()
}

/// Every form, each with its own token from `make`, under `dir/`.
fn forms(dir: &str, make: &mut dyn FnMut() -> Token) -> Vec<Form> {
    let mut out = Vec::new();
    let mut add = |path: &str, bytes: Vec<u8>, lfs: bool| {
        out.push(Form {
            path: format!("{dir}/{path}"),
            bytes,
            lfs,
        })
    };
    // Every form of ../shared/intercom-tokens.md, as the detector corpus holds them.
    let root = fixtures().join("positive");
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(&root).unwrap().to_str().unwrap().to_string();
                add(
                    &format!("corpus/{rel}"),
                    fill(&std::fs::read(&path).unwrap(), &make()),
                    false,
                );
            }
        }
    }
    let env = |t: &Token| format!("A=1\nINTERCOM_ACCESS_TOKEN={}\nB=2\n", t.b64());
    // Compressed and archived.
    add("archives/app.log.gz", gz(env(&make()).as_bytes()), false);
    let mut padded = gz(env(&make()).as_bytes());
    padded.extend([0u8; 1024]);
    add("archives/padded.gz", padded, false);
    let mut multi = gz(b"first member\n");
    multi.extend(gz(env(&make()).as_bytes()));
    multi.extend(b"trailing junk that gzip -dc ignores");
    add("archives/multi-junk.gz", multi, false);
    add(
        "archives/bundle.zip",
        zip(&[("README", b"hi\n"), ("conf/app.env", env(&make()).as_bytes())]),
        false,
    );
    add(
        "archives/app.jar",
        zip(&[
            ("META-INF/MANIFEST.MF!stored", b"Manifest-Version: 1.0\n"),
            ("config/app.properties!stored", env(&make()).as_bytes()),
        ]),
        false,
    );
    let inner = zip(&[("application.yml", format!("token: {}\n", make().b64()).as_bytes())]);
    add(
        "archives/site.war",
        zip(&[
            ("WEB-INF/lib/inner.jar!stored", &inner),
            ("WEB-INF/web.xml", b"<web/>\n"),
        ]),
        false,
    );
    add(
        "archives/pkg-1.0-py3-none-any.whl",
        zip(&[(
            "pkg/__init__.py",
            format!("TOKEN = \"{}\"\n", make().b64()).as_bytes(),
        )]),
        false,
    );
    add(
        "archives/report.docx",
        zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            (
                "word/document.xml",
                format!("<w:body>\n<w:t>{}</w:t>\n</w:body>", make().b64()).as_bytes(),
            ),
        ]),
        false,
    );
    add(
        "archives/logs.zip",
        zip(&[("app.log.gz!stored", &gz(env(&make()).as_bytes()))]),
        false,
    );
    // tar and the other compressors, at every depth (issue 22).
    let tar = |members: &[(&str, &[u8])]| {
        let mut t = intercept_test_support::tar::Tar::new();
        for (name, data) in members {
            t.add(intercept_test_support::tar::Entry::file(name, data));
        }
        t.finish()
    };
    let long = format!("{}/application.properties", "very-long-directory-name".repeat(6));
    let mut gnu = intercept_test_support::tar::Tar::new();
    gnu.add(intercept_test_support::tar::Entry::file(&long, env(&make()).as_bytes()).gnu_long_name());
    gnu.add(
        intercept_test_support::tar::Entry::file(&long.replace("very", "pax"), env(&make()).as_bytes())
            .pax_path(),
    );
    add("archives/backup.tar", gnu.finish(), false);
    add(
        "archives/charts.tar",
        tar(&[(
            "charts/sub-0.1.0.tgz",
            &gz(&tar(&[(
                "sub/values.yaml",
                format!("token: {}\n", make().b64()).as_bytes(),
            )])),
        )]),
        false,
    );
    let ps_in_jar = zip(&[(
        "config/profile.ps1",
        &utf16(&format!("$t = '{}'\r\n", make().b64()), false, true),
    )]);
    add(
        "archives/release.tgz",
        gz(&tar(&[("lib/app.jar", &ps_in_jar)])),
        false,
    );
    add(
        "archives/dump.sql.xz",
        compress::xz(env(&make()).as_bytes()),
        false,
    );
    add(
        "archives/dump.sql.bz2",
        compress::bzip2(env(&make()).as_bytes()),
        false,
    );
    add(
        "archives/app.log.zst",
        compress::zstd(env(&make()).as_bytes()),
        false,
    );
    add(
        "archives/site.tar.xz",
        compress::xz(&tar(&[("site/.env", env(&make()).as_bytes())])),
        false,
    );
    add(
        "archives/site.tar.zst",
        compress::zstd(&tar(&[("site/.env", env(&make()).as_bytes())])),
        false,
    );
    // A zip after a prefix: a zipapp, an executable jar's launch script, a program.
    let mut pyz = b"#!/usr/bin/env python3\n".to_vec();
    pyz.extend(zip(&[(
        "__main__.py",
        format!("TOKEN = '{}'\n", make().b64()).as_bytes(),
    )]));
    add("archives/tool.pyz", pyz, false);
    let mut exec_jar = format!("#!/bin/bash\n{}exit 0\n", "# launch script\n".repeat(700)).into_bytes();
    exec_jar.extend(zip(&[(
        "BOOT-INF/classes/application.properties",
        env(&make()).as_bytes(),
    )]));
    add("archives/app-exec.jar", exec_jar, false);
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.extend((0..30_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 1));
    exe.extend(zip(&[("setup/app.env", env(&make()).as_bytes())]));
    add("bin/setup.exe", exe, false);
    // Depth 3 and 4.
    let jar = zip(&[("application.properties", env(&make()).as_bytes())]);
    let war = zip(&[("WEB-INF/lib/x.jar!stored", &jar)]);
    add("archives/app.ear", zip(&[("app.war", &war)]), false);
    let jar = zip(&[("application.properties", env(&make()).as_bytes())]);
    let war = zip(&[("WEB-INF/lib/x.jar", &jar)]);
    let ear = zip(&[("app.war", &war)]);
    add("archives/deploy.zip", zip(&[("app.ear!stored", &ear)]), false);
    // A small gzip cut short in its trailer: the token decoded before the cut is found.
    let mut cut = gz(env(&make()).as_bytes());
    cut.truncate(cut.len() - 4);
    add("archives/cut.gz", cut, false);
    // Mixed encodings: PowerShell 5.1's `>>` appends UTF-16LE to a UTF-8 file; ASCII
    // appended to a UTF-16 file; both inside an archive too.
    let mut appended = b"A=1\nB=2\n".to_vec();
    appended.extend(utf16(
        &format!("INTERCOM_ACCESS_TOKEN={}\r\n", make().b64()),
        false,
        false,
    ));
    add("windows/appended.env", appended, false);
    let mut ascii_after = utf16("$a = 1\r\n$b = 2\r\n", false, true);
    ascii_after.extend(format!("T={}\n", make().b64()).as_bytes());
    let mut appended = b"A=1\nB=23\n".to_vec();
    appended.extend(utf16(
        &format!("INTERCOM_ACCESS_TOKEN={}\r\n", make().b64()),
        false,
        true,
    ));
    add(
        "archives/windows.zip",
        zip(&[("ascii-after.ps1", &ascii_after), ("odd/appended.env", &appended)]),
        false,
    );
    // UTF-16, as Windows PowerShell writes it.
    let ps = |t: &Token| format!("$a = 1\r\n$env:INTERCOM_ACCESS_TOKEN = \"{}\"\r\n", t.b64());
    add("windows/le-bom.ps1", utf16(&ps(&make()), false, true), false);
    add("windows/le.txt", utf16(&ps(&make()), false, false), false);
    add("windows/be-bom.ps1", utf16(&ps(&make()), true, true), false);
    add("windows/be.txt", utf16(&ps(&make()), true, false), false);
    // Nested base64 as Kubernetes, cloud-init and shells write it.
    let outer = |t: &Token| STANDARD.encode(format!("INTERCOM_ACCESS_TOKEN={}\nOTHER=1\n", t.b64()));
    add(
        "k8s/secret.yaml",
        format!(
            "data:\n  env: |\n    {}\n  other: x\n",
            wrap(&outer(&make()), 64, "    ", "\n")
        )
        .into_bytes(),
        false,
    );
    add(
        "k8s/cloud-init.yaml",
        format!(
            "write_files:\n- encoding: b64\n  content: |\n      {}\n",
            wrap(&outer(&make()), 76, "      ", "\n")
        )
        .into_bytes(),
        false,
    );
    add(
        "k8s/apply.sh",
        format!(
            "echo \"{}\" | base64 -d > .env\n",
            wrap(&outer(&make()), 50, "", "\\\n")
        )
        .into_bytes(),
        false,
    );
    // Escaped wraps (issue 22): nested base64 whose line breaks are written as escapes
    // inside a string (`jq --arg v "$(base64 app.env)"`, a webhook fixture's MIME
    // attachment, a YAML double-quoted value).
    add(
        "escaped/jq.json",
        format!("{{\"env\": \"{}\\n\"}}\n", wrap(&outer(&make()), 76, "", "\\n")).into_bytes(),
        false,
    );
    add(
        "escaped/webhook.json",
        format!(
            "{{\"attachment\": \"{}\\r\\n\", \"type\": \"text/plain\"}}\n",
            wrap(&outer(&make()), 76, "", "\\r\\n")
        )
        .into_bytes(),
        false,
    );
    add(
        "escaped/values.yaml",
        format!("secret:\n  env: \"{}\"\n", wrap(&outer(&make()), 64, "", "\\n")).into_bytes(),
        false,
    );
    add(
        "escaped/old-mac.json",
        format!("[\"{}\"]", wrap(&outer(&make()), 76, "", "\\r")).into_bytes(),
        false,
    );
    // A minified bundle, and a binary file.
    let mut bundle = "var x=1;".repeat(20_000);
    bundle.push_str(&format!("var t=\"{}\";", make().b64()));
    bundle.push_str(&"y=2;".repeat(10_000));
    add("dist/app.min.js", bundle.into_bytes(), false);
    let mut bin = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    bin.extend(std::iter::repeat_n(0u8, 500));
    bin.extend(make().b64().as_bytes());
    bin.extend([0u8, 1, 2, 3]);
    add("bin/tool", bin, false);
    // git-lfs: the blob is a pointer, the content sits in the LFS store.
    add("assets/model.env", env(&make()).into_bytes(), true);
    out
}

/// Every syntax of `secrets::FORMS`, then containers and encodings around a `.env`, each
/// with a value from `value` (a generated secret, or a placeholder for the twin).
fn secret_forms(dir: &str, value: &mut dyn FnMut(Which) -> String) -> Vec<Form> {
    let mut out = Vec::new();
    let mut add = |path: &str, bytes: Vec<u8>| {
        out.push(Form {
            path: format!("{dir}/secrets/{path}"),
            bytes,
            lfs: false,
        })
    };
    for (file, template, which) in secrets::FORMS {
        add(file, secrets::fill(template, &value(*which)).into_bytes());
    }
    let env = |v: String| format!("A=1\nINTERCOM_CLIENT_SECRET={v}\nB=2\n");
    add("archives/env.gz", gz(env(value(Which::Client)).as_bytes()));
    add(
        "archives/config.zip",
        zip(&[(
            "config/settings.yml",
            format!(
                "intercom:\n  identity_verification_secret: {}\n",
                value(Which::Identity)
            )
            .as_bytes(),
        )]),
    );
    add(
        "archives/site.tar.zst",
        compress::zstd(&{
            let mut t = intercept_test_support::tar::Tar::new();
            t.add(intercept_test_support::tar::Entry::file(
                "site/.env",
                env(value(Which::Client)).as_bytes(),
            ));
            t.finish()
        }),
    );
    add(
        "windows/profile.ps1",
        utf16(
            &format!(
                "$env:INTERCOM_IDENTITY_SECRET = \"{}\"\r\n",
                value(Which::Identity)
            ),
            false,
            true,
        ),
    );
    let mut bundle = "var x=1;".repeat(20_000);
    bundle.push_str(&format!(
        "var c={{intercomClientSecret:\"{}\"}};",
        value(Which::Client)
    ));
    add("dist/app.min.js", bundle.into_bytes());
    out
}

/// A token-shaped string whose structure is wrong (`tok:<uuid>:1`): every form made with it
/// must be reported nowhere.
fn near_miss() -> Token {
    Token {
        text: format!("tok:{}:1", uuid()),
    }
}

/// Reads `short fingerprint → (path, line)` from a JSON report.
fn from_json(run: &Run) -> Seen {
    let doc = json(run);
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut path = f["path"].as_str().unwrap().to_string();
            for m in f["members"].as_array().into_iter().flatten() {
                path.push('!');
                path.push_str(m.as_str().unwrap());
            }
            (
                f["fingerprint"].as_str().unwrap()[..12].to_string(),
                path,
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Reads the finding lines of a hook's block message (`remote: ` prefixes and commit ids
/// dropped).
fn from_block(run: &Run) -> Seen {
    run.stderr
        .lines()
        .filter_map(|l| {
            // git pads `remote:` lines with spaces.
            let l = l.strip_prefix("remote: ").unwrap_or(l).trim();
            let (place, rest) = [
                ": Intercom access token ",
                ": Intercom client secret ",
                ": Intercom Identity Verification secret ",
            ]
            .into_iter()
            .find_map(|kind| l.split_once(kind))?;
            let fp = rest
                .split("fingerprint ")
                .nth(1)?
                .trim_end_matches(')')
                .to_string();
            let place = match place.split_once(' ') {
                Some((commit, p)) if commit.len() == 10 && commit.bytes().all(|b| b.is_ascii_hexdigit()) => p,
                _ => place,
            };
            let mut parts = place.rsplitn(3, ':');
            let _column = parts.next()?;
            let line = parts.next()?.parse().ok()?;
            Some((fp, parts.next()?.to_string(), line))
        })
        .collect()
}

/// Writes every form into the work tree and stages it (LFS forms as pointers, their
/// content in the LFS store).
fn stage(repo: &TestRepo, forms: &[Form]) {
    for f in forms {
        repo.write(&f.path, &f.bytes);
        if f.lfs {
            repo.stage_lfs(&f.path, &f.bytes);
        } else {
            repo.git(&["add", "--", &f.path]).code(0);
        }
    }
}

#[test]
fn every_path_finds_every_form_at_the_same_place() {
    for git in Git::BOTH {
        git.select();
        parity();
    }
}

/// The table through all seven paths, under the git this thread selected.
fn parity() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let bare = repo.remote_bare();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let server = repo.scratch.path().join("server.git");
    repo.git_in(repo.scratch.path(), &["init", "-q", "--bare", "server.git"])
        .code(0);
    repo.intercept_in(&server, &["install"]).code(0);
    repo.git(&["remote", "add", "server", server.to_str().unwrap()])
        .code(0);
    repo.git(&["push", "-q", "--no-verify", "server", "main"]).code(0);

    let mut tokens: BTreeMap<String, String> = BTreeMap::new();
    let mut make = || {
        let t = token();
        tokens.insert(t.fingerprint()[..12].to_string(), String::new());
        t
    };
    let mut all = forms("pos", &mut make);
    all.extend(secret_forms("pos", &mut |which| {
        let v = which.make();
        tokens.insert(secrets::sha256(&v)[..12].to_string(), String::new());
        v
    }));
    let positives: Vec<String> = all.iter().map(|f| f.path.clone()).collect();
    all.extend(forms("neg", &mut near_miss));
    let mut twin = 0;
    all.extend(secret_forms("neg", &mut |_| {
        twin += 1;
        secrets::twin_value(twin)
    }));
    stage(&repo, &all);

    let mut seen: Vec<(&str, Seen)> = Vec::new();
    let run = repo.intercept_in(&repo.root, &["scan", "--format", "json", "pos", "neg"]);
    run.code(1);
    seen.push(("scan PATH", from_json(&run)));
    let run = repo.intercept_in(&repo.root, &["scan", "--staged", "--format", "json"]);
    run.code(1);
    seen.push(("scan --staged", from_json(&run)));
    let head = repo.head();
    let run = repo.git(&["commit", "-q", "-m", "forms"]);
    run.code(1);
    assert_eq!(repo.head(), head, "the commit was blocked");
    seen.push(("pre-commit", from_block(&run)));
    repo.git(&["commit", "-q", "--no-verify", "-m", "forms"]).code(0);
    let before = repo.refs_of(&bare);
    let run = repo.git(&["push", "origin", "main"]);
    run.code(1);
    assert_eq!(repo.refs_of(&bare), before, "the push was blocked");
    seen.push(("pre-push", from_block(&run)));
    let before = repo.refs_of(&server);
    let run = repo.git(&["push", "--no-verify", "server", "main"]);
    run.code(1);
    assert_eq!(repo.refs_of(&server), before, "the server rejected the push");
    assert!(
        run.stderr.contains("assets/model.env is a git-lfs pointer") && run.stderr.contains("not in"),
        "the server says the LFS content was not available:\n{}",
        run.stderr
    );
    let mut pre_receive = from_block(&run);
    let run = repo.intercept_in(
        &repo.root,
        &["scan", "--range", "origin/main..main", "--format", "json"],
    );
    run.code(1);
    seen.push(("scan --range", from_json(&run)));
    let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
    run.code(1);
    seen.push(("scan --all", from_json(&run)));

    // Standard input: each form on its own (not the LFS pointer, which stands for a file
    // in the store), the same tokens at the same member paths and lines.
    for f in all.iter().filter(|f| !f.lfs) {
        let run = repo.intercept_stdin(&repo.root, &["scan", "--format", "json", "-"], &f.bytes);
        let positive = f.path.starts_with("pos/");
        run.code(if positive { 1 } else { 0 });
        let from_stdin: Seen = from_json(&run)
            .into_iter()
            .map(|(fp, p, line)| {
                let members = p.split_once('!').map_or("", |(_, m)| m).to_string();
                (fp, members, line)
            })
            .collect();
        let want: Seen = seen[0]
            .1
            .iter()
            .filter(|(_, p, _)| p == &f.path || p.starts_with(&format!("{}!", f.path)))
            .map(|(fp, p, line)| {
                let members = p.split_once('!').map_or("", |(_, m)| m).to_string();
                (fp.clone(), members, *line)
            })
            .collect();
        assert_eq!(from_stdin, want, "scan - differs from scan PATH for {}", f.path);
    }

    let (_, reference) = &seen[0];
    // Every positive form is found, once per token; no near miss anywhere.
    let found_paths: BTreeSet<&str> = reference
        .iter()
        .map(|(_, p, _)| p.split('!').next().unwrap())
        .collect();
    for p in &positives {
        assert!(
            found_paths.contains(p.as_str()),
            "scan PATH missed {p}:\n{reference:#?}"
        );
    }
    for (what, s) in &seen {
        assert!(
            s.iter().all(|(_, p, _)| p.starts_with("pos/")),
            "{what} reported a near miss: {s:#?}"
        );
        for fp in s.iter().map(|(fp, _, _)| fp) {
            assert!(tokens.contains_key(fp), "{what}: unknown token {fp}");
        }
        assert_eq!(s, reference, "{what} differs from scan PATH");
    }
    // pre-receive: the same, but for the LFS content the server does not hold.
    let lfs: Seen = reference
        .iter()
        .filter(|(_, p, _)| p.starts_with("pos/assets/"))
        .cloned()
        .collect();
    assert_eq!(lfs.len(), 1);
    for missing in &lfs {
        pre_receive.insert(missing.clone());
    }
    assert_eq!(&pre_receive, reference, "pre-receive differs from scan PATH");
}
