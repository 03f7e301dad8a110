//! Applying a tenant's decoded changes to its new placement, in the order they
//! committed, skipping the transactions the copy already holds.

use std::collections::{HashMap, HashSet};

use anyhow::{bail, Context};
use atrium_core::tenancy::quote_ident;
use tokio_postgres::{types::Type, GenericClient};
use uuid::Uuid;

use super::pgoutput::{Message, Relation, Tuple, Value};
use crate::export::POOL_KEY;

/// Which transactions a snapshot sees (`pg_current_snapshot()`): those the copy made
/// under it already holds.
#[derive(Debug, Clone)]
pub struct Snapshot {
    xmin: u32,
    xmax: u32,
    running: HashSet<u32>,
}

impl Snapshot {
    /// `xmin:xmax:xip,...` as `pg_snapshot` prints it. Decoding names a transaction by
    /// its 32-bit xid, so the epoch is dropped and comparisons wrap, as PostgreSQL's do.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut parts = text.split(':');
        let mut xid = |s: &str| -> anyhow::Result<u32> { Ok(s.parse::<u64>()? as u32) };
        let xmin = xid(parts.next().context("snapshot without xmin")?)?;
        let xmax = xid(parts.next().context("snapshot without xmax")?)?;
        let running = parts
            .next()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(&mut xid)
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            xmin,
            xmax,
            running,
        })
    }

    pub fn sees(&self, xid: u32) -> bool {
        let precedes = |a: u32, b: u32| (a.wrapping_sub(b) as i32) < 0;
        precedes(xid, self.xmin) || (precedes(xid, self.xmax) && !self.running.contains(&xid))
    }
}

/// A table of the new placement: its columns (without a pool's `tenant_id`) and their
/// types, which values in text form are cast to.
struct TargetTable {
    types: HashMap<String, String>,
}

/// Where changes go and how many went.
pub struct Applier {
    schema: String,
    /// Set when the new placement is a pool: every row gets this `tenant_id`.
    pooled: Option<Uuid>,
    tables: HashMap<String, TargetTable>,
    relations: HashMap<u32, Relation>,
    /// The snapshot the copy was made under.
    copied: Snapshot,
    /// Whether the current transaction's changes are applied (false: already copied).
    applying: bool,
    pub applied: u64,
    /// The end of the last transaction seen: where the slot is confirmed to.
    pub confirmed: Option<u64>,
}

impl Applier {
    pub async fn new<C: GenericClient>(
        db: &C,
        schema: &str,
        pooled: Option<Uuid>,
        copied: Snapshot,
    ) -> anyhow::Result<Self> {
        let rows = db
            .query(
                "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 WHERE n.nspname = $1 AND c.relkind = 'r'",
                &[&schema],
            )
            .await?;
        let mut tables: HashMap<String, TargetTable> = HashMap::new();
        for r in rows {
            let column: String = r.get(1);
            if column == POOL_KEY {
                continue;
            }
            tables
                .entry(r.get(0))
                .or_insert_with(|| TargetTable {
                    types: HashMap::new(),
                })
                .types
                .insert(column, r.get(2));
        }
        Ok(Self {
            schema: schema.to_owned(),
            pooled,
            tables,
            relations: HashMap::new(),
            copied,
            applying: false,
            applied: 0,
            confirmed: None,
        })
    }

    /// Applies one decoded message on `db` (the batch's transaction).
    pub async fn apply<C: GenericClient>(&mut self, db: &C, m: Message) -> anyhow::Result<()> {
        match m {
            Message::Begin { xid } => self.applying = !self.copied.sees(xid),
            Message::Commit { end_lsn } => self.confirmed = Some(end_lsn),
            Message::Relation(r) => {
                self.relations.insert(r.id, r);
            }
            Message::Insert { rel, new } if self.applying => {
                let (sql, params) = self.insert(rel, &new)?;
                self.run(db, &sql, params, Expect::One).await?;
            }
            Message::Update { rel, key, new } if self.applying => {
                let (sql, params) = self.update(rel, key.as_ref().unwrap_or(&new), &new)?;
                self.run(db, &sql, params, Expect::One).await?;
            }
            // A parent's delete cascades in the new placement as it did in the old: the
            // children's own deletes may then find nothing.
            Message::Delete { rel, key } if self.applying => {
                let (sql, params) = self.delete(rel, &key)?;
                self.run(db, &sql, params, Expect::AtMostOne).await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn run<C: GenericClient>(
        &mut self,
        db: &C,
        sql: &str,
        params: Vec<Option<String>>,
        expect: Expect,
    ) -> anyhow::Result<()> {
        let stmt = db
            .prepare_typed(sql, &vec![Type::TEXT; params.len()])
            .await?;
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            params.iter().map(|p| p as _).collect();
        let n = db.execute(&stmt, &refs).await?;
        if n > 1 || (n == 0 && expect == Expect::One) {
            bail!(
                "a replayed change touched {n} rows of {}: {sql}",
                self.schema
            );
        }
        self.applied += 1;
        Ok(())
    }

    /// The relation's table in the new placement, and its columns that carry values
    /// there (a pool's `tenant_id` is the tenant's, not the source's).
    fn table(&self, rel: u32) -> anyhow::Result<(&Relation, &TargetTable)> {
        let r = self
            .relations
            .get(&rel)
            .context("a change for a relation never described")?;
        let t = self
            .tables
            .get(&r.name)
            .with_context(|| format!("no table {} in {}", r.name, self.schema))?;
        Ok((r, t))
    }

    fn cast(&self, t: &TargetTable, column: &str, n: usize) -> anyhow::Result<String> {
        let ty = t
            .types
            .get(column)
            .with_context(|| format!("no column {column} in {}", self.schema))?;
        Ok(format!("${n}::{ty}"))
    }

    fn qualified(&self, r: &Relation) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&r.name))
    }

