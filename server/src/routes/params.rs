//! A route's path parameter as text. A parameter that is not UTF-8 once decoded (`%FF`) names
//! nothing the route has: it is answered as the route's own "not found", in JSON like every
//! other error, not as axum's plain-text 400.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::deploy::DeployError;
use crate::error::ApiError;

/// `{id}` of `/api/deployments/{id}/…`; one that does not decode is no deployment's.
pub struct DeploymentId(pub String);

/// `{region}` of `/api/prices/{region}`; one that does not decode is no region's.
pub struct RegionCode(pub String);

impl<S: Send + Sync> FromRequestParts<S> for DeploymentId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(DeploymentId(id)),
            Err(_) => Err(ApiError::Deploy(DeployError::UnknownDeployment(
                "(an id that is not text)".into(),
            ))),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RegionCode {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(region)) => Ok(RegionCode(region)),
            Err(_) => Err(ApiError::UnpricedRegion(
                "(a region that is not text)".into(),
            )),
        }
    }
}
