//! A product's economic order quantity: `GET /api/v1/clients/{client_id}/products/{product_id}/eoq`,
//! Q* = √(2DS/H) over the trailing twelve months. The handler takes [`ClientScope`], so
//! tenancy is checked before it runs.

pub mod types;

use axum::Json;
use chrono::{NaiveDate, Utc};
use diesel::{prelude::*, sql_types::Date};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use self::types::{EoqFigures, EoqQuery, ProductEoq};
use crate::http::prelude::*;
use crate::{auth::tenancy::ClientScope, db::prepared::Sql, products::types::ProductPath};

// Handler ------------------------------------------------------------------------------------

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/products/{product_id}/eoq", tag = "financial",
    security(("bearer" = [])), params(ProductPath, EoqQuery),
    responses((status = 200, body = ProductEoq), (status = 404, body = Problem),
        (status = 422, description = "An EOQ input of the product is missing or zero; `errors` names each", body = Problem)))]
pub async fn product_eoq(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ProductPath>,
    Query(query): Query<EoqQuery>,
) -> ApiResult<Json<ProductEoq>> {
    let as_of = query.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let figures = eoq_figures(&mut conn, scope.client_id, path.product_id, as_of)
        .await
        .or_not_found("product")?;
    Ok(Json(figures.into_view(path.product_id, as_of)?))
}

// Query --------------------------------------------------------------------------------------

/// A product's EOQ inputs and figures over the twelve months ending with `as_of`; the formulas
/// are at the top of the file and in `docs/financial.md`. Kept prepared on each connection:
/// planning it (about 1 ms) cost several times its run (0.15 ms).
static EOQ_SQL: Sql = Sql::new(include_str!("product_eoq.sql"));

/// The product's EOQ inputs and figures; `NotFound` when it is not a product of this client.
pub async fn eoq_figures(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    product_id: Uuid,
    as_of: NaiveDate,
) -> QueryResult<EoqFigures> {
    EOQ_SQL
        .query()
        .bind::<diesel::sql_types::Uuid, _>(product_id)
        .bind::<diesel::sql_types::Uuid, _>(client_id)
        .bind::<Date, _>(as_of)
        .get_result(conn)
        .await
}
