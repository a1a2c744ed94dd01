//! The OpenAPI 3.1 document, generated from the handlers' annotations so it cannot drift.
//! `tests/openapi.rs` snapshot-tests it against `docs/openapi.json`.

use axum::Json;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

use crate::{admin, auth, clients, financial, http, order_requests, products, users};

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
        auth::handlers::login,
        auth::handlers::me,
        clients::handlers::list_clients,
        clients::handlers::create_client,
        clients::handlers::get_client,
        clients::handlers::update_client,
        clients::handlers::delete_client,
        users::handlers::list_users,
        users::handlers::create_user,
        users::handlers::get_user,
        users::handlers::update_user,
        users::handlers::delete_user,
        products::handlers::list_products,
        products::handlers::create_product,
        products::handlers::get_product,
        products::handlers::update_product,
        products::handlers::delete_product,
        order_requests::handlers::list_order_requests,
        order_requests::handlers::create_order_request,
        order_requests::handlers::get_order_request,
        financial::costs::update_product_costs,
        financial::eoq::product_eoq,
        financial::budgets::handlers::list_budgets,
        financial::budgets::handlers::create_budget,
        financial::budgets::handlers::get_budget,
        financial::budgets::handlers::update_budget,
        financial::budgets::handlers::delete_budget,
        financial::variance::budget_variance,
        financial::cost_tracking::handlers::aggregate_cost_tracking,
        financial::cost_tracking::handlers::list_cost_tracking,
    ),
    components(schemas(http::error::Problem, http::error::FieldError, http::decimal::Decimal)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "admin", description = "Operator routes: ADMIN_TOKEN or an admin user's token"),
        (name = "auth", description = "Sign-in and the caller's own user"),
        (name = "clients", description = "Clients (brands); create and delete: admin"),
        (name = "users", description = "Users; admin only"),
        (name = "products", description = "A client's products, with costs and lead times"),
        (name = "order requests", description = "A client's order requests and their items"),
        (name = "financial", description = "Product costs, budgets and variance, monthly cost tracking, EOQ"),
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
