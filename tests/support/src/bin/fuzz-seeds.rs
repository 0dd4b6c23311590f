//! Token-bearing seeds for the fuzz targets, made at run time from random UUIDs.
//!
//! ```sh
//! cargo run -p intercept-test-support --bin fuzz-seeds -- OUT_DIR [REGRESSIONS_DIR]
//! ```
//!
//! Writes `OUT_DIR/corpus/<target>/tok-*` and an LFS store `OUT_DIR/lfs/objects` whose
//! objects hold tokens (with the pointers to them among the content seeds), and copies each
//! file of `REGRESSIONS_DIR/<target>/` to `OUT_DIR/corpus/<target>/reg-*` with a token in
//! place of each 60-byte placeholder `{{TOKEN___…}}` (`checks::TOKEN_PLACEHOLDER` in
//! tests/fuzz). `tests/fuzz/run.sh` calls it with its temp dir: no token is ever checked in
//! (the project's own hooks would block it), and each run fuzzes with new ones. Every form
//! below is one the detector must find (`../shared/intercom-tokens.md`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use intercept_test_support::compress;
use intercept_test_support::tar::{Entry, Tar};
use intercept_test_support::token;
use intercept_test_support::zip::{gzip, Zip};

/// The regression inputs' placeholder: a token's 60 bytes.
const PLACEHOLDER: &[u8] = b"{{TOKEN___________________________________________________}}";

fn b64(data: impl AsRef<[u8]>) -> String {
    STANDARD.encode(data)
}

