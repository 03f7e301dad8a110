//! Customers: the companies a tenant sells to.

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
pub struct Customer {
    pub id: Uuid,
    pub name: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    /// Increases on every change; also sent as the ETag.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, domain, industry, version, created_at, updated_at";

impl From<&Row> for Customer {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get(0),
            name: r.get(1),
            domain: r.get(2),
            industry: r.get(3),
            version: r.get(4),
            created_at: r.get(5),
            updated_at: r.get(6),
        }
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

struct Valid {
    name: String,
    domain: Option<String>,
    industry: Option<String>,
}

fn validate(name: &str, domain: Option<&str>, industry: Option<&str>) -> Result<Valid, ApiError> {
    let mut c = Check::default();
    let v = Valid {
        name: c.text("name", name, 200),
        domain: c.opt_text("domain", domain, 253),
        industry: c.opt_text("industry", industry, 100),
    };
    c.finish()?;
    Ok(v)
}

/// List customers, oldest first.
#[utoipa::path(get, path = "/customers", tag = "customers", params(Paging, CustomerFilter),
    responses((status = 200, body = Page<Customer>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn list(
    State(s): State<AppState>,
    t: Tenant,
    Query(p): Query<Paging>,
    Query(f): Query<CustomerFilter>,
) -> Result<Json<Page<Customer>>, ApiError> {
    let PageRequest { after, fetch } = p.parse::<Uuid>(s.page)?;
    let pattern = search_pattern(f.q.as_deref())?;
    resource::list(
        &s,
        &t,
        &format!(
            "SELECT {COLUMNS} FROM customers
                 WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR name ILIKE $2)
                   AND ($3::text IS NULL OR industry = $3)
                 ORDER BY id LIMIT $4"
        ),
        &[&after, &pattern, &f.industry, &fetch],
        fetch,
    )
    .await
}

/// Create a customer.
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = NewCustomer,
    responses((status = 201, body = Customer), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn create(
    State(s): State<AppState>,
    t: Tenant,
    Json(body): Json<NewCustomer>,
) -> Result<(StatusCode, HeaderMap, Json<Customer>), ApiError> {
    let v = validate(&body.name, body.domain.as_deref(), body.industry.as_deref())?;
    let customer: Customer = resource::write(
        t.begin(&s).await?,
            &format!("INSERT INTO customers (id, name, domain, industry) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"),
            &[&Uuid::now_v7(), &v.name, &v.domain, &v.industry],
        "body",
    )
    .await?;
    s.emitter.emit(
        Event::server(t.slug(), "customer_created").prop("customer_id", customer.id.to_string()),
    );
    Ok(resource::created(customer))
}

/// Change a customer (merge-patch). Send `If-Match` with the ETag you read to avoid lost updates.
#[utoipa::path(patch, path = "/customers/{id}", tag = "customers", params(IdPath), request_body = CustomerPatch,
    responses((status = 200, body = Customer), (status = 412, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn update(
    State(s): State<AppState>,
    t: Tenant,
    Path(p): Path<IdPath>,
    if_match: IfMatch,
    Json(patch): Json<CustomerPatch>,
) -> Result<(HeaderMap, Json<Customer>), ApiError> {
    let mut tx = t.begin(&s).await?;
    let cur: Customer = resource::lock(&mut tx, p.id, &if_match).await?;
    let v = validate(
        patch.name.as_deref().unwrap_or(&cur.name),
        merge(&patch.domain, &cur.domain).as_deref(),
        merge(&patch.industry, &cur.industry).as_deref(),
    )?;
    let customer = resource::write(
        tx,
            &format!(
                "UPDATE customers SET name = $2, domain = $3, industry = $4, version = version + 1, updated_at = now()
                 WHERE id = $1 RETURNING {COLUMNS}"
            ),
            &[&p.id, &v.name, &v.domain, &v.industry],
        "body",
    )
    .await?;
    Ok(resource::versioned(customer))
}

resource!(
    Customer,
    table = "customers",
    what = "customer",
    path = "/customers/{id}",
    tag = "customers",
    show_doc = "Get one customer.",
    remove_doc = "Delete a customer with its contacts and deals; its orders keep their history."
);
