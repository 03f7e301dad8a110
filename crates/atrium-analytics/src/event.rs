//! A tracking event, with a size limit on every field.

use std::collections::BTreeMap;

use atrium_core::domain::ValidationError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_NAME: usize = 64;
pub const MAX_ID: usize = 128;
pub const MAX_URL: usize = 2048;
pub const MAX_USER_AGENT: usize = 512;
pub const MAX_PROPS: usize = 32;
pub const MAX_PROP_KEY: usize = 64;
pub const MAX_PROP_VALUE: usize = 1024;
pub const MAX_DURATION_MS: u64 = 24 * 3600 * 1000;
/// 2106-01-01T00:00:00Z. ClickHouse's `DateTime` is an unsigned 32-bit count of seconds
/// (to 2106-02-07); 18.16 stores anything outside it as a wrong date without an error
/// and current releases refuse or clamp it, so only whole years inside it are accepted.
pub const END_OF_TIME: i64 = 4_291_747_200;

/// Whether ClickHouse stores `t` as it is: 1970-01-01 up to the end of 2105, UTC.
pub fn storable(t: DateTime<Utc>) -> bool {
    (0..END_OF_TIME).contains(&t.timestamp())
}

/// Event names: `[a-z][a-z0-9_]*`, at most [`MAX_NAME`] bytes.
pub fn valid_name(name: &str) -> bool {
    name.len() <= MAX_NAME
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// One event as it travels through the spool. `tenant` is always set by the server,
/// never taken from the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// UUIDv7; a client may supply it as an idempotency key.
    pub event_id: Uuid,
    pub tenant: String,
    pub name: String,
    /// User id, or an anonymous id.
    pub actor: String,
    pub session_id: String,
    pub path: String,
    pub url: String,
    pub referrer: String,
    pub user_agent: String,
    pub client_ts: Option<DateTime<Utc>>,
    pub server_ts: DateTime<Utc>,
    pub duration_ms: u64,
    pub props: BTreeMap<String, String>,
}

tokio::task_local! {
    /// Who the current request acts for (a signed-in user's id), so business events
    /// emitted deep in a handler join the same user's browser events in funnels.
    static ACTOR: String;
}

/// Runs `fut` with server events attributed to `actor`.
pub async fn with_actor<F: std::future::Future>(actor: String, fut: F) -> F::Output {
    ACTOR.scope(actor, fut).await
}

impl Event {
    /// A server-side event for `tenant`, stamped now, attributed to the request's actor.
    pub fn server(tenant: &str, name: &str) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            tenant: tenant.to_owned(),
            name: name.to_owned(),
            actor: ACTOR.try_with(Clone::clone).unwrap_or_default(),
            session_id: String::new(),
            path: String::new(),
            url: String::new(),
            referrer: String::new(),
            user_agent: String::new(),
            client_ts: None,
            server_ts: Utc::now(),
            duration_ms: 0,
            props: BTreeMap::new(),
        }
    }

    pub fn prop(mut self, key: &str, value: impl Into<String>) -> Self {
        self.props.insert(key.to_owned(), value.into());
        self
    }

    /// Every field that ClickHouse (18.16 and current releases alike) would refuse or
    /// silently mangle, with why. Ingest answers these with a 422; the collector
    /// dead-letters a spooled event that has any, without a round trip to ClickHouse, so
    /// a flood of bad rows can't hold up everyone else's delivery.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        let mut check = |field, ok: bool, msg| {
            if !ok {
                out.push((field, msg));
            }
        };
        check(
            "name",
            valid_name(&self.name),
            "must match [a-z][a-z0-9_]* and be at most 64 characters",
        );
        check(
            "tenant",
            !self.tenant.is_empty() && self.tenant.len() <= MAX_ID,
            "must be 1 to 128 bytes",
        );
        let ids = [("actor", &self.actor), ("session_id", &self.session_id)];
        for (field, value) in ids {
            check(field, value.len() <= MAX_ID, "must be at most 128 bytes");
        }
        let urls = [
            ("path", &self.path),
            ("url", &self.url),
            ("referrer", &self.referrer),
        ];
        for (field, value) in urls {
            check(field, value.len() <= MAX_URL, "must be at most 2048 bytes");
        }
        check(
            "user_agent",
            self.user_agent.len() <= MAX_USER_AGENT,
            "must be at most 512 bytes",
        );
        check(
            "client_ts",
            self.client_ts.is_none_or(storable),
            "must be from 1970-01-01T00:00:00Z to 2105-12-31T23:59:59Z",
        );
        check(
            "server_ts",
            storable(self.server_ts),
            "must be from 1970-01-01T00:00:00Z to 2105-12-31T23:59:59Z",
        );
        check(
            "duration_ms",
            self.duration_ms <= MAX_DURATION_MS,
            "must be at most 24 hours",
        );
        check(
            "props",
            self.props.len() <= MAX_PROPS,
            "at most 32 properties",
        );
        let props_ok = self
            .props
            .iter()
            .all(|(k, v)| !k.is_empty() && k.len() <= MAX_PROP_KEY && v.len() <= MAX_PROP_VALUE);
        check(
            "props",
            props_ok,
            "keys 1 to 64 bytes, values at most 1024 bytes",
        );
        out
    }
}

/// What the browser SDK sends, one per event of a batch.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientEvent {
    /// Idempotency key (UUID); generated by the server when absent.
    pub event_id: Option<Uuid>,
    /// `pageview`, `click`, `dwell`, or a business event name: `[a-z][a-z0-9_]*`.
    pub name: String,
    /// Who acted. Set by the server for a signed-in browser (what it sends is ignored);
    /// a key may name any actor.
    pub actor: Option<String>,
    pub session_id: Option<String>,
    pub path: Option<String>,
    pub url: Option<String>,
    pub referrer: Option<String>,
    pub client_ts: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    /// The page's route template, such as `/customers/:id`, without the app's base path.
    /// Kept as the `$route` property; queries derive one from `path` when it is absent.
    pub route: Option<String>,
    #[serde(default)]
    pub props: BTreeMap<String, String>,
}

impl ClientEvent {
    /// Validates into an [`Event`] for `tenant`; every problem is reported with its index.
    pub fn into_event(
        self,
        index: usize,
        tenant: &str,
        user_agent: &str,
        errors: &mut Vec<ValidationError>,
    ) -> Option<Event> {
        let mut props = self.props;
        if let Some(r) = self.route {
            if let Err(msg) = crate::route::check(&r) {
                errors.push(ValidationError::new(&format!("events[{index}].route"), msg));
                return None;
            }
            props.insert(crate::route::ROUTE_PROP.to_owned(), r);
        }
        let event = Event {
            event_id: self.event_id.unwrap_or_else(Uuid::now_v7),
            tenant: tenant.to_owned(),
            name: self.name,
            actor: self.actor.unwrap_or_default(),
            session_id: self.session_id.unwrap_or_default(),
            path: self.path.unwrap_or_default(),
            url: self.url.unwrap_or_default(),
            referrer: self.referrer.unwrap_or_default(),
            user_agent: truncate(user_agent, MAX_USER_AGENT),
            client_ts: self.client_ts,
            server_ts: chrono::Utc::now(),
            duration_ms: self.duration_ms.unwrap_or(0),
            props,
        };
        let problems = event.problems();
        if problems.is_empty() {
            return Some(event);
        }
        errors.extend(
            problems
                .into_iter()
                .map(|(field, msg)| ValidationError::new(&format!("events[{index}].{field}"), msg)),
        );
        None
    }
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}
