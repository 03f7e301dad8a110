//! The tenant's settings: the currency amounts default to and the time zone whole days
//! are counted in. Every caller reads them; tenant admins and keys change them.

use std::collections::BTreeMap;

use atrium_core::{db::TenantTx, domain::locale};
use atrium_http::{ApiError, Json, Problem};
use axum::{extract::State, http::HeaderMap};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::common::{etag, Check, IfMatch};
use crate::{
    tenant::{Caller, Tenant},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show, update))
}

/// The tenant's currency in SQL, for what defaults to it. A schema restored from an
/// export made before settings existed has no row; it then has the migration's default.
pub const TENANT_CURRENCY: &str = "coalesce((SELECT currency FROM settings), 'USD')";

const READ: &str = "SELECT coalesce(s.currency, 'USD') AS currency,
        coalesce(s.timezone, 'UTC') AS timezone, coalesce(s.version, 0) AS version, s.updated_at
     FROM (SELECT 1) AS one LEFT JOIN settings s ON true";

const WRITE: &str = "INSERT INTO settings (currency, timezone) VALUES ($1, $2)
     ON CONFLICT ON CONSTRAINT settings_pkey DO UPDATE
         SET currency = $1, timezone = $2, version = settings.version + 1, updated_at = now()
     RETURNING currency, timezone, version, updated_at";

#[derive(Debug, Serialize, ToSchema)]
pub struct Settings {
    /// ISO 4217: deals and orders created without a currency are in this one.
    pub currency: String,
    /// IANA time zone name, such as `Asia/Shanghai`: dashboards count whole days in it.
    pub timezone: String,
    /// Increases on every change; also sent as the ETag.
    pub version: i32,
    pub updated_at: Option<DateTime<Utc>>,
    /// Every currency the tenant, its deals and orders may use, with the digits of its
    /// minor unit: `amount_cents` counts that unit (`JPY`: 0, so whole yen).
    pub currency_digits: BTreeMap<&'static str, u8>,
}

impl From<&Row> for Settings {
    fn from(r: &Row) -> Self {
        Settings {
            currency: r.get("currency"),
            timezone: r.get("timezone"),
            version: r.get("version"),
            updated_at: r.get("updated_at"),
            currency_digits: locale::CURRENCIES.iter().copied().collect(),
        }
    }
}

/// A merge-patch of the settings; a field left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    /// One of the codes in `currency_digits`.
    pub currency: Option<String>,
    /// An IANA time zone name.
    pub timezone: Option<String>,
}

/// The tenant's settings, in its transaction.
pub async fn read(tx: &mut TenantTx) -> Result<Settings, ApiError> {
    tx.query_opt(READ, &[])
        .await?
        .map(|r| Settings::from(&r))
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("settings read returned no row")))
}

/// The tenant's currency, time zone and the currencies it may use.
#[utoipa::path(get, path = "/settings", tag = "settings",
    responses((status = 200, body = Settings), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn show(
    State(s): State<AppState>,
    t: Tenant,
) -> Result<(HeaderMap, Json<Settings>), ApiError> {
    let mut tx = t.begin(&s).await?;
    let settings = read(&mut tx).await?;
    tx.commit().await?;
    Ok((etag(settings.version), Json(settings)))
}

/// Change the tenant's currency or time zone (tenant admins and keys). Send `If-Match`
/// with the ETag you read to avoid lost updates.
#[utoipa::path(patch, path = "/settings", tag = "settings", request_body = SettingsPatch,
    responses((status = 200, body = Settings), (status = 412, body = Problem),
              (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn update(
    State(s): State<AppState>,
    t: Tenant,
    caller: Caller,
    if_match: IfMatch,
    Json(patch): Json<SettingsPatch>,
) -> Result<(HeaderMap, Json<Settings>), ApiError> {
    caller.require_admin()?;
    let mut c = Check::default();
    let currency = c.opt_currency("currency", patch.currency.as_deref());
    let timezone = patch
        .timezone
        .as_deref()
        .and_then(|tz| c.keep(locale::timezone("timezone", tz)));
    c.finish()?;
    let mut tx = t.begin(&s).await?;
    // Locks the row, so two admins' changes queue instead of one losing the other's.
    tx.execute("SELECT 1 FROM settings FOR UPDATE", &[]).await?;
    let current = read(&mut tx).await?;
    if_match.check(current.version)?;
    let row = tx
        .query_opt(
            WRITE,
            &[
                &currency.unwrap_or(current.currency),
                &timezone.unwrap_or(current.timezone),
            ],
        )
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("settings write returned no row")))?;
    tx.commit().await?;
    let settings = Settings::from(&row);
    Ok((etag(settings.version), Json(settings)))
}
