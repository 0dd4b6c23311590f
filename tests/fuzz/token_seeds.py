#!/usr/bin/env python3
"""Token-bearing seeds for the fuzz targets, made at run time from random UUIDs.

    python3 tests/fuzz/token_seeds.py OUT_DIR [REGRESSIONS_DIR]

Writes OUT_DIR/corpus/<target>/tok-* and an LFS store OUT_DIR/lfs/objects whose objects
hold tokens (with the pointers to them among the content seeds), and copies each file of
REGRESSIONS_DIR/<target>/ to OUT_DIR/corpus/<target>/reg-* with a token in place of each
60-byte placeholder {{TOKEN___…}} (checks.rs's TOKEN_PLACEHOLDER). run.sh calls it with its
temp dir: no token is ever checked in (the project's own hooks would block it), and each
run fuzzes with new ones. A token is base64("tok:" + uuid4 with "_" for "-" + ":1:0"), as
../shared/intercom-tokens.md says; every form below is one the detector must find.
"""

import base64
import gzip
import hashlib
import io
import os
import sys
import uuid
import zipfile
import zlib


def token():
    text = "tok:%s:1:0" % str(uuid.uuid4()).replace("-", "_")
    return text, base64.b64encode(text.encode()).decode()


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def wrap(s, width, indent=""):
    return "\n".join(indent + s[i:i + width] for i in range(0, len(s), width))


def zipped(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return out.getvalue()


def main(out):
    def write(target, name, data):
        path = os.path.join(out, "corpus", target, "tok-" + name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)

    # Near misses (one digit short, upper-case hex, hyphens kept), in every form people
    # write tokens: they must not be reported, and they are made here so that nothing
    # token-shaped is checked in.
    lines = []
    for text in (
        'tok:00000000_0000_0000_0000_00000000000:1:0',
        'tok:ABCDEF00_0000_4000_a000_000000000000:1:0',
        'tok:abcdef00-0000-4000-a000-000000000000:1:0',
        'tok:abcdef00_0000_4000_a000_00000000000g:1:0',
        'tok:abcdef00_0000_4000_a000_000000000000:1',
        'tok:abcdef00_0000_4000_a000_000000000000::0',
        'tok:abcdef00_0000_4000_a000_000000000000:12345678901:0',
    ):
        t = b64(text)
        lines += [t, t.rstrip("="), t.rstrip("=") + "%3D", t.rstrip("=") + "\\u003d", text]
        lines += [b64(p + t) for p in ("", "x", "xy")]
    write("content", "near-misses.txt", "\n".join(lines) + "\n")

    def lfs_object(content):
        oid = hashlib.sha256(content).hexdigest()
        path = os.path.join(out, "lfs", "objects", oid[:2], oid[2:4], oid)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
        return "version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n" % (
            oid, len(content))

    text, tok = token()
    trimmed = tok.rstrip("=")
    env = "INTERCOM_ACCESS_TOKEN=%s\nOTHER=1\n" % tok
    S, D = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED

    # content: every written form, and every container and encoding.
    c = "content"
    write(c, "app.env", env)
    write(c, "first-byte-no-newline.txt", tok)
    write(c, "forms.txt", "\n".join([
        tok,
        trimmed,
        trimmed + "%3D",
        trimmed + "\\u003d",
        text,
        "x%sy" % tok,
        'curl -H "Authorization: Bearer %s" https://api.intercom.io/me' % tok,
        '{"token": "%s"}' % (trimmed + "\\u003d"),
        "caf\u00e9 \U0001F511 %s" % tok,
    ]) + "\n")
    write(c, "crlf.env", env.replace("\n", "\r\n"))
    write(c, "marker.py", "TOKEN = '%s'  # intercept:allow\n" % tok)
    write(c, "minified.js", "var a=1;" * 500 + 'var t="%s";' % tok + "var b=2;" * 500)
    write(c, "nested.b64", "\n".join(b64(p + tok) for p in ["", "x", "xy"]) + "\n")
    write(c, "env-wrapped.b64", wrap(b64(env), 76) + "\n")
    write(c, "secret.yaml", "apiVersion: v1\nkind: Secret\ndata:\n  INTERCOM_ACCESS_TOKEN: %s\n"
          "  env: |\n%s\n" % (b64(tok), wrap(b64(env), 64, "    ")))
    write(c, "app.env.gz", gzip.compress(env.encode(), mtime=0) + b"\x00" * 32)
    write(c, "second-member.gz",
          gzip.compress(b"first\n", mtime=0) + gzip.compress(env.encode(), mtime=0))
    write(c, "loose-object.zlib", zlib.compress(b"blob 99\x00" + env.encode()))
    inner = zipped([("BOOT-INF/classes/application.yml", "key: %s\n" % tok, D)])
    write(c, "app.jar", zipped([
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n", D),
        ("config/app.properties", "token=%s\n" % tok, S),
        ("word/document.xml", "<w:t>\n%s</w:t>" % tok, D),
        ("lib/inner.jar", inner, S),
        ("logs/app.log.gz", gzip.compress(env.encode(), mtime=0), S),
        ("%s.txt" % tok, b"a token as a member name", S),
    ]))
    ps1 = "$x = 1\r\n$env:INTERCOM_ACCESS_TOKEN = '%s'\r\n" % tok
    write(c, "utf16le-bom.ps1", b"\xff\xfe" + ps1.encode("utf-16-le"))
    write(c, "utf16be.ps1", ps1.encode("utf-16-be"))
    write(c, "lfs-pointer.txt", lfs_object(env.encode()))
    write(c, "lfs-pointer-gzip.txt", lfs_object(gzip.compress(env.encode(), mtime=0)))

    # config: tokens where the error messages quote the file.
    k = "config"
    write(k, "reason.toml", '[[allow]]\npath = "a/b"\nreason = "%s"\n' % tok)
    write(k, "fingerprint.toml", '[[allow]]\nfingerprint = "%s"\nreason = "x"\n' % tok)
    write(k, "key.toml", "%s = 1\n" % trimmed)
    write(k, "value.toml", "time_budget = \"%s\"\n" % tok)

    # The stdin parsers: tokens in ref names.
    one, zero = "1" * 40, "0" * 40
    write("push_updates", "ref.txt", "refs/heads/%s %s refs/heads/%s %s\n" % (tok, one, tok, zero))
    write("receive_updates", "ref.txt", "%s %s refs/heads/%s\n" % (zero, one, tok))


PLACEHOLDER = b"{{TOKEN" + b"_" * 51 + b"}}"


def regressions(out, src):
    """Regression inputs, with a token for each placeholder (same length: offsets hold)."""
    for target in sorted(os.listdir(src)):
        if not os.path.isdir(os.path.join(src, target)):
            continue
        for name in sorted(os.listdir(os.path.join(src, target))):
            with open(os.path.join(src, target, name), "rb") as f:
                data = f.read()
            data = data.replace(PLACEHOLDER, token()[1].encode())
            path = os.path.join(out, "corpus", target, "reg-" + name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: token_seeds.py OUT_DIR [REGRESSIONS_DIR]")
    main(sys.argv[1])
    if len(sys.argv) == 3:
        regressions(sys.argv[1], sys.argv[2])
