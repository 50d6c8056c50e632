//! The deployment plan: what a user chose, as plain serde data.
//!
//! A [`Plan`] parses from JSON (unknown fields are errors) but is not yet known to be valid:
//! [`crate::validate::check`] lists every problem at once, and [`crate::validate::ValidPlan`]
//! is the proof that a plan passed. Template generation only accepts a `ValidPlan`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

mod fields;
mod words;
use fields::path_at;
pub use fields::{FieldError, MORE_ERRORS};

/// The plan format version written by this build. Older versions keep parsing (share links).
pub const PLAN_VERSION: u32 = 1;

/// A deployment plan. In JSON, exactly one of `fargate` or `lambda` is present.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PlanRepr", into = "PlanRepr")]
pub struct Plan {
    /// Short lowercase name used in resource names and tags.
    pub project: String,
    pub region: Region,
    /// Tags added to every resource that supports tags.
    pub tags: BTreeMap<String, String>,
    pub workload: Workload,
    pub architecture: Architecture,
    /// The service's environment: plain settings, references to secrets kept elsewhere, and
    /// secrets the stack generates. The same list for either architecture.
    pub environment: Vec<EnvVar>,
    /// The service's own domain name, in a Route 53 hosted zone the user has.
    pub domain: Option<Domain>,
    /// Deployed into an account governed by AWS Control Tower: the plan must satisfy every
    /// proactive control a plan setting can (the validator names each one it misses), and the
    /// template takes the hardening that needs no setting.
    pub governed: bool,
    /// An S3 bucket the user already has, in the plan's account and region, that receives the
    /// stack's access logs; the stack then has no log bucket of its own.
    pub log_bucket: Option<String>,
}

/// The two reference architectures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Architecture {
    Fargate(Fargate),
    Lambda(Lambda),
}

impl Architecture {
    pub fn kind(&self) -> ArchitectureKind {
        match self {
            Architecture::Fargate(_) => ArchitectureKind::Fargate,
            Architecture::Lambda(_) => ArchitectureKind::Lambda,
        }
    }

    /// How long either architecture keeps its logs, in days.
    pub fn log_retention_days(&self) -> u16 {
        match self {
            Architecture::Fargate(f) => f.log_retention_days,
            Architecture::Lambda(l) => l.log_retention_days,
        }
    }

    /// The same, to change it.
    pub fn log_retention_days_mut(&mut self) -> &mut u16 {
        match self {
            Architecture::Fargate(f) => &mut f.log_retention_days,
            Architecture::Lambda(l) => &mut l.log_retention_days,
        }
    }
}

/// Which architecture, without its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchitectureKind {
    Fargate,
    Lambda,
}

impl ArchitectureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ArchitectureKind::Fargate => "fargate",
            ArchitectureKind::Lambda => "lambda",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ArchitectureKind::Fargate => "ECS Fargate",
            ArchitectureKind::Lambda => "Lambda",
        }
    }
}

impl fmt::Display for ArchitectureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON shape of a plan: the architecture is the key `fargate` or `lambda`, so that
/// validation paths read `fargate.memory_mib`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(title = "Stackplan deployment plan"))]
struct PlanRepr {
    /// Plan format version (1).
    #[serde(default = "default_version")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = PLAN_VERSION)))]
    version: u32,
    /// Short lowercase name (3–24 characters: a–z, 0–9, hyphens) used in names and tags.
    #[cfg_attr(
        feature = "schema",
        schemars(
            length(min = 3, max = 24),
            regex(pattern = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
        )
    )]
    project: String,
    region: Region,
    /// Tags added to every resource that supports tags (at most 10; keys of 1–64 characters,
    /// values of at most 128).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::unique_keys::deserialize"
    )]
    #[cfg_attr(feature = "schema", schemars(extend("maxProperties" = 10)))]
    tags: BTreeMap<String, String>,
    workload: Workload,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fargate: Option<Fargate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lambda: Option<Lambda>,
    /// The service's environment variables (at most 50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(length(max = 50)))]
    environment: Vec<EnvVar>,
    /// The service's own domain name: a certificate, and a DNS record to the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    domain: Option<Domain>,
    /// Deployed into an account governed by AWS Control Tower: every proactive control a plan
    /// setting can satisfy must be satisfied (the validator names each one missing), and the
    /// template takes the hardening that needs no setting (the database off PostgreSQL's
    /// default port).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    governed: bool,
    /// An S3 bucket you already have, in the plan's account and region, encrypted with
    /// S3-managed keys, without Object Lock or Requester Pays, for the stack's access logs (S3
    /// server access logs; the load balancer's access logs; the VPC's flow logs), instead of a
    /// log bucket of the stack's own. Its policy must let the log delivery services write under
    /// the stack's name (`stackplan log-bucket-policy` prints the statements). The governed-account
    /// profile needs one: the stack's own log bucket could not pass its controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(
            length(min = 3, max = 63),
            regex(pattern = r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
        )
    )]
    log_bucket: Option<String>,
}

/// How the error of a version this build does not read begins (it is said of `version`).
const UNSUPPORTED_VERSION: &str = "plan version ";

fn default_version() -> u32 {
    PLAN_VERSION
}

