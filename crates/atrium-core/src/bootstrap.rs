//! One-time, superuser-level setup of a database for Atrium: the database itself, the
//! control plane's login role (owns the database, runs all DDL) and the data plane's
//! login role (NOINHERIT, no CREATE anywhere). Everything after this runs with those two
//! roles only.
//!
//! Neither login role has CREATEROLE: on PostgreSQL 15 a CREATEROLE role may grant
//! itself any non-superuser role, including `pg_execute_server_program`, which runs
//! shell commands as the server's OS user. Tenant roles are made and dropped instead by
//! two `SECURITY DEFINER` functions in the schema `atrium_roles`, owned by a NOLOGIN
//! role that nobody is a member of (the grantor). REPLICATION, which moves between tiers
//! need for a logical replication slot, is held the same way (the replicator). They accept only names of the
//! deployment's tenant-role shape and grant only to the api role, so the control plane
//! keeps its job and loses the escalation. (PostgreSQL 16 restricts CREATEROLE itself;
//! the functions work the same there.)

use crate::{
    db::{exists, CatalogObject},
    tenancy::{is_plain_identifier, quote_ident, quote_literal},
};

pub struct Bootstrap<'a> {
    pub database: &'a str,
    pub control_role: &'a str,
    pub control_password: &'a str,
    pub api_role: &'a str,
    pub api_password: &'a str,
    /// Tenant roles are named `<role_prefix>t_<slug>`; the grantor functions refuse
    /// any other name.
    pub role_prefix: &'a str,
}

/// The schema holding the grantor functions.
pub const ROLES_SCHEMA: &str = "atrium_roles";

/// The NOLOGIN role owning the grantor functions: the only holder of CREATEROLE.
pub fn grantor_role(control_role: &str) -> String {
    format!("{control_role}_grantor")
}

/// `atrium tenant psql`'s login roles are `<role_prefix>psql_<16 hex digits>`.
pub const CONSOLE_ROLE_INFIX: &str = "psql_";

/// The schema holding the replication-slot functions of moves between tiers.
pub const SLOTS_SCHEMA: &str = "atrium_slots";

/// The NOLOGIN role owning the slot functions: the only holder of REPLICATION. Like the
/// grantor, it keeps an attribute away from the control role: a login role with
/// REPLICATION could stream the WAL of every database in the cluster.
pub fn replicator_role(control_role: &str) -> String {
    format!("{control_role}_replicator")
}

/// The shape of a move's slot name (`atrium-control` `moves`): the slot functions
/// refuse any other.
pub const MOVE_SLOT_SHAPE: &str = "^atrium_move_[0-9a-f]{32}$";

