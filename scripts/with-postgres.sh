#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL 15 cluster in a temporary folder.
# The server refuses to run as root, so as root it runs as the `postgres` system account.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL 15 未安装：apt-get install -y postgresql-15" >&2; exit 1; }
PORT=${PGPORT_TEST:-$((54000 + RANDOM % 1000))}
DIR=$(mktemp -d /tmp/onewindow-pg.XXXXXX)
chmod 755 "$DIR"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
cleanup() { as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$DIR/data" -U onewindow --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U onewindow onewindow
export DATABASE_URL="postgres://onewindow@127.0.0.1:$PORT/onewindow"
export PGBENCH_URL="$DATABASE_URL"
echo "PostgreSQL 15 临时集群: $DATABASE_URL"
"$@"
