//! Cost lines of the Lambda architecture.

use super::fargate::{app_bucket, data_transfer_out, logs};
use super::{Notes, Options, Pricer, Scenario, assume, fmt_qty};
use crate::decimal::Plain;
use crate::plan::{ApiType, CpuArch, Lambda, Plan};

/// The size of one metered HTTP API request.
const HTTP_API_METERED_KB: u32 = 512;

/// How long a request runs, in seconds, and whether the function's timeout stops it: a request
/// that would outlast the timeout is stopped there (and billed for it, and holds its execution
/// that long, no longer).
pub(super) fn run_seconds(plan: &Plan, l: &Lambda) -> (f64, bool) {
    let duration_ms = plan.workload.avg_duration_ms;
    if u64::from(duration_ms) > u64::from(l.timeout_s) * 1000 {
        (f64::from(l.timeout_s), true)
    } else {
        (f64::from(duration_ms) / 1000.0, false)
    }
}

pub(super) fn lines(
    p: &mut Pricer<'_>,
    a: &mut Notes,
    plan: &Plan,
    l: &Lambda,
    o: Options,
    s: Scenario,
) {
    let w = &plan.workload;
    let free_requests = if o.free_tier {
        p.price("lambda.free_requests").unwrap_or(0.0)
    } else {
        0.0
    };
    let billable_requests = (s.requests - free_requests).max(0.0);
    p.add(
        "Lambda",
        "Requests",
        billable_requests / 1e6,
        "1M requests",
        "lambda.requests_million",
        &|| {
            format!(
                "({} requests − {} free) ÷ 1M",
                fmt_qty(s.requests),
                fmt_qty(free_requests)
            )
        },
    );
    let gb = f64::from(l.memory_mb) / 1024.0;
    let (seconds, timed_out) = run_seconds(plan, l);
    let gb_s = s.requests * seconds * gb;
    let free_gb_s = if o.free_tier {
        p.price("lambda.free_gb_seconds").unwrap_or(0.0)
    } else {
        0.0
    };
    let billable = (gb_s - free_gb_s).max(0.0);
    let (tiers, label): (&[(f64, &str)], &str) = match l.architecture {
        CpuArch::X86_64 => (
            &[
                (6e9, "lambda.gb_second.x86"),
                (9e9, "lambda.gb_second.x86.tier2"),
                (f64::INFINITY, "lambda.gb_second.x86.tier3"),
            ],
            "x86",
        ),
        CpuArch::Arm64 => (
            &[
                (7.5e9, "lambda.gb_second.arm"),
                (11.25e9, "lambda.gb_second.arm.tier2"),
                (f64::INFINITY, "lambda.gb_second.arm.tier3"),
            ],
            "Arm",
        ),
    };
    p.tiered(
        "Lambda",
        &format!("Duration ({label})"),
        billable,
        "GB-seconds",
        tiers,
        &|| {
            format!(
                "{} requests × {} s × {} GB = {} GB-s − {} free",
                fmt_qty(s.requests),
                fmt_qty(seconds),
                fmt_qty(gb),
                fmt_qty(gb_s),
                fmt_qty(free_gb_s)
            )
        },
    );
    if o.free_tier {
        a.say(format_args!("Lambda free tier on: 1M requests and 400,000 GB-s a month are free (permanent, per account)."));
    } else {
        a.say(format_args!(
            "Lambda free tier off: every request and GB-second is billed."
        ));
    }
    if timed_out {
        a.say(format_args!(
            "Lambda: requests average {} ms, past the function's {} s timeout: each is stopped at the timeout and billed for it; 512 MB ephemeral storage is included.",
            fmt_qty(f64::from(w.avg_duration_ms)),
            l.timeout_s
        ));
    } else {
        a.say(format_args!("Lambda: billed duration equals the average request duration (1 ms granularity); 512 MB ephemeral storage is included."));
    }

    match l.api {
        ApiType::Http => p.tiered(
            "API Gateway",
            "HTTP API requests",
            s.requests / 1e6,
            "1M requests",
            &[
                (300.0, "apigw.http_million"),
                (f64::INFINITY, "apigw.http_million.tier2"),
            ],
            &|| format!("{} requests ÷ 1M", fmt_qty(s.requests)),
        ),
        ApiType::Rest => p.tiered(
            "API Gateway",
            "REST API requests",
            s.requests / 1e6,
            "1M requests",
            &[
                (333.0, "apigw.rest_million"),
                (667.0, "apigw.rest_million.tier2"),
                (19_000.0, "apigw.rest_million.tier3"),
                (f64::INFINITY, "apigw.rest_million.tier4"),
            ],
            &|| format!("{} requests ÷ 1M", fmt_qty(s.requests)),
        ),
    }
    // AWS meters HTTP API requests in 512 KB increments. Whether a response's bytes count
    // toward them is not documented, so the increments beyond the first are a line at no
    // known price: the estimate says "at least" rather than guess either way.
    let increments = f64::from(w.avg_response_kb.div_ceil(HTTP_API_METERED_KB));
    if l.api == ApiType::Http && increments > 1.0 {
        p.unpriced(
            "API Gateway",
            "HTTP API requests: 512 KB increments beyond the first",
            s.requests * (increments - 1.0) / 1e6,
            "1M requests",
            &|| {
                format!(
                    "{} requests × {} more 512 KB increments of a {} KB response ÷ 1M",
                    fmt_qty(s.requests),
                    fmt_qty(increments - 1.0),
                    w.avg_response_kb
                )
            },
            "AWS meters HTTP API requests in 512 KB increments, and does not say whether response bytes count",
        );
    }
    a.say(format_args!(
        "API Gateway: the 12-month free tier for new accounts is not applied."
    ));

    if !l.tables.is_empty() {
        let tables = l.tables.len() as f64;
        p.add(
            "DynamoDB",
            "On-demand reads",
            s.requests * assume::DDB_READS_PER_REQUEST / 1e6,
            "1M RRU",
            "dynamodb.rru_million",
            &|| {
                format!(
                    "{} requests × {} read unit each ÷ 1M",
                    fmt_qty(s.requests),
                    Plain(assume::DDB_READS_PER_REQUEST)
                )
            },
        );
        p.add(
            "DynamoDB",
            "On-demand writes",
            s.requests * assume::DDB_WRITES_PER_REQUEST / 1e6,
            "1M WRU",
            "dynamodb.wru_million",
            &|| {
                format!(
                    "{} requests × {} write unit each ÷ 1M",
                    fmt_qty(s.requests),
                    Plain(assume::DDB_WRITES_PER_REQUEST)
                )
            },
        );
        let stored = tables * assume::DDB_GB_PER_TABLE;
        let free = p.take_free("dynamodb.free_storage_gb", stored, o.free_tier);
        let allowance = p.price("dynamodb.free_storage_gb");
        p.add(
            "DynamoDB",
            "Table storage",
            stored - free,
            "GB-months",
            "dynamodb.storage_gb_month",
            &|| match allowance {
                Some(allowance) if o.free_tier => format!(
                    "{} tables × {} GB − {} GB of the always-free {} GB",
                    l.tables.len(),
                    Plain(assume::DDB_GB_PER_TABLE),
                    fmt_qty(free),
                    fmt_qty(allowance)
                ),
                _ => format!(
                    "{} tables × {} GB",
                    l.tables.len(),
                    Plain(assume::DDB_GB_PER_TABLE)
                ),
            },
        );
        a.say(format_args!(
            "DynamoDB: each request reads {} and writes {} request units over all tables; each table holds {} GB.",
            Plain(assume::DDB_READS_PER_REQUEST),
            Plain(assume::DDB_WRITES_PER_REQUEST),
            Plain(assume::DDB_GB_PER_TABLE)
        ));
        p.not_priced(
            "DynamoDB",
            "Point-in-time recovery",
            "billed per GB of table data for continuous backups; small at the assumed table sizes",
        );
    }
    logs(p, o, "Function", w.log_gb_per_month, l.log_retention_days);
    let platform_gb = s.requests * assume::LAMBDA_PLATFORM_LOG_BYTES / 1e9;
    logs(p, o, "Lambda platform", platform_gb, l.log_retention_days);
    a.say(format_args!(
        "Lambda writes its own START, END and REPORT lines for every invocation, about {} bytes, into the function's log group.",
        Plain(assume::LAMBDA_PLATFORM_LOG_BYTES)
    ));
    if l.api == ApiType::Http {
        let access_gb = s.requests * assume::ACCESS_LOG_BYTES / 1e9;
        logs(p, o, "API access", access_gb, l.log_retention_days);
        a.say(format_args!(
            "API Gateway writes one access-log line per request, about {} bytes, into the API's log group.",
            Plain(assume::ACCESS_LOG_BYTES)
        ));
    }
    match &l.image {
        Some(image) => {
            p.not_estimated(
                "ECR",
                "Function image storage",
                &format!(
                    "the repository {image} exists before the stack and is billed there, per GB-month of images kept; pulls in its own region carry no transfer charge"
                ),
            );
            p.not_estimated(
                "S3",
                "Code bucket storage",
                "the stack keeps its code bucket for a move back to zips; it is empty unless zips were uploaded before the move to the image, and those stay billed per GB-month",
            );
        }
        None => p.add(
            "S3",
            "Code bucket storage",
            assume::FUNCTION_CODE_GB,
            "GB-months",
            "s3.storage_gb_month",
            &|| {
                format!(
                    "{} GB of function zips (assumed: every uploaded zip is kept)",
                    Plain(assume::FUNCTION_CODE_GB)
                )
            },
        ),
    }
    if l.bucket {
        app_bucket(p, a, s);
    }
    super::settings::secrets(p, a, plan, &[]);
    super::settings::domain(p, a, plan);
    super::settings::governed(p, a, plan);
    data_transfer_out(p, a, plan, o, s);
}
