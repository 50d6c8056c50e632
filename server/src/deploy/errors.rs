//! Everything a deploy request can fail with. Each error maps to one API error code
//! (`crate::error`); AWS's own texts stay in the server's log.

use shared::validate::Problem;

use super::RoleError;
use crate::aws::AwsError;

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// Every problem found; `more` when the plan has more fields that do not read than are
    /// listed ([`shared::plan::ParseError::Invalid`]'s `cut`).
    #[error("the plan has {}{}", if *.more { "more than " } else { "" }, count_of_problems(.problems.len()))]
    InvalidPlan { problems: Vec<Problem>, more: bool },
    #[error("the stack parameters have {}", count_of_problems(.0.len()))]
    InvalidParameters(Vec<shared::api::PlanProblem>),
    #[error(
        "the image {repository}:{tag} is not pushed yet, and the stack's service is running: deploying it would stop the service. Push the image first (the stack's RepositoryUri output), then deploy again"
    )]
    ImageNotPushed { tag: String, repository: String },
    #[error(
        "this stack's service has no image repository of its own to push to: it runs an image from another registry, or its repository was deleted outside Stackplan"
    )]
    NoImageRepository,
    #[error(
        "this stack takes no code uploads: they are for Stackplan's Lambda stacks whose function runs a zip (an image function's code is its image)"
    )]
    NoCodeBucket,
    #[error(
        "the deploy role may not look at the stack's image repository (ecr:DescribeImages): run `stackplan bootstrap` again and update the account's bootstrap stack, whose deployer role has it since this release"
    )]
    ImagesDenied(String),
    #[error(
        "the account does not have what the plan reads ({}): {}",
        count_of_problems(.0.len()),
        .0.first().map(|p| p.message.as_str()).unwrap_or("no reason")
    )]
    MissingValues(Vec<shared::api::PlanProblem>),
    #[error(
        "the plan names secrets, parameters, a hosted zone or an image repository that this account's bootstrap or this token's entry does not let stacks use: {}",
        .0.first().map(|p| p.message.as_str()).unwrap_or("no reason")
    )]
    BeyondBootstrap(Vec<shared::api::PlanProblem>),
    #[error("the upload is not the function's code: {}", .0.first().map(|p| p.message.as_str()).unwrap_or("no reason"))]
    InvalidCode(Vec<shared::api::PlanProblem>),
    #[error("the stack {name} is {status}: {needs}")]
    WrongState {
        name: String,
        status: String,
        needs: &'static str,
    },
    #[error("the resources to keep are not what the stack's failed delete left: {}", .0.first().map(|p| p.message.as_str()).unwrap_or("no reason"))]
    InvalidKeep(Vec<shared::api::PlanProblem>),
    #[error("the resources to skip are not what the stack's failed rollback left: {}", .0.first().map(|p| p.message.as_str()).unwrap_or("no reason"))]
    InvalidSkip(Vec<shared::api::PlanProblem>),
    #[error(
        "the template sent differs from the one Stackplan generates for this plan; only generated templates are deployed"
    )]
    TemplateMismatch,
    #[error("{0}")]
    StackName(String),
    #[error(transparent)]
    Role(#[from] RoleError),
    #[error("the local sandbox cannot deploy this plan, for the reasons listed")]
    SandboxUnsupported(Vec<String>),
    #[error(
        "a stack named {name} already exists in {region} ({status}): review its update to see the changes first (in the planner, Review the update; in the API, the same request with \"update\": true)"
    )]
    StackExists {
        name: String,
        region: String,
        status: String,
        /// The existing stack's deployment id (it is the token's own stack).
        deployment: Option<String>,
    },
    #[error(
        "a stack named {name} exists, and this token may not act on it (it has no record of being made for this token's owner); Stackplan leaves it alone, so choose another stack name"
    )]
    NotManaged { name: String },
    #[error(
        "the stack {name} carries Stackplan's tag but not this server's proof that it made it: it was made before stacks carried one, by a server with another id key, or tagged by someone else. Stackplan leaves it alone; if this server made it, its operator can add the proof (`stackplan prove-stack --stack-arn ARN --created CREATION_TIME --stack-role-arn ROLE [--owner NAME]` prints it), or choose another stack name"
    )]
    Unproven { name: String },
    #[error(
        "the stack {name} runs {deployed} and this plan is for {planned}: as an update it would take out everything the stack holds (its data stores kept or snapshotted outside it) and put up a new service beside them. Deploy it as a new stack under another name (the planner's default names each architecture's stack apart), move your data, then delete {name}"
    )]
    ArchitectureChange {
        name: String,
        deployed: &'static str,
        planned: &'static str,
    },
    #[error("the stack {name} is {status} and cannot be updated; {}", way_out(.status))]
    NotUpdatable {
        name: String,
        status: String,
        /// The stack's deployment id (it is this token's), to follow or delete it.
        deployment: Option<String>,
    },
    #[error("the stack {name} is busy ({status}); wait until it settles")]
    Busy {
        name: String,
        status: String,
        /// The stack's deployment id, when the request did not name it: to follow it.
        deployment: Option<String>,
    },
    /// `deployment`: the stack's deployment id (it is the token's own), for a page that did
    /// not deploy it to show it (its outputs, Delete).
    #[error("the stack already matches this plan: there is nothing to change")]
    NoChanges { deployment: Option<String> },
    #[error("CloudFormation could not prepare the change set: {0}")]
    ChangeSetFailed(String),
    #[error("the stack has no change set waiting to be executed")]
    NoChangeSet,
    #[error("the change set cannot be executed now ({0}): make a new one")]
    ChangeSetUnavailable(String),
    #[error("no deployment {0}")]
    UnknownDeployment(String),
    #[error(
        "this server follows {0} stacks already, as many as it takes at once; try again once one has settled"
    )]
    TooManyStacksWatched(usize),
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// What to do with a stack that cannot be updated in `status`.
fn way_out(status: &str) -> &'static str {
    if status == "UPDATE_ROLLBACK_FAILED" {
        "its last update's rollback failed, and it can be updated again only once that rollback is continued. Fix what its failed events name, then continue the rollback (Continue the rollback, in the planner's result for the stack, or the CloudFormation console's Continue update rollback; either can skip what cannot be rolled back); or delete the stack"
    } else {
        "delete it first"
    }
}

/// "1 problem", "2 problems".
fn count_of_problems(n: usize) -> String {
    format!("{n} problem{}", if n == 1 { "" } else { "s" })
}
