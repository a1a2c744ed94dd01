//! Every SQL statement about clients.

use chrono::Utc;
use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{Client, ClientFields};
use crate::{
    db::schema::clients,
    http::{
        error::{ApiError, ApiResult},
        pagination::PageRequest,
    },
};

/// Sort key of the client list: name, then id.
pub type ClientKey = (String, Uuid);

pub async fn list(
    conn: &mut AsyncPgConnection,
    only: Option<Uuid>,
    industry: Option<&str>,
    page: &PageRequest<ClientKey>,
) -> ApiResult<Vec<Client>> {
    let mut q = clients::table.select(Client::as_select()).into_boxed();
    if let Some(id) = only {
        q = q.filter(clients::id.eq(id));
    }
    if let Some(industry) = industry {
        q = q.filter(clients::industry.eq(industry.to_owned()));
    }
    if let Some((name, id)) = &page.after {
        q = q.filter(
            clients::name
                .gt(name.clone())
                .or(clients::name.eq(name.clone()).and(clients::id.gt(*id))),
        );
    }
    Ok(q.order((clients::name.asc(), clients::id.asc()))
        .limit(page.fetch())
        .load(conn)
        .await?)
}

pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Client> {
    clients::table
        .find(id)
        .select(Client::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("client"))
}

/// The client, row-locked until the transaction ends (PATCH reads, merges and writes under it).
pub async fn get_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Client> {
    clients::table
        .find(id)
        .select(Client::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("client"))
}

pub async fn create(conn: &mut AsyncPgConnection, fields: &ClientFields) -> ApiResult<Client> {
    Ok(diesel::insert_into(clients::table)
        .values(fields)
        .returning(Client::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &ClientFields,
) -> ApiResult<Client> {
    diesel::update(clients::table.find(id))
        .set((fields, clients::updated_at.eq(Utc::now())))
        .returning(Client::as_returning())
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("client"))
}

/// Deletes a client and (by cascade) its products, orders, budgets and users; refused while
/// it has shipments (the guide's RESTRICT on `shipments.client_id`).
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<()> {
    match diesel::delete(clients::table.find(id)).execute(conn).await {
        Ok(0) => Err(ApiError::not_found("client")),
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info))
            if info.constraint_name() == Some("shipments_client_id_fkey") =>
        {
            Err(ApiError::Conflict(
                "the client has shipments; shipment history cannot be deleted".into(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}
