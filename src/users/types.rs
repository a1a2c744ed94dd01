//! Users on the wire and in the database. The password hash has no field here: it is
//! written by `queries` and read only by sign-in, so it can never be serialized.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{password::check_password_policy, principal::Role},
    db::schema::users,
    http::{
        error::ApiResult,
        extract::{double_option, not_null},
        validation::Validator,
    },
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub client_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    /// The client a `client` user belongs to; null for admins and operators.
    pub client_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for UserView {
    fn from(r: UserRow) -> Self {
        Self {
            id: r.id,
            email: r.email,
            name: r.name,
            role: r.role,
            client_id: r.client_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Required for `client` users, absent for the others.
    pub client_id: Option<Uuid>,
    /// At least 12 characters; never returned.
    pub password: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, deserialize_with = "not_null")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub client_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "not_null")]
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub client_id: Option<Uuid>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A user about to be written, validated.
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub client_id: Option<Uuid>,
    pub password_hash: String,
}

/// The rule a user must satisfy as a whole: client users belong to a client, staff do not.
pub fn check_role_client(v: &mut Validator, role: Role, client_id: Option<Uuid>) {
    match (role, client_id) {
        (Role::Client, None) => v.error("client_id", "is required for a client user"),
        (Role::Admin | Role::Operator, Some(_)) => {
            v.error("client_id", "must be absent for admins and operators")
        }
        _ => {}
    }
}

impl CreateUser {
    /// Validates everything but the password hash (computed afterwards, off the async threads).
    pub fn validate(&self) -> ApiResult<(String, String)> {
        let mut v = Validator::new();
        let email = v.email("email", &self.email);
        let name = v.text("name", &self.name, 200);
        check_role_client(&mut v, self.role, self.client_id);
        if let Err(m) = check_password_policy(&self.password) {
            v.error("password", m);
        }
        v.finish()?;
        Ok((email, name))
    }
}
