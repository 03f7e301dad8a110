//! People who sign in to a tenant's app, and their sessions. The rows live in the tenant's
//! own schema (`users`, `sessions`), so every function here runs inside a [`TenantTx`]:
//! the data plane's (as the tenant role) or the control plane's (as owner, for operator
//! invites). Same SQL for both, one place.
//!
//! An invite is a user row with an invite hash and no password; accepting it sets the
//! password. Tokens are 256-bit random values of which only SHA-256 hashes are stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use utoipa::ToSchema;
use uuid::Uuid;

use atrium_core::{
    db::{DbError, TenantTx},
    domain::{self, DisplayName, DomainError, Email, INVITE_DAYS, SESSION_HOURS},
};

use crate::token::{hash as token_hash, random_token};

/// A new user is a member unless an admin is asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    #[default]
    Member,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// `invited` until the invite is accepted, then `active`; `disabled` when switched off.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// The columns [`user`] reads; the users list (`atrium_http::tenant_users`) pages them.
pub const COLUMNS: &str = "id, email, display_name, role, created_at,
    CASE WHEN disabled_at IS NOT NULL THEN 'disabled'
         WHEN password_hash IS NULL THEN 'invited' ELSE 'active' END AS status";

pub fn user(row: &Row) -> TenantUser {
    TenantUser {
        id: row.get("id"),
        email: row.get("email"),
        display_name: row.get("display_name"),
        role: if row.get::<_, &str>("role") == "admin" {
            Role::Admin
        } else {
            Role::Member
        },
        status: row.get("status"),
        created_at: row.get("created_at"),
    }
}

/// Invites `email`. Returns the user and the invite token, which is shown once. An
/// address that has an account is a 409 `user_exists`; one with a pending invite is a 409
/// `invite_pending` unless `resend`, which issues a new token (the old one stops working)
/// and changes the role and name only if they are given. A new user's role is `member`
/// unless given.
pub async fn invite(
    tx: &mut TenantTx,
    email: &str,
    name: Option<&str>,
    role: Option<Role>,
    resend: bool,
) -> domain::Result<(TenantUser, String)> {
    let email = Email::parse("email", email)?;
    let name = DisplayName::parse_opt("display_name", name)?;
    let given_name = name.as_ref().map(DisplayName::as_str);
    let given_role = role.map(Role::as_str);
    let token = random_token();
    let row = tx
        .query_opt(
            &format!(
                "INSERT INTO users (id, email, display_name, role, invite_hash, invite_expires_at)
                 VALUES ($1, $2, coalesce($3, $8), coalesce($4, $9), $5,
                         now() + make_interval(days => $6))
                 ON CONFLICT ON CONSTRAINT users_email_key DO UPDATE
                   SET invite_hash = EXCLUDED.invite_hash, invite_expires_at = EXCLUDED.invite_expires_at,
                       role = coalesce($4, users.role), display_name = coalesce($3, users.display_name)
                   WHERE users.password_hash IS NULL AND users.disabled_at IS NULL AND $7
                 RETURNING {COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &email.as_str(),
                &given_name,
                &given_role,
                &token_hash(&token),
                &(INVITE_DAYS as i32),
                &resend,
                &email.local_part(),
                &Role::default().as_str(),
            ],
        )
        .await?;
    if let Some(r) = row {
        return Ok((user(&r), token));
    }
    let pending = tx
        .query_opt(
            "SELECT 1 FROM users WHERE email = $1 AND password_hash IS NULL AND disabled_at IS NULL",
            &[&email.as_str()],
        )
        .await?;
    Err(match pending {
        Some(_) => DomainError::conflict(
            "invite_pending",
            format!("{email} is invited already; send \"resend\": true for a new link"),
        ),
        None => DomainError::conflict(
            "user_exists",
            format!("{email} already has an account in this tenant"),
        ),
    })
}

/// Sets the password of the user an unexpired invite token belongs to, and spends the token.
pub async fn accept(
    tx: &mut TenantTx,
    token: &str,
    password_hash: &str,
    name: Option<&str>,
) -> domain::Result<TenantUser> {
    let name = DisplayName::parse_opt("display_name", name)?;
    let name = name.as_ref().map(DisplayName::as_str);
    let row = tx
        .query_opt(
            &format!(
                "UPDATE users SET password_hash = $2, invite_hash = NULL, invite_expires_at = NULL,
                        display_name = COALESCE($3, display_name)
                 WHERE invite_hash = $1 AND invite_expires_at > now() AND disabled_at IS NULL
                 RETURNING {COLUMNS}"
            ),
            &[&token_hash(token), &password_hash, &name],
        )
        .await?;
    row.map(|r| user(&r)).ok_or(DomainError::NotFound("invite"))
}

/// The user and stored password hash for `email`, for a sign-in attempt.
pub async fn credentials(
    tx: &mut TenantTx,
    email: &str,
) -> Result<Option<(TenantUser, Option<String>)>, DbError> {
    let row = tx
        .query_opt(
            &format!(
                "SELECT {COLUMNS}, password_hash FROM users
                 WHERE email = $1 AND disabled_at IS NULL"
            ),
            &[&Email::lookup_key(email)],
        )
        .await?;
    Ok(row.map(|r| (user(&r), r.get("password_hash"))))
}

/// Opens a session: returns (cookie token, CSRF token). Expired sessions go at the same time.
pub async fn open_session(tx: &mut TenantTx, user_id: Uuid) -> Result<(String, String), DbError> {
    let (token, csrf) = (random_token(), random_token());
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4))",
        &[
            &token_hash(&token),
            &user_id,
            &csrf,
            &(SESSION_HOURS as i32),
        ],
    )
    .await?;
    tx.execute("DELETE FROM sessions WHERE expires_at < now()", &[])
        .await?;
    Ok((token, csrf))
}

/// Who a session token belongs to, with the session's CSRF token.
pub async fn session_user(
    tx: &mut TenantTx,
    token: &str,
) -> Result<Option<(TenantUser, String)>, DbError> {
    let row = tx
        .query_opt(
            "SELECT u.id, u.email, u.display_name, u.role, u.created_at, 'active' AS status, s.csrf_token
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL",
            &[&token_hash(token)],
        )
        .await?;
    Ok(row.map(|r| (user(&r), r.get("csrf_token"))))
}

pub async fn close_session(tx: &mut TenantTx, token: &str) -> Result<(), DbError> {
    tx.execute(
        "DELETE FROM sessions WHERE token_hash = $1",
        &[&token_hash(token)],
    )
    .await?;
    Ok(())
}

/// The ids of up to `limit` of the tenant's users, for telling team members apart from
/// the end users of the tenant's product in analytics.
pub async fn ids(tx: &mut TenantTx, limit: i64) -> Result<Vec<Uuid>, DbError> {
    let rows = tx
        .query("SELECT id FROM users ORDER BY id LIMIT $1", &[&limit])
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