impl TryFrom<PlanRepr> for Plan {
    type Error = String;
    fn try_from(r: PlanRepr) -> Result<Self, Self::Error> {
        if r.version == 0 || r.version > PLAN_VERSION {
            return Err(format!(
                "{UNSUPPORTED_VERSION}{} is not supported by this build (it reads {})",
                r.version,
                match PLAN_VERSION {
                    1 => "version 1".to_string(),
                    n => format!("versions 1 to {n}"),
                }
            ));
        }
        let architecture = match (r.fargate, r.lambda) {
            (Some(f), None) => Architecture::Fargate(f),
            (None, Some(l)) => Architecture::Lambda(l),
            (Some(_), Some(_)) => {
                return Err(
                    "a plan has one architecture: give `fargate` or `lambda`, not both".into(),
                );
            }
            (None, None) => {
                return Err(
                    "a plan needs an architecture: add a `fargate` or a `lambda` section".into(),
                );
            }
        };
        Ok(Plan {
            project: r.project,
            region: r.region,
            tags: r.tags,
            workload: r.workload,
            architecture,
            environment: r.environment,
            domain: r.domain,
            governed: r.governed,
            log_bucket: r.log_bucket,
        })
    }
}

impl From<Plan> for PlanRepr {
    fn from(p: Plan) -> Self {
        let (fargate, lambda) = match p.architecture {
            Architecture::Fargate(f) => (Some(f), None),
            Architecture::Lambda(l) => (None, Some(l)),
        };
        PlanRepr {
            version: PLAN_VERSION,
            project: p.project,
            region: p.region,
            tags: p.tags,
            workload: p.workload,
            fargate,
            lambda,
            environment: p.environment,
            domain: p.domain,
            governed: p.governed,
            log_bucket: p.log_bucket,
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Plan {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Plan".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = PlanRepr::json_schema(generator);
        // Exactly one architecture section (an object; `null` is the same as leaving it out).
        schema.insert(
            "oneOf".into(),
            serde_json::json!([
                {"required": ["fargate"], "properties": {"fargate": {"type": "object"}}},
                {"required": ["lambda"], "properties": {"lambda": {"type": "object"}}}
            ]),
        );
        schema
    }
}

/// An error reading a plan from JSON, with the path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the plan is empty: expected a JSON object (try `stackplan example fargate`)")]
    Empty,
    #[error("the plan is not valid JSON: {0}")]
    Syntax(String),
    #[error("the plan must be a JSON object {{…}}, with a `fargate` or a `lambda` section")]
    NotAnObject,
    /// The first field serde refused (`message` says where in the text, when the reader sees
    /// it), then every other one found by reading on without it (`more`, at most
    /// [`MORE_ERRORS`]; `cut` when there were more still).
    #[error("{path}: {message}{}", others(more, *cut))]
    Invalid {
        path: String,
        message: String,
        more: Vec<FieldError>,
        cut: bool,
    },
    /// A CloudFormation template that records no plan ([`Plan::from_file`]).
    #[error(
        "this is a CloudFormation template, but not one Stackplan wrote: it records no plan at Metadata.Stackplan.Plan. Open the plan file, or a template the planner or `stackplan template` wrote"
    )]
    ForeignTemplate,
    /// A Stackplan template whose recorded plan does not read.
    #[error(
        "the template's recorded plan (Metadata.Stackplan.Plan) could not be read: {0}; open the plan file, or download the template again"
    )]
    RecordedPlan(String),
}

/// The lines after a plan's first field error.
fn others(more: &[FieldError], cut: bool) -> String {
    let mut lines: String = more.iter().map(|e| format!("\n{e}")).collect();
    if cut {
        lines.push_str(&format!(
            "\n(only the first {} errors are named; fix these and read the plan again)",
            MORE_ERRORS + 1
        ));
    }
    lines
}

/// Deserializes a plan, tracking the path of the field at fault (`.` when unknown).
#[cfg(feature = "paths")]
fn tracked<'de, D>(de: D) -> Result<Plan, (String, serde_json::Error)>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    serde_path_to_error::deserialize(de).map_err(|e| (e.path().to_string(), e.into_inner()))
}

/// serde's `path` of the error `e` in `text`; without serde's paths (the browser build), the
/// path of the error's place in the text.
fn placed_path(text: &str, path: String, e: &serde_json::Error) -> String {
    match path.as_str() {
        "." if e.line() > 0 => path_at(text, e.line(), e.column()).unwrap_or(path),
        _ => path,
    }
}

/// Where serde, stopped at `path` in the plan `given`, was inside an array it read as an object
/// by position (`"fargate": [1, 512, …]` is refused for its fifth value, in serde's words about
/// that value): the outermost array along `path` that is read as an object. An empty object in
/// its place either reads, or is refused only further on or for a field it lacks; any other
/// value's field (a string, a list, an enum) refuses it there for its kind.
fn read_by_position(mut given: serde_json::Value, path: &str) -> Option<String> {
    for (at, steps) in crate::shape::arrays_along(&given, path) {
        // An empty object in the array's place, in the text read again; then the array back.
        let place = crate::shape::at_mut(&mut given, &steps)?;
        let array = std::mem::replace(place, serde_json::Value::Object(Default::default()));
        let text = given.to_string();
        *crate::shape::at_mut(&mut given, &steps)? = array;
        let read_as_object = match tracked(&mut serde_json::Deserializer::from_str(&text)) {
            Ok(_) => true,
            Err((p, e)) => {
                placed_path(&text, p, &e) != at || e.to_string().starts_with("missing field")
            }
        };
        if read_as_object {
            return Some(at);
        }
    }
    None
}

/// Without the `paths` feature (the browser build, where it would cost about 15 KB of
/// download), a plan's error names no field path.
#[cfg(not(feature = "paths"))]
fn tracked<'de, D>(de: D) -> Result<Plan, (String, serde_json::Error)>
where
    D: serde::Deserializer<'de, Error = serde_json::Error>,
{
    Plan::deserialize(de).map_err(|e| (".".to_string(), e))
}

