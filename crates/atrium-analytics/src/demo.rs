//! A month of realistic tracking events for a demo tenant, so dashboards aren't empty
//! on first run. Event ids are derived from (tenant, index), so seeding twice changes
//! nothing once ClickHouse dedups.

use chrono::{Datelike, Duration, Utc};
use rand::{rngs::SmallRng, Rng as _, SeedableRng};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::event::Event;

const PAGES: &[(&str, u64)] = &[
    ("/", 30),
    ("/customers", 25),
    ("/deals", 20),
    ("/orders", 10),
    ("/analytics", 8),
    ("/pricing", 7),
];
const STAGES: &[&str] = &["lead", "qualified", "proposal", "won"];

/// Seeded: a run with this build is repeatable. Event ids come from (tenant, index),
/// not from here, so seeding twice dedups whatever the generator does.
struct Rng(SmallRng);
impl Rng {
    fn next(&mut self, m: u64) -> u64 {
        self.0.gen_range(0..m.max(1))
    }
}

fn stable_id(tenant: &str, i: usize) -> Uuid {
    let h = Sha256::digest(format!("atrium-demo:{tenant}:{i}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    uuid::Builder::from_random_bytes(b).into_uuid()
}

pub fn month_of_events(tenant: &str, seed: u64) -> Vec<Event> {
    let mut rng = Rng(SmallRng::seed_from_u64(seed));
    let now = Utc::now();
    let mut out = Vec::new();
    for day in (0..30).rev() {
        let date = now - Duration::days(day);
        let weekday = date.weekday().num_days_from_monday();
        let sessions = if weekday >= 5 { 8 } else { 25 } + rng.next(10);
        for s in 0..sessions {
            let actor = format!("user_{}", rng.next(40));
            let session = format!("{tenant}-{day}-{s}");
            let mut t = date - Duration::seconds(rng.next(10 * 3600) as i64);
            if t > now {
                t = now;
            }
            for _ in 0..2 + rng.next(6) {
                let total: u64 = PAGES.iter().map(|p| p.1).sum();
                let mut pick = rng.next(total);
                let page = PAGES.iter().find(|p| {
                    if pick < p.1 {
                        true
                    } else {
                        pick -= p.1;
                        false
                    }
                });
                let path = page.map_or("/", |p| p.0);
                let mut push = |name: &str, dur: u64, props: &[(&str, String)]| {
                    let mut e = Event::server(tenant, name);
                    e.event_id = stable_id(tenant, out.len());
                    e.actor = actor.clone();
                    e.session_id = session.clone();
                    e.path = path.to_owned();
                    e.server_ts = t;
                    e.client_ts = Some(t);
                    e.duration_ms = dur;
                    for (k, v) in props {
                        e.props.insert((*k).to_owned(), v.clone());
                    }
                    out.push(e);
                };
                push("pageview", 0, &[]);
                if rng.next(3) == 0 {
                    push(
                        "click",
                        0,
                        &[(
                            "element",
                            format!("{}-primary", path.trim_start_matches('/')),
                        )],
                    );
                }
                push("dwell", 2_000 + rng.next(90_000), &[]);
                if path == "/deals" && rng.next(4) == 0 {
                    let reached = 1 + rng.next(STAGES.len() as u64) as usize;
                    for w in STAGES[..reached].windows(2) {
                        push(
                            "deal_stage_changed",
                            0,
                            &[("from", w[0].into()), ("to", w[1].into())],
                        );
                    }
                }
                if path == "/orders" && rng.next(3) == 0 {
                    push(
                        "order_created",
                        0,
                        &[
                            ("amount_cents", (4_900 * (1 + rng.next(20))).to_string()),
                            ("currency", "EUR".into()),
                        ],
                    );
                }
                t += Duration::seconds(5 + rng.next(120) as i64);
            }
        }
    }
    out
}
