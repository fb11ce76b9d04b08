//! Prepared statements: what `db::Cached` keeps on a connection, seen from
//! PostgreSQL's own `pg_prepared_statements` for that session.

use careergraph::db::CacheStatement;
use careergraph::db::tables::users;
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
