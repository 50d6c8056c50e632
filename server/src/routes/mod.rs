//! HTTP routes: `/health`, `/api/...`, and the planner's files. Every route of the API is in
//! [`api_routes`], with its description for the OpenAPI document.

pub mod assets;
pub mod body;
pub mod deployments;
pub mod health;
pub mod params;
pub mod prices;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Method, Uri, header};
use axum::response::IntoResponse;
use axum::routing::any;
use shared::api::{self, ErrorCode as E};

use crate::AppState;
use crate::error::ApiError;
use crate::openapi::{Body, Operation, Param, Routes, json};

/// The largest request body accepted: a plan and its template fit many times over.
pub const BODY_LIMIT: usize = 64 * 1024;

const ID: (&str, &str, Param) = (
    "id",
    "The deployment id from `POST /api/deployments`.",
    Param::Text,
);
const DEPLOYMENT_GET: &str = "deployment_get";
const DEPLOYMENT_EXECUTE: &str = "deployment_execute_post";
const DEPLOYMENT_EVENTS: &str = "deployment_events_get";
const DEPLOYMENT_DELETE: &str = "deployment_delete";
const DEPLOYMENT_DELETE_KEEPING: &str = "deployment_delete_keeping_post";
const DEPLOYMENT_CONTINUE_ROLLBACK: &str = "deployment_continue_rollback_post";
const DEPLOYMENT_IMAGE: &str = "deployment_image_get";
const DEPLOYMENT_CODE: &str = "deployment_code_put";

/// A route's own error codes, plus those of every route that calls AWS.
macro_rules! errors {
    ($($code:ident),* ; aws) => {{
        const LIST: &[E] = &[$(E::$code,)* E::AccessDenied, E::Throttled, E::AwsUnreachable, E::AwsError, E::DeployDisabled];
        LIST
    }};
}

