//! Intercom's other secrets (issue 24): the client secret and the Identity Verification
//! secret, found by context in every syntax the issue lists, each with a negative twin (the
//! same bytes with a placeholder or a reference for the value) that nothing reports; block
//! messages, allow-lists, fingerprints and redaction as for tokens.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::support::{client_secret, identity_secret, json, uuid, webhook_secret, Scratch, TestRepo};

/// Which secret a form holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Client,
    Identity,
    Webhook,
}

impl Which {
    pub fn kind(self) -> &'static str {
        match self {
            Which::Client | Which::Webhook => "intercom-client-secret",
            Which::Identity => "intercom-identity-secret",
        }
    }

    pub fn make(self) -> String {
        match self {
            Which::Client => client_secret(),
            Which::Identity => identity_secret(),
            Which::Webhook => webhook_secret(),
        }
    }
}

/// `(file, template, which)`: `{S}` stands for the value, `{B64}` for its base64 (a
/// Kubernetes `data:` value, whose fingerprint is the decoded value's).
pub const FORMS: &[(&str, &str, Which)] = &[
    (".env", "A=1\nINTERCOM_CLIENT_SECRET={S}\nB=2\n", Which::Client),
    ("crlf.env", "A=1\r\nINTERCOM_IDENTITY_SECRET=\"{S}\"\r\nB=2\r\n", Which::Identity),
    ("webhook.env", "INTERCOM_WEBHOOK_SECRET={S}\n", Which::Webhook),
    ("env.sh", "#!/bin/sh\nexport INTERCOM_HMAC_SECRET='{S}'\n", Which::Identity),
    ("config.fish", "set -gx INTERCOM_CLIENT_SECRET {S}\n", Which::Client),
    ("setenv.bat", "@echo off\r\nset INTERCOM_SIGNING_SECRET={S}\r\n", Which::Client),
    (
        "docker-compose.yml",
        "services:\n  app:\n    environment:\n      INTERCOM_CLIENT_SECRET: \"{S}\"\n",
        Which::Client,
    ),
    (
        "compose-list.yml",
        "services:\n  app:\n    environment:\n      - INTERCOM_IDENTITY_SECRET={S}\n",
        Which::Identity,
    ),
    (
        "deployment.yaml",
        "spec:\n  containers:\n    - env:\n        - name: INTERCOM_CLIENT_SECRET\n          value: \"{S}\"\n",
        Which::Client,
    ),
    (
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  INTERCOM_CLIENT_SECRET: {B64}\n",
        Which::Client,
    ),
    (
        "secret-string.yaml",
        "apiVersion: v1\nkind: Secret\nstringData:\n  INTERCOM_IDENTITY_SECRET: {S}\n",
        Which::Identity,
    ),
    (
        "settings.yml",
        "intercom:\n  app_id: abc123\n  client_secret: {S}\nother: 1\n",
        Which::Client,
    ),
    (
        "appsettings.json",
        "{\n  \"Intercom\": {\n    \"AppId\": \"abc123\",\n    \"ClientSecret\": \"{S}\"\n  }\n}\n",
        Which::Client,
    ),
    (
        "min.json",
        "{\"intercom\":{\"identity_verification_secret\":\"{S}\"}}",
        Which::Identity,
    ),
    ("config.toml", "[intercom]\nclient_secret = \"{S}\"\n", Which::Client),
    ("app.ini", "[Intercom]\nIdentitySecret={S}\n", Which::Identity),
    ("settings.py", "INTERCOM_CLIENT_SECRET = \"{S}\"\n", Which::Client),
    ("typed.py", "intercom_identity_secret: str = '{S}'\n", Which::Identity),
    (
        "config.js",
        "module.exports = {\n  intercom: {\n    clientSecret: '{S}',\n  },\n};\n",
        Which::Client,
    ),
    ("app.ts", "const intercomClientSecret: string = \"{S}\";\n", Which::Client),
    (
        "intercom.rb",
        "IntercomRails.config do |config|\n  config.api_secret = '{S}'\nend\n",
        Which::Identity,
    ),
    ("hash.rb", "OPTS = { :intercom_client_secret => \"{S}\" }\n", Which::Client),
    ("main.go", "const IntercomIdentitySecret = \"{S}\"\n", Which::Identity),
    (
        "config.php",
        "<?php\nreturn ['intercom' => ['client_secret' => '{S}']];\n",
        Which::Client,
    ),
    ("define.php", "<?php\ndefine('INTERCOM_IDENTITY_SECRET', '{S}');\n", Which::Identity),
    (
        "Config.java",
        "class Config {\n    static final String INTERCOM_CLIENT_SECRET = \"{S}\";\n}\n",
        Which::Client,
    ),
    ("application.properties", "intercom.client-secret={S}\n", Which::Client),
    (
        "Settings.cs",
        "public const string IntercomIdentitySecret = @\"{S}\";\n",
        Which::Identity,
    ),
    (
        "App.config",
        "<appSettings>\n  <add key=\"IntercomClientSecret\" value=\"{S}\" />\n</appSettings>\n",
        Which::Client,
    ),
];

