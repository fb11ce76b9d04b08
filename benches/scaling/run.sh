#!/usr/bin/env bash
# The scaling benchmark: careergraph deployments side by side on the
# benchmarks' database (benches/cluster.sh, the same data set as
# benches/peer/run.sh), each operation of examples/bench.rs run on every
# setup in turn:
#
#   direct          one process, direct connections, prepared statements
#   direct-unnamed  the same with unnamed statements (DATABASE_POOL_MODE=
#                   transaction): what the statement mode costs by itself
#   pgbouncer       one process through PgBouncer in transaction mode
#   2×pgbouncer+replica  two processes through PgBouncer, each reading
#                   from one streaming replica (requests alternate between
#                   them, as a load balancer would send them)
#
# The replica is made once with pg_basebackup -R in $work/replica. At the end
# it prints the share of reads the replica served.
#
#   bash benches/scaling/run.sh                       # the table
#   bash benches/scaling/run.sh --only search --concurrency 1 --requests 500
#
# Further arguments go to examples/bench.rs (--requests, --concurrency,
# --rounds, --only). Needs pgbouncer (apt-get install pgbouncer).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
first_port=${SCALING_BENCH_PORT:-8101}
bouncer_port=${SCALING_BENCH_PGBOUNCER_PORT:-6543}
pool_size=${CAREERGRAPH_DB_POOL_SIZE:-16}

source "$here/../cluster.sh"

pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[ -x "$pgbouncer" ] || { echo "no pgbouncer: apt-get install pgbouncer" >&2; exit 1; }

log "building careergraph (release) and the load example"
(cd "$root" && cargo build --release --quiet --bin careergraph --example bench)
careergraph="$root/target/release/careergraph"
bench="$root/target/release/examples/bench"

bench_cluster "$careergraph"
direct=$DATABASE_URL

log "starting PgBouncer (transaction mode) on 127.0.0.1:$bouncer_port"
bouncer_dir="$work/pgbouncer"
mkdir -p "$bouncer_dir"
echo '"careergraph" ""' >"$bouncer_dir/users.txt"
cat >"$bouncer_dir/pgbouncer.ini" <<INI
[databases]
* = host=$socket
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $bouncer_dir/users.txt
pool_mode = transaction
default_pool_size = $pool_size
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits,options
logfile = $bouncer_dir/pgbouncer.log
pidfile = $bouncer_dir/pgbouncer.pid
INI
if [ "$(id -u)" = 0 ]; then chown -R postgres "$bouncer_dir"; fi
as_pg "$pgbouncer" -d "$bouncer_dir/pgbouncer.ini"
pid_files+=("$bouncer_dir/pgbouncer.pid")
through_bouncer="postgres://careergraph@127.0.0.1:$bouncer_port/careergraph"

replica="$work/replica"
replica_socket="$work/replica-socket"
if [ ! -f "$replica/PG_VERSION" ]; then
    log "making a streaming replica in $replica (pg_basebackup -R)"
    as_pg "$(pg_bin pg_basebackup)" --pgdata "$replica" --write-recovery-conf --wal-method=stream \
        --checkpoint=fast --dbname "host=$socket user=postgres"
fi
mkdir -p "$replica_socket"
if [ "$(id -u)" = 0 ]; then chown postgres "$replica_socket"; fi
log "starting the replica"
as_pg "$(pg_bin pg_ctl)" -D "$replica" -l "$work/replica.log" -w \
    -o "-c unix_socket_directories=$replica_socket -c hot_standby=on" start >/dev/null
stop_replica() { cleanup; as_pg "$(pg_bin pg_ctl)" -D "$replica" -m fast stop >/dev/null 2>&1 || true; }
trap stop_replica EXIT
replica_url="postgres://careergraph@localhost/careergraph?host=$replica_socket"

secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=$first_port
# start NAME ENV… : one `careergraph serve` on the next port.
start() {
    local name=$1
    shift
    log "starting careergraph ($name) on 127.0.0.1:$port"
    env "$@" CAREERGRAPH_JWT_SECRET="$secret" RUST_LOG=warn \
        "$careergraph" serve --listen "127.0.0.1:$port" --data-dir "$work/data-$name" >"$work/careergraph-$name.log" 2>&1 &
    servers+=($!)
    url="http://127.0.0.1:$port"
    for _ in $(seq 100); do curl -sf "$url/health/ready" >/dev/null && break; sleep 0.2; done
    port=$((port + 1))
}

start direct DATABASE_URL="$direct"
direct_setup="direct=$url"
# The same database spelled apart, so the direct URL differs from the pooled one.
start direct-unnamed DATABASE_URL="$direct" DATABASE_DIRECT_URL="$direct&application_name=careergraph-direct" \
    DATABASE_POOL_MODE=transaction
unnamed_setup="direct-unnamed=$url"
start pgbouncer DATABASE_URL="$through_bouncer" DATABASE_DIRECT_URL="$direct"
bouncer_setup="pgbouncer=$url"
scaled=()
for n in 1 2; do
    start "scaled-$n" DATABASE_URL="$through_bouncer" DATABASE_DIRECT_URL="$direct" DATABASE_REPLICA_URL="$replica_url"
    scaled+=("$url")
done
scaled_setup="2×pgbouncer+replica=${scaled[0]},${scaled[1]}"
for url in "${scaled[@]}"; do
    for _ in $(seq 100); do curl -sf "$url/health/ready" | grep -q STREAMING && break; sleep 0.2; done
done

psql_value() { "$(pg_bin psql)" -h "$socket" -U postgres -d careergraph -X -qtAc "$1"; }
candidate=$(psql_value "SELECT email FROM users WHERE role = 'CANDIDATE' AND email LIKE 'bench-%' ORDER BY email LIMIT 1")
recruiter=$(psql_value "SELECT u.email FROM jobs j JOIN users u ON u.id = j.posted_by_id
    WHERE j.status = 'OPEN' AND j.deleted_at IS NULL ORDER BY j.posted_at DESC, j.id DESC LIMIT 1")

"$bench" --candidate "$candidate" --recruiter "$recruiter" \
    --setup "$direct_setup" --setup "$unnamed_setup" --setup "$bouncer_setup" --setup "$scaled_setup" "$@"

# careergraph_database_reads_total{database="…"} N, summed over both processes.
primary_reads=0
replica_reads=0
for url in "${scaled[@]}"; do
    while read -r line; do
        value=${line##* }
        case $line in
        *'database="primary"'*) primary_reads=$((primary_reads + ${value%.*})) ;;
        *) replica_reads=$((replica_reads + ${value%.*})) ;;
        esac
    done < <(curl -sf "$url/metrics" | grep '^careergraph_database_reads_total{')
done
total=$((primary_reads + replica_reads))
echo
echo "2×pgbouncer+replica: the replica served $replica_reads of $total reads ($((100 * replica_reads / (total > 0 ? total : 1))) %)"
