//! The demo logins: one per staff role and one per client, each with a random password
//! (shown once in the report, stored only as its Argon2id hash).

use anyhow::Context;
use futures_util::{StreamExt, stream};
use rand::{Rng, distributions::Alphanumeric, rngs::OsRng};
use tokio_postgres::Transaction;

use super::{DEMO_DOMAIN, SHARED_CLIENT_PASSWORD_ABOVE, SeedCredential, sql, world};
use crate::auth::password::hash_password_blocking;

const PASSWORD_LENGTH: usize = 16;

/// A user to create; `password_group` says which password it gets (see [`passwords`]).
pub(super) struct DemoUser {
    email: String,
    name: String,
    role: &'static str,
    client_no: Option<i32>,
    client_name: Option<String>,
    password_group: usize,
}

/// Admin, operator, and one client user per client. Each has a password of its own, except
/// that with many clients all client users share group 2.
pub(super) fn demo_users(world: &world::World) -> Vec<DemoUser> {
    let shared = world.clients.len() > SHARED_CLIENT_PASSWORD_ABOVE;
    let mut users = vec![
        DemoUser {
            email: format!("admin@{DEMO_DOMAIN}"),
            name: "Demo Admin".to_owned(),
            role: "admin",
            client_no: None,
            client_name: None,
            password_group: 0,
        },
        DemoUser {
            email: format!("operator@{DEMO_DOMAIN}"),
            name: "Demo Operator".to_owned(),
            role: "operator",
            client_no: None,
            client_name: None,
            password_group: 1,
        },
    ];
    for (i, c) in world.clients.iter().enumerate() {
        users.push(DemoUser {
            email: format!("{}@{DEMO_DOMAIN}", c.slug),
            name: format!("{} (demo)", c.name),
            role: "client",
            client_no: Some(i as i32 + 1),
            client_name: Some(c.name.clone()),
            password_group: if shared { 2 } else { 2 + i },
        });
    }
    users
}

/// Draws one random password per group and hashes each once with Argon2id on the blocking
/// pool, as many at a time as there are cores. Returns the credentials and, per user, the
/// hash to store.
pub(super) async fn passwords(
    users: &[DemoUser],
) -> anyhow::Result<(Vec<SeedCredential>, Vec<String>)> {
    let groups = users
        .iter()
        .map(|u| u.password_group + 1)
        .max()
        .unwrap_or(0);
    let clear: Vec<String> = (0..groups)
        .map(|_| {
            OsRng
                .sample_iter(&Alphanumeric)
                .take(PASSWORD_LENGTH)
                .map(char::from)
                .collect()
        })
        .collect();
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
    let hashed: Vec<String> = stream::iter(clear.clone())
        .map(|password| async move {
            tokio::task::spawn_blocking(move || hash_password_blocking(&password))
                .await
                .context("password hashing task")?
        })
        .buffered(parallel)
        .collect::<Vec<anyhow::Result<String>>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let credentials = users
        .iter()
        .map(|u| SeedCredential {
            email: u.email.clone(),
            password: clear[u.password_group].clone(),
            role: u.role.to_owned(),
            client_name: u.client_name.clone(),
        })
        .collect();
    let hashes = users
        .iter()
        .map(|u| hashed[u.password_group].clone())
        .collect();
    Ok((credentials, hashes))
}

pub(super) async fn insert_users(
    tx: &Transaction<'_>,
    users: &[DemoUser],
    hashes: &[String],
) -> anyhow::Result<()> {
    let emails: Vec<&str> = users.iter().map(|u| u.email.as_str()).collect();
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    let roles: Vec<&str> = users.iter().map(|u| u.role).collect();
    let client_nos: Vec<Option<i32>> = users.iter().map(|u| u.client_no).collect();
    tx.execute(
        sql::INSERT_USERS,
        &[&emails, &names, &roles, &client_nos, &hashes],
    )
    .await
    .context("inserting the demo users")?;
    Ok(())
}
