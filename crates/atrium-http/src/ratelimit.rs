//! Token buckets (GCRA, from `governor`) and the IETF RateLimit headers that describe
//! them to clients (draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` says what a
//! policy allows, `RateLimit` what is left now).

use std::{num::NonZeroU32, time::Duration};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use governor::{
    clock::{Clock, DefaultClock},
    middleware::{StateInformationMiddleware, StateSnapshot},
    state::{keyed::HashMapStateStore, InMemoryState, NotKeyed},
    NotUntil, Quota,
};

use crate::ApiError;

/// One bucket per key, all with the same quota: browser event ingest per tenant and
/// sign-in attempts. Keys are validated tenant slugs or fixed names, so the store stays
/// as small as the registry.
pub struct RateLimiter {
    buckets: governor::RateLimiter<String, HashMapStateStore<String>, DefaultClock>,
}

impl RateLimiter {
    /// `per_second` sustained, twice that at once.
    pub fn new(per_second: u32) -> Self {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = rate.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN));
        Self {
            buckets: governor::RateLimiter::hashmap(Quota::per_second(rate).allow_burst(burst)),
        }
    }

    /// `check` as an HTTP answer: a 429 problem with Retry-After when the bucket is empty.
    pub fn admit(&self, key: &str) -> Result<(), ApiError> {
        self.check(key).map_err(|wait| ApiError::RateLimited {
            retry_after_s: retry_after_s(wait),
        })
    }

    /// Ok, or how long until a token is available.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.buckets
            .check_key(&key.to_owned())
            .map_err(|n| n.wait_time_from(DefaultClock::default().now()))
    }
}

/// A whole number of seconds to wait, never 0 (a client told 0 would retry at once).
pub fn retry_after_s(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0).max(u64::from(wait.is_zero()))
}

/// One tenant's request bucket, with a different quota per tenant (its plan's).
pub struct Bucket {
    limiter:
        governor::RateLimiter<NotKeyed, InMemoryState, DefaultClock, StateInformationMiddleware>,
    burst: u32,
    rate: u32,
}

impl Bucket {
    pub fn new(per_second: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let size = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: governor::RateLimiter::direct(Quota::per_second(rate).allow_burst(size))
                .with_middleware::<StateInformationMiddleware>(),
            burst: size.get(),
            rate: rate.get(),
        }
    }

    /// Takes one request's token. Either way, says what the `rate` policy looks like now.
    pub fn take(&self) -> (Policy, Result<(), ApiError>) {
        match self.limiter.check() {
            Ok(state) => (self.policy(Some(&state)), Ok(())),
            Err(not_until) => {
                let wait = wait_of(&not_until);
                let e = ApiError::RateLimited {
                    retry_after_s: retry_after_s(wait),
                };
                (self.policy(None), Err(e))
            }
        }
    }

    /// The policy with nothing taken (enforcement off: the numbers still inform clients).
    pub fn describe(&self) -> Policy {
        Policy {
            remaining: u64::from(self.burst),
            reset_s: Some(0),
            ..self.policy(None)
        }
    }

    fn policy(&self, state: Option<&StateSnapshot>) -> Policy {
        let remaining = state.map_or(0, StateSnapshot::remaining_burst_capacity);
        // The bucket refills one token every 1/rate s: full again after this long.
        let empty = u64::from(self.burst - remaining.min(self.burst));
        Policy {
            name: "rate",
            quota: u64::from(self.burst),
            // GCRA with burst B at R/s allows B requests in any B/R seconds.
            window_s: Some(u64::from(self.burst).div_ceil(u64::from(self.rate)).max(1)),
            unit: None,
            remaining: u64::from(remaining),
            reset_s: Some(empty.div_ceil(u64::from(self.rate))),
        }
    }
}

fn wait_of(n: &NotUntil<<DefaultClock as Clock>::Instant>) -> Duration {
    n.wait_time_from(DefaultClock::default().now())
}

/// One quota policy, as both headers describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The policy's key in both headers (`"rate"`, `"conn"`).
    pub name: &'static str,
    /// `q`: what the policy allows per window (or at once, for concurrency).
    pub quota: u64,
    /// `w`: the window in seconds; None for a concurrency policy.
    pub window_s: Option<u64>,
    /// `qu`: the unit when it isn't requests (`concurrent-requests`).
    pub unit: Option<&'static str>,
    /// `r`: what is left now.
    pub remaining: u64,
    /// `t`: seconds until the policy's quota is whole again.
    pub reset_s: Option<u64>,
}

static POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
static STATE: HeaderName = HeaderName::from_static("ratelimit");

/// Writes `RateLimit-Policy` and `RateLimit` (Structured Field lists) for these policies.
pub fn set_headers(headers: &mut HeaderMap, policies: &[Policy]) {
    let (mut policy, mut state) = (Vec::new(), Vec::new());
    for p in policies {
        let mut item = format!("\"{}\";q={}", p.name, p.quota);
        if let Some(w) = p.window_s {
            item.push_str(&format!(";w={w}"));
        }
        if let Some(u) = p.unit {
            item.push_str(&format!(";qu=\"{u}\""));
        }
        policy.push(item);
        let mut now = format!("\"{}\";r={}", p.name, p.remaining);
        if let Some(t) = p.reset_s {
            now.push_str(&format!(";t={t}"));
        }
        state.push(now);
    }
    for (name, items) in [(&POLICY, policy), (&STATE, state)] {
        if let Ok(v) = HeaderValue::from_str(&items.join(", ")) {
            headers.insert(name.clone(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_limits_per_key() {
        let r = RateLimiter::new(2);
        for _ in 0..4 {
            assert!(r.check("a").is_ok());
        }
        assert!(r.check("a").is_err());
        assert!(r.check("b").is_ok(), "buckets are per key");
    }

    #[test]
    fn a_bucket_reports_what_is_left_and_when_it_is_full() {
        let b = Bucket::new(10, 20);
        let (p, ok) = b.take();
        assert!(ok.is_ok());
        assert_eq!((p.quota, p.window_s, p.remaining), (20, Some(2), 19));
        assert_eq!(p.reset_s, Some(1));
        for _ in 0..19 {
            assert!(b.take().1.is_ok());
        }
        let (p, refused) = b.take();
        assert_eq!((p.remaining, p.reset_s), (0, Some(2)));
        assert!(matches!(
            refused,
            Err(ApiError::RateLimited { retry_after_s: 1 })
        ));
    }

    #[test]
    fn headers_are_structured_field_lists() {
        let mut h = HeaderMap::new();
        let conn = Policy {
            name: "conn",
            quota: 4,
            window_s: None,
            unit: Some("concurrent-requests"),
            remaining: 3,
            reset_s: None,
        };
        set_headers(&mut h, &[Bucket::new(10, 20).describe(), conn]);
        assert_eq!(
            h["ratelimit-policy"],
            r#""rate";q=20;w=2, "conn";q=4;qu="concurrent-requests""#
        );
        assert_eq!(h["ratelimit"], r#""rate";r=20;t=0, "conn";r=3"#);
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(retry_after_s(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_s(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_s(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_s(Duration::ZERO), 1);
    }
}
