//! The documents tell the truth about the tree: every path that `ARCHITECTURE.md` and
//! `README.md` name in backticks exists, and every bare file name they name is some file's name.

use std::collections::BTreeSet;
use std::path::Path;

use stackplan_tests::workspace_root;

/// Top-level folders whose paths the documents name.
const ROOTS: &[&str] = &[
    "shared/", "server/", "app/", "tests/", "scripts/", "public/", "style/", "sandbox/", ".ci/",
];

/// File endings that make a bare name a file name.
const ENDINGS: &[&str] = &[
    ".rs", ".md", ".sh", ".mjs", ".js", ".py", ".toml", ".tsv", ".json", ".html", ".css",
];

/// Every `code span` of a Markdown text.
fn code_spans(text: &str) -> Vec<String> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.trim().to_string())
        .collect()
}

/// Every file name in the tree (outside build output and tools).
fn file_names(dir: &Path, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if ["target", ".git", ".venv", ".tools", "node_modules", "dist"].contains(&name.as_str()) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            file_names(&path, out);
        } else {
            out.insert(name);
        }
    }
}

#[test]
fn every_path_the_documents_name_exists() {
    let root = workspace_root();
    let mut names = BTreeSet::new();
    file_names(&root, &mut names);
    let mut missing = Vec::new();
    let mut checked = 0;
    for doc in ["ARCHITECTURE.md", "README.md"] {
        let text = std::fs::read_to_string(root.join(doc)).expect("the document exists");
        for span in code_spans(&text) {
            if span.contains(' ') || span.contains('*') || span.contains('{') || span.contains('<')
            {
                continue;
            }
            let path = span.trim_end_matches(['.', ',', ':']);
            if ROOTS.iter().any(|r| path.starts_with(r)) {
                checked += 1;
                if !root.join(path).exists() {
                    missing.push(format!("{doc}: `{path}`"));
                }
            } else if !path.contains('/') && ENDINGS.iter().any(|e| path.ends_with(e)) {
                checked += 1;
                if !names.contains(path) {
                    missing.push(format!("{doc}: `{path}` (no file of that name)"));
                }
            }
        }
    }
    assert!(checked > 30, "only {checked} paths checked");
    assert!(
        missing.is_empty(),
        "named but missing:\n{}",
        missing.join("\n")
    );
}
