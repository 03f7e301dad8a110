//! The connection that holds a move's session-level advisory locks: the tenant's freeze
//! lock from the drain to the flip, and the old placement's lock until the old rows are
//! gone (`atrium-core` `db/placement.rs`). Session locks die with their connection, so
//! it is one long-lived connection per control process; a lost one takes its locks
//! with it, and the next tick of [`crate::Control::tend_moves`] takes them again.

use std::{collections::HashSet, time::Duration};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};

pub type Key = (i32, i32);

/// A guard per cluster other than home, for moves that leave it: the locks a move holds
/// are on the cluster the tenant's transactions run on.
pub type ClusterGuards = std::sync::Arc<
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<Guard>>>>,
>;

#[derive(Default)]
pub struct Guard {
    client: Option<tokio_postgres::Client>,
    held: HashSet<Key>,
}

impl Guard {
    async fn client(&mut self, url: &SecretString) -> anyhow::Result<&tokio_postgres::Client> {
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.held.clear();
            let (client, conn) =
                atrium_core::db::connect_one(url.expose_secret(), "atrium-move-guard").await?;
            tokio::spawn(conn);
            self.client = Some(client);
        }
        self.client.as_ref().context("no guard connection")
    }

    /// Takes `key` exclusively, waiting at most `wait` (then `lock_not_available`).
    pub async fn lock(
        &mut self,
        url: &SecretString,
        key: Key,
        wait: Duration,
    ) -> anyhow::Result<()> {
        if self.held.contains(&key) {
            return Ok(());
        }
        let client = self.client(url).await?;
        client
            .batch_execute(&format!("SET lock_timeout = {}", wait.as_millis().max(1)))
            .await?;
        client
            .execute("SELECT pg_advisory_lock($1, $2)", &[&key.0, &key.1])
            .await?;
        self.held.insert(key);
        Ok(())
    }

    /// Whether this process holds `key` (a move it runs itself, for one).
    pub fn holds(&self, key: Key) -> bool {
        self.held.contains(&key) && self.client.as_ref().is_some_and(|c| !c.is_closed())
    }

    /// Takes `key` exclusively if it is free.
    pub async fn try_lock(&mut self, url: &SecretString, key: Key) -> anyhow::Result<bool> {
        if self.held.contains(&key) {
            return Ok(true);
        }
        let client = self.client(url).await?;
        let taken: bool = client
            .query_one("SELECT pg_try_advisory_lock($1, $2)", &[&key.0, &key.1])
            .await?
            .get(0);
        if taken {
            self.held.insert(key);
        }
        Ok(taken)
    }

    /// The guard's connection, for a transaction that must commit only while `keys` are
    /// still held: it cannot commit if the connection, and the locks with it, are gone.
    /// Never a new connection (that would hold nothing).
    pub fn holding(&mut self, keys: &[Key]) -> anyhow::Result<&mut tokio_postgres::Client> {
        let held = keys.iter().all(|k| self.held.contains(k));
        match self.client.as_mut() {
            Some(client) if held && !client.is_closed() => Ok(client),
            _ => anyhow::bail!("the move's locks were lost with their connection"),
        }
    }

    pub async fn unlock(&mut self, key: Key) {
        if !self.held.remove(&key) {
            return;
        }
        if let Some(client) = &self.client {
            let unlocked = client
                .execute("SELECT pg_advisory_unlock($1, $2)", &[&key.0, &key.1])
                .await;
            if let Err(e) = unlocked {
                // The connection is in trouble: drop it, and every lock with it.
                tracing::warn!(error = %e, "move guard lost its connection");
                self.client = None;
                self.held.clear();
            }
        }
    }
}

impl crate::Control {
    /// Home's guard, with home's URL.
    pub(crate) fn home_guard(&self) -> (std::sync::Arc<tokio::sync::Mutex<Guard>>, SecretString) {
        (self.move_guard.clone(), self.config.database_url.clone())
    }

    /// The guard of `cluster`, with the URL its connection is made from.
    pub(crate) async fn guard_for(
        &self,
        cluster: &str,
    ) -> atrium_core::domain::Result<(std::sync::Arc<tokio::sync::Mutex<Guard>>, SecretString)>
    {
        if cluster == atrium_core::domain::HOME_CLUSTER {
            return Ok(self.home_guard());
        }
        let url = self.control_url_of(cluster).await?;
        let mut guards = self
            .cluster_guards
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let guard = guards.entry(cluster.to_owned()).or_default().clone();
        Ok((guard, url))
    }
}
