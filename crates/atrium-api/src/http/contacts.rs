//! Contacts: people at a customer.

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
    pub struct Contact {
        pub id: Uuid,
        pub customer_id: Uuid,
        pub name: String,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub title: Option<String>,
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

impl Filter for ContactFilter {
    const WHERE: &'static str =
        "($3::text IS NULL OR name ILIKE $3) AND ($4::uuid IS NULL OR customer_id = $4)";

    fn params(self) -> Result<Params, ApiError> {
        Ok(vec![
            Box::new(search_pattern(self.q.as_deref())?),
            Box::new(self.customer_id),
        ])
    }
}

fn validate(
    customer_id: Uuid,
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    title: Option<&str>,
) -> Result<Params, ApiError> {
    let mut c = Check::default();
    let name = c.text("name", name, 200);
    let email = c.email("email", email);
    let phone = c.opt_text("phone", phone, 40);
    let title = c.opt_text("title", title, 100);
    if let Some(p) = &phone {
        if !p
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +-().".contains(ch))
        {
            c.fail("phone", "may contain only digits, spaces and + - ( ) .");
        }
    }
    c.finish()?;
    Ok(vec![
        Box::new(customer_id),
        Box::new(name),
        Box::new(email),
        Box::new(phone),
        Box::new(title),
    ])
}

impl Writable for Contact {
    type New = NewContact;
    type Patch = ContactPatch;
    const INSERT: &'static str = concat!(
        "INSERT INTO contacts (id, customer_id, name, email, phone, title)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        columns!()
    );
    const UPDATE: &'static str = concat!(
        "UPDATE contacts SET customer_id = $2, name = $3, email = $4, phone = $5, title = $6,
             version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING ",
        columns!()
    );
    const REFERENCE: &'static str = "customer_id";

    fn inserted(b: NewContact) -> Result<Params, ApiError> {
        validate(
            b.customer_id,
            &b.name,
            b.email.as_deref(),
            b.phone.as_deref(),
            b.title.as_deref(),
        )
    }

    fn updated(self, patch: ContactPatch) -> Result<Params, ApiError> {
        validate(
            patch.customer_id.unwrap_or(self.customer_id),
            patch.name.as_deref().unwrap_or(&self.name),
            merge(&patch.email, &self.email).as_deref(),
            merge(&patch.phone, &self.phone).as_deref(),
            merge(&patch.title, &self.title).as_deref(),
        )
    }
}

resource! {
    Contact {
        table: "contacts",
        what: "contact",
        path: "/contacts",
        item: "/contacts/{id}",
        tag: "contacts",
        filter: ContactFilter,
        new: NewContact,
        patch: ContactPatch,
    }
    /// List contacts, oldest first.
    list;
    /// Create a contact at a customer.
    create;
    /// Get one contact.
    show;
    /// Change a contact (merge-patch), optionally guarded by `If-Match`.
    update;
    /// Delete a contact.
    remove;
}