/// Idempotent: roles and database that already exist get their passwords and
/// attributes re-applied.
pub async fn run(superuser_url: &str, b: &Bootstrap<'_>) -> anyhow::Result<()> {
    let grantor = grantor_role(b.control_role);
    let replicator = replicator_role(b.control_role);
    anyhow::ensure!(
        b.role_prefix.is_empty() || is_plain_identifier(b.role_prefix),
        "{:?} is not a plain lowercase prefix",
        b.role_prefix
    );
    for name in [
        b.database,
        b.control_role,
        b.api_role,
        grantor.as_str(),
        replicator.as_str(),
    ] {
        anyhow::ensure!(
            is_plain_identifier(name),
            "{name:?} is not a plain lowercase identifier"
        );
    }
    let (client, conn) = crate::db::connect_one(superuser_url, "atrium-bootstrap").await?;
    tokio::spawn(conn);
    for (role, password, attrs) in [
        (
            b.control_role,
            b.control_password,
            "LOGIN NOCREATEROLE NOSUPERUSER NOCREATEDB NOBYPASSRLS",
        ),
        (
            b.api_role,
            b.api_password,
            "LOGIN NOINHERIT NOCREATEROLE NOSUPERUSER NOCREATEDB NOBYPASSRLS",
        ),
    ] {
        let exists = exists(&client, CatalogObject::Role, role).await?;
        let verb = if exists { "ALTER" } else { "CREATE" };
        client
            .batch_execute(&format!(
                "{verb} ROLE {} {attrs} PASSWORD {}",
                quote_ident(role),
                quote_literal(password)?
            ))
            .await?;
    }
    for (role, attrs) in [
        (&grantor, "NOLOGIN CREATEROLE NOSUPERUSER NOCREATEDB"),
        (
            &replicator,
            "NOLOGIN REPLICATION NOCREATEROLE NOSUPERUSER NOCREATEDB NOBYPASSRLS",
        ),
    ] {
        let verb = if exists(&client, CatalogObject::Role, role).await? {
            "ALTER"
        } else {
            "CREATE"
        };
        client
            .batch_execute(&format!("{verb} ROLE {} {attrs}", quote_ident(role)))
            .await?;
    }
    let db_exists = exists(&client, CatalogObject::Database, b.database).await?;
    if !db_exists {
        client
            .batch_execute(&format!(
                "CREATE DATABASE {} OWNER {}",
                quote_ident(b.database),
                quote_ident(b.control_role)
            ))
            .await?;
    }
    drop(client);

    // Inside the new database: nobody but the owner may create anything.
    let db_url = replace_database(superuser_url, b.database)?;
    let (client, conn) = crate::db::connect_one(&db_url, "atrium-bootstrap").await?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!(
            "REVOKE ALL ON SCHEMA public FROM PUBLIC;
             REVOKE CREATE, TEMPORARY ON DATABASE {db} FROM PUBLIC;
             GRANT CONNECT ON DATABASE {db} TO {api};
             ALTER SCHEMA public OWNER TO {ctl};",
            db = quote_ident(b.database),
            api = quote_ident(b.api_role),
            ctl = quote_ident(b.control_role),
        ))
        .await?;
    client
        .batch_execute(&grantor_functions(b, &grantor)?)
        .await?;
    client
        .batch_execute(&slot_functions(b, &replicator)?)
        .await?;
    client.batch_execute(&subscription_functions(b)?).await?;
    Ok(())
}

/// The schema holding what a move between clusters needs of logical replication that
/// PostgreSQL 15 grants superusers only (docs/scale-out.md, "Moves between clusters").
pub const SUBS_SCHEMA: &str = "atrium_subs";

