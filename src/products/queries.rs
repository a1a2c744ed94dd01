//! Every SQL statement about products. Errors stay Diesel's; handlers map them to HTTP.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{Product, ProductFields, ProductFilter};
use crate::{
    db::{query::FilterSome, schema::products},
    http::pagination::PageRequest,
    keyset_page, owned_row,
};

/// Sort key of the product list: the SKU (unique per client).
pub fn key(p: &Product) -> String {
    p.fields.sku.clone()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    filter: &ProductFilter,
    page: &PageRequest<String>,
) -> QueryResult<Vec<Product>> {
    let mut q = products::table
        .filter(products::client_id.eq(client_id))
        .select(Product::as_select())
        .into_boxed();
    if !filter.include_archived {
        q = q.filter(products::archived_at.is_null());
    }
    q = q.filter_some(filter.category.clone(), |c| products::category.eq(c));
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
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
    keyset_page!(q, page, asc(products::sku)).load(conn).await
}

/// A product of this client (another client's product is not found).
pub async fn get(conn: &mut AsyncPgConnection, client_id: Uuid, id: Uuid) -> QueryResult<Product> {
    owned_row!(products, client_id = client_id, id, as Product)
        .first(conn)
        .await
}

/// The product, row-locked until the transaction ends: a PATCH reads, merges and writes
/// under this lock, so two concurrent PATCHes of different fields both land.
pub async fn get_for_update(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<Product> {
    owned_row!(products, client_id = client_id, id, as Product)
        .for_update()
        .first(conn)
        .await
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    fields: &ProductFields,
) -> QueryResult<Product> {
    let has_costs = fields.unit_cost.is_some()
        || fields.unit_price.is_some()
        || fields.reorder_cost.is_some()
        || fields.holding_cost_rate.is_some();
    diesel::insert_into(products::table)
        .values((
            products::client_id.eq(client_id),
            fields,
            products::last_cost_update.eq(has_costs.then(Utc::now)),
        ))
        .returning(Product::as_returning())
        .get_result(conn)
        .await
}

/// Writes the merged fields; `stamp_costs` also stamps `last_cost_update`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
    fields: &ProductFields,
    stamp_costs: bool,
) -> QueryResult<Product> {
    let now = Utc::now();
    let target = owned_row!(products, client_id = client_id, id);
    if stamp_costs {
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
    }
}

/// Deletes a product. The database refuses it once the product was ordered
/// (`order_request_items_product_id_fkey`) or shipped (the guide's RESTRICT on
/// `shipment_items.product_id`): history is archived, not deleted. Answers the rows deleted
/// (0: no such product of this client).
pub async fn delete(conn: &mut AsyncPgConnection, client_id: Uuid, id: Uuid) -> QueryResult<usize> {
    let target = owned_row!(products, client_id = client_id, id);
    diesel::delete(target).execute(conn).await
}

/// Archives (`archived_at` = now) or reactivates a product. A product already in the asked
/// state is answered as it is, so archiving twice keeps the first archive time.
pub async fn set_archived(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
    archived: bool,
) -> QueryResult<Product> {
    let now = Utc::now();
    let target = owned_row!(products, client_id = client_id, id);
    let changed = diesel::update(target.filter(products::archived_at.is_null().eq(archived)))
        .set((
            products::archived_at.eq(archived.then_some(now)),
            products::updated_at.eq(now),
        ))
        .returning(Product::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    match changed {
        Some(product) => Ok(product),
        None => get(conn, client_id, id).await,
    }
}

/// How many order lines name the product (what a refused delete names).
pub async fn order_line_count(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<i64> {
    crate::db::schema::order_request_items::table
        .filter(crate::db::schema::order_request_items::product_id.eq(id))
        .count()
        .get_result(conn)
        .await
}
