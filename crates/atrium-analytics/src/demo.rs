//! Eight weeks of realistic tracking events for a demo tenant, so dashboards aren't empty
//! on first run and tell a story: people visit, some create a customer, some of those
//! open a deal, some deals are won (the default funnel); new people arrive every week and
//! fewer come back each week after (retention); pages are the app's own, with ids in
//! them (`/app/t/acme/customers/<uuid>`), which the queries group into route templates.
//! Event ids are derived from (tenant, index), so seeding twice changes nothing once
//! ClickHouse dedups.

use chrono::{DateTime, Duration, Utc};
use rand::{rngs::SmallRng, Rng as _, SeedableRng};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::event::Event;

pub const WEEKS: i64 = 8;
const PEOPLE: u64 = 150;
/// Pages people wander to besides the story's own.
const BROWSE: &[&str] = &["/", "/customers", "/deals", "/orders", "/analytics"];
const STAGES: &[&str] = &["lead", "qualified", "proposal"];

/// Seeded: a run with this build is repeatable. Event ids come from (tenant, index),
/// not from here, so seeding twice dedups whatever the generator does.
struct Rng(SmallRng);
impl Rng {
    fn next(&mut self, m: u64) -> u64 {
        self.0.gen_range(0..m.max(1))
    }

    /// True with probability `p` percent.
    fn chance(&mut self, p: u64) -> bool {
        self.next(100) < p
    }
}

fn stable_id(tenant: &str, i: usize) -> Uuid {
    let h = Sha256::digest(format!("atrium-demo:{tenant}:{i}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    uuid::Builder::from_random_bytes(b).into_uuid()
}

/// One visit: events a second or more apart, in order, never in the future.
struct Session<'a> {
    tenant: &'a str,
    actor: String,
    id: String,
    t: DateTime<Utc>,
    now: DateTime<Utc>,
    page: String,
    out: &'a mut Vec<Event>,
}

impl Session<'_> {
    fn push(&mut self, name: &str, path: &str, duration_ms: u64, props: &[(&str, &str)]) {
        let mut e = Event::server(self.tenant, name);
        e.event_id = stable_id(self.tenant, self.out.len());
        e.actor = self.actor.clone();
        e.session_id = self.id.clone();
        e.path = path.to_owned();
        e.server_ts = self.t.min(self.now);
        e.client_ts = Some(e.server_ts);
        e.duration_ms = duration_ms;
        for (k, v) in props {
            e.props.insert((*k).to_owned(), (*v).to_owned());
        }
        self.out.push(e);
    }

    fn wait(&mut self, seconds: u64) {
        self.t += Duration::seconds(1 + seconds as i64);
    }

    /// Leaves the current page (its dwell) and views `page`, a path under the app.
    fn view(&mut self, rng: &mut Rng, page: &str) {
        let dwell = 2_000 + rng.next(90_000);
        if !self.page.is_empty() {
            let left = self.page.clone();
            self.push("dwell", &left, dwell, &[]);
            self.wait(1);
        }
        self.page = format!("/app/t/{}{}", self.tenant, page.trim_end_matches('/'));
        let here = self.page.clone();
        self.push("pageview", &here, 0, &[]);
        self.wait(5 + dwell / 1000);
    }

    /// An event on the current page.
    fn act(&mut self, name: &str, props: &[(&str, &str)]) {
        let here = self.page.clone();
        self.push(name, &here, 0, props);
        self.wait(3);
    }
}

