use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::*;
use crate::chunk::{Origin, Position};

use intercept_test_support::text::wrap;
use intercept_test_support::uuid;

/// A token's text, made at run time (`tok:<uuid>:1:0`).
fn token_text() -> String {
    intercept_test_support::token().text
}

/// A token's base64.
fn token() -> String {
    STANDARD.encode(token_text())
}

fn scan(bytes: &[u8]) -> Vec<Finding> {
    let origin = Origin::file("t");
    let mut out = Vec::new();
    Detector::new().scan(&Chunk::whole(&origin, bytes), &mut out);
    out
}

fn one(bytes: &[u8]) -> (u64, u64, Encoding) {
    let found = scan(bytes);
    assert_eq!(found.len(), 1, "expected one finding, got {found:?}");
    (found[0].line, found[0].column, found[0].encoding)
}

#[test]
fn anchors_are_the_stable_base64_of_the_prefix_at_each_alignment() {
    for (skip, (anchor, back)) in [("ZEc5ck9", 0), ("RHOXJP", 2), ("kRzlyT2", 3)].iter().enumerate() {
        for _ in 0..20 {
            let outer = STANDARD.encode(format!("{}{}", &"xy"[..skip], token()));
            assert_eq!(outer.find(anchor), Some(*back), "{skip}: {outer}");
        }
    }
    assert!(token().starts_with("dG9rO"));
}

#[test]
fn no_anchor_holds_another_anchors_core() {
    // What skipping the rest of a whole anchor's cores relies on.
    for a in &CORES {
        for c in &CORES {
            let core = &c.anchor[c.at..c.at + CORE];
            if c.anchor != a.anchor {
                assert!(!a.anchor.contains(core), "{} holds {core}", a.anchor);
            }
        }
    }
}

#[test]
fn the_symbol_after_a_nested_anchor_is_one_of_few() {
    // What the fast rejection of a nested anchor relies on: at each alignment, the outer
    // symbol after the anchor, for every token, is one of `NEXT`'s.
    for _ in 0..200 {
        for (skip, anchor) in ["ZEc5ck9", "RHOXJP", "kRzlyT2"].iter().enumerate() {
            let outer = STANDARD.encode(format!("{}{}", &"xy"[..skip], token()));
            let at = outer.find(anchor).unwrap();
            assert_eq!(NEXT[skip].0, anchor.as_bytes());
            let next = outer.as_bytes()[at + anchor.len()];
            assert!(NEXT[skip].1.contains(&next), "{skip}: {outer}");
        }
    }
}

#[test]
fn finds_the_plain_token_anywhere() {
    let t = token();
    assert_eq!(one(t.as_bytes()), (1, 1, Encoding::Plain));
    assert_eq!(one(format!("A={t}").as_bytes()), (1, 3, Encoding::Plain));
    assert_eq!(
        one(format!("a\nb\n  \"{t}\"\n").as_bytes()),
        (3, 4, Encoding::Plain)
    );
    assert_eq!(
        one(format!("x\r\ny\r\nT={t}\r\n").as_bytes()),
        (3, 3, Encoding::Plain)
    );
    assert_eq!(
        one(format!("caf\u{e9} \u{1F600} {t}").as_bytes()),
        (1, 8, Encoding::Plain)
    );
    assert_eq!(one(format!("\u{feff}{t}").as_bytes()), (1, 1, Encoding::Plain));
    assert_eq!(one(format!("\u{feff}K={t}").as_bytes()), (1, 3, Encoding::Plain));
}

