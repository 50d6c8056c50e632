//! The account bootstrap's execution role is derived from AWS's own data: the IAM actions in
//! `server/data/iam-actions.tsv` are exactly what `scripts/iam-actions.py` reads from the
//! resource provider schemas (as cfn-lint bundles them) for the registry's types.

use stackplan_tests::{venv_tool, workspace_root};

#[test]
fn the_execution_roles_actions_are_the_schemas_handler_permissions() {
    let types: Vec<&str> = shared::resources::REGISTRY.iter().map(|r| r.name).collect();
    let out = std::process::Command::new(venv_tool("python"))
        .arg(workspace_root().join("scripts/iam-actions.py"))
        .args(&types)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        fresh,
        server::bootstrap::IAM_ACTIONS,
        "server/data/iam-actions.tsv is stale: regenerate it with scripts/iam-actions.py and the registry's types"
    );
    // Every action the execution role gets is there for a resource type.
    let actions = server::bootstrap::execution_actions();
    assert!(actions.values().all(|types| !types.is_empty()));
    println!(
        "execution role: {} actions for {} resource types",
        actions.len(),
        types.len()
    );
}
