//! The HTTP API's contract: every request and response body of `stackplan serve`'s `/api`, its
//! error codes, and the deploy event stream. The server writes these types, the browser reads
//! them, and the OpenAPI document is generated from them (`server/src/openapi.rs`), so the three
//! cannot drift apart.

pub mod hints;
pub mod sse;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plan::Plan;

/// `POST /api/deployments`: make a change set that creates (or updates) the plan's stack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateDeployment {
    /// The plan to deploy; the server generates its template.
    pub plan: Plan,
    /// The CloudFormation stack name: a letter, then letters, digits and hyphens (at most 128).
    #[cfg_attr(
        feature = "schema",
        schemars(
            length(min = 1, max = 128),
            regex(pattern = r"^[A-Za-z][A-Za-z0-9-]*$")
        )
    )]
    pub stack_name: String,
    /// The template the page shows. When given it must equal the generated one (JSON or YAML):
    /// only templates generated from a plan are deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// The role to assume; it must be the server's own or on its allowlist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(regex(
            pattern = r"^arn:aws(-us-gov|-cn)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$"
        ))
    )]
    pub role_arn: Option<String>,
    /// Update the stack if it exists; otherwise an existing stack is a 409 `stack_exists`.
    #[serde(default)]
    pub update: bool,
    /// Values for the template's own parameters, by name: `ImageTag` (Fargate), `CodeS3Bucket`
    /// and `CodeS3Key` (Lambda). Each is checked against the template's `AllowedPattern`; one
    /// left out takes the template's default. The server sets `ImageReady` and
    /// `PermissionsBoundary` itself. A name given twice is refused.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::unique_keys::deserialize"
    )]
    pub parameters: BTreeMap<String, String>,
}

/// `POST /api/deployments/{id}/execute`: an empty object, or no body at all. The change set
/// that runs is the one the deployment's id names, made by the server for the plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExecuteDeployment {}

/// `POST /api/deployments/{id}/delete-keeping`: delete a stack whose delete failed, keeping in
/// the account the resources that could not be deleted (a protected database, say), outside
/// any stack.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeleteKeeping {
    /// Logical ids of the resources the failed delete could not delete, to keep.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 200)))]
    pub keep: Vec<LogicalId>,
}

/// `POST /api/deployments/{id}/continue-rollback`: continue a stack's failed update rollback
/// (`UPDATE_ROLLBACK_FAILED`), leaving the resources `skip` names as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContinueRollback {
    /// Logical ids of resources the rollback could not roll back, to leave as they are: the
    /// stack then no longer matches them. Empty: try them all again.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 200)))]
    pub skip: Vec<LogicalId>,
}

/// A resource's logical id in its template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LogicalId(
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = 255), regex(pattern = r"^[A-Za-z0-9]+$"))
    )]
    pub String,
);

/// One resource change of a change set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Change {
    /// `Add`, `Modify`, `Remove`, `Import` or `Dynamic`.
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// For a `Modify`: `True`, `False` or `Conditional`.
    pub replacement: Option<String>,
}

/// A resource of a deployed template that holds data (the template gives it a
/// `DeletionPolicy`): what becomes of it when an update takes it out of the stack or replaces
/// it is read from here, the template CloudFormation has, not from today's generator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Held {
    pub logical_id: String,
    pub resource_type: String,
    /// `Retain`, `Snapshot` or `Delete`: what CloudFormation does to it when an update
    /// removes it from the template (the deployed template's attribute is the one applied).
    pub deletion_policy: String,
    /// Deletion protection is on (a database's `DeletionProtection`, a load balancer's
    /// `deletion_protection.enabled`): CloudFormation's delete of it fails.
    pub protected: bool,
}

/// What an operation left in the account, outside the stack, as its events tell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LeftBehind {
    pub logical_id: String,
    pub resource_type: String,
    /// Its name in the account (a bucket's, a table's, a database's identifier), for finding
    /// it; an ARN is cut to its resource part, which does not name the account.
    pub physical_id: String,
    /// `kept`: its deletion policy kept it (`DELETE_SKIPPED`). `asked`: a delete of the stack
    /// was asked to keep it (CloudFormation's `RetainResources`, after a failed delete could not
    /// delete it). `skipped`: CloudFormation skipped its deletion for the `reason` given. `delete_failed`: CloudFormation could not
    /// delete it (deletion protection, say) and the stack completed without it.
    pub why: LeftWhy,
    /// Why its deletion was skipped (`skipped` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why a resource was left ([`LeftBehind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum LeftWhy {
    Kept,
    Asked,
    Skipped,
    DeleteFailed,
}

