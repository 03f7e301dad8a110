//! Who an audit entry's `actor` is, in words a person reads: the stored actor stays the
//! stable machine form (`operator:<email>`, `token:admin`, `cli:<user>`), and the console
//! shows [`AuditEntry::actor_display`] instead.

use atrium_core::domain::Result;
use tokio_postgres::GenericClient;

use crate::registry::AuditEntry;

const OPERATOR: &str = "operator:";

/// The readable form of `actor` without looking anything up.
pub fn describe(actor: &str) -> String {
    if let Some(email) = actor.strip_prefix(OPERATOR) {
        email.to_owned()
    } else if actor == "token:admin" {
        "admin token".to_owned()
    } else if let Some(user) = actor.strip_prefix("cli:") {
        format!("command line ({user})")
    } else {
        actor.to_owned()
    }
}

/// Names operators by their display name and email (`Ops Person <ops@x.test>`), one
/// query for the whole page.
pub async fn name_operators<C: GenericClient>(db: &C, entries: &mut [AuditEntry]) -> Result<()> {
    let mut emails: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.actor.strip_prefix(OPERATOR))
        .collect();
    emails.sort_unstable();
    emails.dedup();
    if emails.is_empty() {
        return Ok(());
    }
    let rows = db
        .query(
            "SELECT email, display_name FROM atrium_control.operators WHERE email = ANY($1)",
            &[&emails],
        )
        .await?;
    let names: std::collections::HashMap<String, String> =
        rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    for e in entries {
        if let Some(name) = e.actor.strip_prefix(OPERATOR).and_then(|m| names.get(m)) {
            e.actor_display = format!("{name} <{}>", e.actor_display);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_actors_read_as_words() {
        assert_eq!(describe("token:admin"), "admin token");
        assert_eq!(describe("operator:ops@x.test"), "ops@x.test");
        assert_eq!(describe("cli:root"), "command line (root)");
        assert_eq!(describe("control:startup"), "control:startup");
    }
}
