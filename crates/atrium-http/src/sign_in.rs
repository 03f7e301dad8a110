//! Sign-in throttling, for tenant users and operators alike: who may try a password now,
//! and which hashing lane they get (the rules are on `SignInConfig`).
//!
//! An attempt is counted as a failure the moment it is admitted and uncounted if it
//! succeeds, so a burst of parallel guesses can't all slip in while the first ones are
//! still hashing. Everything is kept in size-bounded caches that forget idle entries.

use std::{
    convert::Infallible,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use atrium_accounts::password::Lane;
use atrium_core::{config::SignInConfig, domain::Email};
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use ipnet::IpNet;
use moka::sync::Cache;

use crate::{ratelimit::RateLimiter, ApiError};

/// Failures of an address or an account, and when the last one was.
#[derive(Default)]
struct Failures {
    count: u32,
    last: Option<Instant>,
}

type Tracked = Arc<Mutex<Failures>>;

pub struct SignInThrottle {
    plane: &'static str,
    free: u32,
    base: Duration,
    max: Duration,
    trusted_proxies: Vec<IpNet>,
    addresses: Cache<IpAddr, Tracked>,
    /// Failures per (account, address): an account backs off only for the address that
    /// failed on it, by that address's own count. Its owner with one typo is never held
    /// back by a guesser elsewhere; many guessers share the scope and global budgets.
    pairs: Cache<(String, IpAddr), Tracked>,
    scopes: RateLimiter,
    global: RateLimiter,
}

/// One admitted attempt. Dropped without [`Attempt::succeeded`], it stays a failure.
#[must_use]
pub struct Attempt<'a> {
    throttle: &'a SignInThrottle,
    address: IpAddr,
    account: Option<String>,
    trusted: bool,
}

impl SignInThrottle {
    /// `plane` labels the refusal metric (`api`, `control`).
    pub fn new(plane: &'static str, c: &SignInConfig) -> Self {
        let (max, forget) = (c.max_tracked, Duration::from_secs(c.forget_after_s));
        Self {
            plane,
            free: c.free_failures,
            base: Duration::from_millis(c.backoff_base_ms),
            max: Duration::from_millis(c.backoff_max_ms),
            trusted_proxies: c.trusted_proxies.clone(),
            addresses: Cache::builder()
                .max_capacity(max)
                .time_to_idle(forget)
                .build(),
            pairs: Cache::builder()
                .max_capacity(max)
                .time_to_idle(forget)
                .build(),
            scopes: RateLimiter::new(c.per_scope_per_second),
            global: RateLimiter::new(c.global_per_second),
        }
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the
    /// nearest address in `X-Forwarded-For` that isn't one.
    pub fn client(&self, peer: &Peer) -> IpAddr {
        // Canonical first: a proxy seen as ::ffff:10.0.0.1 on a [::] listener must match
        // a trusted 10.0.0.0/8.
        let mut addr = peer.addr.to_canonical();
        if let Some(chain) = &peer.forwarded_for {
            for hop in chain.rsplit(',') {
                if !self.is_trusted_proxy(addr) {
                    break;
                }
                match hop.trim().parse::<IpAddr>() {
                    Ok(ip) => addr = ip.to_canonical(),
                    Err(_) => break,
                }
            }
        }
        addr.to_canonical()
    }

    fn is_trusted_proxy(&self, addr: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|n| n.contains(&addr))
    }

    /// Admits an attempt from `address` (before any lookup or hashing), or refuses it
    /// with a 429: the address is backing off, or it has recent failures and the
    /// global budget is spent.
    pub fn begin(&self, address: IpAddr) -> Result<Attempt<'_>, ApiError> {
        let address = bucket(address);
        let entry = self.addresses.get_with(address, Tracked::default);
        let mut f = lock(&entry);
        let now = Instant::now();
        self.ready(&f, now)
            .map_err(|wait| self.refuse("address", wait))?;
        let trusted = f.count == 0;
        if !trusted {
            self.global
                .check("all")
                .map_err(|wait| self.refuse("global", wait))?;
        }
        f.count += 1;
        f.last = Some(now);
        Ok(Attempt {
            throttle: self,
            address,
            account: None,
            trusted,
        })
    }

    fn ready(&self, f: &Failures, now: Instant) -> Result<(), Duration> {
        let (Some(over), Some(last)) = (f.count.checked_sub(self.free), f.last) else {
            return Ok(());
        };
        let wait = self
            .base
            .saturating_mul(2u32.saturating_pow(over.min(31)))
            .min(self.max);
        let since = now.duration_since(last);
        if since < wait {
            Err(wait - since)
        } else {
            Ok(())
        }
    }

    fn refuse(&self, reason: &'static str, wait: Duration) -> ApiError {
        metrics::counter!("sign_in_refused_total", "plane" => self.plane, "reason" => reason)
            .increment(1);
        ApiError::RateLimited {
            retry_after_s: wait.as_secs().max(1),
        }
    }
}

