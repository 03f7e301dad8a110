//! The path view: what users do after a page. Each session's events are put in time
//! order (ties broken by event id, so both ClickHouse engines agree); after every view of
//! the route, the next event is counted: a page view by its route template, any other
//! event by its name, and nothing at all as an exit. Dwell events only report on the
//! page before, so they are skipped.

use crate::{clickhouse::quote, query::Scope, route};

/// Distinct next steps read back; what lies beyond is counted in no row. Far more than
/// any chart shows.
pub const MAX_ROWS: u32 = 1_000;

/// `next` (`page:<route>`, `event:<name>` or `exit:`) and `n`, most frequent first.
pub fn sql(scope: &Scope, target: &str) -> String {
    let label = format!(
        "if(name = 'pageview', concat('page:', {}), concat('event:', name))",
        route::sql()
    );
    let here = quote(&format!("page:{target}"));
    format!(
        "SELECT next, count() AS n FROM (
             SELECT arrayJoin(arrayFilter(x -> x != '', arrayMap(i -> if(labels[i] = {here}, if(i < length(labels), labels[i + 1], 'exit:'), ''), arrayEnumerate(labels)))) AS next
             FROM (
                 SELECT arraySort((l, k) -> k, groupArray({label}), groupArray(concat(toString(ts), toString(event_id)))) AS labels
                 FROM {} GROUP BY actor, session_id
             )
         ) GROUP BY next ORDER BY n DESC, next LIMIT {MAX_ROWS}",
        scope.events(&["name != 'dwell'".to_owned()])
    )
}
