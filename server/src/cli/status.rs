//! `stackplan deploy-status`: a deployed stack as the deploy panel shows it, from the command
//! line: its status, failure and outputs; for a service waiting for its first image, the
//! repository, the push commands and whether the image is there; and, with `--start`, the
//! update that starts the service. It drives the same deploy service as the server, with the
//! same roles, so it can do nothing the page could not.

use std::io::Write;
use std::time::Duration;

use shared::api::{CreateDeployment, Status};

use crate::auth::{Grant, Owner, Tokens};
use crate::deploy::DeployError;
use crate::deploy::service::Deployer;
use crate::error::ApiError;

/// How often `--wait` looks for the image, and a started service's progress is read.
const IMAGE_POLL: Duration = Duration::from_secs(10);
const PROGRESS_POLL: Duration = Duration::from_secs(3);

/// The account to act in: the server's deploy flags.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct AccountArgs {
    /// The local sandbox (moto) at this URL instead of AWS.
    #[arg(long, env = "STACKPLAN_AWS_ENDPOINT")]
    pub aws_endpoint: Option<String>,
    /// The deployer role (`stackplan bootstrap` makes it).
    #[arg(long, env = "STACKPLAN_ROLE_ARN", hide_env_values = true)]
    pub role_arn: Option<String>,
    #[arg(long, env = "STACKPLAN_EXTERNAL_ID", hide_env_values = true)]
    pub external_id: Option<String>,
    #[arg(long, env = "STACKPLAN_EXECUTION_ROLE_ARN", hide_env_values = true)]
    pub execution_role_arn: Option<String>,
    #[arg(
        long,
        env = "STACKPLAN_PERMISSIONS_BOUNDARY_ARN",
        hide_env_values = true
    )]
    pub permissions_boundary_arn: Option<String>,
    /// As `stackplan serve`'s (for `--start`).
    #[command(flatten)]
    pub reach: crate::config::ReachArgs,
    /// The server's id key, 64 hex digits: a stack is acted on only if its proof tag was made
    /// with it (default: the one kept in the data directory).
    #[arg(long, env = "STACKPLAN_ID_KEY", hide_env_values = true)]
    pub id_key: Option<String>,
    /// The server's data directory, where its id key is kept (default: ~/.cache/stackplan).
    #[arg(long, env = "STACKPLAN_DATA_DIR")]
    pub data_dir: Option<std::path::PathBuf>,
}

impl AccountArgs {
    fn config(&self) -> crate::Config {
        crate::Config {
            aws_endpoint: self.aws_endpoint.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.external_id.clone(),
            execution_role_arn: self.execution_role_arn.clone(),
            permissions_boundary_arn: self.permissions_boundary_arn.clone(),
            reach: self.reach.clone(),
            id_key: self.id_key.clone(),
            data_dir: self.data_dir.clone(),
            ..crate::Config::default()
        }
    }

    /// The configuration with the server's id key, which must exist: the command proves a
    /// stack Stackplan's with it, so a key made anew here would prove none.
    fn config_with_key(&self) -> Result<crate::Config, String> {
        let key =
            crate::deploy::id::IdKey::existing(self.id_key.as_deref(), self.data_dir.clone())?;
        Ok(crate::Config {
            id_key: Some(key.to_hex()),
            ..self.config()
        })
    }
}

/// `stackplan deploy-status`'s arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct DeployStatusArgs {
    /// The stack's name.
    #[arg(long)]
    pub stack: String,
    /// The stack's region, e.g. us-east-1.
    #[arg(long)]
    pub region: String,
    /// Wait until the service's image is pushed (looking every 10 s).
    #[arg(long)]
    pub wait: bool,
    /// The longest `--wait` waits, in minutes (1 to 1440); then it exits 3, as without it.
    #[arg(long, requires = "wait", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub wait_minutes: u64,
    /// Once the image is pushed, start the service: the update to the planned task count.
    #[arg(long)]
    pub start: bool,
    /// The tenant whose stack it is (its token's `owner` in the server's tokens file); without
    /// it, the stack of a token with no owner.
    #[arg(long)]
    pub owner: Option<String>,
    #[command(flatten)]
    pub account: AccountArgs,
}

/// How `deploy-status` ended: its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The stack is settled and well (or busy with an operation that has not failed, and
    /// nothing was asked of it).
    Fine = 0,
    /// The stack failed (or is rolling back its failed operation), or the request did.
    Failed = 1,
    /// The flags were refused before any call: a region, a role or a stack name that cannot be.
    Usage = 2,
    /// The service waits for its image, which is not pushed yet.
    WaitingForImage = 3,
    /// No stack of that name that this server made (under this id key, for this owner) is
    /// there: a job can tell a wrong name, owner or key from a stack that failed.
    NotFound = 4,
}

