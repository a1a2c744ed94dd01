//! `fulfillment-ops user create`: the first admin (and any user) from the command line.

use std::process::ExitCode;

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

/// `user create`: the password from `--password` or, with `password_stdin`, the first line of
/// standard input; prints the new user's id.
pub async fn create(
    email: String,
    password: Option<String>,
    password_stdin: bool,
    role: &str,
    client_id: Option<Uuid>,
    name: Option<String>,
) -> anyhow::Result<ExitCode> {
    let cfg = DatabaseConfig::from_env()?;
    let password = match (password, password_stdin) {
        (Some(p), _) => p,
        (None, true) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
        (None, false) => anyhow::bail!("give --password or --password-stdin"),
    };
    let role = Role::parse(role)
        .ok_or_else(|| anyhow::anyhow!("--role must be admin, operator or client"))?;
    let id = create_user(&cfg, email, name, password, role, client_id).await?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

pub async fn create_user(
    cfg: &DatabaseConfig,
    email: String,
    name: Option<String>,
    password: String,
    role: Role,
    client_id: Option<Uuid>,
) -> anyhow::Result<Uuid> {
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