/// What stands in a negative twin where the value was: references and placeholders,
/// in turn (and a value too short to be a secret).
pub fn twin_value(i: usize) -> String {
    let short = uuid()[..20].to_string();
    let all = [
        "${INTERCOM_CLIENT_SECRET}".to_string(),
        "your-webhook-signing-secret".to_string(),
        "changeme".to_string(),
        "<your-client-secret>".to_string(),
        "x".repeat(36),
        "...".to_string(),
        "TODO".to_string(),
        "a".repeat(40),
        short,
        "$INTERCOM_CLIENT_SECRET".to_string(),
        "process.env.INTERCOM_CLIENT_SECRET".to_string(),
        "your-identity-verification-secret".to_string(),
        "00000000-0000-0000-0000-000000000000".to_string(),
    ];
    all[i % all.len()].clone()
}

/// A form filled with `value`.
pub fn fill(template: &str, value: &str) -> String {
    template
        .replace("{B64}", &STANDARD.encode(value))
        .replace("{S}", value)
}

pub fn sha256(v: &str) -> String {
    Sha256::digest(v.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_syntax_is_found_with_its_kind_and_fingerprint_and_no_twin_is() {
    let scratch = Scratch::new();
    let mut want: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (i, (file, template, which)) in FORMS.iter().enumerate() {
        let value = which.make();
        scratch.write(format!("pos/{file}"), fill(template, &value));
        want.insert(format!("pos/{file}"), (which.kind().to_string(), sha256(&value)));
        scratch.write(format!("neg/{file}"), fill(template, &twin_value(i)));
    }
    let run = scratch.intercept(scratch.path(), ["scan", "--format", "json", "pos", "neg"]);
    run.code(1);
    let doc = json(&run);
    let mut got: BTreeMap<String, (String, String)> = BTreeMap::new();
    for f in doc["findings"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap().to_string();
        let redacted = f["redacted"].as_str().unwrap();
        let (_, shown) = redacted.rsplit_once('=').unwrap();
        assert!(
            shown.chars().take_while(|&c| c != '\u{2026}').count() <= 4,
            "{redacted}"
        );
        let prior = got.insert(
            path.clone(),
            (
                f["kind"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
            ),
        );
        assert!(prior.is_none(), "{path} reported twice:\n{}", run.stdout);
    }
    assert_eq!(got, want, "\n{}", run.stdout);
    assert!(run.stderr.contains("secrets found"), "{}", run.stderr);
}

#[test]
fn references_placeholders_generic_names_and_the_guides_example_are_not_reported() {
    let scratch = Scratch::new();
    // Values that look generated, under names that do not say Intercom.
    let (a, b, c) = (client_secret(), client_secret(), identity_secret());
    let lines = [
        // The guide's own `.env`.
        "INTERCOM_ACCESS_TOKEN=...\nINTERCOM_WEBHOOK_SECRET=your-webhook-signing-secret\nINTERCOM_IDENTITY_SECRET=your-identity-verification-secret\n".to_string(),
        format!("CLIENT_SECRET={a}\nSTRIPE_CLIENT_SECRET={b}\nIDENTITY_VERIFICATION_SECRET={c}\n"),
        format!("intercom:\n  app_id: x\nstripe:\n  client_secret: {a}\n"),
        format!("{{\"intercom\": {{\"app_id\": \"x\"}}, \"github\": {{\"client_secret\": \"{b}\"}}}}\n"),
        // Names that say where the secret is, not what it is.
        "INTERCOM_CLIENT_SECRET_NAME=prod/intercom/client-secret-0a1b2c3d4e5f60718293a4b5c6\n".to_string(),
        "INTERCOM_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:intercom\n".to_string(),
        // References, in each language.
        "secret = os.environ['INTERCOM_CLIENT_SECRET']\nsecret = os.getenv(\"INTERCOM_IDENTITY_SECRET\")\n".to_string(),
        "const s = process.env.INTERCOM_CLIENT_SECRET;\nconst t = process.env['INTERCOM_IDENTITY_SECRET'];\n".to_string(),
        "secret = ENV['INTERCOM_CLIENT_SECRET']\nsecret = ENV.fetch('INTERCOM_IDENTITY_SECRET')\n".to_string(),
        "s := os.Getenv(\"INTERCOM_CLIENT_SECRET\")\n$s = getenv('INTERCOM_IDENTITY_SECRET');\n".to_string(),
        "var s = Environment.GetEnvironmentVariable(\"INTERCOM_CLIENT_SECRET\");\nString s = System.getenv(\"INTERCOM_CLIENT_SECRET\");\n".to_string(),
        "env:\n  INTERCOM_CLIENT_SECRET: ${{ secrets.INTERCOM_CLIENT_SECRET }}\n  INTERCOM_IDENTITY_SECRET: !Ref IntercomSecret\n".to_string(),
        "- name: INTERCOM_CLIENT_SECRET\n  valueFrom:\n    secretKeyRef:\n      name: intercom\n      key: client_secret\n".to_string(),
        "INTERCOM_CLIENT_SECRET=\"$(vault kv get -field=client_secret secret/intercom)\"\n".to_string(),
        "secret = client.get_secret_value(SecretId='intercom/client_secret')['SecretString']\n".to_string(),
        "INTERCOM_CLIENT_SECRET=\nINTERCOM_IDENTITY_SECRET=\"\"\nINTERCOM_CLIENT_SECRET=<client-secret>\n".to_string(),
    ];
    for (i, text) in lines.iter().enumerate() {
        scratch.write(format!("neg/{i}.txt"), text);
    }
    let run = scratch.intercept(scratch.path(), ["scan", "--format", "json", "neg"]);
    run.code(0);
    assert_eq!(json(&run)["findings"], serde_json::json!([]), "{}", run.stdout);
}

fn installed() -> TestRepo {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    repo
}

#[test]
fn a_commit_is_blocked_with_what_the_secret_is_for_and_its_twin_is_not() {
    let repo = installed();
    let (client, identity) = (client_secret(), identity_secret());
    repo.write(
        ".env",
        format!("INTERCOM_CLIENT_SECRET={client}\nINTERCOM_IDENTITY_SECRET={identity}\n"),
    );
    repo.git(&["add", ".env"]).code(0);
    let head = repo.head();
    let run = repo.git(&["commit", "-q", "-m", "env"]);
    run.code(1);
    assert_eq!(repo.head(), head, "the commit was blocked");
    for text in [
        "it adds 2 Intercom secrets",
        ".env:1:24: Intercom client secret INTERCOM_CLIENT_SECRET=",
        ".env:2:26: Intercom Identity Verification secret INTERCOM_IDENTITY_SECRET=",
        "forge",
        "Basic\n       information / Authentication",
        "impersonate any user",
        "redeploy the server that signs user_hash",
        ".gitignore",
        &format!("intercept allow {} --reason", sha256(&client)),
    ] {
        assert!(run.stderr.contains(text), "{text:?} not in:\n{}", run.stderr);
    }
    // The twin: the guide's placeholders.
    repo.write(
        ".env",
        "INTERCOM_CLIENT_SECRET=your-client-secret\nINTERCOM_IDENTITY_SECRET=your-identity-verification-secret\n",
    );
    repo.git(&["add", ".env"]).code(0);
    repo.git(&["commit", "-q", "-m", "env"]).code(0);
}

#[test]
fn a_push_and_the_server_block_it_too() {
    let repo = installed();
    let bare = repo.remote_bare();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let secret = client_secret();
    repo.write(
        "config/settings.yml",
        format!("intercom:\n  client_secret: {secret}\n"),
    );
    repo.git(&["add", "-A"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "settings"])
        .code(0);
    let before = repo.refs_of(&bare);
    let run = repo.git(&["push", "origin", "main"]);
    run.code(1);
    assert_eq!(repo.refs_of(&bare), before, "the push was blocked");
    assert!(
        run.stderr
            .contains("config/settings.yml:2:18: Intercom client secret intercom.client_secret="),
        "{}",
        run.stderr
    );
}

#[test]
fn allow_list_fingerprints_paths_and_inline_markers_work_for_secrets() {
    let repo = installed();
    let (fake, marked, real) = (client_secret(), identity_secret(), client_secret());
    repo.write(
        ".intercept.toml",
        format!(
            "[[allow]]\nfingerprint = \"{}\"\nreason = \"fake client secret\"\n\n[[allow]]\npath = \"fixtures/**\"\nreason = \"fixtures\"\n",
            sha256(&fake)
        ),
    );
    repo.write("app/a.env", format!("INTERCOM_CLIENT_SECRET={fake}\n"));
    repo.write(
        "app/b.env",
        format!("INTERCOM_IDENTITY_SECRET={marked} # intercept:allow\n"),
    );
    repo.write("fixtures/c.env", format!("INTERCOM_CLIENT_SECRET={real}\n"));
    repo.git(&["add", "-A"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "fixtures"]);
    run.code(0);
    assert!(run.stderr.contains("allowed"), "{}", run.stderr);
    // Not by another value.
    repo.write("app/d.env", format!("INTERCOM_CLIENT_SECRET={real}\n"));
    repo.git(&["add", "-A"]).code(0);
    repo.git(&["commit", "-q", "-m", "real"]).code(1);
}

#[test]
fn printed_text_never_holds_a_value_whole() {
    // A file named after an assignment: its name is printed, redacted.
    let scratch = Scratch::new();
    let value = client_secret();
    scratch.write(format!("dir/INTERCOM_CLIENT_SECRET={value}"), "nothing\n");
    let run = scratch.intercept(scratch.path(), ["scan", "dir"]);
    run.code(1);
    let shown = format!("INTERCOM_CLIENT_SECRET={}\u{2026}", &value[..4]);
    assert!(run.stdout.contains(&shown), "{}", run.stdout);
}

#[test]
fn json_and_sarif_name_the_kind_and_the_sarif_rule() {
    let scratch = Scratch::new();
    let (client, identity) = (client_secret(), identity_secret());
    scratch.write(
        "app.env",
        format!("INTERCOM_CLIENT_SECRET={client}\nINTERCOM_IDENTITY_SECRET={identity}\n"),
    );
    scratch.write(
        "allowed.env",
        format!("INTERCOM_WEBHOOK_SECRET={} # intercept:allow\n", webhook_secret()),
    );
    scratch.write(
        "k8s.yaml",
        format!(
            "kind: Secret\ndata:\n  INTERCOM_IDENTITY_SECRET: {}\n",
            STANDARD.encode(identity_secret())
        ),
    );
    let files = ["app.env", "allowed.env", "k8s.yaml"];
    let run = scratch.intercept(
        scratch.path(),
        ["scan", "--format", "json", "--show-allowed"]
            .into_iter()
            .chain(files),
    );
    run.code(1);
    let report = crate::json_report::assert_valid("secrets", &run);
    assert_eq!(report["allowed"].as_array().unwrap().len(), 1, "{}", run.stdout);
    assert_eq!(report["findings"][2]["encoding"], "base64", "{}", run.stdout);
    let run = scratch.intercept(
        scratch.path(),
        ["scan", "--format", "sarif", "--show-allowed"]
            .into_iter()
            .chain(files),
    );
    run.code(1);
    crate::sarif::assert_valid(scratch.path(), &[("secrets", &run.stdout)]);
    let doc = json(&run);
    let rules: Vec<&str> = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "intercom-access-token",
            "intercom-client-secret",
            "intercom-identity-secret"
        ]
    );
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let got: Vec<(&str, u64)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["ruleIndex"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("intercom-client-secret", 1),
            ("intercom-identity-secret", 2),
            ("intercom-client-secret", 1),
            ("intercom-identity-secret", 2)
        ]
    );
    assert_eq!(
        results[0]["properties"]["fingerprint"].as_str().unwrap(),
        sha256(&client)
    );
}
