//! How much a pooled tenant stores. Its rows share tables with its pool's other tenants,
//! so there is no schema to measure: the size of its rows in every table of the pool
//! (`pg_column_size`), scaled by the pool's ratio of total size (indexes, TOAST, free
//! space) to table size. An estimate, read through the tenant's index: the cost follows
//! the tenant's own rows, not the pool's.

use atrium_core::tenancy::quote_ident;
use tokio_postgres::GenericClient;

use crate::export::{tables_in_order, POOL_KEY};

/// The statement measuring one tenant of `pool` (`$1` its id), for the transaction that
/// set `atrium.tenant_id` to it.
pub(crate) async fn size_sql<C: GenericClient>(db: &C, pool: &str) -> anyhow::Result<String> {
    let schema = quote_ident(pool);
    let rows = tables_in_order(db, pool)
        .await?
        .iter()
        .map(|t| {
            format!(
                "(SELECT coalesce(sum(pg_column_size(x.*)), 0) FROM {schema}.{} x WHERE x.{POOL_KEY} = $1)",
                quote_ident(&t.name)
            )
        })
        .collect::<Vec<_>>()
        .join(" + ");
    let rows = if rows.is_empty() {
        "0".to_owned()
    } else {
        rows
    };
    Ok(format!(
        "SELECT round(({rows}) * (
             SELECT coalesce(sum(pg_total_relation_size(c.oid))::float8
                             / nullif(sum(pg_relation_size(c.oid)), 0), 1)
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = {lit} AND c.relkind = 'r'))::bigint, 0::bigint",
        lit = atrium_core::tenancy::quote_literal(pool)?
    ))
}
