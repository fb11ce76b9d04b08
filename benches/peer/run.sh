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
careergraph_port=${PEER_BENCH_CAREERGRAPH_PORT:-8091}
postgraphile_port=${PEER_BENCH_POSTGRAPHILE_PORT:-5678}

source "$here/../cluster.sh"

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

bench_cluster "$careergraph"

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
