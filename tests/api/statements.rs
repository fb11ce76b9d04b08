//! Prepared statements: what `db::Cached` keeps on a connection, seen from
//! PostgreSQL's own `pg_prepared_statements` for that session.

use careergraph::db::tables::users;
use careergraph::db::{CacheStatement, OneOfKeys};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::common::{TestDb, count};

/// Statements this session holds (the counting query's own included).
async fn prepared(conn: &mut AsyncPgConnection) -> i64 {
    count(conn, "(SELECT count(*) FROM pg_prepared_statements)").await
}

#[tokio::test]
async fn a_vouched_query_prepares_once_per_connection_and_other_raw_sql_never_stays() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    let baseline = prepared(&mut conn).await;
    // A visibility rule in raw SQL, as the loaders write them: diesel
    // alone prepares it afresh and closes it after every run.
    let visible = || users::table.filter(sql::<Bool>("users.deleted_at IS NULL")).select(users::id).into_boxed();
    for ids in [vec![Uuid::now_v7()], vec![Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()]] {
        let rows: Vec<Uuid> = visible().filter(users::id.eq_any(ids)).load(&mut conn).await.unwrap();
        assert!(rows.is_empty());
    }
    assert_eq!(prepared(&mut conn).await, baseline, "uncached raw SQL left a statement behind");

    // Vouched for, it is prepared once and reused, whatever the number of keys.
    for ids in [vec![Uuid::now_v7()], vec![Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()], vec![]] {
        let rows: Vec<Uuid> = visible().filter(users::id.eq_any(ids)).cached().load(&mut conn).await.unwrap();
        assert!(rows.is_empty());
    }
    assert_eq!(prepared(&mut conn).await, baseline + 1, "one kept statement for every run of the query");

    // A query diesel caches by its type stays cached by its type when vouched for.
    for _ in 0..3 {
        let rows: Vec<Uuid> =
            users::table.filter(users::id.eq(Uuid::now_v7())).select(users::id).cached().load(&mut conn).await.unwrap();
        assert!(rows.is_empty());
    }
    assert_eq!(prepared(&mut conn).await, baseline + 2);
}

/// How many times PostgreSQL planned the kept statement whose SQL ends
/// with `tail` generically and for the values at hand.
async fn plans(conn: &mut AsyncPgConnection, tail: &str) -> (i64, i64) {
    let total = |column: &str| {
        format!(
            "(SELECT coalesce(sum({column}), 0)::bigint FROM pg_prepared_statements WHERE statement LIKE '%{tail}')"
        )
    };
    (count(conn, &total("generic_plans")).await, count(conn, &total("custom_plans")).await)
}

/// 5,000 users, analyzed, so that the planner's estimates are those of a
/// real table.
async fn five_thousand_users(conn: &mut AsyncPgConnection) {
    diesel::sql_query(
        "INSERT INTO users (id, email, password_hash, full_name, created_at)
         SELECT gen_random_uuid(), 'user' || n || '@example.com', 'not a hash', 'User ' || n,
                now() - n * interval '1 minute'
         FROM generate_series(1, 5000) AS n",
    )
    .execute(conn)
    .await
    .unwrap();
    diesel::sql_query("ANALYZE users").execute(conn).await.unwrap();
}

#[tokio::test]
async fn a_page_with_its_limit_in_the_sql_keeps_one_plan() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    five_thousand_users(&mut conn).await;
    let page = || {
        users::table
            .filter(sql::<Bool>("users.deleted_at IS NULL"))
            .filter(users::created_at.le(chrono::Utc::now()))
            .order((users::created_at.desc(), users::id.desc()))
            .select(users::id)
            .into_boxed()
    };
    // A bound limit is planned as if it read a tenth of the table, so
    // PostgreSQL plans the page afresh on every run.
    for _ in 0..8 {
        let rows: Vec<Uuid> = page().limit(51).cached().load(&mut conn).await.unwrap();
        assert_eq!(rows.len(), 51);
    }
    assert_eq!(plans(&mut conn, "LIMIT $2").await, (0, 8), "a bound limit is planned every time");
    // Written into the SQL (`db::Limited`), it is planned for the values at
    // hand five times, then one generic plan is kept.
    for _ in 0..8 {
        let rows: Vec<Uuid> = careergraph::db::Limited::new(page(), 51).cached().load(&mut conn).await.unwrap();
        assert_eq!(rows.len(), 51);
    }
    assert_eq!(plans(&mut conn, "LIMIT 51").await, (3, 5), "one plan kept after the first five runs");
}

#[tokio::test]
async fn a_batch_with_its_keys_written_one_by_one_keeps_one_plan() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    five_thousand_users(&mut conn).await;
    let keys: Vec<Uuid> = users::table.select(users::id).limit(3).load(&mut conn).await.unwrap();
    let visible = || users::table.filter(sql::<Bool>("users.deleted_at IS NULL")).select(users::id).into_boxed();
    // Bound as one array, the keys are planned generically as ten, so a
    // batch of three is planned afresh on every run.
    for _ in 0..8 {
        let rows: Vec<Uuid> = visible().filter(users::id.eq_any(&keys)).cached().load(&mut conn).await.unwrap();
        assert_eq!(rows.len(), 3);
    }
    assert_eq!(plans(&mut conn, "= ANY($1)))").await, (0, 8), "a bound array is planned every time");
    // Written one by one (`db::OneOfKeys`, padded to four), the generic plan
    // is the custom one: five custom plans, then one kept.
    for _ in 0..8 {
        let rows: Vec<Uuid> = visible().filter(users::id.one_of(&keys)).cached().load(&mut conn).await.unwrap();
        assert_eq!(rows.len(), 3);
    }
    assert_eq!(plans(&mut conn, "= ANY(ARRAY[$1, $2, $3, $4]))").await, (3, 5), "one plan kept after five runs");
}
