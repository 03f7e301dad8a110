//! Every tenant's fair share of this process: its connections, its request rate and its
//! database time (docs/noisy-neighbours.md).
//!
//! Each tenant has a lane. A transaction first takes a permit from its tenant's gate
//! (the plan's `max_connections`, at most `max_share_percent` of the pool), and only then
//! a pooled connection. A tenant over its share waits on its own gate, in its own bounded
//! queue, never in the pool's shared queue in front of other tenants; after
//! `fair.queue_wait_ms` it gets 429 `tenant_busy`. The permit is given back once the
//! connection is clean (after COMMIT or ROLLBACK), and the time it is held is the
//! tenant's database time, counted while it runs. A tenant over its budget per minute,
//! or spending it faster than its pace over the last 20 seconds, also takes the single
//! `slow` permit (one transaction at a time); over twice the budget it is refused.

use std::{
    sync::{
        atomic::{AtomicU32, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use atrium_core::{config::FairConfig, domain::Limits};
use atrium_http::{
    ratelimit::{retry_after_s, Bucket, Policy},
    ApiError,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::directory::TenantRecord;

pub struct Fairness {
    cfg: FairConfig,
    pool_size: usize,
    queue_wait: Duration,
    lanes: moka::sync::Cache<Uuid, Arc<Lane>>,
}

struct Lane {
    /// The limits the lane itself enforces: a change to one of them builds a new lane,
    /// a change to any other (a quota, the queue's length) leaves its bucket as it is.
    built_for: LaneLimits,
    share: usize,
    gate: Arc<Semaphore>,
    slow: Arc<Semaphore>,
    waiting: AtomicU32,
    /// Kept across rebuilds: a plan change doesn't forgive the last minute's time.
    db: Arc<DbWindow>,
    bucket: Bucket,
    /// The second and how many refusal events were emitted in it.
    refusal_events: Mutex<(u64, u32)>,
}

/// Refusals per tenant per second per process that still get an `api_request` event.
pub const REFUSAL_EVENTS_PER_SECOND: u32 = 20;

/// What one request cost its tenant: connection time and time queued for a share.
/// Summed over the request's transactions, also those dropped and rolled back on
/// another task after the response.
#[derive(Debug, Default)]
pub struct RequestCost {
    db_us: AtomicU64,
    wait_us: AtomicU64,
}

impl RequestCost {
    pub fn db(&self) -> Duration {
        Duration::from_micros(self.db_us.load(Ordering::Relaxed))
    }

    pub fn wait(&self) -> Duration {
        Duration::from_micros(self.wait_us.load(Ordering::Relaxed))
    }

    fn add(counter: &AtomicU64, d: Duration) {
        counter.fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }
}

tokio::task_local! {
    static COST: Arc<RequestCost>;
}

/// Runs one request with `cost` collecting what its transactions cost.
pub async fn metered<F: std::future::Future>(cost: Arc<RequestCost>, request: F) -> F::Output {
    COST.scope(cost, request).await
}

/// A tenant's claim on one connection; see [`TenantTx::attach`](atrium_core::db::TenantTx::attach).
pub struct Lease {
    lane: Arc<Lane>,
    cost: Option<Arc<RequestCost>>,
    _permits: (Option<OwnedSemaphorePermit>, Option<OwnedSemaphorePermit>),
    /// Set once the connection is in hand: a failed wait for the pool costs the tenant nothing.
    from: Option<Instant>,
    /// How long the request waited in its tenant's queue.
    pub waited: Duration,
}

impl Lease {
    /// The connection is in hand: database time counts from here, not from the wait
    /// for the pool (a busy pool is not this tenant's doing).
    pub fn connected(&mut self) {
        let now = Instant::now();
        self.lane.db.open(now);
        self.from = Some(now);
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(from) = self.from else { return };
        let held = self.lane.db.close(from, Instant::now());
        if let Some(cost) = &self.cost {
            RequestCost::add(&cost.db_us, held);
        }
    }
}

/// Where a tenant's lane stands, for its `RateLimit` headers and its metrics.
pub struct Admission {
    pub policies: [Policy; 2],
    pub outcome: Result<(), ApiError>,
}

impl Fairness {
    pub fn new(cfg: &FairConfig, pool_size: usize) -> Self {
        Self {
            cfg: cfg.clone(),
            pool_size,
            queue_wait: Duration::from_millis(cfg.queue_wait_ms),
            lanes: moka::sync::Cache::builder()
                .max_capacity(cfg.tracked_tenants)
                // A lane idle this long holds nothing: no permit out, its minute long past.
                .time_to_idle(Duration::from_secs(600))
                .build(),
        }
    }

    fn lane(&self, t: &TenantRecord) -> Arc<Lane> {
        let lane = self.lanes.get_with(t.id, || {
            Arc::new(Lane::new(&t.limits, self.share(t), Arc::default()))
        });
        if lane.built_for == LaneLimits::of(&t.limits) {
            return lane;
        }
        // Leases of the old lane keep it alive until they end: for that moment the tenant
        // may hold its old share and its new one.
        let fresh = Arc::new(Lane::new(&t.limits, self.share(t), lane.db.clone()));
        self.lanes.insert(t.id, fresh.clone());
        fresh
    }

    fn share(&self, t: &TenantRecord) -> usize {
        self.cfg.share(&t.limits, self.pool_size)
    }

    /// Takes one token of the tenant's request bucket (unless enforcement is off).
    pub fn admit(&self, t: &TenantRecord) -> Admission {
        let lane = self.lane(t);
        let (rate, outcome) = if self.cfg.enabled {
            lane.bucket.take()
        } else {
            (lane.bucket.describe(), Ok(()))
        };
        Admission {
            policies: [rate, lane.conn_policy()],
            outcome,
        }
    }

    /// Whether a refusal of this tenant still gets its own `api_request` event: at most
    /// [`REFUSAL_EVENTS_PER_SECOND`] a second, so a tenant hammering through its 429s
    /// can't crowd other tenants' events out of the shared spool queue. Every refusal is
    /// still counted in `tenant_limited_total`.
    pub fn refusal_event_allowed(&self, t: &TenantRecord) -> bool {
        let lane = self.lane(t);
        let second = DbWindow::since_origin(Instant::now()).as_secs();
        let Ok(mut r) = lane.refusal_events.lock() else {
            return false;
        };
        if r.0 != second {
            *r = (second, 0);
        }
        r.1 += 1;
        r.1 <= REFUSAL_EVENTS_PER_SECOND
    }

    /// Waits for one of the tenant's connection permits, in its own queue.
    pub async fn lease(&self, t: &TenantRecord) -> Result<Lease, ApiError> {
        let lane = self.lane(t);
        if !self.cfg.enabled {
            return Ok(lane.lease(None, None, Duration::ZERO));
        }
        let budget = Duration::from_millis(t.limits.db_ms_per_minute.into());
        let now = Instant::now();
        let Usage { minute, recent } = lane.db.usage(now);
        if minute >= budget * 2 {
            metrics::counter!("tenant_refused_total", "reason" => "db_time").increment(1);
            return Err(ApiError::TenantBusy {
                retry_after_s: retry_after_s(lane.db.until_below(now, budget * 2)),
            });
        }
        // The pace: a tenant can't spend its whole minute in its first seconds at full
        // share before it is slowed.
        let pace = budget * PACE_SLOTS / SLOTS as u32;
        let slowed = minute >= budget || recent >= pace;
        if !slowed {
            if let Ok(p) = lane.gate.clone().try_acquire_owned() {
                return Ok(lane.lease(Some(p), None, Duration::ZERO));
            }
        }
        // A place in the queue, given back however the wait ends: also when the request
        // is dropped while waiting (client gone, request timeout).
        let Some(_place) = QueuePlace::take(&lane.waiting, t.limits.queue_length) else {
            metrics::counter!("tenant_refused_total", "reason" => "queue_full").increment(1);
            return Err(ApiError::TenantBusy { retry_after_s: 1 });
        };
        if slowed {
            metrics::counter!("tenant_slowed_total").increment(1);
        }
        let waiting = async {
            let slow = match slowed {
                true => Some(lane.slow.clone().acquire_owned().await),
                false => None,
            };
            (slow, lane.gate.clone().acquire_owned().await)
        };
        let got = tokio::time::timeout(self.queue_wait, waiting).await;
        let waited = now.elapsed();
        match got {
            // The semaphores are never closed.
            Ok((slow, Ok(gate))) => Ok(lane.lease(Some(gate), slow.and_then(Result::ok), waited)),
            _ => {
                metrics::counter!("tenant_refused_total", "reason" => "queue_wait").increment(1);
                Err(ApiError::TenantBusy { retry_after_s: 1 })
            }
        }
    }
}

struct QueuePlace<'a>(&'a AtomicU32);

impl<'a> QueuePlace<'a> {
    fn take(waiting: &'a AtomicU32, queue_length: u32) -> Option<Self> {
        let place = QueuePlace(waiting);
        (waiting.fetch_add(1, Ordering::AcqRel) < queue_length).then_some(place)
    }
}

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(PartialEq, Eq)]
struct LaneLimits {
    max_connections: u32,
    requests_per_second: u32,
    burst: u32,
}

impl LaneLimits {
    fn of(l: &Limits) -> Self {
        Self {
            max_connections: l.max_connections,
            requests_per_second: l.requests_per_second,
            burst: l.burst,
        }
    }
}

impl Lane {
    fn new(limits: &Limits, share: usize, db: Arc<DbWindow>) -> Self {
        Self {
            built_for: LaneLimits::of(limits),
            share,
            gate: Arc::new(Semaphore::new(share)),
            slow: Arc::new(Semaphore::new(1)),
            waiting: AtomicU32::new(0),
            db,
            bucket: Bucket::new(limits.requests_per_second, limits.burst),
            refusal_events: Mutex::new((0, 0)),
        }
    }

    fn lease(
        self: &Arc<Self>,
        gate: Option<OwnedSemaphorePermit>,
        slow: Option<OwnedSemaphorePermit>,
        waited: Duration,
    ) -> Lease {
        let cost = COST.try_with(Arc::clone).ok();
        if let Some(c) = &cost {
            RequestCost::add(&c.wait_us, waited);
        }
        Lease {
            lane: self.clone(),
            cost,
            _permits: (gate, slow),
            from: None,
            waited,
        }
    }

    fn conn_policy(&self) -> Policy {
        Policy {
            name: "conn",
            quota: self.share as u64,
            window_s: None,
            unit: Some("concurrent-requests"),
            remaining: self.gate.available_permits() as u64,
            reset_s: None,
        }
    }
}

/// Connection time over the last minute, in six 10-second slots, and the transactions
/// still running: one that holds its connection for 30 s counts while it does.
#[derive(Default)]
struct DbWindow {
    state: Mutex<WindowState>,
}

#[derive(Default)]
struct WindowState {
    slots: [(u64, Duration); SLOTS],
    /// Transactions running now, and the sum of their start times (since the origin):
    /// their time so far is `open × now − starts`, without a list of them.
    open: u32,
    starts: Duration,
}

/// A tenant's database time, running transactions included.
struct Usage {
    /// Over the last minute.
    minute: Duration,
    /// Over the current and the previous slot (10 to 20 seconds).
    recent: Duration,
}

const SLOTS: usize = 6;
const SLOT: Duration = Duration::from_secs(10);
/// The pace is checked over the current slot and the one before, against their share
/// of the minute's budget (two slots of six: a third).
const PACE_SLOTS: u32 = 2;

impl DbWindow {
    /// Time since an arbitrary fixed origin; slots are counted from there.
    fn since_origin(at: Instant) -> Duration {
        static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        at.saturating_duration_since(*ORIGIN.get_or_init(Instant::now))
    }

    /// Which 10-second slot `at` falls in.
    fn slot_of(at: Instant) -> u64 {
        (Self::since_origin(at).as_secs() / SLOT.as_secs()) + SLOTS as u64
    }

    fn open(&self, at: Instant) {
        if let Ok(mut w) = self.state.lock() {
            w.open += 1;
            w.starts += Self::since_origin(at);
        }
    }

    /// A transaction that started at `from` ended at `at`: its time goes to `at`'s slot.
    fn close(&self, from: Instant, at: Instant) -> Duration {
        let held = at.saturating_duration_since(from);
        let n = Self::slot_of(at);
        let Ok(mut w) = self.state.lock() else {
            return held;
        };
        w.open = w.open.saturating_sub(1);
        w.starts = w.starts.saturating_sub(Self::since_origin(from));
        let slot = &mut w.slots[(n % SLOTS as u64) as usize];
        if slot.0 != n {
            *slot = (n, Duration::ZERO);
        }
        slot.1 += held;
        held
    }

    fn usage(&self, at: Instant) -> Usage {
        let n = Self::slot_of(at);
        let Ok(w) = self.state.lock() else {
            return Usage {
                minute: Duration::ZERO,
                recent: Duration::ZERO,
            };
        };
        let running = (Self::since_origin(at) * w.open).saturating_sub(w.starts);
        let within = |age: u64| -> Duration {
            w.slots
                .iter()
                .filter(|(k, _)| *k + age > n)
                .map(|(_, d)| *d)
                .sum()
        };
        Usage {
            minute: within(SLOTS as u64) + running,
            recent: within(PACE_SLOTS.into()) + running,
        }
    }

    /// How long until the oldest slots leave the window and the total falls below `limit`.
    fn until_below(&self, at: Instant, limit: Duration) -> Duration {
        let n = Self::slot_of(at);
        let Ok(w) = self.state.lock() else {
            return SLOT;
        };
        let mut live: Vec<(u64, Duration)> = w
            .slots
            .iter()
            .copied()
            .filter(|(k, _)| *k + (SLOTS as u64) > n)
            .collect();
        live.sort_unstable_by_key(|(k, _)| *k);
        let mut total: Duration = live.iter().map(|(_, d)| *d).sum();
        if total < limit {
            return Duration::ZERO;
        }
        // How far into the current slot `at` is: slots are counted from their start.
        let into_slot =
            Duration::from_nanos((Self::since_origin(at).as_nanos() % SLOT.as_nanos()) as u64);
        for (k, d) in live {
            total = total.saturating_sub(d);
            // Slot k leaves the window when slot k + SLOTS begins.
            let leaves = SLOT * (k + SLOTS as u64 - n) as u32;
            if total < limit {
                return leaves.saturating_sub(into_slot);
            }
        }
        SLOT * SLOTS as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_time_counts_for_one_minute_then_leaves_the_window() {
        let w = DbWindow::default();
        DbWindow::since_origin(Instant::now()); // fixes the origin before t0
        let t0 = Instant::now();
        let secs = Duration::from_secs;
        w.open(t0);
        w.close(t0, t0 + secs(4));
        w.open(t0 + secs(12));
        w.close(t0 + secs(12), t0 + secs(15));
        let at = t0 + secs(20);
        assert_eq!(w.usage(at).minute, secs(7));
        assert!(w.usage(t0 + secs(75)).minute <= secs(3));
        assert_eq!(w.usage(t0 + secs(200)).minute, Duration::ZERO);
        // The pace looks back 10 to 20 s: t0's slot has gone from it by t0 + 30 s.
        assert!(w.usage(t0 + secs(32)).recent <= secs(3));
        let wait = w.until_below(at, Duration::from_secs(5));
        // t0's slot leaves the window 60 s after that slot began: 40 to 50 s after `at`.
        assert!(
            wait > Duration::from_secs(30) && wait <= Duration::from_secs(40),
            "{wait:?}"
        );
    }

    #[test]
    fn a_running_transaction_counts_before_it_ends() {
        let w = DbWindow::default();
        DbWindow::since_origin(Instant::now());
        let t0 = Instant::now();
        let secs = Duration::from_secs;
        w.open(t0);
        w.open(t0 + secs(1));
        let u = w.usage(t0 + secs(5));
        assert_eq!((u.minute, u.recent), (secs(9), secs(9)));
        assert_eq!(w.close(t0, t0 + secs(6)), secs(6));
        // 6 s closed, and the other has run 5 s so far.
        assert_eq!(w.usage(t0 + secs(6)).minute, secs(11));
    }
}
