use std::{error::Error, fmt, str::FromStr};

use bytes::BytesMut;
use serde::{Deserialize, Serialize};
use tokio_postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use utoipa::ToSchema;

use super::ValidationError;

/// Where a tenant is in its life. Stored as text in `atrium_control.tenants.state`.
///
/// `provisioning` → `active` ⇄ `suspended` → `deleting` → `deleted`. A crash leaves a
/// tenant in `provisioning` or `deleting`, and running the same command again finishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TenantState {
    Provisioning,
    Active,
    Suspended,
    Deleting,
    Deleted,
}

impl TenantState {
    pub const ALL: [TenantState; 5] = [
        TenantState::Provisioning,
        TenantState::Active,
        TenantState::Suspended,
        TenantState::Deleting,
        TenantState::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TenantState::Provisioning => "provisioning",
            TenantState::Active => "active",
            TenantState::Suspended => "suspended",
            TenantState::Deleting => "deleting",
            TenantState::Deleted => "deleted",
        }
    }

    /// Provisioned and not on its way out: its schema exists and holds its data.
    pub fn is_live(self) -> bool {
        matches!(self, TenantState::Active | TenantState::Suspended)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        raw.parse().map_err(|_| {
            let all: Vec<_> = Self::ALL.iter().map(|s| s.as_str()).collect();
            ValidationError::new(field, format!("{field} must be one of {}", all.join(", ")))
        })
    }
}

impl FromStr for TenantState {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

impl fmt::Display for TenantState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a tenant pays for. Stored as text in `atrium_control.tenants.plan`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    #[default]
    Free,
    Pro,
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Free, Plan::Pro, Plan::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
            Plan::Enterprise => "enterprise",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        raw.parse().map_err(|_| {
            let all: Vec<_> = Self::ALL.iter().map(|p| p.as_str()).collect();
            ValidationError::new(field, format!("{field} must be one of {}", all.join(", ")))
        })
    }
}

impl FromStr for Plan {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Both enums are stored as text: read and bound as their `as_str()`, and a value the
/// code doesn't know is an error, never a silent default.
macro_rules! text_column {
    ($ty:ty) => {
        impl<'a> FromSql<'a> for $ty {
            fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
                let s = <&str as FromSql>::from_sql(ty, raw)?;
                s.parse()
                    .map_err(|()| format!("unknown {} {s:?}", stringify!($ty)).into())
            }

            fn accepts(ty: &Type) -> bool {
                <&str as FromSql>::accepts(ty)
            }
        }

        impl ToSql for $ty {
            fn to_sql(
                &self,
                ty: &Type,
                out: &mut BytesMut,
            ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
                self.as_str().to_sql(ty, out)
            }

            fn accepts(ty: &Type) -> bool {
                <&str as ToSql>::accepts(ty)
            }

            to_sql_checked!();
        }
    };
}

text_column!(TenantState);
text_column!(Plan);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_text() {
        for s in TenantState::ALL {
            assert_eq!(s.as_str().parse::<TenantState>(), Ok(s));
            assert_eq!(
                serde_json::to_value(s).expect("json"),
                serde_json::json!(s.as_str())
            );
        }
        assert!(TenantState::parse("state", "Active").is_err());
        assert!(TenantState::Active.is_live() && TenantState::Suspended.is_live());
        assert!(!TenantState::Deleting.is_live() && !TenantState::Provisioning.is_live());
    }

    #[test]
    fn plans_round_trip_and_name_the_choices() {
        for p in Plan::ALL {
            assert_eq!(Plan::parse("plan", p.as_str()), Ok(p));
        }
        let err = Plan::parse("plan", "gold").expect_err("unknown plan");
        assert_eq!(err.message, "plan must be one of free, pro, enterprise");
        assert_eq!(Plan::default(), Plan::Free);
    }
}
