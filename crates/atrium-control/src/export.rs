//! Tenant export and restore, without pg_dump (the image has no PostgreSQL client).
//!
//! An export is a plain SQL file that psql can also replay into an existing schema:
//! a header, then one `COPY table (columns) FROM stdin;` block per table in foreign-key
//! order, in PostgreSQL's text COPY format, all read in one REPEATABLE READ snapshot.
//! Restore provisions a new tenant (same migrations) and streams the blocks back in.

use crate::audit_action::Action;
use atrium_core::domain::{DomainError, Result};
use std::{
    collections::{HashMap, HashSet},
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context};
use atrium_core::{
    db::{self, CatalogObject},
    private_fs,
    tenancy::{is_plain_identifier, quote_ident, TenantSlug},
};
use futures::{pin_mut, SinkExt, TryStreamExt};
use tokio_postgres::GenericClient;

use crate::{provision::NewTenant, registry, registry::Tenant, Control};

const HEADER: &str = "-- Atrium tenant export";

/// Credentials must not outlive the tenant they were issued in: a restored tenant
/// starts with nobody signed in and no invite pending. Sessions are not exported, and
/// these columns are exported (and restored) as NULL. Users keep their password hashes,
/// so they sign in again as before.
pub(crate) const NOT_EXPORTED: &[&str] = &["sessions"];

/// Tables the tenant migrations give a row when a schema is made (the settings): an
/// export's rows replace it. An export from before they existed leaves it as made.
pub(crate) const SEEDED: &[&str] = &["settings"];
const BLANKED: &[(&str, &[&str])] = &[("users", &["invite_hash", "invite_expires_at"])];

fn blanked(table: &str) -> &'static [&'static str] {
    BLANKED
        .iter()
        .find(|(t, _)| *t == table)
        .map_or(&[], |(_, cols)| cols)
}

pub(crate) struct Table {
    pub(crate) name: String,
    pub(crate) columns: Vec<String>,
}

/// The column of every pool table that says whose row it is.
pub(crate) const POOL_KEY: &str = "tenant_id";

/// Lets the transaction see and write `tenant`'s rows in a pool: row-level security is
/// forced for the tables' owner, the control role, too. In a tenant's own schema nothing
/// reads the setting.
pub(crate) async fn show_rows_of<C: GenericClient>(
    tx: &C,
    tenant: uuid::Uuid,
) -> Result<(), tokio_postgres::Error> {
    tx.execute(
        "SELECT set_config('atrium.tenant_id', $1, true)",
        &[&tenant.to_string()],
    )
    .await
    .map(|_| ())
}

/// Tables of a schema, parents before children, with their columns.
pub(crate) async fn tables_in_order<C: GenericClient>(
    db: &C,
    schema: &str,
) -> anyhow::Result<Vec<Table>> {
    let rows = db
        .query(
            "SELECT c.relname::text,
                    array(SELECT a.attname::text FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname",
            &[&schema],
        )
        .await?;
    let deps = db
        .query(
            "SELECT child.relname::text, parent.relname::text FROM pg_constraint k
             JOIN pg_class child ON child.oid = k.conrelid
             JOIN pg_class parent ON parent.oid = k.confrelid
             JOIN pg_namespace n ON n.oid = k.connamespace
             WHERE k.contype = 'f' AND n.nspname = $1 AND k.conrelid <> k.confrelid",
            &[&schema],
        )
        .await?;
    let mut parents: HashMap<String, HashSet<String>> = HashMap::new();
    for d in &deps {
        parents.entry(d.get(0)).or_default().insert(d.get(1));
    }
    let mut pending: Vec<Table> = rows
        .iter()
        .map(|r| Table {
            name: r.get(0),
            columns: r.get(1),
        })
        .collect();
    let mut ordered = Vec::new();
    let mut done = HashSet::new();
    while !pending.is_empty() {
        let before = pending.len();
        let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|t| {
            parents
                .get(&t.name)
                .is_none_or(|ps| ps.iter().all(|p| done.contains(p)))
        });
        for t in ready {
            done.insert(t.name.clone());
            ordered.push(t);
        }
        pending = rest;
        if pending.len() == before {
            bail!("foreign keys form a cycle in schema {schema}");
        }
    }
    Ok(ordered)
}

