#!/bin/sh
set -eu
mkdir -p /var/lib/clickhouse /var/log/clickhouse-server
chown -R clickhouse:clickhouse /var/lib/clickhouse /var/log/clickhouse-server
exec runuser -u clickhouse -- clickhouse-server --config-file=/etc/clickhouse-server/config.xml