    fn insert(&self, rel: u32, new: &Tuple) -> anyhow::Result<(String, Vec<Option<String>>)> {
        let (r, t) = self.table(rel)?;
        let mut columns = Vec::new();
        let mut values = Vec::new();
        let mut params = Vec::new();
        for (c, v) in r.columns.iter().zip(new) {
            if c.name == POOL_KEY {
                continue;
            }
            params.push(text(v)?);
            columns.push(quote_ident(&c.name));
            values.push(self.cast(t, &c.name, params.len())?);
        }
        if let Some(tenant) = self.pooled {
            params.push(Some(tenant.to_string()));
            columns.push(POOL_KEY.to_owned());
            values.push(format!("${}::uuid", params.len()));
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.qualified(r),
            columns.join(", "),
            values.join(", ")
        );
        Ok((sql, params))
    }

    fn update(
        &self,
        rel: u32,
        key: &Tuple,
        new: &Tuple,
    ) -> anyhow::Result<(String, Vec<Option<String>>)> {
        let (r, t) = self.table(rel)?;
        let mut params = Vec::new();
        let mut sets = Vec::new();
        for (c, v) in r.columns.iter().zip(new) {
            if c.name == POOL_KEY || c.key || *v == Value::Unchanged {
                continue;
            }
            params.push(text(v)?);
            sets.push(format!(
                "{} = {}",
                quote_ident(&c.name),
                self.cast(t, &c.name, params.len())?
            ));
        }
        if sets.is_empty() {
            // Only the key changed, or nothing: set a key column to itself so the row
            // is still found, and counted.
            let c = r.columns.iter().find(|c| c.key).context("no key")?;
            sets.push(format!("{0} = {0}", quote_ident(&c.name)));
        }
        let filter = self.key_filter(r, t, key, &mut params)?;
        let sql = format!(
            "UPDATE {} SET {} WHERE {filter}",
            self.qualified(r),
            sets.join(", ")
        );
        Ok((sql, params))
    }

    fn delete(&self, rel: u32, key: &Tuple) -> anyhow::Result<(String, Vec<Option<String>>)> {
        let (r, t) = self.table(rel)?;
        let mut params = Vec::new();
        let filter = self.key_filter(r, t, key, &mut params)?;
        Ok((
            format!("DELETE FROM {} WHERE {filter}", self.qualified(r)),
            params,
        ))
    }

    /// `WHERE` over the key columns (and, in a pool, the tenant).
    fn key_filter(
        &self,
        r: &Relation,
        t: &TargetTable,
        key: &Tuple,
        params: &mut Vec<Option<String>>,
    ) -> anyhow::Result<String> {
        let mut terms = Vec::new();
        for (c, v) in r.columns.iter().zip(key) {
            if !c.key || c.name == POOL_KEY {
                continue;
            }
            params.push(text(v)?);
            terms.push(format!(
                "{} = {}",
                quote_ident(&c.name),
                self.cast(t, &c.name, params.len())?
            ));
        }
        if let Some(tenant) = self.pooled {
            params.push(Some(tenant.to_string()));
            terms.push(format!("{POOL_KEY} = ${}::uuid", params.len()));
        }
        if terms.is_empty() {
            bail!("table {} has no key to find its rows by", r.name);
        }
        Ok(terms.join(" AND "))
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Expect {
    One,
    AtMostOne,
}

fn text(v: &Value) -> anyhow::Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::Text(s) => Ok(Some(s.clone())),
        Value::Unchanged => bail!("an unchanged TOAST value where a value is needed"),
    }
}

#[cfg(test)]
mod tests {
    use super::Snapshot;

    #[test]
    fn a_snapshot_sees_what_committed_before_it() {
        let s = Snapshot::parse("100:105:101,103").expect("parses");
        assert!(s.sees(99) && s.sees(100) && s.sees(102) && s.sees(104));
        assert!(!s.sees(101) && !s.sees(103) && !s.sees(105) && !s.sees(200));
        // Across the wrap of 32-bit xids.
        let s = Snapshot::parse(&format!("{}:{}:", (1u64 << 32) + 5, (1u64 << 32) + 9))
            .expect("parses");
        assert!(s.sees(4) && s.sees(u32::MAX) && !s.sees(9));
    }
}
