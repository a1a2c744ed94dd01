//! Every route of the service, one line each.
//!
//! The router and the OpenAPI document are built from these same lists (`utoipa_axum`'s
//! `routes!` reads each handler's `#[utoipa::path]`), so a route cannot be mounted without
//! being documented, or documented without being mounted. Routes under
//! `/api/v1/clients/{client_id}` go in [`client_scoped`]: the tenancy layer runs before any of
//! them (and before their body is read), and the tenancy test walks that list, so a route
//! added there is protected and tested by construction.

use std::collections::HashMap;

use axum::{Json, Router, middleware, routing::get};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    activity, admin, auth, benchmarking, clients,
    config::Config,
    dashboards, financial,
    http::{self, state::AppState},
    jobs, order_requests, products, shipments, users,
};

/// Routes whose path starts with `/api/v1/clients/{client_id}`: behind the tenancy layer.
pub fn client_scoped() -> OpenApiRouter<AppState> {
    use financial::{budgets::handlers as budgets, cost_tracking::handlers as cost_tracking};
    OpenApiRouter::new()
        .routes(routes!(
            clients::handlers::get_client,
            clients::handlers::update_client,
            clients::handlers::delete_client
        ))
        .routes(routes!(
            products::handlers::list_products,
            products::handlers::create_product
        ))
        .routes(routes!(
            products::handlers::get_product,
            products::handlers::update_product,
            products::handlers::delete_product
        ))
        .routes(routes!(products::handlers::archive_product))
        .routes(routes!(products::handlers::unarchive_product))
        .routes(routes!(financial::costs::update_product_costs))
        .routes(routes!(financial::eoq::product_eoq))
        .routes(routes!(budgets::list_budgets, budgets::create_budget))
        .routes(routes!(financial::variance::budget_variance))
        .routes(routes!(
            budgets::get_budget,
            budgets::update_budget,
            budgets::delete_budget
        ))
        .routes(routes!(cost_tracking::list_cost_tracking))
        .routes(routes!(cost_tracking::aggregate_cost_tracking))
        .routes(routes!(
            order_requests::handlers::list_order_requests,
            order_requests::handlers::create_order_request
        ))
        .routes(routes!(
            order_requests::handlers::get_order_request,
            order_requests::handlers::update_order_request
        ))
        .routes(routes!(order_requests::handlers::order_request_transitions))
        .routes(routes!(crate::lead_times::handlers::update_lead_times))
        .routes(routes!(crate::lead_times::handlers::recalculate))
        .routes(routes!(crate::lead_times::handlers::apply_client_defaults))
        .routes(routes!(crate::lead_times::handlers::reorder_alerts))
        .routes(routes!(
            shipments::handlers::list_shipments,
            shipments::handlers::create_shipment
        ))
        .routes(routes!(shipments::import::import_shipments))
        .routes(routes!(
            shipments::handlers::get_shipment,
            shipments::handlers::update_shipment
        ))
        .routes(routes!(
            shipments::events::handlers::list_events,
            shipments::events::handlers::create_event
        ))
        .routes(routes!(
            benchmarking::handlers::get_participation,
            benchmarking::handlers::put_participation
        ))
        .routes(routes!(benchmarking::handlers::benchmark))
}

