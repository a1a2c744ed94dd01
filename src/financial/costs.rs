//! A product's cost fields: `PATCH /api/v1/clients/{client_id}/products/{product_id}/costs`.
//! The handler takes [`ClientScope`], so tenancy is checked before it runs; any user passing
//! it (staff, or the client's own users) may write.

use axum::Json;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::prelude::*;
use crate::{
    auth::tenancy::ClientScope,
    db::schema::products,
    http::{decimal::Decimal, patch::Patch, validation::validate},
    owned_row,
    products::types::{CostSource, Product, ProductPath},
};

// Handler ------------------------------------------------------------------------------------

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/products/{product_id}/costs", tag = "financial",
    security(("bearer" = [])), params(ProductPath), request_body = UpdateProductCosts,
    responses((status = 200, description = "The product, `last_cost_update` stamped", body = Product),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_product_costs(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ProductPath>,
    extract::Json(body): extract::Json<UpdateProductCosts>,
) -> ApiResult<Json<Product>> {
    let changes = body.validate()?;
    update_costs(&mut conn, scope.client_id, path.product_id, &changes)
        .await
        .or_not_found("product")
        .map(Json)
}

// Types --------------------------------------------------------------------------------------

/// `PATCH /products/{product_id}/costs`: absent fields stay as they are, `null` clears one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProductCosts {
    /// Purchase cost per unit, cents, ≥ 0.
    #[serde(default)]
    pub unit_cost: Patch<Decimal>,
    /// Selling price per unit, cents, ≥ 0.
    #[serde(default)]
    pub unit_price: Patch<Decimal>,
    /// Fixed cost of placing one replenishment order (EOQ's S), cents, ≥ 0.
    #[serde(default)]
    pub reorder_cost: Patch<Decimal>,
    /// Annual holding cost as a fraction of `unit_cost`, 0 to 1, four decimals.
    #[serde(default)]
    pub holding_cost_rate: Patch<Decimal>,
    /// `manual`, `supplier_invoice`, `erp_import` or `estimate`.
    #[serde(default)]
    #[schema(value_type = Option<CostSource>)]
    pub cost_source: Patch<String>,
}

/// The validated cost columns to write. `None` leaves a column alone, `Some(None)` clears it,
/// so the UPDATE touches exactly what the request named (no read-modify-write race).
#[derive(Debug, Default, PartialEq, AsChangeset)]
#[diesel(table_name = products)]
pub struct CostChanges {
    pub unit_cost: Option<Option<Decimal>>,
    pub unit_price: Option<Option<Decimal>>,
    pub reorder_cost: Option<Option<Decimal>>,
    pub holding_cost_rate: Option<Option<Decimal>>,
    pub cost_source: Option<Option<CostSource>>,
}

impl CostChanges {
    /// Nothing named: the request is a no-op and `last_cost_update` is not stamped.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl UpdateProductCosts {
    /// The columns this PATCH names, checked; a 422 names every bad one.
    pub fn validate(&self) -> ApiResult<CostChanges> {
        validate(|v| CostChanges {
            unit_cost: v.change(&self.unit_cost, |v, d| v.money("unit_cost", d)),
            unit_price: v.change(&self.unit_price, |v, d| v.money("unit_price", d)),
            reorder_cost: v.change(&self.reorder_cost, |v, d| v.money("reorder_cost", d)),
            holding_cost_rate: v.change(&self.holding_cost_rate, |v, d| {
                v.rate("holding_cost_rate", d)
            }),
            cost_source: v
                .change(&self.cost_source, |v, s| v.word("cost_source", s))
                .map(Option::flatten),
        })
    }
}

// Queries ------------------------------------------------------------------------------------

/// Writes the named cost columns and stamps `last_cost_update`, in one UPDATE (only the named
/// columns change, so a concurrent edit of another column is never overwritten). A request
/// naming nothing changes nothing and stamps nothing. `NotFound`: no such product of this
/// client.
pub async fn update_costs(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    product_id: Uuid,
    changes: &CostChanges,
) -> QueryResult<Product> {
    let target = owned_row!(products, client_id = client_id, product_id);
    if changes.is_empty() {
        return target.select(Product::as_select()).first(conn).await;
    }
    let now = Utc::now();
    diesel::update(target)
        .set((
            changes,
            products::last_cost_update.eq(now),
            products::updated_at.eq(now),
        ))
        .returning(Product::as_returning())
        .get_result(conn)
        .await
}