impl ParseError {
    /// `placed`: whether the message keeps serde's " at line L column C", which only helps
    /// when the reader can see the text.
    fn from_serde(
        path: String,
        inner: serde_json::Error,
        not_object: bool,
        placed: bool,
        json_reads: bool,
    ) -> ParseError {
        let path = match path.as_str() {
            // Read whole, then refused for its version.
            "." if inner.to_string().starts_with(UNSUPPORTED_VERSION) => "version".to_string(),
            "." => "plan".to_string(),
            _ => path,
        };
        let path = duplicate_field_path(&path, &inner.to_string()).unwrap_or(path);
        match inner.classify() {
            serde_json::error::Category::Syntax if json_reads => ParseError::Invalid {
                path,
                message: ParseError::message_of(&inner, placed),
                more: Vec::new(),
                cut: false,
            },
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ParseError::Syntax(inner.to_string())
            }
            _ if not_object => ParseError::NotAnObject,
            _ => ParseError::Invalid {
                path,
                message: ParseError::message_of(&inner, placed),
                more: Vec::new(),
                cut: false,
            },
        }
    }

    /// The part of the plan at `path` is an array where an object is read: its values would be
    /// taken as fields by position.
    fn by_position(path: String) -> ParseError {
        ParseError::Invalid {
            path,
            message: crate::shape::ARRAY_FOR_OBJECT.into(),
            more: Vec::new(),
            cut: false,
        }
    }

    /// serde's message in words; `placed`: with its " at line L column C".
    fn message_of(inner: &serde_json::Error, placed: bool) -> String {
        let mut message = if inner.classify() == serde_json::error::Category::Syntax {
            // In JSON that reads, serde_json's "expected value" is a value of the wrong kind
            // where an enum is read (a number for `lambda.authorizer`, or an empty object),
            // which only a variant's name or an object of one can be.
            format!(
                "invalid value: expected a name (a string), or an object with one name as its only key at line {} column {}",
                inner.line(),
                inner.column()
            )
        } else {
            inner.to_string()
        };
        let position = format!(" at line {} column {}", inner.line(), inner.column());
        if !placed && inner.line() != 0 && message.ends_with(&position) {
            message.truncate(message.len() - position.len());
        }
        expected_in_words(&message)
    }

    /// The first field error of the plan `text`, with every other one after it. (Public for
    /// a reader that first checks whether the text is a plan at all.)
    pub fn with_the_others(self, text: &str) -> ParseError {
        let ParseError::Invalid { path, message, .. } = self else {
            return self;
        };
        let text = without_bom(text);
        let mut more: Vec<FieldError> = fields::every_error(
            text,
            |compact| serde_json::from_str::<Plan>(compact).map(drop),
            // The compact text is JSON that reads, so its syntax errors are of a value's kind.
            |e| {
                matches!(
                    e.classify(),
                    serde_json::error::Category::Data | serde_json::error::Category::Syntax
                )
                .then(|| (e.line(), e.column(), ParseError::message_of(e, false)))
            },
        )
        .into_iter()
        .collect();
        // The search meets the first error again first; it is already named (its path may be
        // written otherwise: serde's path of an unknown variant is the field's, the text's
        // scan names the variant).
        if more
            .first()
            .is_some_and(|e| message.starts_with(&e.message))
        {
            more.remove(0);
        }
        // Nor are the values of an array read as an object by position: they are its fields,
        // refused for their places.
        let by_position = message == crate::shape::ARRAY_FOR_OBJECT;
        more.retain(|e| {
            e.path != path
                && !(by_position
                    && e.path
                        .strip_prefix(path.as_str())
                        .is_some_and(|rest| rest.starts_with(['.', '['])))
        });
        let cut = more.len() > MORE_ERRORS;
        more.truncate(MORE_ERRORS);
        ParseError::Invalid {
            path,
            message,
            more,
            cut,
        }
    }

    /// Each field error, the first first (none for an error of the whole text).
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            ParseError::Invalid {
                path,
                message,
                more,
                ..
            } => std::iter::once(FieldError {
                path: path.clone(),
                message: message.clone(),
            })
            .chain(more.iter().cloned())
            .collect(),
            _ => Vec::new(),
        }
    }
}

/// A byte order mark, as some editors on Windows save UTF-8 files, is not part of the JSON (the
/// browser's `Blob.text()` drops it; a file read from disk keeps it). Lines and columns stay
/// those of the text after it, as an editor shows them.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The path of the field serde's `message` says is given twice: serde may say it of the object
/// holding it (`path`: `.`, `plan` or empty for the whole).
pub fn duplicate_field_path(path: &str, message: &str) -> Option<String> {
    let field = message
        .strip_prefix("duplicate field `")?
        .split_once('`')?
        .0;
    Some(match path {
        "" | "." | "plan" => field.to_string(),
        // Already the field's (serde's path at times, the text's place always).
        _ if path == field || path.ends_with(&format!(".{field}")) => path.to_string(),
        _ => format!("{path}.{field}"),
    })
}

/// serde's messages name the Rust type a field has ("expected u32", "expected struct
/// Database"); a user reads what kind of value goes there. The server words its request
/// bodies' errors with it too.
pub fn expected_in_words(message: &str) -> String {
    // "expected struct Database" names a Rust type: in JSON it is an object.
    if let Some(at) = message.find("expected struct ") {
        let rest = &message[at + "expected struct ".len()..];
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        let mut rest = &rest[name_end..];
        if let Some(after) = rest.strip_prefix(" with ") {
            // "with 6 elements", "with 1 element": what an array would need to stand for it.
            rest = after
                .find(" element")
                .map(|e| after[e + " element".len()..].trim_start_matches('s'))
                .unwrap_or(rest);
        }
        // serde reads an array where a struct goes as the struct's fields in order, so an
        // array of the wrong length is "invalid length": to a user, an array is the wrong kind.
        let before = &message[..at];
        let before = if before.starts_with("invalid length ") {
            "invalid type: array, "
        } else {
            before
        };
        return expected_in_words(&format!("{before}expected an object{rest}"));
    }
    const WORDS: [(&str, &str); 9] = [
        ("u8", "a whole number from 0 to 255"),
        ("u16", "a whole number from 0 to 65535"),
        ("u32", "a whole number from 0 to 4294967295"),
        ("u64", "a whole number, 0 or more"),
        ("usize", "a whole number, 0 or more"),
        ("i32", "a whole number"),
        ("i64", "a whole number"),
        ("f32", "a number"),
        ("f64", "a number"),
    ];
    for (ty, words) in WORDS {
        let rust = format!("expected {ty}");
        if let Some(at) = message.find(&rust) {
            let end = at + rust.len();
            if !message[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
                return format!("{}expected {words}{}", &message[..at], &message[end..]);
            }
        }
    }
    message.to_string()
}

