//! The body of `PUT` and `PATCH /api/v1/me/preferences`, and how it applies.
//!
//! One body for both: `PATCH` applies it to the saved preferences, `PUT` to the defaults, so
//! a key `PUT` leaves out returns to its default while `PATCH` keeps it. Nested objects merge
//! the same way, key by key. Unknown keys are refused (422), at any depth: a typo must not be
//! dropped silently. `null` clears `default_view` and `notifications.quiet_hours`; on any
//! other key it is an error.

use chrono::NaiveTime;
use serde::Deserialize;
use utoipa::ToSchema;

use super::types::{
    Channel, ColorScheme, DefaultView, Digest, EVENTS, Notifications, Preferences, QuietHours,
    REFRESH_MAX, REFRESH_MIN, Realtime,
};
use crate::{
    db::text_enum::Vocabulary,
    http::{
        error::ApiResult,
        patch::Patch,
        validation::{Validator, validate},
    },
};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    #[serde(default)]
    pub compact_mode: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<ColorScheme>)]
    pub color_scheme: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<DefaultView>)]
    pub default_view: Patch<String>,
    /// An IANA time zone name, e.g. `Europe/Berlin`.
    #[serde(default)]
    pub timezone: Patch<String>,
    #[serde(default)]
    pub realtime: Patch<RealtimeBody>,
    #[serde(default)]
    pub notifications: Patch<NotificationsBody>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RealtimeBody {
    #[serde(default)]
    pub enabled: Patch<bool>,
    /// 5 to 3600.
    #[serde(default)]
    pub refresh_interval_seconds: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Channel>>)]
    pub channels: Patch<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationsBody {
    #[serde(default)]
    pub email: Patch<bool>,
    #[serde(default)]
    pub in_app: Patch<bool>,
    #[serde(default)]
    #[schema(value_type = Option<Digest>)]
    pub digest: Patch<String>,
    #[serde(default)]
    pub events: Patch<Vec<String>>,
    #[serde(default)]
    pub quiet_hours: Patch<QuietHoursBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursBody {
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
}

/// A time zone of the IANA database, by its canonical spelling.
fn timezone(v: &mut Validator, name: &str) -> String {
    match name.trim().parse::<chrono_tz::Tz>() {
        Ok(tz) => tz.name().to_owned(),
        Err(_) => {
            v.error(
                "timezone",
                "must be an IANA time zone name like Europe/Berlin, America/New_York or UTC",
            );
            String::new()
        }
    }
}

/// Words of a vocabulary, each checked, duplicates dropped, in the vocabulary's order.
fn words<E: Vocabulary + PartialEq>(v: &mut Validator, field: &str, list: &[String]) -> Vec<E> {
    let given: Vec<E> = list
        .iter()
        .enumerate()
        .filter_map(|(i, w)| v.word::<E>(&format!("{field}[{i}]"), w))
        .collect();
    E::WORDS
        .iter()
        .filter_map(|w| E::from_word(w))
        .filter(|e| given.contains(e))
        .collect()
}

fn events(v: &mut Validator, list: &[String]) -> Vec<String> {
    for (i, e) in list.iter().enumerate() {
        if !EVENTS.contains(&e.trim()) {
            v.error(
                format!("notifications.events[{i}]"),
                format!("must be one of: {}", EVENTS.join(", ")),
            );
        }
    }
    EVENTS
        .iter()
        .filter(|e| list.iter().any(|l| l.trim() == **e))
        .map(|e| (*e).to_owned())
        .collect()
}

fn time_of_day(v: &mut Validator, field: &str, value: &str) -> String {
    match NaiveTime::parse_from_str(value.trim(), "%H:%M") {
        Ok(t) => t.format("%H:%M").to_string(),
        Err(_) => {
            v.error(field, "must be a time of day like 22:00 (HH:MM, 24-hour)");
            String::new()
        }
    }
}

fn quiet_hours(v: &mut Validator, body: &QuietHoursBody) -> QuietHours {
    let start = time_of_day(v, "notifications.quiet_hours.start", &body.start);
    let end = time_of_day(v, "notifications.quiet_hours.end", &body.end);
    if !start.is_empty() && start == end {
        v.error(
            "notifications.quiet_hours.end",
            "must differ from start (an end before start spans midnight)",
        );
    }
    QuietHours { start, end }
}

impl RealtimeBody {
    fn applied(&self, v: &mut Validator, base: &Realtime) -> Realtime {
        Realtime {
            enabled: v.patch_required("realtime.enabled", &self.enabled, &base.enabled, |_, b| *b),
            refresh_interval_seconds: v.patch_required(
                "realtime.refresh_interval_seconds",
                &self.refresh_interval_seconds,
                &base.refresh_interval_seconds,
                |v, n| {
                    v.int_range(
                        "realtime.refresh_interval_seconds",
                        *n,
                        REFRESH_MIN,
                        REFRESH_MAX,
                    )
                },
            ),
            channels: v.patch_required(
                "realtime.channels",
                &self.channels,
                &base.channels,
                |v, l| words(v, "realtime.channels", l),
            ),
        }
    }
}

impl NotificationsBody {
    fn applied(&self, v: &mut Validator, base: &Notifications) -> Notifications {
        let flag = |v: &mut Validator, field: &str, patch: &Patch<bool>, now: &bool| {
            v.patch_required(field, patch, now, |_, b| *b)
        };
        Notifications {
            email: flag(v, "notifications.email", &self.email, &base.email),
            in_app: flag(v, "notifications.in_app", &self.in_app, &base.in_app),
            digest: v.patch_required(
                "notifications.digest",
                &self.digest,
                &base.digest,
                |v, s| v.word("notifications.digest", s).unwrap_or(base.digest),
            ),
            events: v.patch_required(
                "notifications.events",
                &self.events,
                &base.events,
                |v, l| events(v, l),
            ),
            quiet_hours: v.patch(&self.quiet_hours, &base.quiet_hours, quiet_hours),
        }
    }
}

impl PreferencesBody {
    /// `base` with this body applied: the saved preferences for `PATCH`, the defaults for `PUT`.
    pub fn applied_to(&self, base: &Preferences) -> ApiResult<Preferences> {
        validate(|v| Preferences {
            compact_mode: v.patch_required(
                "compact_mode",
                &self.compact_mode,
                &base.compact_mode,
                |_, b| *b,
            ),
            color_scheme: v.patch_required(
                "color_scheme",
                &self.color_scheme,
                &base.color_scheme,
                |v, s| v.word("color_scheme", s).unwrap_or(base.color_scheme),
            ),
            default_view: v
                .patch(&self.default_view, &base.default_view.map(Some), |v, s| {
                    v.word::<DefaultView>("default_view", s)
                })
                .flatten(),
            timezone: v.patch_required("timezone", &self.timezone, &base.timezone, |v, s| {
                timezone(v, s)
            }),
            realtime: match &self.realtime {
                Patch::Absent => base.realtime.clone(),
                Patch::Null => {
                    v.error("realtime", "must not be null; send the keys to change");
                    base.realtime.clone()
                }
                Patch::Value(body) => body.applied(v, &base.realtime),
            },
            notifications: match &self.notifications {
                Patch::Absent => base.notifications.clone(),
                Patch::Null => {
                    v.error("notifications", "must not be null; send the keys to change");
                    base.notifications.clone()
                }
                Patch::Value(body) => body.applied(v, &base.notifications),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::extract::parse_json;

    fn body(json: &str) -> PreferencesBody {
        parse_json(json.as_bytes()).expect("body parses")
    }

    #[test]
    fn patch_merges_nested_keys_and_put_resets_the_rest() {
        let saved = body(r#"{"compact_mode": true, "realtime": {"refresh_interval_seconds": 60}}"#)
            .applied_to(&Preferences::default())
            .unwrap();
        let patched = body(r#"{"realtime": {"enabled": false}}"#)
            .applied_to(&saved)
            .unwrap();
        assert!(patched.compact_mode);
        assert_eq!(patched.realtime.refresh_interval_seconds, 60);
        assert!(!patched.realtime.enabled);
        let put = body(r#"{"realtime": {"enabled": false}}"#)
            .applied_to(&Preferences::default())
            .unwrap();
        assert!(!put.compact_mode);
        assert_eq!(put.realtime.refresh_interval_seconds, 30);
    }

    #[test]
    fn channels_are_deduplicated_in_vocabulary_order() {
        let p = body(r#"{"realtime": {"channels": ["budgets", "shipments", "budgets"]}}"#)
            .applied_to(&Preferences::default())
            .unwrap();
        assert_eq!(p.realtime.channels, [Channel::Shipments, Channel::Budgets]);
    }
}
