#!/usr/bin/env bash
# The ranked-applicants benchmark (issue #15): a job with 1,000 and one with
# 100,000 applicants (70 % of them interviewed and scored), a page of 20 of
# them ordered by interview score, each with its interview report (competency
# averages and gaps from their scorecards), from the release binary:
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
shopt -s inherit_errexit

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

# The recruiter's job with `count` applicants (made once): a kit of three
# questions, and for 70 % of the applicants an interview with it and a
# submitted scorecard rating the first two, their score computed from it as
# submitScorecard would. Prints the job's global id.
job_with() {
    local count=$1 title="Scored opening $1" id
    id=$(psql_admin -d careergraph_interviews -tAc "SELECT id FROM jobs j WHERE title = '$title'
                                                    AND EXISTS (SELECT 1 FROM applications a WHERE a.job_id = j.id)")
    if [ -z "$id" ]; then
        log "seeding a job with $count applicants"
        # A run that stopped part-way left at most an empty job behind.
        psql_admin -d careergraph_interviews -c "DELETE FROM jobs WHERE title = '$title'"
        graphql "$token" "{\"query\":\"mutation { createJob(input: { title: \\\"$title\\\", description: \\\"d\\\", companyName: \\\"Bench Co\\\", status: OPEN }) { job { id } } }\"}" >/dev/null
        psql_admin -d careergraph_interviews -1 <<SQL
CREATE TEMP TABLE bench_job AS SELECT id, posted_by_id AS poster FROM jobs WHERE title = '$title';
INSERT INTO interview_kits (id, job_id, name, kind, created_by_id)
SELECT gen_random_uuid(), id, 'Technical', 'TECHNICAL', poster FROM bench_job;
INSERT INTO interview_questions (id, kit_id, position, text, competency, weight)
SELECT gen_random_uuid(), k.id, q.position, q.text, q.competency, q.weight
FROM interview_kits k JOIN bench_job j ON j.id = k.job_id,
     (VALUES (0, 'Explain ownership.', 'Rust', 3), (1, 'Design a rate limiter.', 'System design', 2),
             (2, 'Explain a design to a PM.', 'Communication', 1)) AS q (position, text, competency, weight);
WITH people AS (INSERT INTO users (id, email, password_hash, full_name, role)
                SELECT gen_random_uuid(), 'scored-' || n || '-$count@interview-bench.example', 'x', 'Applicant ' || n, 'CANDIDATE'
                FROM generate_series(1, $count) n RETURNING id)
INSERT INTO applications (id, user_id, job_id, status, status_changed_at, applied_at)
SELECT gen_random_uuid(), people.id, bench_job.id, 'INTERVIEWING', now(), now() FROM people, bench_job;
CREATE TEMP TABLE rated AS
SELECT a.id AS application, gen_random_uuid() AS interview, 1 + floor(random() * 4)::int AS rust,
       1 + floor(random() * 4)::int AS design
FROM applications a JOIN bench_job j ON j.id = a.job_id WHERE random() < 0.7;
INSERT INTO interviews (id, application_id, kind, scheduled_at, outcome, kit_id)
SELECT r.interview, r.application, 'TECHNICAL', now(), 'PASSED', k.id
FROM rated r, interview_kits k JOIN bench_job j ON j.id = k.job_id;
INSERT INTO scorecards (id, interview_id, application_id, interviewer_id, revision, recommendation, summary, ratings, submitted_at)
SELECT gen_random_uuid(), r.interview, r.application, j.poster, 1, greatest(r.rust, r.design), 'Bench summary',
       jsonb_build_array(
           jsonb_build_object('questionId', null, 'question', 'Explain ownership.', 'competency', 'Rust',
                              'weight', 3, 'rating', r.rust, 'notes', 'Clear on borrowing'),
           jsonb_build_object('questionId', null, 'question', 'Design a rate limiter.', 'competency', 'System design',
                              'weight', 2, 'rating', r.design, 'notes', null)),
       now()
FROM rated r, bench_job j;
UPDATE applications a SET interview_score = (3 * r.rust + 2 * r.design) / 5.0 FROM rated r WHERE a.id = r.application;
ANALYZE;
SQL
        id=$(psql_admin -d careergraph_interviews -tAc "SELECT id FROM jobs WHERE title = '$title'")
    fi
    python3 -c "import base64,sys; print(base64.urlsafe_b64encode(b'Job:' + sys.argv[1].replace('-', '').encode()).decode().rstrip('='))" "$id"
}

page_query='query($job: ID!, $field: ApplicantOrderField!, $after: String) { job(id: $job) { applicants(orderBy: { field: $field }, first: 20, after: $after) { pageInfo { endCursor } nodes { id applicant { fullName } interviewReport { score gaps competencies { competency score } recommendations { recommendation } } } } } }'

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
    uuid=$(psql_admin -d careergraph_interviews -tAc "SELECT id FROM jobs WHERE title = 'Scored opening $count'")
    for field in INTERVIEW_SCORE CREATED_AT; do
        first=$(page_seconds "$job" "$field" null)
        deep=$(page_seconds "$job" "$field" "$(median_cursor "$uuid" "$field")")
        printf '%-11s %-16s %10.1fms %10.1fms\n' "$count" "$field" "$(python3 -c "print($first * 1000)")" "$(python3 -c "print($deep * 1000)")"
    done
done
