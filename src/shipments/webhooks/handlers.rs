//! The carrier webhook route.

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{queries, signature};
use crate::http::prelude::*;
use crate::{
    http::{error::FieldError, extract::parse_json, validation::Validator, validation::validate},
    shipments::{
        events::{Outcome, apply, types::EventParts},
        queries as shipment_queries,
        types::{Carrier, ShipmentStatus, tracking_number},
    },
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CarrierPath {
    /// `ups`, `fedex`, `usps` or `dhl`.
    pub carrier: String,
}

/// A carrier's scan. Fields beyond these are kept (in the delivery, and as `raw_data` when
/// `raw` is absent) but not read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CarrierWebhook {
    /// The carrier's id of this event: a second delivery with it is a duplicate.
    #[schema(required)]
    pub event_id: Option<String>,
    #[schema(required)]
    pub tracking_number: Option<String>,
    /// One of ours or the carrier's native code.
    #[schema(required, value_type = ShipmentStatus)]
    pub status: Option<String>,
    #[schema(required)]
    pub event_time: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub description: Option<String>,
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<Object>)]
    pub raw: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResult {
    /// `applied`, `duplicate`, `ignored_terminal` or `unmatched`.
    pub result: &'static str,
    /// Whether the shipment's status now comes from this event (false for an older scan).
    pub status_changed: bool,
    pub reason: Option<String>,
    pub shipment_id: Option<Uuid>,
    pub shipment_event_id: Option<Uuid>,
}

impl WebhookResult {
    fn of(result: &'static str, reason: Option<String>) -> Self {
        Self {
            result,
            status_changed: false,
            reason,
            shipment_id: None,
            shipment_event_id: None,
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[utoipa::path(post, path = "/api/v1/webhooks/carriers/{carrier}", tag = "shipments",
    params(CarrierPath,
        ("X-Webhook-Timestamp" = String, Header, description = "Unix seconds; at most 300 s from the server's clock"),
        ("X-Webhook-Signature" = String, Header, description = "sha256=<hex of HMAC-SHA256(secret, \"<timestamp>.<raw body>\")>")),
    request_body = CarrierWebhook,
    responses((status = 200, body = WebhookResult), (status = 202, body = WebhookResult, description = "no shipment of this carrier has the number; kept"),
        (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn carrier_webhook(
    State(state): State<AppState>,
    Path(path): Path<CarrierPath>,
    headers: HeaderMap,
    Db(mut conn): Db,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<WebhookResult>)> {
    let carrier = Carrier::parse(&path.carrier).ok_or_else(|| ApiError::not_found("carrier"))?;
    let secret = state.config.shipments.webhook_secret(carrier);
    signature::verify(
        secret.map(|s| s.expose().as_bytes()),
        header(&headers, "x-webhook-timestamp"),
        header(&headers, "x-webhook-signature"),
        &body,
        Utc::now().timestamp(),
    )
    .map_err(|r| ApiError::Unauthorized(r.message().into()))?;
    let payload = String::from_utf8_lossy(&body).into_owned();

    let parsed = parse_json::<CarrierWebhook>(&body).and_then(|hook| {
        let raw = hook
            .raw
            .clone()
            .or_else(|| serde_json::from_slice(&body).ok());
        let rules = carrier.rules();
        validate(|v: &mut Validator| {
            let event_id = v
                .required("event_id", hook.event_id.as_ref())
                .map(|id| v.text("event_id", id, 200))
                .unwrap_or_default();
            let number = v
                .required("tracking_number", hook.tracking_number.as_ref())
                .map(|n| tracking_number(v, "tracking_number", Some(carrier), n))
                .unwrap_or_default();
            let parts = EventParts {
                status: hook.status.as_deref(),
                description: hook.description.as_deref(),
                location: hook.location.as_deref(),
                event_time: hook.event_time,
                estimated_delivery_at: hook.estimated_delivery_at,
                raw,
            };
            (event_id, number, parts.checked(v, "", rules, Uuid::nil()))
        })
    });
    let (event_id, number, mut event) = match parsed {
        Ok(parts) => parts,
        Err(e) => {
            let reason = match &e {
                ApiError::Validation(errors) => describe(errors),
                other => other.to_string(),
            };
            queries::record(
                &mut conn,
                carrier,
                None,
                &payload,
                "rejected",
                Some(&reason),
            )
            .await?;
            return Err(e);
        }
    };

    let answer = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let Some(delivery) =
                queries::claim(conn, carrier, &event_id, &number, &payload).await?
            else {
                let reason = "this carrier's event_id was delivered before";
                queries::record(
                    conn,
                    carrier,
                    Some(&event_id),
                    &payload,
                    "duplicate",
                    Some(reason),
                )
                .await?;
                return Ok((
                    StatusCode::OK,
                    WebhookResult::of("duplicate", Some(reason.into())),
                ));
            };
            let shipment = shipment_queries::by_tracking(conn, None, &number, Some(carrier)).await;
            let shipment = match shipment {
                Ok(s) => s.shipment,
                Err(diesel::result::Error::NotFound) => {
                    let reason = format!("no {carrier} shipment has tracking number {number}");
                    queries::settle(conn, delivery, "unmatched", Some(&reason), None).await?;
                    return Ok((
                        StatusCode::ACCEPTED,
                        WebhookResult::of("unmatched", Some(reason)),
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            event.shipment_id = shipment.id;
            let applied = apply(conn, vec![event])
                .await?
                .pop()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("apply answered no event")))?;
            let result = match applied.outcome {
                Outcome::Applied | Outcome::Older => "applied",
                Outcome::Duplicate => "duplicate",
                Outcome::AfterTerminal => "ignored_terminal",
            };
            let reason = applied.reason();
            let link = Some((shipment.id, applied.event.id));
            queries::settle(conn, delivery, result, reason.as_deref(), link).await?;
            Ok((
                StatusCode::OK,
                WebhookResult {
                    result,
                    status_changed: applied.outcome == Outcome::Applied,
                    reason,
                    shipment_id: Some(shipment.id),
                    shipment_event_id: Some(applied.event.id),
                },
            ))
        })
        .await?;
    Ok((answer.0, Json(answer.1)))
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}
