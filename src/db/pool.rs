//! The connection pool every request borrows from.
//!
//! deadpool over diesel-async's `AsyncPgConnection` (tokio-postgres underneath, no libpq).
//! Each new connection gets the configured `statement_timeout`, so a runaway query is
//! cancelled by PostgreSQL instead of pinning a connection, and an `application_name`
//! naming this instance, so `pg_stat_activity` tells replicas apart.

use std::time::Duration;

use diesel_async::{
    AsyncConnection, AsyncPgConnection, SimpleAsyncConnection,
    pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod, deadpool},
};
use futures_util::FutureExt;

use crate::config::DatabaseConfig;

pub type DbPool = deadpool::Pool<AsyncPgConnection>;
pub type DbConn = deadpool::Object<AsyncPgConnection>;

/// PostgreSQL truncates `application_name` at 63 bytes; keep within it on a char boundary.
pub fn application_name(instance_id: &str, purpose: &str) -> String {
    let mut name = format!("fulfillment-ops/{purpose}/{instance_id}");
    while name.len() > 63 {
        name.pop();
    }
    name.replace('\'', "")
}

/// Opens one connection outside the pool (migrations hold one for the whole run).
pub async fn connect(
    url: &str,
    timeout: Duration,
    app_name: &str,
) -> Result<AsyncPgConnection, diesel::ConnectionError> {
    let mut conn = tokio::time::timeout(timeout, AsyncPgConnection::establish(url))
        .await
        .map_err(|_| {
            diesel::ConnectionError::BadConnection(format!(
                "could not connect within {}s",
                timeout.as_secs_f32()
            ))
        })??;
    conn.batch_execute(&format!("SET application_name = '{app_name}'"))
        .await
        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

pub fn build_pool(cfg: &DatabaseConfig) -> Result<DbPool, deadpool::BuildError> {
    let statement_timeout_ms = cfg.statement_timeout.as_millis();
    let app_name = application_name(&cfg.instance_id, "pool");
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    manager_config.recycling_method = RecyclingMethod::Fast;
    manager_config.custom_setup = Box::new(move |url| {
        let app_name = app_name.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout_ms}; SET application_name = '{app_name}'"
            ))
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        cfg.url.expose(),
        manager_config,
    );
    deadpool::Pool::builder(manager)
        .max_size(cfg.pool_size)
        .wait_timeout(Some(cfg.connect_timeout))
        .create_timeout(Some(cfg.connect_timeout))
        .recycle_timeout(Some(cfg.connect_timeout))
        .runtime(::deadpool::Runtime::Tokio1)
        .build()
}
