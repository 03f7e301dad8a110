//! Customers: the companies a tenant sells to.

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
    pub struct Customer {
        pub id: Uuid,
        pub name: String,
        pub domain: Option<String>,
        pub industry: Option<String>,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub domain: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
    pub industry: Option<String>,
}

impl Filter for CustomerFilter {
    const WHERE: &'static str =
        "($3::text IS NULL OR name ILIKE $3) AND ($4::text IS NULL OR industry = $4)";

    fn params(self) -> Result<Params, ApiError> {
        Ok(vec![
            Box::new(search_pattern(self.q.as_deref())?),
            Box::new(self.industry),
        ])
    }
}

fn validate(name: &str, domain: Option<&str>, industry: Option<&str>) -> Result<Params, ApiError> {
    let mut c = Check::default();
    let values: Params = vec![
        Box::new(c.text("name", name, 200)),
        Box::new(c.opt_text("domain", domain, 253)),
        Box::new(c.opt_text("industry", industry, 100)),
    ];
    c.finish()?;
    Ok(values)
}

impl Writable for Customer {
    type New = NewCustomer;
    type Patch = CustomerPatch;
    const INSERT: &'static str = concat!(
        "INSERT INTO customers (id, name, domain, industry) VALUES ($1, $2, $3, $4)
         RETURNING ",
        columns!()
    );
    const UPDATE: &'static str = concat!(
        "UPDATE customers SET name = $2, domain = $3, industry = $4,
             version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING ",
        columns!()
    );
    const REFERENCE: &'static str = "body";

    fn inserted(b: NewCustomer) -> Result<Params, ApiError> {
        validate(&b.name, b.domain.as_deref(), b.industry.as_deref())
    }

    fn updated(self, patch: CustomerPatch) -> Result<Params, ApiError> {
        validate(
            patch.name.as_deref().unwrap_or(&self.name),
            merge(&patch.domain, &self.domain).as_deref(),
            merge(&patch.industry, &self.industry).as_deref(),
        )
    }

    fn created_event(&self, tenant: &str) -> Option<Event> {
        Some(Event::server(tenant, "customer_created").prop("customer_id", self.id.to_string()))
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
    /// List customers, oldest first.
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
