//! `/api/v1/clients`: staff see all clients, a client user only its own.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use diesel_async::AsyncConnection;

use super::{
    queries::{self, ClientKey},
    types::{Client, ClientFields, ClientFilter, CreateClient, UpdateClient},
};
use crate::{
    auth::{
        principal::{CurrentUser, Role},
        tenancy::ClientScope,
    },
    http::{
        error::{ApiError, ApiResult, Problem},
        extract::{self, Query},
        pagination::{Page, PageQuery},
        paths::ClientPath,
        state::AppState,
    },
};

#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    params(ClientFilter),
    responses((status = 200, body = Page<Client>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list_clients(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(filter): Query<ClientFilter>,
) -> ApiResult<Json<Page<Client>>> {
    let page = PageQuery {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    }
    .parse::<ClientKey>()?;
    let only = match user.role {
        Role::Client => user.client_id,
        Role::Admin | Role::Operator => None,
    };
    let mut conn = state.pool.get().await?;
    let rows = queries::list(&mut conn, only, filter.industry.as_deref(), &page).await?;
    Ok(Json(Page::from_rows(
        rows,
        &page,
        |c| (c.name.clone(), c.id),
        |c| c,
    )))
}

#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    request_body = CreateClient,
    responses((status = 201, body = Client), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_client(
    user: CurrentUser,
    State(state): State<AppState>,
    extract::Json(body): extract::Json<CreateClient>,
) -> ApiResult<Response> {
    user.require_admin()?;
    let (fields, v) = ClientFields::from_create(&body);
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let client = queries::create(&mut conn, &fields).await?;
    let location = format!("/api/v1/clients/{}", client.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(client),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}", tag = "clients", security(("bearer" = [])), params(ClientPath),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn get_client(
    scope: ClientScope,
    State(state): State<AppState>,
) -> ApiResult<Json<Client>> {
    let mut conn = state.pool.get().await?;
    Ok(Json(queries::get(&mut conn, scope.client_id).await?))
}

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}", tag = "clients", security(("bearer" = [])), params(ClientPath),
    request_body = UpdateClient,
    responses((status = 200, body = Client), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_client(
    scope: ClientScope,
    State(state): State<AppState>,
    extract::Json(body): extract::Json<UpdateClient>,
) -> ApiResult<Json<Client>> {
    scope.user.require_staff()?;
    let mut conn = state.pool.get().await?;
    let client_id = scope.client_id;
    let client = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let current = queries::get_for_update(conn, client_id).await?;
            let (fields, v) = ClientFields::merged(&current, &body);
            v.finish()?;
            queries::update(conn, client_id, &fields).await
        })
        .await?;
    Ok(Json(client))
}

#[utoipa::path(delete, path = "/api/v1/clients/{client_id}", tag = "clients", security(("bearer" = [])), params(ClientPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_client(
    scope: ClientScope,
    State(state): State<AppState>,
) -> ApiResult<StatusCode> {
    scope.user.require_admin()?;
    let mut conn = state.pool.get().await?;
    queries::delete(&mut conn, scope.client_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
