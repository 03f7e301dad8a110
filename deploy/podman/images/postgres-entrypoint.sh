#!/bin/sh
# Minimal stand-in for the official postgres image's contract, for offline tests:
# POSTGRES_PASSWORD, data in /var/lib/postgresql/data (PGDATA), initdb on first start,
# arguments (`-c name=value`) passed on to postgres.
set -eu
PGDATA="${PGDATA:-/var/lib/postgresql/data/pgdata}"
BIN=/usr/lib/postgresql/15/bin
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres "$(dirname "$PGDATA")" /var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > /tmp/pw
  chown postgres /tmp/pw
  runuser -u postgres -- "$BIN/initdb" -D "$PGDATA" -U postgres --auth=scram-sha-256 --pwfile=/tmp/pw -E UTF8 --no-locale >/dev/null
  rm -f /tmp/pw
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
# setpriv execs (runuser would stay PID 1 and not pass SIGINT on: every stop took
# Podman's full 10 s and ended in SIGKILL and crash recovery).
exec setpriv --reuid=postgres --regid=postgres --init-groups "$BIN/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"