#[test]
fn finds_trimmed_escaped_and_glued_tokens() {
    let t = token();
    let bare = t.trim_end_matches('=');
    assert_eq!(one(bare.as_bytes()), (1, 1, Encoding::NoPadding));
    assert_eq!(one(format!("x={bare}\n").as_bytes()).2, Encoding::NoPadding);
    assert_eq!(one(format!("x={bare}\"").as_bytes()).2, Encoding::NoPadding);
    for esc in ["%3D", "%3d", "\\u003d", "\\u003D", "\\x3d"] {
        assert_eq!(
            one(format!("u?t={bare}{esc}&").as_bytes()),
            (1, 5, Encoding::Escaped),
            "{esc}"
        );
    }
    assert_eq!(one(format!("Bearer{t}next").as_bytes()), (1, 7, Encoding::Plain));
    for glue in ["yy", "0", "5x", "w"] {
        let glued = &scan(format!("xx{bare}{glue}").as_bytes())[0];
        assert_eq!(glued.encoding, Encoding::NoPadding, "{glue}");
        assert_eq!(glued.fingerprint, scan(t.as_bytes())[0].fingerprint, "{glue}");
    }
}

#[test]
fn finds_escaped_base64_characters_inside_the_token() {
    for _ in 0..50 {
        let t = token();
        if !t.contains('/') && !t.contains('+') {
            continue;
        }
        let json = t.replace('/', "\\/");
        let url = t.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
        let (_, _, enc) = one(json.as_bytes());
        assert_eq!(enc, Encoding::Escaped);
        let f = &scan(url.as_bytes())[0];
        assert_eq!(f.encoding, Encoding::Escaped);
        assert_eq!(f.fingerprint, scan(t.as_bytes())[0].fingerprint);
        return;
    }
}

#[test]
fn finds_tokens_base64_encoded_again_at_every_alignment() {
    for prefix in ["", "K", "KE", "KEY=", "INTERCOM_ACCESS_TOKEN=", "A=1\nB="] {
        let plain = format!("{prefix}{}\nOTHER=1\n", token());
        let outer = STANDARD.encode(&plain);
        let (line, column, enc) = one(format!("data:\n  token: {outer}\n").as_bytes());
        assert_eq!((line, enc), (2, Encoding::NestedBase64), "{prefix:?}");
        assert!((10..=10 + prefix.len() as u64 * 2).contains(&column), "{column}");
    }
}

#[test]
fn finds_nested_tokens_in_wrapped_base64() {
    // `base64` wraps at 76 columns; the token's anchor sits on the first line here.
    let plain = format!("T={}\n", token());
    let outer = STANDARD.encode(&plain);
    let wrapped: Vec<&str> = outer
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    assert!(wrapped.len() > 1);
    let (line, _, enc) = one(wrapped.join("\n").as_bytes());
    assert_eq!((line, enc), (1, Encoding::NestedBase64));
}

#[test]
fn finds_the_decoded_text() {
    let text = token_text();
    let (line, column, enc) = one(format!("# {text}\n").as_bytes());
    assert_eq!((line, column, enc), (1, 3, Encoding::DecodedText));
    let f = &scan(text.as_bytes())[0];
    assert!(f.redacted.as_str().starts_with("tok:"));
    assert_eq!(
        f.fingerprint,
        scan(STANDARD.encode(&text).as_bytes())[0].fingerprint
    );
}

#[test]
fn reports_each_token_on_a_line_and_in_binary() {
    let (a, b) = (token(), token());
    let found = scan(format!("{a} {b},{a}").as_bytes());
    assert_eq!(
        found.iter().map(|f| f.column).collect::<Vec<_>>(),
        vec![1, 62, 123]
    );
    assert_eq!(found[0].fingerprint, found[2].fingerprint);
    assert_ne!(found[0].fingerprint, found[1].fingerprint);

    let mut bin = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe".to_vec();
    bin.extend_from_slice(a.as_bytes());
    bin.extend_from_slice(b"\x00\x01\x02");
    assert_eq!(one(&bin).2, Encoding::Plain);
    let mut tail = vec![0u8; 1000];
    tail.extend_from_slice(a.trim_end_matches('=').as_bytes());
    assert_eq!(one(&tail).2, Encoding::NoPadding);
}

