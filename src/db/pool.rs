//! The connection pool every request borrows from.
//!
//! deadpool over diesel-async's `AsyncPgConnection` (tokio-postgres underneath, no libpq).
//! Each new connection gets the configured `statement_timeout`, so a runaway query is
//! cancelled by PostgreSQL instead of pinning a connection, and an `application_name`
//! naming this instance, so `pg_stat_activity` tells replicas apart.
//!
//! Each connection's driver task (tokio-postgres' `Connection`) is spawned here rather than by
//! diesel-async, so that it can also drop the socket when [`Liveness`] finds the database
//! stalled, and record a connection the server closed under the service: checkouts then check
//! the connections last used before that with `SELECT 1` (a `pre_recycle` hook) instead of
//! handing out their dead siblings. Otherwise recycling stays `Fast` (no round trip).

use std::{ops::Deref, sync::Arc, time::Duration};

use ::deadpool::managed::{Hook, HookError};
use diesel_async::{
    AsyncConnection, AsyncPgConnection, SimpleAsyncConnection,
    pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod, deadpool},
};
use futures_util::FutureExt;

use super::liveness::Liveness;
use crate::config::DatabaseConfig;

pub type DbConn = deadpool::Object<AsyncPgConnection>;

/// The pool, with what it knows of the database's liveness. Derefs to deadpool's pool.
#[derive(Clone)]
pub struct DbPool {
    pool: deadpool::Pool<AsyncPgConnection>,
    liveness: Arc<Liveness>,
}

impl Deref for DbPool {
    type Target = deadpool::Pool<AsyncPgConnection>;
    fn deref(&self) -> &Self::Target {
        &self.pool
    }
}

/// Why a request got no connection.
#[derive(Debug)]
pub enum CheckoutError {
    /// The database stopped answering (see [`Liveness`]).
    Stalled,
    Pool(deadpool::PoolError),
}

impl DbPool {
    /// A connection for a request: refused at once while the database is stalled, and a wait
    /// for a free or new connection cut short when it stalls meanwhile.
    pub async fn checkout(&self) -> Result<DbConn, CheckoutError> {
        self.liveness.ensure_probe();
        if self.liveness.is_stalled() {
            return Err(CheckoutError::Stalled);
        }
        tokio::select! {
            got = self.pool.get() => got.map_err(CheckoutError::Pool),
            () = self.liveness.stalled() => Err(CheckoutError::Stalled),
        }
    }

    pub fn liveness(&self) -> &Liveness {
        &self.liveness
    }
}

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
    let url = with_tcp_guards(url);
    let mut conn = tokio::time::timeout(timeout, AsyncPgConnection::establish(&url))
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

/// TCP-level guards added to a `postgres://` URL unless it sets them itself: keepalive probes
/// after 10 s idle, every 3 s, 3 of them (a peer that vanished — failover, a cut network — is
/// found within about 20 s instead of the kernel's two hours), and `tcp_user_timeout` of 15 s
/// (data sent but never acknowledged, e.g. a query written into a dead link, fails instead of
/// hanging). Neither limits a long query on a live connection: the server's kernel answers
/// the probes, and nothing is sent while a query runs.
const TCP_GUARDS: [(&str, &str); 4] = [
    ("keepalives_idle", "10"),
    ("keepalives_interval", "3"),
    ("keepalives_retries", "3"),
    ("tcp_user_timeout", "15"),
];

/// `url` with [`TCP_GUARDS`] appended where absent; a non-URL (key=value) string is kept as is.
pub fn with_tcp_guards(url: &str) -> String {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return url.to_owned();
    }
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let present = |key: &str| {
        query
            .split('&')
            .any(|pair| pair.split('=').next() == Some(key))
    };
    let mut out = url.to_owned();
    for (key, value) in TCP_GUARDS {
        if !present(key) {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{key}={value}"));
        }
    }
    out
}

/// Opens a pooled connection whose driver task ends its socket when the database stalls, and
/// reports a connection the server ended (an error; a normal close after the pool dropped the
/// connection is none).
async fn establish(
    url: &str,
    liveness: Arc<Liveness>,
) -> Result<AsyncPgConnection, diesel::ConnectionError> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    let mut stalls = liveness.stalls();
    let liveness = Arc::downgrade(&liveness);
    tokio::spawn(async move {
        let lost = tokio::select! {
            ended = connection => ended.is_err(),
            _ = stalls.changed() => true,
        };
        if let (true, Some(l)) = (lost, liveness.upgrade()) {
            l.note_loss();
        }
    });
    AsyncPgConnection::try_from(client).await
}

pub fn build_pool(cfg: &DatabaseConfig) -> Result<DbPool, deadpool::BuildError> {
    let statement_timeout_ms = cfg.statement_timeout.as_millis();
    let app_name = application_name(&cfg.instance_id, "pool");
    let url = with_tcp_guards(cfg.url.expose());
    let liveness = Liveness::new(
        url.clone(),
        application_name(&cfg.instance_id, "liveness"),
        cfg.stall_timeout,
    );
    let for_setup = liveness.clone();
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    manager_config.recycling_method = RecyclingMethod::Fast;
    manager_config.custom_setup = Box::new(move |url| {
        let app_name = app_name.clone();
        let liveness = for_setup.clone();
        async move {
            let mut conn = establish(url, liveness).await?;
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout_ms}; SET application_name = '{app_name}'"
            ))
            .await
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, manager_config);
    let for_check = liveness.clone();
    let pool = deadpool::Pool::builder(manager)
        .max_size(cfg.pool_size)
        .wait_timeout(Some(cfg.connect_timeout))
        .create_timeout(Some(cfg.connect_timeout))
        .recycle_timeout(Some(cfg.connect_timeout))
        .pre_recycle(Hook::async_fn(
            move |conn: &mut AsyncPgConnection, metrics| {
                let liveness = for_check.clone();
                let last_used = metrics.recycled.unwrap_or(metrics.created);
                Box::pin(async move {
                    if !liveness.lost_since(last_used) {
                        return Ok(());
                    }
                    match tokio::time::timeout(
                        liveness.stall_timeout,
                        conn.batch_execute("SELECT 1"),
                    )
                    .await
                    {
                        Ok(Ok(())) => Ok(()),
                        _ => Err(HookError::message("dead after a connection loss")),
                    }
                })
            },
        ))
        .runtime(::deadpool::Runtime::Tokio1)
        .build()?;
    Ok(DbPool { pool, liveness })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_guards_are_added_once_and_never_override_the_url() {
        assert_eq!(
            with_tcp_guards("postgres://u@db:5432/x"),
            "postgres://u@db:5432/x?keepalives_idle=10&keepalives_interval=3\
             &keepalives_retries=3&tcp_user_timeout=15"
        );
        let own = with_tcp_guards("postgresql://u@db/x?sslmode=disable&keepalives_idle=60");
        assert!(own.contains("keepalives_idle=60") && !own.contains("keepalives_idle=10"));
        assert!(
            own.starts_with("postgresql://u@db/x?sslmode=disable&"),
            "{own}"
        );
        assert!(own.ends_with("tcp_user_timeout=15"), "{own}");
        assert_eq!(with_tcp_guards("host=db user=u"), "host=db user=u");
        // tokio-postgres reads every parameter added.
        let parsed: tokio_postgres::Config =
            with_tcp_guards("postgres://u@db/x").parse().expect("url");
        assert_eq!(
            parsed.get_keepalives_idle(),
            std::time::Duration::from_secs(10)
        );
        assert_eq!(
            parsed.get_tcp_user_timeout(),
            Some(&std::time::Duration::from_secs(15))
        );
    }
}