impl Control {
    /// Writes the export and returns its path, or None if the schema is already gone.
    /// On the caller's connection, so a delete needs only one; a point-in-time restore
    /// passes its scratch instance's. The file is named `<file_stem>-<now>.sql`.
    pub async fn export_schema(
        &self,
        client: &mut tokio_postgres::Client,
        tenant: &Tenant,
        file_stem: &str,
    ) -> anyhow::Result<Option<PathBuf>> {
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let schema_name = tenant.placement_schema();
        let exists = db::exists(&tx, CatalogObject::Schema, schema_name).await?;
        if !exists {
            return Ok(None);
        }
        // In a pool, row-level security (forced for the owner too) shows only this
        // tenant's rows, and `tenant_id` stays out of the file: an export reads the same
        // whichever tier it came from, and restores into either.
        show_rows_of(&tx, tenant.id).await?;
        private_fs::create_dir_all(&self.config.export_dir)
            .with_context(|| format!("creating {}", self.config.export_dir.display()))?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let path = self
            .config
            .export_dir
            .join(format!("{file_stem}-{stamp}.sql"));
        let partial = path.with_extension("sql.partial");
        let mut out = std::io::BufWriter::new(private_fs::create(&partial)?);
        writeln!(
            out,
            "{HEADER}\n-- tenant: {}\n-- tenant_migration_version: {}\n-- {PLAN_LINE}{}\n-- {TIER_LINE}{}",
            tenant.slug, tenant.migration_version, tenant.plan, tenant.tier
        )?;
        writeln!(
            out,
            "-- exported_at: {}\nSET search_path = {};\n",
            chrono::Utc::now().to_rfc3339(),
            quote_ident(&tenant.schema_name)
        )?;
        for mut table in tables_in_order(&tx, schema_name).await? {
            if NOT_EXPORTED.contains(&table.name.as_str()) {
                continue;
            }
            if tenant.pool_name.is_some() {
                table.columns.retain(|c| c != POOL_KEY);
            }
            let cols = column_list(&table.columns);
            let blank = blanked(&table.name);
            let values = table
                .columns
                .iter()
                .map(|c| match blank.contains(&c.as_str()) {
                    true => "NULL".to_owned(),
                    false => quote_ident(c),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let copy_head = format!("COPY {} ({cols})", quote_ident(&table.name));
            writeln!(out, "{copy_head} FROM stdin;")?;
            // A pool's rows are filtered by name too, not by row-level security alone:
            // a role that bypasses it (a superuser's) must still export one tenant only.
            let only_tenant = match tenant.pool_name {
                Some(_) => format!(
                    " WHERE {POOL_KEY} = {}.current_tenant()",
                    quote_ident(schema_name)
                ),
                None => String::new(),
            };
            let stream = tx
                .copy_out(&format!(
                    "COPY (SELECT {values} FROM {}.{}{only_tenant}) TO STDOUT",
                    quote_ident(schema_name),
                    quote_ident(&table.name)
                ))
                .await?;
            pin_mut!(stream);
            while let Some(chunk) = stream.try_next().await? {
                out.write_all(&chunk)?;
            }
            writeln!(out, "\\.\n")?;
        }
        tx.commit().await?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&partial, &path)?;
        Ok(Some(path))
    }

    /// Exports a live tenant while its writes go on: one REPEATABLE READ snapshot, so
    /// every row in the file belongs to the same moment. The registry points at the
    /// newest export, which `GET /v1/tenants/{slug}/export` serves.
    pub async fn export_live(&self, slug: &str, actor: &str) -> Result<Tenant> {
        let slug = TenantSlug::parse(slug)?;
        let tenant = registry::get(&**self.pool.get().await?, slug.as_str()).await?;
        tenant.require_live("tenant_not_live")?;
        // One connection at a time (a one-connection pool must do), on the tenant's
        // cluster for the export and home's for the registry.
        let mut on_cluster = self.db_of(&tenant.cluster_id).await?.get().await?;
        let path = self
            .export_schema(&mut on_cluster, &tenant, tenant.slug.as_str())
            .await
            .map_err(DomainError::Internal)?
            .ok_or(DomainError::NotFound("tenant schema"))?
            .display()
            .to_string();
        drop(on_cluster);
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        // A delete that ran meanwhile recorded its own export; it must not be replaced.
        registry::lock(&*tx, slug.as_str())
            .await?
            .require_live("tenant_not_live")?;
        tx.execute(
            "UPDATE atrium_control.tenants SET export_path = $2, updated_at = now() WHERE id = $1",
            &[&tenant.id, &path],
        )
        .await?;
        registry::audit(
            &*tx,
            actor,
            Action::TenantExport,
            Some(slug.as_str()),
            Ok(()),
            serde_json::json!({ "file": path }),
        )
        .await?;
        let tenant = registry::get(&*tx, slug.as_str()).await?;
        tx.commit().await?;
        Ok(tenant)
    }

    /// Provisions `slug` and loads an export into it.
    pub async fn restore(&self, slug: &str, file: &Path, actor: &str) -> Result<Tenant> {
        self.restore_blocks(slug, &read_export(file)?, file, actor)
            .await
    }

    /// Provisions `slug` and loads `blocks`, already read from `file`.
    pub(crate) async fn restore_blocks(
        &self,
        slug: &str,
        blocks: &[Block],
        file: &Path,
        actor: &str,
    ) -> Result<Tenant> {
        // A taken slug is refused by provision itself (409 `tenant_exists`). The tenant
        // comes back on the plan and in the tier it had, where the file says so.
        let (plan, tier) = origin(file);
        let tenant = self
            .provision(
                &NewTenant {
                    slug: slug.to_owned(),
                    plan,
                    tier,
                    ..Default::default()
                },
                actor,
            )
            .await?;
        let mut on_cluster = self.db_of(&tenant.cluster_id).await?.get().await?;
        let tx = on_cluster.transaction().await?;
        load_blocks(&tx, tenant.rows(), blocks).await?;
        tx.commit().await?;
        drop(on_cluster);
        registry::audit(
            &**self.pool.get().await?,
            actor,
            Action::TenantRestore,
            Some(slug),
            Ok(()),
            serde_json::json!({"file": file.display().to_string()}),
        )
        .await?;
        Ok(tenant)
    }
}

const PLAN_LINE: &str = "tenant_plan: ";
const TIER_LINE: &str = "tenant_tier: ";

/// The plan and tier an export's header names (exports from before they were written
/// name neither). Checked again by provisioning, like any request's.
fn origin(file: &Path) -> (Option<String>, Option<String>) {
    let Ok(text) = std::fs::read_to_string(file) else {
        return (None, None);
    };
    let header = || text.lines().take(8).filter_map(|l| l.strip_prefix("-- "));
    let find = |key: &str| {
        header()
            .find_map(|l| l.strip_prefix(key))
            .map(str::to_owned)
    };
    (find(PLAN_LINE), find(TIER_LINE))
}

/// An export's COPY blocks, after checking it is one.
pub(crate) fn read_export(file: &Path) -> Result<Vec<Block>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    if !text.starts_with(HEADER) {
        return Err(DomainError::invalid("file", "not an Atrium tenant export"));
    }
    Ok(parse_blocks(&text)?)
}

