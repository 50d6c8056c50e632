//! What to ask the Price List API for each price the estimator uses: the service code, the
//! usage types to try (with and without the region's billing prefix, because us-east-1 is
//! inconsistent), extra attribute filters, the tier, and the scale from AWS's unit to the book's.
//! Facts from `aws-prices-notes.md` §3.

/// Which price dimension of a (possibly tiered) product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// The n-th tier with a price above zero (1 = the first paid tier); a $0 first tier is a
    /// free allowance, not a price.
    Paid(usize),
}

/// One price to fetch.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub key: String,
    pub service: &'static str,
    /// Usage types to try, in order; the first that returns products is used.
    pub usage_types: Vec<String>,
    /// More TERM_MATCH filters (attribute, value).
    pub filters: Vec<(&'static str, String)>,
    pub tier: Tier,
    /// Book units per AWS unit (1,000,000 for "per 1M requests" against a per-request price).
    pub scale: f64,
    /// Query by the attribute filters alone and pick the usage type from the answer (for
    /// services whose instance type has several SKUs, such as Extended Support surcharges).
    pub by_attributes: bool,
    /// The book's unit.
    pub unit: &'static str,
}

/// Keys the book holds that are billing rules, not list prices: the Price List API has no
/// product for them, so a live book carries them over from the embedded one and says so.
pub const RULES: &[&str] = &[
    "fargate.spot_discount_max",
    "lambda.free_requests",
    "lambda.free_gb_seconds",
    "dynamodb.free_storage_gb",
    "dto.free_gb",
    "logs.free_gb",
    "cloudwatch.free_alarms",
    "cloudwatch.free_metrics",
    "container_insights.metrics_per_cluster",
    "container_insights.metrics_per_service",
    "container_insights.metrics_per_task_family",
    "container_insights.metrics_per_task",
];

/// The usage-type prefix of a region (its billing code).
pub fn prefix(region: &str) -> Option<&'static str> {
    Some(match region {
        "us-east-1" => "USE1",
        "us-west-2" => "USW2",
        "eu-west-1" => "EU",
        "eu-central-1" => "EUC1",
        "ap-southeast-1" => "APS1",
        "ap-northeast-1" => "APN1",
        _ => return None,
    })
}

pub const RDS_CLASSES: &[&str] = &[
    "db.t3.micro",
    "db.t3.small",
    "db.t3.medium",
    "db.t4g.micro",
    "db.t4g.small",
    "db.t4g.medium",
    "db.m6g.large",
];
pub const CACHE_TYPES: &[&str] = &[
    "cache.t3.micro",
    "cache.t3.small",
    "cache.t3.medium",
    "cache.t4g.micro",
    "cache.t4g.small",
    "cache.m6g.large",
];

