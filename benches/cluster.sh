# What the benchmarks share (benches/peer/run.sh, benches/scaling/run.sh):
# one PostgreSQL 15 cluster in $work, seeded once with the same data set,
# on a unix socket, with pg_stat_statements. Source it to get $work (the
# cluster's directory) and the data set's size (PEER_BENCH_* override them);
# `bench_cluster "$careergraph"` starts
# the cluster (creating and seeding it on first use) and exports
# DATABASE_URL for the `careergraph` role; `servers+=($!)` registers a
# background server to stop on exit, `pid_files+=(FILE)` a daemon's pid file.
# A benchmark with data of its own calls `own_database NAME` (after
# bench_cluster) and `serve_bench PORT`, which start `$careergraph` on it.

work=${PEER_BENCH_DIR:-/tmp/careergraph-peer-bench}
users=${PEER_BENCH_USERS:-20000}
jobs=${PEER_BENCH_JOBS:-5000}
applications=${PEER_BENCH_APPLICATIONS:-100000}

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

# Creates (once), starts and seeds the cluster; stops it and every server in
# $servers on exit.
bench_cluster() {
    local careergraph=$1
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
    pid_files=()
    cleanup() {
        for file in "${pid_files[@]}"; do [ -f "$file" ] && kill "$(cat "$file")" 2>/dev/null || true; done
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
}

# Points DATABASE_URL at the benchmark's own database `name` (created and
# migrated on first use), so the shared data set stays as it is.
own_database() {
    local name=$1
    if ! psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        psql_admin -d postgres -c "CREATE DATABASE $name"
    fi
    export DATABASE_URL="postgres://careergraph@localhost/$name?host=$socket"
    "$careergraph" migrate
}

# Starts `$careergraph serve` on 127.0.0.1:`port` over DATABASE_URL (stopped
# on exit), sets $server (its pid) and $base (its address) and waits until
# it is ready.
serve_bench() {
    local port=$1
    log "starting careergraph on 127.0.0.1:$port"
    CAREERGRAPH_LISTEN=127.0.0.1:$port CAREERGRAPH_JWT_SECRET=bench-secret-bench-secret-bench-secret-bench \
        RUST_LOG=warn "$careergraph" serve &
    server=$!
    servers+=("$server")
    base="http://127.0.0.1:$port"
    for _ in $(seq 100); do curl -sf "$base/health/ready" >/dev/null && break; sleep 0.1; done
}
