//! `STACKPLAN_BUILD`: a hash of the browser code's sources (this crate's and `shared`'s). The
//! planner and its deploy panel are two wasm modules built from them; the planner hands its
//! hash to the panel, which refuses to mount with a different one (a page opened before the
//! server was upgraded, loading the new panel).

use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut all = Vec::new();
    for dir in [
        manifest.join("src"),
        manifest.join("../shared/src"),
        manifest.join("../shared/data"),
    ] {
        println!("cargo:rerun-if-changed={}", dir.display());
        files(&dir, &mut all);
    }
    all.sort();
    // FNV-1a, 64 bits, over each file's path (from the crate) and bytes.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for path in &all {
        feed(
            path.strip_prefix(&manifest)
                .unwrap_or(path)
                .to_string_lossy()
                .as_bytes(),
        );
        feed(&fs::read(path).unwrap_or_default());
    }
    println!("cargo:rustc-env=STACKPLAN_BUILD={hash:016x}");
}
