//! Deals: an amount moving through lead → qualified → proposal → won | lost, with every
//! stage change recorded.

use atrium_analytics::event::Event;
use atrium_http::{ApiError, Json, Page, PageRequest, Paging, Problem};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::common::{search_pattern, Check, IfMatch};
use super::resource::{self, resource};
use super::IdPath;
use crate::{tenant::Tenant, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(change_stage))
        .routes(routes!(history))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Lead,
    Qualified,
    Proposal,
    Won,
    Lost,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Qualified => "qualified",
            Stage::Proposal => "proposal",
            Stage::Won => "won",
            Stage::Lost => "lost",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "qualified" => Stage::Qualified,
            "proposal" => Stage::Proposal,
            "won" => Stage::Won,
            "lost" => Stage::Lost,
            _ => Stage::Lead,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Deal {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub title: String,
    /// In the currency's minor unit (cents).
    pub amount_cents: i64,
    pub currency: String,
    pub stage: Stage,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, customer_id, title, amount_cents, currency, stage, version, created_at, updated_at";

impl From<&Row> for Deal {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get(0),
            customer_id: r.get(1),
            title: r.get(2),
            amount_cents: r.get(3),
            currency: r.get(4),
            stage: Stage::parse(r.get(5)),
            version: r.get(6),
            created_at: r.get(7),
            updated_at: r.get(8),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDeal {
    pub customer_id: Uuid,
    pub title: String,
    pub amount_cents: i64,
    pub currency: String,
    /// Defaults to `lead`.
    pub stage: Option<Stage>,
}

/// Stage is changed through `POST /deals/{id}/stage`, so the history stays complete.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealPatch {
    pub customer_id: Option<Uuid>,
    pub title: Option<String>,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageChange {
    pub stage: Stage,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageHistoryEntry {
    pub from_stage: Option<Stage>,
    pub to_stage: Stage,
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealFilter {
    /// Case-insensitive substring of the title.
    pub q: Option<String>,
    pub customer_id: Option<Uuid>,
    pub stage: Option<Stage>,
}

const MAX_AMOUNT_CENTS: i64 = 1_000_000_000_000_000;

fn validate(title: &str, amount_cents: i64, currency: &str) -> Result<String, ApiError> {
    let mut c = Check::default();
    let title = c.text("title", title, 200);
    c.range("amount_cents", amount_cents, 0, MAX_AMOUNT_CENTS);
    c.currency("currency", currency);
    c.finish()?;
    Ok(title)
}

/// List deals, oldest first.
#[utoipa::path(get, path = "/deals", tag = "deals", params(Paging, DealFilter),
    responses((status = 200, body = Page<Deal>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn list(
    State(s): State<AppState>,
    t: Tenant,
    Query(p): Query<Paging>,
    Query(f): Query<DealFilter>,
) -> Result<Json<Page<Deal>>, ApiError> {
    let PageRequest { after, fetch } = p.parse::<Uuid>(s.page)?;
    let pattern = search_pattern(f.q.as_deref())?;
    let stage = f.stage.map(Stage::as_str);
    resource::list(
        &s,
        &t,
        &format!(
            "SELECT {COLUMNS} FROM deals
             WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR title ILIKE $2)
               AND ($3::uuid IS NULL OR customer_id = $3) AND ($4::text IS NULL OR stage = $4)
             ORDER BY id LIMIT $5"
        ),
        &[&after, &pattern, &f.customer_id, &stage, &fetch],
        fetch,
    )
    .await
}

/// Create a deal; its first stage is recorded in the history.
#[utoipa::path(post, path = "/deals", tag = "deals", request_body = NewDeal,
    responses((status = 201, body = Deal), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn create(
    State(s): State<AppState>,
    t: Tenant,
    Json(b): Json<NewDeal>,
) -> Result<(StatusCode, HeaderMap, Json<Deal>), ApiError> {
    let title = validate(&b.title, b.amount_cents, &b.currency)?;
    let stage = b.stage.unwrap_or(Stage::Lead).as_str();
    let deal: Deal = resource::write(
        t.begin(&s).await?,
            &format!(
                "WITH d AS (
                     INSERT INTO deals (id, customer_id, title, amount_cents, currency, stage)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}),
                 h AS (INSERT INTO deal_stage_history (deal_id, from_stage, to_stage) SELECT id, NULL, stage FROM d)
                 SELECT {COLUMNS} FROM d"
            ),
            &[&Uuid::now_v7(), &b.customer_id, &title, &b.amount_cents, &b.currency, &stage],
        "customer_id",
    )
    .await?;
    s.emitter.emit(
        Event::server(t.slug(), "deal_created")
            .prop("deal_id", deal.id.to_string())
            .prop("stage", deal.stage.as_str())
            .prop("amount_cents", deal.amount_cents.to_string()),
    );
    Ok(resource::created(deal))
}

/// Change a deal's title, amount, currency or customer, optionally guarded by `If-Match`.
#[utoipa::path(patch, path = "/deals/{id}", tag = "deals", params(IdPath), request_body = DealPatch,
    responses((status = 200, body = Deal), (status = 412, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn update(
    State(s): State<AppState>,
    t: Tenant,
    Path(p): Path<IdPath>,
    if_match: IfMatch,
    Json(patch): Json<DealPatch>,
) -> Result<(HeaderMap, Json<Deal>), ApiError> {
    let mut tx = t.begin(&s).await?;
    let cur: Deal = resource::lock(&mut tx, p.id, &if_match).await?;
    let amount = patch.amount_cents.unwrap_or(cur.amount_cents);
    let currency = patch.currency.unwrap_or(cur.currency);
    let title = validate(
        patch.title.as_deref().unwrap_or(&cur.title),
        amount,
        &currency,
    )?;
    let customer_id = patch.customer_id.unwrap_or(cur.customer_id);
    let deal = resource::write(
        tx,
        &format!(
            "UPDATE deals SET customer_id = $2, title = $3, amount_cents = $4, currency = $5,
                     version = version + 1, updated_at = now()
                 WHERE id = $1 RETURNING {COLUMNS}"
        ),
        &[&p.id, &customer_id, &title, &amount, &currency],
        "customer_id",
    )
    .await?;
    Ok(resource::versioned(deal))
}

/// Move a deal to another stage. Moving to the stage it is already in changes nothing.
#[utoipa::path(post, path = "/deals/{id}/stage", tag = "deals", params(IdPath), request_body = StageChange,
    responses((status = 200, body = Deal), (status = 412, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn change_stage(
    State(s): State<AppState>,
    t: Tenant,
    Path(p): Path<IdPath>,
    if_match: IfMatch,
    Json(b): Json<StageChange>,
) -> Result<(HeaderMap, Json<Deal>), ApiError> {
    let mut tx = t.begin(&s).await?;
    let cur: Deal = resource::lock(&mut tx, p.id, &if_match).await?;
    if cur.stage == b.stage {
        tx.commit().await?;
        return Ok(resource::versioned(cur));
    }
    let rows = tx
        .query(
            &format!(
                "WITH d AS (
                     UPDATE deals SET stage = $2, version = version + 1, updated_at = now()
                     WHERE id = $1 RETURNING {COLUMNS}),
                 h AS (INSERT INTO deal_stage_history (deal_id, from_stage, to_stage) SELECT id, $3, stage FROM d)
                 SELECT {COLUMNS} FROM d"
            ),
            &[&p.id, &b.stage.as_str(), &cur.stage.as_str()],
        )
        .await?;
    tx.commit().await?;
    let deal: Deal = resource::returned(rows)?;
    s.emitter.emit(
        Event::server(t.slug(), "deal_stage_changed")
            .prop("deal_id", deal.id.to_string())
            .prop("from", cur.stage.as_str())
            .prop("to", deal.stage.as_str()),
    );
    Ok(resource::versioned(deal))
}

/// Every stage a deal has been in, oldest first.
#[utoipa::path(get, path = "/deals/{id}/history", tag = "deals", params(IdPath),
    responses((status = 200, body = [StageHistoryEntry]), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn history(
    State(s): State<AppState>,
    t: Tenant,
    Path(p): Path<IdPath>,
) -> Result<Json<Vec<StageHistoryEntry>>, ApiError> {
    let mut tx = t.begin(&s).await?;
    let rows = tx
        .query(
            "SELECT d.id, h.from_stage, h.to_stage, h.changed_at
             FROM deals d LEFT JOIN deal_stage_history h ON h.deal_id = d.id
             WHERE d.id = $1 ORDER BY h.id",
            &[&p.id],
        )
        .await?;
    tx.commit().await?;
    if rows.is_empty() {
        return Err(ApiError::NotFound("deal"));
    }
    Ok(Json(
        rows.iter()
            .filter_map(|r| {
                let to: Option<&str> = r.get(2);
                Some(StageHistoryEntry {
                    from_stage: r.get::<_, Option<&str>>(1).map(Stage::parse),
                    to_stage: Stage::parse(to?),
                    changed_at: r.get(3),
                })
            })
            .collect(),
    ))
}

resource!(
    Deal,
    table = "deals",
    what = "deal",
    path = "/deals/{id}",
    tag = "deals",
    show_doc = "Get one deal.",
    remove_doc = "Delete a deal and its history."
);
