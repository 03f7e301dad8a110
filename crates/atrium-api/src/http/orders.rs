//! Orders: an item bought, optionally by a known customer.

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

use super::common::{merge, nullable, search_pattern, Check, IfMatch};
use super::resource::{self, resource};
use super::IdPath;
use crate::{tenant::Tenant, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Order {
    pub id: Uuid,
    pub customer_id: Option<Uuid>,
    pub item: String,
    pub quantity: i32,
    /// Total, in the currency's minor unit (cents).
    pub amount_cents: i64,
    pub currency: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, customer_id, item, quantity, amount_cents, currency, version, created_at, updated_at";

impl From<&Row> for Order {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get(0),
            customer_id: r.get(1),
            item: r.get(2),
            quantity: r.get(3),
            amount_cents: r.get(4),
            currency: r.get(5),
            version: r.get(6),
            created_at: r.get(7),
            updated_at: r.get(8),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub customer_id: Option<Uuid>,
    pub item: String,
    /// Defaults to 1.
    pub quantity: Option<i32>,
    pub amount_cents: i64,
    pub currency: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub customer_id: Option<Option<Uuid>>,
    pub item: Option<String>,
    pub quantity: Option<i32>,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    /// Case-insensitive substring of the item.
    pub q: Option<String>,
    pub customer_id: Option<Uuid>,
    pub currency: Option<String>,
}

fn validate(
    item: &str,
    quantity: i32,
    amount_cents: i64,
    currency: &str,
) -> Result<String, ApiError> {
    let mut c = Check::default();
    let item = c.text("item", item, 200);
    c.range("quantity", i64::from(quantity), 1, 1_000_000);
    c.range("amount_cents", amount_cents, 0, 1_000_000_000_000_000);
    c.currency("currency", currency);
    c.finish()?;
    Ok(item)
}

/// List orders, oldest first.
#[utoipa::path(get, path = "/orders", tag = "orders", params(Paging, OrderFilter),
    responses((status = 200, body = Page<Order>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn list(
    State(s): State<AppState>,
    t: Tenant,
    Query(p): Query<Paging>,
    Query(f): Query<OrderFilter>,
) -> Result<Json<Page<Order>>, ApiError> {
    let PageRequest { after, fetch } = p.parse::<Uuid>(s.page)?;
    let pattern = search_pattern(f.q.as_deref())?;
    resource::list(
        &s,
        &t,
        &format!(
            "SELECT {COLUMNS} FROM orders
             WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR item ILIKE $2)
               AND ($3::uuid IS NULL OR customer_id = $3) AND ($4::text IS NULL OR currency = $4)
             ORDER BY id LIMIT $5"
        ),
        &[&after, &pattern, &f.customer_id, &f.currency, &fetch],
        fetch,
    )
    .await
}

/// Record an order.
#[utoipa::path(post, path = "/orders", tag = "orders", request_body = NewOrder,
    responses((status = 201, body = Order), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn create(
    State(s): State<AppState>,
    t: Tenant,
    Json(b): Json<NewOrder>,
) -> Result<(StatusCode, HeaderMap, Json<Order>), ApiError> {
    let quantity = b.quantity.unwrap_or(1);
    let item = validate(&b.item, quantity, b.amount_cents, &b.currency)?;
    let order: Order = resource::write(
        t.begin(&s).await?,
        &format!(
            "INSERT INTO orders (id, customer_id, item, quantity, amount_cents, currency)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
        ),
        &[
            &Uuid::now_v7(),
            &b.customer_id,
            &item,
            &quantity,
            &b.amount_cents,
            &b.currency,
        ],
        "customer_id",
    )
    .await?;
    s.emitter.emit(
        Event::server(t.slug(), "order_created")
            .prop("order_id", order.id.to_string())
            .prop("amount_cents", order.amount_cents.to_string())
            .prop("currency", order.currency.clone()),
    );
    Ok(resource::created(order))
}

/// Change an order (merge-patch), optionally guarded by `If-Match`.
#[utoipa::path(patch, path = "/orders/{id}", tag = "orders", params(IdPath), request_body = OrderPatch,
    responses((status = 200, body = Order), (status = 412, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn update(
    State(s): State<AppState>,
    t: Tenant,
    Path(p): Path<IdPath>,
    if_match: IfMatch,
    Json(patch): Json<OrderPatch>,
) -> Result<(HeaderMap, Json<Order>), ApiError> {
    let mut tx = t.begin(&s).await?;
    let cur: Order = resource::lock(&mut tx, p.id, &if_match).await?;
    let quantity = patch.quantity.unwrap_or(cur.quantity);
    let amount = patch.amount_cents.unwrap_or(cur.amount_cents);
    let currency = patch.currency.unwrap_or(cur.currency);
    let item = validate(
        patch.item.as_deref().unwrap_or(&cur.item),
        quantity,
        amount,
        &currency,
    )?;
    let customer_id = merge(&patch.customer_id, &cur.customer_id);
    let order = resource::write(
        tx,
            &format!(
                "UPDATE orders SET customer_id = $2, item = $3, quantity = $4, amount_cents = $5, currency = $6,
                     version = version + 1, updated_at = now()
                 WHERE id = $1 RETURNING {COLUMNS}"
            ),
            &[&p.id, &customer_id, &item, &quantity, &amount, &currency],
        "customer_id",
    )
    .await?;
    Ok(resource::versioned(order))
}

resource!(
    Order,
    table = "orders",
    what = "order",
    path = "/orders/{id}",
    tag = "orders",
    show_doc = "Get one order.",
    remove_doc = "Delete an order."
);
