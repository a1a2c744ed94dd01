//! Users on the wire and in the database. The password hash has no field here: it is
//! written by `queries` and read only by sign-in, so it can never be serialized.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use diesel::result::Error as DieselError;

use crate::{
    auth::{password::check_password_policy, principal::Role},
    db::errors::violates,
    db::schema::users,
    http::{
        error::{ApiError, ApiResult},
        patch::Patch,
        validation::{Validator, validate},
    },
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    pub user_id: Uuid,
}

/// A user as stored (less the password hash) and as answered.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = users)]
#[schema(as = UserView)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The client a `client` user belongs to; null for admins and operators.
    pub client_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    /// Optional: defaults to the part of the email before `@` (the CLI's `--name` follows
    /// the same rule).
    pub name: Option<String>,
    pub role: Role,
    /// Required for `client` users, absent for the others.
    pub client_id: Option<Uuid>,
    /// At least 12 characters; never returned.
    pub password: String,
}

/// PATCH: absent fields stay; only `client_id` can be cleared.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default)]
    pub email: Patch<String>,
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub role: Patch<Role>,
    #[serde(default)]
    pub client_id: Patch<Uuid>,
    #[serde(default)]
    pub password: Patch<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub client_id: Option<Uuid>,
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

/// A user created without a name is called by its email's local part.
fn default_name(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_owned()
}

impl CreateUser {
    /// Validates everything but the password hash (computed afterwards, off the async threads).
    pub fn validate(&self) -> ApiResult<(String, String)> {
        validate(|v| {
            let email = v.email("email", &self.email);
            let name = match &self.name {
                Some(name) => v.text("name", name, 200),
                None => default_name(&email),
            };
            check_role_client(v, self.role, self.client_id);
            if let Err(m) = check_password_policy(&self.password) {
                v.error("password", m);
            }
            (email, name)
        })
    }
}

impl UpdateUser {
    /// The user with this PATCH applied, checked as a whole; `me` may not demote itself.
    pub fn merged(&self, current: &User, me: Uuid) -> ApiResult<User> {
        validate(|v| {
            let u = User {
                email: v.patch_required("email", &self.email, &current.email, |v, e| {
                    v.email("email", e)
                }),
                name: v.patch_required("name", &self.name, &current.name, |v, n| {
                    v.text("name", n, 200)
                }),
                role: v.patch_required("role", &self.role, &current.role, |_, r| *r),
                client_id: v.patch(&self.client_id, &current.client_id, |_, c| *c),
                ..current.clone()
            };
            if self.password == Patch::Null {
                v.error("password", "must not be null");
            }
            check_role_client(v, u.role, u.client_id);
            if u.id == me && u.role != Role::Admin {
                v.error("role", "you cannot take the admin role from yourself");
            }
            u
        })
    }
}

/// A write that ran into a users constraint, in the admin's words.
pub fn write_error(e: DieselError, email: &str) -> ApiError {
    if violates(&e, "users_email_key") {
        ApiError::Conflict(format!("a user with the email {email} already exists"))
    } else if violates(&e, "users_client_id_fkey") {
        ApiError::invalid("client_id", "no client has this id")
    } else if let DieselError::NotFound = e {
        ApiError::not_found("user")
    } else {
        e.into()
    }
}
