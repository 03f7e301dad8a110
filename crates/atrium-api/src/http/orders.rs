//! Orders: an item bought, optionally by a known customer.

use atrium_analytics::event::Event;
use atrium_http::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use super::common::{nullable, search_pattern, Check, MAX_AMOUNT_CENTS};
use super::resource::{record, resource, Filter, Params, Writable};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    crud()
}

record! {
    /// An item bought, optionally by one of the tenant's customers.
    #[derive(Debug, Serialize, ToSchema)]
    pub struct Order {
        pub id: Uuid,
        /// The customer who bought it, if known; it must exist in this tenant.
        pub customer_id: Option<Uuid>,
        /// What was bought, 1 to 200 characters once surrounding spaces are trimmed.
        pub item: String,
        /// How many, 1 to 1,000,000.
        #[create_default]
        /// Defaults to 1.
        pub quantity: i32,
        /// Total, in the currency's minor unit (cents).
        pub amount_cents: i64,
        /// ISO 4217 code in capitals, such as `EUR`.
        pub currency: String,
    }
    new NewOrder;
    patch OrderPatch;
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

impl Writable for Order {
    const REFERENCE: &'static str = "customer_id";

    fn inserted(b: NewOrder) -> Result<Params, ApiError> {
        let quantity = b.quantity.unwrap_or(1);
        let mut c = Check::default();
        let item = c.text("item", &b.item, 200);
        c.range("quantity", i64::from(quantity), 1, 1_000_000);
        c.range("amount_cents", b.amount_cents, 0, MAX_AMOUNT_CENTS);
        c.currency("currency", &b.currency);
        c.finish()?;
        Ok(vec![
            Box::new(b.customer_id),
            Box::new(item),
            Box::new(quantity),
            Box::new(b.amount_cents),
            Box::new(b.currency),
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
