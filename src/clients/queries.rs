//! Every SQL statement about clients. Errors stay Diesel's; handlers map them to HTTP.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{Client, ClientFields};
use crate::db::{
    query::FilterSome,
    schema::{clients, order_requests},
};
use crate::http::pagination::PageRequest;
use crate::keyset_page;

/// Sort key of the client list: name, then id.
pub type ClientKey = (String, Uuid);

pub fn key(c: &Client) -> ClientKey {
    (c.fields.name.clone(), c.id)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    only: Option<Uuid>,
    industry: Option<&str>,
    page: &PageRequest<ClientKey>,
) -> QueryResult<Vec<Client>> {
    let q = clients::table
        .select(Client::as_select())
        .into_boxed()
        .filter_some(only, |id| clients::id.eq(id))
        .filter_some(industry, |industry| {
            clients::industry.eq(industry.to_owned())
        });
    keyset_page!(q, page, asc(clients::name, clients::id))
        .load(conn)
        .await
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Client> {
    clients::table
        .find(id)
        .select(Client::as_select())
        .first(conn)
        .await
}

/// The client, row-locked until the transaction ends (PATCH reads, merges and writes under it).
pub async fn get_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Client> {
    clients::table
        .find(id)
        .select(Client::as_select())
        .for_update()
        .first(conn)
        .await
}

pub async fn create(conn: &mut AsyncPgConnection, fields: &ClientFields) -> QueryResult<Client> {
    diesel::insert_into(clients::table)
        .values(fields)
        .returning(Client::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &ClientFields,
) -> QueryResult<Client> {
    diesel::update(clients::table.find(id))
        .set((fields, clients::updated_at.eq(Utc::now())))
        .returning(Client::as_returning())
        .get_result(conn)
        .await
}

/// Deletes a client and (by cascade) its products, orders, budgets and users; the guide's
/// RESTRICT on `shipments.client_id` refuses it while it has shipments. Answers the rows
/// deleted (0: no such client).
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<usize> {
    // Orders first: their lines would otherwise hold on to the products the client's delete
    // cascades to (order_request_items_product_id_fkey refuses deleting an ordered product).
    diesel::delete(order_requests::table.filter(order_requests::client_id.eq(id)))
        .execute(conn)
        .await?;
    diesel::delete(clients::table.find(id)).execute(conn).await
}

/// What deleting a client takes with it (shipments excepted: they refuse the delete).
#[derive(Debug, QueryableByName)]
pub struct Dependents {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub users: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub products: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub order_requests: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub budgets: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub cost_tracking_rows: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub shipments: i64,
}

impl Dependents {
    /// `"2 users, 5 products"`: the non-zero counts, in the user's words; empty when none.
    pub fn described(&self) -> String {
        [
            (self.users, "user(s)"),
            (self.products, "product(s)"),
            (self.order_requests, "order request(s)"),
            (self.budgets, "budget(s)"),
            (self.cost_tracking_rows, "monthly cost row(s)"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Counts what references the client, in one round trip.
pub async fn dependents(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Dependents> {
    diesel::sql_query(include_str!("dependents.sql"))
        .bind::<diesel::sql_types::Uuid, _>(id)
        .get_result(conn)
        .await
}
