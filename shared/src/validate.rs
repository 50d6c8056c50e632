//! Validation: every problem of a plan at once, each with its field path and a sentence.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::plan::{
    ApiType, Architecture, Authorizer, Domain, Fargate, Jwt, Lambda, Plan, Table, Workload,
};

/// How long the load balancer waits for a byte of a response (its default, which the
/// template keeps).
const ALB_IDLE_TIMEOUT_S: u32 = 60;

/// Databases every RDS PostgreSQL instance has already (RDS's own, and PostgreSQL's
/// templates): the stack's database cannot take their names.
const RDS_DATABASES: &[&str] = &["rdsadmin", "template0", "template1"];

/// PostgreSQL's reserved key words and those that can be only a function or type name (its
/// `kwlist.h`, `RESERVED_KEYWORD` and `TYPE_FUNC_NAME_KEYWORD`): neither can name a database
/// unquoted (`CREATE DATABASE name` takes a `ColId`), and RDS refuses a `DBName` "reserved by
/// the database engine". Lowercase, as a project name makes them.
const POSTGRES_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// How bad a finding is. Errors block the template; warnings are said next to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
    pub severity: Severity,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Error => write!(f, "{}: {}", self.path, self.message),
            Severity::Warning => write!(f, "{}: warning: {}", self.path, self.message),
        }
    }
}

/// A plan that passed validation. Only this type can become a template.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidPlan {
    plan: Plan,
    warnings: Vec<Problem>,
}

impl ValidPlan {
    /// A plan that passes every check but the governed profile's own (what only the user can
    /// give), for the page's previews: the Control Tower checklist judges its template, and the
    /// profile is priced with it, while the user is still giving what the profile asks. The
    /// server never takes one: its requests go through [`ValidPlan::new`].
    pub fn as_it_stands(plan: Plan) -> Option<ValidPlan> {
        let problems = check(&plan);
        (!problems.iter().any(|p| p.severity == Severity::Error)).then_some(ValidPlan {
            plan,
            warnings: problems,
        })
    }

    /// Validates a plan: `Err` carries every error (warnings too, for context).
    pub fn new(plan: Plan) -> Result<ValidPlan, Vec<Problem>> {
        let problems = check(&plan);
        if problems.iter().any(|p| p.severity == Severity::Error) {
            return Err(problems);
        }
        let valid = ValidPlan {
            plan,
            warnings: problems,
        };
        // The template is generated once, and only for the checks below that read it.
        let template = (valid.plan.governed || !valid.plan.environment.is_empty())
            .then(|| crate::template::generate(&valid));
        // A governed account blocks a template that fails a Control Tower control: every one a
        // plan setting satisfies must be satisfied, each named where it is set.
        if let Some(template) = template.as_ref().filter(|_| valid.plan.governed) {
            let missing = crate::resources::controls::governed_problems(&valid.plan, template);
            if !missing.is_empty() {
                let mut problems = missing;
                problems.extend(valid.warnings);
                return Err(problems);
            }
        }
        // Only an environment, or the governed profile's resources with long values, can grow
        // a template near the limit (without either, the largest plan's is about 45 KB): then
        // its real size is measured.
        if let Some(template) = template.as_ref() {
            let size = template.to_json().len();
            if size > limits::TEMPLATE_BODY_BYTES {
                let (path, what) = if valid.plan.environment.is_empty() {
                    (
                        "tags",
                        "shorten the plan's longest values (tags, the health check path, the image, the domain)",
                    )
                } else {
                    ("environment", "shorten or remove variables")
                };
                let mut problems = valid.warnings;
                problems.insert(
                    0,
                    Problem {
                        path: path.into(),
                        message: format!(
                            "the template is {size} bytes, over the {} bytes CloudFormation takes inline: {what}",
                            limits::TEMPLATE_BODY_BYTES
                        ),
                        severity: Severity::Error,
                    },
                );
                return Err(problems);
            }
        }
        // A plan travels as its share link, and a deployed stack records it the same way: a
        // plan whose link a reader would refuse could be neither shared nor read back from its
        // stack. Only long values that do not compress get there: variables' values most of
        // all, or tags, a JWT issuer and audiences together.
        if let Some(chars) = crate::link::too_long(&valid.plan) {
            let mut problems = valid.warnings;
            problems.insert(
                0,
                Problem {
                    path: if valid.plan.environment.is_empty() { "tags" } else { "environment" }
                        .into(),
                    message: format!(
                        "the plan's share link would be {chars} characters, over the {} a link may have (a deployed stack records its plan the same way): shorten its longest values (variables, tags, the JWT issuer and audiences)",
                        crate::link::FRAGMENT_ROOM
                    ),
                    severity: Severity::Error,
                },
            );
            return Err(problems);
        }
        Ok(valid)
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    pub fn into_plan(self) -> Plan {
        self.plan
    }
}

impl std::ops::Deref for ValidPlan {
    type Target = Plan;
    fn deref(&self) -> &Plan {
        &self.plan
    }
}

/// The vCPU sizes Fargate accepts.
pub const FARGATE_VCPUS: [f64; 7] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];

/// The memory sizes (MiB) Fargate accepts with a vCPU size, or `None` for an unknown size.
pub fn fargate_memory_options(vcpu: f64) -> Option<Vec<u32>> {
    // (min, max, step) in MiB, in the order of FARGATE_VCPUS; 0.25 vCPU is irregular.
    const RANGES: [(u32, u32, usize); 7] = [
        (512, 2048, 0),
        (1024, 4096, 1024),
        (2048, 8192, 1024),
        (4096, 16384, 1024),
        (8192, 30720, 1024),
        (16384, 61440, 4096),
        (32768, 122880, 8192),
    ];
    let index = FARGATE_VCPUS.iter().position(|&v| v == vcpu)?;
    match RANGES[index] {
        (_, _, 0) => Some(vec![512, 1024, 2048]),
        (min, max, step) => Some((min..=max).step_by(step).collect()),
    }
}