#[test]
fn ignores_everything_that_is_not_a_token() {
    let t = token();
    let basic = STANDARD.encode(format!("abc{}", ":password"));
    let basic_tok = STANDARD.encode("me_tok:password123");
    assert!(basic_tok.contains("dG9rO"), "{basic_tok}");
    let upper = STANDARD.encode(token_text().to_uppercase().replace("TOK:", "tok:"));
    let hyphens = STANDARD.encode(token_text().replace('_', "-"));
    let past_f = STANDARD.encode(token_text().replacen(
        |c: char| c.is_ascii_hexdigit() && c.is_ascii_alphabetic(),
        "g",
        1,
    ));
    let negatives = [
        "dG9rOjxoZWxsbz4=".to_string(),
        format!("Authorization: Basic {basic}"),
        format!("Authorization: Basic {basic_tok}"),
        "dG9rOm\u{2022}\u{2022}\u{2022}\u{2022}==".to_string(),
        "dG9rOm<YOUR_TOKEN>".to_string(),
        "^dG9rOj[a-zA-Z0-9]{60}$".to_string(),
        t[..40].to_string(),
        t[..57].to_string(),
        "${INTERCOM_ACCESS_TOKEN}".to_string(),
        "intercom_token = \"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567\"".to_string(),
        upper,
        hyphens,
        past_f,
        STANDARD.encode(format!("tok:{}:1", uuid())),
        STANDARD.encode(format!("tok:{}::0", uuid())),
        "tok: Token<'a>,".to_string(),
        format!("tok:{}", uuid()),
        STANDARD.encode(STANDARD.encode("tok:<hello>")),
    ];
    for n in &negatives {
        assert!(scan(n.as_bytes()).is_empty(), "{n}");
    }
}

#[test]
fn only_reports_anchors_in_the_report_range_and_counts_from_start() {
    let t = token();
    let bytes = format!("{t}\n{t}\n{t}");
    let origin = Origin::file("t");
    let mut out = Vec::new();
    let start = Position { line: 10, column: 1 };
    let chunk = Chunk {
        origin: &origin,
        bytes: bytes.as_bytes(),
        start,
        report: 1..62,
    };
    Detector::new().scan(&chunk, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].line, out[0].column), (11, 1));
}

#[test]
fn findings_never_hold_the_token() {
    let t = token();
    let text = token_text();
    for f in scan(format!("{t}\n{text}\n{}", STANDARD.encode(&t)).as_bytes()) {
        let shown = format!("{f:?} {} {}", f.redacted, f.fingerprint);
        assert!(!shown.contains(&t) && !shown.contains(&t[10..30]), "{shown}");
        assert!(!shown.contains(&text[10..30]), "{shown}");
        assert!(f.redacted.as_str().chars().count() <= 13);
    }
}

#[test]
fn prefilter_agrees_with_anchors() {
    let d = Detector::new();
    assert!(d.prefilter(token().as_bytes()));
    assert!(d.prefilter(b"tok:"));
    assert!(!d.prefilter(b"fn main() { let x = 1; }"));
}

#[test]
fn inline_markers_on_the_tokens_line_are_noted() {
    let t = token();
    for marker in MARKERS {
        let found = scan(format!("a\nT=\"{t}\" # {marker}\nb\n").as_bytes());
        assert_eq!(found[0].marker, Some(marker));
    }
    let found = scan(format!("# intercept:allow\nT={t}\n").as_bytes());
    assert_eq!(found[0].marker, None, "a marker on another line does not count");
    let found = scan(format!("// gitleaks:allow\r\nT={t}").as_bytes());
    assert_eq!(found[0].marker, None);
}

