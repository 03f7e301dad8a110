//! Customers: the companies a tenant sells to.

use atrium_analytics::event::Event;
use atrium_http::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use super::common::{nullable, Check};
use super::resource::{filter, record, resource, Params, Writable};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    crud()
}

record! {
    /// A company the tenant sells to.
    #[derive(Debug, Serialize, ToSchema)]
    pub struct Customer {
        pub id: Uuid,
        /// Company name, 1 to 200 characters once surrounding spaces are trimmed.
        pub name: String,
        /// Web domain, such as `example.com`; at most 253 characters. An empty string is
        /// stored as `null`.
        pub domain: Option<String>,
        /// Industry, at most 100 characters; the list filter matches it exactly. An empty
        /// string is stored as `null`.
        pub industry: Option<String>,
    }
    new NewCustomer;
    patch CustomerPatch;
}

filter! {
    /// Case-insensitive substring of the name.
    pub struct CustomerFilter(q searches name) {
        /// Only the customers in exactly this industry.
        pub industry: Option<String> as text,
    }
    sort [created_at: timestamptz, name: text, industry: text = "coalesce(industry, '')"]
}

impl Writable for Customer {
    const REFERENCE: &'static str = "body";

    fn inserted(b: NewCustomer) -> Result<Params, ApiError> {
        let mut c = Check::default();
        let values: Params = vec![
            Box::new(c.text("name", &b.name, 200)),
            Box::new(c.opt_text("domain", b.domain.as_deref(), 253)),
            Box::new(c.opt_text("industry", b.industry.as_deref(), 100)),
        ];
        c.finish()?;
        Ok(values)
    }

    fn created_event(&self, created: Event) -> Option<Event> {
        Some(created)
    }
}

resource! {
    Customer {
        table: "customers",
        what: "customer",
        path: "/customers",
        item: "/customers/{id}",
        tag: "customers",
        filter: CustomerFilter,
        new: NewCustomer,
        patch: CustomerPatch,
    }
    /// List customers, newest first; `sort` takes `created_at`, `name` or `industry`, `-` in front for descending.
    list;
    /// Create a customer.
    create;
    /// Get one customer.
    show;
    #[doc = "Change a customer (merge-patch). Send `If-Match` with the ETag you read to avoid lost updates."]
    update;
    /// Delete a customer with its contacts and deals; its orders keep their history.
    remove;
}