/// CloudWatch Logs accepts only these retention periods.
pub const LOG_RETENTION_DAYS: [u16; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Limits that keep a plan deployable and its template under CloudFormation's size limit.
pub mod limits {
    pub const MAX_TAGS: usize = 10;
    pub const MAX_TAG_KEY: usize = 64;
    pub const MAX_TAG_VALUE: usize = 128;
    pub const MAX_TASKS: u32 = 100;
    /// The largest response a function invoked synchronously returns: 6 MB.
    pub const LAMBDA_RESPONSE_KB: u32 = 6 * 1024;
    /// Lambda's memory range, MB.
    pub const MIN_LAMBDA_MEMORY_MB: u32 = 128;
    pub const MAX_LAMBDA_MEMORY_MB: u32 = 10_240;
    /// The longest a function may run: 15 minutes.
    pub const MAX_LAMBDA_TIMEOUT_S: u32 = 900;
    pub const MAX_TABLES: usize = 5;
    /// Lambda's default quota of concurrent executions per account and region, shared by all
    /// its functions; AWS raises it on request.
    pub const ACCOUNT_CONCURRENCY: u32 = 1_000;
    /// The most a function may reserve: Lambda keeps 100 of the account's concurrency
    /// unreserved.
    pub const MAX_RESERVED_CONCURRENCY: u32 = ACCOUNT_CONCURRENCY - 100;
    pub const MAX_REQUESTS_PER_MONTH: u64 = 1_000_000_000_000;
    /// The largest template CloudFormation takes inline (`TemplateBody`), in bytes.
    pub const TEMPLATE_BODY_BYTES: usize = 51_200;
}

/// Every problem of the plan, errors first, in field order within each severity.
pub fn check(plan: &Plan) -> Vec<Problem> {
    let mut c = Checker::default();
    project(&mut c, &plan.project);
    tags(&mut c, plan);
    workload(&mut c, &plan.workload);
    match &plan.architecture {
        Architecture::Fargate(f) => fargate(&mut c, plan, f),
        Architecture::Lambda(l) => lambda(&mut c, plan, l),
    }
    if let Some(d) = &plan.domain {
        domain(&mut c, plan, d);
    }
    if let Some(name) = &plan.log_bucket {
        log_bucket(&mut c, name);
    }
    for (path, message) in crate::environment::check(plan) {
        c.error(path, message);
    }
    for (path, message) in crate::environment::warnings(plan) {
        c.warn(path, message);
    }
    let mut problems = c.problems;
    crate::sort::sort_small_by(&mut problems, |a, b| a.severity < b.severity);
    problems
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    /// CloudFormation resolves a dynamic reference (`{{resolve:…}}`) in any property: a
    /// plan's free text holding one would put a secret's value into that setting, or send it
    /// out (an alarm's email address). Answers whether `text` holds one (and says so).
    fn dynamic_reference(&mut self, path: impl Into<String>, text: &str) -> bool {
        let holds = holds_dynamic_reference(text);
        if holds {
            self.error(
                path,
                "must not hold a CloudFormation dynamic reference ({{resolve:…}}): CloudFormation would put the secret's value here. Name a secret in an environment variable's `secret`",
            );
        }
        holds
    }

    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
            severity: Severity::Error,
        });
    }
    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
            severity: Severity::Warning,
        });
    }
    /// An integer in an inclusive range, with the unit in the message.
    fn range<T: PartialOrd + fmt::Display>(
        &mut self,
        path: &str,
        value: T,
        min: T,
        max: T,
        unit: &str,
    ) {
        if value < min || value > max {
            self.error(
                path,
                format!("{value}{unit} is out of range (allowed: {min}–{max}{unit})"),
            );
        }
    }
}

/// Whether `text` holds what CloudFormation could read as a dynamic reference: `{{resolve:`
/// in any case, with spaces anywhere in it. Stricter than CloudFormation (which wants it
/// exact), so that no spelling of it gets past.
pub fn holds_dynamic_reference(text: &str) -> bool {
    if !text.contains("{{") {
        return false;
    }
    // ASCII case is enough: `resolve` is ASCII, and no other letter is read as one of its.
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    squeezed.contains("{{resolve:")
}

fn project(c: &mut Checker, name: &str) {
    let ok_chars = name
        .chars()
        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
    // Counted in characters, as it is said (only ASCII passes the next check anyway).
    let chars = name.chars().count();
    if !(3..=24).contains(&chars) {
        c.error(
            "project",
            format!("\"{name}\" must be 3–24 characters long (it is {chars})"),
        );
    } else if !ok_chars {
        c.error(
            "project",
            format!("\"{name}\" may contain only lowercase letters, digits and hyphens"),
        );
    } else if !name.starts_with(|ch: char| ch.is_ascii_lowercase()) {
        c.error(
            "project",
            format!("\"{name}\" must start with a lowercase letter"),
        );
    } else if name.ends_with('-') || name.contains("--") {
        c.error(
            "project",
            format!("\"{name}\" must not end with a hyphen or contain two in a row"),
        );
    }
}

/// Tag text: ASCII letters and digits, spaces, `_ . : / = + - @`, and the letters of the scripts
/// in [`TAG_LETTERS`]. AWS takes any Unicode letter or digit (`\p{L}\p{Z}\p{N}`), but Rust's
/// `is_alphabetic` also takes combining marks (a Devanagari vowel sign), which IAM refuses on
/// the stack's roles at create time: only ranges that hold letters and nothing else are taken.
fn tag_text_ok(s: &str) -> bool {
    s.chars().all(|ch| {
        ch.is_ascii_alphanumeric()
            || " _.:/=+-@".contains(ch)
            || TAG_LETTERS
                .iter()
                .any(|(from, to)| (*from..=*to).contains(&ch))
    })
}

