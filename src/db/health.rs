//! The schema's health as PostgreSQL's statistics views report it (read-only):
//! `GET /admin/database` answers it, `/metrics` exposes it as gauges.

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Bool, Nullable, Text, Timestamptz},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

/// One table's figures.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct TableHealth {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    /// The planner's estimate (`pg_class.reltuples`; live tuples before the first analyze).
    #[diesel(sql_type = BigInt)]
    pub rows_estimate: i64,
    /// Heap, TOAST and free-space map.
    #[diesel(sql_type = BigInt)]
    pub table_bytes: i64,
    #[diesel(sql_type = BigInt)]
    pub index_bytes: i64,
    #[diesel(sql_type = BigInt)]
    pub seq_scans: i64,
    #[diesel(sql_type = BigInt)]
    pub index_scans: i64,
    #[diesel(sql_type = BigInt)]
    pub live_tuples: i64,
    #[diesel(sql_type = BigInt)]
    pub dead_tuples: i64,
    #[diesel(sql_type = BigInt)]
    pub heap_blocks_hit: i64,
    #[diesel(sql_type = BigInt)]
    pub heap_blocks_read: i64,
    #[diesel(sql_type = BigInt)]
    pub index_blocks_hit: i64,
    #[diesel(sql_type = BigInt)]
    pub index_blocks_read: i64,
    /// The later of the last manual and automatic vacuum.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_vacuum: Option<DateTime<Utc>>,
    /// The later of the last manual and automatic analyze.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_analyze: Option<DateTime<Utc>>,
}

/// An index no query has used since the statistics were reset.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct UnusedIndex {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    #[diesel(sql_type = Text)]
    pub index_name: String,
    #[diesel(sql_type = BigInt)]
    pub index_bytes: i64,
    /// A unique index enforces a rule even when no query reads it: keep it.
    #[diesel(sql_type = Bool)]
    pub is_unique: bool,
}

pub async fn tables(conn: &mut AsyncPgConnection) -> QueryResult<Vec<TableHealth>> {
    diesel::sql_query(include_str!("health_tables.sql"))
        .load(conn)
        .await
}

pub async fn unused_indexes(conn: &mut AsyncPgConnection) -> QueryResult<Vec<UnusedIndex>> {
    diesel::sql_query(include_str!("health_indexes.sql"))
        .load(conn)
        .await
}