impl Plan {
    /// Parses a plan from JSON text, naming the field at fault on error.
    pub fn from_json(text: &str) -> Result<Plan, ParseError> {
        Plan::from_json_first(text).map_err(|e| e.with_the_others(text))
    }

    /// The plan in JSON `text`, or its first error alone: for a reader that looks for the
    /// others ([`ParseError::with_the_others`]) only once it knows the text is meant as a plan
    /// (a template would be read again for each of its fields).
    pub fn from_json_first(text: &str) -> Result<Plan, ParseError> {
        Plan::parse(without_bom(text), true)
    }

    /// Reads a file a user opens as a plan: a plan file, or a template Stackplan wrote (JSON or
    /// YAML, the planner's download or `stackplan template`'s), which records the plan it came
    /// from at `Metadata.Stackplan.Plan`. Any other text's error is the plan's.
    pub fn from_file(text: &str) -> Result<Plan, ParseError> {
        // The plan's other errors are looked for only once the text is known not to be a
        // template: a template would be read again for each of its fields.
        let error = match Plan::from_json_first(text) {
            Ok(plan) => return Ok(plan),
            Err(error) => error,
        };
        match crate::template::recorded_code(text) {
            crate::template::Recorded::NoTemplate => Err(error.with_the_others(text)),
            crate::template::Recorded::Foreign => Err(ParseError::ForeignTemplate),
            crate::template::Recorded::Code(code) => {
                crate::link::decode(&code).map_err(|e| ParseError::RecordedPlan(e.of_record()))
            }
        }
    }

    /// Parses JSON text the user never sees (a share link's unpacked plan): an error names the
    /// field, but no line and column of that text.
    pub fn from_unseen_json(text: &str) -> Result<Plan, ParseError> {
        Plan::parse(text, false).map_err(|e| e.with_the_others(text))
    }

    /// The plan in `text`, or its first error.
    fn parse(text: &str, placed: bool) -> Result<Plan, ParseError> {
        if text.trim().is_empty() {
            return Err(ParseError::Empty);
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let not_object = !text.trim_start().starts_with('{');
        let plan = tracked(&mut de).map_err(|(path, e)| {
            let path = placed_path(text, path, &e);
            // The text read once as JSON, for both questions below.
            let given = serde_json::from_str::<serde_json::Value>(text).ok();
            // serde_json says "expected value", a syntax error, for a value of the wrong kind
            // where an enum is read: JSON that reads has no syntax error.
            let json_reads = e.classify() == serde_json::error::Category::Syntax && given.is_some();
            // (A whole plan given as an array is no object, wherever serde stopped in it.)
            match given.filter(|_| !not_object) {
                Some(given) => match read_by_position(given, &path) {
                    Some(at) => ParseError::by_position(at),
                    None => ParseError::from_serde(path, e, not_object, placed, json_reads),
                },
                None => ParseError::from_serde(path, e, not_object, placed, json_reads),
            }
        })?;
        // One plan, and nothing after it: a second object, or text, is not read silently.
        de.end().map_err(|e| ParseError::Syntax(e.to_string()))?;
        if let Some(path) = text
            .contains('[')
            .then(|| crate::shape::array_for_object(text, &plan))
            .flatten()
        {
            // The whole plan, read by position.
            if path.is_empty() {
                return Err(ParseError::NotAnObject);
            }
            return Err(ParseError::by_position(path));
        }
        Ok(plan)
    }

    /// Canonical JSON of the plan (pretty, stable field order).
    ///
    /// Printed through a `Value`, whose pretty printer the browser has anyway: a plan then has
    /// one serializer there (the compact one), not two. Same text, key order included, because
    /// the workspace enables serde_json's `preserve_order` and `float_roundtrip`.
    pub fn to_json_pretty(&self) -> String {
        let compact = serde_json::to_string(self).expect("a plan always serializes");
        let value: serde_json::Value =
            serde_json::from_str(&compact).expect("a plan's JSON parses");
        serde_json::to_string_pretty(&value).expect("a value always serializes")
    }

    pub fn kind(&self) -> ArchitectureKind {
        self.architecture.kind()
    }

    /// The image repository the plan names (without its tag), if it runs one of its own
    /// choosing rather than its stack's repository (Fargate) or a zip (Lambda).
    pub fn image(&self) -> Option<&str> {
        match &self.architecture {
            Architecture::Fargate(f) => f.image.as_deref(),
            Architecture::Lambda(l) => l.image.as_deref(),
        }
    }

    pub fn fargate(&self) -> Option<&Fargate> {
        match &self.architecture {
            Architecture::Fargate(f) => Some(f),
            Architecture::Lambda(_) => None,
        }
    }

    pub fn lambda(&self) -> Option<&Lambda> {
        match &self.architecture {
            Architecture::Lambda(l) => Some(l),
            Architecture::Fargate(_) => None,
        }
    }
}

/// The AWS regions Stackplan plans for (the price book has prices in each; an item it has no
/// price for in a region is priced "unknown", and the total is a lower bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Region {
    #[serde(rename = "us-east-1")]
    UsEast1,
    #[serde(rename = "us-west-2")]
    UsWest2,
    #[serde(rename = "eu-west-1")]
    EuWest1,
    #[serde(rename = "eu-central-1")]
    EuCentral1,
    #[serde(rename = "ap-southeast-1")]
    ApSoutheast1,
    #[serde(rename = "ap-northeast-1")]
    ApNortheast1,
}

