use super::text::text_enum;

text_enum! {
    /// Where a tenant is in its life. Stored as text in `atrium_control.tenants.state`.
    ///
    /// `provisioning` → `active` ⇄ `suspended` → `deleting` → `deleted`. A crash leaves a
    /// tenant in `provisioning` or `deleting`, and running the same command again finishes it.
    pub enum TenantState {
        Provisioning = "provisioning",
        Active = "active",
        Suspended = "suspended",
        Deleting = "deleting",
        Deleted = "deleted",
    }
}

impl TenantState {
    /// Provisioned and not on its way out: its schema exists and holds its data.
    pub fn is_live(self) -> bool {
        matches!(self, TenantState::Active | TenantState::Suspended)
    }
}

text_enum! {
    /// What a tenant pays for. Stored as text in `atrium_control.tenants.plan`.
    #[derive(Default)]
    pub enum Plan {
        #[default]
        Free = "free",
        Pro = "pro",
        Enterprise = "enterprise",
    }
}

impl Plan {
    /// Where a tenant of this plan lives unless its operator says otherwise: free
    /// tenants are many and small, and share a pool; paying ones get a schema of their
    /// own (docs/isolation-tiers.md, "When to choose which").
    pub fn default_tier(self) -> Tier {
        match self {
            Plan::Free => Tier::Pooled,
            Plan::Pro | Plan::Enterprise => Tier::Schema,
        }
    }
}

text_enum! {
    /// How a tenant is isolated (docs/isolation-tiers.md). Stored as text in
    /// `atrium_control.tenants.tier`.
    pub enum Tier {
        /// A schema and a role of its own.
        Schema = "schema",
        /// Rows in a shared pool schema, kept apart by row-level security.
        Pooled = "pooled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_text() {
        for &s in TenantState::ALL {
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
        for &p in Plan::ALL {
            assert_eq!(Plan::parse("plan", p.as_str()), Ok(p));
        }
        let err = Plan::parse("plan", "gold").expect_err("unknown plan");
        assert_eq!(err.message, "plan must be one of free, pro, enterprise");
        assert_eq!(Plan::default(), Plan::Free);
    }
}