/// Every price to fetch for `region`.
pub fn specs(region: &str) -> Vec<Spec> {
    let Some(p) = prefix(region) else {
        return Vec::new();
    };
    let both = |u: &str| vec![format!("{p}-{u}"), u.to_string()];
    let pre = |u: &str| vec![format!("{p}-{u}")];
    let mut out = Vec::new();
    let mut add = |key: &str,
                   service: &'static str,
                   usage_types: Vec<String>,
                   filters: Vec<(&'static str, String)>,
                   tier: usize,
                   scale: f64,
                   unit: &'static str| {
        out.push(Spec {
            key: key.to_string(),
            service,
            usage_types,
            filters,
            tier: Tier::Paid(tier),
            scale,
            unit,
            by_attributes: false,
        });
    };
    let none = Vec::new;
    add(
        "fargate.vcpu_hour.x86",
        "AmazonECS",
        pre("Fargate-vCPU-Hours:perCPU"),
        none(),
        1,
        1.0,
        "vCPU-hour",
    );
    add(
        "fargate.gb_hour.x86",
        "AmazonECS",
        pre("Fargate-GB-Hours"),
        none(),
        1,
        1.0,
        "GB-hour",
    );
    add(
        "fargate.vcpu_hour.arm",
        "AmazonECS",
        pre("Fargate-ARM-vCPU-Hours:perCPU"),
        none(),
        1,
        1.0,
        "vCPU-hour",
    );
    add(
        "fargate.gb_hour.arm",
        "AmazonECS",
        pre("Fargate-ARM-GB-Hours"),
        none(),
        1,
        1.0,
        "GB-hour",
    );
    add(
        "fargate.ephemeral_gb_hour",
        "AmazonECS",
        pre("Fargate-EphemeralStorage-GB-Hours"),
        none(),
        1,
        1.0,
        "GB-hour",
    );
    add(
        "lambda.requests_million",
        "AWSLambda",
        both("Request"),
        none(),
        1,
        1e6,
        "1M requests",
    );
    for (key, tier) in [
        ("lambda.gb_second.x86", 1),
        ("lambda.gb_second.x86.tier2", 2),
        ("lambda.gb_second.x86.tier3", 3),
    ] {
        add(
            key,
            "AWSLambda",
            both("Lambda-GB-Second"),
            none(),
            tier,
            1.0,
            "GB-second",
        );
    }
    for (key, tier) in [
        ("lambda.gb_second.arm", 1),
        ("lambda.gb_second.arm.tier2", 2),
        ("lambda.gb_second.arm.tier3", 3),
    ] {
        // Both names, as for x86: the reference rows with a SKU name the us-east-1 usage type
        // without its prefix (`Lambda-GB-Second-ARM`), the other regions' with theirs.
        add(
            key,
            "AWSLambda",
            both("Lambda-GB-Second-ARM"),
            none(),
            tier,
            1.0,
            "GB-second",
        );
    }
    add(
        "lambda.ephemeral_gb_second",
        "AWSLambda",
        both("Lambda-Storage-GB-Second"),
        none(),
        1,
        1.0,
        "GB-second",
    );
    // Fargate Spot: the Price List's current Spot rates (they float).
    for (key, usage, unit) in [
        (
            "fargate.spot.vcpu_hour.x86",
            "SpotUsage:Fargate-vCPU-Hours:perCPU",
            "vCPU-hour",
        ),
        (
            "fargate.spot.gb_hour.x86",
            "SpotUsage:Fargate-GB-Hours",
            "GB-hour",
        ),
        (
            "fargate.spot.vcpu_hour.arm",
            "SpotUsage:Fargate-ARM-vCPU-Hours:perCPU",
            "vCPU-hour",
        ),
        (
            "fargate.spot.gb_hour.arm",
            "SpotUsage:Fargate-ARM-GB-Hours",
            "GB-hour",
        ),
    ] {
        add(key, "AmazonECS", pre(usage), none(), 1, 1.0, unit);
    }
    let alb = || vec![("productFamily", "Load Balancer-Application".to_string())];
    add(
        "alb.hour",
        "AWSELB",
        both("LoadBalancerUsage"),
        alb(),
        1,
        1.0,
        "hour",
    );
    add(
        "alb.lcu_hour",
        "AWSELB",
        both("LCUUsage"),
        alb(),
        1,
        1.0,
        "LCU-hour",
    );
    add(
        "nat.hour",
        "AmazonEC2",
        both("NatGateway-Hours"),
        none(),
        1,
        1.0,
        "hour",
    );
    add(
        "nat.gb",
        "AmazonEC2",
        both("NatGateway-Bytes"),
        none(),
        1,
        1.0,
        "GB",
    );
    for class in RDS_CLASSES {
        let pg = |option: &str| {
            vec![
                ("databaseEngine", "PostgreSQL".to_string()),
                ("deploymentOption", option.to_string()),
            ]
        };
        add(
            &format!("rds.instance_hour.{class}.single"),
            "AmazonRDS",
            both(&format!("InstanceUsage:{class}")),
            pg("Single-AZ"),
            1,
            1.0,
            "instance-hour",
        );
        add(
            &format!("rds.instance_hour.{class}.multi"),
            "AmazonRDS",
            both(&format!("Multi-AZUsage:{class}")),
            pg("Multi-AZ"),
            1,
            1.0,
            "instance-hour",
        );
    }
    for volume in ["gp2", "gp3"] {
        let v = volume.to_uppercase();
        add(
            &format!("rds.storage_gb_month.{volume}.single"),
            "AmazonRDS",
            both(&format!("RDS:{v}-Storage")),
            none(),
            1,
            1.0,
            "GB-month",
        );
        add(
            &format!("rds.storage_gb_month.{volume}.multi"),
            "AmazonRDS",
            both(&format!("RDS:Multi-AZ-{v}-Storage")),
            none(),
            1,
            1.0,
            "GB-month",
        );
    }
    add(
        "rds.backup_gb_month",
        "AmazonRDS",
        both("RDS:ChargedBackupUsage"),
        none(),
        1,
        1.0,
        "GB-month",
    );
    add(
        "rds.cpu_credit_vcpu_hour",
        "AmazonRDS",
        both("CPUCredits:db.t4g"),
        none(),
        1,
        1.0,
        "vCPU-hour",
    );
    for ty in CACHE_TYPES {
        for (engine, name) in [("redis", "Redis"), ("valkey", "Valkey")] {
            let filters = vec![
                ("instanceType", ty.to_string()),
                ("cacheEngine", name.to_string()),
            ];
            add(
                &format!("elasticache.node_hour.{ty}.{engine}"),
                "AmazonElastiCache",
                both(&format!("NodeUsage:{ty}")),
                filters,
                1,
                1.0,
                "node-hour",
            );
        }
    }
    for (key, tier) in [
        ("apigw.rest_million", 1),
        ("apigw.rest_million.tier2", 2),
        ("apigw.rest_million.tier3", 3),
        ("apigw.rest_million.tier4", 4),
    ] {
        add(
            key,
            "AmazonApiGateway",
            pre("ApiGatewayRequest"),
            none(),
            tier,
            1e6,
            "1M requests",
        );
    }
    for (key, tier) in [("apigw.http_million", 1), ("apigw.http_million.tier2", 2)] {
        add(
            key,
            "AmazonApiGateway",
            pre("ApiGatewayHttpRequest"),
            none(),
            tier,
            1e6,
            "1M requests",
        );
    }
    add(
        "dynamodb.wru_million",
        "AmazonDynamoDB",
        both("WriteRequestUnits"),
        none(),
        1,
        1e6,
        "1M WRU",
    );
    add(
        "dynamodb.rru_million",
        "AmazonDynamoDB",
        both("ReadRequestUnits"),
        none(),
        1,
        1e6,
        "1M RRU",
    );
    add(
        "dynamodb.storage_gb_month",
        "AmazonDynamoDB",
        both("TimedStorage-ByteHrs"),
        none(),
        1,
        1.0,
        "GB-month",
    );
    add(
        "s3.storage_gb_month",
        "AmazonS3",
        both("TimedStorage-ByteHrs"),
        none(),
        1,
        1.0,
        "GB-month",
    );
    add(
        "s3.put_thousand",
        "AmazonS3",
        both("Requests-Tier1"),
        none(),
        1,
        1e3,
        "1,000 requests",
    );
    add(
        "s3.get_thousand",
        "AmazonS3",
        both("Requests-Tier2"),
        none(),
        1,
        1e3,
        "1,000 requests",
    );
    add(
        "logs.ingest_gb",
        "AmazonCloudWatch",
        pre("DataProcessing-Bytes"),
        none(),
        1,
        1.0,
        "GB",
    );
    add(
        "logs.storage_gb_month",
        "AmazonCloudWatch",
        pre("TimedStorage-ByteHrs"),
        none(),
        1,
        1.0,
        "GB-month",
    );
    add(
        "cloudwatch.alarm_month",
        "AmazonCloudWatch",
        pre("CW:AlarmMonitorUsage"),
        none(),
        1,
        1.0,
        "alarm-month",
    );
    for (key, tier) in [
        ("cloudwatch.metric_month", 1),
        ("cloudwatch.metric_month.tier2", 2),
    ] {
        add(
            key,
            "AmazonCloudWatch",
            pre("CW:MetricMonitorUsage"),
            none(),
            tier,
            1.0,
            "metric-month",
        );
    }
    add(
        "ecr.storage_gb_month",
        "AmazonECR",
        both("TimedStorage-ByteHrs"),
        none(),
        1,
        1.0,
        "GB-month",
    );
    add(
        "secrets.secret_month",
        "AWSSecretsManager",
        pre("AWSSecretsManager-Secrets"),
        none(),
        1,
        1.0,
        "secret-month",
    );
    add(
        "secrets.api_ten_thousand",
        "AWSSecretsManager",
        pre("AWSSecretsManager-APIRequest"),
        none(),
        1,
        1e4,
        "10,000 requests",
    );
    add(
        "vpc.ipv4_hour",
        "AmazonVPC",
        pre("PublicIPv4:InUseAddress"),
        none(),
        1,
        1.0,
        "IP-hour",
    );
    for (key, tier) in [
        ("dto.gb", 1),
        ("dto.gb.tier2", 2),
        ("dto.gb.tier3", 3),
        ("dto.gb.tier4", 4),
    ] {
        add(
            key,
            "AWSDataTransfer",
            both("DataTransfer-Out-Bytes"),
            none(),
            tier,
            1.0,
            "GB",
        );
    }
    for spec in out.iter_mut().filter(|s| s.service == "AmazonElastiCache") {
        spec.by_attributes = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_book_key_is_fetched_or_a_rule() {
        let specs = specs("us-east-1");
        let keys: std::collections::BTreeSet<&str> = specs.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys.len(), specs.len(), "no key twice");
        for (key, _, _) in shared::cost::PriceBook::embedded().iter() {
            assert!(
                keys.contains(key) || RULES.contains(&key),
                "{key} is neither fetched nor a rule"
            );
        }
    }

    #[test]
    fn prefixes_follow_the_billing_codes() {
        let eu = specs("eu-west-1");
        let nat = eu.iter().find(|s| s.key == "nat.hour").unwrap();
        assert_eq!(
            nat.usage_types,
            vec!["EU-NatGateway-Hours", "NatGateway-Hours"]
        );
        assert!(specs("mars-north-1").is_empty());
        // us-east-1's Lambda usage types come without a prefix (the reference's SKU rows).
        let use1 = specs("us-east-1");
        let arm = use1
            .iter()
            .find(|s| s.key == "lambda.gb_second.arm")
            .unwrap();
        assert_eq!(
            arm.usage_types,
            vec!["USE1-Lambda-GB-Second-ARM", "Lambda-GB-Second-ARM"]
        );
    }
}