/// `s` cut every `width` characters, each line after `indent`.
fn wrap(s: &str, width: usize, indent: &str) -> String {
    s.as_bytes()
        .chunks(width)
        .map(|c| format!("{indent}{}", String::from_utf8_lossy(c)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("writing to memory");
    e.finish().expect("writing to memory")
}

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

struct Out {
    dir: PathBuf,
}

impl Out {
    fn write(&self, target: &str, name: &str, data: impl AsRef<[u8]>) {
        let path = self.dir.join("corpus").join(target).join(format!("tok-{name}"));
        write(&path, data.as_ref());
    }

    /// Puts `content` in the LFS store; the pointer to it.
    fn lfs_object(&self, content: &[u8]) -> String {
        use sha2::{Digest, Sha256};
        let oid: String = Sha256::digest(content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = self
            .dir
            .join("lfs/objects")
            .join(&oid[..2])
            .join(&oid[2..4])
            .join(&oid);
        write(&path, content);
        format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
            content.len()
        )
    }
}

fn write(path: &Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("the seed directory");
    std::fs::write(path, data).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn seeds(out: &Out) {
    // Near misses (one digit short, upper-case hex, hyphens kept, ...), in every form people
    // write tokens: they must not be reported, and they are made here so that nothing
    // token-shaped is checked in.
    let mut lines = Vec::new();
    for text in [
        "tok:00000000_0000_0000_0000_00000000000:1:0",
        "tok:ABCDEF00_0000_4000_a000_000000000000:1:0",
        "tok:abcdef00-0000-4000-a000-000000000000:1:0",
        "tok:abcdef00_0000_4000_a000_00000000000g:1:0",
        "tok:abcdef00_0000_4000_a000_000000000000:1",
        "tok:abcdef00_0000_4000_a000_000000000000::0",
        "tok:abcdef00_0000_4000_a000_000000000000:12345678901:0",
    ] {
        let t = b64(text);
        let trimmed = t.trim_end_matches('=');
        lines.extend([
            t.clone(),
            trimmed.to_string(),
            format!("{trimmed}%3D"),
            format!("{trimmed}\\u003d"),
            text.to_string(),
        ]);
        lines.extend(["", "x", "xy"].map(|p| b64(format!("{p}{t}"))));
    }
    out.write("content", "near-misses.txt", lines.join("\n") + "\n");

    let t = token();
    let (text, tok) = (t.text.clone(), t.b64());
    let trimmed = t.no_padding();
    let env = format!("INTERCOM_ACCESS_TOKEN={tok}\nOTHER=1\n");

    // content: every written form, and every container and encoding.
    let c = "content";
    out.write(c, "app.env", &env);
    out.write(c, "first-byte-no-newline.txt", &tok);
    let forms = [
        tok.clone(),
        trimmed.clone(),
        format!("{trimmed}%3D"),
        format!("{trimmed}\\u003d"),
        text.clone(),
        format!("x{tok}y"),
        format!("curl -H \"Authorization: Bearer {tok}\" https://api.intercom.io/me"),
        format!("{{\"token\": \"{trimmed}\\u003d\"}}"),
        format!("caf\u{e9} \u{1F511} {tok}"),
    ];
    out.write(c, "forms.txt", forms.join("\n") + "\n");
    out.write(c, "crlf.env", env.replace('\n', "\r\n"));
    out.write(c, "marker.py", format!("TOKEN = '{tok}'  # intercept:allow\n"));
    out.write(
        c,
        "minified.js",
        format!(
            "{}var t=\"{tok}\";{}",
            "var a=1;".repeat(500),
            "var b=2;".repeat(500)
        ),
    );
    let nested: Vec<String> = ["", "x", "xy"].iter().map(|p| b64(format!("{p}{tok}"))).collect();
    out.write(c, "nested.b64", nested.join("\n") + "\n");
    out.write(c, "env-wrapped.b64", wrap(&b64(&env), 76, "") + "\n");
    out.write(
        c,
        "secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\ndata:\n  INTERCOM_ACCESS_TOKEN: {}\n  env: |\n{}\n",
            b64(&tok),
            wrap(&b64(&env), 64, "    ")
        ),
    );
    let mut padded = gzip(env.as_bytes());
    padded.extend_from_slice(&[0; 32]);
    out.write(c, "app.env.gz", padded);
    let mut two = gzip(b"first\n");
    two.extend(gzip(env.as_bytes()));
    out.write(c, "second-member.gz", two);
    out.write(
        c,
        "loose-object.zlib",
        zlib(&[&b"blob 99\0"[..], env.as_bytes()].concat()),
    );
    let inner = Zip::seekable()
        .deflated(
            "BOOT-INF/classes/application.yml",
            format!("key: {tok}\n").as_bytes(),
        )
        .finish();
    let jar = Zip::seekable()
        .deflated("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n")
        .stored("config/app.properties", format!("token={tok}\n").as_bytes())
        .deflated("word/document.xml", format!("<w:t>\n{tok}</w:t>").as_bytes())
        .stored("lib/inner.jar", &inner)
        .stored("logs/app.log.gz", &gzip(env.as_bytes()))
        .stored(format!("{tok}.txt"), b"a token as a member name")
        .finish();
    out.write(c, "app.jar", jar);
    let ps1 = format!("$x = 1\r\n$env:INTERCOM_ACCESS_TOKEN = '{tok}'\r\n");
    out.write(
        c,
        "utf16le-bom.ps1",
        [&[0xFF, 0xFE][..], &utf16(&ps1, false)].concat(),
    );
    out.write(c, "utf16be.ps1", utf16(&ps1, true));
    // Issue 22's containers and encodings.
    let tar = Tar::new()
        .add(Entry::file("etc/app.env", env.as_bytes()))
        .add(Entry::file(&format!("{}/long.env", "d".repeat(120)), env.as_bytes()).gnu_long_name())
        .add(Entry::file("lib/app.jar", &inner))
        .finish();
    out.write(c, "bundle.tgz", gzip(&tar));
    out.write(c, "bundle.tar.xz", compress::xz(&tar));
    out.write(c, "dump.sql.bz2", compress::bzip2(env.as_bytes()));
    out.write(c, "app.log.zst", compress::zstd(env.as_bytes()));
    out.write(c, "tool.pyz", [&b"#!/usr/bin/env python3\n"[..], &inner].concat());
    out.write(
        c,
        "appended.env",
        [
            &b"A=1\n"[..],
            &utf16(&format!("INTERCOM_ACCESS_TOKEN={tok}\r\n"), false),
        ]
        .concat(),
    );
    out.write("tar", "bundle.tar", tar);
    out.write(c, "lfs-pointer.txt", out.lfs_object(env.as_bytes()));
    out.write(c, "lfs-pointer-gzip.txt", out.lfs_object(&gzip(env.as_bytes())));

    // config: tokens where the error messages quote the file.
    let k = "config";
    out.write(
        k,
        "reason.toml",
        format!("[[allow]]\npath = \"a/b\"\nreason = \"{tok}\"\n"),
    );
    out.write(
        k,
        "fingerprint.toml",
        format!("[[allow]]\nfingerprint = \"{tok}\"\nreason = \"x\"\n"),
    );
    out.write(k, "key.toml", format!("{trimmed} = 1\n"));
    out.write(k, "value.toml", format!("time_budget = \"{tok}\"\n"));

    // The stdin parsers: tokens in ref names.
    let (one, zero) = ("1".repeat(40), "0".repeat(40));
    out.write(
        "push_updates",
        "ref.txt",
        format!("refs/heads/{tok} {one} refs/heads/{tok} {zero}\n"),
    );
    out.write(
        "receive_updates",
        "ref.txt",
        format!("{zero} {one} refs/heads/{tok}\n"),
    );
}

/// Regression inputs, with a new token for each placeholder (same length: offsets hold).
fn regressions(out: &Out, src: &Path) {
    let mut targets: Vec<PathBuf> = std::fs::read_dir(src)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", src.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    targets.sort();
    for target in targets {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&target)
            .expect("a regression directory can be listed")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for file in files {
            let mut data = std::fs::read(&file).expect("a regression input can be read");
            let mut at = 0;
            while let Some(i) = data[at..]
                .windows(PLACEHOLDER.len())
                .position(|w| w == PLACEHOLDER)
            {
                let t = token().b64();
                data[at + i..at + i + t.len()].copy_from_slice(t.as_bytes());
                at += i + t.len();
            }
            let name = format!("reg-{}", file.file_name().expect("a file name").to_string_lossy());
            let target = target.file_name().expect("a directory name");
            write(&out.dir.join("corpus").join(target).join(name), &data);
        }
    }
}

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() || args.len() > 2 {
        eprintln!("usage: fuzz-seeds OUT_DIR [REGRESSIONS_DIR]");
        std::process::exit(2);
    }
    let out = Out { dir: args[0].clone() };
    seeds(&out);
    if let Some(src) = args.get(1) {
        regressions(&out, src);
    }
}
