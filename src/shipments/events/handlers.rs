//! `/api/v1/clients/{client_id}/shipments/{shipment_id}/events`.

use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use diesel_async::AsyncConnection;

use super::{
    EventKey, Outcome, apply_one_locked, event_key, history,
    types::{CreateEvent, EventReceipt, ShipmentEvent},
};
use crate::{
    auth::tenancy::ClientScope,
    http::{
        conn::Db,
        error::{ApiError, ApiResult, OrNotFound, Problem},
        extract::{self, Path},
        pagination::{Page, PageQuery, PageRequest},
        validation::validate,
    },
    shipments::{queries, types::ShipmentPath},
};

/// Appends a scan. 201 with the stored event when it is new, 200 with the stored one when
/// the same scan was posted before; `applied` says whether the shipment's status now comes
/// from it, `reason` why not.
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/shipments/{shipment_id}/events", tag = "shipments", security(("bearer" = [])),
    params(ShipmentPath), request_body = CreateEvent,
    responses((status = 201, body = EventReceipt), (status = 200, body = EventReceipt, description = "the same scan was posted before"),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_event(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ShipmentPath>,
    extract::Json(body): extract::Json<CreateEvent>,
) -> ApiResult<Response> {
    let (client_id, id) = (scope.client_id, path.shipment_id);
    let applied = conn
        .transaction::<_, ApiError, _>(async |conn| {
            // Read with the row lock apply needs: one statement for tenancy, carrier, lock
            // and where the state stands.
            let target = queries::event_target_for_update(conn, client_id, id)
                .await
                .or_not_found("shipment")?;
            let rules = target.carrier.rules();
            let event = validate(|v| body.parts().checked(v, "", rules, id))?;
            Ok(apply_one_locked(conn, &target, event).await?)
        })
        .await?;
    let status = match applied.outcome {
        Outcome::Duplicate => StatusCode::OK,
        _ => StatusCode::CREATED,
    };
    let location = format!(
        "/api/v1/clients/{client_id}/shipments/{id}/events#{}",
        applied.event.id
    );
    let receipt = EventReceipt {
        applied: applied.outcome == Outcome::Applied,
        reason: applied.reason(),
        shipment_status: applied.shipment_status,
        event: applied.event,
    };
    Ok((status, [(header::LOCATION, location)], Json(receipt)).into_response())
}

/// The shipment's history, oldest first (by `event_time`), keyset-paginated.
#[utoipa::path(get, path = "/api/v1/clients/{client_id}/shipments/{shipment_id}/events", tag = "shipments", security(("bearer" = [])),
    params(ShipmentPath, PageQuery),
    responses((status = 200, body = Page<ShipmentEvent>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_events(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<ShipmentPath>,
    page: PageRequest<EventKey>,
) -> ApiResult<Page<ShipmentEvent>> {
    queries::get_row(&mut conn, scope.client_id, path.shipment_id)
        .await
        .or_not_found("shipment")?;
    let rows = history(&mut conn, path.shipment_id, &page).await?;
    Ok(Page::from_rows(rows, &page, event_key, |e| e))
}
