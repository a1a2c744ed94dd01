//! `fulfillment-ops user create`: the first admin (and any user) from the command line.

use uuid::Uuid;

use crate::{
    auth::{password::hash_password, principal::Role},
    config::DatabaseConfig,
    db::pool,
    http::error::ApiError,
    users::{
        queries,
        types::{CreateUser, NewUser, write_error},
    },
};

pub async fn create_user(
    cfg: &DatabaseConfig,
    email: String,
    name: Option<String>,
    password: String,
    role: Role,
    client_id: Option<Uuid>,
) -> anyhow::Result<Uuid> {
    let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
    let request = CreateUser {
        email,
        name,
        role,
        client_id,
        password,
    };
    let (email, name) = request.validate().map_err(describe)?;
    let password_hash = hash_password(request.password).await?;
    let app_name = pool::application_name(&cfg.instance_id, "cli");
    let mut conn = pool::connect(cfg.url.expose(), cfg.connect_timeout, &app_name).await?;
    let new = NewUser {
        email,
        name,
        role,
        client_id,
        password_hash,
    };
    let user = queries::create(&mut conn, &new)
        .await
        .map_err(|e| describe(write_error(e, &new.email)))?;
    Ok(user.id)
}

/// An API error in words for a terminal.
fn describe(e: ApiError) -> anyhow::Error {
    match e {
        ApiError::Validation(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        ApiError::Conflict(d) => anyhow::anyhow!("{d}"),
        other => anyhow::anyhow!("{other}"),
    }
}
