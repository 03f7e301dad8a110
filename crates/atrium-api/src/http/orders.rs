//! Orders: an item bought, optionally by a known customer.

use atrium_analytics::event::Event;
use atrium_http::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use super::common::{nullable, Check, MAX_AMOUNT_CENTS};
use super::resource::{filter, record, resource, Params, Writable};
use super::settings::TENANT_CURRENCY;
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
        /// Total, in the currency's minor unit (cents; whole yen for `JPY`).
        pub amount_cents: i64,
        /// ISO 4217 code in capitals, such as `EUR`, from the allowed list
        /// (`GET /settings` shows it with each currency's minor-unit digits).
        #[create_default]
        /// Defaults to the tenant's currency.
        pub currency: String,
    }
    new NewOrder;
    patch OrderPatch;
}

filter! {
    /// Case-insensitive substring of the item.
    pub struct OrderFilter(q searches item) {
        /// Only the orders of this customer.
        pub customer_id: Option<Uuid> as uuid,
        /// Only the orders in this currency (ISO 4217, such as `EUR`).
        pub currency: Option<String> as text,
    }
    sort [created_at: timestamptz, item: text, amount_cents: bigint]
}

impl Writable for Order {
    const REFERENCE: &'static str = "customer_id";
    const DEFAULTS: &'static [(&'static str, &'static str)] = &[("currency", TENANT_CURRENCY)];

    fn inserted(b: NewOrder) -> Result<Params, ApiError> {
        let quantity = b.quantity.unwrap_or(1);
        let mut c = Check::default();
        let item = c.text("item", &b.item, 200);
        c.range("quantity", i64::from(quantity), 1, 1_000_000);
        c.range("amount_cents", b.amount_cents, 0, MAX_AMOUNT_CENTS);
        let currency = c.opt_currency("currency", b.currency.as_deref());
        c.finish()?;
        Ok(vec![
            Box::new(b.customer_id),
            Box::new(item),
            Box::new(quantity),
            Box::new(b.amount_cents),
            Box::new(currency),
        ])
    }

    fn created_event(&self, created: Event) -> Option<Event> {
        Some(
            created
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
    /// List orders, newest first; `sort` takes `created_at`, `item` or `amount_cents`, `-` in front for descending.
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
