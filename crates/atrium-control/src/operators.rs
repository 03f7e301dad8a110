//! Operator accounts and their console sessions. Passwords are Argon2id; a session is an
//! opaque token of which only a hash is stored, with a CSRF token beside it. Sign-ins go
//! to the audit log, failed ones at a bounded rate (`failed_sign_ins`).
//!
//! A disabled operator can't sign in and has no sessions. Setting a password never
//! enables anyone: enabling is its own audited action.

use crate::audit_action::Action;
use atrium_http::{page::Params, Keyset, Page, SortKey, Sorts};
use std::net::IpAddr;

use atrium_accounts::{password, token};
use atrium_core::domain::{DisplayName, DomainError, Email, Result, SESSION_HOURS};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{registry, Control};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OperatorAccount {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    /// When the operator was disabled; null while they may sign in.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// Which operators a list holds.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperatorFilter {
    /// Only disabled operators (`true`) or only enabled ones (`false`).
    pub disabled: Option<bool>,
}

/// The operator list sorts newest first unless asked otherwise.
pub const OPERATOR_SORTS: Sorts = Sorts::by_id(&[
    SortKey::new("created_at", "timestamptz"),
    SortKey::new("email", "text"),
    SortKey::new("display_name", "text"),
]);

const COLUMNS: &str = "id, email, display_name, created_at, disabled_at";

/// A session just opened: the cookie value (never stored) and the CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub operator: OperatorAccount,
}

/// Who a valid session cookie belongs to.
pub struct SessionOwner {
    pub operator: OperatorAccount,
    pub csrf_token: String,
}

fn account(row: &tokio_postgres::Row) -> OperatorAccount {
    OperatorAccount {
        id: row.get("id"),
        email: row.get("email"),
        display_name: row.get("display_name"),
        created_at: row.get("created_at"),
        disabled_at: row.get("disabled_at"),
    }
}

impl Control {
    /// The deployment's admin token, compared in constant time.
    pub fn is_admin_token(&self, token: &str) -> bool {
        use secrecy::ExposeSecret;
        token::constant_time_eq(
            token.as_bytes(),
            self.config.admin_token.expose_secret().as_bytes(),
        )
    }

    /// Creates an operator, or sets a new password for an existing one (same email). A
    /// new password ends the operator's sessions and leaves a disabled operator disabled.
    pub async fn upsert_operator(
        &self,
        email: &str,
        display_name: Option<&str>,
        pw: &str,
        actor: &str,
    ) -> Result<OperatorAccount> {
        let email = Email::parse("email", email)?;
        let name = DisplayName::parse_opt("display_name", display_name)?;
        // Empty keeps an existing operator's name (and defaults a new one's, in SQL).
        let name = name.as_ref().map_or("", DisplayName::as_str);
        let hash = password::hash_new("password", pw, password::Lane::Shared).await?;
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let row = tx
            .query_one(
                &format!(
                    "INSERT INTO atrium_control.operators (id, email, display_name, password_hash)
                     VALUES ($1, $2, CASE WHEN $3 = '' THEN split_part($2, '@', 1) ELSE $3 END, $4)
                     ON CONFLICT (email) DO UPDATE
                       SET password_hash = EXCLUDED.password_hash,
                           display_name = CASE WHEN $3 = '' THEN operators.display_name ELSE $3 END
                     RETURNING {COLUMNS}, (xmax = 0) AS created"
                ),
                &[&Uuid::now_v7(), &email.as_str(), &name, &hash],
            )
            .await?;
        let created: bool = row.get("created");
        let op = account(&row);
        let ended = end_sessions(&*tx, op.id).await?;
        let detail = json!({"password_reset": !created, "sessions_ended": ended});
        commit_audited(tx, actor, Action::OperatorUpsert, op, detail).await
    }

    /// One page of the operators `filter` matches.
    pub async fn list_operators(
        &self,
        filter: &OperatorFilter,
        keyset: &Keyset,
    ) -> Result<Page<OperatorAccount>> {
        let conn = self.pool.get().await?;
        let from = "FROM atrium_control.operators
             WHERE ($1::bool IS NULL OR (disabled_at IS NOT NULL) = $1)";
        let params: Params = vec![Box::new(filter.disabled)];
        Ok(keyset
            .load(&mut &**conn, COLUMNS, from, params, account)
            .await?)
    }

    /// The operator with this email, if any.
    pub async fn operator_by_email(&self, email: &str) -> Result<Option<OperatorAccount>> {
        let conn = self.pool.get().await?;
        let row = conn
            .query_opt(
                &format!("SELECT {COLUMNS} FROM atrium_control.operators WHERE email = $1"),
                &[&Email::lookup_key(email)],
            )
            .await?;
        Ok(row.as_ref().map(account))
    }

    /// Disables an operator (ending their sessions) or enables one again; audited either
    /// way. Nobody disables themselves, so a console can't lock out its last operator by
    /// a slip; the admin token (`actor` not an operator) can disable anyone.
    pub async fn set_operator_disabled(
        &self,
        id: Uuid,
        disabled: bool,
        actor: &str,
    ) -> Result<OperatorAccount> {
        let action = if disabled {
            Action::OperatorDisable
        } else {
            Action::OperatorEnable
        };
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let row = tx
            .query_opt(
                &format!(
                    "UPDATE atrium_control.operators
                     SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END
                     WHERE id = $1 RETURNING {COLUMNS}"
                ),
                &[&id, &disabled],
            )
            .await?;
        let op = row
            .as_ref()
            .map(account)
            .ok_or(DomainError::NotFound("operator"))?;
        if disabled && actor == format!("operator:{}", op.email) {
            return Err(DomainError::conflict(
                "operator_self",
                "operators cannot disable themselves",
            ));
        }
        let ended = match disabled {
            true => end_sessions(&*tx, op.id).await?,
            false => 0,
        };
        commit_audited(tx, actor, action, op, json!({"sessions_ended": ended})).await
    }

