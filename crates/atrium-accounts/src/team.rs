//! What a tenant admin does to the team: change a role, remove a user, revoke an invite,
//! issue a password reset link; and what the links' holders do with them (look at an
//! invite before accepting it, set a new password). Same rules on both planes, one place.
//!
//! A tenant is never left without an admin who can sign in: demoting or removing the last
//! active admin is a 409 `last_admin`. The check locks every admin row first, so two
//! admins demoting each other at once can't both succeed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use atrium_core::{
    db::TenantTx,
    domain::{self, DomainError, RESET_HOURS},
};

use crate::{
    tenant_users::{user, Role, TenantUser, COLUMNS},
    token::{hash as token_hash, random_token},
};

/// A one-time password reset link's token, shown once.
pub struct ResetLink {
    pub user: TenantUser,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What an invite link shows before its form: who is invited.
pub struct InvitePreview {
    pub email: String,
    pub display_name: String,
}

async fn find(tx: &mut TenantTx, id: Uuid) -> domain::Result<TenantUser> {
    let row = tx
        .query_opt(
            &format!("SELECT {COLUMNS} FROM users WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await?;
    row.map(|r| user(&r)).ok_or(DomainError::NotFound("user"))
}

/// Refuses to take `target` away from the admins if no other active admin is left.
async fn keep_an_admin(tx: &mut TenantTx, target: &TenantUser) -> domain::Result<()> {
    if target.role != Role::Admin || target.status != "active" {
        return Ok(());
    }
    let others = tx
        .query(
            "SELECT id FROM users
             WHERE role = 'admin' AND password_hash IS NOT NULL AND disabled_at IS NULL AND id <> $1
             FOR UPDATE",
            &[&target.id],
        )
        .await?;
    if others.is_empty() {
        return Err(DomainError::conflict(
            "last_admin",
            "this is the tenant's last admin; make someone else an admin first",
        ));
    }
    Ok(())
}

/// Gives `id` the role `role`.
pub async fn set_role(tx: &mut TenantTx, id: Uuid, role: Role) -> domain::Result<TenantUser> {
    let target = find(tx, id).await?;
    if role == Role::Member {
        keep_an_admin(tx, &target).await?;
    }
    let row = tx
        .query_opt(
            &format!("UPDATE users SET role = $2 WHERE id = $1 RETURNING {COLUMNS}"),
            &[&id, &role.as_str()],
        )
        .await?;
    row.map(|r| user(&r)).ok_or(DomainError::NotFound("user"))
}

/// Removes a user (or a pending invite) and, with the row, every session of theirs.
/// `acting` is the signed-in user doing it, who can't remove themselves.
pub async fn remove(
    tx: &mut TenantTx,
    id: Uuid,
    acting: Option<Uuid>,
) -> domain::Result<TenantUser> {
    if acting == Some(id) {
        return Err(DomainError::conflict(
            "self",
            "you can't remove yourself; another admin can",
        ));
    }
    let target = find(tx, id).await?;
    keep_an_admin(tx, &target).await?;
    tx.execute("DELETE FROM users WHERE id = $1", &[&id])
        .await?;
    Ok(target)
}

/// Revokes a pending invite: the link stops working and the row goes. A user who has
/// accepted already is not an invite (404).
pub async fn revoke_invite(tx: &mut TenantTx, id: Uuid) -> domain::Result<TenantUser> {
    let row = tx
        .query_opt(
            &format!(
                "DELETE FROM users WHERE id = $1 AND password_hash IS NULL AND disabled_at IS NULL
                 RETURNING {COLUMNS}"
            ),
            &[&id],
        )
        .await?;
    row.map(|r| user(&r)).ok_or(DomainError::NotFound("invite"))
}

/// Who an unexpired invite token invites. Unknown, expired, revoked and used tokens all
/// answer the same 404, so a token tells nobody more than its holder learns by using it.
pub async fn preview_invite(tx: &mut TenantTx, token: &str) -> domain::Result<InvitePreview> {
    let row = tx
        .query_opt(
            "SELECT email, display_name FROM users
             WHERE invite_hash = $1 AND invite_expires_at > now() AND disabled_at IS NULL",
            &[&token_hash(token)],
        )
        .await?;
    let r = row.ok_or(DomainError::NotFound("invite"))?;
    Ok(InvitePreview {
        email: r.get(0),
        display_name: r.get(1),
    })
}

/// Issues a password reset link for an active user, voiding any earlier one. Someone who
/// never accepted their invite gets a new invite instead (409 `invite_pending`).
pub async fn issue_reset(tx: &mut TenantTx, id: Uuid) -> domain::Result<ResetLink> {
    let target = find(tx, id).await?;
    match target.status.as_str() {
        "active" => {}
        "invited" => {
            return Err(DomainError::conflict(
                "invite_pending",
                "this user hasn't accepted their invite; resend the invite instead",
            ))
        }
        _ => return Err(DomainError::NotFound("user")),
    }
    let token = random_token();
    let row = tx
        .query_opt(
            "UPDATE users SET reset_hash = $2, reset_expires_at = now() + make_interval(hours => $3)
             WHERE id = $1 RETURNING reset_expires_at",
            &[&id, &token_hash(&token), &(RESET_HOURS as i32)],
        )
        .await?;
    let expires_at = row
        .ok_or(DomainError::NotFound("user"))?
        .get("reset_expires_at");
    Ok(ResetLink {
        user: target,
        token,
        expires_at,
    })
}

/// Spends a reset token: sets the new password and ends every session the user had.
pub async fn reset_password(
    tx: &mut TenantTx,
    token: &str,
    password_hash: &str,
) -> domain::Result<TenantUser> {
    let row = tx
        .query_opt(
            &format!(
                "UPDATE users SET password_hash = $2, reset_hash = NULL, reset_expires_at = NULL
                 WHERE reset_hash = $1 AND reset_expires_at > now() AND disabled_at IS NULL
                   AND password_hash IS NOT NULL
                 RETURNING {COLUMNS}"
            ),
            &[&token_hash(token), &password_hash],
        )
        .await?;
    let u = row
        .map(|r| user(&r))
        .ok_or(DomainError::NotFound("password reset"))?;
    tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&u.id])
        .await?;
    Ok(u)
}

/// How many people a tenant has, for the operator's tenant page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TeamCounts {
    pub total: i64,
    pub active: i64,
    pub invited: i64,
    pub disabled: i64,
    /// Active admins.
    pub admins: i64,
}

pub async fn counts(tx: &mut TenantTx) -> domain::Result<TeamCounts> {
    let row = tx
        .query_opt(
            "SELECT count(*),
                    count(*) FILTER (WHERE disabled_at IS NULL AND password_hash IS NOT NULL),
                    count(*) FILTER (WHERE disabled_at IS NULL AND password_hash IS NULL),
                    count(*) FILTER (WHERE disabled_at IS NOT NULL),
                    count(*) FILTER (WHERE disabled_at IS NULL AND password_hash IS NOT NULL
                                       AND role = 'admin')
             FROM users",
            &[],
        )
        .await?
        .ok_or(DomainError::NotFound("users"))?;
    Ok(TeamCounts {
        total: row.get(0),
        active: row.get(1),
        invited: row.get(2),
        disabled: row.get(3),
        admins: row.get(4),
    })
}
