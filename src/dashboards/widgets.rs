//! Widgets on the 24-column grid: the vocabulary of widget types and the grid rules.
//!
//! The widget list arrives as raw JSON values and is checked here by hand rather than by
//! serde, so that one 422 names every broken widget by its index and id and the field that is
//! wrong (`widgets[3].w: x + w must be at most 24 … (widget "stock")`), instead of serde's
//! first error only.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::{db::text_enum::Vocabulary, http::validation::Validator, text_enum};

/// Columns of the grid: `x + w` may not pass it.
pub const GRID_COLUMNS: i64 = 24;
/// Rows a layout may reach (`y + h`): far beyond any screen, but bounded.
pub const GRID_ROWS: i64 = 1000;
/// Widgets one layout may hold.
pub const MAX_WIDGETS: usize = 50;
/// A widget's `config`, as compact JSON, at most this many bytes.
pub const MAX_CONFIG_BYTES: usize = 16 * 1024;
/// A widget id: 1 to 64 letters, digits, `-` or `_`.
pub const MAX_ID_CHARS: usize = 64;

const FIELDS: &[&str] = &["id", "type", "x", "y", "w", "h", "config"];

text_enum! {
    /// What a widget shows; each is fed by a route of the API (docs/dashboards.md).
    pub enum WidgetType {
        /// A single figure with its trend (`config.metric`), e.g. on-hand units or spend.
        KpiTile,
        /// Budgets against actuals: `GET …/budgets/variance`.
        BudgetVariance,
        /// Monthly costs over time: `GET …/cost-tracking`.
        CostTrend,
        /// Shipments by status: `GET …/shipments`.
        Shipments,
        /// Shipments past their estimated delivery: `GET …/shipments?delayed=true`.
        DelayedShipments,
        /// Shipments in transit on a map: `GET …/shipments` with their last event's location.
        ShipmentMap,
        /// A table of shipments with filters in `config`: `GET …/shipments`.
        ShipmentList,
        /// The client against its anonymous cohort: `GET …/benchmark`.
        Benchmark,
        /// Products to reorder now or soon: `GET …/reorder-alerts`.
        ReorderAlerts,
        /// Economic order quantity of a product (`config.product_id`): `GET …/products/{id}/eoq`.
        Eoq,
        /// Projected stockout dates: `GET …/products` (`projected_stockout_date`).
        StockoutForecast,
        /// Free text the user writes (`config.text`); reads nothing.
        Note,
    }
}

/// One widget as stored and answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Widget {
    /// Unique within the layout: 1 to 64 letters, digits, `-` or `_`.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: WidgetType,
    /// Column, from 0; `x + w ≤ 24`.
    pub x: i64,
    /// Row, from 0.
    pub y: i64,
    /// Width in columns, at least 1.
    pub w: i64,
    /// Height in rows, at least 1.
    pub h: i64,
    /// The widget's own settings (an object, at most 16 KiB of JSON); `{}` when absent.
    #[schema(value_type = Object)]
    pub config: Map<String, Value>,
}

