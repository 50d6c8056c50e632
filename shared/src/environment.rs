//! The service's environment: which names a user may set, how a secret reference is checked,
//! and how it becomes an ARN in a template. Pure; the validator and both template builders use
//! it, so a name the validator accepts is one the template can carry.

use crate::plan::{ArchitectureKind, EnvSource, EnvVar, Plan};

/// The most variables a plan may give.
pub const MAX_VARIABLES: usize = 50;
/// The longest plain value.
pub const MAX_VALUE: usize = 4096;
/// The most text (names, values and references) an environment may hold. (The template's
/// real size is checked too, by `ValidPlan::new`: CloudFormation takes 51,200 bytes inline.)
pub const MAX_TEXT: usize = 8 * 1024;
/// Lambda's limit on a function's whole environment (names and values), in bytes.
pub const LAMBDA_ENV_BYTES: usize = 4096;
/// The longest SSM parameter name (AWS's limit, including the path).
pub const MAX_PARAMETER_NAME: usize = 1011;
/// The longest Secrets Manager secret name.
pub const MAX_SECRET_NAME: usize = 512;

/// The names Lambda reserves (its documented list) and the ones ECS sets for a task's
/// credentials and metadata. Other `AWS_*` names (`AWS_LAMBDA_EXEC_WRAPPER`,
/// `AWS_NODEJS_CONNECTION_REUSE_ENABLED`, …) are the user's to set.
const AWS_RESERVED: [&str; 21] = [
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_LAMBDA_LOG_FORMAT",
    "AWS_LAMBDA_LOG_LEVEL",
];

/// Why a name cannot be given, if it cannot: AWS sets it, or the template does.
pub fn reserved(plan: &Plan, name: &str) -> Option<String> {
    if AWS_RESERVED.contains(&name) {
        return Some(format!(
            "{name} is reserved: AWS sets AWS_* variables like it itself (the region, the function's \
             name, the credentials); Lambda refuses them and in ECS they would shadow the task's own"
        ));
    }
    if name.starts_with("ECS_") {
        return Some(format!(
            "{name} is reserved: ECS sets ECS_* variables itself (the task metadata endpoint)"
        ));
    }
    if ["LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"].contains(&name) {
        return Some(format!(
            "{name} is reserved: Lambda sets it to the function's code and runtime directories"
        ));
    }
    template_names(plan)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, what)| {
            format!("{name} is set by the template itself ({what}); choose another name")
        })
}

/// The variables the template itself gives the service, with what each carries.
pub fn template_names(plan: &Plan) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut add = |name: &str, what: &'static str| out.push((name.to_string(), what));
    match &plan.architecture {
        crate::plan::Architecture::Fargate(f) => {
            add("PORT", "the container port");
            add("BUCKET_NAME", "the app bucket's name");
            if f.database.is_some() {
                add("DB_HOST", "the database's address");
                add("DB_PORT", "the database's port");
                add("DB_NAME", "the database's name");
                add("DB_USERNAME", "the database user, from RDS's secret");
                add(
                    "DB_PASSWORD",
                    "the database password at the task's start, from RDS's secret",
                );
                add(
                    "DB_IAM_USER",
                    "the user the task may log in as with IAM instead, once created and granted rds_iam (never DB_USERNAME: PostgreSQL then refuses its password)",
                );
                add(
                    "DB_SECRET_ARN",
                    "RDS's secret, which the task may read: RDS rotates the password every 7 days, so read the current one from it when a login fails",
                );
            }
            if f.cache.is_some() {
                add("REDIS_HOST", "the Redis address");
                add("REDIS_PORT", "the Redis port");
                add("REDIS_TLS", "that Redis speaks TLS");
                if plan.governed {
                    add("REDIS_USERNAME", "the service's Redis user");
                    add("REDIS_AUTH_TOKEN", "the Redis user's password");
                } else {
                    add("REDIS_AUTH_TOKEN", "the Redis AUTH token");
                }
            }
        }
        crate::plan::Architecture::Lambda(l) => {
            add("SERVICE_NAME", "the project's name");
            for table in &l.tables {
                out.push((
                    crate::template::lambda::table_env(table),
                    "a DynamoDB table's name",
                ));
            }
            if l.bucket {
                out.push(("BUCKET_NAME".into(), "the app bucket's name"));
            }
        }
    }
    out
}

fn text_len(v: &EnvVar) -> usize {
    [&v.value, &v.secret, &v.ssm_parameter, &v.json_key]
        .iter()
        .map(|t| t.as_deref().map_or(0, str::len))
        .sum()
}