#[test]
fn finds_nested_tokens_wrapped_and_indented_with_the_wrap_anywhere() {
    let t = token();
    let fingerprint = scan(t.as_bytes())[0].fingerprint;
    // Every prefix length moves the anchor across every column of the wrap, so the line
    // break falls before, inside and after the anchor and the first characters of the
    // outer value.
    for prefix_len in 0..80 {
        let plain = format!("{}{t}\nOTHER=1\n", "K".repeat(prefix_len));
        let outer = STANDARD.encode(&plain);
        for (width, indent, join) in [
            (76, "", "\n"),
            (64, "    ", "\n"),
            (76, "  ", "\r\n"),
            (64, "\t", "\\\n"),
            (60, "", "\\\n"),
        ] {
            let body = wrap(&outer, width, indent, join);
            let text = format!("data:\n  env: |\n{indent}{body}\n  other: 1\n");
            let found = scan(text.as_bytes());
            assert_eq!(
                found.len(),
                1,
                "prefix {prefix_len}, width {width}, {join:?}:\n{text}"
            );
            let f = &found[0];
            assert_eq!(f.encoding, Encoding::NestedBase64);
            assert_eq!(f.fingerprint, fingerprint, "prefix {prefix_len}, width {width}");
            assert!(f.end_line >= f.line, "{f:?}");
        }
    }
}

#[test]
fn finds_nested_tokens_whose_wraps_are_escapes_inside_a_string() {
    // `jq --arg v "$(base64 app.env)"`, a webhook fixture's MIME attachment: each line
    // break of the outer value is written as the escape `\n`, `\r\n` or `\r`.
    let t = token();
    let fingerprint = scan(t.as_bytes())[0].fingerprint;
    for prefix_len in 0..80 {
        let plain = format!("{}{t}\nOTHER=1\n", "K".repeat(prefix_len));
        let outer = STANDARD.encode(&plain);
        for (width, join) in [(76, "\\n"), (64, "\\r\\n"), (76, "\\r"), (76, "\\n\\\n    ")] {
            let body = wrap(&outer, width, "", join);
            for text in [
                format!("{{\"v\": \"{body}{join}\"}}\n"),
                format!("data:\n  env: \"{body}\"\n"),
            ] {
                let found = scan(text.as_bytes());
                assert_eq!(found.len(), 1, "prefix {prefix_len}, {join:?}:\n{text}");
                assert_eq!(found[0].encoding, Encoding::NestedBase64);
                assert_eq!(found[0].fingerprint, fingerprint);
            }
        }
    }
}

#[test]
fn escaped_wraps_join_nothing_else() {
    // The negative twins: the same strings without a token, and escapes that are not one
    // line break between two parts of one value.
    let (t, twin) = intercept_test_support::token_and_twin();
    for prefix_len in 0..40 {
        let outer = STANDARD.encode(format!("{}{twin}\n", "K".repeat(prefix_len)));
        let body = wrap(&outer, 76, "", "\\n");
        assert!(scan(format!("{{\"v\": \"{body}\"}}").as_bytes()).is_empty());
        let outer = STANDARD.encode(format!("{}{t}\n", "K".repeat(prefix_len)));
        // Inside the outer characters that encode the token.
        let (a, b) = outer.split_at((prefix_len + 20) * 4 / 3);
        assert_eq!(scan(format!("\"{a}\\n{b}\"").as_bytes()).len(), 1);
        for sep in ["\\n\\n", "\\r\\n\\r\\n", "\\\\n", "\\t", "\\u000a"] {
            let text = format!("\"{a}{sep}{b}\"");
            assert!(scan(text.as_bytes()).is_empty(), "{sep}: {text}");
        }
    }
    // Plain and decoded tokens never span an escape.
    let (a, b) = t.split_at(30);
    assert!(scan(format!("\"{a}\\n{b}\"").as_bytes()).is_empty());
}

#[test]
fn a_wrapped_value_spans_the_lines_its_characters_take() {
    let t = token();
    let outer = STANDARD.encode(format!("T={t}\n"));
    let text = format!("k: |\n  {}\n", wrap(&outer, 20, "  ", "\n"));
    let f = &scan(text.as_bytes())[0];
    assert_eq!(f.line, 2);
    assert!(f.end_line >= 5, "{f:?}");
}

