//! Every action the audit log records, in one list: the writers take an [`Action`], so
//! the list the console filters by (`GET /v1/audit/actions`) cannot miss one.

/// What an audit entry says was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    TenantCreate,
    TenantUpdate,
    TenantSuspend,
    TenantResume,
    TenantDeleteStart,
    TenantDelete,
    TenantExport,
    TenantRestore,
    TenantRestoreAt,
    TenantMigrate,
    TenantsMigrate,
    TenantMove,
    TenantPsql,
    TenantUserInvite,
    TenantUserPasswordReset,
    TenantAnalyticsPurge,
    KeyCreate,
    KeyRevoke,
    OperatorUpsert,
    OperatorDisable,
    OperatorEnable,
    OperatorSignIn,
    OperatorSignInFailures,
    BackupRun,
    BackupVerify,
    UsageSample,
    ClusterAdd,
    ClusterDrain,
    ClusterOpen,
    ClusterRemove,
    ClusterChange,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::TenantCreate,
        Action::TenantUpdate,
        Action::TenantSuspend,
        Action::TenantResume,
        Action::TenantDeleteStart,
        Action::TenantDelete,
        Action::TenantExport,
        Action::TenantRestore,
        Action::TenantRestoreAt,
        Action::TenantMigrate,
        Action::TenantsMigrate,
        Action::TenantMove,
        Action::TenantPsql,
        Action::TenantUserInvite,
        Action::TenantUserPasswordReset,
        Action::TenantAnalyticsPurge,
        Action::KeyCreate,
        Action::KeyRevoke,
        Action::OperatorUpsert,
        Action::OperatorDisable,
        Action::OperatorEnable,
        Action::OperatorSignIn,
        Action::OperatorSignInFailures,
        Action::BackupRun,
        Action::BackupVerify,
        Action::UsageSample,
        Action::ClusterAdd,
        Action::ClusterDrain,
        Action::ClusterOpen,
        Action::ClusterRemove,
        Action::ClusterChange,
    ];

    /// As stored in `audit_log.action`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::TenantCreate => "tenant.create",
            Action::TenantUpdate => "tenant.update",
            Action::TenantSuspend => "tenant.suspend",
            Action::TenantResume => "tenant.resume",
            Action::TenantDeleteStart => "tenant.delete.start",
            Action::TenantDelete => "tenant.delete",
            Action::TenantExport => "tenant.export",
            Action::TenantRestore => "tenant.restore",
            Action::TenantRestoreAt => "tenant.restore_at",
            Action::TenantMigrate => "tenant.migrate",
            Action::TenantsMigrate => "tenants.migrate",
            Action::TenantMove => "tenant.move",
            Action::TenantPsql => "tenant.psql",
            Action::TenantUserInvite => "tenant.user.invite",
            Action::TenantUserPasswordReset => "tenant.user.password_reset",
            Action::TenantAnalyticsPurge => "tenant.analytics.purge",
            Action::KeyCreate => "key.create",
            Action::KeyRevoke => "key.revoke",
            Action::OperatorUpsert => "operator.upsert",
            Action::OperatorDisable => "operator.disable",
            Action::OperatorEnable => "operator.enable",
            Action::OperatorSignIn => "operator.sign_in",
            Action::OperatorSignInFailures => "operator.sign_in_failures",
            Action::BackupRun => "backup.run",
            Action::BackupVerify => "backup.verify",
            Action::UsageSample => "usage.sample",
            Action::ClusterAdd => "cluster.add",
            Action::ClusterDrain => "cluster.drain",
            Action::ClusterOpen => "cluster.open",
            Action::ClusterRemove => "cluster.remove",
            Action::ClusterChange => "cluster.change",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_are_unique() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }
}