/// An update's change set, waiting to be executed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ChangeSet {
    /// The change set's name in its stack (`stackplan-…`). Its ARN is not given: it names the
    /// account.
    pub name: String,
    pub status: String,
    pub changes: Vec<Change>,
}

impl ChangeSet {
    /// CloudFormation is still working out the changes.
    pub fn is_computing(&self) -> bool {
        matches!(
            self.status.as_str(),
            "CREATE_PENDING" | "CREATE_IN_PROGRESS"
        )
    }
}

/// What the local sandbox will do differently from AWS (empty on AWS).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SandboxReport {
    /// Why the sandbox would fail the whole stack; empty when it can deploy.
    pub blockers: Vec<String>,
    /// What the sandbox does differently from AWS, said once.
    pub notes: Vec<String>,
}

/// What is wrong with a stack name, as CloudFormation's rule has it (the server refuses it
/// with this; the deploy panel says it at the field before asking).
pub fn stack_name_problem(name: &str) -> Option<String> {
    let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if name.is_empty() {
        Some("the stack name is empty".into())
    } else if name.len() > 128 {
        Some(format!(
            "the stack name has {} characters; at most 128 are allowed",
            name.len()
        ))
    } else if !first_ok || !rest_ok {
        Some(format!(
            "\"{name}\" is not a valid stack name: start with a letter and use only letters, digits and hyphens"
        ))
    } else {
        None
    }
}

/// The answer to `POST /api/deployments`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Created {
    /// The deployment id for the other routes.
    pub id: String,
    pub stack_name: String,
    pub region: String,
    /// The stack's status (`CREATE_IN_PROGRESS` for a new stack).
    pub status: String,
    /// An update's change set, to review and execute. `None` for a new stack, which is being
    /// created already: a stack made through a change set carries no tags until the change
    /// set runs, and the deployer role acts only on stacks with Stackplan's tag, so a new
    /// stack is made by CreateStack, with its tags from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_set: Option<ChangeSet>,
    /// The template's resource count: the progress bar's 100%.
    pub resources: u32,
    pub sandbox: SandboxReport,
    /// For an update: the share-link code of the plan the stack was deployed from, as its
    /// template records it, so the cost of the change can be shown before it is applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_plan: Option<String>,
    /// For an update: the deployed template's resources that hold data, so that the update's
    /// review can say what becomes of those it removes or replaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deployed_holds: Vec<Held>,
}

/// A stack output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Output {
    pub key: String,
    pub value: String,
    pub description: String,
}

/// The resource that failed first, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Failure {
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

/// How far the stack's operation is: finished out of `total`, which counts what the operation
/// touches (`counted`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Progress {
    pub finished: u32,
    pub total: u32,
    /// 0–100.
    pub percent: u8,
    /// What `finished` and `total` count.
    #[serde(default)]
    pub counted: Counted,
}

/// What an operation's progress counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Counted {
    /// The template's resources: a create, a delete, or an operation whose change set is not
    /// known.
    #[default]
    Resources,
    /// The changes of the change set that runs: an update touches only those.
    Changes,
}

impl Progress {
    /// "3 of 40 resources", "1 of 2 changes".
    pub fn words(&self) -> String {
        let noun = match (self.counted, self.total) {
            (Counted::Resources, 1) => "resource",
            (Counted::Resources, _) => "resources",
            (Counted::Changes, 1) => "change",
            (Counted::Changes, _) => "changes",
        };
        if self.total == 0 && self.counted == Counted::Changes {
            // An update that changes no resource: "0 of 0 changes" reads as a count that stuck.
            return "nothing to change".into();
        }
        format!("{} of {} {noun}", self.finished, self.total)
    }
}

