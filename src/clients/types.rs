use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    db::schema::clients,
    http::{
        extract::{double_option, not_null},
        validation::Validator,
    },
};

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = clients)]
pub struct Client {
    pub id: Uuid,
    pub name: String,
    pub industry: Option<String>,
    /// Lead-time defaults applied to the client's new products when they name none.
    pub default_supplier_lead_days: Option<i32>,
    pub default_shipping_lead_days: Option<i32>,
    pub default_processing_lead_days: Option<i32>,
    pub default_safety_buffer_days: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    pub name: String,
    pub industry: Option<String>,
    pub default_supplier_lead_days: Option<i64>,
    pub default_shipping_lead_days: Option<i64>,
    pub default_processing_lead_days: Option<i64>,
    pub default_safety_buffer_days: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateClient {
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub default_supplier_lead_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub default_shipping_lead_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub default_processing_lead_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub default_safety_buffer_days: Option<Option<i64>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientFilter {
    /// Only clients of this industry.
    pub industry: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A client's writable fields, validated.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = clients, treat_none_as_null = true)]
pub struct ClientFields {
    pub name: String,
    pub industry: Option<String>,
    pub default_supplier_lead_days: Option<i32>,
    pub default_shipping_lead_days: Option<i32>,
    pub default_processing_lead_days: Option<i32>,
    pub default_safety_buffer_days: Option<i32>,
}

/// Lead times are whole days from 0 to 3650.
pub const MAX_LEAD_DAYS: i64 = 3650;

pub fn lead_days(v: &mut Validator, field: &str, value: Option<i64>) -> Option<i32> {
    value.map(|d| v.int_range(field, d, 0, MAX_LEAD_DAYS))
}

impl ClientFields {
    pub fn from_create(body: &CreateClient) -> (Self, Validator) {
        let mut v = Validator::new();
        let fields = Self {
            name: v.text("name", &body.name, 200),
            industry: v.opt_text("industry", body.industry.as_deref(), 100),
            default_supplier_lead_days: lead_days(
                &mut v,
                "default_supplier_lead_days",
                body.default_supplier_lead_days,
            ),
            default_shipping_lead_days: lead_days(
                &mut v,
                "default_shipping_lead_days",
                body.default_shipping_lead_days,
            ),
            default_processing_lead_days: lead_days(
                &mut v,
                "default_processing_lead_days",
                body.default_processing_lead_days,
            ),
            default_safety_buffer_days: lead_days(
                &mut v,
                "default_safety_buffer_days",
                body.default_safety_buffer_days,
            ),
        };
        (fields, v)
    }

    /// The client's fields with a PATCH applied.
    pub fn merged(current: &Client, body: &UpdateClient) -> (Self, Validator) {
        let mut v = Validator::new();
        let mut days = |field: &str, patch: Option<Option<i64>>, now: Option<i32>| match patch {
            None => now,
            Some(value) => lead_days(&mut v, field, value),
        };
        let default_supplier_lead_days = days(
            "default_supplier_lead_days",
            body.default_supplier_lead_days,
            current.default_supplier_lead_days,
        );
        let default_shipping_lead_days = days(
            "default_shipping_lead_days",
            body.default_shipping_lead_days,
            current.default_shipping_lead_days,
        );
        let default_processing_lead_days = days(
            "default_processing_lead_days",
            body.default_processing_lead_days,
            current.default_processing_lead_days,
        );
        let default_safety_buffer_days = days(
            "default_safety_buffer_days",
            body.default_safety_buffer_days,
            current.default_safety_buffer_days,
        );
        let fields = Self {
            name: match &body.name {
                Some(n) => v.text("name", n, 200),
                None => current.name.clone(),
            },
            industry: match &body.industry {
                Some(i) => v.opt_text("industry", i.as_deref(), 100),
                None => current.industry.clone(),
            },
            default_supplier_lead_days,
            default_shipping_lead_days,
            default_processing_lead_days,
            default_safety_buffer_days,
        };
        (fields, v)
    }
}
