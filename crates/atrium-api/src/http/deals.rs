//! Deals: an amount moving through lead → qualified → proposal → won | lost, with every
//! stage change recorded.

use atrium_analytics::event::Event;
use atrium_http::{ApiError, Json, Problem};
use axum::http::HeaderMap;
use std::error::Error;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_postgres::types::{FromSql, Type};
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::common::{Check, IfMatch, MAX_AMOUNT_CENTS};
use super::resource::{self, filter, record, resource, Item, Params, Writable};
use super::settings::TENANT_CURRENCY;
use super::IdPath;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    crud()
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

/// Stored as its lowercase name.
impl<'a> FromSql<'a> for Stage {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        <&str>::from_sql(ty, raw).map(Stage::parse)
    }

    fn accepts(ty: &Type) -> bool {
        <&str>::accepts(ty)
    }
}

record! {
    /// An amount a customer may spend, moving through the stages.
    #[derive(Debug, Serialize, ToSchema)]
    pub struct Deal {
        pub id: Uuid,
        /// The customer the deal is with; it must exist in this tenant.
        pub customer_id: Uuid,
        /// 1 to 200 characters once surrounding spaces are trimmed.
        pub title: String,
        /// In the currency's minor unit (cents; whole yen for `JPY`).
        pub amount_cents: i64,
        /// ISO 4217 code in capitals, such as `EUR`, from the allowed list
        /// (`GET /settings` shows it with each currency's minor-unit digits).
        #[create_default]
        /// Defaults to the tenant's currency.
        pub currency: String,
        /// Where the deal stands; every change is kept in its history.
        #[not_patched]
        #[create_default]
        /// Defaults to `lead`.
        pub stage: Stage,
    }
    new NewDeal;
    /// Stage is changed through `POST /deals/{id}/stage`, so the history stays complete.
    patch DealPatch;
}

/// Moves deal `$1` to stage `$2` from stage `$3`, and records the move.
const CHANGE_STAGE: &str = concat!(
    "WITH d AS (
         UPDATE deals SET stage = $2, version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING ",
    columns!(),
    "),
     h AS (
         INSERT INTO deal_stage_history (deal_id, from_stage, to_stage)
         SELECT id, $3, stage FROM d)
     SELECT ",
    columns!(),
    " FROM d"
);

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

filter! {
    /// Case-insensitive substring of the title.
    pub struct DealFilter(q searches title) {
        /// Only the deals with this customer.
        pub customer_id: Option<Uuid> as uuid,
        /// Only the deals in this stage.
        pub stage: Option<Stage> as text by Stage::as_str,
    }
    sort [
        created_at: timestamptz,
        title: text,
        amount_cents: bigint,
        stage: integer = "array_position(ARRAY['lead', 'qualified', 'proposal', 'won', 'lost'], stage)",
    ]
}

impl Writable for Deal {
    const REFERENCE: &'static str = "customer_id";
    const DEFAULTS: &'static [(&'static str, &'static str)] = &[("currency", TENANT_CURRENCY)];

    fn inserted(b: NewDeal) -> Result<Params, ApiError> {
        let mut c = Check::default();
        let title = c.text("title", &b.title, 200);
        c.range("amount_cents", b.amount_cents, 0, MAX_AMOUNT_CENTS);
        let currency = c.opt_currency("currency", b.currency.as_deref());
        c.finish()?;
        let stage = b.stage.unwrap_or(Stage::Lead).as_str();
        Ok(vec![
            Box::new(b.customer_id),
            Box::new(title),
            Box::new(b.amount_cents),
            Box::new(currency),
            Box::new(stage),
        ])
    }

    /// The first stage goes into the history with the deal.
    fn insert() -> String {
        format!(
            "WITH d AS ({}),
             h AS (
                 INSERT INTO deal_stage_history (deal_id, from_stage, to_stage)
                 SELECT id, NULL, stage FROM d)
             SELECT {COLUMNS} FROM d",
            resource::insert_sql::<Deal>()
        )
    }

    fn created_event(&self, created: Event) -> Option<Event> {
        Some(
            created
                .prop("stage", self.stage.as_str())
                .prop("amount_cents", self.amount_cents.to_string()),
        )
    }
}

/// Move a deal to another stage. Moving to the stage it is already in changes nothing.
#[utoipa::path(post, path = "/deals/{id}/stage", tag = "deals", params(IdPath), request_body = StageChange,
    responses((status = 200, body = Deal), (status = 412, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn change_stage(
    r: Item,
    if_match: IfMatch,
    Json(b): Json<StageChange>,
) -> Result<(HeaderMap, Json<Deal>), ApiError> {
    let mut tx = r.begin().await?;
    let cur: Deal = resource::lock(&mut tx, r.id(), &if_match).await?;
    if cur.stage == b.stage {
        tx.commit().await?;
        return Ok(resource::versioned(cur));
    }
    let rows = tx
        .query(
            CHANGE_STAGE,
            &[&r.id(), &b.stage.as_str(), &cur.stage.as_str()],
        )
        .await?;
    tx.commit().await?;
    let deal: Deal = resource::returned(rows)?;
    r.state.emitter.emit(
        Event::server(r.slug(), "deal_stage_changed")
            .prop("deal_id", deal.id.to_string())
            .prop("from", cur.stage.as_str())
            .prop("to", deal.stage.as_str()),
    );
    Ok(resource::versioned(deal))
}

/// Every stage a deal has been in, oldest first.
#[utoipa::path(get, path = "/deals/{id}/history", tag = "deals", params(IdPath),
    responses((status = 200, body = [StageHistoryEntry]), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn history(r: Item) -> Result<Json<Vec<StageHistoryEntry>>, ApiError> {
    let mut tx = r.begin().await?;
    let rows = tx
        .query(
            "SELECT d.id, h.from_stage, h.to_stage, h.changed_at
             FROM deals d LEFT JOIN deal_stage_history h ON h.deal_id = d.id
             WHERE d.id = $1 ORDER BY h.id",
            &[&r.id()],
        )
        .await?;
    tx.commit().await?;
    if rows.is_empty() {
        return Err(ApiError::NotFound("deal"));
    }
    Ok(Json(
        rows.iter()
            .filter_map(|r| {
                Some(StageHistoryEntry {
                    from_stage: r.get(1),
                    to_stage: r.get::<_, Option<Stage>>(2)?,
                    changed_at: r.get(3),
                })
            })
            .collect(),
    ))
}

resource! {
    Deal {
        table: "deals",
        what: "deal",
        path: "/deals",
        item: "/deals/{id}",
        tag: "deals",
        filter: DealFilter,
        new: NewDeal,
        patch: DealPatch,
    }
    /// List deals, newest first; `sort` takes `created_at`, `title`, `amount_cents` or `stage` (in pipeline order), `-` in front for descending.
    list;
    /// Create a deal; its first stage is recorded in the history.
    create;
    /// Get one deal.
    show;
    /// Change a deal's title, amount, currency or customer, optionally guarded by `If-Match`.
    update;
    /// Delete a deal and its history.
    remove;
}
