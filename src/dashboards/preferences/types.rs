//! A user's preferences on the wire and in the database, their vocabularies and defaults.
//!
//! No row means every value is its default; the API answers the same shape either way, and
//! says which values are the defaults. Real-time settings and the time zone are columns;
//! notification settings are the `notification_settings` JSON object, always written whole.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::{db::schema::user_preferences, text_enum};

text_enum! {
    /// The colour scheme of the front end; `system` follows the device.
    pub enum ColorScheme {
        Light,
        Dark,
        System,
    }
}

text_enum! {
    /// The page the front end opens on.
    pub enum DefaultView {
        Dashboard,
        Shipments,
        Products,
        OrderRequests,
        Budgets,
        CostTracking,
        ReorderAlerts,
        Benchmarks,
    }
}

text_enum! {
    /// A real-time channel: the live stream's events of one kind (docs/dashboards.md).
    pub enum Channel {
        /// `shipment.status_changed`, `shipment.delayed`, `shipment.exception`.
        Shipments,
        /// `budget.over`, `budget.projected_over`.
        Budgets,
        /// `reorder_alert.raised`, `reorder_alert.resolved`.
        ReorderAlerts,
        /// `cost_tracking.aggregated`.
        CostTracking,
        /// `benchmark.snapshot_published`.
        Benchmarks,
    }
}

text_enum! {
    /// How often notifications are also sent as one summary email.
    pub enum Digest {
        None,
        Daily,
        Weekly,
    }
}

/// The events a user can be notified of: the live stream's event types.
pub const EVENTS: &[&str] = &[
    "shipment.status_changed",
    "shipment.delayed",
    "shipment.exception",
    "budget.over",
    "budget.projected_over",
    "reorder_alert.raised",
    "reorder_alert.resolved",
    "cost_tracking.aggregated",
    "benchmark.snapshot_published",
];

/// The events notified by default: the ones that ask someone to act.
const DEFAULT_EVENTS: &[&str] = &[
    "shipment.delayed",
    "shipment.exception",
    "budget.over",
    "reorder_alert.raised",
];

pub const REFRESH_MIN: i64 = 5;
pub const REFRESH_MAX: i64 = 3600;

/// Every preference, as answered and as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Preferences {
    pub compact_mode: bool,
    pub color_scheme: ColorScheme,
    pub default_view: Option<DefaultView>,
    /// An IANA time zone name (`Europe/Berlin`); quiet hours and digests are read in it.
    pub timezone: String,
    pub realtime: Realtime,
    pub notifications: Notifications,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Realtime {
    pub enabled: bool,
    /// How often the front end polls when it does not stream: 5 to 3600 seconds.
    pub refresh_interval_seconds: i32,
    /// The channels the live stream sends, in the vocabulary's order.
    pub channels: Vec<Channel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Notifications {
    pub email: bool,
    pub in_app: bool,
    pub digest: Digest,
    /// Event types to notify of (see the vocabulary in docs/dashboards.md).
    pub events: Vec<String>,
    /// No notifications between these times of day (in `timezone`); null for none.
    pub quiet_hours: Option<QuietHours>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuietHours {
    /// `HH:MM`, 24-hour.
    pub start: String,
    /// `HH:MM`; before `start` means the quiet hours span midnight.
    pub end: String,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            email: true,
            in_app: true,
            digest: Digest::None,
            events: DEFAULT_EVENTS.iter().map(|e| (*e).to_owned()).collect(),
            quiet_hours: None,
        }
    }
}

impl Default for Preferences {
    /// The column defaults of the guide's table and of migration 20251219000002.
    fn default() -> Self {
        Self {
            compact_mode: false,
            color_scheme: ColorScheme::System,
            default_view: None,
            timezone: "UTC".to_owned(),
            realtime: Realtime {
                enabled: true,
                refresh_interval_seconds: 30,
                channels: <Channel as crate::db::text_enum::Vocabulary>::WORDS
                    .iter()
                    .filter_map(|w| Channel::parse(w))
                    .collect(),
            },
            notifications: Notifications::default(),
        }
    }
}

impl Preferences {
    /// The keys (dotted for nested ones) whose value is the default's.
    pub fn at_default(&self) -> Vec<&'static str> {
        let d = Preferences::default();
        let (n, dn) = (&self.notifications, &d.notifications);
        [
            ("compact_mode", self.compact_mode == d.compact_mode),
            ("color_scheme", self.color_scheme == d.color_scheme),
            ("default_view", self.default_view == d.default_view),
            ("timezone", self.timezone == d.timezone),
            (
                "realtime.enabled",
                self.realtime.enabled == d.realtime.enabled,
            ),
            (
                "realtime.refresh_interval_seconds",
                self.realtime.refresh_interval_seconds == d.realtime.refresh_interval_seconds,
            ),
            (
                "realtime.channels",
                self.realtime.channels == d.realtime.channels,
            ),
            ("notifications.email", n.email == dn.email),
            ("notifications.in_app", n.in_app == dn.in_app),
            ("notifications.digest", n.digest == dn.digest),
            ("notifications.events", n.events == dn.events),
            ("notifications.quiet_hours", n.quiet_hours == dn.quiet_hours),
        ]
        .into_iter()
        .filter_map(|(key, default)| default.then_some(key))
        .collect()
    }
}

/// The preferences as answered: the values, which of them are defaults, and the version
/// behind the `ETag`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreferencesView {
    #[serde(flatten)]
    pub preferences: Preferences,
    /// The keys whose value is the default (all of them until the user saves something).
    pub defaults: Vec<&'static str>,
    /// The `ETag` is this number in quotes.
    pub version: i32,
    /// Null until the user saves something.
    pub updated_at: Option<DateTime<Utc>>,
}

impl PreferencesView {
    pub fn new(preferences: Preferences, version: i32, updated_at: Option<DateTime<Utc>>) -> Self {
        Self {
            defaults: preferences.at_default(),
            preferences,
            version,
            updated_at,
        }
    }
}

/// A `user_preferences` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = user_preferences)]
pub struct PreferencesRow {
    pub compact_mode: bool,
    pub color_scheme: ColorScheme,
    pub default_view: Option<String>,
    pub timezone: String,
    pub realtime_updates_enabled: bool,
    pub realtime_refresh_seconds: i32,
    pub realtime_channels: Vec<String>,
    pub notification_settings: Value,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl PreferencesRow {
    /// The stored preferences; a stored word this version does not know reads as its default
    /// rather than failing the page load.
    pub fn preferences(&self) -> Preferences {
        Preferences {
            compact_mode: self.compact_mode,
            color_scheme: self.color_scheme,
            default_view: self.default_view.as_deref().and_then(DefaultView::parse),
            timezone: self.timezone.clone(),
            realtime: Realtime {
                enabled: self.realtime_updates_enabled,
                refresh_interval_seconds: self.realtime_refresh_seconds,
                channels: self
                    .realtime_channels
                    .iter()
                    .filter_map(|c| Channel::parse(c))
                    .collect(),
            },
            notifications: serde_json::from_value(self.notification_settings.clone())
                .unwrap_or_default(),
        }
    }
}
