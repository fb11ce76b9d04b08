#!/usr/bin/env bash
# The CSV export benchmark (issue #14): a candidate with 1,000 and one with
# 100,000 applications download /exports/applications.csv from the release
# binary, and the server's resident memory is read from /proc before each
# download and its peak during it. A streamed export's peak memory must not
# grow with its length.
#
#   bash benches/exports/run.sh            # both sizes, three rounds each
#   EXPORT_BENCH_ROUNDS=1 bash benches/exports/run.sh
#
# It uses the benchmarks' cluster (benches/cluster.sh) but a database of its
# own (careergraph_exports), so the other benchmarks' data set is untouched.
# PostGraphile has no CSV export to compare with.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
port=${EXPORT_BENCH_PORT:-8121}
rounds=${EXPORT_BENCH_ROUNDS:-3}

source "$here/../cluster.sh"

log "building careergraph (release)"
(cd "$root" && cargo build --release --quiet --bin careergraph)
careergraph="$root/target/release/careergraph"

bench_cluster "$careergraph"
own_database careergraph_exports
serve_bench "$port"

# Signs in (registering first when needed) and prints the access token.
token_of() {
    local email=$1 password="export bench password" body
    body=$(printf '{"query":"mutation($e:String!,$p:String!){register(input:{email:$e,password:$p,fullName:$e}){accessToken} login(input:{email:$e,password:$p}){accessToken}}","variables":{"e":"%s","p":"%s"}}' "$email" "$password")
    curl -sf "$base/graphql" -H 'content-type: application/json' -d "$body" \
        | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print((d.get("login") or {}).get("accessToken") or d["register"]["accessToken"])'
}

# Gives the candidate `email` exactly `count` applications (once).
seed() {
    local email=$1 count=$2 have
    have=$(psql_admin -d careergraph_exports -tAc "SELECT count(*) FROM applications a JOIN users u ON u.id = a.user_id WHERE u.email = '$email'")
    [ "$have" = "$count" ] && return
    log "seeding $count applications for $email"
    psql_admin -d careergraph_exports <<SQL
WITH me AS (SELECT id FROM users WHERE email = '$email'),
company AS (INSERT INTO companies (id, name) VALUES (gen_random_uuid(), 'Bench Co $email') RETURNING id),
job AS (INSERT INTO jobs (id, company_id, title, location, status)
        SELECT gen_random_uuid(), company.id, 'Software Engineer ' || n, 'Berlin, Germany', 'OPEN'
        FROM company, generate_series(1, $count) n RETURNING id),
application AS (INSERT INTO applications (id, user_id, job_id, status, applied_at, notes, tags, source)
        SELECT gen_random_uuid(), me.id, job.id, 'APPLIED', now(), 'Followed up with the hiring manager; =1+1',
               '{rust,remote}', 'LinkedIn'
        FROM me, job RETURNING id, applied_at)
INSERT INTO application_events (id, application_id, kind, to_status, occurred_at)
SELECT gen_random_uuid(), id, 'CREATED', 'APPLIED', applied_at FROM application;
ANALYZE;
SQL
}

rss_kib() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$server/status"; }

printf '\n%-8s %-6s %10s %10s %9s %12s %14s %14s\n' rows round bytes seconds "rows/s" "first byte" "RSS before" "peak during"
for size in 1000 100000; do
    email="export-$size@bench.example"
    token=$(token_of "$email")
    seed "$email" "$size"
    for round in $(seq "$rounds"); do
        # Resets the peak (VmHWM) to the current RSS, so the peak read after
        # is the download's alone (sign-in's password hashing needs ~19 MiB).
        echo 5 >"/proc/$server/clear_refs"
        before=$(rss_kib VmRSS)
        read -r bytes total first < <(curl -sf -o /dev/null -w '%{size_download} %{time_total} %{time_starttransfer}\n' \
            -H "Authorization: Bearer $token" "$base/exports/applications.csv")
        peak=$(rss_kib VmHWM)
        printf '%-8s %-6s %10s %10.3f %9.0f %10.1fms %11s KiB %11s KiB\n' "$size" "$round" "$bytes" "$total" \
            "$(python3 -c "print($size / $total)")" "$(python3 -c "print($first * 1000)")" "$before" "$peak"
    done
done
