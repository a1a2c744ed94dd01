//! `/api/v1/clients/{client_id}/products`.

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use diesel_async::AsyncConnection;

use super::{
    queries,
    types::{
        CreateProduct, Product, ProductFilter, UpdateProduct, validate_create, validate_update,
    },
};
use crate::{
    auth::tenancy::ClientScope,
    clients,
    http::{
        error::{ApiError, ApiResult, Problem},
        extract::{self, Query},
        pagination::{Page, PageQuery},
        paths::{ClientPath, ProductPath},
        state::AppState,
    },
};

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/products", tag = "products", security(("bearer" = [])),
    params(ClientPath, ProductFilter),
    responses((status = 200, body = Page<Product>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_products(
    scope: ClientScope,
    State(state): State<AppState>,
    Query(filter): Query<ProductFilter>,
) -> ApiResult<Json<Page<Product>>> {
    let page = PageQuery {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    }
    .parse::<String>()?;
    let mut conn = state.pool.get().await?;
    let rows = queries::list(
        &mut conn,
        scope.client_id,
        filter.category.as_deref(),
        filter.q.as_deref(),
        &page,
    )
    .await?;
    Ok(Json(Page::from_rows(rows, &page, |p| p.sku.clone(), |p| p)))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/products", tag = "products", security(("bearer" = [])),
    params(ClientPath), request_body = CreateProduct,
    responses((status = 201, body = Product), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_product(
    scope: ClientScope,
    State(state): State<AppState>,
    extract::Json(body): extract::Json<CreateProduct>,
) -> ApiResult<Response> {
    let mut conn = state.pool.get().await?;
    let client = clients::queries::get(&mut conn, scope.client_id).await?;
    let (fields, v) = validate_create(&body, &client);
    v.finish()?;
    let product = queries::create(&mut conn, scope.client_id, &fields).await?;
    let location = format!(
        "/api/v1/clients/{}/products/{}",
        scope.client_id, product.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(product),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/products/{product_id}", tag = "products", security(("bearer" = [])), params(ProductPath),
    responses((status = 200, body = Product), (status = 404, body = Problem)))]
pub async fn get_product(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<ProductPath>,
) -> ApiResult<Json<Product>> {
    let mut conn = state.pool.get().await?;
    Ok(Json(
        queries::get(&mut conn, scope.client_id, path.product_id).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/products/{product_id}", tag = "products", security(("bearer" = [])), params(ProductPath),
    request_body = UpdateProduct,
    responses((status = 200, body = Product), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_product(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<ProductPath>,
    extract::Json(body): extract::Json<UpdateProduct>,
) -> ApiResult<Json<Product>> {
    let mut conn = state.pool.get().await?;
    let client_id = scope.client_id;
    let product = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let current = queries::get_for_update(conn, client_id, path.product_id).await?;
            let (fields, v) = validate_update(&body, &current);
            v.finish()?;
            let stamp = fields.costs_differ(&current);
            queries::update(conn, client_id, path.product_id, &fields, stamp).await
        })
        .await?;
    Ok(Json(product))
}

#[utoipa::path(delete, path = "/api/v1/clients/{client_id}/products/{product_id}", tag = "products", security(("bearer" = [])), params(ProductPath),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_product(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<ProductPath>,
) -> ApiResult<StatusCode> {
    let mut conn = state.pool.get().await?;
    queries::delete(&mut conn, scope.client_id, path.product_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