#[test]
fn spaces_without_a_line_break_do_not_join_base64() {
    // Two base64 words on one line are two values: a token split by a space is not there.
    let outer = STANDARD.encode(format!("T={}\n", token()));
    let (a, b) = outer.split_at(30);
    assert!(scan(format!("{a} {b}").as_bytes()).is_empty());
    assert!(
        scan(format!("{a}\n\n{b}").as_bytes()).is_empty(),
        "an empty line ends a value"
    );
}

#[test]
fn redact_replaces_every_token_in_every_form() {
    let d = Detector::new();
    let t = token();
    let text = token_text();
    let nested = wrap(&STANDARD.encode(format!("T={t}\n")), 16, "  ", "\n");
    let input = format!(
        "a {t} b {}%3D c {text} d\n  {nested}\n end",
        t.trim_end_matches('=')
    );
    let out = String::from_utf8(d.redact(input.as_bytes()).unwrap()).unwrap();
    assert!(!out.contains(&t[8..50]), "{out}");
    assert!(!out.contains(&text[8..40]), "{out}");
    assert!(out.starts_with("a dG9rO") && out.ends_with(" end"), "{out}");
    assert_eq!(out.matches('\u{2026}').count(), 4, "{out}");
    assert!(d.redact(b"nothing to see").is_none());
}

#[test]
fn spans_end_after_the_padding() {
    let t = token();
    let f = &scan(format!("x {t} y").as_bytes())[0];
    assert_eq!((f.column, f.end_column), (3, 63));
    let f = &scan(format!("x {}%3D y", t.trim_end_matches('=')).as_bytes())[0];
    assert_eq!(f.end_column, 65);
}

#[test]
fn a_marker_counts_only_beside_its_token_on_its_line() {
    use super::MARKER_REACH;
    let t = token();
    let near = " ".repeat(MARKER_REACH - "// ".len());
    let far = " ".repeat(MARKER_REACH + 1);
    let line = format!("{t}{near}// intercept:allow\n");
    assert_eq!(scan(line.as_bytes())[0].marker, Some("intercept:allow"));
    let line = format!(
        "// gitleaks:allow{}{t}\nnext\n",
        " ".repeat(MARKER_REACH - "gitleaks:allow".len())
    );
    assert_eq!(scan(line.as_bytes())[0].marker, Some("gitleaks:allow"));
    // A minified bundle: the marker tens of kilobytes away allows nothing.
    let line = format!("{t}{far}intercept:allow\n");
    assert_eq!(scan(line.as_bytes())[0].marker, None);
    let line = format!("// gitleaks:allow{}{t}\nnext\n", "x".repeat(100_000));
    assert_eq!(scan(line.as_bytes())[0].marker, None);
    let line = format!("var a=\"{t}\"; // intercept:allow{far}var b=\"{}\";\n", token());
    let found = scan(line.as_bytes());
    assert_eq!(
        found.iter().map(|f| f.marker).collect::<Vec<_>>(),
        [Some("intercept:allow"), None]
    );
    assert_eq!(
        scan(format!("k={t}\r\r# intercept:allow\n").as_bytes())[0].marker,
        None
    );
    assert_eq!(
        scan(format!("k={t} # intercept:allow\r\n").as_bytes())[0].marker,
        Some("intercept:allow")
    );
    // Still only its own line, however lines end.
    assert_eq!(
        scan(format!("{t}\n// intercept:allow\n").as_bytes())[0].marker,
        None
    );
}

#[test]
fn redaction_masks_most_of_a_token_too_but_not_placeholders() {
    let d = Detector::new();
    let t = token();
    let text = token_text();
    for cut in [&t[..58], &t[..30], &text[..40]] {
        let line = format!("member name {cut} was not checked");
        let out = String::from_utf8(d.redact(line.as_bytes()).expect("masked")).unwrap();
        assert!(!out.contains(&cut[8..]), "{out}");
        assert!(out.contains(&format!("{}…", &cut[..8])), "{out}");
    }
    for fine in [
        "dG9rOm<YOUR_TOKEN>",
        "dG9rOjxoZWxsbz4=",
        "^dG9rOj[a-zA-Z0-9]{60}$",
        "tok:abc",
        "a plain line",
    ] {
        assert_eq!(d.redact(fine.as_bytes()), None, "{fine}");
    }
}