/// Unicode ranges of letters only (general category L): Latin with accents (Vietnamese's
/// included), Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian, kana, CJK ideographs, Hangul
/// syllables. Scripts whose words need combining marks (Devanagari, Thai) are not taken.
const TAG_LETTERS: [(char, char); 28] = [
    ('\u{c0}', '\u{d6}'),
    ('\u{d8}', '\u{f6}'),
    ('\u{f8}', '\u{17f}'),
    // Latin Extended-B's regular pairs only (Pinyin's tones, Romanian's ș and ț, …): the rest
    // of the block is irregular in case, and rare.
    ('\u{1cd}', '\u{1dc}'),
    ('\u{1de}', '\u{1ef}'),
    ('\u{1f8}', '\u{21f}'),
    ('\u{222}', '\u{233}'),
    ('\u{246}', '\u{24f}'),
    ('\u{386}', '\u{386}'),
    ('\u{388}', '\u{38a}'),
    ('\u{38c}', '\u{38c}'),
    ('\u{38e}', '\u{3a1}'),
    ('\u{3a3}', '\u{3ce}'),
    ('\u{400}', '\u{481}'),
    ('\u{48a}', '\u{4ff}'),
    ('\u{3041}', '\u{3096}'),
    ('\u{30a1}', '\u{30fa}'),
    ('\u{30fc}', '\u{30fc}'),
    ('\u{4e00}', '\u{9fff}'),
    ('\u{ac00}', '\u{d7a3}'),
    // Vietnamese and other letters of Latin Extended Additional, in its regular pairs.
    ('\u{1e00}', '\u{1e95}'),
    ('\u{1ea0}', '\u{1eff}'),
    // Armenian, Hebrew, Arabic (its letters, not its vowel marks), Georgian.
    ('\u{531}', '\u{556}'),
    ('\u{561}', '\u{587}'),
    ('\u{5d0}', '\u{5ea}'),
    ('\u{621}', '\u{63a}'),
    ('\u{641}', '\u{64a}'),
    ('\u{10d0}', '\u{10fa}'),
];

/// Whether two tag keys are the same but for the case of their letters, over the scripts tag
/// text may hold ([`TAG_LETTERS`]; a letter without a pair folds to itself). Written out rather
/// than `str::to_lowercase`, whose Unicode tables added 17 KB to the planner's wasm.
fn same_but_case(a: &str, b: &str) -> bool {
    a.chars().map(fold_case).eq(b.chars().map(fold_case))
}

/// A letter's lower case, for the cased scripts of [`TAG_LETTERS`] (Latin, Greek, Cyrillic,
/// Armenian; Georgian's letters are all small).
fn fold_case(c: char) -> char {
    let n = c as u32;
    let even = n.is_multiple_of(2);
    let to = match n {
        0x41..=0x5a | 0xc0..=0xd6 | 0xd8..=0xde => n + 0x20,
        // Latin Extended-A: pairs, capital first, in two runs each way.
        0x100..=0x12f | 0x132..=0x137 | 0x14a..=0x177 if even => n + 1,
        0x139..=0x148 | 0x179..=0x17e if !even => n + 1,
        0x178 => 0xff,
        0x1cd..=0x1dc if !even => n + 1,
        0x1de..=0x1ef | 0x1f8..=0x21f | 0x222..=0x233 | 0x246..=0x24f if even => n + 1,
        // Greek: the capitals, then the accented ones.
        0x391..=0x3ab => n + 0x20,
        0x386 => 0x3ac,
        0x388..=0x38a => n + 0x25,
        0x38c => 0x3cc,
        0x38e..=0x38f => n + 0x3f,
        // Cyrillic.
        0x410..=0x42f => n + 0x20,
        0x400..=0x40f => n + 0x50,
        0x460..=0x481 | 0x48a..=0x4bf | 0x4d0..=0x4ff if even => n + 1,
        0x4c1..=0x4ce if !even => n + 1,
        0x4c0 => 0x4cf,
        0x531..=0x556 => n + 0x30,
        0x1e00..=0x1e95 | 0x1ea0..=0x1eff if even => n + 1,
        _ => n,
    };
    char::from_u32(to).unwrap_or(c)
}

/// What a tag's text may hold, in words.
const TAG_TEXT: &str = "letters (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian, kana, CJK, Hangul), digits, spaces and _ . : / = + - @";

