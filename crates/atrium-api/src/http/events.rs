//! `POST /events`: batches from the browser SDK. Validated and rate-limited per tenant;
//! answered 202 once the batch is handed to the spool writer, which never blocks.

use atrium_analytics::event::ClientEvent;
use atrium_http::{ApiError, Json, Problem};
use axum::{
    extract::{FromRequest, Request},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    tenant::{Caller, Scoped},
    AppState,
};

pub const MAX_BATCH: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ingest))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub events: Vec<ClientEvent>,
}

/// `navigator.sendBeacon` can send only CORS-safelisted content types, so the SDK's
/// page-hide flush arrives as `text/plain`; it is the same JSON.
pub struct BeaconJson<T>(pub T);

impl<T, S> FromRequest<S> for BeaconJson<T>
where
    Json<T>: FromRequest<S, Rejection = ApiError>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(mut req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let text = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain"));
        if text {
            req.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        let Json(v) = Json::<T>::from_request(req, state).await?;
        Ok(BeaconJson(v))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub accepted: usize,
}

/// Accept a batch of tracking events (1 to 100).
#[utoipa::path(post, path = "/events", tag = "analytics", request_body = Batch,
    responses((status = 202, body = Accepted), (status = 429, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn ingest(
    r: Scoped<HeaderMap>,
    caller: Caller,
    BeaconJson(batch): BeaconJson<Batch>,
) -> Result<Response, ApiError> {
    let refused = r
        .state
        .ingest_limiter
        .admit(r.slug())
        .err()
        .map(|e| (e, "rate"))
        .or_else(|| {
            r.tenant.0.events_over_quota.then(|| {
                let retry_after_s = Some(seconds_to_next_month(chrono::Utc::now()));
                (
                    ApiError::QuotaExceeded {
                        quota: "events",
                        retry_after_s,
                    },
                    "quota",
                )
            })
        });
    if let Some((e, reason)) = refused {
        metrics::counter!("analytics_events_dropped_total", "reason" => reason)
            .increment(batch.events.len() as u64);
        return Err(e);
    }
    if batch.events.is_empty() || batch.events.len() > MAX_BATCH {
        return Err(ApiError::validation(
            "events",
            format!("a batch holds 1 to {MAX_BATCH} events"),
        ));
    }
    let ua = r
        .part
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // A signed-in browser speaks for its own user only, whatever it says: a member must
    // not put events into another user's funnel. Keys are server-side automation that
    // tracks on behalf of its own users, so they name the actor.
    let signed_in = match &caller {
        Caller::User(u) => Some(u.id.to_string()),
        Caller::Key(_) | Caller::Dev => None,
    };
    let mut errors = Vec::new();
    let events: Vec<_> = batch
        .events
        .into_iter()
        .enumerate()
        .filter_map(|(i, mut e)| {
            if let Some(user) = &signed_in {
                e.actor = Some(user.clone());
            }
            e.into_event(i, r.slug(), ua, &mut errors)
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let accepted = events.len();
    for e in events {
        r.state.emitter.emit(e);
    }
    Ok((StatusCode::ACCEPTED, Json(Accepted { accepted })).into_response())
}

/// A tenant over its monthly events quota may track again when the month ends (UTC).
fn seconds_to_next_month(now: chrono::DateTime<chrono::Utc>) -> u64 {
    let next = atrium_analytics::zone::utc_next_month_start(now);
    (next - now).num_seconds().max(1) as u64
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn the_events_quota_resets_at_the_next_month_start_utc() {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 59, 0)
            .single()
            .expect("date");
        assert_eq!(super::seconds_to_next_month(at), 60);
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 2, 28, 0, 0, 0)
            .single()
            .expect("date");
        assert_eq!(super::seconds_to_next_month(at), 86_400);
    }
}
