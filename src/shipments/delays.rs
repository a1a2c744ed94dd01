//! The delay refresh: `shipment.delayed` for shipments whose estimate passed with no new
//! event (a delay is otherwise noticed only at read time, which announces nothing). Run by
//! the `refresh_delays` job; the statement and its locking are described in `delays.sql`.

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::activity::{self, Activity};

const REFRESH_DELAYS_SQL: &str = include_str!("delays.sql");

#[derive(QueryableByName)]
struct Delayed {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    client_id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    tracking_number: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    estimated_delivery_at: Option<DateTime<Utc>>,
}

/// Flags the newly delayed shipments and records their events, in one transaction; answers
/// how many.
pub async fn refresh_delays(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    conn.transaction(async |conn| {
        let mut rows: Vec<Delayed> = diesel::sql_query(REFRESH_DELAYS_SQL).load(conn).await?;
        rows.sort_by_key(|r| r.id);
        let events: Vec<Activity> = rows
            .iter()
            .map(|r| Activity::ShipmentDelayed {
                client_id: r.client_id,
                shipment_id: r.id,
                tracking_number: r.tracking_number.clone().unwrap_or_default(),
                status: r.status.clone(),
                estimated_delivery_at: r.estimated_delivery_at,
            })
            .collect();
        activity::record_all(conn, &events).await?;
        Ok(rows.len())
    })
    .await
}
