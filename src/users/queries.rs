//! Every SQL statement about users.

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{NewUser, UserRow};
use crate::{
    auth::principal::Role,
    db::schema::users,
    http::{
        error::{ApiError, ApiResult},
        pagination::PageRequest,
    },
};

/// Sort key of the user list: email, then id.
pub type UserKey = (String, Uuid);

fn write_error(e: DieselError, email: &str) -> ApiError {
    match &e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("users_email_key") =>
        {
            ApiError::Conflict(format!("a user with the email {email} already exists"))
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info)
            if info.constraint_name() == Some("users_client_id_fkey") =>
        {
            ApiError::invalid("client_id", "no client has this id")
        }
        _ => e.into(),
    }
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    role: Option<Role>,
    client_id: Option<Uuid>,
    page: &PageRequest<UserKey>,
) -> ApiResult<Vec<UserRow>> {
    let mut q = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(role) = role {
        q = q.filter(users::role.eq(role.as_str()));
    }
    if let Some(client_id) = client_id {
        q = q.filter(users::client_id.eq(client_id));
    }
    if let Some((email, id)) = &page.after {
        q = q.filter(
            users::email
                .gt(email.clone())
                .or(users::email.eq(email.clone()).and(users::id.gt(*id))),
        );
    }
    Ok(q.order((users::email.asc(), users::id.asc()))
        .limit(page.fetch())
        .load(conn)
        .await?)
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("user"))
}

/// The user, row-locked until the transaction ends (PATCH reads, merges and writes under it).
pub async fn get_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("user"))
}

pub async fn create(conn: &mut AsyncPgConnection, user: NewUser) -> ApiResult<UserRow> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(&user.email),
            users::name.eq(&user.name),
            users::role.eq(user.role.as_str()),
            users::client_id.eq(user.client_id),
            users::password_hash.eq(&user.password_hash),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| write_error(e, &user.email))
}

/// Writes the merged state of a user (the handler validated it as a whole).
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    merged: &UserRow,
    password_hash: Option<String>,
) -> ApiResult<UserRow> {
    let now: DateTime<Utc> = Utc::now();
    let target = users::table.find(id);
    let changes = (
        users::email.eq(&merged.email),
        users::name.eq(&merged.name),
        users::role.eq(&merged.role),
        users::client_id.eq(merged.client_id),
        users::updated_at.eq(now),
    );
    let result = match password_hash {
        Some(hash) => {
            diesel::update(target)
                .set((changes, users::password_hash.eq(hash)))
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
        }
        None => {
            diesel::update(target)
                .set(changes)
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
        }
    };
    result.map_err(|e| match e {
        DieselError::NotFound => ApiError::not_found("user"),
        e => write_error(e, &merged.email),
    })
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<()> {
    let n = diesel::delete(users::table.find(id)).execute(conn).await?;
    if n == 0 {
        return Err(ApiError::not_found("user"));
    }
    Ok(())
}

/// The id and hash of the user with this email (case-insensitively), for sign-in only.
pub async fn credentials_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> ApiResult<Option<(Uuid, String)>> {
    Ok(users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = lower(")
                .bind::<diesel::sql_types::Text, _>(email.trim().to_owned())
                .sql(")"),
        )
        .select((users::id, users::password_hash))
        .first(conn)
        .await
        .optional()?)
}
