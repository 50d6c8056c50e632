//! The command line: parsing, reading plans, and printing what `shared` computes (the terminal
//! tables are in `tables.rs`).

/// A line on standard error, as `eprintln!` writes it, but one that cannot be written (a full
/// disk, a closed pipe) is dropped rather than a panic: the exit code still tells what happened.
/// Its control characters are written as escapes ([`printable`]).
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            $crate::cli::printable(&format!($($arg)*))
        );
    }};
}

pub mod status;
mod tables;

pub use tables::{render_comparison, render_diff, render_estimate};

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use shared::cost::{self, PriceBook};
use shared::validate::limits;
use shared::{ArchitectureKind, Plan, Severity, ValidPlan, examples, template};

/// Stackplan: plan a web service on AWS, see its template, cost and topology, and deploy it.
#[derive(Debug, Parser)]
#[command(name = "stackplan", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What a plan command's exit code says (README, "Command line").
const PLAN_EXIT_CODES: &str = "Exit codes: 0 done; 1 a file could not be read or the output not written; 2 the plan or the flags are refused (one line per problem, with its field path).";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a complete, valid example plan.
    Example {
        #[arg(value_enum)]
        architecture: Arch,
    },
    /// Check a plan: exit 0 if valid, 2 with one line per problem if not.
    #[command(after_help = PLAN_EXIT_CODES)]
    Validate {
        /// Plan file (JSON), or - for standard input.
        #[arg(long)]
        plan: PathBuf,
    },
    /// Print the CloudFormation template of a plan.
    #[command(after_help = PLAN_EXIT_CODES)]
    Template {
        /// Plan file (JSON), or - for standard input.
        #[arg(long)]
        plan: PathBuf,
        /// The template's format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
    },
    /// Print the monthly cost estimate of a plan, line by line.
    #[command(after_help = PLAN_EXIT_CODES)]
    Estimate {
        /// Plan file (JSON), or - for standard input.
        #[arg(long)]
        plan: PathBuf,
        /// Print JSON instead of a table (the same as --format json).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// A table for people, or JSON for programs.
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
        /// Leave out the always-free allowances (Lambda requests and GB-s, 100 GB out,
        /// CloudWatch's logs, alarms and metrics, DynamoDB storage).
        #[arg(long)]
        no_free_tier: bool,
        /// Print the monthly difference from this plan (e.g. the deployed one) instead, line by
        /// line and in total.
        #[arg(long)]
        against: Option<PathBuf>,
    },
    /// Price the plan's workload on both architectures and find where they cross.
    #[command(after_help = PLAN_EXIT_CODES)]
    Compare {
        /// Plan file (JSON), or - for standard input.
        #[arg(long)]
        plan: PathBuf,
        /// Print JSON instead of a table (the same as --format json).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// A table for people, or JSON for programs.
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
        /// Leave out the always-free allowances.
        #[arg(long)]
        no_free_tier: bool,
        /// The Lambda side's memory in MB (128–10240; default: the Fargate task's memory).
        #[arg(long, value_parser = clap::value_parser!(u32).range(
            i64::from(limits::MIN_LAMBDA_MEMORY_MB)..=i64::from(limits::MAX_LAMBDA_MEMORY_MB)
        ))]
        lambda_memory_mb: Option<u32>,
        /// The Lambda side's CPU architecture (default: the Fargate task's).
        #[arg(long, value_enum)]
        lambda_arch: Option<ArchArg>,
    },
    /// Print the stack's topology diagram (derived from the template).
    #[command(after_help = PLAN_EXIT_CODES)]
    Topology {
        /// Plan file (JSON), or - for standard input.
        #[arg(long)]
        plan: PathBuf,
        /// The diagram's format.
        #[arg(long, value_enum, default_value_t = TopologyFormat::Svg)]
        format: TopologyFormat,
    },
    /// Print a share link carrying the whole plan, or decode one back to plan JSON.
    #[command(after_help = PLAN_EXIT_CODES)]
    Link {
        /// Plan file (JSON), or - for standard input.
        #[arg(long, conflicts_with = "decode", required_unless_present = "decode")]
        plan: Option<PathBuf>,
        /// Where the planner is served.
        #[arg(long, default_value = "http://127.0.0.1:8080/")]
        base: String,
        /// A share link (or its `#plan=…` fragment) to turn back into plan JSON; `-` reads it
        /// from standard input.
        #[arg(long)]
        decode: Option<String>,
        /// Say in the link that its estimate leaves out the always-free allowances, so the
        /// planner opens it priced that way.
        #[arg(long, conflicts_with = "decode")]
        no_free_tier: bool,
    },
    /// Print the bucket policy the plan's own log bucket (`log_bucket`) needs, so that its
    /// stacks' access logs can be delivered into it (add its statements to the bucket's policy).
    #[command(after_help = PLAN_EXIT_CODES)]
    LogBucketPolicy {
        /// Plan file (JSON), or - for standard input.
        #[arg(long)]
        plan: PathBuf,
        /// The account the stacks deploy into (12 digits; default: a placeholder to replace).
        #[arg(long, value_parser = account_id)]
        account: Option<String>,
    },
    /// Print the JSON Schema of plan files.
    Schema,
    /// Serve the planner in the browser.
    Serve(Box<crate::Config>),
    /// Write the account bootstrap template (deployer role, execution role, permissions
    /// boundary) and print the command that deploys it.
    Bootstrap {
        /// Where to write the template. A file there is replaced only if it is an earlier
        /// bootstrap template, or with --force.
        #[arg(long, default_value = "stackplan-bootstrap.json")]
        out: PathBuf,
        /// Replace the file at --out whatever it holds.
        #[arg(long)]
        force: bool,
        /// The IAM principal the Stackplan server runs as (the deployer role trusts it).
        #[arg(long)]
        trusted_principal: Option<String>,
        /// The ExternalId the deployer role asks for (default: a new one).
        #[arg(long)]
        external_id: Option<String>,
        /// What the stacks may read and write beyond their own resources.
        #[command(flatten)]
        reach: crate::config::ReachArgs,
    },
    /// A deployed stack's status, outputs and, for a service waiting for its first image, the
    /// push commands; `--start` starts the service once the image is there. Exit codes: 0
    /// well, 1 failed, 2 flags refused, 3 waiting for the image, 4 no such stack of this
    /// server's (name, owner or id key).
    DeployStatus(Box<status::DeployStatusArgs>),
    /// Print the proof tag a stack needs before the server acts on it, for a stack this server
    /// made before stacks carried one. Reads the server's id key as `serve` does and makes no
    /// AWS call: add the tag to the stack yourself. Exit codes: 0 printed, 2 flags refused or
    /// no id key.
    ProveStack(Box<ProveStackArgs>),
    /// Live prices from the AWS Price List API (needs AWS credentials).
    Prices {
        #[command(subcommand)]
        action: PricesAction,
    },
}