/// Every route of the API, with what it takes and answers.
pub fn api_routes() -> Routes {
    let get = Method::GET;
    Routes::default()
        .add(
            Operation {
                method: get.clone(),
                path: "/health",
                id: "health_get",
                summary: "Whether the server is up.",
                auth: false,
                request: None,
                example: None,
                ok: (200, "The server is up.", json::<api::Health>()),
                also: None,
                errors: &[],
                params: &[],
                headers: &[],
                links: &[],
            },
            health::health_get,
        )
        .add(
            Operation {
                method: get.clone(),
                path: "/api/openapi.json",
                id: "openapi_get",
                summary: "This document.",
                auth: false,
                request: None,
                example: None,
                ok: (200, "The OpenAPI document.", Body::AnyJson),
                also: None,
                errors: &[],
                params: &[],
                headers: &[],
                links: &[],
            },
            openapi_get,
        )
        .add(
            Operation {
                method: get.clone(),
                path: "/api/deploy/target",
                id: "deploy_target_get",
                summary: "Where deploys go (the local sandbox or AWS), or why deploying is off.",
                auth: false,
                request: None,
                example: None,
                ok: (200, "The deploy target.", json::<api::DeployTarget>()),
                also: None,
                errors: &[],
                params: &[],
                headers: &[],
                links: &[],
            },
            deployments::deploy_target_get,
        )
        .add(
            Operation {
                method: get.clone(),
                path: "/api/deploy/token",
                id: "deploy_token_get",
                summary: "Whom the request's deploy token deploys as: its tenant on a server shared by tenants, and what its stacks' names must start with, if anything.",
                auth: true,
                request: None,
                example: None,
                ok: (200, "The token's tenant and stack-name prefix, if it has them.", json::<api::TokenInfo>()),
                also: None,
                errors: &[E::DeployDisabled],
                params: &[],
                headers: &[],
                links: &[],
            },
            deployments::deploy_token_get,
        )
        .add(
            Operation {
                method: get.clone(),
                path: "/api/prices/{region}",
                id: "prices_get",
                summary: "The price book a region's estimates should use: live from the AWS Price List API when the server has it, else the embedded one, with the reason.",
                auth: false,
                request: None,
                example: None,
                ok: (200, "The region's price book.", json::<api::PriceBookAnswer>()),
                also: None,
                errors: &[E::NotFound],
                params: &[("region", "An AWS region Stackplan prices.", Param::Region)],
                headers: &[],
                links: &[],
            },
            prices::prices_get,
        )
        .add(
            Operation {
                method: get.clone(),
                path: "/api/bootstrap",
                id: "bootstrap_get",
                summary: "How to connect an AWS account: the bootstrap template (deployer role, execution role, permissions boundary), a fresh ExternalId, and the command that deploys it.",
                auth: true,
                request: None,
                example: None,
                ok: (200, "The bootstrap.", json::<api::Bootstrap>()),
                also: None,
                errors: &[E::DeployDisabled],
                params: &[],
                headers: &[],
                links: &[],
            },
            deployments::bootstrap_get,
        )
        .add(
            Operation {
                method: Method::POST,
                path: "/api/deployments",
                id: "deployments_post",
                summary: "Generate the plan's template and create its stack, which starts at once, or, with `update`, make the change set that updates it.",
                auth: true,
                request: Some((json::<api::CreateDeployment>(), false)),
                example: Some(|| {
                    serde_json::json!({
                        "plan": shared::examples::lambda(),
                        "stack_name": "shop-lambda"
                    })
                }),
                ok: (201, "The stack, being created (no `change_set`), or the update's change set, ready to execute.", json::<api::Created>()),
                also: Some((202, "CloudFormation is still computing the update's change set (its `status` says so, its `changes` are empty): send the same request again to get it once it is ready.")),
                errors: errors!(TooManyChanges, InvalidPlan, InvalidParameters, BeyondBootstrap, MissingValues, ImageNotPushed, NoImageRepository, TemplateMismatch, InvalidStackName, RoleNotAllowed, InvalidRoleArn, SandboxUnsupported, StackExists, StackNotManaged, StackNotUpdatable, ArchitectureChange, StackBusy, NoChanges, ChangeSetFailed, CloudformationValidation, UnknownDeployment; aws),
                params: &[],
                headers: &[],
                links: &[DEPLOYMENT_GET, DEPLOYMENT_EXECUTE, DEPLOYMENT_DELETE, DEPLOYMENT_IMAGE, DEPLOYMENT_CODE],
            },
            deployments::deployments_post,
        )
        .add(
            Operation {
                method: Method::POST,
                path: "/api/deployments/{id}/execute",
                id: DEPLOYMENT_EXECUTE,
                summary: "Execute the deployment's update change set; the stack starts changing.",
                auth: true,
                request: Some((json::<api::ExecuteDeployment>(), true)),
                example: None,
                ok: (202, "The stack's status as the change starts.", json::<api::Status>()),
                also: None,
                errors: errors!(TooManyChanges, UnknownDeployment, NoChangeSet, CloudformationValidation; aws),
                params: &[ID],
                headers: &[],
                links: &[DEPLOYMENT_GET, DEPLOYMENT_EVENTS],
            },
            deployments::deployment_execute_post,
        )
        .add(
            Operation {
                method: get.clone(),
                path: "/api/deployments/{id}",
                id: DEPLOYMENT_GET,
                summary: "The stack's status, progress, outputs and first failure.",
                auth: true,
                request: None,
                example: None,
                ok: (200, "The stack's status.", json::<api::Status>()),
                also: None,
                errors: errors!(UnknownDeployment; aws),
                params: &[ID],
                headers: &[],
                links: &[],
            },
            deployments::deployment_get,
        )
        .add(
            Operation {
                method: Method::PUT,
                path: "/api/deployments/{id}/code",
                id: DEPLOYMENT_CODE,
                summary: "Upload a Lambda function's zip (`application/octet-stream`, at most 50 MiB and 100,000 entries): it must hold the file of the plan's handler. The stack is proven the token's before the body is read; one upload per token at a time, and a body that sends nothing for 15 s is dropped. It is stored in the stack's code bucket; deploying the plan again with the answer's `parameters` (an update) runs it.",
                auth: true,
                request: Some((Body::Binary, false)),
                example: None,
                ok: (200, "Where the code is, and the parameters that run it.", json::<api::CodeUpload>()),
                also: None,
                errors: errors!(BadRequest, UnknownDeployment, NoCodeBucket, InvalidCode, TooManyUploads; aws),
                params: &[ID],
                headers: &[],
                links: &[],
            },
            deployments::deployment_code_put,
        )
        .add(
            Operation {
                method: get.clone(),
                path: "/api/deployments/{id}/image",
                id: DEPLOYMENT_IMAGE,
                summary: "For a service waiting for its first image: whether its image tag is in the stack's own repository yet. Once it is, deploying the plan again (an update) starts the service.",
                auth: true,
                request: None,
                example: None,
                ok: (200, "Whether the image is pushed.", json::<api::ImageCheck>()),
                also: None,
                errors: errors!(UnknownDeployment, NoImageRepository; aws),
                params: &[ID],
                headers: &[],
                links: &[],
            },
            deployments::deployment_image_get,
        )
        .add(
            Operation {
                method: Method::DELETE,
                path: "/api/deployments/{id}",
                id: DEPLOYMENT_DELETE,
                summary: "Delete the stack. What its template keeps stays in the account (DeletionPolicy: Retain: buckets, tables, the image repository), and the database and cache leave a final snapshot (Snapshot).",
                auth: true,
                request: None,
                example: None,
                ok: (202, "The stack's status as the deletion starts.", json::<api::Status>()),
                also: None,
                errors: errors!(BadRequest, UnsupportedMediaType, PayloadTooLarge, TooManyChanges, UnknownDeployment, StackBusy, CloudformationValidation; aws),
                params: &[ID],
                headers: &[],
                links: &[DEPLOYMENT_EVENTS, DEPLOYMENT_DELETE_KEEPING],
            },
            deployments::deployment_delete,
        )
        .add(
            Operation {
                method: Method::POST,
                path: "/api/deployments/{id}/delete-keeping",
                id: DEPLOYMENT_DELETE_KEEPING,
                summary: "Delete a stack whose delete failed (`DELETE_FAILED`: a protected database, say), keeping in the account the resources `keep` names, outside any stack and billed until you delete them. Only resources the failed delete could not delete may be kept (CloudFormation's `RetainResources`); the stack's own events say which.",
                auth: true,
                request: Some((json::<api::DeleteKeeping>(), false)),
                example: Some(|| serde_json::json!({"keep": ["Database"]})),
                ok: (202, "The stack's status as the deletion starts.", json::<api::Status>()),
                also: None,
                errors: errors!(TooManyChanges, UnknownDeployment, StackBusy, WrongStackState, InvalidKeep, CloudformationValidation; aws),
                params: &[ID],
                headers: &[],
                links: &[DEPLOYMENT_EVENTS],
            },
            deployments::deployment_delete_keeping_post,
        )
        .add(
            Operation {
                method: Method::POST,
                path: "/api/deployments/{id}/continue-rollback",
                id: DEPLOYMENT_CONTINUE_ROLLBACK,
                summary: "Continue a stack's failed update rollback (`UPDATE_ROLLBACK_FAILED`), once what stopped it is fixed; `skip` leaves resources the rollback could not roll back as they are (CloudFormation's `ResourcesToSkip`: the stack then no longer matches them). Only resources the stack's own events say the rollback could not roll back may be skipped. A stack already rolling back answers 409 `stack_busy` with its `deployment` id, to follow it.",
                auth: true,
                request: Some((json::<api::ContinueRollback>(), true)),
                example: Some(|| serde_json::json!({"skip": ["Service"]})),
                ok: (202, "The stack's status as the rollback goes on.", json::<api::Status>()),
                also: None,
                errors: errors!(TooManyChanges, UnknownDeployment, StackBusy, WrongStackState, InvalidSkip, CloudformationValidation; aws),
                params: &[ID],
                headers: &[],
                links: &[DEPLOYMENT_EVENTS, DEPLOYMENT_DELETE],
            },
            deployments::deployment_continue_rollback_post,
        )
        .add(
            Operation {
                method: get,
                path: "/api/deployments/{id}/events",
                id: DEPLOYMENT_EVENTS,
                summary: "The stack's events as Server-Sent Events, until it settles.",
                auth: true,
                request: None,
                example: None,
                ok: (200, "The event stream.", Body::EventStream),
                also: None,
                errors: errors!(UnknownDeployment, TooManyWatchers; aws),
                params: &[ID],
                headers: &[("Last-Event-ID", "Resume after this event id (a reconnect).")],
                links: &[],
            },
            deployments::deployment_events_get,
        )
}

/// The routes under `/health` and `/api`: anything unknown under `/api` is a JSON 404, never
/// the app's HTML, and a known route asked with another method is a JSON 405.
pub fn api_router() -> Router<AppState> {
    let (router, _) = api_routes().into_parts();
    router
        .route("/api", any(api_not_found))
        // `{*rest}` matches one character at least: the bare slash is its own route.
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The OpenAPI document, generated once.
pub fn openapi_document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let routes = api_routes();
        serde_json::to_string_pretty(&crate::openapi::document(routes.operations()))
            .expect("the document serializes")
    })
}

async fn openapi_get(State(_): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        openapi_document(),
    )
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(uri.path().to_string())
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}