/// A Route 53 hosted zone id: `Z` then capital letters and digits, 2–32 characters.
pub fn hosted_zone_id_ok(id: &str) -> bool {
    (2..=32).contains(&id.len())
        && id.starts_with('Z')
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn tags(c: &mut Checker, plan: &Plan) {
    if plan.tags.len() > limits::MAX_TAGS {
        c.error(
            "tags",
            format!(
                "{} tags is too many (at most {})",
                plan.tags.len(),
                limits::MAX_TAGS
            ),
        );
    }
    for (key, value) in &plan.tags {
        let path = format!("tags.{key}");
        if key.is_empty() || key.chars().count() > limits::MAX_TAG_KEY {
            c.error(
                &path,
                format!("a tag key must be 1–{} characters", limits::MAX_TAG_KEY),
            );
        } else if key.to_ascii_lowercase().starts_with("aws:")
            || key.to_ascii_lowercase().starts_with("stackplan:")
        {
            c.error(
                &path,
                "tag keys starting with \"aws:\" or \"stackplan:\" are reserved",
            );
        } else if !tag_text_ok(key) {
            c.error(&path, format!("a tag key may contain {TAG_TEXT}"));
        } else {
            if key.trim() != key {
                c.warn(
                    &path,
                    format!(
                        "the key \"{key}\" has a space at its start or end: AWS keeps it, so it is not the key \"{}\" that cost reports and tag policies look for; remove the space",
                        key.trim()
                    ),
                );
            }
            if let Some(other) = plan
                .tags
                .keys()
                .find(|other| *other < key && same_but_case(other, key))
            {
                c.error(
                    &path,
                    format!(
                        "\"{key}\" and \"{other}\" differ only in case: IAM takes them for the same key and would refuse the stack's roles; keep one"
                    ),
                );
            }
        }
        if value.chars().count() > limits::MAX_TAG_VALUE {
            c.error(
                &path,
                format!(
                    "a tag value must be at most {} characters",
                    limits::MAX_TAG_VALUE
                ),
            );
        } else if !tag_text_ok(value) {
            c.error(&path, format!("a tag value may contain {TAG_TEXT}"));
        }
    }
}

/// S3's rules for a general purpose bucket's name.
fn log_bucket(c: &mut Checker, name: &str) {
    const PATH: &str = "log_bucket";
    let chars_ok = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let ends_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let is_address = name.split('.').count() == 4
        && name
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    let reserved_prefix = ["xn--", "sthree-", "amzn-s3-demo-"]
        .into_iter()
        .find(|p| name.starts_with(p));
    let reserved_suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
        .into_iter()
        .find(|p| name.ends_with(p));
    let problem = if !(3..=63).contains(&name.len()) {
        Some(format!(
            "\"{name}\" has {} characters; S3 bucket names have 3 to 63",
            name.len()
        ))
    } else if !chars_ok {
        Some(format!(
            "\"{name}\" is not an S3 bucket name: lowercase letters, digits, dots and hyphens only"
        ))
    } else if !ends_ok(name.bytes().next()) || !ends_ok(name.bytes().last()) {
        Some(format!(
            "\"{name}\" is not an S3 bucket name: it starts and ends with a letter or a digit"
        ))
    } else if name.contains("..") {
        Some(format!(
            "\"{name}\" is not an S3 bucket name: no two dots in a row"
        ))
    } else if is_address {
        Some(format!(
            "\"{name}\" is an IP address, which S3 does not take as a bucket name"
        ))
    } else if let Some(p) = reserved_prefix {
        Some(format!("\"{name}\" starts with \"{p}\", which S3 reserves"))
    } else {
        reserved_suffix.map(|p| format!("\"{name}\" ends with \"{p}\", which S3 reserves"))
    };
    if let Some(message) = problem {
        c.error(PATH, message);
    }
}

fn domain(c: &mut Checker, plan: &Plan, d: &Domain) {
    let labels: Vec<&str> = d.name.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if d.name.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) {
        c.error(
            "domain.name",
            format!(
                "\"{}\" is not a host name: lowercase labels of letters, digits and hyphens, separated by dots, like api.example.com (no trailing dot, no wildcard)",
                d.name
            ),
        );
    } else if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        c.error(
            "domain.name",
            format!("\"{}\" is an address, not a host name", d.name),
        );
    }
    let own_certificate = plan.fargate().is_some_and(|f| f.https.is_some());
    if !own_certificate && d.name.len() > 64 {
        c.error(
            "domain.name",
            format!(
                "\"{}\" is {} characters; ACM certifies names of at most 64, so the stack cannot make its certificate",
                d.name,
                d.name.len()
            ),
        );
    }
    if !hosted_zone_id_ok(&d.hosted_zone_id) {
        let hint = if d.hosted_zone_id.starts_with("/hostedzone/") {
            " (give only the part after /hostedzone/)"
        } else {
            ""
        };
        c.error(
            "domain.hosted_zone_id",
            format!(
                "\"{}\" is not a Route 53 hosted zone id: Z followed by capital letters and digits{hint}",
                d.hosted_zone_id
            ),
        );
    }
    if let Some(f) = plan.fargate()
        && f.https.is_some()
    {
        c.warn(
            "fargate.https.certificate_arn",
            format!(
                "the load balancer uses this certificate, not one for the domain: it must cover {}",
                if d.name.is_empty() {
                    "the domain's name"
                } else {
                    &d.name
                }
            ),
        );
    }
}

fn workload(c: &mut Checker, w: &Workload) {
    c.range(
        "workload.requests_per_month",
        w.requests_per_month,
        0,
        limits::MAX_REQUESTS_PER_MONTH,
        "",
    );
    c.range(
        "workload.avg_duration_ms",
        w.avg_duration_ms,
        1,
        900_000,
        " ms",
    );
    c.range(
        "workload.avg_response_kb",
        w.avg_response_kb,
        0,
        10_240,
        " KB",
    );
    c.range(
        "workload.internet_egress_percent",
        w.internet_egress_percent,
        0,
        100,
        "%",
    );
    if !w.log_gb_per_month.is_finite()
        || w.log_gb_per_month < 0.0
        || w.log_gb_per_month > 1_000_000.0
    {
        c.error(
            "workload.log_gb_per_month",
            format!(
                "{} GB is out of range (allowed: 0–1000000 GB)",
                as_typed(w.log_gb_per_month)
            ),
        );
    }
}

/// A number from the plan as its writer would read it again: as Rust prints it, but a whole
/// number past 15 digits with an exponent (1e308 is not written out as 309 digits). From the
/// printed digits, not `{:e}`, whose code the browser would carry for this alone.
fn as_typed(v: f64) -> String {
    let text = crate::decimal::Plain(v).to_string();
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |d| ("-", d));
    if digits.len() <= 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return text;
    }
    let significant = digits.trim_end_matches('0');
    let exponent = digits.len() - 1;
    match significant.split_at(1) {
        (first, "") => format!("{sign}{first}e{exponent}"),
        (first, rest) => format!("{sign}{first}.{rest}e{exponent}"),
    }
}

fn retention(c: &mut Checker, path: &str, days: u16) {
    if !LOG_RETENTION_DAYS.contains(&days) {
        let allowed = LOG_RETENTION_DAYS
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        c.error(
            path,
            format!("{days} days is not a CloudWatch Logs retention period (allowed: {allowed})"),
        );
    }
}

