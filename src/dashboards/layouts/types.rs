//! Layouts on the wire and in the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    dashboards::widgets::{Widget, validate_widgets},
    db::schema::dashboard_layouts,
    http::{
        error::ApiResult,
        validation::{Validator, validate},
    },
};

/// A layout name: 1 to 100 characters.
pub const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct LayoutPath {
    pub layout_id: Uuid,
}

/// One of the caller's saved dashboards.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = dashboard_layouts)]
pub struct Layout {
    pub id: Uuid,
    pub name: String,
    /// At most one layout of a user is the default (the database's partial unique index).
    pub is_default: bool,
    #[schema(value_type = Vec<Widget>)]
    pub widgets: Value,
    /// Bumped by every saved change of name, widgets or default; a write names the version
    /// it was based on (body `version` or `If-Match`), and the `ETag` is this number.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST` creates (`name` required, `widgets` default `[]`, no `version`); `PUT` replaces
/// (`name` and `widgets` required, `version` or `If-Match` required, `is_default` absent
/// keeps it as it is).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutBody {
    #[schema(required)]
    pub name: Option<String>,
    pub is_default: Option<bool>,
    #[schema(value_type = Option<Vec<Widget>>)]
    pub widgets: Option<Vec<Value>>,
    /// `PUT`: the version this edit is based on (or send `If-Match: "N"`).
    pub version: Option<i64>,
}

/// `POST …/restore`: the kept version to bring back, as a new version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreBody {
    pub version: i64,
}

/// A layout's validated name and widgets.
#[derive(Debug, Clone)]
pub struct LayoutFields {
    pub name: String,
    pub widgets: Value,
    /// `None`: leave it as it is (`PUT`) or not the default (`POST`).
    pub is_default: Option<bool>,
}

fn name(v: &mut Validator, name: Option<&String>) -> String {
    v.required("name", name)
        .map(|n| v.text("name", n, MAX_NAME_CHARS))
        .unwrap_or_default()
}

fn widgets(v: &mut Validator, raw: &[Value]) -> Value {
    serde_json::to_value(validate_widgets(v, raw)).expect("widgets serialize")
}

impl LayoutBody {
    pub fn for_create(&self) -> ApiResult<LayoutFields> {
        validate(|v| {
            if self.version.is_some() {
                v.error(
                    "version",
                    "is set by the server; a new layout starts at version 1",
                );
            }
            LayoutFields {
                name: name(v, self.name.as_ref()),
                widgets: widgets(v, self.widgets.as_deref().unwrap_or_default()),
                is_default: self.is_default,
            }
        })
    }

    /// The replacement, and the version it is based on (the body's or `If-Match`'s).
    pub fn for_replace(&self, based_on: Option<i64>) -> ApiResult<(LayoutFields, i64)> {
        validate(|v| {
            if based_on.is_none() {
                v.error(
                    "version",
                    "is required: the version this edit is based on (or send If-Match: \"N\")",
                );
            }
            let fields = LayoutFields {
                name: name(v, self.name.as_ref()),
                widgets: v
                    .required("widgets", self.widgets.as_ref())
                    .map(|w| widgets(v, w))
                    .unwrap_or_default(),
                is_default: self.is_default,
            };
            (fields, based_on.unwrap_or_default())
        })
    }
}

/// One kept previous version of a layout.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct LayoutVersion {
    pub version: i32,
    pub name: String,
    /// When this version was saved.
    pub saved_at: DateTime<Utc>,
    pub widget_count: i32,
}
