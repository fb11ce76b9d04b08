#!/usr/bin/env bash
# The ranked-applicants benchmark (issue #15): a job with 1,000 and one with
# 100,000 applicants (70 % of them scored), a page of 20 of them ordered by
# interview score, each with its interview report, from the release binary:
# the first page and a page deep in the list (after the cursor of the
# applicant at the median), against the same page ordered by date. A keyset
# page through `applications_job_score_idx` costs the same however many
# applicants the job has and however deep the page is.
#
#   bash benches/interviews/run.sh
#   INTERVIEW_BENCH_ROUNDS=10 bash benches/interviews/run.sh
#
# It uses the benchmarks' cluster (benches/cluster.sh) with a database of its
# own (careergraph_interviews). PostGraphile has no interview scores to rank by.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
port=${INTERVIEW_BENCH_PORT:-8122}
rounds=${INTERVIEW_BENCH_ROUNDS:-5}

source "$here/../cluster.sh"

log "building careergraph (release)"
(cd "$root" && cargo build --release --quiet --bin careergraph)
careergraph="$root/target/release/careergraph"

bench_cluster "$careergraph"
own_database careergraph_interviews
serve_bench "$port"

graphql() { # token, JSON body
    curl -sf "$base/graphql" -H 'content-type: application/json' -H "Authorization: Bearer $1" -d "$2"
}

# Signs the recruiter in (registering first when needed) and prints the access token.
body=$(printf '{"query":"mutation($e:String!,$p:String!){register(input:{email:$e,password:$p,fullName:\\"Bench Recruiter\\",role:RECRUITER}){accessToken} login(input:{email:$e,password:$p}){accessToken}}","variables":{"e":"%s","p":"%s"}}' \
    "recruiter@interview-bench.example" "interview bench password")
token=$(curl -sf "$base/graphql" -H 'content-type: application/json' -d "$body" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print((d.get("login") or {}).get("accessToken") or d["register"]["accessToken"])')

# The recruiter's job with `count` applicants (made once); prints its global id.
job_with() {
    local count=$1 title="Bench opening $1" id
    id=$(psql_admin -d careergraph_interviews -tAc "SELECT id FROM jobs WHERE title = '$title'")
    if [ -z "$id" ]; then
        log "seeding a job with $count applicants"
        graphql "$token" "{\"query\":\"mutation { createJob(input: { title: \\\"$title\\\", description: \\\"d\\\", companyName: \\\"Bench Co\\\", status: OPEN }) { job { id } } }\"}" >/dev/null
        psql_admin -d careergraph_interviews <<SQL
WITH job AS (SELECT id FROM jobs WHERE title = '$title'),
people AS (INSERT INTO users (id, email, password_hash, full_name, role)
           SELECT gen_random_uuid(), 'applicant-' || n || '-$count@interview-bench.example', 'x', 'Applicant ' || n, 'CANDIDATE'
           FROM generate_series(1, $count) n RETURNING id)
INSERT INTO applications (id, user_id, job_id, status, status_changed_at, applied_at, interview_score)
SELECT gen_random_uuid(), people.id, job.id, 'INTERVIEWING', now(), now(),
       CASE WHEN random() < 0.7 THEN 1 + round((3 * random())::numeric, 2)::float8 END
FROM people, job;
ANALYZE;
SQL
        id=$(psql_admin -d careergraph_interviews -tAc "SELECT id FROM jobs WHERE title = '$title'")
    fi
    python3 -c "import base64,sys; print(base64.urlsafe_b64encode(b'Job:' + sys.argv[1].replace('-', '').encode()).decode().rstrip('='))" "$id"
}

page_query='query($job: ID!, $field: ApplicantOrderField!, $after: String) { job(id: $job) { applicants(orderBy: { field: $field }, first: 20, after: $after) { pageInfo { endCursor } nodes { id applicant { fullName } interviewReport { score gaps competencies { competency score } } } } } }'

# Prints the seconds one page takes (the best of $rounds).
page_seconds() { # job, field, after (JSON: null or a cursor string)
    local variables best=""
    local request answer
    variables=$(printf '{"job":"%s","field":"%s","after":%s}' "$1" "$2" "$3")
    request=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$page_query" "$variables")
    answer=$(graphql "$token" "$request")
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "errors" not in d and len(d["data"]["job"]["applicants"]["nodes"]) == 20, d' "$answer"
    for _ in $(seq "$rounds"); do
        t=$(curl -sf -o /dev/null -w '%{time_total}' "$base/graphql" -H 'content-type: application/json' \
            -H "Authorization: Bearer $token" -d "$request")
        best=$(python3 -c "print(min(float('$t'), float('${best:-$t}')))")
    done
    echo "$best"
}

# The cursor of the applicant at the median of `field`'s order.
median_cursor() { # job uuid, field
    local job=$1 field=$2 row
    if [ "$field" = INTERVIEW_SCORE ]; then
        row=$(psql_admin -d careergraph_interviews -tAc "SELECT coalesce(interview_score, 0), replace(id::text, '-', '') FROM applications WHERE job_id = '$job' ORDER BY coalesce(interview_score, 0) DESC, id DESC OFFSET (SELECT count(*) / 2 FROM applications WHERE job_id = '$job') LIMIT 1")
        python3 -c "import base64,struct,sys; s,i=sys.argv[1].split('|'); bits=struct.unpack('<Q',struct.pack('<d',float(s)))[0]; print('\"s' + base64.urlsafe_b64encode(f'{bits}:{i}'.encode()).decode().rstrip('=') + '\"')" "$row"
    else
        row=$(psql_admin -d careergraph_interviews -tAc "SELECT (extract(epoch FROM created_at) * 1000000)::bigint, replace(id::text, '-', '') FROM applications WHERE job_id = '$job' ORDER BY created_at DESC, id DESC OFFSET (SELECT count(*) / 2 FROM applications WHERE job_id = '$job') LIMIT 1")
        python3 -c "import base64,sys; m,i=sys.argv[1].split('|'); print('\"c' + base64.urlsafe_b64encode(f'{m}:{i}'.encode()).decode().rstrip('=') + '\"')" "$row"
    fi
}

printf '\n%-11s %-16s %12s %12s\n' applicants ordering "first page" "median page"
for count in 1000 100000; do
    job=$(job_with "$count")
    uuid=$(psql_admin -d careergraph_interviews -tAc "SELECT id FROM jobs WHERE title = 'Bench opening $count'")
    for field in INTERVIEW_SCORE CREATED_AT; do
        first=$(page_seconds "$job" "$field" null)
        deep=$(page_seconds "$job" "$field" "$(median_cursor "$uuid" "$field")")
        printf '%-11s %-16s %10.1fms %10.1fms\n' "$count" "$field" "$(python3 -c "print($first * 1000)")" "$(python3 -c "print($deep * 1000)")"
    done
done
