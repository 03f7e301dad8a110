//! Notes: what people write down about a customer or a deal, with who wrote it.

use atrium_http::{ApiError, Json, Page, Paging, Problem, Query};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::common::{Check, IfMatch};
use super::resource::{self, filter, record, resource, Item, Params, Writable};
use super::IdPath;
use atrium_accounts::tenant_users::Role;

use crate::{tenant::Caller, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customer_notes, add_customer_note))
        .routes(routes!(deal_notes, add_deal_note))
        .routes(routes!(update, remove))
}

/// The longest note, in characters.
const MAX_CHARS: usize = 5_000;

record! {
    /// A note on one customer or one deal.
    #[derive(Debug, Serialize, ToSchema)]
    pub struct Note {
        pub id: Uuid,
        /// The customer the note is on; `null` for a note on a deal.
        #[read_only]
        pub customer_id: Option<Uuid>,
        /// The deal the note is on; `null` for a note on a customer.
        #[read_only]
        pub deal_id: Option<Uuid>,
        /// 1 to 5,000 characters once surrounding spaces are trimmed.
        pub body: String,
        /// Who wrote it: `user` (signed in), `key` (an API key) or `dev` (learning mode).
        #[read_only]
        pub author_kind: String,
        /// The user's or the API key's id; `null` in learning mode.
        #[read_only]
        pub author_id: Option<Uuid>,
        /// The user's display name or the API key's name, as it was when the note was written.
        #[read_only]
        pub author_name: String,
    }
    new NewNote;
    patch NotePatch;
}

filter! {
    /// Case-insensitive substring of the body.
    pub struct NoteFilter(q searches body) {
        /// Only the notes on this customer.
        pub customer_id: Option<Uuid> as uuid,
        /// Only the notes on this deal.
        pub deal_id: Option<Uuid> as uuid,
    }
    sort [created_at: timestamptz]
}

resource!(@impl Note { table: "notes", what: "note" });

impl Writable for Note {
    const REFERENCE: &'static str = "id";

    fn inserted(b: NewNote) -> Result<Params, ApiError> {
        let mut c = Check::default();
        let body = c.text("body", &b.body, MAX_CHARS);
        c.finish()?;
        Ok(vec![Box::new(body)])
    }

    /// The parent and the author come after the body: from the path and the caller.
    fn insert() -> String {
        format!(
            "INSERT INTO notes (id, body, customer_id, deal_id, author_kind, author_id, author_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
        )
    }
}

/// What a note can be on.
#[derive(Clone, Copy)]
enum Parent {
    Customer,
    Deal,
}

impl Parent {
    /// Answers 404 unless the parent exists in this tenant.
    async fn require(self, r: &Item) -> Result<(), ApiError> {
        let (sql, what) = match self {
            Parent::Customer => ("SELECT 1 FROM customers WHERE id = $1", "customer"),
            Parent::Deal => ("SELECT 1 FROM deals WHERE id = $1", "deal"),
        };
        let mut tx = r.begin().await?;
        let found = tx.query_opt(sql, &[&r.id()]).await?;
        tx.commit().await?;
        found.map(|_| ()).ok_or(ApiError::NotFound(what))
    }

    fn ids(self, id: Uuid) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            Parent::Customer => (Some(id), None),
            Parent::Deal => (None, Some(id)),
        }
    }

    async fn notes(self, r: Item, paging: Paging) -> Result<Json<Page<Note>>, ApiError> {
        self.require(&r).await?;
        let (customer_id, deal_id) = self.ids(r.id());
        let filter = NoteFilter {
            q: None,
            customer_id,
            deal_id,
        };
        resource::list(&r.state, &r.tenant, paging, filter).await
    }

    async fn add(
        self,
        r: Item,
        caller: Caller,
        new: NewNote,
    ) -> Result<(StatusCode, HeaderMap, Json<Note>), ApiError> {
        self.require(&r).await?;
        let (customer_id, deal_id) = self.ids(r.id());
        let (kind, author_id, name) = match caller {
            Caller::User(u) => ("user", Some(u.id), u.display_name),
            Caller::Key(k) => ("key", Some(k.id), k.name.clone()),
            Caller::Dev => ("dev", None, "dev".to_owned()),
        };
        let author: Params = vec![
            Box::new(customer_id),
            Box::new(deal_id),
            Box::new(kind),
            Box::new(author_id),
            Box::new(name),
        ];
        resource::create_with(&r.state, &r.tenant, new, author).await
    }
}