/// `GET /api/deployments/{id}`, and the final event of the stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Status {
    pub id: String,
    pub stack_name: String,
    pub region: String,
    /// CloudFormation's stack status, e.g. `CREATE_IN_PROGRESS`.
    pub status: String,
    pub reason: Option<String>,
    /// The stack has settled: nothing more happens without a new request.
    pub done: bool,
    /// Settled, and the requested operation worked.
    pub succeeded: bool,
    pub outputs: Vec<Output>,
    pub failure: Option<Failure>,
    pub progress: Progress,
    /// The share-link code of the plan the stack's current template records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_link: Option<String>,
    /// The service runs no task until its image is pushed to the stack's own repository:
    /// where to push it, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for_image: Option<Box<ImageWait>>,
    /// What the current operation left in the account, outside the stack, and still billed:
    /// kept by its deletion policy, or a delete that failed in an operation that still
    /// completed (an update's clean-up).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_behind: Vec<LeftBehind>,
    /// The stack's current template's resources that hold data or stop a deletion, as
    /// CloudFormation has it: what a deletion would keep, snapshot or fail at. Empty when the
    /// template could not be read (every template Stackplan makes has some).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<Held>,
    /// For a stack whose delete failed (`DELETE_FAILED`): each resource it could not delete,
    /// with why. `POST /api/deployments/{id}/delete-keeping` may keep them in the account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undeleted: Vec<Failure>,
    /// For a stack whose update rollback failed (`UPDATE_ROLLBACK_FAILED`): each resource it
    /// could not roll back, with why. `POST /api/deployments/{id}/continue-rollback` continues
    /// it, and may skip them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_rolled_back: Vec<Failure>,
    /// For a zip function's stack: the function runs the placeholder handler, no code of the
    /// user's yet (its `CodeS3Bucket` parameter is empty).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub placeholder_code: bool,
}

/// A service waiting for its first image: the stack's own repository was empty when the
/// stack was made, so the service was created with no task (an image that is not there would
/// have failed the deployment and rolled the whole stack back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImageWait {
    /// The repository, `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`.
    pub repository_uri: String,
    /// The tag the stack's task definition names.
    pub image_tag: String,
    /// The platform the task runs on, for `docker build --platform`.
    pub platform: String,
    /// The shell commands that build the image and push it, in order.
    pub commands: Vec<String>,
    /// In the local sandbox, which has no Docker registry: the command that records an image
    /// with this tag in the sandbox's repository instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_command: Option<String>,
}

impl ImageWait {
    /// The wait for `image_tag` in `repository_uri`, with the commands that end it.
    pub fn new(
        repository_uri: &str,
        image_tag: &str,
        platform: &str,
        region: &str,
        sandbox_endpoint: Option<&str>,
    ) -> ImageWait {
        let (registry, name) = repository_uri
            .split_once('/')
            .unwrap_or((repository_uri, repository_uri));
        let local = format!("{name}:{image_tag}");
        let remote = format!("{repository_uri}:{image_tag}");
        ImageWait {
            repository_uri: repository_uri.to_string(),
            image_tag: image_tag.to_string(),
            platform: platform.to_string(),
            commands: vec![
                format!(
                    "aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {registry}"
                ),
                format!("docker build --platform {platform} -t {local} ."),
                format!("docker tag {local} {remote}"),
                format!("docker push {remote}"),
            ],
            sandbox_command: sandbox_endpoint.map(|endpoint| {
                format!(
                    "aws --endpoint-url {endpoint} --region {region} ecr put-image --repository-name {name} --image-tag {image_tag} --image-manifest '{SANDBOX_MANIFEST}'"
                )
            }),
        }
    }
}

/// A minimal image manifest for the sandbox's `PutImage`, which stores it without a registry.
pub const SANDBOX_MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}"#;

/// `PUT /api/deployments/{id}/code`: the function's zip, stored in the stack's code bucket.
/// Deploying the plan again with `parameters` (an update) runs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CodeUpload {
    pub bucket: String,
    /// `stackplan-code/<sha256 hex>.zip`: the same zip is the same key.
    pub key: String,
    /// The zip's SHA-256, base64: what Lambda reports as the function's `CodeSha256` once it
    /// runs this code.
    pub code_sha256: String,
    pub size: u64,
    /// The file in the zip that holds the plan's handler.
    pub handler_file: String,
    /// The parameters of the update that runs this code.
    pub parameters: BTreeMap<String, String>,
}

/// `GET /api/deployments/{id}/image`: whether the image the stack waits for is in its
/// repository yet (`ecr:DescribeImages`, read-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImageCheck {
    pub repository_uri: String,
    pub image_tag: String,
    /// The tag is in the repository: deploying again (an update) starts the service at its
    /// planned task count.
    pub pushed: bool,
    /// The service runs no task yet.
    pub waiting: bool,
}

