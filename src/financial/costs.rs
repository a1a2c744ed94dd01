//! A product's cost fields: `PATCH /api/v1/clients/{client_id}/products/{product_id}/costs`.
//! The handler takes [`ClientScope`], so tenancy is checked before it runs; any user passing
//! it (staff, or the client's own users) may write.

use axum::{
    Json,
    extract::{Path, State},
};
use bigdecimal::BigDecimal;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::tenancy::ClientScope,
    db::schema::products,
    http::{
        decimal::{self, Decimal},
        error::{ApiError, ApiResult, Problem},
        extract::{self, double_option},
        state::AppState,
        validation::Validator,
    },
    products::types::ProductPath,
    products::types::{COST_SOURCES, Product},
};

// Handler ------------------------------------------------------------------------------------

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/products/{product_id}/costs", tag = "financial",
    security(("bearer" = [])), params(ProductPath), request_body = UpdateProductCosts,
    responses((status = 200, description = "The product, `last_cost_update` stamped", body = Product),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_product_costs(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<ProductPath>,
    extract::Json(body): extract::Json<UpdateProductCosts>,
) -> ApiResult<Json<Product>> {
    let (changes, v) = validate_costs(&body);
    v.finish()?;
    let mut conn = state.pool.get().await?;
    update_costs(&mut conn, scope.client_id, path.product_id, &changes)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("product"))
}

// Types --------------------------------------------------------------------------------------

/// `PATCH /products/{product_id}/costs`: absent fields stay as they are, `null` clears one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProductCosts {
    /// Purchase cost per unit, cents, ≥ 0.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_cost: Option<Option<Decimal>>,
    /// Selling price per unit, cents, ≥ 0.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_price: Option<Option<Decimal>>,
    /// Fixed cost of placing one replenishment order (EOQ's S), cents, ≥ 0.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub reorder_cost: Option<Option<Decimal>>,
    /// Annual holding cost as a fraction of `unit_cost`, 0 to 1, four decimals.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub holding_cost_rate: Option<Option<Decimal>>,
    /// `manual`, `supplier_invoice`, `erp_import` or `estimate`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub cost_source: Option<Option<String>>,
}

/// The validated cost columns to write. `None` leaves a column alone, `Some(None)` clears it,
/// so the UPDATE touches exactly what the request named (no read-modify-write race).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = products)]
pub struct CostChanges {
    pub unit_cost: Option<Option<BigDecimal>>,
    pub unit_price: Option<Option<BigDecimal>>,
    pub reorder_cost: Option<Option<BigDecimal>>,
    pub holding_cost_rate: Option<Option<BigDecimal>>,
    pub cost_source: Option<Option<String>>,
}

impl CostChanges {
    /// Nothing named: the request is a no-op and `last_cost_update` is not stamped.
    pub fn is_empty(&self) -> bool {
        self.unit_cost.is_none()
            && self.unit_price.is_none()
            && self.reorder_cost.is_none()
            && self.holding_cost_rate.is_none()
            && self.cost_source.is_none()
    }
}

fn patch_decimal(
    v: &mut Validator,
    field: &str,
    value: &Option<Option<Decimal>>,
    check: fn(&Decimal) -> Result<BigDecimal, String>,
) -> Option<Option<BigDecimal>> {
    value
        .as_ref()
        .map(|inner| inner.as_ref().map(|d| v.decimal(field, d, check)))
}

pub fn validate_costs(body: &UpdateProductCosts) -> (CostChanges, Validator) {
    let mut v = Validator::new();
    let changes = CostChanges {
        unit_cost: patch_decimal(&mut v, "unit_cost", &body.unit_cost, decimal::money),
        unit_price: patch_decimal(&mut v, "unit_price", &body.unit_price, decimal::money),
        reorder_cost: patch_decimal(&mut v, "reorder_cost", &body.reorder_cost, decimal::money),
        holding_cost_rate: patch_decimal(
            &mut v,
            "holding_cost_rate",
            &body.holding_cost_rate,
            decimal::rate,
        ),
        cost_source: body.cost_source.as_ref().map(|inner| {
            inner
                .as_deref()
                .map(|s| v.one_of("cost_source", s, COST_SOURCES))
        }),
    };
    (changes, v)
}

// Queries ------------------------------------------------------------------------------------

/// Writes the named cost columns and stamps `last_cost_update`, in one UPDATE (only the named
/// columns change, so a concurrent edit of another column is never overwritten). A request
/// naming nothing changes nothing and stamps nothing. `None`: no such product of this client.
pub async fn update_costs(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    product_id: Uuid,
    changes: &CostChanges,
) -> QueryResult<Option<Product>> {
    let target = products::table.filter(
        products::id
            .eq(product_id)
            .and(products::client_id.eq(client_id)),
    );
    if changes.is_empty() {
        return target
            .select(Product::as_select())
            .first(conn)
            .await
            .optional();
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
        .optional()
}
