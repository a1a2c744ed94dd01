//! `/api/v1/clients/{client_id}/shipments` and `/api/v1/shipments/by-tracking/…`.

use axum::{Json, extract::State};
use diesel_async::AsyncConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    allocation::allocate,
    carriers::normalize,
    queries::{self, ShipmentKey},
    types::{Carrier, CreateShipment, Shipment, ShipmentFilter, ShipmentPath, UpdateShipment},
};
use crate::http::prelude::*;
use crate::{
    auth::{principal::CurrentUser, principal::Role, tenancy::ClientScope},
    clients::types::ClientPath,
    http::validation::validate,
};

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/shipments", tag = "shipments", security(("bearer" = [])),
    params(ClientPath, ShipmentFilter, PageQuery),
    responses((status = 200, body = Page<Shipment>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_shipments(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(filter): Query<ShipmentFilter>,
    page: PageRequest<ShipmentKey>,
) -> ApiResult<Page<Shipment>> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(ApiError::invalid("from", "must not be after to"));
    }
    let rows = queries::list(&mut conn, scope.client_id, &filter, &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |s| s))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/shipments", tag = "shipments", security(("bearer" = [])),
    params(ClientPath), request_body = CreateShipment,
    responses((status = 201, body = Shipment), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_shipment(
    scope: ClientScope,
    State(state): State<AppState>,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<CreateShipment>,
) -> ApiResult<Created<Shipment>> {
    let new = body.validate(&state.config.shipments)?;
    let client_id = scope.client_id;
    let shipment = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let mut orders =
                queries::lock_order_lines(conn, client_id, &[new.order_request_id]).await?;
            let Some(lines) = orders.get_mut(&new.order_request_id) else {
                return Err(ApiError::invalid(
                    "order_request_id",
                    "is not an order request of this client",
                ));
            };
            let items = validate(|v| allocate(v, "", lines, &new.items))?;
            Ok(queries::insert(conn, client_id, new.order_request_id, &new.fields, &items).await?)
        })
        .await?;
    let location = format!(
        "/api/v1/clients/{client_id}/shipments/{}",
        shipment.shipment.id
    );
    Ok(Created::at(location, shipment))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/shipments/{shipment_id}", tag = "shipments", security(("bearer" = [])),
    params(ShipmentPath),
    responses((status = 200, body = Shipment), (status = 404, body = Problem)))]
pub async fn get_shipment(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ShipmentPath>,
) -> ApiResult<Json<Shipment>> {
    let shipment = queries::get(&mut conn, scope.client_id, path.shipment_id).await;
    Ok(Json(shipment.or_not_found("shipment")?))
}

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/shipments/{shipment_id}", tag = "shipments", security(("bearer" = [])),
    params(ShipmentPath), request_body = UpdateShipment,
    responses((status = 200, body = Shipment), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_shipment(
    scope: ClientScope,
    State(state): State<AppState>,
    Db(mut conn): Db,
    Path(path): Path<ShipmentPath>,
    extract::Json(body): extract::Json<UpdateShipment>,
) -> ApiResult<Json<Shipment>> {
    let (client_id, id) = (scope.client_id, path.shipment_id);
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let current = queries::get_for_update(conn, client_id, id)
                .await
                .or_not_found("shipment")?;
            let fields = body.merged(&current, &state.config.shipments)?;
            Ok(queries::update(conn, id, &fields).await?)
        })
        .await?;
    let shipment = queries::with_items(&mut conn, vec![row], 1)
        .await?
        .remove(0);
    Ok(Json(shipment))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TrackingPath {
    /// As printed: spaces are removed and letters upper-cased before the lookup.
    pub tracking_number: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackingFilter {
    /// Only this carrier's shipments (numbers are recycled, and carriers' formats overlap).
    pub carrier: Option<Carrier>,
}

/// A client user finds only its own client's shipments (another client's number is 404);
/// staff find every client's. The newest shipment with the number wins.
#[utoipa::path(get, path = "/api/v1/shipments/by-tracking/{tracking_number}", tag = "shipments", security(("bearer" = [])),
    params(TrackingPath, TrackingFilter),
    responses((status = 200, body = Shipment), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn shipment_by_tracking(
    user: CurrentUser,
    Db(mut conn): Db,
    Path(path): Path<TrackingPath>,
    Query(filter): Query<TrackingFilter>,
) -> ApiResult<Json<Shipment>> {
    let client_id = match user.role {
        Role::Client => Some(
            user.client_id
                .ok_or_else(|| ApiError::not_found("shipment"))?,
        ),
        Role::Admin | Role::Operator => None,
    };
    let number = normalize(&path.tracking_number);
    let shipment = queries::by_tracking(&mut conn, client_id, &number, filter.carrier).await;
    Ok(Json(shipment.or_not_found("shipment")?))
}
