//! Operator accounts and their console sessions. Passwords are Argon2id; a session is an
//! opaque token of which only a hash is stored, with a CSRF token beside it. Sign-ins,
//! failed ones included, go to the audit log.

use atrium_accounts::{password, token};
use atrium_core::domain::Result;
use atrium_core::domain::{DisplayName, Email, SESSION_HOURS};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::{registry, Control};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OperatorAccount {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

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

    /// Creates an operator, or sets a new password for an existing one (same email).
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
        let hash = password::hash_new("password", pw).await?;
        let conn = self.pool.get().await?;
        let row = conn
            .query_one(
                "INSERT INTO atrium_control.operators (id, email, display_name, password_hash)
                 VALUES ($1, $2, CASE WHEN $3 = '' THEN split_part($2, '@', 1) ELSE $3 END, $4)
                 ON CONFLICT (email) DO UPDATE
                   SET password_hash = EXCLUDED.password_hash, disabled_at = NULL,
                       display_name = CASE WHEN $3 = '' THEN operators.display_name ELSE $3 END
                 RETURNING id, email, display_name, created_at",
                &[&Uuid::now_v7(), &email.as_str(), &name, &hash],
            )
            .await?;
        let op = account(&row);
        registry::audit(
            &**conn,
            actor,
            "operator.upsert",
            None,
            Ok(()),
            json!({"email": op.email}),
        )
        .await?;
        Ok(op)
    }

    /// Checks the password and opens a session. `None` for any failure: the caller
    /// can't tell (and mustn't say) whether the email or the password was wrong.
    pub async fn sign_in(&self, email: &str, pw: &str) -> Result<Option<NewSession>> {
        let email = Email::lookup_key(email);
        let conn = self.pool.get().await?;
        let row = conn
            .query_opt(
                "SELECT id, email, display_name, created_at, password_hash
                 FROM atrium_control.operators WHERE email = $1 AND disabled_at IS NULL",
                &[&email],
            )
            .await?;
        let stored: Option<String> = row.as_ref().and_then(|r| r.get("password_hash"));
        let ok = password::verify(pw, stored.as_deref()).await;
        let actor = format!("operator:{email}");
        let (Some(row), true) = (row, ok) else {
            registry::audit(
                &**conn,
                &actor,
                "operator.sign_in",
                None,
                Err("invalid credentials"),
                json!({}),
            )
            .await?;
            return Ok(None);
        };
        let operator = account(&row);
        let token = token::random_token();
        let csrf_token = token::random_token();
        conn.execute(
            "INSERT INTO atrium_control.operator_sessions (token_hash, operator_id, csrf_token, expires_at)
             VALUES ($1, $2, $3, now() + make_interval(hours => $4))",
            &[
                &token::hash(&token),
                &operator.id,
                &csrf_token,
                &(SESSION_HOURS as i32),
            ],
        )
        .await?;
        // Expired sessions are removed here, so the table stays the size of who is signed in.
        conn.execute(
            "DELETE FROM atrium_control.operator_sessions WHERE expires_at < now()",
            &[],
        )
        .await?;
        registry::audit(&**conn, &actor, "operator.sign_in", None, Ok(()), json!({})).await?;
        Ok(Some(NewSession {
            token,
            csrf_token,
            operator,
        }))
    }

    pub async fn session_owner(&self, token: &str) -> Result<Option<SessionOwner>> {
        let conn = self.pool.get().await?;
        let row = conn
            .query_opt(
                "SELECT o.id, o.email, o.display_name, o.created_at, s.csrf_token
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
