use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    db::schema::clients,
    http::{
        patch::Patch,
        validation::{Validator, validate},
    },
};

/// `/api/v1/clients/{client_id}`: every client-scoped route's first parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClientPath {
    pub client_id: Uuid,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = clients)]
pub struct Client {
    /// The client's id: the `{client_id}` of its routes.
    pub id: Uuid,
    #[diesel(embed)]
    #[serde(flatten)]
    pub fields: ClientFields,
    /// When the client was created (UTC).
    pub created_at: DateTime<Utc>,
    /// When a PATCH last wrote the client's fields (UTC); its creation time until then.
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// The client's display name: 1 to 200 characters once trimmed.
    #[schema(required)]
    pub name: Option<String>,
    /// Free text, at most 100 characters once trimmed; absent or empty: none.
    pub industry: Option<String>,
    /// Default supplier days for the client's new products, a whole number from 0 to 3650;
    /// absent: none.
    pub default_supplier_lead_days: Option<i64>,
    /// Default transit days from the supplier to the warehouse, 0 to 3650; absent: none.
    pub default_shipping_lead_days: Option<i64>,
    /// Default days to receive and process inbound stock, 0 to 3650; absent: none.
    pub default_processing_lead_days: Option<i64>,
    /// Default extra safety margin in days, 0 to 3650; absent: none.
    pub default_safety_buffer_days: Option<i64>,
}

/// PATCH: absent fields stay, `null` clears a nullable field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateClient {
    /// 1 to 200 characters once trimmed; `null` is refused (a client always has a name).
    #[serde(default)]
    pub name: Patch<String>,
    /// At most 100 characters once trimmed; `null` or empty clears it.
    #[serde(default)]
    pub industry: Patch<String>,
    /// Default supplier days for new products, 0 to 3650; `null` clears the default.
    #[serde(default)]
    pub default_supplier_lead_days: Patch<i64>,
    /// Default transit days for new products, 0 to 3650; `null` clears the default.
    #[serde(default)]
    pub default_shipping_lead_days: Patch<i64>,
    /// Default processing days for new products, 0 to 3650; `null` clears the default.
    #[serde(default)]
    pub default_processing_lead_days: Patch<i64>,
    /// Default safety margin in days for new products, 0 to 3650; `null` clears the default.
    #[serde(default)]
    pub default_safety_buffer_days: Patch<i64>,
}

/// `DELETE /clients/{client_id}` of a client that has data.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteClientQuery {
    /// The client's name, exactly: deletes the client with its users, products (and their
    /// stock and forecast history), order requests, budgets, monthly cost rows and benchmark
    /// participation. Not needed for a client without data; a client with shipments is never
    /// deleted.
    pub confirm: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientFilter {
    /// Only clients of this industry.
    pub industry: Option<String>,
}

/// A client's writable fields: validated on the way in, part of [`Client`] on the way out.
#[derive(Debug, Clone, Queryable, Selectable, AsChangeset, Insertable, Serialize, ToSchema)]
#[diesel(table_name = clients, treat_none_as_null = true)]
pub struct ClientFields {
    /// The client's display name.
    pub name: String,
    /// Free text; null: none. Benchmark participation takes it as the cohort's industry
    /// when the opt-in names none.
    pub industry: Option<String>,
    /// Lead-time defaults applied to the client's new products when they name none.
    pub default_supplier_lead_days: Option<i32>,
    /// Transit days from the supplier to the warehouse, for new products naming none; null:
    /// no default.
    pub default_shipping_lead_days: Option<i32>,
    /// Days to receive and process inbound stock, for new products naming none; null: no
    /// default.
    pub default_processing_lead_days: Option<i32>,
    /// Extra safety margin in days, for new products naming none; null: no default.
    pub default_safety_buffer_days: Option<i32>,
}

/// Lead times are whole days from 0 to 3650.
pub const MAX_LEAD_DAYS: i64 = 3650;

pub fn lead_days(v: &mut Validator, field: &str, value: Option<i64>) -> Option<i32> {
    value.map(|d| v.int_range(field, d, 0, MAX_LEAD_DAYS))
}

impl ClientFields {
    pub fn from_create(body: &CreateClient) -> crate::http::error::ApiResult<Self> {
        validate(|v| Self {
            name: v
                .required("name", body.name.as_ref())
                .map(|n| v.text("name", n, 200))
                .unwrap_or_default(),
            industry: v.opt_text("industry", body.industry.as_deref(), 100),
            default_supplier_lead_days: lead_days(
                v,
                "default_supplier_lead_days",
                body.default_supplier_lead_days,
            ),
            default_shipping_lead_days: lead_days(
                v,
                "default_shipping_lead_days",
                body.default_shipping_lead_days,
            ),
            default_processing_lead_days: lead_days(
                v,
                "default_processing_lead_days",
                body.default_processing_lead_days,
            ),
            default_safety_buffer_days: lead_days(
                v,
                "default_safety_buffer_days",
                body.default_safety_buffer_days,
            ),
        })
    }

    /// The client's fields with a PATCH applied.
    pub fn merged(client: &Client, body: &UpdateClient) -> crate::http::error::ApiResult<Self> {
        let days = |v: &mut Validator, field: &str, patch: &Patch<i64>, now: Option<i32>| {
            v.patch(patch, &now, |v, d| v.int_range(field, *d, 0, MAX_LEAD_DAYS))
        };
        let c = &client.fields;
        validate(|v| Self {
            name: v.patch_required("name", &body.name, &c.name, |v, n| v.text("name", n, 200)),
            industry: v.patch_text("industry", &body.industry, &c.industry, 100),
            default_supplier_lead_days: days(
                v,
                "default_supplier_lead_days",
                &body.default_supplier_lead_days,
                c.default_supplier_lead_days,
            ),
            default_shipping_lead_days: days(
                v,
                "default_shipping_lead_days",
                &body.default_shipping_lead_days,
                c.default_shipping_lead_days,
            ),
            default_processing_lead_days: days(
                v,
                "default_processing_lead_days",
                &body.default_processing_lead_days,
                c.default_processing_lead_days,
            ),
            default_safety_buffer_days: days(
                v,
                "default_safety_buffer_days",
                &body.default_safety_buffer_days,
                c.default_safety_buffer_days,
            ),
        })
    }
}