/// `stackplan prove-stack`'s flags.
#[derive(Debug, clap::Args)]
pub struct ProveStackArgs {
    /// The stack's ARN (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID): its account,
    /// region and name are what the proof is of.
    #[arg(long)]
    pub stack_arn: String,
    /// The stack's CreationTime, as `aws cloudformation describe-stacks` prints it
    /// (2026-11-30T10:00:00.123000+00:00), or as Unix seconds.
    #[arg(long)]
    pub created: String,
    /// The stack's RoleARN, as `aws cloudformation describe-stacks` prints it (the bootstrap's
    /// execution role); the proof covers it. Required unless --no-stack-role.
    #[arg(long, required_unless_present = "no_stack_role")]
    pub stack_role_arn: Option<String>,
    /// The stack has no RoleARN (CloudFormation acted as whoever made it).
    #[arg(long, conflicts_with = "stack_role_arn")]
    pub no_stack_role: bool,
    /// The tenant (a tokens file's `owner`) the stack was made for, if it carries
    /// `stackplan:owner`.
    #[arg(long)]
    pub owner: Option<String>,
    /// The server's id key, 64 hex digits (default: the one kept in the data directory).
    #[arg(long, env = "STACKPLAN_ID_KEY", hide_env_values = true)]
    pub id_key: Option<String>,
    /// The server's data directory (default: ~/.cache/stackplan).
    #[arg(long, env = "STACKPLAN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

/// What `stackplan prove-stack` prints: the tag, and how to add it.
pub fn prove_stack(args: &ProveStackArgs) -> Result<String, String> {
    let arn = crate::deploy::StackArn::parse(args.stack_arn.trim()).ok_or_else(|| {
        "--stack-arn: not a stack ARN (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID)"
            .to_string()
    })?;
    let created = unix_seconds(args.created.trim()).ok_or_else(|| {
        format!(
            "--created: \"{}\" is not a time as describe-stacks prints CreationTime (2026-11-30T10:00:00.123000+00:00) or Unix seconds",
            args.created
        )
    })?;
    let owner = match &args.owner {
        Some(o) => Some(crate::auth::Owner::new(o).map_err(|e| format!("--owner: it {e}"))?),
        None => None,
    };
    let role = args.stack_role_arn.as_deref().map(str::trim);
    if let Some(role) = role.filter(|r| !crate::deploy::valid_role_arn(r)) {
        return Err(format!(
            "--stack-role-arn: \"{role}\" is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME), as describe-stacks prints the stack's RoleARN"
        ));
    }
    let key = crate::deploy::id::IdKey::existing(args.id_key.as_deref(), args.data_dir.clone())?;
    let of = crate::deploy::id::ProofOf {
        account: &arn.account,
        region: &arn.region,
        name: &arn.name,
        owner: owner.as_ref().map(crate::auth::Owner::as_str),
        role,
    };
    let proof = key.stack_proof(&of, created);
    let tag = crate::deploy::PROOF_TAG;
    Ok(format!(
        "{tag}={proof}\n\n\
         This proof is of the stack {name} ({region}) acting as {role_said}. \
         Adding this tag to the stack lets the server with this id key act on it \
         (read, update, delete). Make sure first that this server made it: its RoleARN is the \
         bootstrap's execution role, and CloudTrail's CreateStack event for it was made by the \
         deployer role. Anyone may have set its stackplan:managed tag; this command checks nothing.\n\n\
         CloudFormation changes a stack's tags only in an update, which replaces them all, and \
         only of a stack that can be updated (not ROLLBACK_COMPLETE or DELETE_FAILED: delete such \
         a stack with the AWS console or CLI). Keep the tags it has (stackplan:managed among \
         them{owner_note}) and add this one, for example\n  \
         aws cloudformation update-stack --region {region} --stack-name {name} \
         --use-previous-template --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM \
         --parameters <ParameterKey=KEY,UsePreviousValue=true for each of its parameters> \
         --tags <its tags as Key=K,Value=V> Key={tag},Value={proof}\n",
        name = arn.name,
        region = arn.region,
        role_said = role.map_or_else(
            || "no role (no RoleARN)".to_string(),
            |r| format!("the role {r}")
        ),
        owner_note = if owner.is_some() {
            ", and stackplan:owner"
        } else {
            ""
        },
    ))
}

/// A time as Unix seconds: RFC 3339 as the AWS CLI prints it (`2026-11-30T10:00:00.123000+00:00`,
/// `…Z`; fractions of a second dropped), or Unix seconds; from 1970 to 9999, and only a date
/// and time that exist.
fn unix_seconds(text: &str) -> Option<i64> {
    const LATEST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if let Some(secs) = number(text) {
        return (secs <= LATEST).then_some(secs);
    }
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut d = date.splitn(3, '-');
    let (y, m, day) = (number(d.next()?)?, number(d.next()?)?, number(d.next()?)?);
    let (clock, offset) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (c, o) = rest.split_at(at);
        let sign = if o.starts_with('-') { -1 } else { 1 };
        let (oh, om) = o[1..].split_once(':')?;
        let (oh, om) = (number(oh)?, number(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (c, sign * (oh * 3600 + om * 60))
    };
    let clock = match clock.split_once('.') {
        Some((whole, frac))
            if !frac.is_empty() && frac.len() <= 9 && frac.bytes().all(|b| b.is_ascii_digit()) =>
        {
            whole
        }
        Some(_) => return None,
        None => clock,
    };
    let mut c = clock.splitn(3, ':');
    let (h, min, sec) = (number(c.next()?)?, number(c.next()?)?, number(c.next()?)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in_month = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1970..=9999).contains(&y)
        || !(1..=days_in_month).contains(&day)
        || h > 23
        || min > 59
        || sec > 59
    {
        return None;
    }
    // Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + min * 60 + sec - offset;
    (0..=LATEST).contains(&secs).then_some(secs)
}

#[cfg(test)]
mod time_tests {
    use super::unix_seconds;

    #[test]
    fn creation_times_read_as_the_aws_cli_prints_them() {
        for (text, secs) in [
            ("2026-11-30T10:00:00.123000+00:00", 1_796_032_800),
            ("2026-11-30T10:00:00Z", 1_796_032_800),
            ("2026-11-30T11:30:00+01:30", 1_796_032_800),
            ("2026-11-30T08:00:00-02:00", 1_796_032_800),
            ("1970-01-01T00:00:00Z", 0),
            ("2000-02-29T00:00:00Z", 951_782_400),
            ("2024-02-29T23:59:59.999999999Z", 1_709_251_199),
            ("1796032800", 1_796_032_800),
        ] {
            assert_eq!(unix_seconds(text), Some(secs), "{text}");
        }
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-30",
            "2026-11-30T10:00:00",
            "2026-11-30T25:00:00Z",
            "-5",
            // Dates that do not exist, offsets no clock has, a dot without digits, years
            // out of range.
            "2026-02-31T10:00:00Z",
            "2026-02-29T10:00:00Z",
            "2026-11-30T10:00:00+99:99",
            "2026-11-30T10:00:00.+00:00",
            "2026-11-30T10:00:00+0000",
            "999999999999999999-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "999999999999",
        ] {
            assert_eq!(unix_seconds(bad), None, "{bad}");
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PricesAction {
    /// Fetch a live price book for a region; prints it (or writes it) in the embedded book's TSV format.
    Refresh {
        /// The region whose prices to fetch (us-east-1, us-west-2, eu-west-1, eu-central-1,
        /// ap-southeast-1, ap-northeast-1).
        #[arg(long)]
        region: String,
        /// Write the book to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Compare a region's live prices with the embedded book.
    Diff {
        /// The region whose live prices to compare.
        #[arg(long)]
        region: String,
    },
}

/// A CPU architecture on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ArchArg {
    #[value(name = "x86_64")]
    X86_64,
    #[value(name = "arm64")]
    Arm64,
}

impl ArchArg {
    fn arch(self) -> shared::plan::CpuArch {
        match self {
            ArchArg::X86_64 => shared::plan::CpuArch::X86_64,
            ArchArg::Arm64 => shared::plan::CpuArch::Arm64,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Arch {
    Fargate,
    Lambda,
}

impl From<Arch> for ArchitectureKind {
    fn from(a: Arch) -> Self {
        match a {
            Arch::Fargate => ArchitectureKind::Fargate,
            Arch::Lambda => ArchitectureKind::Lambda,
        }
    }
}

/// How `estimate` and `compare` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TopologyFormat {
    Svg,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Json,
    Yaml,
}

impl From<OutputFormat> for template::Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Json => template::Format::Json,
            OutputFormat::Yaml => template::Format::Yaml,
        }
    }
}

/// Exit code of a plan or flags a command refuses (a file it cannot read is 1).
pub const EXIT_INVALID: u8 = 2;

/// Why a command failed: what to print and how to exit.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {path}: {}", io_words(source))]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Parse(#[from] shared::plan::ParseError),
    #[error("{0}")]
    Link(shared::link::LinkError),
    #[error("{}", .0.iter().filter(|p| p.severity == Severity::Error).map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<shared::Problem>),
    /// Flags that do not go together, or with this plan.
    #[error("{0}")]
    Usage(String),
    /// A problem of the plan `--against` names, which is not the one `--plan` names.
    #[error("--against {path}: {inner}")]
    Against { path: String, inner: Box<CliError> },
}

/// An I/O error as a sentence: the system's words without its error number ("Is a directory",
/// not "Is a directory (os error 21)").
pub fn io_words(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Read { .. } => 1,
            CliError::Parse(_) | CliError::Invalid(_) | CliError::Link(_) | CliError::Usage(_) => {
                EXIT_INVALID
            }
            CliError::Against { inner, .. } => inner.exit_code(),
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    if let Command::Serve(config) = cli.command {
        return serve(*config);
    }
    if let Command::Prices { action } = cli.command {
        return prices(action);
    }
    if let Command::DeployStatus(args) = cli.command {
        return deploy_status(&args);
    }
    if let Command::ProveStack(args) = cli.command {
        return match prove_stack(&args) {
            Ok(text) => print_out("stackplan prove-stack", &text),
            Err(e) => {
                say!("stackplan prove-stack: {e}");
                ExitCode::from(EXIT_INVALID)
            }
        };
    }
    if let Command::Bootstrap {
        out,
        force,
        trusted_principal,
        external_id,
        reach,
    } = cli.command
    {
        let options = reach.options();
        if !force && let Some(problem) = crate::bootstrap::not_to_replace(&out) {
            say!("stackplan bootstrap: --out {}: {problem}", out.display());
            return ExitCode::from(EXIT_INVALID);
        }
        return bootstrap(&out, trusted_principal, external_id, &options);
    }
    let result = match cli.command {
        Command::Serve(_)
        | Command::Prices { .. }
        | Command::Bootstrap { .. }
        | Command::ProveStack(_)
        | Command::DeployStatus(_) => {
            unreachable!("handled above")
        }
        Command::Example { architecture } => {
            Ok(examples::for_kind(architecture.into()).to_json_pretty() + "\n")
        }
        Command::Validate { plan } => load_valid(&plan).map(|valid| {
            let mut out = String::new();
            for warning in valid.warnings() {
                out.push_str(&format!("{warning}\n"));
            }
            out.push_str(&format!(
                "{}: valid {} plan\n",
                valid.project,
                valid.kind().label()
            ));
            out
        }),
        Command::LogBucketPolicy { plan, account } => load_valid(&plan).and_then(|valid| {
            let account = account.as_deref().unwrap_or(template::ACCOUNT_PLACEHOLDER);
            template::users_log_bucket_policy(&valid, account)
                .map(|doc| serde_json::to_string_pretty(&doc).expect("policies serialize") + "\n")
                .ok_or_else(|| {
                    CliError::Invalid(vec![shared::Problem {
                        path: "log_bucket".into(),
                        message: "the plan names no log bucket of yours: its stacks make their own"
                            .into(),
                        severity: Severity::Error,
                    }])
                })
        }),
        Command::Template { plan, format } => {
            load_valid(&plan).map(|valid| template::generate(&valid).render(format.into()))
        }
        Command::Estimate {
            plan,
            json,
            format,
            no_free_tier,
            against: Some(old),
        } => {
            let json = json || format == TableFormat::Json; (if is_stdin(&plan) && is_stdin(&old) {
            Err(CliError::Usage(
                "--plan and --against cannot both read standard input (-): give one of them a file"
                    .into(),
            ))
        } else {
            load_valid(&old).map_err(|inner| CliError::Against {
                path: old.display().to_string(),
                inner: Box::new(inner),
            })
        })
        .and_then(|old| {
            load_valid(&plan).map(|new| {
                let options = cost::Options {
                    free_tier: !no_free_tier,
                };
                let before = cost::estimate(&old, PriceBook::embedded(), options);
                let after = cost::estimate(&new, PriceBook::embedded(), options);
                let diff = cost::difference(&before, &after);
                if json {
                    serde_json::to_string_pretty(&diff).expect("differences serialize") + "\n"
                } else {
                    tables::render_difference(&diff)
                }
            })
        })
        }
        Command::Estimate {
            plan,
            json,
            format,
            no_free_tier,
            against: None,
        } => load_valid(&plan).map(|valid| {
            let json = json || format == TableFormat::Json;
            let options = cost::Options {
                free_tier: !no_free_tier,
            };
            let estimate = cost::estimate(&valid, PriceBook::embedded(), options);
            let ceiling = cost::ceiling(&valid, PriceBook::embedded(), options);
            if json {
                // The estimate, and beside it the autoscaling ceiling the table prints
                // (`null` for Lambda, or when the range's top runs every task already).
                let mut value = serde_json::to_value(&estimate).expect("estimate serializes");
                value["autoscaling_ceiling"] =
                    serde_json::to_value(ceiling).expect("ceiling serializes");
                serde_json::to_string_pretty(&value).expect("estimate serializes") + "\n"
            } else {
                render_estimate(&estimate, ceiling)
            }
        }),
        Command::Compare {
            plan,
            json,
            format,
            no_free_tier,
            lambda_memory_mb,
            lambda_arch,
        } => load_valid(&plan).and_then(|valid| {
            let json = json || format == TableFormat::Json;
            // The flags set the Lambda side of a Fargate plan; a Lambda plan is its own.
            if valid.kind() == ArchitectureKind::Lambda {
                let given: Vec<&str> = [
                    lambda_memory_mb.map(|_| "--lambda-memory-mb"),
                    lambda_arch.map(|_| "--lambda-arch"),
                ]
                .into_iter()
                .flatten()
                .collect();
                if !given.is_empty() {
                    return Err(CliError::Usage(format!(
                        "{} set the Lambda side of a Fargate plan; this plan is Lambda: change lambda.memory_mb or lambda.architecture in it instead",
                        given.join(" and ")
                    )));
                }
            }
            let options = cost::Options {
                free_tier: !no_free_tier,
            };
            let sides = cost::Sides {
                lambda_memory_mb,
                lambda_architecture: lambda_arch.map(ArchArg::arch),
            };
            let comparison = cost::compare(&valid, PriceBook::embedded(), options, sides);
            if json {
                let out = serde_json::json!({
                    "fargate": comparison.fargate,
                    "lambda": comparison.lambda,
                    "break_even_requests_per_month": comparison.break_even_requests_per_month,
                    "break_even_bound": comparison.break_even_bound,
                    "break_even_note": comparison.break_even_note,
                    "crossings_before": comparison.crossings_before,
                    "cheaper_above_break_even": comparison.cheaper_above_break_even,
                    "dominant": comparison.dominant,
                    "assumptions": comparison.assumptions,
                });
                Ok(serde_json::to_string_pretty(&out).expect("comparison serializes") + "\n")
            } else {
                Ok(render_comparison(&comparison))
            }
        }),
        Command::Topology { plan, format } => load_valid(&plan).map(|valid| {
            let template = template::generate(&valid);
            let topology = shared::topology::build(&template);
            match format {
                TopologyFormat::Json => {
                    serde_json::to_string_pretty(&topology).expect("topology serializes") + "\n"
                }
                TopologyFormat::Svg => {
                    let estimate =
                        cost::estimate(&valid, PriceBook::embedded(), cost::Options::default());
                    topology.to_svg(&|ty, n| cost::node_cost_text(&estimate, ty, n))
                }
            }
        }),
        Command::Link {
            plan,
            base,
            decode,
            no_free_tier,
        } => match (plan, decode) {
            (_, Some(text)) => {
                // Trimmed here, not only by `decode`: how it was priced is read from its end.
                let text = if text == "-" {
                    read_text(
                        std::path::Path::new("-"),
                        "it is longer than 1 MiB, and a share link is at most 8,192 characters: is it the link?",
                    )
                } else {
                    Ok(text)
                }
                .map(|t| t.trim().to_string());
                text.and_then(|text| {
                    shared::link::decode(&text)
                        .map(|plan| {
                            // The plan goes to standard output, how it was priced to standard
                            // error.
                            if let Some(words) = link_pricing_words(&text) {
                                say!("{words}");
                            }
                            // A link can carry a plan no planner would make (written by hand, or
                            // by an older Stackplan): said, and the plan still written out.
                            for problem in shared::check(&plan)
                                .iter()
                                .filter(|p| p.severity == Severity::Error)
                            {
                                say!("the link's plan is not valid: {problem}");
                            }
                            plan.to_json_pretty() + "\n"
                        })
                        .map_err(CliError::Link)
                })
            }
            (Some(path), None) => {
                let base_ok = ["http://", "https://"].iter().any(|scheme| {
                    base.strip_prefix(scheme)
                        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
                }) && !base.contains(char::is_whitespace);
                if base_ok {
                    load_valid(&path).and_then(|valid| {
                        // Priced as `stackplan estimate` prices it: with the embedded book.
                        let book = PriceBook::embedded();
                        let link = shared::link::link_priced(
                            &valid,
                            &base,
                            !no_free_tier,
                            Some((&book.version, &book.date)),
                            shared::cost::Sides::default(),
                        );
                        // A link its own reader would refuse is not printed.
                        if link.len() > shared::link::MAX_LINK_CHARS {
                            Err(CliError::Usage(format!(
                                "--base: with this base the link is {} characters long; share links are at most {}",
                                link.len(),
                                shared::link::MAX_LINK_CHARS
                            )))
                        } else {
                            Ok(link + "\n")
                        }
                    })
                } else {
                    Err(CliError::Usage(format!(
                        "--base: \"{base}\" is not where a planner is served (http:// or https://, then a host)"
                    )))
                }
            }
            (None, None) => unreachable!("clap requires --plan or --decode"),
        },
        Command::Schema => {
            Ok(serde_json::to_string_pretty(&shared::plan_schema()).expect("schema") + "\n")
        }
    };
    match result {
        Ok(text) => print_out("stackplan", &text),
        Err(e) => {
            say!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Reads a plan file (or stdin for `-`).
pub fn read_plan_text(path: &std::path::Path) -> Result<String, CliError> {
    read_text(
        path,
        "it is longer than 1 MiB, and a plan is a few kilobytes: is it the plan file?",
    )
}

/// Reads a file (or stdin for `-`) of at most 1 MiB of UTF-8 text; `too_long` says why a longer
/// one is not what was asked for.
fn read_text(path: &std::path::Path, too_long: &'static str) -> Result<String, CliError> {
    // A plan is a few kilobytes, a template that records one some tens, a link at most 8 KiB:
    // what is longer is not read to its end (`/dev/zero`, an endless pipe, a disk image given
    // by mistake).
    const MAX_BYTES: u64 = 1024 * 1024;
    let read = |from: &mut dyn Read| -> std::io::Result<String> {
        let mut bytes = Vec::new();
        from.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                too_long,
            ));
        }
        String::from_utf8(bytes).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "it is not UTF-8 text, as a plan file is",
            )
        })
    };
    let result = if is_stdin(path) {
        read(&mut std::io::stdin())
    } else {
        std::fs::File::open(path).and_then(|mut f| read(&mut f))
    };
    let text = result.map_err(|source| CliError::Read {
        path: if is_stdin(path) {
            "standard input".into()
        } else {
            path.display().to_string()
        },
        source,
    })?;
    Ok(text)
}

