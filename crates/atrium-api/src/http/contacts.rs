//! Contacts: people at a customer.

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
    /// A person at one of the tenant's customers.
    #[derive(Debug, Serialize, ToSchema)]
    pub struct Contact {
        pub id: Uuid,
        /// The customer the person is at; it must exist in this tenant.
        pub customer_id: Uuid,
        /// Full name, 1 to 200 characters once surrounding spaces are trimmed.
        pub name: String,
        /// Email address, at most 254 characters, with an `@` and a dot after it. An empty
        /// string is stored as `null`.
        pub email: Option<String>,
        /// Phone number, at most 40 characters: digits, spaces and `+ - ( ) .` only. An
        /// empty string is stored as `null`.
        pub phone: Option<String>,
        /// Job title, at most 100 characters. An empty string is stored as `null`.
        pub title: Option<String>,
    }
    new NewContact;
    patch ContactPatch;
}

filter! {
    /// Case-insensitive substring of the name.
    pub struct ContactFilter(q searches name) {
        /// Only the contacts at this customer.
        pub customer_id: Option<Uuid> as uuid,
    }
    sort [created_at: timestamptz, name: text]
}

impl Writable for Contact {
    const REFERENCE: &'static str = "customer_id";

    fn inserted(b: NewContact) -> Result<Params, ApiError> {
        let mut c = Check::default();
        let name = c.text("name", &b.name, 200);
        let email = c.email("email", b.email.as_deref());
        let phone = c.opt_text("phone", b.phone.as_deref(), 40);
        let title = c.opt_text("title", b.title.as_deref(), 100);
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
            Box::new(b.customer_id),
            Box::new(name),
            Box::new(email),
            Box::new(phone),
            Box::new(title),
        ])
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
    /// List contacts, newest first; `sort` takes `created_at` or `name`, `-` in front for descending.
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
