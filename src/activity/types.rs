//! The outbox's vocabulary: the event types of the live stream (`docs/live-updates.md`) and
//! [`Activity`], the typed event a feature hands to [`super::record`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{dashboards::preferences::types::Channel, http::decimal::Decimal};

/// The type of an outbox row (`activity_events.type`, checked by the table's constraint).
/// Not a `text_enum!`: the words carry a dot, which serde's `snake_case` cannot spell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
pub enum EventType {
    #[serde(rename = "shipment.status_changed")]
    ShipmentStatusChanged,
    #[serde(rename = "shipment.delayed")]
    ShipmentDelayed,
    #[serde(rename = "shipment.exception")]
    ShipmentException,
    #[serde(rename = "budget.over")]
    BudgetOver,
    #[serde(rename = "budget.projected_over")]
    BudgetProjectedOver,
    #[serde(rename = "reorder_alert.raised")]
    ReorderAlertRaised,
    #[serde(rename = "reorder_alert.resolved")]
    ReorderAlertResolved,
    #[serde(rename = "cost_tracking.aggregated")]
    CostTrackingAggregated,
    #[serde(rename = "benchmark.snapshot_published")]
    BenchmarkSnapshotPublished,
}

impl EventType {
    pub const ALL: [EventType; 9] = [
        Self::ShipmentStatusChanged,
        Self::ShipmentDelayed,
        Self::ShipmentException,
        Self::BudgetOver,
        Self::BudgetProjectedOver,
        Self::ReorderAlertRaised,
        Self::ReorderAlertResolved,
        Self::CostTrackingAggregated,
        Self::BenchmarkSnapshotPublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ShipmentStatusChanged => "shipment.status_changed",
            Self::ShipmentDelayed => "shipment.delayed",
            Self::ShipmentException => "shipment.exception",
            Self::BudgetOver => "budget.over",
            Self::BudgetProjectedOver => "budget.projected_over",
            Self::ReorderAlertRaised => "reorder_alert.raised",
            Self::ReorderAlertResolved => "reorder_alert.resolved",
            Self::CostTrackingAggregated => "cost_tracking.aggregated",
            Self::BenchmarkSnapshotPublished => "benchmark.snapshot_published",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == word)
    }

    /// The real-time channel (user preference `realtime.channels`) this type is sent on.
    pub fn channel(self) -> Channel {
        match self {
            Self::ShipmentStatusChanged | Self::ShipmentDelayed | Self::ShipmentException => {
                Channel::Shipments
            }
            Self::BudgetOver | Self::BudgetProjectedOver => Channel::Budgets,
            Self::ReorderAlertRaised | Self::ReorderAlertResolved => Channel::ReorderAlerts,
            Self::CostTrackingAggregated => Channel::CostTracking,
            Self::BenchmarkSnapshotPublished => Channel::Benchmarks,
        }
    }

    /// The types the given channels carry.
    pub fn of_channels(channels: &[Channel]) -> Vec<EventType> {
        Self::ALL
            .into_iter()
            .filter(|t| channels.contains(&t.channel()))
            .collect()
    }
}

/// A budget's figures when it crossed into `over` (actual) or projected `over`.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetFigures {
    pub budget_id: Uuid,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub budgeted_amount: Decimal,
    pub actual_amount: Decimal,
    pub projected_amount: Option<Decimal>,
    pub variance_percent: Option<Decimal>,
}

/// A product entering or leaving the reorder-alert window.
#[derive(Debug, Clone, Serialize)]
pub struct AlertFigures {
    pub product_id: Uuid,
    pub sku: String,
    pub last_order_by_date: Option<NaiveDate>,
    pub projected_stockout_date: Option<NaiveDate>,
    /// The window the alert list uses by default (`within_days`).
    pub within_days: i32,
}

/// One change the dashboard shows live, as a feature records it. Each variant is one
/// [`EventType`]; the payload is what the front end needs to update without a reload.
#[derive(Debug, Clone)]
pub enum Activity {
    ShipmentStatusChanged {
        client_id: Uuid,
        shipment_id: Uuid,
        tracking_number: String,
        from: String,
        to: String,
        event_time: DateTime<Utc>,
    },
    ShipmentDelayed {
        client_id: Uuid,
        shipment_id: Uuid,
        tracking_number: String,
        status: String,
        estimated_delivery_at: Option<DateTime<Utc>>,
    },
    ShipmentException {
        client_id: Uuid,
        shipment_id: Uuid,
        tracking_number: String,
        reason: Option<String>,
    },
    BudgetOver {
        client_id: Uuid,
        figures: BudgetFigures,
    },
    BudgetProjectedOver {
        client_id: Uuid,
        figures: BudgetFigures,
    },
    ReorderAlertRaised {
        client_id: Uuid,
        alert: AlertFigures,
    },
    ReorderAlertResolved {
        client_id: Uuid,
        alert: AlertFigures,
    },
    CostTrackingAggregated {
        client_id: Uuid,
        /// `YYYY-MM`.
        period: String,
        products: i64,
    },
    /// Recorded once per participating client of the cohort (the client sees its own
    /// benchmark page change). The call site belongs to the benchmark snapshot job.
    BenchmarkSnapshotPublished {
        client_id: Uuid,
        period: String,
        cohort: String,
    },
}

