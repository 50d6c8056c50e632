//! Helpers for the end-to-end tests: where the workspace and its installed tools are.

use std::path::PathBuf;

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A tool from the project's Python virtualenv (`.venv`, made by `scripts/install-test-tools.sh`),
/// or from `$STACKPLAN_VENV/bin`. Panics with the fix when it is missing: a judge that is not
/// installed must fail the run, never skip it.
pub fn venv_tool(name: &str) -> PathBuf {
    let venv = std::env::var_os("STACKPLAN_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv"));
    let tool = venv.join("bin").join(name);
    assert!(
        tool.is_file(),
        "{} is missing: run `scripts/test.sh` (it installs cfn-lint, checkov and moto into .venv)",
        tool.display()
    );
    tool
}
