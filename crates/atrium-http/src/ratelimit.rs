//! Token buckets per key: browser event ingest and sign-in attempts, per tenant. Keys are
//! validated, existing tenant slugs (or a fixed name), so the map stays bounded.

use crate::ApiError;

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> Self {
        let per_second = f64::from(per_second.max(1));
        Self {
            per_second,
            burst: per_second * 2.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `check` as an HTTP answer: a 429 problem with Retry-After when the bucket is empty.
    pub fn admit(&self, key: &str) -> Result<(), ApiError> {
        self.check(key).map_err(|wait| ApiError::RateLimited {
            retry_after_s: wait.as_secs().max(1),
        })
    }

    /// Ok, or how long until a token is available.
    pub fn check(&self, tenant: &str) -> Result<(), Duration> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        let (tokens, last) = buckets
            .entry(tenant.to_owned())
            .or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*last).as_secs_f64() * self.per_second).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_limits_per_tenant() {
        let r = RateLimiter::new(2);
        for _ in 0..4 {
            assert!(r.check("a").is_ok());
        }
        assert!(r.check("a").is_err());
        assert!(r.check("b").is_ok(), "buckets are per tenant");
    }
}