/// Notes on a customer, newest first.
#[utoipa::path(get, path = "/customers/{id}/notes", tag = "notes", params(IdPath, Paging),
    responses((status = 200, body = Page<Note>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn customer_notes(r: Item, Query(p): Query<Paging>) -> Result<Json<Page<Note>>, ApiError> {
    Parent::Customer.notes(r, p).await
}

/// Write a note on a customer; the caller is recorded as its author.
#[utoipa::path(post, path = "/customers/{id}/notes", tag = "notes", params(IdPath),
    request_body = NewNote,
    responses((status = 201, body = Note), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn add_customer_note(
    r: Item,
    caller: Caller,
    Json(b): Json<NewNote>,
) -> Result<(StatusCode, HeaderMap, Json<Note>), ApiError> {
    Parent::Customer.add(r, caller, b).await
}

/// Notes on a deal, newest first.
#[utoipa::path(get, path = "/deals/{id}/notes", tag = "notes", params(IdPath, Paging),
    responses((status = 200, body = Page<Note>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn deal_notes(r: Item, Query(p): Query<Paging>) -> Result<Json<Page<Note>>, ApiError> {
    Parent::Deal.notes(r, p).await
}

/// Write a note on a deal; the caller is recorded as its author.
#[utoipa::path(post, path = "/deals/{id}/notes", tag = "notes", params(IdPath),
    request_body = NewNote,
    responses((status = 201, body = Note), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn add_deal_note(
    r: Item,
    caller: Caller,
    Json(b): Json<NewNote>,
) -> Result<(StatusCode, HeaderMap, Json<Note>), ApiError> {
    Parent::Deal.add(r, caller, b).await
}

/// Change a note's body (merge-patch); its author stays. Send `If-Match` with the ETag
/// you read to avoid lost updates.
#[utoipa::path(patch, path = "/notes/{id}", tag = "notes", params(IdPath), request_body = NotePatch,
    responses((status = 200, body = Note), (status = 412, body = Problem),
              (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn update(
    r: Item,
    caller: Caller,
    if_match: IfMatch,
    Json(patch): Json<NotePatch>,
) -> Result<(HeaderMap, Json<Note>), ApiError> {
    may_change(&r, &caller).await?;
    resource::update(&r, if_match, patch).await
}

/// Delete a note (its author, or an admin).
#[utoipa::path(delete, path = "/notes/{id}", tag = "notes", params(IdPath),
    responses((status = 204), (status = 412, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn remove(r: Item, caller: Caller, if_match: IfMatch) -> Result<StatusCode, ApiError> {
    may_change(&r, &caller).await?;
    resource::delete::<Note>(&r, if_match).await
}

/// A member changes or deletes only their own notes (403 `not_author`); admins, API keys
/// and learning mode any. The author never changes, so reading it apart from the write
/// can't race.
async fn may_change(r: &Item, caller: &Caller) -> Result<(), ApiError> {
    let Caller::User(u) = caller else {
        return Ok(());
    };
    if u.role == Role::Admin {
        return Ok(());
    }
    let mut tx = r.begin().await?;
    let author: Option<Uuid> = tx
        .query_opt(
            "SELECT author_id FROM notes WHERE id = $1 AND author_kind = 'user'",
            &[&r.id()],
        )
        .await?
        .and_then(|row| row.get(0));
    tx.commit().await?;
    if author == Some(u.id) {
        return Ok(());
    }
    Err(ApiError::Forbidden {
        code: "not_author",
        detail: "only the note's author or a tenant admin can change it".into(),
    })
}
