//! Which tenant a request is for, and whether its caller may act for it.
//!
//! A caller is an API key (`Authorization: Bearer`) or a signed-in tenant user (the
//! session cookie, scoped by its Path to this tenant's `/v1/t/{tenant}/`).
//!
//! Order matters: the slug is validated first (400 naming the rule), then the key
//! (401), then the tenant. A valid key for tenant A on B's path gets the same 404 as a
//! tenant that doesn't exist, so B's existence never leaks; B's suspension is only
//! revealed to B's own keys. A session is looked up in the path tenant's own schema, so
//! another tenant's session token finds nothing there (401).

use std::sync::Arc;

use atrium_accounts::{
    apikey,
    tenant_users::{self, Role, TenantUser},
};
use atrium_analytics::event::Event;
use atrium_core::{db::TenantTx, domain::TenantState, tenancy::TenantSlug};
use atrium_http::{
    cookie::{self as session, SessionCookie},
    layers::{TenantCost, TenantLabel},
    ratelimit, ApiError, ProblemCode,
};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header::AUTHORIZATION, request::Parts, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    directory::{KeyRecord, TenantRecord},
    fair::{self, RequestCost},
    AppState,
};

/// The resolved tenant, available to every tenant-scoped handler.
#[derive(Clone)]
pub struct Tenant(pub Arc<TenantRecord>);

impl Tenant {
    pub fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Opens this tenant's transaction on a pooled connection, waiting out a failover.
    /// The tenant's connection share is taken first, so a tenant over its share waits in
    /// its own queue and never in the pool's, in front of other tenants.
    pub async fn begin(&self, state: &AppState) -> Result<TenantTx, ApiError> {
        let mut lease = state.fair.lease(&self.0).await?;
        let clusters = state.directory.clusters();
        let mut tx = TenantTx::begin_on(
            clusters,
            &self.0.cluster,
            &self.0.scope,
            state.failover_wait,
        )
        .await?;
        lease.connected();
        tx.attach(lease);
        Ok(tx)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        resolved(parts)
    }
}

/// What [`resolve`] put in the request's extensions. Missing only when a route was
/// mounted without the middleware: a wiring bug, hence a 500 and not a 401.
fn resolved<T: Clone + Send + Sync + 'static>(parts: &Parts) -> Result<T, ApiError> {
    parts.extensions.get::<T>().cloned().ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "tenant middleware not installed on this route"
        ))
    })
}

/// A tenant-scoped request: the resolved tenant and the one other part of the request a
/// handler is about (the `{id}` of the path, a query), extracted in that order so a
/// request failing both is refused for its tenant first.
pub struct Scoped<P> {
    pub state: AppState,
    pub tenant: Tenant,
    pub part: P,
}

impl<P> FromRequestParts<AppState> for Scoped<P>
where
    P: FromRequestParts<AppState>,
    P::Rejection: IntoResponse,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let t = Tenant::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let part = P::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Scoped {
            state: s.clone(),
            tenant: t,
            part,
        })
    }
}

impl<P> Scoped<P> {
    pub fn slug(&self) -> &str {
        self.tenant.slug()
    }

    /// Opens the tenant's transaction.
    pub async fn begin(&self) -> Result<TenantTx, ApiError> {
        self.tenant.begin(&self.state).await
    }
}

/// Who is acting for the tenant.
#[derive(Clone)]
pub enum Caller {
    /// A tenant API key: automation, with a tenant admin's rights.
    Key(Arc<KeyRecord>),
    /// A signed-in tenant user.
    User(TenantUser),
    /// `--dev-tenant-param` learning mode: no credentials at all.
    Dev,
}

impl Caller {
    /// Managing users is for tenant admins (and keys).
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self {
            Caller::Key(_) | Caller::Dev => Ok(()),
            Caller::User(u) if u.role == Role::Admin => Ok(()),
            Caller::User(_) => Err(ApiError::Forbidden {
                code: "admin_only",
                detail: "only a tenant admin can do this".into(),
            }),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        resolved(parts)
    }
}

