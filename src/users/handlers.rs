//! `/api/v1/users`: admin only.

use axum::{Json, extract::State, http::StatusCode};
use diesel_async::AsyncConnection;

use super::{
    queries::{self, UserKey},
    types::{CreateUser, NewUser, UpdateUser, User, UserFilter, UserPath, write_error},
};
use crate::auth::{
    password::{check_password_policy, hash_password},
    principal::CurrentUser,
};
use crate::http::prelude::*;

#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(UserFilter, PageQuery),
    responses((status = 200, body = Page<User>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_users(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(filter): Query<UserFilter>,
    page: PageRequest<UserKey>,
) -> ApiResult<Page<User>> {
    user.require_admin()?;
    let mut conn = state.pool.get().await?;
    let rows = queries::list(&mut conn, filter.role, filter.client_id, &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |u| u))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUser,
    responses((status = 201, body = User), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    user: CurrentUser,
    State(state): State<AppState>,
    extract::Json(body): extract::Json<CreateUser>,
) -> ApiResult<Created<User>> {
    user.require_admin()?;
    let (email, name) = body.validate()?;
    let password_hash = hash_password(body.password).await?;
    let new = NewUser {
        email,
        name,
        role: body.role,
        client_id: body.client_id,
        password_hash,
    };
    let mut conn = state.pool.get().await?;
    let created = queries::create(&mut conn, &new)
        .await
        .map_err(|e| write_error(e, &new.email))?;
    Ok(Created::at(
        format!("/api/v1/users/{}", created.id),
        created,
    ))
}

#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])), params(UserPath),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
pub async fn get_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(UserPath { user_id }): Path<UserPath>,
) -> ApiResult<Json<User>> {
    user.require_admin()?;
    let mut conn = state.pool.get().await?;
    let found = queries::get(&mut conn, user_id)
        .await
        .or_not_found("user")?;
    Ok(Json(found))
}

#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])), params(UserPath),
    request_body = UpdateUser,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(UserPath { user_id }): Path<UserPath>,
    extract::Json(body): extract::Json<UpdateUser>,
) -> ApiResult<Json<User>> {
    user.require_admin()?;
    // The new password is checked and hashed first, so the row lock below is not held through
    // Argon2's deliberate slowness.
    let password_hash = match body.password.value() {
        Some(p) => {
            check_password_policy(p).map_err(|m| ApiError::invalid("password", m))?;
            Some(hash_password(p.clone()).await?)
        }
        None => None,
    };
    let mut conn = state.pool.get().await?;
    let me = user.id;
    let updated = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let current = queries::get_for_update(conn, user_id)
                .await
                .or_not_found("user")?;
            let merged = body.merged(&current, me)?;
            queries::update(conn, user_id, &merged, password_hash)
                .await
                .map_err(|e| write_error(e, &merged.email))
        })
        .await?;
    Ok(Json(updated))
}

#[utoipa::path(delete, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])), params(UserPath),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(UserPath { user_id }): Path<UserPath>,
) -> ApiResult<StatusCode> {
    user.require_admin()?;
    if user_id == user.id {
        return Err(ApiError::Conflict("you cannot delete yourself".into()));
    }
    let mut conn = state.pool.get().await?;
    match queries::delete(&mut conn, user_id).await? {
        0 => Err(ApiError::not_found("user")),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}