/// What a share link says about how its sharer priced it, in words, if it says anything.
fn link_pricing_words(link: &str) -> Option<String> {
    let mut words = Vec::new();
    if !shared::link::free_tier_of(link) {
        words.push("without the always-free allowances".to_string());
    }
    if let Some((version, date)) = shared::link::book_of(link) {
        words.push(format!("with price book {version} ({date})"));
    }
    let embedded = PriceBook::embedded();
    let other_book = shared::link::book_of(link)
        .is_some_and(|(version, date)| version != embedded.version || date != embedded.date);
    (!words.is_empty()).then(|| {
        let mut text = format!("The sharer priced this plan {}.", words.join(", "));
        if other_book {
            text.push_str(&format!(
                " This build's estimate uses price book {} ({}).",
                embedded.version, embedded.date
            ));
        }
        text
    })
}

/// An AWS account ID, for clap.
fn account_id(text: &str) -> Result<String, String> {
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_string())
    } else {
        Err(format!("\"{text}\" is not an AWS account ID (12 digits)"))
    }
}

/// Whether a plan flag names standard input (`-`).
fn is_stdin(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads, parses and validates a plan.
pub fn load_valid(path: &std::path::Path) -> Result<ValidPlan, CliError> {
    let text = read_plan_text(path)?;
    let plan = Plan::from_json_first(&text).map_err(|e| not_a_template(path, &text, e))?;
    ValidPlan::new(plan).map_err(CliError::Invalid)
}

/// A plan file's error, unless the file is a template: then what to do instead. The commands
/// read plan files only (a deploy of an edited template would deploy the plan it records, not
/// the edits); a template Stackplan wrote records its plan, which `link --decode`
/// writes out.
fn not_a_template(path: &std::path::Path, text: &str, error: shared::plan::ParseError) -> CliError {
    use shared::template::Recorded;
    let name = if is_stdin(path) {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    match shared::template::recorded_code(text) {
        Recorded::NoTemplate => error.with_the_others(text).into(),
        Recorded::Foreign => CliError::Usage(format!(
            "{name} is a CloudFormation template, not a plan file, and not one Stackplan wrote (it records no plan at Metadata.Stackplan.Plan); `stackplan example fargate` writes a plan file to start from"
        )),
        // The command is printed only for a code that reads as a plan: the file may come from
        // anyone, and what is printed is pasted into a shell.
        Recorded::Code(code) => match shared::link::decode(&code) {
            Ok(_) => CliError::Usage(format!(
                "{name} is a template Stackplan wrote, not a plan file. The plan it records (without any edit made to the template since) is written out by:\n  stackplan link --decode {code} > plan.json"
            )),
            Err(e) => CliError::Usage(format!(
                "{name} is a template, not a plan file, and the plan it records (Metadata.Stackplan.Plan) could not be read: {e}"
            )),
        },
    }
}

/// Runs a command's async work on a new runtime; exit 1 when there can be none.
fn block_on(command: &str, work: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(work),
        Err(e) => {
            say!("stackplan {command}: cannot start the async runtime: {e}");
            ExitCode::from(1)
        }
    }
}

fn serve(config: crate::Config) -> ExitCode {
    crate::init_logging();
    block_on("serve", async {
        match crate::serve(config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                say!("stackplan serve: {e:#}");
                ExitCode::from(if e.downcast_ref::<crate::RefusedFlag>().is_some() {
                    EXIT_INVALID
                } else {
                    1
                })
            }
        }
    })
}