/// The tenant app's session cookie: its Path keeps it to this tenant's API.
pub fn session_cookie(slug: &str) -> SessionCookie {
    SessionCookie::new("atrium_session", format!("/v1/t/{slug}/"))
}

/// The tenant named in a sign-in or invite path, if it exists and isn't deleted, with
/// no credentials checked (those routes check their own).
pub async fn for_sign_in(state: &AppState, slug: &str) -> Result<Option<Tenant>, ApiError> {
    let slug = TenantSlug::parse(slug)?;
    Ok(state
        .directory
        .tenant(slug.as_str())
        .await?
        .filter(|r| r.state.is_live())
        .map(Tenant))
}

/// Active tenants pass; a suspended one is a 423 (said only to its own signed-in users).
pub fn ensure_active(t: &Tenant) -> Result<(), ApiError> {
    admit(t.0.clone()).map(|_| ())
}

/// Middleware for every tenant-scoped route.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Only owned pieces cross the await: a request body is not Sync.
    let path_slug = path_tenant(req.uri().path()).map(str::to_owned);
    let tid = query_tid(req.uri().query());
    let bearer = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let started = std::time::Instant::now();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let method = req.method().as_str().to_owned();
    // Only owned pieces again; read only when there is no key.
    let session = Session {
        method: req.method().clone(),
        token: bearer
            .is_none()
            // Reading needs only the cookie's name, not the tenant's path.
            .then(|| session_cookie("").read(req.headers()))
            .flatten(),
        csrf: session::sent_csrf(req.headers())
            .map(str::to_owned)
            .or_else(|| beacon_csrf(req.uri())),
    };
    match authorize(
        &state,
        path_slug.as_deref(),
        tid,
        bearer.as_deref(),
        &session,
    )
    .await
    {
        Ok((tenant, caller)) => {
            let admission = state.fair.admit(&tenant.0);
            let refused = admission
                .outcome
                .err()
                .or_else(|| over_storage_quota(&tenant.0, &method, &route));
            let slug = tenant.slug().to_owned();
            let actor = match &caller {
                Caller::User(u) => u.id.to_string(),
                Caller::Key(_) | Caller::Dev => String::new(),
            };
            let cost = Arc::new(RequestCost::default());
            let record = tenant.0.clone();
            let mut res = match refused {
                Some(e) => e.into_response(),
                None => {
                    req.extensions_mut().insert(tenant);
                    req.extensions_mut().insert(caller);
                    let run = atrium_analytics::event::with_actor(actor.clone(), next.run(req));
                    fair::metered(cost.clone(), run).await
                }
            };
            // One api_request event per tenant request, refused ones included up to a
            // rate; emit never waits. It is where per-tenant usage is attributed
            // (docs/noisy-neighbours.md).
            let limited = res
                .extensions()
                .get::<ProblemCode>()
                .filter(|c| c.is_limit());
            if limited.is_none() || state.fair.refusal_event_allowed(&record) {
                let mut event = Event::server(&slug, "api_request")
                    .prop("route", route)
                    .prop("method", method)
                    .prop("status", res.status().as_u16().to_string())
                    .prop("db_ms", cost.db().as_millis().to_string())
                    .prop("wait_ms", cost.wait().as_millis().to_string());
                if let Some(code) = limited {
                    event = event.prop("limited", code.0);
                }
                event.duration_ms = started.elapsed().as_millis() as u64;
                event.actor = actor;
                state.emitter.emit(event);
            }
            ratelimit::set_headers(res.headers_mut(), &admission.policies);
            res.extensions_mut().insert(TenantLabel(slug));
            res.extensions_mut().insert(TenantCost {
                db: cost.db(),
                wait: cost.wait(),
            });
            res
        }
        Err(e) => e.into_response(),
    }
}

/// What a cookie-authenticated request needs checked: the cookie's token and, for
/// anything but a read, the CSRF header.
struct Session {
    method: Method,
    token: Option<String>,
    csrf: Option<String>,
}