/// Runs `deploy-status`, writing what it finds to `out` and why it failed to `err`.
pub async fn run(
    args: &DeployStatusArgs,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> Outcome {
    match status(args, out).await {
        Ok(outcome) => outcome,
        Err((outcome, message)) => {
            let _ = writeln!(
                err,
                "{}",
                super::printable(&format!("stackplan deploy-status: {message}"))
            );
            outcome
        }
    }
}

/// The public sentence of a deploy error, with its problems; the error itself (AWS's own
/// message, for the operator) goes to the log, as the server's does, unless it says no more
/// than the sentence printed below it.
fn explain(e: DeployError) -> String {
    let error = ApiError::from(e);
    let body = error.body();
    let logged = error.to_string();
    if logged != body.message {
        tracing::warn!("{logged}");
    }
    let mut text = body.message;
    for p in body.problems {
        text.push_str(&format!("\n  {}: {}", p.path, p.message));
    }
    text
}

/// What went wrong, and the exit code it makes.
type Refusal = (Outcome, String);

fn usage(message: impl Into<String>) -> Refusal {
    (Outcome::Usage, message.into())
}

fn failed(message: impl Into<String>) -> Refusal {
    (Outcome::Failed, message.into())
}

async fn status(args: &DeployStatusArgs, out: &mut (dyn Write + Send)) -> Result<Outcome, Refusal> {
    if let Err(problem) = crate::deploy::valid_stack_name(&args.stack) {
        return Err(usage(format!("--stack: {problem}")));
    }
    if shared::plan::Region::from_code(&args.region).is_none() {
        return Err(usage(format!(
            "\"{}\" is not a region Stackplan deploys to ({})",
            args.region,
            shared::plan::Region::ALL
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let config = args.account.config_with_key().map_err(usage)?;
    let clients = crate::aws::Clients::load(&config.aws()).await;
    let deployer = crate::deployer(&config, &clients, &Tokens::default())
        .map_err(|e| usage(format!("{e:#}")))?
        .ok_or_else(|| usage("nowhere to look: give --role-arn (an AWS account, see `stackplan bootstrap`) or --aws-endpoint (the local sandbox)"))?;
    let grant = Grant {
        roles: None,
        owner: args
            .owner
            .as_deref()
            .map(Owner::new)
            .transpose()
            .map_err(|e| usage(format!("--owner {e}")))?,
        code_buckets: None,
        image_repositories: None,
        stack_prefix: None,
    };
    let id = deployer
        .find(&grant, &args.stack, &args.region)
        .await
        .map_err(|e| match e {
            DeployError::UnknownDeployment(_) => (
                Outcome::NotFound,
                format!(
                    "no stack {} that Stackplan made in {}{}",
                    args.stack,
                    args.region,
                    if args.owner.is_some() {
                        " for this owner"
                    } else {
                        " (a tenant's stack needs --owner)"
                    }
                ),
            ),
            e @ DeployError::Unproven { .. } => (Outcome::NotFound, explain(e)),
            other => failed(explain(other)),
        })?;
    let status = deployer
        .status(&grant, &id)
        .await
        .map_err(|e| failed(explain(e)))?;
    print_status(&status, out);
    let Some(wait) = status.waiting_for_image.as_deref() else {
        if args.start || args.wait {
            let _ = writeln!(
                out,
                "\nThe stack's service waits for no image: there is nothing to wait for or start."
            );
        }
        return Ok(outcome_of(&status));
    };
    let _ = writeln!(
        out,
        "\nThe service runs no task until its image is in the stack's repository: {}:{}.\nBuild and push it ({}):",
        wait.repository_uri, wait.image_tag, wait.platform
    );
    for command in &wait.commands {
        let _ = writeln!(out, "  {command}");
    }
    if let Some(command) = &wait.sandbox_command {
        let _ = writeln!(
            out,
            "The sandbox has no Docker registry; this records an image with that tag instead:\n  {command}"
        );
    }
    let give_up = tokio::time::Instant::now() + Duration::from_secs(args.wait_minutes * 60);
    let mut said_waiting = false;
    loop {
        let check = deployer
            .image(&grant, &id)
            .await
            .map_err(|e| failed(explain(e)))?;
        if check.pushed {
            let _ = writeln!(
                out,
                "\nThe image {}:{} is there.",
                check.repository_uri, check.image_tag
            );
            break;
        }
        if !args.wait {
            let _ = writeln!(
                out,
                "\nThe image is not pushed yet. Then start the service: this command with --start (add --wait to wait for the push), or \"Start the service\" in the planner."
            );
            return Ok(Outcome::WaitingForImage);
        }
        if tokio::time::Instant::now() + IMAGE_POLL > give_up {
            let _ = writeln!(
                out,
                "\nStopped waiting after {} minutes (--wait-minutes): the image is not pushed yet.",
                args.wait_minutes
            );
            return Ok(Outcome::WaitingForImage);
        }
        if !said_waiting {
            let _ = writeln!(
                out,
                "Waiting for {}:{} (looking every {} s, for at most {} minutes) …",
                check.repository_uri,
                check.image_tag,
                IMAGE_POLL.as_secs(),
                args.wait_minutes
            );
            said_waiting = true;
        }
        tokio::time::sleep(IMAGE_POLL).await;
    }
    if !args.start {
        let _ = writeln!(
            out,
            "Start the service: this command with --start, or \"Start the service\" in the planner."
        );
        return Ok(Outcome::Fine);
    }
    start(&deployer, &grant, args, &status, out)
        .await
        .map_err(failed)
}

/// "Start the service": the plan the stack was deployed from, again, as an update; the deploy
/// service sees the image and lets the service run its planned tasks.
async fn start(
    deployer: &Deployer,
    grant: &Grant,
    args: &DeployStatusArgs,
    status: &Status,
    out: &mut (dyn Write + Send),
) -> Result<Outcome, String> {
    let link = status
        .plan_link
        .as_deref()
        .ok_or("the stack's template records no plan, so Stackplan cannot update it")?;
    let plan = shared::link::decode(link)
        .map_err(|e| format!("the stack's recorded plan: {}", e.of_record()))?;
    let created = deployer
        .create(
            grant,
            CreateDeployment {
                plan,
                stack_name: args.stack.clone(),
                template: None,
                role_arn: None,
                update: true,
                parameters: Default::default(),
            },
        )
        .await
        .map_err(explain)?;
    let changes: Vec<String> = created
        .change_set
        .iter()
        .flat_map(|c| &c.changes)
        .map(|c| format!("{} {}", c.action, c.logical_id))
        .collect();
    let _ = writeln!(out, "Starting the service: {}", changes.join(", "));
    // The change set may still be computing; CloudFormation takes it once it is ready.
    let mut tries = 0;
    loop {
        match deployer.execute(grant, &created.id).await {
            Ok(_) => break,
            Err(DeployError::ChangeSetUnavailable(state))
                if state.contains("CREATE_") && !state.contains("COMPLETE") && tries < 30 =>
            {
                tries += 1;
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(e) => return Err(explain(e)),
        }
    }
    let mut last = String::new();
    loop {
        let now = deployer.status(grant, &created.id).await.map_err(explain)?;
        let line = format!(
            "{} ({}/{})",
            now.status, now.progress.finished, now.progress.total
        );
        if line != last {
            let _ = writeln!(out, "  {line}");
            last = line;
        }
        if now.done {
            let _ = writeln!(out);
            print_status(&now, out);
            return Ok(if now.succeeded {
                Outcome::Fine
            } else {
                Outcome::Failed
            });
        }
        tokio::time::sleep(PROGRESS_POLL).await;
    }
}

/// What a stack's status says to a job: failed once settled unsuccessfully, or while it rolls
/// back (the operation has failed already; the rollback only undoes it); otherwise well, busy
/// or not.
fn outcome_of(status: &shared::api::Status) -> Outcome {
    if (status.done && !status.succeeded) || status.status.contains("ROLLBACK_") {
        Outcome::Failed
    } else {
        Outcome::Fine
    }
}

/// What AWS says of the stack (its reasons, its outputs), control characters as escapes.
fn print_status(status: &Status, out: &mut (dyn Write + Send)) {
    let mut text = Vec::new();
    write_status(status, &mut text);
    let _ = out.write_all(super::printable(&String::from_utf8_lossy(&text)).as_bytes());
}

fn write_status(status: &Status, out: &mut Vec<u8>) {
    let _ = writeln!(
        out,
        "{} in {}: {}{}",
        status.stack_name,
        status.region,
        status.status,
        status
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    if let Some(f) = &status.failure {
        let _ = writeln!(
            out,
            "First failure: {} ({}): {}",
            f.logical_id, f.resource_type, f.reason
        );
    }
    for o in &status.outputs {
        let _ = writeln!(out, "  {:<22} {}", o.key, o.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: &str, done: bool, succeeded: bool) -> shared::api::Status {
        serde_json::from_value(serde_json::json!({
            "id": "d", "stack_name": "shop", "region": "us-east-1", "status": status,
            "reason": null, "done": done, "succeeded": succeeded, "outputs": [],
            "failure": null, "progress": shared::api::Progress::default()
        }))
        .unwrap()
    }

    /// A job hears of a failed operation as soon as its rollback starts, not only once the
    /// rollback is over; a stack busy with an operation that has not failed is well.
    #[test]
    fn a_stack_rolling_back_has_failed() {
        for (s, done, succeeded, outcome) in [
            ("CREATE_COMPLETE", true, true, Outcome::Fine),
            ("CREATE_IN_PROGRESS", false, false, Outcome::Fine),
            (
                "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                false,
                false,
                Outcome::Fine,
            ),
            ("ROLLBACK_IN_PROGRESS", false, false, Outcome::Failed),
            ("UPDATE_ROLLBACK_IN_PROGRESS", false, false, Outcome::Failed),
            (
                "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                false,
                false,
                Outcome::Failed,
            ),
            ("ROLLBACK_COMPLETE", true, false, Outcome::Failed),
            ("UPDATE_FAILED", true, false, Outcome::Failed),
        ] {
            assert_eq!(outcome_of(&status(s, done, succeeded)), outcome, "{s}");
        }
    }
}
