//! Weekly retention: users are in the cohort of the week (from Monday, in the tenant's
//! zone) of their first event, and counted once in each later week they came back.
//! "First" looks back as far as a query may ([`MAX_RANGE_DAYS`]), not only over the
//! weeks shown, so a regular user is not mistaken for a new one.

use chrono::{DateTime, Duration, Utc};

use crate::{
    clickhouse::quote,
    query::{QueryError, Scope, MAX_RANGE_DAYS},
    zone::{Period, Span, Zone},
};

pub const MAX_WEEKS: u32 = 26;
pub const DEFAULT_WEEKS: u32 = 8;

/// The cohort weeks (the last `weeks` complete ones and the current one, oldest first)
/// and the scope that finds first events for them.
pub fn plan(
    tenant: &str,
    zone: Zone,
    weeks: u32,
    now: DateTime<Utc>,
) -> Result<(Vec<Span>, Scope), QueryError> {
    let spans = Period::Week.last(zone, weeks.clamp(1, MAX_WEEKS) + 1, now);
    let (first, last) = match (spans.first(), spans.last()) {
        (Some(f), Some(l)) => (f.start, l.end),
        _ => (now, now),
    };
    let lookback = Duration::days(MAX_RANGE_DAYS - 1) - (last - first);
    Ok((spans, Scope::new(tenant, first - lookback, last)?))
}

/// `cohort` and `week` (their [`Period::key`]s) and `users`: users first seen in
/// `cohort` who were active in `week`, for cohorts from `first` on.
pub fn sql(scope: &Scope, zone: Zone, first: &Span) -> String {
    format!(
        "SELECT toString(c) AS cohort, toString(w) AS week, count() AS users FROM (
             SELECT arraySort(weeks)[1] AS c, arrayJoin(weeks) AS w FROM (
                 SELECT actor, groupUniqArray(toMonday(ts, {z})) AS weeks FROM {} GROUP BY actor
             )
         ) WHERE c >= toDate({}) GROUP BY c, w ORDER BY c, w",
        scope.events(&["actor != ''".to_owned()]),
        quote(&Period::Week.key(zone, first.start)),
        z = quote(zone.name()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohorts_are_the_last_weeks_and_first_events_look_back() {
        let now = Utc::now();
        let (weeks, scope) = plan("acme", Zone::default(), 4, now).expect("plan");
        assert_eq!(weeks.len(), 5);
        assert!(weeks[4].start <= now && now < weeks[4].end);
        assert!(scope.to() - scope.from() < Duration::days(MAX_RANGE_DAYS));
        assert!(scope.from() < weeks[0].start - Duration::days(300));
        let sql = sql(&scope, Zone::default(), &weeks[0]);
        assert!(sql.contains("toMonday(ts, 'UTC')"), "{sql}");
    }
}