pub fn weeks_of_events(tenant: &str, seed: u64) -> Vec<Event> {
    let mut rng = Rng(SmallRng::seed_from_u64(seed));
    let now = Utc::now();
    let start = now - Duration::weeks(WEEKS);
    let mut out = Vec::new();
    let mut entity = 0usize;
    for person in 0..PEOPLE {
        // Arrivals spread over the weeks; each week after, a smaller chance to return.
        let first = Duration::seconds(rng.next((WEEKS * 7 * 86_400) as u64) as i64);
        let keen = 30 + rng.next(50);
        let mut day = 0i64;
        let mut visit = 0;
        loop {
            let t = start + first + Duration::days(day) + Duration::minutes(rng.next(600) as i64);
            if t > now {
                break;
            }
            let mut s = Session {
                tenant,
                actor: format!("user_{person}"),
                id: format!("{tenant}-{person}-{visit}"),
                t,
                now,
                page: String::new(),
                out: &mut out,
            };
            let landing = if rng.chance(60) { "/" } else { "/customers" };
            s.view(&mut rng, landing);
            if rng.chance(55) {
                s.view(&mut rng, "/customers");
                s.act("click", &[("target", "new-customer")]);
                s.act("customer_created", &[]);
                entity += 1;
                let customer = stable_id(tenant, 1_000_000 + entity);
                s.view(&mut rng, &format!("/customers/{customer}"));
                if rng.chance(45) {
                    s.act("deal_created", &[]);
                    entity += 1;
                    let deal = stable_id(tenant, 1_000_000 + entity);
                    s.view(&mut rng, &format!("/deals/{deal}"));
                    let reached = 1 + rng.next(STAGES.len() as u64) as usize;
                    for w in STAGES[..reached].windows(2) {
                        s.act("deal_stage_changed", &[("from", w[0]), ("to", w[1])]);
                    }
                    let last = STAGES[reached - 1];
                    if rng.chance(40) {
                        s.act("deal_stage_changed", &[("from", last), ("to", "won")]);
                    } else if rng.chance(30) {
                        s.act("deal_stage_changed", &[("from", last), ("to", "lost")]);
                    }
                }
            }
            for _ in 0..rng.next(4) {
                let page = BROWSE[rng.next(BROWSE.len() as u64) as usize];
                s.view(&mut rng, page);
                if page == "/orders" && rng.chance(30) {
                    s.act("order_created", &[("currency", "EUR")]);
                    entity += 1;
                    let order = stable_id(tenant, 1_000_000 + entity);
                    s.view(&mut rng, &format!("/orders/{order}"));
                }
            }
            s.view(&mut rng, "/");
            visit += 1;
            if !rng.chance(keen) {
                break;
            }
            day += 1 + rng.next(9) as i64;
        }
    }
    out.sort_by_key(|e| e.server_ts);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use chrono::Datelike;

    use super::*;

    fn actors(events: &[Event], keep: impl Fn(&Event) -> bool) -> HashSet<&str> {
        events
            .iter()
            .filter(|e| keep(e))
            .map(|e| e.actor.as_str())
            .collect()
    }

    #[test]
    fn demo_events_tell_the_default_funnel_story_over_weeks() {
        let events = weeks_of_events("acme", 1);
        assert!(events.iter().all(|e| e.problems().is_empty()));
        let now = Utc::now();
        assert!(events.iter().all(|e| e.server_ts <= now));
        let visited = actors(&events, |e| e.name == "pageview");
        let customers = actors(&events, |e| e.name == "customer_created");
        let deals = actors(&events, |e| e.name == "deal_created");
        let won = actors(&events, |e| {
            e.name == "deal_stage_changed" && e.props.get("to").is_some_and(|t| t == "won")
        });
        assert!(visited.len() > customers.len(), "{}", customers.len());
        assert!(customers.len() > deals.len(), "{}", deals.len());
        assert!(deals.len() > won.len() && !won.is_empty(), "{}", won.len());
        assert!(customers.is_superset(&deals) && deals.is_superset(&won));
        let mut first_seen = std::collections::BTreeMap::new();
        for e in &events {
            first_seen.entry(e.actor.as_str()).or_insert(e.server_ts);
        }
        let cohorts: BTreeSet<(i32, u32)> = first_seen
            .values()
            .map(|t| (t.iso_week().year(), t.iso_week().week()))
            .collect();
        assert!(cohorts.len() >= 6, "cohorts: {cohorts:?}");
        let customer_page = |p: &str| {
            p.strip_prefix("/app/t/acme/customers/")
                .is_some_and(|id| Uuid::parse_str(id).is_ok())
        };
        assert!(events
            .iter()
            .any(|e| e.name == "pageview" && customer_page(&e.path)));
    }
}
