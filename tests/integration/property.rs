//! Property tests of the detector through the library API: a random token in a random
//! form at a random place in random text or binary is always found, at the right line;
//! random base64 and near-miss strings never are.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use intercept::chunk::{Chunk, Origin};
use intercept::detector::Detector;
use intercept::finding::Finding;
use proptest::prelude::*;

use crate::support::{token, Token};

fn scan(bytes: &[u8]) -> Vec<Finding> {
    let origin = Origin::file("p");
    let mut out = Vec::new();
    Detector::new().scan(&Chunk::whole(&origin, bytes), &mut out);
    out
}

/// The token written in one of the forms it takes in real files.
fn written(t: &Token, form: u8, nest_prefix: &str) -> String {
    match form % 6 {
        0 => t.b64(),
        1 => t.no_padding(),
        2 => format!("{}%3D", t.no_padding()),
        3 => format!("{}\\u003d", t.no_padding()),
        4 => t.text.clone(),
        _ => STANDARD.encode(format!("{nest_prefix}{}", t.b64())),
    }
}

fn text_host() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::char::range(' ', '~'),
            1 => Just('\n'),
            1 => Just('\u{e9}'),
            1 => Just('\u{1F511}'),
        ],
        0..3000,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>().into_bytes())
}

fn binary_host() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..3000)
}

fn check_found(host: &[u8], at: usize, form: u8, nest: &str) -> Result<(), TestCaseError> {
    let t = token();
    let at = at.min(host.len());
    let mut bytes = host[..at].to_vec();
    // A separator keeps the host's trailing bytes from gluing to the front of a
    // decoded-text or nested form; the base64 forms are also tested glued below.
    bytes.push(b' ');
    bytes.extend_from_slice(written(&t, form, nest).as_bytes());
    bytes.push(b' ');
    bytes.extend_from_slice(&host[at..]);
    let found = scan(&bytes);
    let expected_line = 1 + host[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    let ours: Vec<&Finding> = found.iter().filter(|f| f.line == expected_line).collect();
    prop_assert_eq!(found.len(), 1, "{:?}", found);
    prop_assert_eq!(ours.len(), 1);
    prop_assert_eq!(ours[0].fingerprint.hex(), t.fingerprint());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn tokens_in_text_are_found(host in text_host(), at in 0usize..3000, form in 0u8..6, nest in "[a-z]{0,5}") {
        check_found(&host, at, form, &nest)?;
    }

    #[test]
    fn tokens_in_binary_are_found(host in binary_host(), at in 0usize..3000, form in 0u8..6, nest in "[a-z]{0,5}") {
        check_found(&host, at, form, &nest)?;
    }

    #[test]
    fn glued_base64_forms_are_found(pre in "[A-Za-z0-9+/]{0,20}", post in "[A-Za-z0-9+/]{0,20}", trim in any::<bool>()) {
        let t = token();
        let form = if trim { t.no_padding() } else { t.b64() };
        let found = scan(format!("{pre}{form}{post}").as_bytes());
        prop_assert_eq!(found.len(), 1, "{:?}", found);
        prop_assert_eq!(found[0].fingerprint.hex(), t.fingerprint());
        prop_assert_eq!(found[0].column, pre.len() as u64 + 1);
    }

    #[test]
    fn random_base64_is_never_reported(bytes in proptest::collection::vec(any::<u8>(), 0..4000), prefix in prop_oneof![Just(""), Just("dG9rO"), Just("dG9rOj"), Just("dG9rOm"), Just("tok:")]) {
        let text = format!("{prefix}{}", STANDARD.encode(&bytes));
        prop_assert!(scan(text.as_bytes()).is_empty());
        let nested = STANDARD.encode(&text);
        prop_assert!(scan(nested.as_bytes()).is_empty());
    }

    #[test]
    fn near_misses_are_never_reported(mutation in 0usize..8, pos in 0usize..36, len in 0usize..59) {
        let t = token();
        let text = t.text.clone();
        let uuid = &text[4..40];
        let near = match mutation {
            0 => format!("tok:{}g{}:1:0", &uuid[..pos], &uuid[pos + 1..]),
            1 => text.replacen('_', "-", 1),
            2 => text.to_uppercase().replacen("TOK:", "tok:", 1),
            3 => format!("tok:{uuid}:1"),
            4 => format!("tok:{uuid}::0"),
            5 => format!("tok:{}:1:0", &uuid[..35]),
            6 => format!("tok:{uuid}"),
            _ => String::new(),
        };
        let b64 = if near.is_empty() { t.b64()[..len].to_string() } else { STANDARD.encode(&near) };
        for candidate in [b64.clone(), b64.trim_end_matches('=').to_string(), near.clone(), STANDARD.encode(&b64)] {
            let found = scan(candidate.as_bytes());
            prop_assert!(found.is_empty(), "{mutation}: {:?}", found);
        }
    }
}
