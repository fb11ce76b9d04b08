#!/usr/bin/env bash
# The side-by-side benchmark: careergraph and PostGraphile 5 on one
# PostgreSQL 15 database, the same operations interleaved at 1, 8 and 32 in
# flight, statements per request from pg_stat_statements, resident memory,
# and (with --pgbench) pgbench running the SQL careergraph issued.
#
#   bash benches/peer/run.sh            # the table
#   bash benches/peer/run.sh --pgbench  # the table and the pgbench comparison
#   bash benches/peer/run.sh --instructions 200  # careergraph's instructions
#                                       # per request, counted by callgrind
#
# Any further arguments go to the driver (benches/peer/driver.rs; --help).
# PEER_BENCH_CAREERGRAPH_BIN=path measures that careergraph binary instead
# of building one.
# The database lives in $PEER_BENCH_DIR (default /tmp/careergraph-peer-bench)
# and is seeded once (`careergraph seed --users 20000 --jobs 5000
# --applications 100000`); delete the directory to start over.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${PEER_BENCH_DIR:-/tmp/careergraph-peer-bench}
users=${PEER_BENCH_USERS:-20000}
jobs=${PEER_BENCH_JOBS:-5000}
applications=${PEER_BENCH_APPLICATIONS:-100000}
careergraph_port=${PEER_BENCH_CAREERGRAPH_PORT:-8091}
postgraphile_port=${PEER_BENCH_POSTGRAPHILE_PORT:-5678}

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# PostgreSQL refuses to run as root; run its binaries as `postgres` then.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_bin() {
    local name=$1
    if command -v "$name" >/dev/null; then command -v "$name"; return; fi
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
    done
    echo "no $name: install PostgreSQL (apt-get install postgresql postgresql-contrib)" >&2
    exit 1
}

# PEER_BENCH_CAREERGRAPH_BIN measures another build (e.g. the one before a change).
log "building careergraph (release) and the driver"
if [ -n "${PEER_BENCH_CAREERGRAPH_BIN:-}" ]; then
    (cd "$root" && cargo build --release --quiet --example peer)
    careergraph=$PEER_BENCH_CAREERGRAPH_BIN
else
    (cd "$root" && cargo build --release --quiet --bin careergraph --example peer)
    careergraph="$root/target/release/careergraph"
fi
driver="$root/target/release/examples/peer"

log "installing PostGraphile (benches/peer/package-lock.json)"
if [ ! -x "$here/node_modules/.bin/node" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
node="$here/node_modules/.bin/node"

mkdir -p "$work"
socket="$work/socket"
cluster="$work/pg"
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; fi
if [ ! -f "$cluster/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $cluster"
    as_pg "$(pg_bin initdb)" -D "$cluster" -U postgres --auth=trust -E UTF8 >/dev/null
    mkdir -p "$socket"
    if [ "$(id -u)" = 0 ]; then chown postgres "$socket"; fi
    cat >>"$cluster/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$socket'
max_connections = 200
shared_buffers = 512MB
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = top
pg_stat_statements.max = 10000
# The driver reads one request's statements from the log for --pgbench.
log_line_prefix = '%m [%p] %u '
EOF
fi

servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
    as_pg "$(pg_bin pg_ctl)" -D "$cluster" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "starting PostgreSQL"
as_pg "$(pg_bin pg_ctl)" -D "$cluster" -l "$work/postgres.log" -w start >/dev/null
psql_admin() { "$(pg_bin psql)" -h "$socket" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
if ! psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'careergraph'" | grep -q 1; then
    psql_admin -d postgres -c "CREATE DATABASE careergraph"
fi
psql_admin -d careergraph -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
# One role per server, so pg_stat_statements tells their statements apart.
for role in careergraph postgraphile; do
    if ! psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'" | grep -q 1; then
        psql_admin -d postgres -c "CREATE ROLE $role LOGIN SUPERUSER"
    fi
done
database_url() { echo "postgres://$1@localhost/careergraph?host=$socket"; }
export DATABASE_URL
DATABASE_URL=$(database_url careergraph)

"$careergraph" migrate
if [ ! -f "$work/seeded" ]; then
    log "seeding $users users, $jobs jobs, $applications applications"
    "$careergraph" seed --users "$users" --jobs "$jobs" --applications "$applications"
    psql_admin -d careergraph -c "VACUUM ANALYZE"
    touch "$work/seeded"
fi

# --instructions runs careergraph under callgrind, counting nothing until
# the driver turns it on around each operation's requests.
under=()
for arg in "$@"; do
    case $arg in
    --instructions | --instructions=*)
        command -v valgrind >/dev/null || { echo "--instructions needs valgrind (apt-get install valgrind)" >&2; exit 1; }
        rm -f "$work"/callgrind.out*
        under=(valgrind --tool=callgrind --instr-atstart=no "--callgrind-out-file=$work/callgrind.out"
            "--log-file=$work/callgrind.log")
        set -- "$@" --callgrind-out "$work/callgrind.out"
        break
        ;;
    esac
done

log "starting careergraph on 127.0.0.1:$careergraph_port"
RUST_LOG=warn "${under[@]}" "$careergraph" serve --listen "127.0.0.1:$careergraph_port" >"$work/careergraph.log" 2>&1 &
servers+=($!)
careergraph_pid=$!

log "starting PostGraphile on 127.0.0.1:$postgraphile_port"
DATABASE_URL=$(database_url postgraphile) NODE_ENV=production PORT=$postgraphile_port "$node" "$here/postgraphile.mjs" >"$work/postgraphile.log" 2>&1 &
servers+=($!)
postgraphile_pid=$!

"$driver" \
    --careergraph "http://127.0.0.1:$careergraph_port" --careergraph-pid "$careergraph_pid" \
    --postgraphile "http://127.0.0.1:$postgraphile_port" --postgraphile-pid "$postgraphile_pid" \
    --database-url "$(database_url postgres)" --pgbench-bin "$(pg_bin pgbench)" \
    --postgres-log "$work/postgres.log" --pgbench-dir "$work/pgbench" "$@"
