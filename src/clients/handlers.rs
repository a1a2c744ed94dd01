//! `/api/v1/clients`: staff see all clients, a client user only its own.

use axum::{Json, http::StatusCode};
use diesel_async::AsyncConnection;

use super::{
    queries::{self, ClientKey},
    types::{
        Client, ClientFields, ClientFilter, ClientPath, CreateClient, DeleteClientQuery,
        UpdateClient,
    },
};
use crate::http::prelude::*;
use crate::{
    auth::{
        principal::{CurrentUser, Role},
        tenancy::ClientScope,
    },
    db::errors::violates,
};

#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    params(ClientFilter, PageQuery),
    responses((status = 200, body = Page<Client>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list_clients(
    user: CurrentUser,
    Db(mut conn): Db,
    Query(filter): Query<ClientFilter>,
    page: PageRequest<ClientKey>,
) -> ApiResult<Page<Client>> {
    let only = match user.role {
        Role::Client => user.client_id,
        Role::Admin | Role::Operator => None,
    };
    let rows = queries::list(&mut conn, only, filter.industry.as_deref(), &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |c| c))
}

#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    request_body = CreateClient,
    responses((status = 201, body = Client), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_client(
    user: CurrentUser,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<CreateClient>,
) -> ApiResult<Created<Client>> {
    user.require_admin()?;
    let fields = ClientFields::from_create(&body)?;
    let client = queries::create(&mut conn, &fields).await?;
    Ok(Created::at(
        format!("/api/v1/clients/{}", client.id),
        client,
    ))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}", tag = "clients", security(("bearer" = [])), params(ClientPath),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
pub async fn get_client(scope: ClientScope, Db(mut conn): Db) -> ApiResult<Json<Client>> {
    let client = queries::get(&mut conn, scope.client_id).await;
    Ok(Json(client.or_not_found("client")?))
}

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}", tag = "clients", security(("bearer" = [])), params(ClientPath),
    request_body = UpdateClient,
    responses((status = 200, body = Client), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_client(
    scope: ClientScope,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<UpdateClient>,
) -> ApiResult<Json<Client>> {
    scope.user.require_staff()?;
    let client_id = scope.client_id;
    let client = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let current = queries::get_for_update(conn, client_id)
                .await
                .or_not_found("client")?;
            let fields = ClientFields::merged(&current, &body)?;
            queries::update(conn, client_id, &fields)
                .await
                .or_not_found("client")
        })
        .await?;
    Ok(Json(client))
}

#[utoipa::path(delete, path = "/api/v1/clients/{client_id}", tag = "clients", security(("bearer" = [])),
    params(ClientPath, DeleteClientQuery),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The client has shipments (never deleted), or has data and `confirm` is not its name; `detail` counts what would go", body = Problem)))]
pub async fn delete_client(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(query): Query<DeleteClientQuery>,
) -> ApiResult<StatusCode> {
    scope.user.require_admin()?;
    let id = scope.client_id;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let client = queries::get_for_update(conn, id)
            .await
            .or_not_found("client")?;
        let held = queries::dependents(conn, id).await?;
        if held.shipments > 0 {
            return Err(ApiError::Conflict(format!(
                "shipments are history and are never deleted; the client has {}",
                held.shipments
            )));
        }
        let described = held.described();
        if !described.is_empty() && query.confirm.as_deref() != Some(&client.fields.name) {
            return Err(ApiError::Conflict(format!(
                "the client has {described}; deleting it deletes all of them. To do so, repeat \
                 the request with ?confirm= and the client's name exactly"
            )));
        }
        match queries::delete(conn, id).await {
            Ok(0) => Err(ApiError::not_found("client")),
            Ok(_) => Ok(()),
            Err(e) if violates(&e, "shipments_client_id_fkey") => Err(ApiError::Conflict(
                "the client has shipments; shipment history cannot be deleted".into(),
            )),
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