impl Activity {
    pub fn kind(&self) -> EventType {
        match self {
            Self::ShipmentStatusChanged { .. } => EventType::ShipmentStatusChanged,
            Self::ShipmentDelayed { .. } => EventType::ShipmentDelayed,
            Self::ShipmentException { .. } => EventType::ShipmentException,
            Self::BudgetOver { .. } => EventType::BudgetOver,
            Self::BudgetProjectedOver { .. } => EventType::BudgetProjectedOver,
            Self::ReorderAlertRaised { .. } => EventType::ReorderAlertRaised,
            Self::ReorderAlertResolved { .. } => EventType::ReorderAlertResolved,
            Self::CostTrackingAggregated { .. } => EventType::CostTrackingAggregated,
            Self::BenchmarkSnapshotPublished { .. } => EventType::BenchmarkSnapshotPublished,
        }
    }

    pub fn client_id(&self) -> Uuid {
        match self {
            Self::ShipmentStatusChanged { client_id, .. }
            | Self::ShipmentDelayed { client_id, .. }
            | Self::ShipmentException { client_id, .. }
            | Self::BudgetOver { client_id, .. }
            | Self::BudgetProjectedOver { client_id, .. }
            | Self::ReorderAlertRaised { client_id, .. }
            | Self::ReorderAlertResolved { client_id, .. }
            | Self::CostTrackingAggregated { client_id, .. }
            | Self::BenchmarkSnapshotPublished { client_id, .. } => *client_id,
        }
    }

    /// The row the event is about (shipment, budget, product); none for a month's
    /// aggregation or a snapshot.
    pub fn subject_id(&self) -> Option<Uuid> {
        match self {
            Self::ShipmentStatusChanged { shipment_id, .. }
            | Self::ShipmentDelayed { shipment_id, .. }
            | Self::ShipmentException { shipment_id, .. } => Some(*shipment_id),
            Self::BudgetOver { figures, .. } | Self::BudgetProjectedOver { figures, .. } => {
                Some(figures.budget_id)
            }
            Self::ReorderAlertRaised { alert, .. } | Self::ReorderAlertResolved { alert, .. } => {
                Some(alert.product_id)
            }
            Self::CostTrackingAggregated { .. } | Self::BenchmarkSnapshotPublished { .. } => None,
        }
    }

    /// The JSON object stored in `payload`.
    pub fn payload(&self) -> Value {
        match self {
            Self::ShipmentStatusChanged {
                tracking_number,
                from,
                to,
                event_time,
                ..
            } => json!({"tracking_number": tracking_number, "from": from, "to": to,
                        "event_time": event_time}),
            Self::ShipmentDelayed {
                tracking_number,
                status,
                estimated_delivery_at,
                ..
            } => json!({"tracking_number": tracking_number, "status": status,
                        "estimated_delivery_at": estimated_delivery_at}),
            Self::ShipmentException {
                tracking_number,
                reason,
                ..
            } => json!({"tracking_number": tracking_number, "reason": reason}),
            Self::BudgetOver { figures, .. } | Self::BudgetProjectedOver { figures, .. } => {
                serde_json::to_value(figures).unwrap_or_default()
            }
            Self::ReorderAlertRaised { alert, .. } | Self::ReorderAlertResolved { alert, .. } => {
                serde_json::to_value(alert).unwrap_or_default()
            }
            Self::CostTrackingAggregated {
                period, products, ..
            } => json!({"period": period, "products": products}),
            Self::BenchmarkSnapshotPublished { period, cohort, .. } => {
                json!({"period": period, "cohort": cohort})
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::text_enum::Vocabulary;

    #[test]
    fn every_type_round_trips_and_every_channel_carries_one() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        for word in Channel::WORDS {
            let c = Channel::parse(word).unwrap();
            assert!(!EventType::of_channels(&[c]).is_empty(), "{word}");
        }
    }
}
