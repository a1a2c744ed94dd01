//! `POST /api/v1/clients/{client_id}/shipments/import`: historical shipments with their items
//! and events, one JSON object a line (NDJSON), streamed in batches.
//!
//! The body is read as it arrives ([`lines`]); each line is parsed and validated on its own
//! (a bad line is reported with its number and fields, and skipped), and the valid ones are
//! written in batches of [`BATCH_LINES`] lines or [`BATCH_EVENTS`] events, one transaction
//! each ([`batch`]). Idempotent: a line whose import key names an existing shipment leaves it
//! as it is, and events are stored once by the dedupe key of `POST …/events`.
//!
//! Environment: `IMPORT_BODY_LIMIT_BYTES` and `IMPORT_REQUEST_TIMEOUT`, the route's own body
//! limit and timeout (`routes::own_limits` hands them to the stack).

pub mod batch;
pub mod lines;
pub mod queries;
pub mod types;

use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};

use self::{
    lines::{Line, LineReader, MAX_LINE_BYTES, ReadError},
    types::{ImportLine, ImportReport, ValidLine},
};
use crate::http::prelude::*;
use crate::{
    auth::tenancy::ClientScope,
    clients::types::ClientPath,
    http::{error::FieldError, extract::parse_json, validation::Validator},
};

/// The route's template, as `routes::own_limits` names it.
pub const IMPORT_PATH: &str = "/api/v1/clients/{client_id}/shipments/import";
/// Lines written per transaction, at most.
pub const BATCH_LINES: usize = 1000;
/// Events written per transaction, at most (a batch closes at whichever comes first).
pub const BATCH_EVENTS: usize = 10_000;

fn is_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/x-ndjson" || mime == "application/ndjson"
        })
}

/// Imports shipments, one JSON object a line: the fields of `POST /shipments`, `import_key`
/// and `events`. Answers the counts and every bad line's errors; the good lines are written
/// whatever the bad ones hold.
#[utoipa::path(post, path = "/api/v1/clients/{client_id}/shipments/import", tag = "shipments", security(("bearer" = [])),
    params(ClientPath),
    request_body(content = ImportLine, content_type = "application/x-ndjson",
        description = "One ImportLine a line (NDJSON), up to IMPORT_BODY_LIMIT_BYTES"),
    responses((status = 200, body = ImportReport), (status = 404, body = Problem),
        (status = 413, body = Problem, description = "over IMPORT_BODY_LIMIT_BYTES; batches before the limit was reached stay imported"),
        (status = 415, body = Problem)))]
pub async fn import_shipments(
    scope: ClientScope,
    State(state): State<AppState>,
    Db(mut conn): Db,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, Response> {
    if !is_ndjson(&headers) {
        return Err(ApiError::UnsupportedMediaType(
            "send one JSON object a line with Content-Type: application/x-ndjson".into(),
        )
        .into_response());
    }
    let cfg = &state.config.shipments;
    let mut report = ImportReport::default();
    let mut reader = LineReader::new(body.into_data_stream());
    let mut batch: Vec<ValidLine> = Vec::new();
    let mut batch_events = 0;
    // The last line of the last committed batch, for the 413 of a body that ends too late.
    let mut committed_through = 0;
    loop {
        let line = match reader.next().await {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                return Err(read_failure(
                    e,
                    cfg.import_body_limit_bytes,
                    committed_through,
                ));
            }
        };
        report.lines += 1;
        let (number, text) = match line {
            Line::TooLong(n) => {
                let message = format!("is longer than {MAX_LINE_BYTES} bytes");
                report.reject(n, [FieldError::new("line", message)]);
                continue;
            }
            Line::Text(n, text) => (n, text),
        };
        let parsed = parse_json::<ImportLine>(&text).and_then(|l| {
            let mut v = Validator::new();
            let valid = l.checked(&mut v, cfg, number);
            v.finish().map(|()| valid)
        });
        match parsed {
            Ok(valid) => {
                batch_events += valid.events.len();
                batch.push(valid);
            }
            Err(ApiError::Validation(errors)) => report.reject(number, errors),
            Err(other) => report.reject(number, [FieldError::new("line", other.to_string())]),
        }
        if batch.len() >= BATCH_LINES || batch_events >= BATCH_EVENTS {
            batch::commit(&mut conn, scope.client_id, &batch, &mut report)
                .await
                .map_err(IntoResponse::into_response)?;
            committed_through = number;
            batch.clear();
            batch_events = 0;
        }
    }
    batch::commit(&mut conn, scope.client_id, &batch, &mut report)
        .await
        .map_err(IntoResponse::into_response)?;
    report.errors.sort_by_key(|e| e.line);
    Ok(Json(report))
}

fn read_failure(e: ReadError, limit: usize, committed_through: u64) -> Response {
    let kept = match committed_through {
        0 => "nothing was imported".to_owned(),
        n => format!("lines 1 to {n} were imported (importing them again changes nothing)"),
    };
    let (status, what) = match e {
        ReadError::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than the import limit of {limit} bytes"),
        ),
        ReadError::Broken(why) => (
            StatusCode::BAD_REQUEST,
            format!("the body could not be read to its end ({why})"),
        ),
    };
    Problem::of(status, format!("{what}; {kept}")).into_response()
}
