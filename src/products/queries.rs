//! Every SQL statement about products.

use chrono::Utc;
use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{Product, ProductFields};
use crate::{
    db::schema::products,
    http::{
        error::{ApiError, ApiResult},
        pagination::PageRequest,
    },
};

fn write_error(e: DieselError, sku: &str) -> ApiError {
    match &e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("products_client_id_sku_key") =>
        {
            ApiError::Conflict(format!("this client already has a product with sku {sku}"))
        }
        _ => e.into(),
    }
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    category: Option<&str>,
    search: Option<&str>,
    page: &PageRequest<String>,
) -> ApiResult<Vec<Product>> {
    let mut q = products::table
        .filter(products::client_id.eq(client_id))
        .select(Product::as_select())
        .into_boxed();
    if let Some(category) = category {
        q = q.filter(products::category.eq(category.to_owned()));
    }
    if let Some(text) = search.map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q = q.filter(
            products::sku
                .ilike(pattern.clone())
                .or(products::name.ilike(pattern)),
        );
    }
    if let Some(after) = &page.after {
        q = q.filter(products::sku.gt(after.clone()));
    }
    Ok(q.order(products::sku.asc())
        .limit(page.fetch())
        .load(conn)
        .await?)
}

/// A product of this client (another client's product is "not found").
pub async fn get(conn: &mut AsyncPgConnection, client_id: Uuid, id: Uuid) -> ApiResult<Product> {
    products::table
        .filter(products::id.eq(id).and(products::client_id.eq(client_id)))
        .select(Product::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("product"))
}

/// The product, row-locked until the transaction ends: a PATCH reads, merges and writes
/// under this lock, so two concurrent PATCHes of different fields both land.
pub async fn get_for_update(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> ApiResult<Product> {
    products::table
        .filter(products::id.eq(id).and(products::client_id.eq(client_id)))
        .select(Product::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("product"))
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    fields: &ProductFields,
) -> ApiResult<Product> {
    let stamp = (fields.unit_cost.is_some()
        || fields.unit_price.is_some()
        || fields.reorder_cost.is_some()
        || fields.holding_cost_rate.is_some())
    .then(Utc::now);
    diesel::insert_into(products::table)
        .values((
            products::client_id.eq(client_id),
            products::sku.eq(&fields.sku),
            products::name.eq(&fields.name),
            products::category.eq(&fields.category),
            products::current_stock.eq(fields.current_stock),
            products::unit_cost.eq(&fields.unit_cost),
            products::unit_price.eq(&fields.unit_price),
            products::reorder_cost.eq(&fields.reorder_cost),
            products::holding_cost_rate.eq(&fields.holding_cost_rate),
            products::cost_source.eq(&fields.cost_source),
            products::last_cost_update.eq(stamp),
            products::supplier_lead_days.eq(fields.supplier_lead_days),
            products::shipping_lead_days.eq(fields.shipping_lead_days),
            products::processing_lead_days.eq(fields.processing_lead_days),
            products::safety_buffer_days.eq(fields.safety_buffer_days),
            products::lead_time_source.eq(&fields.lead_time_source),
        ))
        .returning(Product::as_returning())
        .get_result(conn)
        .await
        .map_err(|e| write_error(e, &fields.sku))
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
    fields: &ProductFields,
    stamp_costs: bool,
) -> ApiResult<Product> {
    let now = Utc::now();
    let target = products::table.filter(products::id.eq(id).and(products::client_id.eq(client_id)));
    let result = if stamp_costs {
        diesel::update(target)
            .set((
                fields,
                products::updated_at.eq(now),
                products::last_cost_update.eq(now),
            ))
            .returning(Product::as_returning())
            .get_result(conn)
            .await
    } else {
        diesel::update(target)
            .set((fields, products::updated_at.eq(now)))
            .returning(Product::as_returning())
            .get_result(conn)
            .await
    };
    result.map_err(|e| match e {
        DieselError::NotFound => ApiError::not_found("product"),
        e => write_error(e, &fields.sku),
    })
}

/// Refused while the product appears on a shipment (the guide's RESTRICT).
pub async fn delete(conn: &mut AsyncPgConnection, client_id: Uuid, id: Uuid) -> ApiResult<()> {
    let target = products::table.filter(products::id.eq(id).and(products::client_id.eq(client_id)));
    match diesel::delete(target).execute(conn).await {
        Ok(0) => Err(ApiError::not_found("product")),
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info))
            if info.constraint_name() == Some("shipment_items_product_id_fkey") =>
        {
            Err(ApiError::Conflict(
                "the product was shipped; shipment history cannot be deleted".into(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}