fn json_key_ok(key: &str) -> bool {
    (1..=128).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

fn name_ok(name: &str) -> bool {
    (2..=128).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The logical id of the secret the stack generates for variable `name`.
pub fn generated_id(name: &str) -> String {
    let mut id = String::from("Generated");
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    id.push_str("Secret");
    id
}

/// A reference's form: an ARN, or a name in the stack's own account and region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reference<'a> {
    Arn(&'a str),
    Name(&'a str),
}

/// Whether `region` is shaped as AWS's region codes are (`us-east-1`, `us-gov-west-1`): two
/// letters, one or more words, a number. A deploy asks the region an ARN names (which may be
/// one Stackplan does not plan in), so a typo must not become a host name to call.
pub fn region_shaped(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let lower = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase());
    parts.len() >= 3
        && parts[0].len() == 2
        && lower(&parts[0])
        && parts[1..parts.len() - 1].iter().all(lower)
        && parts[parts.len() - 1].len() <= 2
        && !parts[parts.len() - 1].is_empty()
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
}

fn arn_region_and_account(rest: &str) -> Option<(&str, &str, &str)> {
    let mut parts = rest.splitn(3, ':');
    let region = parts.next()?;
    let account = parts.next()?;
    let tail = parts.next()?;
    let region_ok = region_shaped(region);
    let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
    (region_ok && account_ok).then_some((region, account, tail))
}

fn parameter_name_ok(name: &str) -> bool {
    let body = name.strip_prefix('/').unwrap_or(name);
    !body.is_empty()
        && name.len() <= MAX_PARAMETER_NAME
        && body.split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        })
}

/// Checks an SSM parameter reference: a name (`/stackplan/db-password`) or an ARN.
fn parameter(reference: &str) -> Result<Reference<'_>, String> {
    if let Some(rest) = reference.strip_prefix("arn:aws:ssm:") {
        let (_, _, tail) = arn_region_and_account(rest).ok_or_else(|| {
            format!("\"{reference}\" is not a parameter ARN (arn:aws:ssm:<region>:<12-digit account>:parameter/<name>)")
        })?;
        let name = tail.strip_prefix("parameter").filter(|n| n.starts_with('/')).ok_or_else(|| {
            format!("\"{reference}\" is not a parameter ARN (arn:aws:ssm:<region>:<12-digit account>:parameter/<name>)")
        })?;
        if !parameter_name_ok(name) {
            return Err(format!(
                "\"{name}\" is not a parameter name (letters, digits, _ . - and / between levels)"
            ));
        }
        return Ok(Reference::Arn(reference));
    }
    if reference.starts_with("arn:") {
        return Err(format!(
            "\"{reference}\" is not an SSM parameter ARN (arn:aws:ssm:…); a Secrets Manager secret goes in `secret`"
        ));
    }
    if !parameter_name_ok(reference) {
        return Err(format!(
            "\"{reference}\" is not a parameter name: letters, digits, _ . - and / between levels, at most {MAX_PARAMETER_NAME} characters (for example /stackplan/db-password)"
        ));
    }
    let first = reference.trim_start_matches('/').to_ascii_lowercase();
    if first.starts_with("aws") || first.starts_with("ssm") {
        return Err(format!(
            "\"{reference}\": parameter names starting with \"aws\" or \"ssm\" are reserved by AWS"
        ));
    }
    Ok(Reference::Name(reference))
}

fn secret_name_ok(name: &str) -> bool {
    (1..=MAX_SECRET_NAME).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
}

/// Whether a secret name or ARN ends in the six-character suffix Secrets Manager appends.
fn has_suffix(name: &str) -> bool {
    name.len() > 7
        && name.as_bytes()[name.len() - 7] == b'-'
        && name[name.len() - 6..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric())
}

/// Checks a Secrets Manager reference: a name or an ARN.
fn secret(reference: &str) -> Result<Reference<'_>, String> {
    if let Some(rest) = reference.strip_prefix("arn:aws:secretsmanager:") {
        let bad = || {
            format!(
                "\"{reference}\" is not a secret ARN (arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>)"
            )
        };
        let (_, _, tail) = arn_region_and_account(rest).ok_or_else(bad)?;
        let name = tail.strip_prefix("secret:").ok_or_else(bad)?;
        if !secret_name_ok(name) {
            return Err(bad());
        }
        return Ok(Reference::Arn(reference));
    }
    if reference.starts_with("arn:") {
        return Err(format!(
            "\"{reference}\" is not a Secrets Manager ARN (arn:aws:secretsmanager:…); an SSM parameter goes in `ssm_parameter`"
        ));
    }
    if !secret_name_ok(reference) {
        return Err(format!(
            "\"{reference}\" is not a secret name: letters, digits and / _ + = . @ -, at most {MAX_SECRET_NAME} characters"
        ));
    }
    if has_suffix(reference) {
        return Err(format!(
            "\"{reference}\" ends like the six-character suffix Secrets Manager adds to ARNs, so AWS would misread it: give the secret's full ARN"
        ));
    }
    Ok(Reference::Name(reference))
}

