//! Orders: an item bought, optionally by a known customer.

use atrium_analytics::event::Event;
use atrium_http::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use super::common::{merge, nullable, search_pattern, Check};
use super::resource::{record, resource, Filter, Params, Writable};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    crud()
}

record! {
    #[derive(Debug, Serialize, ToSchema)]
    pub struct Order {
        pub id: Uuid,
        pub customer_id: Option<Uuid>,
        pub item: String,
        pub quantity: i32,
        /// Total, in the currency's minor unit (cents).
        pub amount_cents: i64,
        pub currency: String,
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

impl Filter for OrderFilter {
    const WHERE: &'static str = "($3::text IS NULL OR item ILIKE $3)
        AND ($4::uuid IS NULL OR customer_id = $4) AND ($5::text IS NULL OR currency = $5)";

    fn params(self) -> Result<Params, ApiError> {
        Ok(vec![
            Box::new(search_pattern(self.q.as_deref())?),
            Box::new(self.customer_id),
            Box::new(self.currency),
        ])
    }
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

impl Writable for Order {
    type New = NewOrder;
    type Patch = OrderPatch;
    const INSERT: &'static str = concat!(
        "INSERT INTO orders (id, customer_id, item, quantity, amount_cents, currency)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        columns!()
    );
    const UPDATE: &'static str = concat!(
        "UPDATE orders SET customer_id = $2, item = $3, quantity = $4, amount_cents = $5,
             currency = $6, version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING ",
        columns!()
    );
    const REFERENCE: &'static str = "customer_id";

    fn inserted(b: NewOrder) -> Result<Params, ApiError> {
        let quantity = b.quantity.unwrap_or(1);
        let item = validate(&b.item, quantity, b.amount_cents, &b.currency)?;
        Ok(vec![
            Box::new(b.customer_id),
            Box::new(item),
            Box::new(quantity),
            Box::new(b.amount_cents),
            Box::new(b.currency),
        ])
    }

    fn updated(self, patch: OrderPatch) -> Result<Params, ApiError> {
        let quantity = patch.quantity.unwrap_or(self.quantity);
        let amount = patch.amount_cents.unwrap_or(self.amount_cents);
        let currency = patch.currency.unwrap_or(self.currency);
        let item = validate(
            patch.item.as_deref().unwrap_or(&self.item),
            quantity,
            amount,
            &currency,
        )?;
        Ok(vec![
            Box::new(merge(&patch.customer_id, &self.customer_id)),
            Box::new(item),
            Box::new(quantity),
            Box::new(amount),
            Box::new(currency),
        ])
    }

    fn created_event(&self, tenant: &str) -> Option<Event> {
        Some(
            Event::server(tenant, "order_created")
                .prop("order_id", self.id.to_string())
                .prop("amount_cents", self.amount_cents.to_string())
                .prop("currency", self.currency.clone()),
        )
    }
}

resource! {
    Order {
        table: "orders",
        what: "order",
        path: "/orders",
        item: "/orders/{id}",
        tag: "orders",
        filter: OrderFilter,
        new: NewOrder,
        patch: OrderPatch,
    }
    /// List orders, oldest first.
    list;
    /// Record an order.
    create;
    /// Get one order.
    show;
    /// Change an order (merge-patch), optionally guarded by `If-Match`.
    update;
    /// Delete an order.
    remove;
}
