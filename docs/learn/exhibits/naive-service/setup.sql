-- The exhibit's own database, made again from nothing on every run: two tenants the
-- naive way (a schema each, one all-powerful login for the service). Run as a superuser:
--   psql "$SUPERUSER_URL" -f docs/learn/exhibits/naive-service/setup.sql
DROP DATABASE IF EXISTS atrium_exhibit WITH (FORCE);
CREATE DATABASE atrium_exhibit;
\c atrium_exhibit
CREATE SCHEMA tenant_acme;
CREATE SCHEMA tenant_globex;
CREATE TABLE tenant_acme.customers (name text NOT NULL);
CREATE TABLE tenant_globex.customers (name text NOT NULL);
INSERT INTO tenant_acme.customers VALUES ('Acme: Wile E. Coyote'), ('Acme: Road Runner');
INSERT INTO tenant_globex.customers VALUES ('Globex: Hank Scorpio'), ('Globex: Homer Simpson');