impl Attempt<'_> {
    /// Hashing slots this caller may take: the reserved ones only without recent failures.
    pub fn lane(&self) -> Lane {
        if self.trusted {
            Lane::Trusted
        } else {
            Lane::Shared
        }
    }

    /// Admits the attempt on `email` in `scope` (a tenant, or all operators), or refuses
    /// it: this address has failed on the account and the account is backing off, or
    /// the caller has recent failures and the scope's ceiling is reached.
    pub fn on_account(&mut self, scope: &str, email: &str) -> Result<(), ApiError> {
        let t = self.throttle;
        let account = format!("{scope}\u{0}{}", Email::lookup_key(email));
        let entry = t
            .pairs
            .get_with((account.clone(), self.address), Tracked::default);
        let mut f = lock(&entry);
        let now = Instant::now();
        t.ready(&f, now).map_err(|wait| t.refuse("account", wait))?;
        if !self.trusted {
            t.scopes
                .check(scope)
                .map_err(|wait| t.refuse("scope", wait))?;
        }
        f.count += 1;
        f.last = Some(now);
        self.account = Some(account);
        Ok(())
    }

    /// The right credentials: this attempt no longer counts against anyone.
    pub fn succeeded(self) {
        let t = self.throttle;
        if let Some(entry) = t.addresses.get(&self.address) {
            let mut f = lock(&entry);
            f.count = f.count.saturating_sub(1);
        }
        if let Some(account) = self.account {
            t.pairs.invalidate(&(account, self.address));
        }
    }
}

/// A poisoned lock only means another request panicked mid-update; the counts are
/// still usable.
fn lock(entry: &Tracked) -> std::sync::MutexGuard<'_, Failures> {
    entry
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// IPv6 hosts get a /64 each, so one host can't step around its backoff by changing
/// the low bits of its address.
fn bucket(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
        }
        v4 => v4,
    }
}

/// The connection's peer and the `X-Forwarded-For` it sent; which one names the client
/// is [`SignInThrottle::client`]'s decision.
pub struct Peer {
    addr: IpAddr,
    forwarded_for: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        // Without ConnectInfo (a server not built with it) every caller is one address:
        // safe, if unkind.
        let addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(Peer {
            addr,
            forwarded_for: (!forwarded.is_empty()).then(|| forwarded.join(",")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(proxies: &[&str]) -> SignInThrottle {
        let mut c = atrium_core::config::Config::default().api.sign_in;
        c.trusted_proxies = proxies.iter().map(|p| p.parse().expect("cidr")).collect();
        SignInThrottle::new("test", &c)
    }

    fn peer(addr: &str, xff: Option<&str>) -> Peer {
        Peer {
            addr: addr.parse().expect("ip"),
            forwarded_for: xff.map(str::to_owned),
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let t = throttle(&["10.0.0.0/8"]);
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(
            t.client(&peer("192.0.2.1", Some("1.2.3.4"))),
            ip("192.0.2.1")
        );
        assert_eq!(
            t.client(&peer("10.0.0.5", Some("6.6.6.6, 1.2.3.4, 10.1.1.1"))),
            ip("1.2.3.4"),
            "the nearest untrusted hop, not a forgeable leftmost one"
        );
        assert_eq!(t.client(&peer("10.0.0.5", Some("junk"))), ip("10.0.0.5"));
    }

    #[test]
    fn an_address_backs_off_after_its_free_failures_and_success_uncounts() {
        let t = throttle(&[]);
        let a: IpAddr = "192.0.2.7".parse().expect("ip");
        let ok = t.begin(a).expect("first");
        assert_eq!(ok.lane(), Lane::Trusted);
        ok.succeeded();
        for _ in 0..5 {
            let attempt = t.begin(a).expect("free failures");
            drop(attempt);
        }
        assert!(t.begin(a).is_err(), "backing off");
        assert!(t.begin("192.0.2.8".parse().expect("ip")).is_ok());
        let v6 = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(bucket(v6("2001:db8::1")), bucket(v6("2001:db8::ffff")));
    }
}
