//! The ClickHouse schema analytics owns, applied by `atrium migrate` (and the collector's
//! tests). SQL here must run on ClickHouse 18.16 and on current releases.

use atrium_core::migrations::Migration;

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