impl Widget {
    fn overlaps(&self, other: &Widget) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// Checks a widget list against the grid rules, recording every problem on `v`; answers the
/// widgets that passed their own checks (the whole request fails if anything was recorded).
pub fn validate_widgets(v: &mut Validator, raw: &[Value]) -> Vec<Widget> {
    if raw.len() > MAX_WIDGETS {
        v.error(
            "widgets",
            format!(
                "a layout holds at most {MAX_WIDGETS} widgets; this one has {}",
                raw.len()
            ),
        );
        return Vec::new();
    }
    let mut widgets: Vec<(usize, Widget)> = Vec::with_capacity(raw.len());
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (i, value) in raw.iter().enumerate() {
        let Some(widget) = widget(v, i, value) else {
            continue;
        };
        if let Some(first) = ids.get(&widget.id) {
            v.error(
                format!("widgets[{i}].id"),
                format!(
                    "is already the id of widgets[{first}]; widget ids must be unique (widget \"{}\")",
                    widget.id
                ),
            );
        } else {
            ids.insert(widget.id.clone(), i);
        }
        widgets.push((i, widget));
    }
    for (n, (i, a)) in widgets.iter().enumerate() {
        if let Some((j, b)) = widgets[..n].iter().find(|(_, b)| a.overlaps(b)) {
            v.error(
                format!("widgets[{i}]"),
                format!(
                    "overlaps widget \"{}\" (widgets[{j}]); widgets may not overlap (widget \"{}\" covers x {}–{}, y {}–{})",
                    b.id,
                    a.id,
                    a.x,
                    a.x + a.w - 1,
                    a.y,
                    a.y + a.h - 1
                ),
            );
        }
    }
    widgets.into_iter().map(|(_, w)| w).collect()
}

/// One widget, or `None` when any of its own fields is wrong (each recorded on `v`).
fn widget(v: &mut Validator, i: usize, value: &Value) -> Option<Widget> {
    let at = |field: &str| format!("widgets[{i}].{field}");
    let Some(obj) = value.as_object() else {
        v.error(
            format!("widgets[{i}]"),
            "must be an object with id, type, x, y, w, h and config",
        );
        return None;
    };
    let id = obj.get("id").and_then(Value::as_str).map(str::trim);
    // Messages name the widget by id as well as by index, when it has a usable one.
    let of = match id {
        Some(id) if !id.is_empty() => format!(" (widget \"{id}\")"),
        _ => String::new(),
    };
    let errors_before = v.error_count();
    for key in obj.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
        v.error(
            at(key),
            format!(
                "is not a widget field; the fields are: {}{of}",
                FIELDS.join(", ")
            ),
        );
    }
    match (obj.get("id"), id) {
        (None, _) => v.error(at("id"), "is required"),
        (Some(_), None) => v.error(at("id"), "must be a string"),
        (Some(_), Some(id)) => {
            let ok_chars = id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if id.is_empty() || id.chars().count() > MAX_ID_CHARS || !ok_chars {
                v.error(
                    at("id"),
                    format!("must be 1 to {MAX_ID_CHARS} letters, digits, - or _{of}"),
                );
            }
        }
    }
    let kind = match obj.get("type") {
        None => {
            v.error(at("type"), format!("is required{of}"));
            None
        }
        Some(Value::String(s)) => {
            let kind = WidgetType::from_word(s.trim());
            if kind.is_none() {
                v.error(
                    at("type"),
                    format!(
                        "must be one of: {}{of}",
                        <WidgetType as Vocabulary>::WORDS.join(", ")
                    ),
                );
            }
            kind
        }
        Some(_) => {
            v.error(at("type"), format!("must be a string{of}"));
            None
        }
    };
    let mut number = |field: &str, min: i64, max: i64| -> i64 {
        match obj.get(field) {
            None => v.error(at(field), format!("is required{of}")),
            Some(n) => match n.as_i64() {
                Some(n) if (min..=max).contains(&n) => return n,
                Some(_) => v.error(at(field), format!("must be between {min} and {max}{of}")),
                None => v.error(at(field), format!("must be a whole number{of}")),
            },
        }
        min
    };
    let x = number("x", 0, GRID_COLUMNS - 1);
    let y = number("y", 0, GRID_ROWS - 1);
    let w = number("w", 1, GRID_COLUMNS);
    let h = number("h", 1, GRID_ROWS);
    if v.error_count() == errors_before {
        if x + w > GRID_COLUMNS {
            v.error(
                at("w"),
                format!("x + w must be at most {GRID_COLUMNS} (the grid's columns); x is {x}, w is {w}{of}"),
            );
        }
        if y + h > GRID_ROWS {
            v.error(
                at("h"),
                format!("y + h must be at most {GRID_ROWS}; y is {y}, h is {h}{of}"),
            );
        }
    }
    let config = match obj.get("config") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(config)) => {
            let bytes = serde_json::to_vec(config).map_or(usize::MAX, |b| b.len());
            if bytes > MAX_CONFIG_BYTES {
                v.error(
                    at("config"),
                    format!("must be at most {MAX_CONFIG_BYTES} bytes of JSON; it is {bytes}{of}"),
                );
            }
            config.clone()
        }
        Some(_) => {
            v.error(at("config"), format!("must be an object{of}"));
            Map::new()
        }
    };
    if v.error_count() > errors_before {
        return None;
    }
    Some(Widget {
        id: id?.to_owned(),
        kind: kind?,
        x,
        y,
        w,
        h,
        config,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::http::{error::ApiError, validation::validate};

    fn fields_of(widgets: Value) -> Vec<String> {
        let list = widgets.as_array().cloned().unwrap_or_default();
        match validate(|v| validate_widgets(v, &list)) {
            Ok(_) => Vec::new(),
            Err(ApiError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            Err(e) => panic!("{e:?}"),
        }
    }

    /// Note widgets `a`, `b`, `c`, … at these `(x, y, w, h)`.
    fn notes_at(places: &[(u32, u32, u32, u32)]) -> Value {
        let ids = ["a", "b", "c", "d"];
        let widgets = places.iter().zip(ids).map(
            |(&(x, y, w, h), id)| json!({"id": id, "type": "note", "x": x, "y": y, "w": w, "h": h}),
        );
        Value::Array(widgets.collect())
    }

    #[test]
    fn overlapping_widgets_are_named_once() {
        let fields = fields_of(notes_at(&[(0, 0, 6, 4), (6, 0, 6, 4), (5, 3, 2, 2)]));
        assert_eq!(fields, ["widgets[2]"]);
    }

    #[test]
    fn touching_edges_do_not_overlap() {
        let fields = fields_of(notes_at(&[(0, 0, 12, 4), (12, 0, 12, 4), (0, 4, 24, 1)]));
        assert!(fields.is_empty(), "{fields:?}");
    }
}