impl Region {
    pub const ALL: [Region; 6] = [
        Region::UsEast1,
        Region::UsWest2,
        Region::EuWest1,
        Region::EuCentral1,
        Region::ApSoutheast1,
        Region::ApNortheast1,
    ];

    /// Every region's code, comma-separated, for messages that list them.
    pub fn codes() -> String {
        Region::ALL.map(Region::code).join(", ")
    }

    /// The region's code, as plans write it (its [`words::Word`] name).
    pub fn code(self) -> &'static str {
        <Self as words::Word>::NAMES[self as usize]
    }

    /// The name AWS uses in the console and the price list's `location` attribute.
    pub fn name(self) -> &'static str {
        match self {
            Region::UsEast1 => "US East (N. Virginia)",
            Region::UsWest2 => "US West (Oregon)",
            Region::EuWest1 => "EU (Ireland)",
            Region::EuCentral1 => "EU (Frankfurt)",
            Region::ApSoutheast1 => "Asia Pacific (Singapore)",
            Region::ApNortheast1 => "Asia Pacific (Tokyo)",
        }
    }

    pub fn from_code(code: &str) -> Option<Region> {
        words::named(code)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What the service is expected to carry: the cost model's usage inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Workload {
    /// HTTP requests per month.
    #[cfg_attr(feature = "schema", schemars(range(max = 1_000_000_000_000u64)))]
    pub requests_per_month: u64,
    /// Average time to serve one request, in milliseconds.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 900_000)))]
    pub avg_duration_ms: u32,
    /// Average response body, in KB.
    #[cfg_attr(feature = "schema", schemars(range(max = 10_240)))]
    pub avg_response_kb: u32,
    /// Share of response traffic that leaves AWS for the internet, in percent.
    #[cfg_attr(feature = "schema", schemars(range(max = 100)))]
    pub internet_egress_percent: u8,
    /// Application logs written per month, in GB.
    #[cfg_attr(feature = "schema", schemars(range(min = 0.0, max = 1_000_000.0)))]
    pub log_gb_per_month: f64,
}

/// CPU architecture of tasks or functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CpuArch {
    /// Intel/AMD.
    X86_64,
    /// AWS Graviton (ARM), about 20% cheaper.
    Arm64,
}

impl CpuArch {
    /// The architecture as plans write it (its [`words::Word`] name).
    pub fn as_str(self) -> &'static str {
        <Self as words::Word>::NAMES[self as usize]
    }

    /// The architecture `name` names, as plans write it.
    pub fn from_name(name: &str) -> Option<CpuArch> {
        words::named(name)
    }
}

/// The ECS Fargate architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Fargate {
    /// vCPU per task: 0.25, 0.5, 1, 2, 4, 8 or 16.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0])))]
    pub vcpu: f64,
    /// Memory per task in MiB; the allowed values depend on `vcpu`.
    #[cfg_attr(feature = "schema", schemars(range(min = 512, max = 122_880)))]
    pub memory_mib: u32,
    pub cpu_architecture: CpuArch,
    /// Container image repository without tag. Absent: the stack's own ECR repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Default image tag (a template parameter, changed at deploy time).
    #[cfg_attr(
        feature = "schema",
        schemars(
            length(min = 1, max = 128),
            regex(pattern = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
        )
    )]
    pub image_tag: String,
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub container_port: u16,
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = 1024), regex(pattern = r"^/[^ ]*$"))
    )]
    pub health_check_path: String,
    /// Seconds ECS ignores the load balancer's health checks after a task starts, for a service
    /// that is slow to become healthy (a JVM, migrations at start). Absent: 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(max = 3600)))]
    pub health_check_grace_s: Option<u16>,
    /// Run the container with a read-only root file system (recommended); `/tmp` is a volume
    /// on the task's ephemeral storage (for a non-root `user`, declare `VOLUME /tmp` in the
    /// image so its permissions carry over).
    pub readonly_root_filesystem: bool,
    /// The user the container runs as: a name or uid, with an optional group
    /// (`1000`, `1000:1000`, `app`). Absent: the image's own user, often root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(
            length(min = 1, max = 64),
            regex(pattern = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$")
        )
    )]
    pub user: Option<String>,
    /// Ephemeral storage per task in GiB (20 included, up to 200).
    #[cfg_attr(feature = "schema", schemars(range(min = 20, max = 200)))]
    pub ephemeral_storage_gib: u16,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 100)))]
    pub desired_tasks: u32,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 100)))]
    pub min_tasks: u32,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 100)))]
    pub max_tasks: u32,
    /// Target average CPU utilisation for autoscaling, in percent.
    #[cfg_attr(feature = "schema", schemars(range(min = 10, max = 90)))]
    pub cpu_target_percent: u8,
    /// Share of tasks on Fargate Spot, in percent, on either CPU architecture (FARGATE_SPOT
    /// takes ARM64 tasks from platform version 1.4.0, the LATEST on Linux, which the service
    /// runs on).
    #[cfg_attr(feature = "schema", schemars(range(max = 100)))]
    pub spot_percent: u8,
    pub nat_gateways: NatGateways,
    /// CloudWatch Logs retention, in days.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653])))]
    pub log_retention_days: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<Database>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<Cache>,
    /// HTTPS on the load balancer. Absent: HTTP only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https: Option<Https>,
    /// Where alarm notifications go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_email: Option<String>,
}

