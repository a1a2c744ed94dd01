//! `insta` JSON snapshots of response shapes, stored in `tests/it/snapshots/`.
//!
//! Ids and instants differ on every run: they are redacted, but only after checking that each
//! is what it claims to be (a UUID, an RFC 3339 instant), so a snapshot still pins the format.
//! After an intended change: `INSTA_UPDATE=always scripts/test.sh --test it`, review the
//! `.snap` diff, commit it.

use insta::{Settings, internals::Content};

/// Keys holding a UUID (or null), wherever they appear.
const ID_KEYS: &[&str] = &[
    "id",
    "client_id",
    "product_id",
    "budget_id",
    "order_request_id",
];
/// Keys holding an instant (or null).
const INSTANT_KEYS: &[&str] = &[
    "created_at",
    "updated_at",
    "calculated_at",
    "last_cost_update",
];

fn redact_checked(
    placeholder: &'static str,
    valid: fn(&str) -> bool,
) -> impl Fn(Content, insta::internals::ContentPath<'_>) -> Content + Send + Sync + 'static {
    move |value, path| match value.as_str() {
        Some(s) => {
            assert!(valid(s), "{path}: {s:?} is not a {placeholder}");
            Content::from(placeholder)
        }
        None => value, // null stays null, and shows in the snapshot
    }
}

/// The settings every response snapshot is taken under.
pub fn settings() -> Settings {
    let mut settings = Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/snapshots"));
    settings.set_sort_maps(true);
    for key in ID_KEYS {
        for selector in [format!(".{key}"), format!(".data[].{key}")] {
            settings.add_redaction(
                &selector,
                insta::dynamic_redaction(redact_checked("[uuid]", |s| {
                    uuid::Uuid::parse_str(s).is_ok()
                })),
            );
        }
    }
    for key in INSTANT_KEYS {
        for selector in [format!(".{key}"), format!(".data[].{key}")] {
            settings.add_redaction(
                &selector,
                insta::dynamic_redaction(redact_checked("[instant]", |s| {
                    chrono::DateTime::parse_from_rfc3339(s).is_ok()
                })),
            );
        }
    }
    settings
}

/// `assert_response_shape!("name", json_value)`: the value against
/// `tests/it/snapshots/<module>__<name>.snap`, with ids and instants redacted.
macro_rules! assert_response_shape {
    ($name:expr, $value:expr $(,)?) => {
        $crate::common::snapshot::settings().bind(|| {
            insta::assert_json_snapshot!($name, $value);
        })
    };
}
pub(crate) use assert_response_shape;
