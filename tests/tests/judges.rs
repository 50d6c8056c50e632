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

/// Every plan the judges judge: the matrix and the two examples.
fn judged_plans() -> Vec<(String, shared::Plan)> {
    let mut plans = examples::matrix();
    plans.push(("example-fargate".into(), examples::fargate()));
    plans.push(("example-lambda".into(), examples::lambda()));
    plans
}

/// A bootstrap that allows two settings prefixes and a hosted zone.
fn bootstrap_options() -> server::bootstrap::Options {
    server::bootstrap::Options {
        settings_prefixes: vec!["stackplan/".into(), "shop.prod-".into()],
        hosted_zone_ids: vec![shared::examples::domain().hosted_zone_id],
    }
}

/// The matrix templates; with `strip_skips`, JSON only and without their checkov skips.
fn write_templates(strip_skips: bool) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    let plans = judged_plans();
    // The account bootstrap is judged like every template, with every statement it can have.
    let options = bootstrap_options();
    let bootstrap = server::bootstrap::template(&options);
    if strip_skips {
        write_stripped(dir.path(), "bootstrap", bootstrap, &mut files);
    } else {
        let file = dir.path().join("bootstrap.template.json");
        std::fs::write(&file, server::bootstrap::template_json(&options)).expect("write template");
        files.push(file.display().to_string());
    }
    for (name, plan) in plans {
        let is_example = name.starts_with("example-");
        let t = template::generate(&ValidPlan::new(plan).expect("matrix plans are valid"));
        if strip_skips {
            write_stripped(dir.path(), &name, t.to_value(), &mut files);
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

/// checkov judged every template written: it parsed them all, and each has a check (passed,
/// failed or skipped) to its name. A template checkov cannot parse is only counted under
/// `parsing_errors`, with no failed check, so without this it would pass unjudged.
fn assert_every_template_judged(reports: &[Value], files: &[String]) {
    let mut judged = std::collections::BTreeSet::new();
    for r in reports {
        assert_eq!(
            r["summary"]["parsing_errors"].as_u64(),
            Some(0),
            "checkov could not parse a template: {}",
            r["summary"]
        );
        for kind in ["passed_checks", "failed_checks", "skipped_checks"] {
            for check in r["results"][kind].as_array().into_iter().flatten() {
                let file = check["file_path"].as_str().unwrap_or_default();
                judged.insert(file.trim_start_matches('/').to_string());
            }
        }
    }
    let written: std::collections::BTreeSet<String> = files
        .iter()
        .map(|f| {
            std::path::Path::new(f)
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(judged, written, "the templates checkov judged");
}

/// Every skip is needed: with all skips removed, checkov fails exactly the skipped checks on
/// exactly the resources that skip them.
#[test]
fn every_checkov_skip_is_needed() {
    let (dir, files) = write_templates(true);
    let reports = checkov(dir.path());
    assert_every_template_judged(&reports, &files);
    let mut failed = std::collections::BTreeSet::new();
    for r in reports {
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
            (name, t.to_value())
        })
        .collect();
    docs.push((
        "bootstrap".into(),
        server::bootstrap::template(&bootstrap_options()),
    ));
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
    assert_every_template_judged(&reports, &files);
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

/// The third judge: AWS Control Tower's proactive controls (cfn-guard rules), which a governed
/// account enforces as CloudFormation hooks with no suppression. Its verdict on every matrix
/// template is recorded in `tests/snapshots/control-tower.txt`: a change in any verdict fails
/// until the file is refreshed (`STACKPLAN_UPDATE_FIXTURES=1`) and the change is reviewed.
#[test]
fn control_tower_verdicts_on_every_matrix_template_are_recorded() {
    let (bin, rules) = stackplan_tests::control_tower();
    let (_dir, files) = write_matrix();
    let json: Vec<&String> = files.iter().filter(|f| f.ends_with(".json")).collect();
    // Two judges at once, half the templates each (the machine has two cores).
    let runs: Vec<_> = json
        .chunks(json.len().div_ceil(2))
        .map(|chunk| {
            let mut cmd = Command::new(&bin);
            cmd.args(["validate", "-S", "none", "-o", "json", "-r"])
                .arg(&rules);
            for file in chunk {
                cmd.arg("-d").arg(file);
            }
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run cfn-guard")
        })
        .collect();
    let mut text = String::new();
    for run in runs {
        let out = run.wait_with_output().expect("cfn-guard ends");
        // 0: every rule passed; 19: some rule failed. Anything else: the judge did not judge.
        assert!(
            matches!(out.status.code(), Some(0 | 19)),
            "cfn-guard failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        text.push_str(&String::from_utf8(out.stdout).expect("utf-8"));
    }
    let rule_files = walk(&rules).len();
    // One JSON object per template and rule file, back to back.
    let mut verdicts: BTreeMap<String, Verdict> = BTreeMap::new();
    for result in serde_json::Deserializer::from_str(&text).into_iter::<Value>() {
        let result = result.expect("cfn-guard JSON");
        let name = std::path::Path::new(result["name"].as_str().expect("name"))
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".template.json")
            .trim_end_matches(".template.yaml")
            .to_string();
        if !result["name"].as_str().unwrap().ends_with(".json") {
            continue; // the examples' YAML twins say the same
        }
        let v = verdicts.entry(name).or_default();
        v.results += 1;
        for rule in result["compliant"].as_array().into_iter().flatten() {
            v.passed += 1;
            let rule = rule.as_str().unwrap_or("?").to_string();
            v.rules.insert(rule, Vec::new());
        }
        for failure in result["not_compliant"].as_array().into_iter().flatten() {
            let rule = failure["Rule"]["name"].as_str().unwrap_or("?").to_string();
            let mut resources = std::collections::BTreeSet::new();
            collect_resources(failure, &mut resources);
            let control = control_id(failure).unwrap_or_default();
            let resources: Vec<String> = resources.into_iter().collect();
            v.failed
                .insert(format!("{control} {rule}: {}", resources.join(", ")));
            v.rules.insert(rule, resources);
        }
    }
    assert_eq!(verdicts.len(), json.len(), "a template was not judged");
    let mut report = String::from(
        "# AWS Control Tower proactive controls (cfn-guard, @cdklabs/cdk-validator-cfnguard) on every\n# matrix template: failed controls with the resources at fault. Made by tests/tests/judges.rs.\n",
    );
    for (name, v) in &verdicts {
        assert_eq!(
            v.results, rule_files,
            "{name}: {} rule results for {rule_files} rule files",
            v.results
        );
        report.push_str(&format!(
            "\n{name}: {} failed, {} passed\n",
            v.failed.len(),
            v.passed
        ));
        for f in &v.failed {
            report.push_str(&format!("  FAIL {f}\n"));
        }
    }
    for example in ["example-fargate", "example-lambda"] {
        let v = &verdicts[example];
        println!(
            "{example}: {} controls failed, {} passed",
            v.failed.len(),
            v.passed
        );
    }
    // The governed-account profile's promise: a plan in it passes every control.
    let governed: Vec<&String> = shared::examples::matrix()
        .iter()
        .filter(|(_, p)| p.governed)
        .map(|(name, _)| verdicts.keys().find(|k| *k == name).expect("judged"))
        .collect();
    assert!(governed.len() >= 3, "{governed:?}");
    for name in governed {
        assert!(
            verdicts[name].failed.is_empty(),
            "{name} is governed and fails {:?}",
            verdicts[name].failed
        );
    }
    core_checklist_agrees_with_the_judge(&verdicts);
    let path = stackplan_tests::workspace_root().join("tests/snapshots/control-tower.txt");
    if std::env::var_os("STACKPLAN_UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &report).unwrap();
    }
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        recorded == report,
        "the Control Tower verdicts changed; review them and refresh {} with STACKPLAN_UPDATE_FIXTURES=1:\n{report}",
        path.display()
    );
}

/// The core's checklist (`shared::resources::controls`, which the page shows) says of every
/// matrix plan what the judge says: the same controls apply, the same pass, and those that fail
/// fail on the same resources.
fn core_checklist_agrees_with_the_judge(verdicts: &BTreeMap<String, Verdict>) {
    let mut disagreements = Vec::new();
    for (name, plan) in judged_plans() {
        let valid = shared::ValidPlan::new(plan.clone()).expect("matrix plans are valid");
        let template = shared::template::generate(&valid);
        let core: BTreeMap<String, Vec<String>> =
            shared::resources::controls::checklist(&plan, &template)
                .into_iter()
                .map(|c| {
                    let mut failing = c.failing;
                    failing.sort();
                    (c.control.rule.to_string(), failing)
                })
                .collect();
        let judge = &verdicts[&name].rules;
        for rule in core
            .keys()
            .chain(judge.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let say = |v: Option<&Vec<String>>| match v {
                None => "does not apply".to_string(),
                Some(f) if f.is_empty() => "passes".to_string(),
                Some(f) => format!("fails on {}", f.join(", ")),
            };
            let (c, j) = (core.get(rule), judge.get(rule));
            if c != j {
                disagreements.push(format!(
                    "{name}: {rule}: the core says it {}, the judge that it {}",
                    say(c),
                    say(j)
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "the core's Control Tower checklist disagrees with cfn-guard ({} times):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[derive(Default)]
struct Verdict {
    results: usize,
    passed: usize,
    failed: std::collections::BTreeSet<String>,
    /// Every rule that applied: the resources failing it (none: it passed).
    rules: BTreeMap<String, Vec<String>>,
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|e| e == "guard") {
            out.push(p);
        }
    }
    out
}

/// The logical ids of the resources a failed check names (`/Resources/<id>/...` paths).
fn collect_resources(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::String(s) => {
            if let Some(rest) = s.strip_prefix("/Resources/") {
                out.insert(rest.split('/').next().unwrap_or(rest).to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_resources(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_resources(x, out)),
        _ => {}
    }
}

/// The control's id (`CT.S3.PR.10`) from the rule's message.
fn control_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => s.find("[CT.").and_then(|i| {
            let rest = &s[i + 1..];
            rest.find(']').map(|j| rest[..j].to_string())
        }),
        Value::Array(a) => a.iter().find_map(control_id),
        Value::Object(o) => o.values().find_map(control_id),
        _ => None,
    }
}