/// Where this server deploys to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Target {
    /// The local sandbox (moto) at this endpoint.
    Sandbox { endpoint: String },
    /// Real AWS, with the credentials of the server's environment.
    Aws,
}

/// `GET /api/deploy/target`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeployTarget {
    pub enabled: bool,
    /// Where deploys go, when enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Why deploying is off, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `GET /api/deploy/token`: whom the request's deploy token deploys as, so that a page can
/// say it (a token taken from a link someone sent deploys into their tenant, not the reader's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TokenInfo {
    /// The tenant the token is bound to on a server shared by tenants (its tokens file's
    /// `owner`); `None` for a token without one.
    pub owner: Option<String>,
    /// What the names of the token's stacks must start with (its tokens file's
    /// `stack_prefix`); `None` when any name will do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_prefix: Option<String>,
}

/// `GET /api/bootstrap`: how to connect an AWS account: the bootstrap template, a fresh
/// ExternalId for this connection, and the command that deploys it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Bootstrap {
    /// The stack name to deploy it as.
    pub stack_name: String,
    /// The file name to save the template as.
    pub file_name: String,
    /// The template (JSON).
    pub template: String,
    /// The ExternalId the deployer role will ask for: new for every answer.
    pub external_id: String,
    /// The principal the server runs as, which the deployer role trusts (unknown without AWS
    /// credentials).
    pub trusted_principal: Option<String>,
    /// The AWS CLI command that deploys the template.
    pub command: String,
    /// What to start the server with once it is deployed.
    pub next: String,
}

/// Where a price book came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum BookSource {
    /// The book built into Stackplan.
    Embedded,
    /// The AWS Price List API (or a book file fetched from it).
    Live,
}

/// A price the live book does not have, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UnknownPrice {
    pub key: String,
    pub reason: String,
}

/// `GET /api/prices/{region}`: the price book the region's estimates should use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PriceBookAnswer {
    pub region: String,
    pub source: BookSource,
    pub version: String,
    pub date: String,
    /// When the live book was fetched (RFC 3339), if live.
    pub fetched_at: Option<String>,
    /// Why the book is the embedded one, or what is unknown.
    pub note: Option<String>,
    pub unknown: Vec<UnknownPrice>,
    /// A live book's prices for the region and the global rules, in the embedded book's TSV
    /// format (`key`, `region`, `usd`, `unit`, `source`, … per line; see
    /// `shared/data/prices.tsv`), and each price it withheld: `usd` `unknown`, confidence
    /// `withheld`, the reason as its source. Absent when the source is the embedded book:
    /// every page holds that book already (`version` and `date` name it), so it is not sent
    /// again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub book_tsv: Option<String>,
}

/// `GET /health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $status:literal;)+) => {
        /// Every error the API answers with. The code is stable; the message may change.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        pub enum ErrorCode {
            $($(#[$doc])* $variant),+
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The HTTP status this error is answered with.
            pub fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status),+ }
            }

            /// The code as it appears in the JSON body.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),+ }
            }
        }
    };
}

