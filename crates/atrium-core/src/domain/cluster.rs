//! The PostgreSQL clusters tenants are placed on (docs/scale-out.md). The home cluster,
//! `local`, holds the control database (the registry) and may hold tenants too; the
//! others are registered by an operator and hold tenants only.

use super::{text::text_enum, ValidationError};

/// The cluster named in the configuration (`control.database_url`, `api.database_url`).
pub const HOME_CLUSTER: &str = "local";

/// The longest cluster name: it appears in metrics labels and the console's tables.
pub const CLUSTER_NAME_MAX: usize = 32;

/// A validated cluster name: `[a-z][a-z0-9_]{1,31}`. It reaches SQL only as a bound
/// value, and metrics only as a label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClusterName(String);

impl ClusterName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let mut chars = raw.chars();
        let shape = (2..=CLUSTER_NAME_MAX).contains(&raw.len())
            && chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !shape {
            return Err(ValidationError::coded(
                field,
                "cluster_name",
                "a cluster name is 2 to 32 characters: a lowercase letter, then lowercase \
                 letters, digits or '_'",
            )
            .param("max", CLUSTER_NAME_MAX));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_home(&self) -> bool {
        self.0 == HOME_CLUSTER
    }
}

text_enum! {
    /// Whether a cluster takes new tenants. Stored as text in `atrium_control.clusters`.
    ///
    /// `open` takes new tenants; `draining` keeps serving its tenants and takes no new
    /// ones (moves empty it); `closed` holds no tenant and takes none.
    pub enum ClusterState {
        Open = "open",
        Draining = "draining",
        Closed = "closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_lowercase_words() {
        for ok in ["local", "eu1", "cell_02", "ab"] {
            assert!(ClusterName::parse("name", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            "1eu",
            "EU1",
            "eu-1",
            "eu 1",
            "x'; DROP",
            &"a".repeat(33),
        ] {
            let e = ClusterName::parse("name", bad).expect_err(bad);
            assert_eq!(e.code, "cluster_name");
        }
        assert!(ClusterName::parse("name", HOME_CLUSTER)
            .expect("home")
            .is_home());
    }
}
