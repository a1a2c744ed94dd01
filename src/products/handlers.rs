//! `/api/v1/clients/{client_id}/products`.

use axum::{Json, http::StatusCode};
use diesel::result::Error as DieselError;
use diesel_async::AsyncConnection;

use super::{
    queries,
    types::{CreateProduct, Product, ProductFilter, ProductPath, UpdateProduct},
};
use crate::http::prelude::*;
use crate::{
    auth::tenancy::ClientScope,
    clients::{self, types::ClientPath},
    db::errors::violates,
};

/// A write that ran into the per-client SKU uniqueness is a 409 naming the SKU.
fn write_error(e: DieselError, sku: &str) -> ApiError {
    if violates(&e, "products_client_id_sku_key") {
        return ApiError::Conflict(format!("this client already has a product with sku {sku}"));
    }
    match e {
        DieselError::NotFound => ApiError::not_found("product"),
        e => e.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/products", tag = "products", security(("bearer" = [])),
    params(ClientPath, ProductFilter, PageQuery),
    responses((status = 200, body = Page<Product>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_products(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(filter): Query<ProductFilter>,
    page: PageRequest<String>,
) -> ApiResult<Page<Product>> {
    let rows = queries::list(&mut conn, scope.client_id, &filter, &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |p| p))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/products", tag = "products", security(("bearer" = [])),
    params(ClientPath), request_body = CreateProduct,
    responses((status = 201, body = Product), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_product(
    scope: ClientScope,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<CreateProduct>,
) -> ApiResult<Created<Product>> {
    let client = clients::queries::get(&mut conn, scope.client_id)
        .await
        .or_not_found("client")?;
    let fields = body.validate(&client)?;
    // In a transaction of its own, though one statement: over the extended protocol an
    // autocommit statement commits at the Sync after it, and a backend terminated in between
    // has already flushed the statement's CommandComplete (with its FATAL), so the client
    // would take an insert that was rolled back for written. An explicit COMMIT answers only
    // once committed (`robustness::terminated_database_connections_…` caught it).
    let product = conn
        .transaction::<_, DieselError, _>(async |conn| {
            queries::create(conn, scope.client_id, &fields).await
        })
        .await
        .map_err(|e| write_error(e, &fields.sku))?;
    let location = format!(
        "/api/v1/clients/{}/products/{}",
        scope.client_id, product.id
    );
    Ok(Created::at(location, product))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/products/{product_id}", tag = "products", security(("bearer" = [])), params(ProductPath),
    responses((status = 200, body = Product), (status = 404, body = Problem)))]
pub async fn get_product(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ProductPath>,
) -> ApiResult<Json<Product>> {
    let product = queries::get(&mut conn, scope.client_id, path.product_id).await;
    Ok(Json(product.or_not_found("product")?))
}

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/products/{product_id}", tag = "products", security(("bearer" = [])), params(ProductPath),
    request_body = UpdateProduct,
    responses((status = 200, body = Product), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_product(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ProductPath>,
    extract::Json(body): extract::Json<UpdateProduct>,
) -> ApiResult<Json<Product>> {
    let (client_id, id) = (scope.client_id, path.product_id);
    let product = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let current = queries::get_for_update(conn, client_id, id)
                .await
                .or_not_found("product")?;
            let fields = body.merged(&current)?;
            let stamp = fields.costs_differ(&current.fields);
            queries::update(conn, client_id, id, &fields, stamp)
                .await
                .map_err(|e| write_error(e, &fields.sku))
        })
        .await?;
    Ok(Json(product))
}

#[utoipa::path(delete, path = "/api/v1/clients/{client_id}/products/{product_id}", tag = "products", security(("bearer" = [])), params(ProductPath),
    responses((status = 204),
        (status = 404, body = Problem),
        (status = 409, description = "The product was ordered or shipped: history is kept; archive it instead", body = Problem)))]
pub async fn delete_product(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ProductPath>,
) -> ApiResult<StatusCode> {
    let archive = format!(
        "archive it instead (POST /api/v1/clients/{}/products/{}/archive)",
        scope.client_id, path.product_id
    );
    match queries::delete(&mut conn, scope.client_id, path.product_id).await {
        Ok(0) => Err(ApiError::not_found("product")),
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(e) if violates(&e, "shipment_items_product_id_fkey") => Err(ApiError::Conflict(
            format!("the product was shipped and shipment history cannot be deleted; {archive}"),
        )),
        Err(e) if violates(&e, "order_request_items_product_id_fkey") => {
            let lines = queries::order_line_count(&mut conn, path.product_id).await?;
            Err(ApiError::Conflict(format!(
                "the product is on {lines} order request line(s) and order history cannot be \
                 deleted; {archive}"
            )))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/products/{product_id}/archive", tag = "products",
    security(("bearer" = [])), params(ProductPath),
    responses((status = 200, description = "The product, archived (archiving twice keeps the first `archived_at`)", body = Product),
        (status = 404, body = Problem)))]
pub async fn archive_product(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ProductPath>,
) -> ApiResult<Json<Product>> {
    let product = queries::set_archived(&mut conn, scope.client_id, path.product_id, true).await;
    Ok(Json(product.or_not_found("product")?))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/products/{product_id}/unarchive", tag = "products",
    security(("bearer" = [])), params(ProductPath),
    responses((status = 200, description = "The product, active again", body = Product), (status = 404, body = Problem)))]
pub async fn unarchive_product(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ProductPath>,
) -> ApiResult<Json<Product>> {
    let product = queries::set_archived(&mut conn, scope.client_id, path.product_id, false).await;
    Ok(Json(product.or_not_found("product")?))
}