error_codes! {
    /// The request body is not valid JSON of the route's type, or a code upload's body broke
    /// off or sent nothing for 15 s.
    BadRequest = "bad_request", 400;
    /// The deploy API needs `Authorization: Bearer <token>`.
    MissingToken = "missing_token", 401;
    /// The token is not one this server accepts.
    InvalidToken = "invalid_token", 401;
    /// The requested role is not the server's and not on its allowlist.
    RoleNotAllowed = "role_not_allowed", 403;
    /// AWS refused the server's credentials or the deploy role.
    AccessDenied = "access_denied", 403;
    /// No such API route.
    NotFound = "not_found", 404;
    /// No deployment with this id.
    UnknownDeployment = "unknown_deployment", 404;
    /// The route exists, but not for this method.
    MethodNotAllowed = "method_not_allowed", 405;
    /// The request named a host this server does not answer for (`--allowed-host`); a guard
    /// against DNS rebinding.
    MisdirectedRequest = "misdirected_request", 421;
    /// Too many event streams are open with this token (close one first), or the server
    /// follows as many stacks as it takes at once (retry after the `Retry-After` seconds).
    TooManyWatchers = "too_many_watchers", 429;
    /// As many requests that change stacks (deploy, execute, delete, continue a rollback) as
    /// the server answers at once for one token are being answered; retry after the
    /// `Retry-After` seconds.
    TooManyChanges = "too_many_changes", 429;
    /// The server is receiving as many code uploads as it takes at once, or one with this
    /// token; retry after the `Retry-After` seconds.
    TooManyUploads = "too_many_uploads", 429;
    /// A stack of that name exists; ask again with `update: true`.
    StackExists = "stack_exists", 409;
    /// A stack of that name exists that Stackplan did not make, or made for another owner
    /// (`stackplan:owner`, a tenant of a shared server); it is left alone.
    StackNotManaged = "stack_not_managed", 409;
    /// The stack failed or rolled back and cannot be updated: delete it first (or, after a
    /// failed update rollback, continue the rollback). Answering a deploy, it carries the
    /// stack's `deployment` id, to show and delete it.
    StackNotUpdatable = "stack_not_updatable", 409;
    /// The stack was deployed from a plan of the other architecture: an update would replace
    /// everything it holds, so the plan goes to a stack of its own.
    ArchitectureChange = "architecture_change", 409;
    /// The stack is busy with another operation. Answering a deploy, it carries the stack's
    /// `deployment` id, to follow it until it settles.
    StackBusy = "stack_busy", 409;
    /// The stack already matches the plan. Answering a deploy, it carries the stack's
    /// `deployment` id, to show it.
    NoChanges = "no_changes", 409;
    /// The stack has no change set waiting.
    NoChangeSet = "no_change_set", 409;
    /// The stack is not in the state the request needs: a delete that keeps resources needs
    /// `DELETE_FAILED`, a continued rollback `UPDATE_ROLLBACK_FAILED`; the message says which it
    /// is.
    WrongStackState = "wrong_stack_state", 409;
    /// The request body is larger than the server accepts.
    PayloadTooLarge = "payload_too_large", 413;
    /// The request body is not `application/json`.
    UnsupportedMediaType = "unsupported_media_type", 415;
    /// The plan has problems; `problems` lists them with their field paths.
    InvalidPlan = "invalid_plan", 422;
    /// A stack parameter is unknown, the server's own, or breaks the template's rule;
    /// `problems` lists them with their field paths (`parameters.ImageTag`).
    InvalidParameters = "invalid_parameters", 422;
    /// The plan names existing secrets or parameters outside the account's settings prefixes,
    /// a hosted zone its bootstrap does not list, or (a tenant's token) an image in another
    /// tenant's repository of the account's ECR; `problems` says which, at their field paths,
    /// and how to allow them.
    BeyondBootstrap = "beyond_bootstrap", 422;
    /// The plan's variables read secrets or parameters that do not exist in their region (or
    /// a secret scheduled for deletion), or it runs an image of the account's ECR that is not
    /// there; `problems` says which, at their field paths. Nothing was created.
    MissingValues = "missing_values", 422;
    /// The image tag is not in the stack's repository, and the service runs: deploying it
    /// would stop the service. Push the image first.
    ImageNotPushed = "image_not_pushed", 409;
    /// The stack has no image repository of its own to push to: it runs an image from another
    /// registry, or its repository was deleted outside Stackplan.
    NoImageRepository = "no_image_repository", 409;
    /// The stack takes no code uploads: it is not a Lambda stack of Stackplan's whose function
    /// runs a zip.
    NoCodeBucket = "no_code_bucket", 409;
    /// The upload is not a zip holding the plan's handler; `problems` says what is wrong.
    InvalidCode = "invalid_code", 422;
    /// A delete that keeps resources in the account keeps only what the stack's failed delete
    /// could not delete; `problems` says which, at `keep` or `keep[i]`.
    InvalidKeep = "invalid_keep", 422;
    /// A failed update rollback may skip only what it could not roll back; `problems` says
    /// which names are not, at `skip` or `skip[i]`.
    InvalidSkip = "invalid_skip", 422;
    /// The template sent is not the one generated from the plan.
    TemplateMismatch = "template_mismatch", 422;
    /// The stack name breaks CloudFormation's rule.
    InvalidStackName = "invalid_stack_name", 422;
    /// The role is not an IAM role ARN.
    InvalidRoleArn = "invalid_role_arn", 422;
    /// The local sandbox cannot deploy this plan; `blockers` says why.
    SandboxUnsupported = "sandbox_unsupported", 422;
    /// CloudFormation could not prepare the change set.
    ChangeSetFailed = "change_set_failed", 422;
    /// CloudFormation refused the request.
    CloudformationValidation = "cloudformation_validation", 422;
    /// AWS answered with an error Stackplan does not know.
    AwsError = "aws_error", 502;
    /// AWS (or the sandbox) cannot be reached.
    AwsUnreachable = "aws_unreachable", 502;
    /// Deploying is not configured on this server.
    DeployDisabled = "deploy_disabled", 503;
    /// AWS kept throttling the requests; try again later.
    Throttled = "throttled", 503;
    /// The server could not answer in time; what was asked may still happen, so read the
    /// status before trying again.
    TimedOut = "timed_out", 503;
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem of a plan, with the path of its field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PlanProblem {
    /// The field at fault, e.g. `plan.fargate.memory_mib`.
    pub path: String,
    pub message: String,
}

/// Every error answer: a stable code, a sentence saying what to do, and details for some codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
    /// For `invalid_plan`, `invalid_parameters`, `invalid_code`, `invalid_keep`, `invalid_skip`,
    /// `beyond_bootstrap` and `missing_values`: every
    /// problem, with its field path. A plan that does not read (a value of the wrong type, an
    /// unknown field) lists every field that does not, up to the first 21.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<PlanProblem>,
    /// For `invalid_plan`: the plan has more fields that do not read than the 21 listed; fix
    /// those and send it again to see the rest.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more_problems: bool,
    /// For `sandbox_unsupported`: why the sandbox would fail.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<String>,
    /// For `stack_exists`: the stack can be updated instead.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub can_update: bool,
    /// For `stack_exists`, `stack_busy`, `stack_not_updatable` and `no_changes` answering a deploy: the
    /// existing stack's deployment id (it is the token's own stack), to follow it to its end,
    /// show it or delete it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<String>,
    /// AWS's request id, for an error that came from AWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ErrorBody {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error,
            message: message.into(),
            problems: Vec::new(),
            more_problems: false,
            blockers: Vec::new(),
            can_update: false,
            deployment: None,
            request_id: None,
        }
    }
}