/// Every problem of the plan's environment: `(path, message)`.
pub fn check(plan: &Plan) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let env = &plan.environment;
    if env.len() > MAX_VARIABLES {
        out.push((
            "environment".into(),
            format!(
                "{} variables is too many (at most {MAX_VARIABLES})",
                env.len()
            ),
        ));
    }
    let kind = plan.kind();
    for (i, var) in env.iter().enumerate() {
        let at = |field: &str| format!("environment[{i}].{field}");
        if !name_ok(&var.name) {
            let spaced = var.name.trim() != var.name && name_ok(var.name.trim());
            out.push((
                at("name"),
                format!(
                    "\"{}\" is not a variable name{}: 2–128 letters, digits and _, starting with a letter",
                    var.name,
                    if spaced { " (it has spaces around it)" } else { "" }
                ),
            ));
        } else if let Some(why) = reserved(plan, &var.name) {
            out.push((at("name"), why));
        } else if let Some(j) = env[..i].iter().position(|v| v.name == var.name) {
            out.push((
                at("name"),
                format!("{} is already given at environment[{j}]", var.name),
            ));
        } else if var.generate
            && let Some(j) = env[..i]
                .iter()
                .position(|v| v.generate && generated_id(&v.name) == generated_id(&var.name))
        {
            out.push((
                at("name"),
                format!(
                    "{} and environment[{j}] ({}) differ only in case or underscores; generated secrets need names that differ in letters",
                    var.name, env[j].name
                ),
            ));
        }
        match var.source() {
            None => out.push((
                format!("environment[{i}]"),
                format!(
                    "{}: give exactly one of `value`, `ssm_parameter`, `secret` or `generate: true`",
                    if var.name.is_empty() { "a variable" } else { &var.name }
                ),
            )),
            Some(EnvSource::Value(v)) => {
                if v.len() > MAX_VALUE {
                    out.push((
                        at("value"),
                        format!("{} characters is too long (at most {MAX_VALUE})", v.len()),
                    ));
                } else if crate::validate::holds_dynamic_reference(v) {
                    out.push((
                        at("value"),
                        "a plain value must not hold a CloudFormation dynamic reference ({{resolve:…}}); name the secret in `secret` instead".into(),
                    ));
                }
            }
            Some(EnvSource::SsmParameter(p)) => {
                if kind == ArchitectureKind::Lambda {
                    out.push((
                        at("ssm_parameter"),
                        "a Lambda function cannot get a SecureString parameter in its environment: CloudFormation does not resolve `ssm-secure` references there. Keep the value in Secrets Manager (`secret`), or read the parameter in the function's code".into(),
                    ));
                } else if let Err(why) = parameter(p) {
                    out.push((at("ssm_parameter"), why));
                }
            }
            Some(EnvSource::Secret(s)) => {
                if let Err(why) = secret(s) {
                    out.push((at("secret"), why));
                }
            }
            Some(EnvSource::Generated) => {}
        }
        if let Some(key) = &var.json_key {
            if var.secret.is_none() {
                out.push((
                    at("json_key"),
                    "a JSON key picks a value out of a `secret` that holds JSON; this variable names no secret".into(),
                ));
            } else if !json_key_ok(key) {
                out.push((
                    at("json_key"),
                    format!("\"{key}\" is not a JSON key Stackplan can pass on: 1-128 letters, digits, _ . - (ECS and CloudFormation read : as a separator)"),
                ));
            }
        }
    }
    let text: usize = env.iter().map(|v| v.name.len() + text_len(v)).sum();
    if text > MAX_TEXT {
        out.push((
            "environment".into(),
            format!(
                "the variables hold {text} characters of names, values and references; at most {MAX_TEXT} fit in a template"
            ),
        ));
    }
    if kind == ArchitectureKind::Lambda {
        let own: usize = template_names(plan).iter().map(|(n, _)| n.len() + 64).sum();
        // Secrets are resolved into the environment too: a generated one is 48 characters.
        let given: usize = env
            .iter()
            .map(|v| {
                v.name.len()
                    + v.value.as_deref().map_or(0, str::len)
                    + if v.generate { 48 } else { 0 }
            })
            .sum();
        if own + given > LAMBDA_ENV_BYTES {
            out.push((
                "environment".into(),
                format!(
                    "the function's variables would take about {} bytes; Lambda allows {LAMBDA_ENV_BYTES} for the whole environment",
                    own + given
                ),
            ));
        }
    }
    out
}

/// Words that say a variable holds a secret.
const SECRET_WORDS: [&str; 5] = ["PASSWORD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY"];