impl Fargate {
    /// How long ECS ignores a new task's load balancer health checks when the plan does not
    /// say ([`Fargate::health_check_grace_s`]).
    pub const DEFAULT_HEALTH_CHECK_GRACE_S: u16 = 60;

    /// The health check grace period the service gets, in seconds.
    pub fn health_check_grace(&self) -> u16 {
        self.health_check_grace_s
            .unwrap_or(Self::DEFAULT_HEALTH_CHECK_GRACE_S)
    }
}

/// NAT gateways for the private subnets' outbound traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NatGateways {
    /// One NAT gateway shared by both AZs (cheaper; an AZ outage cuts outbound traffic).
    Single,
    /// One NAT gateway per AZ (resilient; twice the hourly cost).
    PerAz,
}

impl NatGateways {
    pub fn count(self) -> u32 {
        match self {
            NatGateways::Single => 1,
            NatGateways::PerAz => 2,
        }
    }
}

/// RDS PostgreSQL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Database {
    pub instance_class: DbInstanceClass,
    /// gp3 storage in GB (20–6144).
    #[cfg_attr(feature = "schema", schemars(range(min = 20, max = 6144)))]
    pub storage_gb: u32,
    pub multi_az: bool,
    /// Automated backup retention in days (1–35).
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 35)))]
    pub backup_days: u8,
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        pub enum $name { $(#[serde(rename = $s)] $variant),+ }
        impl words::Word for $name {
            const WORDS: &'static [$name] = $name::ALL;
            const NAMES: &'static [&'static str] = &[$($s),+];
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { <Self as words::Word>::NAMES[self as usize] }
            pub fn parse(s: &str) -> Option<$name> { Self::ALL.iter().copied().find(|v| v.as_str() == s) }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum!(
    /// RDS instance classes the planner offers (priced where the price book has them; elsewhere
    /// "unknown", and the total is a lower bound).
    DbInstanceClass {
        T4gMicro => "db.t4g.micro",
        T4gSmall => "db.t4g.small",
        T4gMedium => "db.t4g.medium",
        T3Micro => "db.t3.micro",
        T3Small => "db.t3.small",
        T3Medium => "db.t3.medium",
        M6gLarge => "db.m6g.large",
    }
);

string_enum!(
    /// ElastiCache node types the planner offers.
    CacheNodeType {
        T4gMicro => "cache.t4g.micro",
        T4gSmall => "cache.t4g.small",
        T3Micro => "cache.t3.micro",
        T3Small => "cache.t3.small",
        M6gLarge => "cache.m6g.large",
    }
);

string_enum!(
    /// Lambda runtimes whose inline placeholder code the template can carry.
    Runtime {
        Python313 => "python3.13",
        Python312 => "python3.12",
        Nodejs22 => "nodejs22.x",
    }
);

impl Runtime {
    pub fn is_python(self) -> bool {
        matches!(self, Runtime::Python313 | Runtime::Python312)
    }
}

/// ElastiCache for Redis OSS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cache {
    pub node_type: CacheNodeType,
    /// Nodes in the replication group: 1 primary plus replicas (1–6).
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 6)))]
    pub nodes: u8,
}

/// HTTPS on the load balancer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Https {
    /// ACM certificate ARN, in the plan's region.
    pub certificate_arn: String,
}

/// The Lambda architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Lambda {
    /// Memory in MB (128–10240); CPU scales with it.
    #[cfg_attr(feature = "schema", schemars(range(min = 128, max = 10_240)))]
    pub memory_mb: u32,
    pub architecture: CpuArch,
    /// Timeout in seconds (1–900).
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 900)))]
    pub timeout_s: u32,
    pub runtime: Runtime,
    /// Handler of the deployed code, e.g. `app.handler` (zip code only).
    pub handler: String,
    /// A container image in Amazon ECR to run instead of zip code:
    /// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME` in the plan's region, without a tag (the
    /// tag is the deploy's `ImageTag`, `latest` unless given). Runtime and handler are then
    /// the image's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 320)))]
    pub image: Option<String>,
    pub api: ApiType,
    /// Who may call the API. Absent: anyone (the application authenticates its callers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer: Option<Authorizer>,
    /// The API's steady request rate and burst before it answers 429. Absent: an HTTP API has
    /// only the account's limits; a REST API's stage keeps the template's 1,000 requests/s with
    /// bursts of 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttling: Option<Throttling>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(length(max = 5)))]
    pub tables: Vec<Table>,
    /// An S3 bucket for the function's files.
    pub bucket: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(max = 900)))]
    pub reserved_concurrency: Option<u32>,
    /// CloudWatch Logs retention, in days.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653])))]
    pub log_retention_days: u16,
}

/// Who may call the function's API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Authorizer {
    /// Callers sign their requests with AWS credentials (SigV4) allowed `execute-api:Invoke`.
    Iam,
    /// Callers send a JSON Web Token from your identity provider (HTTP API only).
    Jwt(Jwt),
}

/// A JWT authorizer: API Gateway checks the token's signature, issuer, audience and expiry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Jwt {
    /// The identity provider's issuer URL (`https://…`, the token's `iss`).
    #[cfg_attr(feature = "schema", schemars(length(min = 9, max = 2048)))]
    pub issuer: String,
    /// Accepted audiences (the token's `aud`, or the client id): 1–50.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = Jwt::MAX_AUDIENCES)))]
    pub audience: Vec<String>,
}

