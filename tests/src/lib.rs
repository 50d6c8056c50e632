//! Helpers for the end-to-end tests: where the workspace and its installed tools are.

use std::path::PathBuf;

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A tool from the project's Python virtualenv (`.venv`, made by `scripts/test.sh` through `scripts/lib.sh`),
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

/// The package of AWS Control Tower's proactive controls (`@cdklabs/cdk-validator-cfnguard`,
/// installed into `.tools` by `scripts/test.sh`): its `cfn-guard` binary and its rules. Panics
/// with the fix when it is missing.
pub fn control_tower() -> (PathBuf, PathBuf) {
    let pkg = workspace_root().join(".tools/node_modules/@cdklabs/cdk-validator-cfnguard");
    // The package ships Linux binaries for x86_64 and aarch64, named as Rust names them.
    let bin = pkg.join(format!("bin/ubuntu/{}/cfn-guard", std::env::consts::ARCH));
    let rules = pkg.join("rules/control-tower/cfn-guard");
    assert!(
        bin.is_file() && rules.is_dir(),
        "{} is missing: run `scripts/test.sh` (it installs cfn-guard and the Control Tower rules)",
        pkg.display()
    );
    (bin, rules)
}

/// A moto server (the local AWS sandbox) on a free loopback port, stopped when dropped.
pub struct Moto {
    pub endpoint: String,
    child: std::process::Child,
    log: PathBuf,
}

impl Moto {
    /// Starts the local sandbox (`python -m stackplan_sandbox`: moto with the project's
    /// extensions) on 127.0.0.1, operations inside their requests, and waits until it answers
    /// (within 30 s).
    pub fn start() -> Moto {
        Moto::start_paced(0)
    }

    /// The sandbox with `pace_ms` per resource: stack operations run after their request
    /// answers, one resource per step, as on AWS.
    pub fn start_paced(pace_ms: u32) -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = std::env::temp_dir().join(format!("stackplan-moto-{port}.log"));
        let file = std::fs::File::create(&log).expect("moto log file");
        let child = std::process::Command::new(venv_tool("python"))
            .args(["-m", "stackplan_sandbox", "-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .arg("--pace-ms")
            .arg(pace_ms.to_string())
            .env("PYTHONPATH", workspace_root().join("sandbox"))
            .stdout(file.try_clone().expect("log"))
            .stderr(file)
            .spawn()
            .expect("the sandbox starts");
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
            log,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return moto;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "the sandbox did not start within 30 s; its log: {}",
            moto.log()
        );
    }

    /// What moto printed (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Lists, through the AWS APIs (boto3), what exists in the sandbox: tables, functions,
    /// buckets, log groups, roles, VPCs, ECS clusters, REST APIs.
    pub fn inventory(&self, role_arn: &str) -> serde_json::Value {
        self.tool(role_arn, &["inventory"])
    }

    /// Runs `scripts/moto-tool.py` in the account of `role_arn` (acting on the sandbox
    /// directly, outside Stackplan) and reads its JSON.
    pub fn tool(&self, role_arn: &str, args: &[&str]) -> serde_json::Value {
        let out = std::process::Command::new(venv_tool("python"))
            .arg(workspace_root().join("scripts/moto-tool.py"))
            .args([&self.endpoint, role_arn])
            .args(args)
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "moto-tool {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("moto-tool JSON")
    }

    /// Makes the ECR repository `repository` in the account of `role_arn`, outside Stackplan,
    /// and pushes `manifest` to it tagged `tag`, as a user's pipeline would before a deploy.
    pub fn push_image(&self, role_arn: &str, repository: &str, tag: &str, manifest: &str) {
        self.tool(role_arn, &["repository", repository]);
        self.tool(role_arn, &["put-image", repository, tag, manifest]);
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