/// Findings that do not block the plan: `(path, message)`.
pub fn warnings(plan: &Plan) -> Vec<(String, String)> {
    plan.environment
        .iter()
        .enumerate()
        .filter(|(_, v)| matches!(v.source(), Some(EnvSource::Value(_))))
        .filter(|(_, v)| {
            let upper = v.name.to_ascii_uppercase();
            SECRET_WORDS.iter().any(|w| upper.contains(w))
        })
        .map(|(i, v)| {
            (
                format!("environment[{i}].value"),
                format!(
                    "{} looks like a secret, but a plain value is written into the template for anyone who can read it; keep it in `secret` or `ssm_parameter`, or `generate` it",
                    v.name
                ),
            )
        })
        .collect()
}

/// The secret a reference names, as its ARN spells it, and the account an ARN puts it in
/// (`None`: the stack's own). `None` for a malformed reference.
pub(crate) fn secret_target(reference: &str) -> Option<(&str, Option<&str>)> {
    match secret(reference).ok()? {
        Reference::Name(name) => Some((name, None)),
        Reference::Arn(arn) => {
            let rest = arn.strip_prefix("arn:aws:secretsmanager:")?;
            let (_, account, tail) = arn_region_and_account(rest)?;
            Some((tail.strip_prefix("secret:")?, Some(account)))
        }
    }
}

/// The parameter a reference names, as its ARN spells it (no leading `/`), and the account an
/// ARN puts it in (`None`: the stack's own). `None` for a malformed reference.
pub(crate) fn parameter_target(reference: &str) -> Option<(&str, Option<&str>)> {
    match parameter(reference).ok()? {
        Reference::Name(name) => Some((name.trim_start_matches('/'), None)),
        Reference::Arn(arn) => {
            let rest = arn.strip_prefix("arn:aws:ssm:")?;
            let (_, account, tail) = arn_region_and_account(rest)?;
            Some((tail.strip_prefix("parameter/")?, Some(account)))
        }
    }
}

/// Which store an existing value is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    SecretsManager,
    ParameterStore,
}

/// An existing secret or parameter a variable reads, as a deploy looks it up before it
/// creates anything (a missing one would fail the stack minutes later, or leave a service's
/// tasks failing to start).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The variable's field, as the validator's paths: `environment[2].secret`.
    pub path: String,
    pub store: Store,
    /// What the store is asked for: a secret's name or ARN as written; a parameter's name as
    /// the store spells it (`/stackplan/db` for `stackplan/db` or its ARN, whose path drops
    /// the leading `/` of a name with levels).
    pub id: String,
    /// The region an ARN names (`None`: the stack's).
    pub region: Option<String>,
    /// The name as IAM's ARNs spell it (a parameter's without its leading `/`): what the
    /// account's settings prefixes are matched against.
    pub name: String,
}

impl Lookup {
    /// Every name the value may go by: a parameter of one level is reached by the same ARN
    /// (`parameter/db`) whether it is named `db` or `/db`, so either will do.
    pub fn spellings(&self) -> Vec<String> {
        let bare = self.id.trim_start_matches('/');
        if self.store == Store::ParameterStore && !bare.contains('/') {
            let other = if self.id.starts_with('/') {
                bare.to_string()
            } else {
                format!("/{bare}")
            };
            vec![self.id.clone(), other]
        } else {
            vec![self.id.clone()]
        }
    }

    /// Why the deploy stops when the store has no such value in `region` (the lookup's own,
    /// else the stack's).
    pub fn missing(&self, region: &str) -> String {
        let region = self.region.as_deref().unwrap_or(region);
        match self.store {
            // A secret's ARN ends with six characters AWS adds to its name: a secret made
            // again gets others, so an ARN is never made, only corrected.
            Store::SecretsManager if self.id.starts_with("arn:") => format!(
                "Secrets Manager has no secret {} in {region}: if the secret exists, give its complete ARN (with the six characters AWS adds to its name) or its name; if not, create it in {region} and give its name",
                self.id
            ),
            Store::SecretsManager => format!(
                "Secrets Manager has no secret {} in {region}: create it there (`aws secretsmanager create-secret --region {region} --name {} --secret-string VALUE`), or correct the name",
                self.id, self.id
            ),
            Store::ParameterStore => format!(
                "Parameter Store has no parameter {} in {region}: create it there (`aws ssm put-parameter --region {region} --type SecureString --name {} --value VALUE`), or correct the name",
                self.id, self.id
            ),
        }
    }

    /// Why the deploy stops for a secret that is scheduled for deletion: no one can read it.
    pub fn deleting(&self, region: &str) -> String {
        let region = self.region.as_deref().unwrap_or(region);
        format!(
            "the secret {} in {region} is scheduled for deletion, and nothing can read it meanwhile: restore it (`aws secretsmanager restore-secret --region {region} --secret-id {}`), or name another",
            self.id, self.id
        )
    }
}

