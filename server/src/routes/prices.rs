//! `GET /api/prices/{region}`: the price book the region's estimates should use.

use axum::Json;
use axum::extract::State;
use shared::api::PriceBookAnswer;

use super::params::RegionCode;
use crate::AppState;
use crate::error::ApiError;
use crate::prices::embedded_answer;

pub async fn prices_get(
    State(state): State<AppState>,
    RegionCode(region): RegionCode,
) -> Result<Json<PriceBookAnswer>, ApiError> {
    if shared::plan::Region::from_code(&region).is_none() {
        return Err(ApiError::UnpricedRegion(region));
    }
    Ok(Json(match &state.prices {
        Some(service) => service.book(&region).await,
        None => embedded_answer(
            &region,
            "this server does not fetch live prices; using the embedded price book".into(),
        ),
    }))
}
