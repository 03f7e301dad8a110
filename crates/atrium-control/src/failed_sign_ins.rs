//! Failed operator sign-ins reach the audit log at a bounded rate. Anyone can fail a
//! sign-in, so one row each would let an unauthenticated caller grow the append-only
//! audit table without limit. The first few of each minute get a row of their own; the
//! rest are counted (`operator_sign_in_failures_unaudited_total`) and summarised, with
//! the addresses they came from, in one row when the minute is over.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use serde_json::{json, Value};

const WINDOW: Duration = Duration::from_secs(60);
/// Addresses named in one summary at most; the rest are summed as `other`.
const ADDRESSES_KEPT: usize = 20;

pub struct FailedSignIns {
    per_window: u32,
    window: Mutex<Window>,
}

struct Window {
    started: Instant,
    audited: u32,
    unaudited: u64,
    by_address: HashMap<IpAddr, u64>,
    other: u64,
}

impl FailedSignIns {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_window: per_minute,
            window: Mutex::new(Window {
                started: Instant::now(),
                audited: 0,
                unaudited: 0,
                by_address: HashMap::new(),
                other: 0,
            }),
        }
    }

    /// True when this failure gets its own audit row; otherwise it has been counted.
    pub fn admit(&self, address: IpAddr) -> bool {
        let mut w = self.lock();
        if w.started.elapsed() >= WINDOW {
            w.started = Instant::now();
            w.audited = 0;
        }
        if w.audited < self.per_window {
            w.audited += 1;
            return true;
        }
        metrics::counter!("operator_sign_in_failures_unaudited_total").increment(1);
        w.unaudited += 1;
        if let Some(n) = w.by_address.get_mut(&address) {
            *n += 1;
        } else if w.by_address.len() < ADDRESSES_KEPT {
            w.by_address.insert(address, 1);
        } else {
            w.other += 1;
        }
        false
    }

    /// The detail of a summary row for the failures counted since the last one, and
    /// resets the count; `None` when there were none.
    pub fn take_summary(&self) -> Option<Value> {
        let mut w = self.lock();
        if w.unaudited == 0 {
            return None;
        }
        let addresses: serde_json::Map<String, Value> = w
            .by_address
            .drain()
            .map(|(a, n)| (a.to_string(), n.into()))
            .collect();
        let summary = json!({
            "unaudited_failures": w.unaudited,
            "addresses": addresses,
            "other_addresses": w.other,
        });
        w.unaudited = 0;
        w.other = 0;
        Some(summary)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_budget_failures_are_counted_and_summarised_once() {
        let f = FailedSignIns::new(2);
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        assert!(f.admit(a) && f.admit(a));
        assert!(!f.admit(a) && !f.admit(a));
        let s = f.take_summary().expect("a summary");
        assert_eq!(s["unaudited_failures"], 2);
        assert_eq!(s["addresses"]["192.0.2.1"], 2);
        assert!(f.take_summary().is_none());
    }
}
