//! Matching a shipment's items to its order's lines, so nothing ships more than was ordered.
//!
//! The lines come from [`super::queries::lock_order_lines`], which holds the order requests
//! locked until the transaction ends: two shipments of one order created at the same moment
//! are allocated one after the other, each seeing what the other shipped.

use uuid::Uuid;

use super::types::ItemRequest;
use crate::http::validation::Validator;

/// An order line and how much of it has shipped so far (including earlier items of the
/// request being allocated).
#[derive(Debug, Clone)]
pub struct OrderLine {
    pub id: Uuid,
    pub product_id: Uuid,
    pub ordered: i64,
    pub shipped: i64,
}

/// An item matched to its line.
#[derive(Debug, Clone, Copy)]
pub struct Allocated {
    pub product_id: Uuid,
    pub order_request_item_id: Uuid,
    pub quantity: i32,
}

/// Matches each item to a line of the order (the named one, or the order's line of the
/// product) and books its quantity against what remains; every mismatch or excess is an
/// error on `v` naming the item. `lines` keeps the bookings, so a caller allocating several
/// shipments of one order in turn (the import) sees the earlier ones.
pub fn allocate(
    v: &mut Validator,
    prefix: &str,
    lines: &mut [OrderLine],
    items: &[ItemRequest],
) -> Vec<Allocated> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = |name: &str| format!("{prefix}items[{i}].{name}");
        let line = match item.order_request_item_id {
            Some(line_id) => match lines.iter_mut().find(|l| l.id == line_id) {
                Some(l) if l.product_id != item.product_id => {
                    v.error(field("product_id"), "is not the product of that order line");
                    continue;
                }
                Some(l) => l,
                None => {
                    v.error(
                        field("order_request_item_id"),
                        "is not a line of this shipment's order request",
                    );
                    continue;
                }
            },
            None => match lines.iter_mut().find(|l| l.product_id == item.product_id) {
                Some(l) => l,
                None => {
                    v.error(
                        field("product_id"),
                        "is not on this shipment's order request",
                    );
                    continue;
                }
            },
        };
        let remaining = line.ordered - line.shipped;
        if i64::from(item.quantity) > remaining {
            v.error(
                field("quantity"),
                format!(
                    "exceeds what remains to ship on this order line: {remaining} of {} ordered ({} already shipped)",
                    line.ordered, line.shipped
                ),
            );
            continue;
        }
        line.shipped += i64::from(item.quantity);
        out.push(Allocated {
            product_id: item.product_id,
            order_request_item_id: line.id,
            quantity: item.quantity,
        });
    }
    out
}