impl Jwt {
    /// The most audiences API Gateway accepts for one JWT authorizer (HTTP API quotas:
    /// "Audiences per authorizer", 50, not adjustable).
    pub const MAX_AUDIENCES: usize = 50;
}

/// Request throttling of the API's stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Throttling {
    /// Steady requests per second (1–10,000).
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 10_000)))]
    pub rate_per_second: u32,
    /// Requests allowed at once above the steady rate (1–5,000).
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 5_000)))]
    pub burst: u32,
}

impl Throttling {
    /// What a REST API's stage keeps when the plan sets no throttling (an HTTP API then has
    /// only the account's limits).
    pub const REST_DEFAULT: Throttling = Throttling {
        rate_per_second: 1_000,
        burst: 500,
    };
}

impl Lambda {
    /// The API stage's throttling: the plan's, else a REST API's default, else none.
    pub fn stage_throttling(&self) -> Option<&Throttling> {
        match (&self.throttling, self.api) {
            (Some(t), _) => Some(t),
            (None, ApiType::Rest) => Some(&Throttling::REST_DEFAULT),
            (None, ApiType::Http) => None,
        }
    }
}

/// API Gateway flavour in front of the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApiType {
    /// HTTP API: cheaper and faster, fewer features.
    Http,
    /// REST API: usage plans, API keys, request validation.
    Rest,
}

impl ApiType {
    pub fn label(self) -> &'static str {
        match self {
            ApiType::Http => "HTTP API",
            ApiType::Rest => "REST API",
        }
    }
}

/// A DynamoDB table (on-demand).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Table {
    /// Short name: letters and digits, starting with a letter (e.g. `orders`).
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = 32), regex(pattern = r"^[A-Za-z][A-Za-z0-9]*$"))
    )]
    pub name: String,
    pub partition_key: Key,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_key: Option<Key>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_attribute: Option<String>,
}

/// A key attribute of a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Key {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: KeyType,
}

/// DynamoDB scalar attribute types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum KeyType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl KeyType {
    /// The type as plans write it (its [`words::Word`] name).
    pub fn as_str(self) -> &'static str {
        <Self as words::Word>::NAMES[self as usize]
    }
}

/// One environment variable of the service. Exactly one of `value`, `ssm_parameter`, `secret`
/// or `generate` says where its value comes from (the validator says so when it is not one).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EnvVar {
    /// Letters, digits and underscores, starting with a letter (2–128 characters).
    #[cfg_attr(
        feature = "schema",
        schemars(
            length(min = 2, max = 128),
            regex(pattern = r"^[A-Za-z][A-Za-z0-9_]+$")
        )
    )]
    pub name: String,
    /// A plain setting. It is written into the template, so it must not be a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = 4096)))]
    pub value: Option<String>,
    /// An existing SSM Parameter Store SecureString, by name (`/stackplan/db-password`) or ARN
    /// (ECS Fargate only). A deploy reads only names under the account's settings prefixes
    /// (`stackplan/` unless its bootstrap allows others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 2048)))]
    pub ssm_parameter: Option<String>,
    /// An existing Secrets Manager secret, by name or ARN. A deploy reads only names under the
    /// account's settings prefixes (`stackplan/` unless its bootstrap allows others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 2048)))]
    pub secret: Option<String>,
    /// For a `secret` that holds JSON: the key whose value the variable gets (letters, digits,
    /// `_ . -`; at most 128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = 128), regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub json_key: Option<String>,
    /// A random secret the stack generates and keeps in Secrets Manager (an API key, say).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generate: bool,
}

/// Where an environment variable's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvSource<'a> {
    Value(&'a str),
    SsmParameter(&'a str),
    Secret(&'a str),
    Generated,
}

impl EnvVar {
    /// The variable's one source, or `None` when it has none or several.
    pub fn source(&self) -> Option<EnvSource<'_>> {
        let mut found = Vec::with_capacity(1);
        if let Some(v) = &self.value {
            found.push(EnvSource::Value(v));
        }
        if let Some(p) = &self.ssm_parameter {
            found.push(EnvSource::SsmParameter(p));
        }
        if let Some(s) = &self.secret {
            found.push(EnvSource::Secret(s));
        }
        if self.generate {
            found.push(EnvSource::Generated);
        }
        match found.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Whether the value is kept out of the template (a reference or a generated secret).
    pub fn is_secret(&self) -> bool {
        !matches!(self.source(), Some(EnvSource::Value(_)) | None)
    }
}

/// The service's own domain name. The stack makes an ACM certificate for it, validated through
/// DNS records in the hosted zone, and an alias record that points the name at the load balancer
/// or at the API's custom domain.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Domain {
    /// The host name, lowercase: `api.example.com`.
    #[cfg_attr(feature = "schema", schemars(length(min = 3, max = 253)))]
    pub name: String,
    /// The id of the Route 53 public hosted zone that holds the name (`Z…`). A deploy writes
    /// only in zones the account's bootstrap lists.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 2, max = 32), regex(pattern = r"^Z[A-Z0-9]+$"))
    )]
    pub hosted_zone_id: String,
}

words::from_strings!(
    Region,
    CpuArch,
    NatGateways,
    ApiType,
    KeyType,
    DbInstanceClass,
    CacheNodeType,
    Runtime
);

impl words::Word for Region {
    const WORDS: &'static [Region] = &Region::ALL;
    const NAMES: &'static [&'static str] = &[
        "us-east-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
        "ap-northeast-1",
    ];
}

impl words::Word for CpuArch {
    const WORDS: &'static [CpuArch] = &[CpuArch::X86_64, CpuArch::Arm64];
    const NAMES: &'static [&'static str] = &["x86_64", "arm64"];
}

