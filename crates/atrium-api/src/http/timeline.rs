//! A customer's timeline: what happened with them, newest first, from the deals, orders,
//! stage changes and notes, read in one statement.

use atrium_http::{ApiError, Json, Page, Paging, Problem, Query, SortKey, Sorts};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::Row;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::resource::{Item, Params};
use super::IdPath;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(timeline))
}

/// One thing that happened with a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// `deal_created`, `order_created`, `stage_changed` or `note_added`.
    pub kind: String,
    pub at: DateTime<Utc>,
    /// The deal, order or note the entry is about (for `stage_changed`, the deal).
    pub ref_id: Uuid,
    /// The deal concerned: for `deal_created`, `stage_changed` and a note on a deal.
    pub deal_id: Option<Uuid>,
    /// The deal's title, the order's item, or the note's first 200 characters.
    pub summary: String,
    /// For `deal_created` and `order_created`, in the currency's minor unit.
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    /// For `order_created`.
    pub quantity: Option<i32>,
    /// For `stage_changed`.
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    /// For `note_added`: who wrote it.
    pub author_name: Option<String>,
}

impl From<&Row> for TimelineEntry {
    fn from(r: &Row) -> Self {
        TimelineEntry {
            kind: r.get("kind"),
            at: r.get("at"),
            ref_id: r.get("ref_id"),
            deal_id: r.get("deal_id"),
            summary: r.get("summary"),
            amount_cents: r.get("amount_cents"),
            currency: r.get("currency"),
            quantity: r.get("quantity"),
            from_stage: r.get("from_stage"),
            to_stage: r.get("to_stage"),
            author_name: r.get("author_name"),
        }
    }
}

/// Newest first; `entry_key` orders entries of one instant and is unique across kinds.
const SORTS: Sorts = Sorts {
    keys: &[SortKey::new("at", "timestamptz")],
    default: "-at",
    tiebreak: "entry_key",
    tiebreak_type: "text",
};

const COLUMNS: &str = "kind, at, ref_id, deal_id, summary, amount_cents, currency, quantity, \
     from_stage, to_stage, author_name";

/// Every entry of customer `$1`. A deal's first stage is its creation, so only later
/// stage changes are entries of their own.
const ENTRIES: &str = "FROM (
    SELECT 'deal_created' AS kind, d.created_at AS at, d.id AS ref_id, d.id AS deal_id,
           d.title AS summary, d.amount_cents, d.currency, NULL::integer AS quantity,
           NULL::text AS from_stage, NULL::text AS to_stage, NULL::text AS author_name,
           'deal:' || d.id AS entry_key
    FROM deals d WHERE d.customer_id = $1
    UNION ALL
    SELECT 'order_created', o.created_at, o.id, NULL, o.item, o.amount_cents, o.currency,
           o.quantity, NULL, NULL, NULL, 'order:' || o.id
    FROM orders o WHERE o.customer_id = $1
    UNION ALL
    SELECT 'stage_changed', h.changed_at, d.id, d.id, d.title, NULL, NULL, NULL,
           h.from_stage, h.to_stage, NULL, 'stage:' || h.entry_id
    FROM deal_stage_history h JOIN deals d ON d.id = h.deal_id
    WHERE d.customer_id = $1 AND h.from_stage IS NOT NULL
    UNION ALL
    SELECT 'note_added', n.created_at, n.id, n.deal_id, left(n.body, 200), NULL, NULL, NULL,
           NULL, NULL, n.author_name, 'note:' || n.id
    FROM notes n LEFT JOIN deals d ON d.id = n.deal_id
    WHERE n.customer_id = $1 OR d.customer_id = $1
) AS entries WHERE true";

/// What happened with a customer, newest first: deals and orders created, deal stage
/// changes, notes on the customer and on its deals.
#[utoipa::path(get, path = "/customers/{id}/timeline", tag = "customers", params(IdPath, Paging),
    responses((status = 200, body = Page<TimelineEntry>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn timeline(r: Item, Query(p): Query<Paging>) -> Result<Json<Page<TimelineEntry>>, ApiError> {
    let keyset = p.keyset(r.state.page, SORTS)?;
    let mut tx = r.begin().await?;
    tx.query_opt("SELECT 1 FROM customers WHERE id = $1", &[&r.id()])
        .await?
        .ok_or(ApiError::NotFound("customer"))?;
    let params: Params = vec![Box::new(r.id())];
    let page = keyset
        .load(&mut tx, COLUMNS, ENTRIES, params, |row| {
            TimelineEntry::from(row)
        })
        .await?;
    tx.commit().await?;
    Ok(Json(page))
}