#[test]
fn redaction_masks_only_the_tokens_characters_in_a_path() {
    let d = Detector::new();
    let t = token();
    let text = token_text();
    let shown = scan(t.as_bytes())[0].redacted.clone();
    let bare = t.trim_end_matches('=');
    let redact = |s: &str| String::from_utf8(d.redact(s.as_bytes()).expect("masked")).unwrap();
    assert_eq!(
        redact(&format!("keys/{t}/prod/app.env")),
        format!("keys/{shown}/prod/app.env")
    );
    assert_eq!(
        redact(&format!("keys/{bare}/prod/app.env")),
        format!("keys/{shown}/prod/app.env")
    );
    assert_eq!(redact(&format!("{t}.env")), format!("{shown}.env"));
    assert_eq!(redact(&format!("a/{text}/b")), format!("a/{}…:1:0/b", &text[..8]));
    // Most of a token, cut: masked up to the separator, not beyond.
    assert_eq!(
        redact(&format!("keys/{}/prod/app.env", &t[..40])),
        format!("keys/{}…/prod/app.env", &t[..8])
    );
    // The negative twin: a path without a token is left as it is.
    let (_, twin) = intercept_test_support::token_and_twin();
    assert_eq!(d.redact(format!("keys/{twin}/prod/app.env").as_bytes()), None);
}

#[test]
fn redaction_of_long_token_like_runs_masks_each_run_once() {
    // Runs of anchors, as a hostile archive's member names or nested directory names hold
    // them: one mask per run, the text around kept (and linear work, not quadratic).
    let d = Detector::new();
    for unit in ["dG9rOm", "dG9rOmE5NzRk", "ZEc5ck9"] {
        let run = unit.repeat(11_000);
        let line = format!("a/{run}/b/{run}.c\n");
        let out = d.redact(line.as_bytes());
        if unit == "ZEc5ck9" {
            assert!(out.is_none(), "no token and no partial token: nothing masked");
            continue;
        }
        let out = String::from_utf8(out.expect("masked")).unwrap();
        let mask = format!("{}…", &run[..8]);
        assert!(
            out == format!("a/{mask}/b/{mask}.c\n"),
            "{unit}: {}",
            &out[..out.len().min(200)]
        );
    }
}

#[test]
fn a_vault_keeps_each_token_canonically_once_and_only_when_asked() {
    let text = token_text();
    let t = STANDARD.encode(&text);
    let nested = STANDARD.encode(format!("x{t}"));
    let trimmed = t.trim_end_matches('=');
    let bytes = format!("A={t}\nB={trimmed}\nC={text}\nD={nested}\n");
    let origin = Origin::file("t");
    let keeping = Detector::keeping_secrets();
    let mut out = Vec::new();
    keeping.scan(&Chunk::whole(&origin, bytes.as_bytes()), &mut out);
    assert_eq!(out.len(), 4, "{out:?}");
    let vault = keeping.vault().expect("a keeping detector has a vault");
    let all = vault.all();
    assert_eq!(
        all.len(),
        1,
        "one token, whatever its forms: {:?}",
        out.iter()
            .map(|f| (f.encoding, f.fingerprint.short()))
            .collect::<Vec<_>>()
    );
    let (fingerprint, secret) = &all[0];
    assert_eq!(secret.expose(), t.as_bytes(), "the canonical padded base64");
    assert!(out.iter().all(|f| f.fingerprint == *fingerprint));
    assert_eq!(format!("{secret:?}"), "Secret(…)");
    assert!(!format!("{vault:?}").contains(&t[8..20]));
    assert!(Detector::new().vault().is_none());
}