/// The existing secrets and parameters `plan`'s variables read, one lookup per variable
/// (malformed references are the validator's to report, and are left out).
pub fn lookups(plan: &Plan) -> Vec<Lookup> {
    let arn_region = |reference: &str, service: &str| {
        reference
            .strip_prefix(service)
            .and_then(arn_region_and_account)
            .map(|(region, _, _)| region.to_string())
    };
    let mut out = Vec::new();
    for (i, v) in plan.environment.iter().enumerate() {
        match v.source() {
            Some(EnvSource::Secret(reference)) => {
                let Some((name, _)) = secret_target(reference) else {
                    continue;
                };
                out.push(Lookup {
                    name: name.to_string(),
                    path: format!("environment[{i}].secret"),
                    store: Store::SecretsManager,
                    id: reference.to_string(),
                    region: arn_region(reference, "arn:aws:secretsmanager:"),
                });
            }
            Some(EnvSource::SsmParameter(reference)) => {
                let Some((name, _)) = parameter_target(reference) else {
                    continue;
                };
                // A name with levels starts with `/` (the template's ARN,
                // `parameter/<name>`, drops it); an ARN's name is what follows `:parameter`.
                let id = match reference.split_once(":parameter") {
                    Some((_, name)) if reference.starts_with("arn:") => name.to_string(),
                    _ if reference.starts_with('/') || !reference.contains('/') => {
                        reference.to_string()
                    }
                    _ => format!("/{reference}"),
                };
                out.push(Lookup {
                    name: name.to_string(),
                    path: format!("environment[{i}].ssm_parameter"),
                    store: Store::ParameterStore,
                    id,
                    region: arn_region(reference, "arn:aws:ssm:"),
                });
            }
            _ => {}
        }
    }
    out
}

/// How a template names a reference: text for `Fn::Sub` when it holds `${…}`, else a literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnText(pub String);

impl ArnText {
    pub fn needs_sub(&self) -> bool {
        self.0.contains("${")
    }
}

/// The ARN of an SSM parameter reference (a name is in the stack's own account and region).
pub fn parameter_arn(reference: &str) -> ArnText {
    match parameter(reference) {
        Ok(Reference::Arn(arn)) => ArnText(arn.to_string()),
        _ => ArnText(format!(
            "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{}",
            reference.trim_start_matches('/')
        )),
    }
}

/// What ECS is given for a secret reference (an ARN, partial when named), and what IAM grants
/// read on: the exact secret, or `<name>-??????` (the six characters AWS appends) for a name.
pub fn secret_arns(reference: &str) -> (ArnText, Vec<ArnText>) {
    match secret(reference) {
        Ok(Reference::Arn(arn)) => {
            // `…:secret:prod/app-config` may be partial (the secret `prod/app-config-AbCdEf`)
            // or complete (`prod/app` + `-config`): AWS cannot tell, so both are granted.
            let mut grants = vec![ArnText(format!("{arn}-??????"))];
            if has_suffix(arn) {
                grants.insert(0, ArnText(arn.to_string()));
            }
            (ArnText(arn.to_string()), grants)
        }
        _ => {
            let arn = format!(
                "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{reference}"
            );
            let grant = format!("{arn}-??????");
            (ArnText(arn), vec![ArnText(grant)])
        }
    }
}