/// `stackplan deploy-status`.
fn deploy_status(args: &status::DeployStatusArgs) -> ExitCode {
    // Warnings only: AWS's own message when a call fails, as the server's log would have it.
    crate::init_logging_at("warn,aws_config=error");
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    block_on("deploy-status", async {
        ExitCode::from(status::run(args, &mut out, &mut err).await as u8)
    })
}

/// `stackplan bootstrap`.
fn bootstrap(
    out: &std::path::Path,
    principal: Option<String>,
    external_id: Option<String>,
    options: &crate::bootstrap::Options,
) -> ExitCode {
    let problems = options.problems();
    if !problems.is_empty() {
        for p in problems {
            say!("stackplan bootstrap: {p}");
        }
        return ExitCode::from(2);
    }
    let mut refused = false;
    if let Some(problem) = external_id
        .as_deref()
        .and_then(crate::bootstrap::external_id_problem)
    {
        say!("stackplan bootstrap: --external-id: {problem}");
        refused = true;
    }
    if let Some(problem) = principal
        .as_deref()
        .and_then(crate::bootstrap::principal_problem)
    {
        say!("stackplan bootstrap: --trusted-principal: {problem}");
        refused = true;
    }
    if refused {
        return ExitCode::from(2);
    }
    let fresh = external_id.is_none();
    let external_id = match external_id.map_or_else(crate::bootstrap::new_external_id, Ok) {
        Ok(id) => id,
        Err(e) => {
            say!("stackplan bootstrap: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = std::fs::write(out, crate::bootstrap::template_json(options)) {
        say!("stackplan bootstrap: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    let principal = principal.unwrap_or_else(|| "<the ARN the Stackplan server runs as>".into());
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    let text = format!(
        "Wrote {}. Stacks may read existing secrets and parameters under: {}; write DNS records in the hosted zones: {}.\n\
         Deploy it in the AWS account to deploy into:\n\n  {}\n\n\
         Then start the server with the stack's outputs:\n\n  \
         stackplan serve --role-arn <DeployerRoleArn> --execution-role-arn <ExecutionRoleArn> --permissions-boundary-arn <PermissionsBoundaryArn> --external-id {}{}\n",
        out.display(),
        list(&options.settings_prefixes),
        list(&options.hosted_zone_ids),
        crate::bootstrap::command(&out.display().to_string(), &principal, &external_id),
        crate::bootstrap::shell_word(&external_id),
        options.serve_flags()
    );
    // Updating a bootstrap stack with a fresh ExternalId changes the deployer role's trust:
    // the running server's AssumeRole is refused until it is restarted with the new one.
    let text = if fresh {
        format!(
            "{text}
The ExternalId above is new. Updating a bootstrap stack that a server already uses? Run this again with --external-id <the ID that server is started with>: a new ID locks that server out until it is restarted with it.
"
        )
    } else {
        text
    };
    print_out("stackplan bootstrap", &text)
}

/// `text` with each control character but a line break or a tab written as its escape
/// (`\u{1b}`). What the command line prints holds the user's keys and values, or those of
/// whoever sent a share link, and a terminal takes an escape sequence in them for a command (a
/// new window title, a cleared screen).
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let control = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes a command's answer to standard output, its control characters as escapes
/// ([`printable`]) when that is a terminal: written to a file or a pipe it is the answer as it
/// is (JSON and YAML leave DEL and the C1 controls unescaped, and `\u{7f}` would be neither).
/// `who` prefixes an error. A reader that stops early (`| head`) is not an error: the answer was
/// for it alone.
fn print_out(who: &str, text: &str) -> ExitCode {
    use std::io::IsTerminal;
    let mut out = std::io::stdout().lock();
    let text = if out.is_terminal() {
        printable(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    match out.write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            say!("{who}: cannot write output: {e}");
            ExitCode::from(1)
        }
    }
}

/// `stackplan prices refresh|diff`.
fn prices(action: PricesAction) -> ExitCode {
    block_on("prices", async {
        let region = match &action {
            PricesAction::Refresh { region, .. } | PricesAction::Diff { region } => region.clone(),
        };
        if shared::plan::Region::from_code(&region).is_none() {
            say!(
                "stackplan prices: {region} is not a region Stackplan prices (it prices {})",
                shared::plan::Region::codes()
            );
            return ExitCode::from(EXIT_INVALID);
        }
        let clients = crate::aws::Clients::load(&crate::aws::Settings::default()).await;
        if !clients
            .has_credentials(std::time::Duration::from_secs(5))
            .await
        {
            say!(
                "stackplan prices: {}",
                crate::prices::PricingError::NoCredentials
            );
            return ExitCode::from(1);
        }
        let pricing = crate::prices::Pricing::new(clients.pricing.clone());
        say!(
            "fetching {} prices for {region} from the AWS Price List API…",
            crate::prices::catalog::specs(&region).len()
        );
        let live = match pricing.refresh(&region).await {
            Ok(live) => live,
            Err(e) => {
                say!("stackplan prices: {e}");
                return ExitCode::from(1);
            }
        };
        for w in live.unknown() {
            say!("unknown: {}: {}", w.key, w.reason);
        }
        match action {
            PricesAction::Refresh { out, .. } => {
                let text = live.book.to_tsv();
                match out {
                    Some(path) => {
                        if let Err(e) = std::fs::write(&path, text) {
                            say!("stackplan prices: cannot write {}: {e}", path.display());
                            return ExitCode::from(1);
                        }
                        say!("wrote {}", path.display());
                    }
                    None => return print_out("stackplan prices", &text),
                }
            }
            PricesAction::Diff { .. } => return print_out("stackplan prices", &render_diff(&live)),
        }
        ExitCode::SUCCESS
    })
}
