//! The OpenAPI 3.1 document, generated from the handlers' annotations so it cannot drift.
//! `tests/openapi.rs` snapshot-tests it against `docs/openapi.json`.

use axum::Json;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

use crate::{admin, http};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fulfillment-ops",
        description = "Backend of the Fulfillment Operations Dashboard: budgets and costs, shipments, benchmarks, dashboards and lead times."
    ),
    paths(
        http::health::healthz,
        http::health::readyz,
        http::metrics::metrics,
        admin::migrations::list_migrations,
    ),
    components(schemas(http::error::Problem, http::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "admin", description = "Operator routes: ADMIN_TOKEN or an admin user's token"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