/// The variables of `plan` that refer to secrets (the ones kept out of the template).
pub fn secrets(plan: &Plan) -> impl Iterator<Item = &EnvVar> {
    plan.environment.iter().filter(|v| v.is_secret())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;

    fn with(kind: ArchitectureKind, env: Vec<EnvVar>) -> Plan {
        let mut plan = examples::for_kind(kind);
        plan.environment = env;
        plan
    }

    fn var(name: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            ..EnvVar::default()
        }
    }

    #[test]
    fn arn_regions_are_shaped_as_aws_region_codes() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "ap-southeast-1",
            "il-central-1",
            "eu-south-2",
        ] {
            assert!(region_shaped(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "useast-1",
            "us-east-1a",
            "us--1",
            "US-east-1",
            "u-east-1",
            "us-east-123",
            "-east-1",
            "us-east-",
        ] {
            assert!(!region_shaped(bad), "{bad}");
        }
    }

    #[test]
    fn lookups_name_each_reference_as_its_store_spells_it() {
        let refs = |field: &str, reference: &str| EnvVar {
            secret: (field == "secret").then(|| reference.to_string()),
            ssm_parameter: (field == "ssm_parameter").then(|| reference.to_string()),
            ..var("V")
        };
        let mut plan = with(
            ArchitectureKind::Fargate,
            vec![
                EnvVar {
                    value: Some("plain".into()),
                    ..var("A")
                },
                refs("secret", "stackplan/shop/stripe"),
                refs(
                    "secret",
                    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:stackplan/mail-AbCdEf",
                ),
                refs("ssm_parameter", "/stackplan/db"),
                refs("ssm_parameter", "stackplan/db"),
                refs("ssm_parameter", "stackplan-flag"),
                refs(
                    "ssm_parameter",
                    "arn:aws:ssm:ap-southeast-1:111122223333:parameter/stackplan/url",
                ),
                refs("ssm_parameter", "bad name"),
                refs("secret", "arn:aws:ssm:us-east-1:111122223333:parameter/x"),
                EnvVar {
                    generate: true,
                    ..var("KEY")
                },
            ],
        );
        let got: Vec<(String, Store, String, Option<String>)> = lookups(&plan)
            .into_iter()
            .map(|l| (l.path, l.store, l.id, l.region))
            .collect();
        let at = |i: usize, f: &str| format!("environment[{i}].{f}");
        assert_eq!(
            got,
            vec![
                (
                    at(1, "secret"),
                    Store::SecretsManager,
                    "stackplan/shop/stripe".into(),
                    None
                ),
                (
                    at(2, "secret"),
                    Store::SecretsManager,
                    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:stackplan/mail-AbCdEf"
                        .into(),
                    Some("eu-west-1".into())
                ),
                (
                    at(3, "ssm_parameter"),
                    Store::ParameterStore,
                    "/stackplan/db".into(),
                    None
                ),
                (
                    at(4, "ssm_parameter"),
                    Store::ParameterStore,
                    "/stackplan/db".into(),
                    None
                ),
                (
                    at(5, "ssm_parameter"),
                    Store::ParameterStore,
                    "stackplan-flag".into(),
                    None
                ),
                (
                    at(6, "ssm_parameter"),
                    Store::ParameterStore,
                    "/stackplan/url".into(),
                    Some("ap-southeast-1".into())
                ),
            ]
        );
        // One level: either spelling is the same ARN; levels: one spelling.
        let all = lookups(&plan);
        assert_eq!(all[4].spellings(), ["stackplan-flag", "/stackplan-flag"]);
        assert_eq!(all[3].spellings(), ["/stackplan/db"]);
        assert_eq!(all[0].spellings(), ["stackplan/shop/stripe"]);
        // The messages name the store, the value and the region asked.
        assert!(all[1].missing("us-east-1").contains("no secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:stackplan/mail-AbCdEf in eu-west-1: if the secret exists, give its complete ARN"));
        assert!(
            all[0]
                .missing("us-east-1")
                .contains("--name stackplan/shop/stripe --secret-string")
        );
        // The names the settings prefixes are matched against, as IAM's ARNs spell them.
        let names: Vec<&str> = all.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "stackplan/shop/stripe",
                "stackplan/mail-AbCdEf",
                "stackplan/db",
                "stackplan/db",
                "stackplan-flag",
                "stackplan/url"
            ]
        );
        assert!(
            all[2]
                .missing("us-east-1")
                .contains("no parameter /stackplan/db in us-east-1")
        );
        assert!(
            all[0]
                .deleting("us-west-2")
                .contains("restore-secret --region us-west-2 --secret-id stackplan/shop/stripe")
        );
        plan.environment.clear();
        assert_eq!(lookups(&plan), Vec::new());
    }

    #[test]
    fn the_examples_environments_are_valid() {
        for kind in [ArchitectureKind::Fargate, ArchitectureKind::Lambda] {
            let plan = with(kind, examples::environment(kind));
            assert_eq!(check(&plan), Vec::new(), "{kind}");
        }
    }

    #[test]
    fn each_bad_variable_is_named_with_its_reason() {
        let cases: Vec<(ArchitectureKind, EnvVar, &str, &str)> = vec![
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    ..var("AWS_REGION")
                },
                "environment[0].name",
                "AWS sets AWS_*",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    ..var("ECS_ENABLE")
                },
                "environment[0].name",
                "ECS sets",
            ),
            (
                ArchitectureKind::Lambda,
                EnvVar {
                    value: Some("x".into()),
                    ..var("LAMBDA_TASK_ROOT")
                },
                "environment[0].name",
                "Lambda sets",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    ..var("PORT")
                },
                "environment[0].name",
                "the container port",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    ..var("DB_PASSWORD")
                },
                "environment[0].name",
                "set by the template",
            ),
            (
                ArchitectureKind::Lambda,
                EnvVar {
                    value: Some("x".into()),
                    ..var("TABLE_QUERIES")
                },
                "environment[0].name",
                "DynamoDB table",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    ..var("9LIVES")
                },
                "environment[0].name",
                "starting with a letter",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    ..var("A")
                },
                "environment[0].name",
                "2–128",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    ..var("MY-VAR")
                },
                "environment[0].name",
                "letters, digits and _",
            ),
            (
                ArchitectureKind::Fargate,
                var("EMPTY"),
                "environment[0]",
                "exactly one",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    generate: true,
                    ..var("BOTH")
                },
                "environment[0]",
                "exactly one",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("{{resolve:secretsmanager:other}}".into()),
                    ..var("SNEAKY")
                },
                "environment[0].value",
                "dynamic reference",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".repeat(MAX_VALUE + 1)),
                    ..var("BIG")
                },
                "environment[0].value",
                "too long",
            ),
            (
                ArchitectureKind::Lambda,
                EnvVar {
                    ssm_parameter: Some("/prod/x".into()),
                    ..var("P")
                },
                "environment[0].ssm_parameter",
                "ssm-secure",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    ssm_parameter: Some("/aws/reference/x".into()),
                    ..var("PX")
                },
                "environment[0].ssm_parameter",
                "reserved by AWS",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    ssm_parameter: Some("/prod//x".into()),
                    ..var("PX")
                },
                "environment[0].ssm_parameter",
                "not a parameter name",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    ssm_parameter: Some("arn:aws:ssm:us-east-1:12:parameter/x".into()),
                    ..var("PX")
                },
                "environment[0].ssm_parameter",
                "12-digit account",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    ssm_parameter: Some(
                        "arn:aws:secretsmanager:us-east-1:111122223333:secret:x".into(),
                    ),
                    ..var("PX")
                },
                "environment[0].ssm_parameter",
                "goes in `secret`",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    secret: Some("arn:aws:ssm:us-east-1:111122223333:parameter/x".into()),
                    ..var("SX")
                },
                "environment[0].secret",
                "goes in `ssm_parameter`",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    value: Some("x".into()),
                    json_key: Some("password".into()),
                    ..var("VX")
                },
                "environment[0].json_key",
                "names no secret",
            ),
            (
                ArchitectureKind::Lambda,
                EnvVar {
                    secret: Some("stackplan/db".into()),
                    json_key: Some("a:b".into()),
                    ..var("SX")
                },
                "environment[0].json_key",
                "read : as a separator",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    secret: Some("prod/db-AbCdEf".into()),
                    ..var("SX")
                },
                "environment[0].secret",
                "full ARN",
            ),
            (
                ArchitectureKind::Fargate,
                EnvVar {
                    secret: Some("has space".into()),
                    ..var("SX")
                },
                "environment[0].secret",
                "not a secret name",
            ),
            (
                ArchitectureKind::Lambda,
                EnvVar {
                    value: Some("x".repeat(MAX_VALUE)),
                    ..var("BIG")
                },
                "environment",
                "Lambda allows",
            ),
        ];
        for (kind, v, path, words) in cases {
            let name = v.name.clone();
            let problems = check(&with(kind, vec![v]));
            assert!(
                problems.iter().any(|(p, m)| p == path && m.contains(words)),
                "{name}: expected {path} with {words:?}, got {problems:?}"
            );
        }
    }

    #[test]
    fn a_plain_value_named_like_a_secret_is_warned_about() {
        let plan = with(
            ArchitectureKind::Fargate,
            vec![
                EnvVar {
                    value: Some("hunter2".into()),
                    ..var("DB_PASS_PASSWORD")
                },
                EnvVar {
                    value: Some("info".into()),
                    ..var("LOG_LEVEL")
                },
            ],
        );
        let w = warnings(&plan);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].0, "environment[0].value");
    }

    #[test]
    fn aws_names_lambda_does_not_reserve_are_the_users() {
        for name in [
            "AWS_LAMBDA_EXEC_WRAPPER",
            "AWS_NODEJS_CONNECTION_REUSE_ENABLED",
        ] {
            for kind in [ArchitectureKind::Fargate, ArchitectureKind::Lambda] {
                let plan = with(
                    kind,
                    vec![EnvVar {
                        value: Some("x".into()),
                        ..var(name)
                    }],
                );
                assert_eq!(check(&plan), Vec::new(), "{name} on {kind}");
            }
        }
    }

    #[test]
    fn generated_secrets_count_toward_lambdas_four_kilobytes() {
        let env: Vec<EnvVar> = (0..MAX_VARIABLES)
            .map(|i| EnvVar {
                generate: true,
                ..var(&format!("GENERATED_KEY_FOR_THE_SERVICE_NUMBER_{i:02}"))
            })
            .collect();
        let problems = check(&with(ArchitectureKind::Lambda, env.clone()));
        assert!(
            problems
                .iter()
                .any(|(p, m)| p == "environment" && m.contains("Lambda allows")),
            "{problems:?}"
        );
        assert_eq!(check(&with(ArchitectureKind::Fargate, env)), Vec::new());
    }

    #[test]
    fn names_are_unique_and_generated_ids_too() {
        let plan = with(
            ArchitectureKind::Fargate,
            vec![
                EnvVar {
                    value: Some("a".into()),
                    ..var("MODE")
                },
                EnvVar {
                    value: Some("b".into()),
                    ..var("MODE")
                },
                EnvVar {
                    generate: true,
                    ..var("API_KEY")
                },
                EnvVar {
                    generate: true,
                    ..var("Api_Key")
                },
            ],
        );
        let problems = check(&plan);
        assert!(
            problems
                .iter()
                .any(|(p, m)| p == "environment[1].name" && m.contains("environment[0]"))
        );
        assert!(
            problems
                .iter()
                .any(|(p, m)| p == "environment[3].name" && m.contains("differ only"))
        );
        let too_many = with(
            ArchitectureKind::Fargate,
            (0..=MAX_VARIABLES)
                .map(|i| EnvVar {
                    value: Some("x".into()),
                    ..var(&format!("V{i}"))
                })
                .collect(),
        );
        assert!(check(&too_many).iter().any(|(p, _)| p == "environment"));
    }

    /// An environment too large for CloudFormation's inline limit is refused with the
    /// template's real size, at `environment`; one that fits is accepted.
    #[test]
    fn an_environment_too_large_for_the_template_is_refused_with_its_size() {
        let env = |n: usize| -> Vec<EnvVar> {
            (0..n)
                .map(|i| EnvVar {
                    secret: Some(format!("p/{}", "s".repeat(150))),
                    ..var(&format!("SECRET_{i:02}"))
                })
                .collect()
        };
        let fits = with(ArchitectureKind::Fargate, env(5));
        assert!(crate::ValidPlan::new(fits).is_ok());
        let full = with(ArchitectureKind::Fargate, env(MAX_VARIABLES));
        assert_eq!(check(&full), Vec::new(), "each variable alone is fine");
        let problems = crate::ValidPlan::new(full).unwrap_err();
        assert_eq!(problems[0].path, "environment");
        assert!(
            problems[0].message.contains("over the 51200 bytes"),
            "{}",
            problems[0].message
        );
    }

    /// Values that do not compress (certificates, keys) make a share link too long for a
    /// reader before a small service's template is too large for CloudFormation: refused at
    /// `environment` with the link's length.
    #[test]
    fn an_environment_too_long_for_a_share_link_is_refused() {
        let mut next = crate::test_rng::xorshift(7);
        let mut noise = |n: usize| -> String {
            const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.:,;!@$%^*()[]{}<>?~";
            (0..n)
                .map(|_| char::from(CHARS[(next() % CHARS.len() as u64) as usize]))
                .collect()
        };
        let env: Vec<EnvVar> = (0..2)
            .map(|i| EnvVar {
                value: Some(noise(3_900)),
                ..var(&format!("CERT_{i}"))
            })
            .collect();
        let mut plan = with(ArchitectureKind::Fargate, env);
        let crate::plan::Architecture::Fargate(f) = &mut plan.architecture else {
            unreachable!("a Fargate plan")
        };
        (f.database, f.cache, f.https) = (None, None, None);
        assert_eq!(check(&plan), Vec::new(), "each variable alone is fine");
        let problems = crate::ValidPlan::new(plan.clone()).unwrap_err();
        assert_eq!(problems[0].path, "environment");
        assert!(
            problems[0].message.contains("share link would be")
                && problems[0]
                    .message
                    .contains(&format!("over the {}", crate::link::FRAGMENT_ROOM)),
            "{}",
            problems[0].message
        );
        // Half of it fits, and its link is read back.
        let mut half = plan;
        half.environment.truncate(1);
        let valid = crate::ValidPlan::new(half.clone()).expect("one value fits");
        assert_eq!(
            crate::link::decode(&crate::link::link(&valid, "https://stackplan.example/")).unwrap(),
            half
        );
    }

    #[test]
    fn references_become_arns_and_exact_grants() {
        assert_eq!(
            parameter_arn("/prod/x").0,
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/prod/x"
        );
        assert_eq!(
            parameter_arn("plain").0,
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/plain"
        );
        let arn = "arn:aws:ssm:eu-west-1:111122223333:parameter/prod/x";
        assert_eq!(parameter_arn(arn), ArnText(arn.into()));
        assert!(!parameter_arn(arn).needs_sub());

        let (from, grant) = secret_arns("prod/stripe");
        assert!(from.0.ends_with(":secret:prod/stripe") && from.needs_sub());
        assert_eq!(grant.len(), 1);
        assert!(grant[0].0.ends_with(":secret:prod/stripe-??????"));
        let full = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/mail-AbCdEf";
        // Complete, or partial for `prod/mail-AbCdEf-XXXXXX`: AWS cannot tell, both are granted.
        assert_eq!(
            secret_arns(full),
            (
                ArnText(full.into()),
                vec![ArnText(full.into()), ArnText(format!("{full}-??????"))]
            )
        );
        let partial = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/mail";
        assert_eq!(
            secret_arns(partial).1,
            vec![ArnText(format!("{partial}-??????"))]
        );
        assert_eq!(generated_id("API_KEY"), "GeneratedApiKeySecret");
        assert_eq!(
            generated_id("session__token"),
            "GeneratedSessionTokenSecret"
        );
    }
}