/// Every other route: operations, admin, sign-in, and the collections above any one client.
pub fn unscoped() -> OpenApiRouter<AppState> {
    use dashboards::{layouts::handlers as layouts, preferences::handlers as preferences};
    OpenApiRouter::new()
        .routes(routes!(http::health::healthz))
        .routes(routes!(http::health::readyz))
        .routes(routes!(http::metrics::metrics))
        .routes(routes!(admin::migrations::list_migrations))
        .routes(routes!(admin::database::database_health))
        .routes(routes!(jobs::handlers::list_jobs))
        .routes(routes!(auth::handlers::login))
        .routes(routes!(auth::handlers::me))
        .routes(routes!(
            clients::handlers::list_clients,
            clients::handlers::create_client
        ))
        .routes(routes!(
            users::handlers::list_users,
            users::handlers::create_user
        ))
        .routes(routes!(
            users::handlers::get_user,
            users::handlers::update_user,
            users::handlers::delete_user
        ))
        .routes(routes!(layouts::list_layouts, layouts::create_layout))
        .routes(routes!(
            layouts::get_layout,
            layouts::replace_layout,
            layouts::delete_layout
        ))
        .routes(routes!(layouts::make_default))
        .routes(routes!(layouts::list_versions))
        .routes(routes!(layouts::restore_layout))
        .routes(routes!(dashboards::effective::dashboard))
        .routes(routes!(
            preferences::get_preferences,
            preferences::replace_preferences,
            preferences::update_preferences
        ))
        .routes(routes!(activity::stream::stream))
        .routes(routes!(shipments::handlers::shipment_by_tracking))
        .routes(routes!(shipments::webhooks::handlers::carrier_webhook))
        .routes(routes!(benchmarking::handlers::compute_snapshots))
        .routes(routes!(benchmarking::handlers::list_snapshots))
}

/// The service: both lists, the tenancy layer over the client-scoped one, `/openapi.json`,
/// and the framework's middleware stack around everything.
pub fn router(state: AppState) -> Router {
    let (scoped, _) = client_scoped().split_for_parts();
    let scoped = scoped.route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::tenancy::require_client_access,
    ));
    let (open, _) = unscoped().split_for_parts();
    let routes = open
        .merge(scoped)
        .route("/openapi.json", get(openapi_json))
        .merge(api_explorer());
    let own = own_limits(&state.config);
    http::stack::wrap(routes, state, own)
}

/// The routes whose body limit and timeout are not `BODY_LIMIT_BYTES` and `REQUEST_TIMEOUT`,
/// by route template: the shipment import streams up to `IMPORT_BODY_LIMIT_BYTES` for up to
/// `IMPORT_REQUEST_TIMEOUT`.
pub fn own_limits(config: &Config) -> HashMap<&'static str, http::stack::Limits> {
    HashMap::from([(
        shipments::import::IMPORT_PATH,
        config.shipments.import_limits(),
    )])
}

/// Interactive docs of `/openapi.json` at `/docs` (Swagger UI; `/docs` redirects to `/docs/`).
/// The assets are compiled into the binary from `utoipa-swagger-ui-vendored`, so the page works
/// offline and behind a firewall, and the build downloads nothing. "Authorize" takes the
/// `access_token` of `POST /api/v1/auth/login` and is kept across reloads.
fn api_explorer() -> Router<AppState> {
    use utoipa_swagger_ui::{Config, SwaggerUi};
    SwaggerUi::new("/docs")
        .config(
            Config::new(["/openapi.json"])
                .persist_authorization(true)
                .display_request_duration(true)
                .filter(true),
        )
        .into()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fulfillment-ops",
        description = "Backend of the Fulfillment Operations Dashboard: budgets and costs, shipments, benchmarks, dashboards and lead times."
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
        (name = "lead times", description = "Product lead times, stockout and order-by dates, reorder alerts"),
        (name = "dashboards", description = "The caller's own dashboard layouts, effective dashboard and preferences"),
        (name = "shipments", description = "Shipments, their carrier events, carrier webhooks and the historical import"),
        (name = "benchmarking", description = "Opt-in benchmarking against anonymous cohorts: participation, the client's view, snapshots (aggregates only)"),
        (name = "live", description = "Live updates: the caller's server-sent event stream"),
    )
)]
struct ApiDoc;

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

/// The OpenAPI 3.1 document of every route above (snapshot-tested against docs/openapi.json).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(unscoped().into_openapi());
    doc.merge(client_scoped().into_openapi());
    http::openapi_problems::complete(&mut doc);
    doc
}

/// The document is the same for the life of the process: built once.
async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(openapi))
}