/// One stack event of the stream, with the progress so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StackEvent {
    /// CloudFormation's event id (also the SSE `id:`, for `Last-Event-ID`).
    pub id: String,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
    /// RFC 3339.
    pub time: String,
    pub progress: Progress,
}

/// Why a watcher waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum NoticeKind {
    /// AWS is throttling the server's requests.
    Throttled,
    /// AWS (or the sandbox) cannot be reached.
    Unreachable,
}

/// Something a watcher should know that is not a stack event: a wait, and how long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Notice {
    pub kind: NoticeKind,
    pub message: String,
    pub retry_in_ms: u64,
    /// Increases with every notice of a stack.
    pub seq: u64,
}

/// The stream ended without a final status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StreamError {
    pub message: String,
}

/// The server is going away (a restart); the stack carries on. Reconnect with
/// `Last-Event-ID` after `retry_in_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reconnect {
    pub message: String,
    pub retry_in_ms: u64,
}

/// One event of `GET /api/deployments/{id}/events`. In the stream, the SSE event type is the
/// variant's name and the data is the variant's JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum DeployEvent {
    /// A stack event (`event: stack`, `id:` the event's id).
    Stack(StackEvent),
    /// A wait the watcher should see (`event: notice`).
    Notice(Notice),
    /// The stack settled (`event: done`); the stream ends after it.
    Done(Box<Status>),
    /// Watching stopped without a final status (`event: error`); the stream ends after it.
    Error(StreamError),
    /// The server is shutting down (`event: reconnect`); the stream ends after it, and the
    /// client should reconnect.
    Reconnect(Reconnect),
}

/// A stream message that is not a deploy event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unexpected {event} event: {reason}")]
pub struct EventError {
    pub event: String,
    pub reason: String,
}

impl DeployEvent {
    /// Every SSE event type, each variant's at its index in `name`: a new variant does not
    /// compile until `name` gives it an index, and an index past this list panics at the
    /// variant's first use (the stream tests send every variant).
    pub const NAMES: [&'static str; 5] = ["stack", "notice", "done", "error", "reconnect"];

    /// The SSE event type.
    pub fn name(&self) -> &'static str {
        Self::NAMES[match self {
            DeployEvent::Stack(_) => 0,
            DeployEvent::Notice(_) => 1,
            DeployEvent::Done(_) => 2,
            DeployEvent::Error(_) => 3,
            DeployEvent::Reconnect(_) => 4,
        }]
    }