async fn authorize(
    state: &AppState,
    path_slug: Option<&str>,
    tid: Option<String>,
    bearer: Option<&str>,
    session: &Session,
) -> Result<(Tenant, Caller), ApiError> {
    if let (Some(token), Some(slug)) = (&session.token, path_slug) {
        let slug = TenantSlug::parse(slug)?;
        return authorize_session(state, &slug, token, session).await;
    }
    // Learning mode: `?tid=` names the tenant and no key is needed.
    if state.dev_tenant_param && bearer.is_none() {
        let raw = path_slug.map(str::to_owned).or(tid);
        let slug = TenantSlug::parse(raw.as_deref().ok_or(ApiError::Unauthorized)?)?;
        let record = state
            .directory
            .tenant(slug.as_str())
            .await?
            .ok_or(ApiError::NotFound("tenant"))?;
        return Ok((admit(record)?, Caller::Dev));
    }

    let slug = TenantSlug::parse(path_slug.ok_or(ApiError::NotFound("tenant"))?)?;
    let key = bearer.ok_or(ApiError::Unauthorized)?;
    if !apikey::looks_valid(key) {
        return Err(ApiError::Unauthorized);
    }
    let key = state
        .directory
        .key(&apikey::hash(key))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let record = state
        .directory
        .tenant(slug.as_str())
        .await?
        .ok_or(ApiError::NotFound("tenant"))?;
    if record.id != key.tenant_id {
        return Err(ApiError::NotFound("tenant"));
    }
    Ok((admit(record)?, Caller::Key(key)))
}

async fn authorize_session(
    state: &AppState,
    slug: &TenantSlug,
    token: &str,
    session: &Session,
) -> Result<(Tenant, Caller), ApiError> {
    let tenant = for_sign_in(state, slug.as_str())
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let mut tx = tenant.begin(state).await?;
    let found = tenant_users::session_user(&mut tx, token).await?;
    tx.commit().await?;
    let (user, csrf) = found.ok_or(ApiError::Unauthorized)?;
    session::check_csrf(&session.method, session.csrf.as_deref(), &csrf)?;
    ensure_active(&tenant)?;
    Ok((tenant, Caller::User(user)))
}

/// Over its storage quota a tenant can still read, delete (to get back under) and sign
/// out; its events have a quota of their own.
fn over_storage_quota(t: &TenantRecord, method: &str, route: &str) -> Option<ApiError> {
    let writes = !matches!(method, "GET" | "HEAD" | "OPTIONS" | "DELETE");
    (t.storage_over_quota && writes && !STORES_NOTHING.iter().any(|r| route.ends_with(r)))
        .then_some(ApiError::QuotaExceeded {
            quota: "storage",
            retry_after_s: None,
        })
}

/// POST routes that add nothing to the tenant's schema: a query sent as a body, the
/// analytics ingest (its own quota), and getting back into an account.
const STORES_NOTHING: &[&str] = &["/analytics/funnel", "/events", "/password-reset"];

fn admit(record: Arc<TenantRecord>) -> Result<Tenant, ApiError> {
    match record.state {
        TenantState::Active => Ok(Tenant(record)),
        TenantState::Suspended => Err(ApiError::TenantSuspended),
        _ => Err(ApiError::NotFound("tenant")),
    }
}

/// `/v1/t/{tenant}/...` → `{tenant}`, percent-decoding left to the validator to refuse.
fn path_tenant(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/t/")?
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
}

fn query_tid(query: Option<&str>) -> Option<String> {
    query_param(query, "tid")
}

/// `sendBeacon` can't set headers, so the event endpoint alone also takes the CSRF token
/// as `?csrf=` (the access log records paths, never query strings).
fn beacon_csrf(uri: &axum::http::Uri) -> Option<String> {
    uri.path()
        .ends_with("/events")
        .then(|| query_param(uri.query(), "csrf"))
        .flatten()
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_tenant_segment() {
        assert_eq!(path_tenant("/v1/t/acme/customers"), Some("acme"));
        assert_eq!(path_tenant("/v1/t/a%22b/customers"), Some("a%22b"));
        assert_eq!(path_tenant("/v1/customers"), None);
        assert_eq!(query_tid(Some("limit=2&tid=acme")).as_deref(), Some("acme"));
    }
}
