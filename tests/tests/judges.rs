//! The template judges: cfn-lint and checkov on the template of every plan of the matrix.
//!
//! Zero cfn-lint errors, warnings and informational findings; zero failed checkov checks. A
//! checkov check may be skipped only in the template's own Metadata, with a reason.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;
use shared::{ValidPlan, examples, template};
use stackplan_tests::venv_tool;

/// Writes every matrix template (JSON; YAML too for the two examples) into a fresh directory.
fn write_matrix() -> (tempfile::TempDir, Vec<String>) {
    write_templates(false)
}

/// The matrix templates; with `strip_skips`, JSON only and without their checkov skips.
fn write_templates(strip_skips: bool) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    let mut plans = examples::matrix();
    plans.push(("example-fargate".into(), examples::fargate()));
    plans.push(("example-lambda".into(), examples::lambda()));
    // The account bootstrap is judged like every template.
    let bootstrap = server::bootstrap::template();
    if strip_skips {
        write_stripped(dir.path(), "bootstrap", bootstrap, &mut files);
    } else {
        let file = dir.path().join("bootstrap.template.json");
        std::fs::write(&file, server::bootstrap::template_json()).expect("write template");
        files.push(file.display().to_string());
    }
    for (name, plan) in plans {
        let is_example = name.starts_with("example-");
        let t = template::generate(&ValidPlan::new(plan).expect("matrix plans are valid"));
        if strip_skips {
            write_stripped(dir.path(), &name, t.as_value().clone(), &mut files);
            continue;
        }
        let mut formats = vec![shared::Format::Json];
        if is_example {
            formats.push(shared::Format::Yaml);
        }
        for format in formats {
            let file = dir
                .path()
                .join(format!("{name}.template.{}", format.extension()));
            std::fs::write(&file, t.render(format)).expect("write template");
            files.push(file.display().to_string());
        }
    }
    (dir, files)
}

/// Writes a template without its checkov skips.
fn write_stripped(dir: &std::path::Path, name: &str, mut doc: Value, files: &mut Vec<String>) {
    for resource in doc["Resources"]
        .as_object_mut()
        .expect("resources")
        .values_mut()
    {
        if let Some(meta) = resource.get_mut("Metadata").and_then(Value::as_object_mut) {
            meta.remove("checkov");
        }
    }
    let file = dir.join(format!("{name}.template.json"));
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).expect("write template");
    files.push(file.display().to_string());
}

#[test]
fn cfn_lint_passes_every_matrix_template() {
    let (_dir, files) = write_matrix();
    assert!(files.len() >= 60, "{} templates", files.len());
    let out = Command::new(venv_tool("cfn-lint"))
        .args(["--include-checks", "I", "--format", "parseable", "--"])
        .args(&files)
        .output()
        .expect("cfn-lint runs");
    let findings = String::from_utf8_lossy(&out.stdout);
    println!(
        "cfn-lint: {} templates, exit {:?}",
        files.len(),
        out.status.code()
    );
    assert!(
        out.status.success() && findings.trim().is_empty(),
        "cfn-lint findings:\n{findings}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// checkov's JSON report of a directory of templates, one entry per framework.
fn checkov(dir: &std::path::Path) -> Vec<Value> {
    let out = Command::new(venv_tool("checkov"))
        .args([
            "--framework",
            "cloudformation",
            "--skip-download",
            "--compact",
            "-o",
            "json",
            "-d",
        ])
        .arg(dir)
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .expect("checkov runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "checkov output is not JSON ({e}):\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    match report {
        Value::Array(items) => items,
        single => vec![single],
    }
}

/// Every skip is needed: with all skips removed, checkov fails exactly the skipped checks on
/// exactly the resources that skip them.
#[test]
fn every_checkov_skip_is_needed() {
    let (dir, _) = write_templates(true);
    let mut failed = std::collections::BTreeSet::new();
    for r in checkov(dir.path()) {
        for check in r["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let file = check["file_path"].as_str().unwrap_or_default();
            let name = file
                .trim_start_matches('/')
                .trim_end_matches(".template.json");
            let resource = check["resource"].as_str().unwrap_or_default();
            let id = resource.rsplit('.').next().unwrap_or_default();
            failed.insert((
                name.to_string(),
                id.to_string(),
                check["check_id"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    let mut declared = std::collections::BTreeSet::new();
    let mut plans = examples::matrix();
    plans.push(("example-fargate".into(), examples::fargate()));
    plans.push(("example-lambda".into(), examples::lambda()));
    let mut docs: Vec<(String, Value)> = plans
        .into_iter()
        .map(|(name, plan)| {
            let t = template::generate(&ValidPlan::new(plan).expect("valid"));
            (name, t.as_value().clone())
        })
        .collect();
    docs.push(("bootstrap".into(), server::bootstrap::template()));
    for (name, doc) in docs {
        for (id, resource) in doc["Resources"].as_object().expect("resources") {
            for skip in resource["Metadata"]["checkov"]["skip"]
                .as_array()
                .into_iter()
                .flatten()
            {
                declared.insert((
                    name.clone(),
                    id.clone(),
                    skip["id"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    let needless: Vec<_> = declared.difference(&failed).collect();
    let unexplained: Vec<_> = failed.difference(&declared).collect();
    println!(
        "checkov without skips: {} failures, {} declared skips",
        failed.len(),
        declared.len()
    );
    assert!(!declared.is_empty());
    assert!(
        needless.is_empty(),
        "skips checkov does not need: {needless:?}"
    );
    assert!(
        unexplained.is_empty(),
        "failures no skip explains: {unexplained:?}"
    );
}

#[test]
fn checkov_passes_every_matrix_template() {
    let (dir, files) = write_matrix();
    let reports = checkov(dir.path());
    let mut failed = Vec::new();
    let mut skipped: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut passed = 0;
    let mut skipped_total = 0;
    for r in &reports {
        if r["check_type"] != "cloudformation" {
            continue;
        }
        passed += r["summary"]["passed"].as_u64().unwrap_or(0);
        skipped_total += r["summary"]["skipped"].as_u64().unwrap_or(0);
        for check in r["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            failed.push(format!(
                "{} {} {} ({})",
                check["check_id"], check["resource"], check["file_path"], check["check_name"]
            ));
        }
        for check in r["results"]["skipped_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = check["check_id"].as_str().unwrap_or_default().to_string();
            let reason = check["check_result"]["suppress_comment"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert!(
                !reason.trim().is_empty(),
                "{id} is skipped without a reason"
            );
            *skipped.entry(id).or_default().entry(reason).or_default() += 1;
        }
    }
    println!(
        "checkov: {} templates, {passed} passed checks, {} failed",
        files.len(),
        failed.len()
    );
    for (id, reasons) in &skipped {
        for (reason, n) in reasons {
            println!("  skip {id} ×{n}: {reason}");
        }
    }
    assert!(passed > 0, "checkov ran no check: {reports:?}");
    let listed: usize = skipped.values().flat_map(|r| r.values()).sum();
    assert_eq!(
        listed as u64, skipped_total,
        "every skip is listed with its reason"
    );
    assert!(
        failed.is_empty(),
        "checkov failed checks:\n{}",
        failed.join("\n")
    );
}
