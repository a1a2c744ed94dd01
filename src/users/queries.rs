//! Every SQL statement about users.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{NewUser, User};
use crate::{
    auth::principal::Role,
    db::{query::FilterSome, schema::users},
    http::pagination::PageRequest,
    keyset_page,
};

/// Sort key of the user list: email, then id.
pub type UserKey = (String, Uuid);

pub fn key(u: &User) -> UserKey {
    (u.email.clone(), u.id)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    role: Option<Role>,
    client_id: Option<Uuid>,
    page: &PageRequest<UserKey>,
) -> QueryResult<Vec<User>> {
    let q = users::table
        .select(User::as_select())
        .into_boxed()
        .filter_some(role, |role| users::role.eq(role))
        .filter_some(client_id, |id| users::client_id.eq(id));
    keyset_page!(q, page, asc(users::email, users::id))
        .load(conn)
        .await
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .await
}

/// The user, row-locked until the transaction ends (PATCH reads, merges and writes under it).
pub async fn get_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .for_update()
        .first(conn)
        .await
}

pub async fn create(conn: &mut AsyncPgConnection, user: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(&user.email),
            users::name.eq(&user.name),
            users::role.eq(user.role),
            users::client_id.eq(user.client_id),
            users::password_hash.eq(&user.password_hash),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .await
}

/// Writes the merged state of a user (the handler validated it as a whole).
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    merged: &User,
    password_hash: Option<String>,
) -> QueryResult<User> {
    let now: DateTime<Utc> = Utc::now();
    let target = users::table.find(id);
    let changes = (
        users::email.eq(&merged.email),
        users::name.eq(&merged.name),
        users::role.eq(&merged.role),
        users::client_id.eq(merged.client_id),
        users::updated_at.eq(now),
    );
    match password_hash {
        Some(hash) => {
            diesel::update(target)
                .set((changes, users::password_hash.eq(hash)))
                .returning(User::as_returning())
                .get_result(conn)
                .await
        }
        None => {
            diesel::update(target)
                .set(changes)
                .returning(User::as_returning())
                .get_result(conn)
                .await
        }
    }
}

/// Answers the rows deleted (0: no such user).
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(users::table.find(id)).execute(conn).await
}

/// The id and hash of the user with this email (case-insensitively), for sign-in only.
pub async fn credentials_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<(Uuid, String)>> {
    users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = lower(")
                .bind::<diesel::sql_types::Text, _>(email.trim().to_owned())
                .sql(")"),
        )
        .select((users::id, users::password_hash))
        .first(conn)
        .await
        .optional()
}