impl words::Word for NatGateways {
    const WORDS: &'static [NatGateways] = &[NatGateways::Single, NatGateways::PerAz];
    const NAMES: &'static [&'static str] = &["single", "per_az"];
}

impl words::Word for ApiType {
    const WORDS: &'static [ApiType] = &[ApiType::Http, ApiType::Rest];
    const NAMES: &'static [&'static str] = &["http", "rest"];
}

impl words::Word for KeyType {
    const WORDS: &'static [KeyType] = &[KeyType::S, KeyType::N, KeyType::B];
    const NAMES: &'static [&'static str] = &["S", "N", "B"];
}

#[cfg(test)]
mod tests {
    use super::{ParseError, Plan};
    use serde_json::Value;

    /// Every object of every matrix plan given instead as the array of its values, in order:
    /// serde alone reads many of those by position, and stops inside others in words about a
    /// value there; the plan's reader refuses each and names it.
    #[test]
    fn an_array_given_for_an_object_is_refused_at_its_path() {
        fn objects(v: &Value, path: &str, out: &mut Vec<String>) {
            let at = |step: String| match path {
                "" => step,
                _ if step.starts_with('[') => format!("{path}{step}"),
                _ => format!("{path}.{step}"),
            };
            match v {
                Value::Object(map) => {
                    if !path.is_empty() && path != "tags" {
                        out.push(path.to_string());
                    }
                    for (k, v) in map {
                        objects(v, &at(k.clone()), out);
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        objects(v, &at(format!("[{i}]")), out);
                    }
                }
                _ => {}
            }
        }
        fn pointer(path: &str) -> String {
            path.split('.')
                .flat_map(|p| p.split('['))
                .map(|p| format!("/{}", p.trim_end_matches(']')))
                .collect()
        }
        let (mut refused, mut serde_read, mut other) = (0, 0, Vec::new());
        for (name, plan) in crate::examples::matrix() {
            let value = serde_json::to_value(&plan).unwrap();
            let mut paths = Vec::new();
            objects(&value, "", &mut paths);
            for path in paths {
                let mut given = value.clone();
                let part = given.pointer_mut(&pointer(&path)).unwrap();
                let Value::Object(map) = part.take() else {
                    panic!("{name} {path}")
                };
                *part = Value::Array(map.into_iter().map(|(_, v)| v).collect());
                let text = given.to_string();
                serde_read += usize::from(serde_json::from_str::<Plan>(&text).is_ok());
                match Plan::from_json(&text) {
                    Err(ParseError::Invalid {
                        path: at,
                        message,
                        more,
                        ..
                    }) if message.starts_with("invalid type: an array, expected an object") => {
                        assert_eq!(at, path, "{name}");
                        // Its values are not named again, as fields of their own.
                        assert!(
                            more.iter().all(|e| !e.path.starts_with(&path)),
                            "{name} {path}: {more:?}"
                        );
                        refused += 1;
                    }
                    Err(e) => other.push(format!("{path}: {e}")),
                    Ok(_) => panic!("{name}: an array at {path} was read"),
                }
            }
        }
        // A whole plan as an array that serde stops inside, at an array of its own.
        let text = r#"[1, "shop", "us-east-1", {}, [1000000, "x"]]"#;
        assert!(matches!(
            Plan::from_json(text),
            Err(ParseError::NotAnObject)
        ));
        // The whole plan as an array, which serde reads by position too.
        let plan = crate::examples::fargate();
        let whole = serde_json::to_value(&plan).unwrap();
        let Value::Object(map) = whole else { panic!() };
        let text = serde_json::to_string(&map.values().collect::<Vec<_>>()).unwrap();
        assert!(serde_json::from_str::<Plan>(&text).is_ok(), "{text}");
        assert!(matches!(
            Plan::from_json(&text),
            Err(ParseError::NotAnObject)
        ));
        // Each is refused at its path, whether serde read it by position or stopped inside it
        // (in its words about some value there), but the one object that is an enum's
        // (`{"jwt": {…}}`), which serde refuses as an array itself.
        assert!(
            other.iter().all(|e| e.starts_with("lambda.authorizer: ")),
            "{other:#?}"
        );
        assert!(
            serde_read > 20 && refused > serde_read,
            "{refused} {serde_read}"
        );
    }

    /// A field given twice is named itself, not the object holding it; an unread version is
    /// named `version`.
    #[test]
    fn a_field_given_twice_and_an_unread_version_are_named_by_their_own_paths() {
        let text = serde_json::to_string(&crate::examples::fargate()).unwrap();
        for (given, path) in [
            (
                text.replacen("\"vcpu\":", "\"vcpu\":1,\"vcpu\":", 1),
                "fargate.vcpu",
            ),
            (
                text.replacen("\"project\":", "\"project\":\"a\",\"project\":", 1),
                "project",
            ),
            (text.replacen("{", "{\"version\":2,", 1), "version"),
        ] {
            assert_ne!(given, text);
            for placed in [true, false] {
                let read = if placed {
                    Plan::from_json(&given)
                } else {
                    Plan::from_unseen_json(&given)
                };
                let Err(ParseError::Invalid {
                    path: at,
                    message,
                    more,
                    ..
                }) = read
                else {
                    panic!("{given}: {read:?}")
                };
                assert_eq!((at.as_str(), more.len()), (path, 0), "{message} {more:?}");
            }
        }
    }

    #[test]
    fn pretty_json_through_a_value_is_serdes_own_pretty_json() {
        for (name, mut plan) in crate::examples::matrix() {
            plan.tags.insert("z-last".into(), "1".into());
            plan.tags.insert("a-first".into(), "é \"quoted\"".into());
            let direct = serde_json::to_string_pretty(&plan).unwrap();
            assert_eq!(plan.to_json_pretty(), direct, "{name}");
        }
    }
}
