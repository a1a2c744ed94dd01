//! `/api/v1/users`: admin only.

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use diesel_async::AsyncConnection;

use super::{
    queries::{self, UserKey},
    types::{CreateUser, NewUser, UpdateUser, UserFilter, UserView, check_role_client},
};
use crate::{
    auth::{
        password::{check_password_policy, hash_password},
        principal::{CurrentUser, Role},
    },
    http::{
        error::{ApiError, ApiResult, Problem},
        extract::{self, Query},
        pagination::{Page, PageQuery},
        paths::UserPath,
        state::AppState,
        validation::Validator,
    },
};

#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(UserFilter),
    responses((status = 200, body = Page<UserView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_users(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(filter): Query<UserFilter>,
) -> ApiResult<Json<Page<UserView>>> {
    user.require_admin()?;
    let page = PageQuery {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    }
    .parse::<UserKey>()?;
    let mut conn = state.pool.get().await?;
    let rows = queries::list(&mut conn, filter.role, filter.client_id, &page).await?;
    Ok(Json(Page::from_rows(
        rows,
        &page,
        |r| (r.email.clone(), r.id),
        UserView::from,
    )))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUser,
    responses((status = 201, body = UserView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    user: CurrentUser,
    State(state): State<AppState>,
    extract::Json(body): extract::Json<CreateUser>,
) -> ApiResult<Response> {
    user.require_admin()?;
    let (email, name) = body.validate()?;
    let password_hash = hash_password(body.password).await?;
    let mut conn = state.pool.get().await?;
    let created = queries::create(
        &mut conn,
        NewUser {
            email,
            name,
            role: body.role,
            client_id: body.client_id,
            password_hash,
        },
    )
    .await?;
    let location = format!("/api/v1/users/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(UserView::from(created)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])), params(UserPath),
    responses((status = 200, body = UserView), (status = 404, body = Problem)))]
pub async fn get_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(UserPath { user_id }): Path<UserPath>,
) -> ApiResult<Json<UserView>> {
    user.require_admin()?;
    let mut conn = state.pool.get().await?;
    Ok(Json(queries::get(&mut conn, user_id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "users", security(("bearer" = [])), params(UserPath),
    request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_user(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(UserPath { user_id }): Path<UserPath>,
    extract::Json(body): extract::Json<UpdateUser>,
) -> ApiResult<Json<UserView>> {
    user.require_admin()?;
    // The new password is checked and hashed first, so the row lock below is not held through
    // Argon2's deliberate slowness.
    let password_hash = match &body.password {
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
            let mut merged = queries::get_for_update(conn, user_id).await?;
            let mut v = Validator::new();
            if let Some(email) = &body.email {
                merged.email = v.email("email", email);
            }
            if let Some(name) = &body.name {
                merged.name = v.text("name", name, 200);
            }
            if let Some(role) = body.role {
                merged.role = role.as_str().to_owned();
            }
            if let Some(client_id) = body.client_id {
                merged.client_id = client_id;
            }
            let role = Role::parse(&merged.role).unwrap_or(Role::Client);
            check_role_client(&mut v, role, merged.client_id);
            if user_id == me && role != Role::Admin {
                v.error("role", "you cannot take the admin role from yourself");
            }
            v.finish()?;
            queries::update(conn, user_id, &merged, password_hash).await
        })
        .await?;
    Ok(Json(updated.into()))
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
    queries::delete(&mut conn, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
