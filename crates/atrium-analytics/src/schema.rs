//! The ClickHouse schema analytics owns, applied by `atrium migrate` (and the collector's
//! tests). SQL here must run on ClickHouse 18.16 and on current releases.

use atrium_core::migrations::Migration;

use crate::clickhouse::quote;

/// SQL: the event's prop `key` (stored in the parallel arrays `prop_keys` and
/// `prop_values`), or the SQL expression `fallback` when the event doesn't have it.
pub fn prop_or(key: &str, fallback: &str) -> String {
    let k = quote(key);
    format!("if(has(prop_keys, {k}), prop_values[indexOf(prop_keys, {k})], {fallback})")
}

pub const CLICKHOUSE: &[Migration] = &[Migration::new(
    1,
    "events",
    include_str!("../migrations/0001_events.sql"),
)];

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn set_matches_its_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        atrium_core::migrations::check_set(CLICKHOUSE, &dir).expect("clickhouse");
    }
}