    /// Checks the password and opens a session. `None` for any failure: the caller
    /// can't tell (and mustn't say) whether the email or the password was wrong.
    /// `address` is where the attempt came from, for the audit log.
    pub async fn sign_in(
        &self,
        email: &str,
        pw: &str,
        lane: password::Lane,
        address: IpAddr,
    ) -> Result<Option<NewSession>> {
        let email = Email::lookup_key(email);
        // No connection is held while Argon2 runs (or waits for a slot): a burst of
        // sign-ins must not take the pool from everything else.
        let row = self
            .pool
            .get()
            .await?
            .query_opt(
                &format!(
                    "SELECT {COLUMNS}, password_hash
                     FROM atrium_control.operators WHERE email = $1 AND disabled_at IS NULL"
                ),
                &[&email],
            )
            .await?;
        let stored: Option<String> = row.as_ref().and_then(|r| r.get("password_hash"));
        let ok = password::verify(pw, stored.as_deref(), lane).await;
        let actor = format!("operator:{email}");
        let conn = self.pool.get().await?;
        let opened = match (row, ok) {
            (Some(row), true) => open_session(&**conn, account(&row), stored.as_deref()).await?,
            _ => None,
        };
        let Some(session) = opened else {
            if self.failed_sign_ins.admit(address) {
                registry::audit(
                    &**conn,
                    &actor,
                    Action::OperatorSignIn,
                    None,
                    Err("invalid credentials"),
                    json!({"address": address.to_string()}),
                )
                .await?;
            }
            return Ok(None);
        };
        registry::audit(
            &**conn,
            &actor,
            Action::OperatorSignIn,
            None,
            Ok(()),
            json!({}),
        )
        .await?;
        Ok(Some(session))
    }

    pub async fn session_owner(&self, token: &str) -> Result<Option<SessionOwner>> {
        let conn = self.pool.get().await?;
        let row = conn
            .query_opt(
                "SELECT o.id, o.email, o.display_name, o.created_at, o.disabled_at, s.csrf_token
                 FROM atrium_control.operator_sessions s
                 JOIN atrium_control.operators o ON o.id = s.operator_id
                 WHERE s.token_hash = $1 AND s.expires_at > now() AND o.disabled_at IS NULL",
                &[&token::hash(token)],
            )
            .await?;
        Ok(row.map(|r| SessionOwner {
            operator: account(&r),
            csrf_token: r.get("csrf_token"),
        }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let conn = self.pool.get().await?;
        conn.execute(
            "DELETE FROM atrium_control.operator_sessions WHERE token_hash = $1",
            &[&token::hash(token)],
        )
        .await?;
        Ok(())
    }
}

impl Control {
    /// Writes one audit row for the failed sign-ins counted but not audited since the
    /// last call (none if there were none). The control plane calls it every minute.
    pub async fn summarise_failed_sign_ins(&self) -> Result<()> {
        let Some(detail) = self.failed_sign_ins.take_summary() else {
            return Ok(());
        };
        let conn = self.pool.get().await?;
        registry::audit(
            &**conn,
            "system",
            Action::OperatorSignInFailures,
            None,
            Err("invalid credentials"),
            detail,
        )
        .await
    }
}

/// A new session for `operator`, unless they were disabled since their password was
/// checked.
/// Opens a session only if the operator is still enabled and still has the password
/// hash the sign-in was checked against: a reset or a disable that commits while
/// Argon2 runs wins.
async fn open_session<C: tokio_postgres::GenericClient>(
    db: &C,
    operator: OperatorAccount,
    checked_hash: Option<&str>,
) -> Result<Option<NewSession>> {
    let token = token::random_token();
    let csrf_token = token::random_token();
    let opened = db
        .execute(
            "INSERT INTO atrium_control.operator_sessions (token_hash, operator_id, csrf_token, expires_at)
             SELECT $1, id, $3, now() + make_interval(hours => $4)
             FROM atrium_control.operators
             WHERE id = $2 AND disabled_at IS NULL AND password_hash IS NOT DISTINCT FROM $5",
            &[
                &token::hash(&token),
                &operator.id,
                &csrf_token,
                &(SESSION_HOURS as i32),
                &checked_hash,
            ],
        )
        .await?;
    // Expired sessions are removed here, so the table stays the size of who is signed in.
    db.execute(
        "DELETE FROM atrium_control.operator_sessions WHERE expires_at < now()",
        &[],
    )
    .await?;
    Ok((opened == 1).then_some(NewSession {
        token,
        csrf_token,
        operator,
    }))
}

/// Audits `action` on `op` (its email added to `detail`) in `tx`, commits, and answers `op`.
async fn commit_audited(
    tx: deadpool_postgres::Transaction<'_>,
    actor: &str,
    action: Action,
    op: OperatorAccount,
    mut detail: serde_json::Value,
) -> Result<OperatorAccount> {
    detail["email"] = op.email.clone().into();
    registry::audit(&*tx, actor, action, None, Ok(()), detail).await?;
    tx.commit().await?;
    Ok(op)
}

/// Ends every session of operator `id`; how many there were.
async fn end_sessions<C: tokio_postgres::GenericClient>(tx: &C, id: Uuid) -> Result<u64> {
    Ok(tx
        .execute(
            "DELETE FROM atrium_control.operator_sessions WHERE operator_id = $1",
            &[&id],
        )
        .await?)
}