    /// Whether the stream ends after this event.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            DeployEvent::Done(_) | DeployEvent::Error(_) | DeployEvent::Reconnect(_)
        )
    }

    /// The event as an SSE message.
    pub fn to_sse(&self) -> sse::Message {
        let (data, id) = match self {
            DeployEvent::Stack(e) => (serde_json::to_string(e), Some(e.id.clone())),
            DeployEvent::Notice(n) => (serde_json::to_string(n), None),
            DeployEvent::Done(s) => (serde_json::to_string(s), None),
            DeployEvent::Error(e) => (serde_json::to_string(e), None),
            DeployEvent::Reconnect(r) => (serde_json::to_string(r), None),
        };
        let retry = match self {
            DeployEvent::Reconnect(r) => Some(r.retry_in_ms),
            _ => None,
        };
        sse::Message {
            event: Some(self.name().to_string()),
            data: data.expect("API types serialize"),
            id,
            retry,
        }
    }

    /// Reads an SSE message of the deploy stream.
    pub fn from_sse(message: &sse::Message) -> Result<DeployEvent, EventError> {
        let event = message.event_type();
        let error = |e: serde_json::Error| EventError {
            event: event.to_string(),
            reason: e.to_string(),
        };
        let data = &message.data;
        Ok(match event {
            "stack" => DeployEvent::Stack(serde_json::from_str(data).map_err(error)?),
            "notice" => DeployEvent::Notice(serde_json::from_str(data).map_err(error)?),
            "done" => DeployEvent::Done(serde_json::from_str(data).map_err(error)?),
            "error" => DeployEvent::Error(serde_json::from_str(data).map_err(error)?),
            "reconnect" => DeployEvent::Reconnect(serde_json::from_str(data).map_err(error)?),
            other => {
                return Err(EventError {
                    event: other.to_string(),
                    reason: "not an event of the deploy stream".into(),
                });
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_have_distinct_names_and_error_statuses() {
        let mut names = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(names.insert(code.as_str()), "{code} twice");
            assert!((400..600).contains(&code.status()), "{code}");
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "serde and as_str agree");
        }
    }

    #[test]
    fn progress_is_said_in_words() {
        let of = |finished, total, counted| {
            Progress {
                finished,
                total,
                percent: 0,
                counted,
            }
            .words()
        };
        assert_eq!(of(1, 1, Counted::Changes), "1 of 1 change");
        assert_eq!(of(24, 55, Counted::Resources), "24 of 55 resources");
        assert_eq!(of(0, 0, Counted::Changes), "nothing to change");
        // Resources not counted yet (a stack followed again, a deletion starting).
        assert_eq!(of(0, 0, Counted::Resources), "0 of 0 resources");
    }

    #[test]
    fn deploy_events_go_through_sse_and_back() {
        let progress = Progress {
            finished: 3,
            total: 40,
            percent: 7,
            counted: Counted::Changes,
        };
        let events = [
            DeployEvent::Stack(StackEvent {
                id: "e-1".into(),
                logical_id: "Vpc".into(),
                resource_type: "AWS::EC2::VPC".into(),
                status: "CREATE_COMPLETE".into(),
                reason: Some("line one\nline two".into()),
                time: "2026-11-28T10:00:00Z".into(),
                progress,
            }),
            DeployEvent::Notice(Notice {
                kind: NoticeKind::Throttled,
                message: "AWS is throttling".into(),
                retry_in_ms: 2000,
                seq: 1,
            }),
            DeployEvent::Error(StreamError {
                message: "gone".into(),
            }),
            DeployEvent::Reconnect(Reconnect {
                message: "restarting".into(),
                retry_in_ms: 1000,
            }),
        ];
        let stream: String = events.iter().map(|e| sse::encode(&e.to_sse())).collect();
        let back: Vec<DeployEvent> = sse::parse(&stream)
            .iter()
            .map(|m| DeployEvent::from_sse(m).unwrap())
            .collect();
        assert_eq!(back, events);
        let bad = sse::Message {
            event: Some("stack".into()),
            data: "{}".into(),
            ..Default::default()
        };
        assert!(DeployEvent::from_sse(&bad).is_err());
    }
}