/// A move between clusters copies a tenant with PostgreSQL's own logical replication: a
/// publication on the source, a subscription on the target. On PostgreSQL 15 only a
/// superuser may make a subscription, or a login role with REPLICATION for the target to
/// connect as. These functions are owned by the superuser that runs the bootstrap and do
/// only that, for names of a move's shape: the control role gets one narrow door instead
/// of the attribute. (PostgreSQL 16's `pg_create_subscription` role makes `subscribe`
/// unnecessary there; the rest stays.)
fn subscription_functions(b: &Bootstrap<'_>) -> anyhow::Result<String> {
    let shape = quote_literal(MOVE_SLOT_SHAPE)?;
    Ok(format!(
        r#"CREATE SCHEMA IF NOT EXISTS {schema};
        REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
        GRANT USAGE ON SCHEMA {schema} TO {ctl};

        CREATE OR REPLACE FUNCTION {schema}.move_name(name text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          IF name IS NULL OR name !~ {shape} THEN
            RAISE EXCEPTION 'not a move name: %', name USING ERRCODE = '42501';
          END IF;
          RETURN name;
        END $fn$;

        CREATE OR REPLACE FUNCTION {schema}.move_secret(password text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          IF password IS NULL OR password !~ '^[0-9a-f]{{32,64}}$' THEN
            RAISE EXCEPTION 'a move password is 32 to 64 hex digits' USING ERRCODE = '22023';
          END IF;
          RETURN password;
        END $fn$;

        -- Source side: the role the target's subscription connects as. It can stream
        -- (REPLICATION) and read what the control role grants it, and expires by itself.
        CREATE OR REPLACE FUNCTION {schema}.open_feed(name text, password text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE
          verb text := CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = name)
                            THEN 'ALTER' ELSE 'CREATE' END;
        BEGIN
          EXECUTE format('%s ROLE %I LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE '
                         'NOBYPASSRLS CONNECTION LIMIT 8 PASSWORD %L VALID UNTIL %L',
                         verb, {schema}.move_name(name), {schema}.move_secret(password),
                         (now() + interval '2 days')::text);
        END $fn$;

        CREATE OR REPLACE FUNCTION {schema}.close_feed(name text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          IF EXISTS (SELECT FROM pg_roles WHERE rolname = {schema}.move_name(name)) THEN
            EXECUTE format('DROP OWNED BY %I', name);
            EXECUTE format('DROP ROLE %I', name);
          END IF;
        END $fn$;

        -- Target side: a subscription to the source's publication of the same name,
        -- through its slot of the same name (made beforehand, at the copy's start), as
        -- its feed role. The connection string is built here from checked parts only.
        CREATE OR REPLACE FUNCTION {schema}.subscribe(
            name text, host text, port integer, dbname text, password text
        ) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          IF host IS NULL OR host !~ '^[A-Za-z0-9._:-]{{1,253}}$' OR port IS NULL
             OR port NOT BETWEEN 1 AND 65535 OR dbname IS NULL OR dbname !~ '^[a-z_][a-z0-9_]{{0,62}}$' THEN
            RAISE EXCEPTION 'not a host, port and database' USING ERRCODE = '22023';
          END IF;
          EXECUTE format('CREATE SUBSCRIPTION %I CONNECTION %L PUBLICATION %I '
                         'WITH (create_slot = false, slot_name = %L, copy_data = true)',
                         {schema}.move_name(name),
                         format('host=%s port=%s dbname=%s user=%s password=%s connect_timeout=5',
                                host, port, dbname, name, {schema}.move_secret(password)),
                         name, name);
        END $fn$;

        -- The slot stays: the source's control plane drops it (atrium_slots.drop_slot).
        CREATE OR REPLACE FUNCTION {schema}.unsubscribe(name text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          IF EXISTS (SELECT FROM pg_subscription WHERE subname = {schema}.move_name(name)) THEN
            EXECUTE format('ALTER SUBSCRIPTION %I DISABLE', name);
            EXECUTE format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', name);
            EXECUTE format('DROP SUBSCRIPTION %I', name);
          END IF;
        END $fn$;

        -- How far a subscription is: its tables, those copied and following (state r),
        -- and the source's position it has received and written.
        CREATE OR REPLACE FUNCTION {schema}.subscription(name text)
        RETURNS TABLE (tables integer, ready integer, received pg_lsn)
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
          SELECT count(r.srrelid)::integer, (count(r.srrelid) FILTER (WHERE r.srsubstate = 'r'))::integer,
                 (SELECT max(st.latest_end_lsn) FROM pg_stat_subscription st WHERE st.subid = s.oid)
            FROM pg_subscription s LEFT JOIN pg_subscription_rel r ON r.srsubid = s.oid
           WHERE s.subname = {schema}.move_name(name) AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           GROUP BY s.oid
        $fn$;

        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM PUBLIC;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {ctl};"#,
        schema = SUBS_SCHEMA,
        ctl = quote_ident(b.control_role),
    ))
}

/// What a move between tiers needs of logical replication, as four functions owned by
/// the replicator: make, read, advance and drop a slot named like a move's, decoding
/// with `pgoutput` for the move's publication.
fn slot_functions(b: &Bootstrap<'_>, replicator: &str) -> anyhow::Result<String> {
    let shape = quote_literal(MOVE_SLOT_SHAPE)?;
    Ok(format!(
        r#"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {replicator};
        REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
        GRANT USAGE ON SCHEMA {schema} TO {ctl};
        SET ROLE {replicator};

        CREATE OR REPLACE FUNCTION {schema}.move_slot(name text) RETURNS name
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          IF name IS NULL OR name !~ {shape} THEN
            RAISE EXCEPTION 'not a move slot name: %', name USING ERRCODE = '42501';
          END IF;
          RETURN name;
        END $fn$;

        CREATE OR REPLACE FUNCTION {schema}.create_slot(name text) RETURNS pg_lsn
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
          SELECT lsn FROM pg_create_logical_replication_slot({schema}.move_slot(name), 'pgoutput')
        $fn$;

        -- Reads without consuming: what was applied is confirmed by advance_slot.
        CREATE OR REPLACE FUNCTION {schema}.peek_slot(name text, publication text, upto pg_lsn, most integer)
        RETURNS TABLE (lsn pg_lsn, data bytea)
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
          SELECT lsn, data FROM pg_logical_slot_peek_binary_changes(
            {schema}.move_slot(name), upto, most,
            'proto_version', '1', 'publication_names', publication)
        $fn$;

        CREATE OR REPLACE FUNCTION {schema}.advance_slot(name text, upto pg_lsn) RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
          SELECT FROM pg_replication_slot_advance({schema}.move_slot(name), upto)
        $fn$;

        CREATE OR REPLACE FUNCTION {schema}.drop_slot(name text) RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
          SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
          WHERE slot_name = {schema}.move_slot(name)
        $fn$;

        RESET ROLE;
        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM PUBLIC;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {ctl};"#,
        schema = SLOTS_SCHEMA,
        replicator = quote_ident(replicator),
        ctl = quote_ident(b.control_role),
    ))
}

/// The schema and its two functions, created as the grantor so that it owns them.
fn grantor_functions(b: &Bootstrap<'_>, grantor: &str) -> anyhow::Result<String> {
    // A tenant's role, or a pool's (shared by the pooled tier's tenants of one pool). A
    // role that bypasses row-level security would open a pool to every query: none of
    // these roles, nor the login roles, may have BYPASSRLS.
    let shape = quote_literal(&format!(
        "^{}(t_[a-z][a-z0-9_]{{2,39}}|pool_(0[1-9]|[1-9][0-9]))$",
        b.role_prefix
    ))?;
    let api = quote_literal(b.api_role)?;
    Ok(format!(
        r#"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {grantor};
        REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
        GRANT USAGE ON SCHEMA {schema} TO {ctl};
        SET ROLE {grantor};

        CREATE OR REPLACE FUNCTION {schema}.tenant_role_name(name text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          IF name IS NULL OR name !~ {shape} THEN
            RAISE EXCEPTION 'not a tenant role name: %', name USING ERRCODE = '42501';
          END IF;
          RETURN name;
        END $fn$;

        -- Creates the tenant's NOLOGIN role if missing and lets the api role become it.
        CREATE OR REPLACE FUNCTION {schema}.create_tenant_role(name text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE r record;
        BEGIN
          PERFORM {schema}.tenant_role_name(name);
          SELECT rolcanlogin, rolsuper, rolcreaterole, rolbypassrls INTO r
            FROM pg_roles WHERE rolname = name;
          IF NOT FOUND THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', name);
          ELSIF r.rolcanlogin OR r.rolsuper OR r.rolcreaterole OR r.rolbypassrls THEN
            RAISE EXCEPTION 'role % exists and is not a tenant role', name USING ERRCODE = '42501';
          END IF;
          EXECUTE format('GRANT %I TO %I', name, {api});
        END $fn$;

        -- Drops the tenant's role, once its schema (and with it its grants) is gone.
        CREATE OR REPLACE FUNCTION {schema}.drop_tenant_role(name text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          PERFORM {schema}.tenant_role_name(name);
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('REVOKE %I FROM %I', name, {api});
            EXECUTE format('DROP ROLE %I', name);
          END IF;
        END $fn$;

        -- `atrium tenant psql`: a login role that can act as one schema-tier tenant only
        -- and expires by itself. NOINHERIT: until it becomes the tenant's role (psql asks
        -- at login, `-c role=`; a role default can't be set here, PostgreSQL refuses `role`
        -- inside a SECURITY DEFINER function) it holds nothing, and SET ROLE NONE gives back
        -- nothing but that one door.
        CREATE OR REPLACE FUNCTION {schema}.open_console(
            name text, tenant_role text, tenant_schema text, password text, minutes integer
        ) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
          IF name IS NULL OR name !~ {console_shape} THEN
            RAISE EXCEPTION 'not a console role name: %', name USING ERRCODE = '42501';
          END IF;
          IF tenant_role IS NULL OR tenant_role !~ {tenant_shape}
             OR tenant_role <> {prefix} || tenant_schema THEN
            RAISE EXCEPTION 'not a schema-tier tenant: %', tenant_role USING ERRCODE = '42501';
          END IF;
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = tenant_role AND NOT rolcanlogin) THEN
            RAISE EXCEPTION 'no tenant role %', tenant_role USING ERRCODE = '42704';
          END IF;
          IF password IS NULL OR password !~ '^[0-9a-f]{{32,64}}$' OR minutes IS NULL
             OR minutes NOT BETWEEN 1 AND 1440 THEN
            RAISE EXCEPTION 'a console needs a 32 to 64 hex digit password and 1 to 1440 minutes'
              USING ERRCODE = '22023';
          END IF;
          EXECUTE format('CREATE ROLE %I LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE '
                         'NOBYPASSRLS CONNECTION LIMIT 2 PASSWORD %L VALID UNTIL %L',
                         name, password, (now() + make_interval(mins => minutes))::text);
          EXECUTE format('GRANT %I TO %I', tenant_role, name);
          EXECUTE format('ALTER ROLE %I SET search_path = %I', name, tenant_schema);
        END $fn$;

        -- Drops the console role `name`, and every console role past its expiry.
        CREATE OR REPLACE FUNCTION {schema}.close_consoles(name text) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        DECLARE r record; n integer := 0;
        BEGIN
          FOR r IN SELECT rolname FROM pg_roles
                    WHERE rolname ~ {console_shape} AND rolcanlogin
                      AND (rolname = name OR rolvaliduntil < now()) LOOP
            EXECUTE format('DROP ROLE %I', r.rolname);
            n := n + 1;
          END LOOP;
          RETURN n;
        END $fn$;

        RESET ROLE;
        -- PostgreSQL 16 lets a CREATEROLE role grant or drop only roles it holds with
        -- ADMIN OPTION. Tenant roles the control role made before the grantor existed
        -- are handed over, so the grantor can still drop them.
        DO $do$ DECLARE r record; BEGIN
          IF current_setting('server_version_num')::int >= 160000 THEN
            FOR r IN SELECT rolname FROM pg_roles
                     WHERE rolname ~ {shape} AND NOT rolcanlogin AND NOT rolsuper LOOP
              EXECUTE format('GRANT %I TO %I WITH ADMIN OPTION', r.rolname, {grantor_lit});
            END LOOP;
          END IF;
        END $do$;
        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION {schema}.create_tenant_role(text), {schema}.drop_tenant_role(text),
          {schema}.open_console(text, text, text, text, integer), {schema}.close_consoles(text)
          TO {ctl};"#,
        schema = ROLES_SCHEMA,
        console_shape = quote_literal(&format!(
            "^{}{CONSOLE_ROLE_INFIX}[0-9a-f]{{16}}$",
            b.role_prefix
        ))?,
        tenant_shape = quote_literal(&format!("^{}t_[a-z][a-z0-9_]{{2,39}}$", b.role_prefix))?,
        prefix = quote_literal(b.role_prefix)?,
        grantor = quote_ident(grantor),
        grantor_lit = quote_literal(grantor)?,
        ctl = quote_ident(b.control_role),
    ))
}

/// Points a `postgres://` URL at another database.
pub fn replace_database(url: &str, database: &str) -> anyhow::Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base
        .find("://")
        .map(|i| i + 3)
        .ok_or_else(|| anyhow::anyhow!("not a URL"))?;
    let host_part = &base[scheme_end..];
    let host_end = host_part
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..host_end], database);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn swaps_the_database() {
        assert_eq!(
            replace_database("postgres://u:p@h:1/postgres?sslmode=disable", "x")
                .ok()
                .as_deref(),
            Some("postgres://u:p@h:1/x?sslmode=disable")
        );
        assert_eq!(
            replace_database("postgres://u@h:1", "x").ok().as_deref(),
            Some("postgres://u@h:1/x")
        );
    }
}
