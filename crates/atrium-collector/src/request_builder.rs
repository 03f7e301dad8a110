//! Spool lines → ClickHouse `JSONEachRow` rows. A line that isn't an event, or an event
//! ClickHouse would refuse (the checks ingest makes, in case an older writer or an
//! import spooled it), is a data error: it goes to the dead letter, never to a retry, and
//! never to ClickHouse, whose refusal would cost a bisection of the whole batch.

use chrono::{DateTime, Utc};
use serde::Serialize;

use atrium_analytics::event::Event;

use crate::mask::Masker;

#[derive(Serialize)]
struct Row<'a> {
    tenant: &'a str,
    event_id: String,
    name: &'a str,
    actor: &'a str,
    session_id: &'a str,
    path: &'a str,
    url: &'a str,
    referrer: &'a str,
    user_agent: &'a str,
    ts: String,
    client_ts: String,
    duration_ms: u64,
    prop_keys: Vec<&'a str>,
    prop_values: Vec<&'a str>,
}

fn ch_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

pub struct Built {
    /// One JSON line per row, each ending in '\n'.
    pub rows: Vec<Vec<u8>>,
    /// Lines that could not be read, with the reason.
    pub rejected: Vec<(String, String)>,
    /// `server_ts` of the oldest event in the batch, for the lag metric.
    pub oldest: Option<DateTime<Utc>>,
}

pub fn build(lines: &[&str], masker: &Masker) -> Built {
    let mut built = Built {
        rows: Vec::with_capacity(lines.len()),
        rejected: Vec::new(),
        oldest: None,
    };
    for line in lines {
        let mut event: Event = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(e) => {
                built
                    .rejected
                    .push(((*line).to_owned(), format!("not an event: {e}")));
                continue;
            }
        };
        let problems = event.problems();
        if !problems.is_empty() {
            let why: Vec<String> = problems.iter().map(|(f, m)| format!("{f} {m}")).collect();
            built.rejected.push((
                (*line).to_owned(),
                format!("not storable: {}", why.join("; ")),
            ));
            continue;
        }
        masker.apply(&mut event);
        built.oldest = Some(
            built
                .oldest
                .map_or(event.server_ts, |o| o.min(event.server_ts)),
        );
        let row = Row {
            tenant: &event.tenant,
            event_id: event.event_id.to_string(),
            name: &event.name,
            actor: &event.actor,
            session_id: &event.session_id,
            path: &event.path,
            url: &event.url,
            referrer: &event.referrer,
            user_agent: &event.user_agent,
            ts: ch_time(event.server_ts),
            client_ts: ch_time(event.client_ts.unwrap_or(DateTime::UNIX_EPOCH)),
            duration_ms: event.duration_ms,
            prop_keys: event.props.keys().map(String::as_str).collect(),
            prop_values: event.props.values().map(String::as_str).collect(),
        };
        match serde_json::to_vec(&row) {
            Ok(mut bytes) => {
                bytes.push(b'\n');
                built.rows.push(bytes);
            }
            Err(e) => built.rejected.push(((*line).to_owned(), e.to_string())),
        }
    }
    built
}
