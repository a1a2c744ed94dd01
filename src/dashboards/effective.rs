//! `GET /api/v1/me/dashboard`: the layout the front end draws, read on every page load.
//!
//! The user's default, else the layout they saved most recently, else the built-in starter
//! layout of their role (the guide: "consider creating default layouts for common roles"),
//! with `source` saying which. The starters are data (`starters.json`), checked against the
//! same grid rules as a saved layout.
//!
//! The answer is rendered once and kept in the replica's cache ([`super::cache`]): a warm read
//! sends no statement and checks out no connection.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
};

use axum::{extract::State, response::Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    cache::{Page, PageCache, Read},
    layouts::{queries, types::Layout},
    widgets::Widget,
};
use crate::{
    auth::principal::{CurrentUser, Role},
    http::{
        conn::LazyDb,
        error::{ApiResult, Problem},
        validation::validate,
    },
    text_enum,
};

text_enum! {
    /// Where the effective dashboard came from.
    pub enum DashboardSource {
        /// The user's default layout.
        Default,
        /// No default: the layout the user saved most recently.
        Latest,
        /// No layout saved: the starter layout of the user's role.
        RoleDefault,
    }
}

/// The dashboard to draw.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub source: DashboardSource,
    /// The saved layout drawn; null for a starter layout.
    pub layout_id: Option<Uuid>,
    pub name: String,
    #[schema(value_type = Vec<Widget>)]
    pub widgets: Value,
    /// The saved layout's version; null for a starter layout.
    pub version: Option<i32>,
    /// When the saved layout last changed; null for a starter layout.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The starter layouts by role, as shipped (the demo seed saves them for its users too).
pub const STARTERS_JSON: &str = include_str!("starters.json");

#[derive(Debug, Clone, Deserialize)]
pub struct Starter {
    pub name: String,
    pub widgets: Vec<Value>,
}

/// The starter layouts by role, read and checked once.
pub fn starters() -> &'static HashMap<String, Starter> {
    static STARTERS: OnceLock<HashMap<String, Starter>> = OnceLock::new();
    STARTERS.get_or_init(|| {
        let starters: HashMap<String, Starter> =
            serde_json::from_str(STARTERS_JSON).expect("starters.json parses");
        for (role, starter) in &starters {
            validate(|v| super::widgets::validate_widgets(v, &starter.widgets)).unwrap_or_else(
                |e| panic!("starter layout of {role} breaks the grid rules: {e:?}"),
            );
        }
        starters
    })
}

/// The starter layout of a role.
pub fn starter(role: Role) -> &'static Starter {
    starters()
        .get(role.as_str())
        .unwrap_or_else(|| panic!("starters.json has no layout for {role}"))
}

#[utoipa::path(get, path = "/api/v1/me/dashboard", tag = "dashboards", security(("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 401, body = Problem)))]
pub async fn dashboard(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    db: LazyDb,
) -> ApiResult<Response> {
    let page = pages
        .get_or_load(Read::Dashboard, &user, async || {
            let mut conn = db.conn().await?;
            let layout = queries::effective(&mut conn, user.id).await?;
            drop(conn);
            match layout {
                Some(layout) => Page::render(&saved(layout), 0, None),
                None => Page::render(&drawn(starter(user.role)), 0, Some(user.role)),
            }
        })
        .await?;
    Ok(page.json())
}

/// A saved layout as the dashboard.
fn saved(layout: Layout) -> Dashboard {
    Dashboard {
        source: if layout.is_default {
            DashboardSource::Default
        } else {
            DashboardSource::Latest
        },
        layout_id: Some(layout.id),
        name: layout.name,
        widgets: layout.widgets,
        version: Some(layout.version),
        updated_at: Some(layout.updated_at),
    }
}

/// A starter layout as the dashboard.
fn drawn(starter: &Starter) -> Dashboard {
    Dashboard {
        source: DashboardSource::RoleDefault,
        layout_id: None,
        name: starter.name.clone(),
        widgets: Value::Array(starter.widgets.clone()),
        version: None,
        updated_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::text_enum::Vocabulary;

    #[test]
    fn every_role_has_a_starter_that_keeps_the_grid_rules() {
        for word in <Role as Vocabulary>::WORDS {
            let role = Role::from_word(word).expect("role");
            assert!(!starter(role).widgets.is_empty(), "{word}");
        }
    }
}