fn list_or(values: &[u32]) -> String {
    match values {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => {
            format!(
                "{} or {last}",
                init.iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

fn fargate(c: &mut Checker, plan: &Plan, f: &Fargate) {
    let duration_ms = plan.workload.avg_duration_ms;
    if duration_ms > ALB_IDLE_TIMEOUT_S * 1000 {
        c.warn(
            "workload.avg_duration_ms",
            format!(
                "requests average {} s, longer than the load balancer's {ALB_IDLE_TIMEOUT_S}-second idle timeout: a response that sends nothing for that long is cut with a 504; stream the response, or move long work to a queue",
                crate::cost::fmt_qty(f64::from(duration_ms) / 1000.0)
            ),
        );
    }
    match fargate_memory_options(f.vcpu) {
        None => c.error(
            "fargate.vcpu",
            format!(
                "{} vCPU is not a Fargate size (allowed: 0.25, 0.5, 1, 2, 4, 8, 16)",
                as_typed(f.vcpu)
            ),
        ),
        Some(options) if !options.contains(&f.memory_mib) => {
            let (min, max) = (options[0], options[options.len() - 1]);
            let allowed = if f.memory_mib < min || f.memory_mib > max {
                format!("{min}–{max}")
            } else if options.len() > 2 && options[2] - options[1] == options[1] - options[0] {
                format!("{min}–{max} in steps of {}", options[1] - options[0])
            } else {
                list_or(&options)
            };
            c.error(
                "fargate.memory_mib",
                format!(
                    "{} MiB is not allowed with {} vCPU (allowed: {allowed})",
                    f.memory_mib,
                    crate::decimal::Plain(f.vcpu)
                ),
            );
        }
        Some(_) => {}
    }
    if let Some(image) = &f.image {
        image_repo(c, image);
    }
    let tag_ok = !f.image_tag.is_empty()
        && f.image_tag.len() <= 128
        && f.image_tag
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_.-".contains(ch))
        && !f.image_tag.starts_with(['.', '-']);
    if !tag_ok {
        c.error(
            "fargate.image_tag",
            format!(
                "{} is not an image tag (1–128 letters, digits, _ . -; not starting with . or -)",
                quoted(&f.image_tag)
            ),
        );
    }
    if let Some(u) = &f.user {
        container_user(c, u);
    }
    if f.container_port == 0 {
        c.error(
            "fargate.container_port",
            "0 is not a port (allowed: 1–65535)",
        );
    }
    let path_ok = f.health_check_path.starts_with('/')
        && f.health_check_path.len() <= 1024
        && f.health_check_path.chars().all(|ch| ch.is_ascii_graphic());
    if c.dynamic_reference("fargate.health_check_path", &f.health_check_path) {
    } else if !path_ok {
        c.error(
            "fargate.health_check_path",
            format!(
                "\"{}\" must be a URL path starting with / (no spaces, at most 1024 characters)",
                f.health_check_path
            ),
        );
    }
    if let Some(grace) = f.health_check_grace_s {
        c.range("fargate.health_check_grace_s", grace, 0, 3600, " s");
    }
    c.range(
        "fargate.ephemeral_storage_gib",
        f.ephemeral_storage_gib,
        20,
        200,
        " GiB",
    );
    c.range("fargate.min_tasks", f.min_tasks, 1, limits::MAX_TASKS, "");
    c.range("fargate.max_tasks", f.max_tasks, 1, limits::MAX_TASKS, "");
    if f.min_tasks > f.max_tasks {
        c.error(
            "fargate.min_tasks",
            format!(
                "min_tasks ({}) is above max_tasks ({})",
                f.min_tasks, f.max_tasks
            ),
        );
    }
    // Bounds that contradict each other are said once (above): no count fits them.
    if f.min_tasks <= f.max_tasks
        && (f.desired_tasks < f.min_tasks || f.desired_tasks > f.max_tasks)
    {
        c.error(
            "fargate.desired_tasks",
            format!(
                "{} tasks is outside the autoscaling bounds {}–{}",
                f.desired_tasks, f.min_tasks, f.max_tasks
            ),
        );
    }
    c.range(
        "fargate.cpu_target_percent",
        f.cpu_target_percent,
        10,
        90,
        "%",
    );
    // Either architecture: FARGATE_SPOT takes X86_64 tasks from platform version 1.3.0 and
    // ARM64 tasks from 1.4.0; the service runs on LATEST, 1.4.0 on Linux.
    c.range("fargate.spot_percent", f.spot_percent, 0, 100, "%");
    retention(c, "fargate.log_retention_days", f.log_retention_days);
    if let Some(db) = &f.database {
        let name = crate::template::fargate::database_name(&plan.project);
        if POSTGRES_RESERVED.contains(&name.as_str()) {
            c.error(
                "project",
                format!(
                    "the database is named after the project, and \"{name}\" is a word PostgreSQL reserves, which RDS refuses as a database name: choose another project name"
                ),
            );
        } else if RDS_DATABASES.contains(&name.as_str()) {
            c.error(
                "project",
                format!(
                    "the database is named after the project, and every RDS PostgreSQL instance already has a database \"{name}\": choose another project name"
                ),
            );
        }
        c.range(
            "fargate.database.storage_gb",
            db.storage_gb,
            20,
            6144,
            " GB",
        );
        c.range(
            "fargate.database.backup_days",
            db.backup_days,
            1,
            35,
            " days",
        );
    }
    if let Some(cache) = &f.cache {
        c.range("fargate.cache.nodes", cache.nodes, 1, 6, "");
    }
    match &f.https {
        Some(https) => certificate(c, plan, &https.certificate_arn),
        // The domain's own certificate makes it HTTPS.
        None if plan.domain.is_some() => {}
        None => c.warn(
            "fargate.https",
            "no certificate: the load balancer serves plain HTTP on port 80, unencrypted",
        ),
    }
    if let Some(email) = &f.alarm_email {
        let ok = email.len() <= 254
            && email.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(|ch| ch.is_whitespace());
        if c.dynamic_reference("fargate.alarm_email", email) {
        } else if !ok {
            c.error(
                "fargate.alarm_email",
                format!("\"{email}\" is not an email address"),
            );
        }
    } else {
        c.warn(
            "fargate.alarm_email",
            "no alarm email: alarms go to an SNS topic nobody is subscribed to",
        );
    }
    if f.nat_gateways == crate::plan::NatGateways::Single {
        c.warn(
            "fargate.nat_gateways",
            "one shared NAT gateway: if its AZ fails, tasks in the other AZ lose outbound access",
        );
    }
}

/// `name`, `uid`, `name:group` or `uid:gid`, and not root (by name or by uid 0, however
/// written).
fn container_user(c: &mut Checker, user: &str) {
    let part_ok = |p: &str| {
        !p.is_empty()
            && !p.starts_with(['.', '-'])
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    let (who, group) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    if user.len() > 64 || !part_ok(who) || group.is_some_and(|g| !part_ok(g)) {
        c.error(
            "fargate.user",
            format!("\"{user}\" is not a user: a name or uid, optionally `:group` (at most 64 letters, digits, _ . -)"),
        );
    } else if who == "root" || who.parse::<u32>() == Ok(0) {
        c.error(
            "fargate.user",
            "root is what the container runs as without a user: name a non-root user or uid (`1000`), or leave it out",
        );
    }
}

/// A function's image: Lambda runs images only from Amazon ECR private repositories in the
/// function's own region (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`).
fn function_image(c: &mut Checker, plan: &Plan, image: &str) {
    let form = "ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME";
    let Some((host, name)) = image.split_once('/') else {
        c.error(
            "lambda.image",
            format!(
                "{} is not an Amazon ECR repository ({form}): Lambda runs images only from ECR",
                quoted(image)
            ),
        );
        return;
    };
    let mut parts = host.splitn(4, '.');
    let (account, dkr, ecr, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
    let region = rest.and_then(|r| r.strip_suffix(".amazonaws.com"));
    let account_ok =
        account.is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
    if !account_ok || dkr != Some("dkr") || ecr != Some("ecr") || region.is_none() {
        c.error(
            "lambda.image",
            format!("{} is not an Amazon ECR repository ({form}): Lambda runs images only from private ECR repositories, not Docker Hub or ECR Public", quoted(image)),
        );
        return;
    }
    if region != Some(plan.region.code()) {
        c.error(
            "lambda.image",
            format!(
                "the repository is in {}, the function in {}: Lambda pulls images only from its own region (replicate the repository to {})",
                region.unwrap_or_default(),
                plan.region.code(),
                plan.region.code()
            ),
        );
    }
    if name.contains(':') || name.contains('@') {
        c.error(
            "lambda.image",
            format!("{} must name a repository without tag or digest: the tag is the deploy's Image tag (its `ImageTag` parameter)", quoted(image)),
        );
        return;
    }
    let name_ok = ecr_repository_name(name);
    if !name_ok {
        c.error(
            "lambda.image",
            format!(
                "{} is not an ECR repository name: {ECR_NAME_RULE}",
                quoted(name)
            ),
        );
        return;
    }
    if region != Some(plan.region.code()) {
        return;
    }
    c.warn(
        "lambda.image",
        format!(
            "Lambda creates the function from the image, so push its tag (the deploy's image tag, \"{}\" unless you give another) before the first deploy (a deploy looks for it in this account's repository first); a new image under the same tag is not picked up by a deploy: give each image its own tag",
            crate::template::lambda::FUNCTION_IMAGE_TAG
        ),
    );
}

/// `text` in quotes, cut to its first 48 characters when it is longer than 64 (a message
/// quotes what was typed, not a page of it).
fn quoted(text: &str) -> String {
    let n = text.chars().count();
    if n > 64 {
        let start: String = text.chars().take(48).collect();
        format!("\"{start}…\" ({n} characters)")
    } else {
        format!("\"{text}\"")
    }
}

/// What ECR takes as a repository's name, in words.
pub const ECR_NAME_RULE: &str = "2–256 characters: lowercase letters and digits, one . _ or - between two of them, and / between parts";

/// Whether ECR takes `name` as a repository's name: 2–256 characters, parts between `/` of
/// lowercase letters and digits with single `.`, `_` or `-` between them (ECR's pattern
/// `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`). A name it refuses
/// would fail the deploy's image look-up with an error, not a field.
pub fn ecr_repository_name(name: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (2..=256).contains(&name.len())
        && name.split('/').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && alnum(b[0])
                && alnum(b[b.len() - 1])
                && b.windows(2).all(|w| alnum(w[0]) || alnum(w[1]))
                && b.iter().all(|&ch| alnum(ch) || b"._-".contains(&ch))
        })
}

fn image_repo(c: &mut Checker, image: &str) {
    let last = image.rsplit('/').next().unwrap_or(image);
    let shown = quoted(image);
    if image.contains('@') || last.contains(':') {
        c.error(
            "fargate.image",
            format!(
                "{shown} must name a repository without tag or digest: put the tag in `fargate.image_tag` (the Image tag field)"
            ),
        );
        return;
    }
    if image.chars().count() > 255 {
        c.error(
            "fargate.image",
            format!("{shown} is too long for an image repository: at most 255 characters"),
        );
        return;
    }
    let ok = !image.is_empty()
        && image
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._/:-".contains(ch))
        && !image.starts_with(['/', '.', '-'])
        && !image.ends_with(['/', '.', '-']);
    if !ok {
        c.error(
            "fargate.image",
            format!("{shown} is not an image repository (lowercase letters, digits and . _ / : -)"),
        );
        return;
    }
    if let Some((_, _, name)) = crate::template::fargate::ecr_image(image)
        && !ecr_repository_name(name)
    {
        c.error(
            "fargate.image",
            format!(
                "{} is not an ECR repository name: {ECR_NAME_RULE}",
                quoted(name)
            ),
        );
        return;
    }
    // A named image is not the stack's own repository: its tasks start at the first deploy
    // (a deploy looks for the tag first only in this account's own ECR), and whoever
    // publishes it runs code with the service's settings and secrets.
    let host = image.split('/').next().unwrap_or_default();
    if crate::template::fargate::ecr_image(image).is_some() {
        c.warn(
            "fargate.image",
            "the service starts with this image at the first deploy: push the tag first, and let \
             this account pull it if the repository is in another account",
        );
    } else {
        c.warn(
            "fargate.image",
            format!(
                "{host_note}: its tasks start at the first deploy with the service's settings and \
                 secrets, so trust its publisher; a private registry needs credentials the \
                 template does not give",
                host_note = if image.contains('/') && (host.contains('.') || host.contains(':')) {
                    format!("\"{image}\" is pulled from {host}, outside your account")
                } else {
                    format!("\"{image}\" is pulled from Docker Hub, outside your account")
                }
            ),
        );
    }
}

fn certificate(c: &mut Checker, plan: &Plan, arn: &str) {
    let parts: Vec<&str> = arn.split(':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && parts[1] == "aws"
        && parts[2] == "acm"
        && parts[4].len() == 12
        && parts[4].chars().all(|ch| ch.is_ascii_digit())
        && parts[5].strip_prefix("certificate/").is_some_and(|id| {
            id.len() == 36 && id.chars().all(|ch| ch.is_ascii_hexdigit() || ch == '-')
        });
    if !well_formed {
        c.error(
            "fargate.https.certificate_arn",
            format!("\"{arn}\" is not an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)"),
        );
    } else if parts[3] != plan.region.code() {
        c.error(
            "fargate.https.certificate_arn",
            format!(
                "the certificate is in {}, but a load balancer in {} needs a certificate from its own region",
                parts[3], plan.region
            ),
        );
    }
}

fn authorizer(c: &mut Checker, api: ApiType, a: &Authorizer) {
    c.warn(
        "lambda.authorizer",
        "browsers on another site send CORS preflight requests without credentials: with an authorizer they are refused, so call the API from your own origin or from servers",
    );
    let Authorizer::Jwt(jwt) = a else { return };
    if api == ApiType::Rest {
        c.error(
            "lambda.authorizer",
            "a REST API takes IAM authorization here (\"iam\"): a JWT authorizer needs an HTTP API (lambda.api \"http\")",
        );
    }
    let host = jwt.issuer.strip_prefix("https://").unwrap_or_default();
    let host = host.split('/').next().unwrap_or_default();
    if c.dynamic_reference("lambda.authorizer.jwt.issuer", &jwt.issuer) {
    } else if jwt.issuer.len() > 2048
        || host.is_empty()
        || !host.contains('.')
        || jwt
            .issuer
            .chars()
            .any(|ch| ch.is_whitespace() || ch.is_control())
    {
        c.error(
            "lambda.authorizer.jwt.issuer",
            format!(
                "\"{}\" is not an issuer URL: https://HOST/… as in the tokens' iss, e.g. https://cognito-idp.REGION.amazonaws.com/POOL_ID",
                jwt.issuer
            ),
        );
    }
    if jwt.audience.is_empty() || jwt.audience.len() > Jwt::MAX_AUDIENCES {
        c.error(
            "lambda.authorizer.jwt.audience",
            format!(
                "{} audiences: give 1–{} (the tokens' aud, or your app client's id)",
                jwt.audience.len(),
                Jwt::MAX_AUDIENCES
            ),
        );
    }
    for (i, aud) in jwt.audience.iter().enumerate() {
        if c.dynamic_reference(format!("lambda.authorizer.jwt.audience[{i}]"), aud) {
        } else if aud.trim().is_empty()
            || aud.trim() != aud
            || aud.len() > 256
            || aud.chars().any(char::is_control)
        {
            c.error(
                format!("lambda.authorizer.jwt.audience[{i}]"),
                format!("\"{aud}\" is not an audience (1–256 characters, no spaces at the ends)"),
            );
        } else if let Some(j) = jwt.audience[..i].iter().position(|a| a == aud) {
            c.error(
                format!("lambda.authorizer.jwt.audience[{i}]"),
                format!("\"{aud}\" is already given at lambda.authorizer.jwt.audience[{j}]"),
            );
        }
    }
}

fn lambda(c: &mut Checker, plan: &Plan, l: &Lambda) {
    c.range(
        "lambda.memory_mb",
        l.memory_mb,
        limits::MIN_LAMBDA_MEMORY_MB,
        limits::MAX_LAMBDA_MEMORY_MB,
        " MB",
    );
    c.range(
        "lambda.timeout_s",
        l.timeout_s,
        1,
        limits::MAX_LAMBDA_TIMEOUT_S,
        " s",
    );
    let api_limit = match l.api {
        ApiType::Rest => 29,
        ApiType::Http => 30,
    };
    // The workload as this function would serve it.
    let duration_ms = u64::from(plan.workload.avg_duration_ms);
    let times_out = (1..=900).contains(&l.timeout_s) && duration_ms > u64::from(l.timeout_s) * 1000;
    let outwaits_api = !times_out && duration_ms > u64::from(api_limit) * 1000;
    if times_out {
        c.warn(
            "workload.avg_duration_ms",
            format!(
                "requests average {} ms, longer than the function's {} s timeout: they would time out, each billed for the whole timeout. Raise lambda.timeout_s, or shorten the requests",
                crate::cost::fmt_qty(duration_ms as f64),
                l.timeout_s
            ),
        );
    } else if outwaits_api {
        c.warn(
            "workload.avg_duration_ms",
            format!(
                "requests average {} ms, longer than the {} waits ({api_limit} s): callers would get a 504 while the function runs on",
                crate::cost::fmt_qty(duration_ms as f64),
                l.api.label()
            ),
        );
    }
    // A timeout past the API's wait, said once: when the average request outlasts that wait
    // too, the warning above says more.
    if l.timeout_s > api_limit && l.timeout_s <= 900 && !outwaits_api {
        c.warn(
            "lambda.timeout_s",
            format!(
                "the {} stops waiting after {api_limit} s: requests running longer get a 504 while the function runs on",
                l.api.label()
            ),
        );
    }
    if plan.workload.avg_response_kb > limits::LAMBDA_RESPONSE_KB {
        c.warn(
            "workload.avg_response_kb",
            format!(
                "a function invoked by API Gateway returns at most 6 MB ({} KB): larger responses fail. Serve large files from S3 (a presigned URL) instead",
                crate::cost::fmt_qty(f64::from(limits::LAMBDA_RESPONSE_KB))
            ),
        );
    }
    let handler_ok = !l.handler.is_empty()
        && l.handler.len() <= 128
        && l.handler.contains('.')
        && l.handler
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_.-/".contains(ch));
    // An image brings its own handler; the form hides the field then.
    if c.dynamic_reference("lambda.handler", &l.handler) {
    } else if !handler_ok && l.image.is_none() {
        c.error(
            "lambda.handler",
            format!(
                "\"{}\" is not a handler: use file.function, e.g. app.handler",
                l.handler
            ),
        );
    }
    if let Some(image) = &l.image {
        function_image(c, plan, image);
    }
    if let Some(a) = &l.authorizer {
        authorizer(c, l.api, a);
    }
    if let Some(t) = &l.throttling {
        c.range(
            "lambda.throttling.rate_per_second",
            t.rate_per_second,
            1,
            10_000,
            " requests/s",
        );
        c.range("lambda.throttling.burst", t.burst, 1, 5_000, " requests");
    }
    if l.tables.len() > limits::MAX_TABLES {
        c.error(
            "lambda.tables",
            format!(
                "{} tables is too many (at most {})",
                l.tables.len(),
                limits::MAX_TABLES
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, t) in l.tables.iter().enumerate() {
        table(c, i, t);
        if !seen.insert(t.name.to_ascii_lowercase()) {
            c.error(
                format!("lambda.tables[{i}].name"),
                format!("the table name \"{}\" is used twice", t.name),
            );
        } else if plan.governed
            && crate::template::lambda::table_id(t) == crate::template::lambda::ROUTE_TABLE
        {
            c.error(
                format!("lambda.tables[{i}].name"),
                format!(
                    "the table \"{}\" would take the id {}, which the function's route table has in a governed account: choose another name",
                    t.name,
                    crate::template::lambda::ROUTE_TABLE
                ),
            );
        }
    }
    if let Some(n) = l.reserved_concurrency {
        c.range(
            "lambda.reserved_concurrency",
            n,
            1,
            limits::MAX_RESERVED_CONCURRENCY,
            "",
        );
        if n <= limits::MAX_RESERVED_CONCURRENCY {
            c.warn(
                "lambda.reserved_concurrency",
                format!(
                    "Lambda keeps 100 of the region's concurrent executions unreserved, so the function is created only if the account's quota there is at least {} plus what its other functions reserve; new accounts may start below the default {}",
                    n + 100,
                    crate::cost::fmt_qty(f64::from(limits::ACCOUNT_CONCURRENCY))
                ),
            );
        }
    }
    retention(c, "lambda.log_retention_days", l.log_retention_days);
}

fn attribute_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_.-".contains(ch))
}

fn table(c: &mut Checker, i: usize, t: &Table) {
    let base = format!("lambda.tables[{i}]");
    let name_ok = !t.name.is_empty()
        && t.name.len() <= 32
        && t.name.starts_with(|ch: char| ch.is_ascii_alphabetic())
        && t.name.chars().all(|ch| ch.is_ascii_alphanumeric());
    if !name_ok {
        c.error(
            format!("{base}.name"),
            format!(
                "\"{}\" must be 1–32 letters and digits, starting with a letter",
                t.name
            ),
        );
    }
    if !attribute_name_ok(&t.partition_key.name) {
        c.error(
            format!("{base}.partition_key.name"),
            format!(
                "\"{}\" is not an attribute name (1–255 letters, digits, _ . -)",
                t.partition_key.name
            ),
        );
    }
    if let Some(sort) = &t.sort_key {
        if !attribute_name_ok(&sort.name) {
            c.error(
                format!("{base}.sort_key.name"),
                format!(
                    "\"{}\" is not an attribute name (1–255 letters, digits, _ . -)",
                    sort.name
                ),
            );
        } else if sort.name == t.partition_key.name {
            c.error(
                format!("{base}.sort_key.name"),
                "the sort key must differ from the partition key",
            );
        }
    }
    if let Some(ttl) = &t.ttl_attribute {
        let is_key =
            ttl == &t.partition_key.name || t.sort_key.as_ref().is_some_and(|k| &k.name == ttl);
        if !attribute_name_ok(ttl) {
            c.error(
                format!("{base}.ttl_attribute"),
                format!("\"{ttl}\" is not an attribute name (1–255 letters, digits, _ . -)"),
            );
        } else if is_key {
            c.error(
                format!("{base}.ttl_attribute"),
                "the TTL attribute cannot be a key attribute",
            );
        }
    }
}

#[cfg(test)]
mod fold_tests {
    /// The written-out fold agrees with the standard library's lower case over every letter tag
    /// text may hold that has one lower case letter (a letter without a pair folds to itself).
    #[test]
    fn the_fold_is_the_standard_lower_case_over_the_tag_letters() {
        let letters = ('A'..='Z').chain(super::TAG_LETTERS.iter().flat_map(|(a, b)| *a..=*b));
        let mut checked = 0;
        for c in letters {
            let mut lower = c.to_lowercase();
            let (Some(l), None) = (lower.next(), lower.next()) else {
                continue;
            };
            // Letters whose lower case is outside the tag letters (a capital without its
            // small letter among them) fold to themselves: still the same key as themselves.
            let want = if super::TAG_LETTERS
                .iter()
                .any(|(a, b)| (*a..=*b).contains(&l))
                || l.is_ascii_lowercase()
            {
                l
            } else {
                c
            };
            assert_eq!(super::fold_case(c), want, "{c} U+{:04X}", c as u32);
            checked += 1;
        }
        assert!(checked > 20_000, "{checked}");
    }
}
