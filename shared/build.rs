//! The browser's copy of the price book: the embedded book without its two long text columns
//! (the dimension as AWS names it, and the source), which the page never shows. Built when the
//! `sources` feature is off (the browser build); the CLI and the server embed the whole file.

// The build script runs before the crate exists; reading the book and writing its copy is its
// whole job (the crate itself still does no I/O).
#![allow(clippy::disallowed_methods)]

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=data/prices.tsv");
    let full = std::fs::read_to_string("data/prices.tsv").expect("shared/data/prices.tsv");
    let mut compact = String::with_capacity(full.len() / 3);
    for line in full.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            compact.push_str(line);
        } else {
            let cols: Vec<&str> = line.split('\t').collect();
            match cols[..] {
                [key, region, usd, unit, confidence, _dimension, _source] => {
                    let (dimension, source) = if key == "key" {
                        ("dimension", "source")
                    } else {
                        ("-", "shared/data/prices.tsv")
                    };
                    compact.push_str(
                        &[key, region, usd, unit, confidence, dimension, source].join("\t"),
                    );
                }
                // A malformed row is left as it is: the book's parser names it.
                _ => compact.push_str(line),
            }
        }
        compact.push('\n');
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("prices.compact.tsv");
    std::fs::write(out, compact).expect("write the compact price book");
}
