//! Route templates: `/customers/:id` for every `/customers/<uuid>`. The SDK sends the
//! template it knows (kept in the event's `$route` property); for events without one
//! (server events, older SDKs, imports, demo data) queries derive it from `path`, so all
//! of them group the same way.

use crate::{clickhouse::quote, event::MAX_URL};

/// The property an SDK-supplied template is stored under. `$` keeps it apart from the
/// properties a tenant names itself.
pub const ROUTE_PROP: &str = "$route";

/// The web app's base path, `/app/t/{slug}`, stripped once so app and SDK paths agree.
const BASE: &str = "^/app/t/[^/]+";

/// A dynamic segment: a UUID, a number or a hex id of 16 digits or more.
const ID: &str = "/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]+|[0-9a-fA-F]{16,})(/|$)";

/// Whether `route` can be a template: a path, `/`-rooted, no longer than a URL.
pub fn check(route: &str) -> Result<(), &'static str> {
    if !route.starts_with('/') || route.len() > MAX_URL {
        return Err("must start with / and be at most 2048 bytes");
    }
    Ok(())
}

/// SQL: the event's route template.
pub fn sql() -> String {
    let stripped = format!("replaceRegexpOne(path, {}, '')", quote(BASE));
    let rooted = format!("if({stripped} = '', '/', {stripped})");
    // Twice: a match takes the `/` after its segment, so `/1/2` needs a second pass.
    let mut derived = rooted;
    for _ in 0..2 {
        derived = format!(
            "replaceRegexpAll({derived}, {}, {})",
            quote(ID),
            quote("/:id\\2")
        );
    }
    crate::schema::prop_or(ROUTE_PROP, &derived)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_rooted_paths() {
        assert!(check("/customers/:id").is_ok());
        assert!(check("customers").is_err());
        assert!(check(&format!("/{}", "x".repeat(MAX_URL))).is_err());
    }

    #[test]
    fn sdk_route_wins_over_the_derived_one() {
        let sql = sql();
        assert!(sql.starts_with("if(has(prop_keys, '$route')"), "{sql}");
        assert_eq!(sql.matches("replaceRegexpAll").count(), 2);
    }
}
