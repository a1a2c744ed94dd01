//! Writing one batch of valid lines: in one transaction, set-based, and never half a line.
//!
//! The batch's order requests are locked first (the same lock `POST /shipments` takes, in id
//! order), then the import keys are looked up, so a concurrent create or import of the same
//! order is allocated before or after this batch, never beside it. Each new line's items are
//! allocated against a copy of its order's lines, kept only when the whole line fits; then the
//! new shipments, their items and every line's events are written with multi-row statements,
//! the events through [`events::apply`] (the status rules of `POST …/events`).

use std::collections::HashMap;

use diesel::QueryResult;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{
    queries::{self, Keyed},
    types::{ImportReport, ValidLine},
};
use crate::{
    http::{
        error::{ApiError, FieldError},
        validation::Validator,
    },
    shipments::{
        allocation::{Allocated, allocate},
        events::{self, Outcome},
        queries as shipment_queries,
        validate::NewShipment,
    },
};

/// What a committed batch did.
#[derive(Debug, Default)]
struct Written {
    created: u64,
    unchanged: u64,
    events_created: u64,
    events_duplicate: u64,
    rejected: Vec<(u64, Vec<FieldError>)>,
}

/// Writes the batch and adds what it did to the report. When the database refuses the batch
/// for something a line holds (a check the validation did not foresee), the lines are written
/// one transaction each, so that line alone is reported and the others still land. A lost
/// connection or a timeout ends the import (batches before stay written; re-importing the
/// file changes nothing of them).
pub async fn commit(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    lines: &[ValidLine],
    report: &mut ImportReport,
) -> Result<(), ApiError> {
    if lines.is_empty() {
        return Ok(());
    }
    match in_transaction(conn, client_id, lines).await {
        Ok(done) => {
            add(report, done);
            Ok(())
        }
        Err(e) if lines.len() > 1 && caused_by_data(&e) => {
            tracing::warn!(error = %e, "import batch refused; writing its lines one by one");
            for line in lines {
                match in_transaction(conn, client_id, std::slice::from_ref(line)).await {
                    Ok(done) => add(report, done),
                    Err(e) if caused_by_data(&e) => {
                        let detail = ApiError::from(e).to_problem().detail;
                        report.reject(line.line, [FieldError::new("line", detail)]);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(())
        }
        Err(e) if caused_by_data(&e) => {
            let line = lines.first().map_or(0, |l| l.line);
            let detail = ApiError::from(e).to_problem().detail;
            report.reject(line, [FieldError::new("line", detail)]);
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

fn add(report: &mut ImportReport, done: Written) {
    report.shipments_created += done.created;
    report.shipments_unchanged += done.unchanged;
    report.events_created += done.events_created;
    report.events_duplicate += done.events_duplicate;
    for (line, errors) in done.rejected {
        report.reject(line, errors);
    }
}

/// A database error a line's content can cause, as opposed to a lost connection or a
/// statement timeout (which retrying line by line would only repeat).
fn caused_by_data(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => false,
        Error::DatabaseError(_, info) => !info.message().contains("statement timeout"),
        _ => false,
    }
}

async fn in_transaction(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    lines: &[ValidLine],
) -> QueryResult<Written> {
    conn.transaction(async |conn| write(conn, client_id, lines).await)
        .await
}

/// The error of a line whose key names a shipment of another order or carrier.
fn check_same(
    v: &mut Validator,
    order: Uuid,
    carrier: crate::shipments::types::Carrier,
    s: &NewShipment,
) {
    if order != s.order_request_id || carrier != s.fields.carrier {
        v.error(
            "import_key",
            format!(
                "names a shipment of order request {order} by {carrier}; this line's order request or carrier differs"
            ),
        );
    }
}

async fn write(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    lines: &[ValidLine],
) -> QueryResult<Written> {
    let mut done = Written::default();
    let mut order_ids: Vec<Uuid> = lines.iter().map(|l| l.shipment.order_request_id).collect();
    order_ids.sort_unstable();
    order_ids.dedup();
    let mut orders = shipment_queries::lock_order_lines(conn, client_id, &order_ids).await?;
    let keys: Vec<&str> = lines.iter().map(|l| l.import_key.as_str()).collect();
    let known: HashMap<String, Keyed> = queries::by_keys(conn, client_id, &keys)
        .await?
        .into_iter()
        .map(|k| (k.import_key.clone(), k))
        .collect();

    // Which lines are accepted, and the items of those that make a new shipment.
    let mut accepted: Vec<&ValidLine> = Vec::with_capacity(lines.len());
    let mut new: Vec<(&ValidLine, Vec<Allocated>)> = Vec::new();
    let mut first_of_key: HashMap<&str, &NewShipment> = HashMap::new();
    for line in lines {
        let s = &line.shipment;
        let mut v = Validator::new();
        let mut items = None;
        if let Some(k) = known.get(&line.import_key) {
            check_same(&mut v, k.order_request_id, k.carrier, s);
        } else if let Some(first) = first_of_key.get(line.import_key.as_str()) {
            check_same(&mut v, first.order_request_id, first.fields.carrier, s);
        } else if let Some(order) = orders.get_mut(&s.order_request_id) {
            let mut trial = order.clone();
            let allocated = allocate(&mut v, "", &mut trial, &s.items);
            if v.error_count() == 0 {
                *order = trial;
                items = Some(allocated);
            }
        } else {
            v.error("order_request_id", "is not an order request of this client");
        }
        match v.finish() {
            Ok(()) => {
                accepted.push(line);
                if let Some(items) = items {
                    first_of_key.insert(&line.import_key, s);
                    new.push((line, items));
                }
            }
            Err(ApiError::Validation(errors)) => done.rejected.push((line.line, errors)),
            Err(other) => done
                .rejected
                .push((line.line, vec![FieldError::new("line", other.to_string())])),
        }
    }

    let rows: Vec<queries::NewRow> = new
        .iter()
        .map(|(l, _)| {
            (
                l.shipment.order_request_id,
                &l.shipment.fields,
                l.import_key.as_str(),
            )
        })
        .collect();
    let inserted: HashMap<String, Uuid> = queries::insert_shipments(conn, client_id, &rows)
        .await?
        .into_iter()
        .collect();
    let mut ids: HashMap<String, Uuid> = known.into_iter().map(|(k, s)| (k, s.id)).collect();
    ids.extend(inserted.iter().map(|(k, id)| (k.clone(), *id)));
    // A key a concurrent import inserted first: that shipment stands, these items are dropped.
    let lost: Vec<&str> = new
        .iter()
        .map(|(l, _)| l.import_key.as_str())
        .filter(|k| !ids.contains_key(*k))
        .collect();
    if !lost.is_empty() {
        ids.extend(
            queries::by_keys(conn, client_id, &lost)
                .await?
                .into_iter()
                .map(|k| (k.import_key, k.id)),
        );
    }
    let items: Vec<(Uuid, Allocated)> = new
        .iter()
        .filter_map(|(l, items)| inserted.get(&l.import_key).map(|id| (*id, items)))
        .flat_map(|(id, items)| items.iter().map(move |i| (id, *i)))
        .collect();
    queries::insert_items(conn, &items).await?;

    let mut batch_events = Vec::new();
    for line in &accepted {
        let Some(&id) = ids.get(&line.import_key) else {
            continue;
        };
        batch_events.extend(line.events.iter().cloned().map(|mut e| {
            e.shipment_id = id;
            e
        }));
    }
    done.created = inserted.len() as u64;
    done.unchanged = accepted.len() as u64 - done.created;
    if !batch_events.is_empty() {
        for applied in events::apply(conn, batch_events).await? {
            match applied.outcome {
                Outcome::Duplicate => done.events_duplicate += 1,
                _ => done.events_created += 1,
            }
        }
    }
    Ok(done)
}