/// Where a tenant's rows are: its own schema, or a pool (with its id).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows<'a> {
    pub(crate) schema: &'a str,
    pub(crate) pooled: Option<uuid::Uuid>,
}

impl Tenant {
    pub(crate) fn rows(&self) -> Rows<'_> {
        Rows {
            schema: self.placement_schema(),
            pooled: self.pool_name.as_ref().map(|_| self.id),
        }
    }
}

/// Streams the blocks into the tenant's (empty) tables, blanks credentials, and moves
/// serial columns past the loaded rows. Inside the caller's transaction.
///
/// A pool refuses `COPY FROM` (row-level security), so a pool's rows go through a
/// temporary table of the same shape, whose `tenant_id` default names the tenant.
pub(crate) async fn load_blocks(
    tx: &tokio_postgres::Transaction<'_>,
    rows: Rows<'_>,
    blocks: &[Block],
) -> anyhow::Result<()> {
    let schema = quote_ident(rows.schema);
    let tenant = rows.pooled.unwrap_or_default();
    let only_tenant = match rows.pooled {
        Some(_) => format!("WHERE {POOL_KEY} = $1"),
        None => "WHERE $1::uuid IS NOT NULL".to_owned(),
    };
    show_rows_of(tx, tenant).await?;
    // Exports written before sessions and invites were left out still hold them.
    for b in blocks
        .iter()
        .filter(|b| !NOT_EXPORTED.contains(&b.table.as_str()))
    {
        let table = format!("{schema}.{}", quote_ident(&b.table));
        if SEEDED.contains(&b.table.as_str()) {
            tx.execute(&format!("DELETE FROM {table} {only_tenant}"), &[&tenant])
                .await?;
        }
        let into = match rows.pooled {
            Some(_) => {
                tx.batch_execute(&format!(
                    "CREATE TEMP TABLE atrium_load (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
                ))
                .await?;
                "atrium_load".to_owned()
            }
            None => table.clone(),
        };
        let cols = column_list(&b.columns);
        let sink = tx
            .copy_in(&format!("COPY {into} ({cols}) FROM STDIN"))
            .await?;
        pin_mut!(sink);
        sink.send(bytes_of(&b.data)).await?;
        sink.close().await?;
        if rows.pooled.is_some() {
            tx.batch_execute(&format!(
                "INSERT INTO {table} SELECT * FROM atrium_load; DROP TABLE atrium_load"
            ))
            .await?;
        }
    }
    for (table, columns) in BLANKED {
        let set = columns
            .iter()
            .map(|c| format!("{} = NULL", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(", ");
        tx.execute(
            &format!(
                "UPDATE {schema}.{} SET {set} {only_tenant}",
                quote_ident(table)
            ),
            &[&tenant],
        )
        .await?;
    }
    set_sequences(tx, rows).await?;
    Ok(())
}

/// Serial columns continue after the tenant's rows. A pool's sequences are shared by
/// its tenants, so they only ever move forward.
pub(crate) async fn set_sequences<C: GenericClient>(db: &C, rows: Rows<'_>) -> anyhow::Result<()> {
    let found = db
        .query(
            "SELECT c.relname::text, a.attname::text,
                    pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             WHERE n.nspname = $1 AND c.relkind = 'r'
               AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL",
            &[&rows.schema],
        )
        .await?;
    let filter = match rows.pooled {
        Some(_) => format!("WHERE {POOL_KEY} = $2"),
        None => "WHERE $2::uuid IS NULL".to_owned(),
    };
    for r in found {
        let (table, column, sequence): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        // `sequence` comes quoted from pg_get_serial_sequence.
        db.execute(
            &format!(
                "SELECT setval($1::text::regclass, greatest(m, (SELECT last_value FROM {sequence})))
                 FROM (SELECT max({col}) AS m FROM {schema}.{table} {filter}) x
                 WHERE m IS NOT NULL",
                col = quote_ident(&column),
                schema = quote_ident(rows.schema),
                table = quote_ident(&table),
            ),
            &[&sequence, &rows.pooled],
        )
        .await?;
    }
    Ok(())
}

/// The tenant's rows deleted from every table (sessions too), for a restore that
/// replaces its data: a schema's tables emptied in one statement, or its rows in a pool.
/// Inside the caller's transaction.
pub(crate) async fn empty_rows(
    tx: &tokio_postgres::Transaction<'_>,
    rows: Rows<'_>,
) -> anyhow::Result<()> {
    if let Some(tenant) = rows.pooled {
        return Ok(crate::lifecycle::erase_pooled_rows(tx, rows.schema, tenant).await?);
    }
    let tables = tables_in_order(tx, rows.schema).await?;
    if tables.is_empty() {
        return Ok(());
    }
    let schema = quote_ident(rows.schema);
    let list = tables
        .iter()
        .map(|t| format!("{schema}.{}", quote_ident(&t.name)))
        .collect::<Vec<_>>()
        .join(", ");
    tx.batch_execute(&format!("TRUNCATE {list}")).await?;
    Ok(())
}

fn bytes_of(s: &str) -> bytes::Bytes {
    bytes::Bytes::copy_from_slice(s.as_bytes())
}

pub(crate) struct Block {
    pub(crate) table: String,
    columns: Vec<String>,
    data: String,
}

impl Block {
    /// Rows in the block (one line each in COPY's text format).
    pub(crate) fn rows(&self) -> usize {
        self.data.lines().count()
    }
}

/// Reads `COPY "t" ("a", "b") FROM stdin;` blocks. Names are re-validated: a tampered
/// file can't smuggle SQL through them.
fn parse_blocks(text: &str) -> anyhow::Result<Vec<Block>> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("COPY ") else {
            continue;
        };
        let rest = rest
            .strip_suffix(" FROM stdin;")
            .context("malformed COPY line")?;
        let (table, cols) = rest.split_once(" (").context("malformed COPY line")?;
        let cols = cols.strip_suffix(')').context("malformed COPY line")?;
        let unquote = |s: &str| -> anyhow::Result<String> {
            let s = s
                .trim()
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .context("unquoted name")?;
            anyhow::ensure!(is_plain_identifier(s), "bad identifier {s:?}");
            Ok(s.to_owned())
        };
        let table = unquote(table)?;
        let columns = cols
            .split(',')
            .map(unquote)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut data = String::new();
        for row in lines.by_ref() {
            if row == "\\." {
                break;
            }
            data.push_str(row);
            data.push('\n');
        }
        blocks.push(Block {
            table,
            columns,
            data,
        });
    }
    Ok(blocks)
}

/// `"a", "b"`: quoted column names for a COPY.
fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}
