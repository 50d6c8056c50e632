//! Fuzzing the share-link decoder: arbitrary strings, arbitrary bytes made into payloads, and
//! every truncation and single-character change of real links. It must answer every input
//! with a plan or a `LinkError`, never a panic. Prints how many inputs it tried.

use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use shared::{examples, link};

static TRIED: AtomicUsize = AtomicUsize::new(0);

fn try_decode(input: &str) {
    TRIED.fetch_add(1, Ordering::Relaxed);
    let _ = link::decode(input);
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn the_decoder_never_panics() {
    // Arbitrary text, including long and non-ASCII strings.
    runner(20_000)
        .run(&any::<String>(), |s| {
            try_decode(&s);
            try_decode(&format!("1.{s}"));
            Ok(())
        })
        .unwrap();
    // Arbitrary bytes, raw and deflated, behind a valid version prefix.
    runner(20_000)
        .run(&proptest::collection::vec(any::<u8>(), 0..2048), |bytes| {
            try_decode(&format!("1.{}", URL_SAFE_NO_PAD.encode(&bytes)));
            let deflated = miniz_oxide::deflate::compress_to_vec(&bytes, 6);
            try_decode(&format!("#plan=1.{}", URL_SAFE_NO_PAD.encode(deflated)));
            Ok(())
        })
        .unwrap();
    // Arbitrary JSON-ish documents, deflated like a real link.
    runner(10_000)
        .run(&"\\{[a-z\"\\[\\]{}:,0-9. ]{0,200}\\}", |doc| {
            let deflated = miniz_oxide::deflate::compress_to_vec(doc.as_bytes(), 6);
            try_decode(&format!("1.{}", URL_SAFE_NO_PAD.encode(deflated)));
            Ok(())
        })
        .unwrap();
    // Every truncation and every one-character change of real links.
    let alphabet: Vec<char> = "AZaz09-_.=#%!~ é".chars().collect();
    for plan in [examples::fargate(), examples::lambda()] {
        let url = link::link(&plan, "http://127.0.0.1:8080/");
        for cut in 0..url.len() {
            if url.is_char_boundary(cut) {
                try_decode(&url[..cut]);
            }
        }
        let chars: Vec<char> = url.chars().collect();
        for i in 0..chars.len() {
            for &c in &alphabet {
                let mut changed = chars.clone();
                changed[i] = c;
                try_decode(&changed.iter().collect::<String>());
            }
        }
    }
    let tried = TRIED.load(Ordering::Relaxed);
    println!("share-link decoder: {tried} inputs, 0 panics");
    assert!(tried > 80_000, "{tried}");
}
