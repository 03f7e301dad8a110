//! Contacts: people at a customer.

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
pub struct Contact {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, customer_id, name, email, phone, title, version, created_at, updated_at";

impl From<&Row> for Contact {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get(0),
            customer_id: r.get(1),
            name: r.get(2),
            email: r.get(3),
            phone: r.get(4),
            title: r.get(5),
            version: r.get(6),
            created_at: r.get(7),
            updated_at: r.get(8),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub customer_id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub customer_id: Option<Uuid>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactFilter {
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
    pub customer_id: Option<Uuid>,
}

struct Valid {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    title: Option<String>,
}

fn validate(
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    title: Option<&str>,
) -> Result<Valid, ApiError> {
    let mut c = Check::default();
    let v = Valid {
        name: c.text("name", name, 200),
        email: c.email("email", email),
        phone: c.opt_text("phone", phone, 40),
        title: c.opt_text("title", title, 100),
    };
    if let Some(p) = &v.phone {
        if !p
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +-().".contains(ch))
        {
            c.fail("phone", "may contain only digits, spaces and + - ( ) .");
        }
    }
    c.finish()?;
    Ok(v)
}

/// List contacts, oldest first.
#[utoipa::path(get, path = "/contacts", tag = "contacts", params(Paging, ContactFilter),
    responses((status = 200, body = Page<Contact>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn list(
    State(s): State<AppState>,
    t: Tenant,
    Query(p): Query<Paging>,
    Query(f): Query<ContactFilter>,
) -> Result<Json<Page<Contact>>, ApiError> {
    let PageRequest { after, fetch } = p.parse::<Uuid>(s.page)?;
    let pattern = search_pattern(f.q.as_deref())?;
    resource::list(
        &s,
        &t,
        &format!(
            "SELECT {COLUMNS} FROM contacts
                 WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR name ILIKE $2)
                   AND ($3::uuid IS NULL OR customer_id = $3)
                 ORDER BY id LIMIT $4"
        ),
        &[&after, &pattern, &f.customer_id, &fetch],
        fetch,
    )
    .await
}

/// Create a contact at a customer.
#[utoipa::path(post, path = "/contacts", tag = "contacts", request_body = NewContact,
    responses((status = 201, body = Contact), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn create(
    State(s): State<AppState>,
    t: Tenant,
    Json(b): Json<NewContact>,
) -> Result<(StatusCode, HeaderMap, Json<Contact>), ApiError> {
    let v = validate(
        &b.name,
        b.email.as_deref(),
        b.phone.as_deref(),
        b.title.as_deref(),
    )?;
    let contact = resource::write(
        t.begin(&s).await?,
            &format!(
                "INSERT INTO contacts (id, customer_id, name, email, phone, title) VALUES ($1, $2, $3, $4, $5, $6)
                 RETURNING {COLUMNS}"
            ),
            &[&Uuid::now_v7(), &b.customer_id, &v.name, &v.email, &v.phone, &v.title],
        "customer_id",
    )
    .await?;
    Ok(resource::created(contact))
}

/// Change a contact (merge-patch), optionally guarded by `If-Match`.
#[utoipa::path(patch, path = "/contacts/{id}", tag = "contacts", params(IdPath), request_body = ContactPatch,
    responses((status = 200, body = Contact), (status = 412, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn update(
    State(s): State<AppState>,
    t: Tenant,
    Path(p): Path<IdPath>,
    if_match: IfMatch,
    Json(patch): Json<ContactPatch>,
) -> Result<(HeaderMap, Json<Contact>), ApiError> {
    let mut tx = t.begin(&s).await?;
    let cur: Contact = resource::lock(&mut tx, p.id, &if_match).await?;
    let v = validate(
        patch.name.as_deref().unwrap_or(&cur.name),
        merge(&patch.email, &cur.email).as_deref(),
        merge(&patch.phone, &cur.phone).as_deref(),
        merge(&patch.title, &cur.title).as_deref(),
    )?;
    let customer_id = patch.customer_id.unwrap_or(cur.customer_id);
    let contact = resource::write(
        tx,
        &format!(
            "UPDATE contacts SET customer_id = $2, name = $3, email = $4, phone = $5, title = $6,
                     version = version + 1, updated_at = now()
                 WHERE id = $1 RETURNING {COLUMNS}"
        ),
        &[&p.id, &customer_id, &v.name, &v.email, &v.phone, &v.title],
        "customer_id",
    )
    .await?;
    Ok(resource::versioned(contact))
}

resource!(
    Contact,
    table = "contacts",
    what = "contact",
    path = "/contacts/{id}",
    tag = "contacts",
    show_doc = "Get one contact.",
    remove_doc = "Delete a contact."
);
