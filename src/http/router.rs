//! Every route of the service, and the middleware stack around them.

use std::time::Duration;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware,
    routing::{get, patch, post},
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use super::{error::ApiError, health, metrics, openapi, problem_layer, state::AppState};
use crate::{admin, auth, clients, financial, order_requests, products, users};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let cfg = state.config.clone();

    // Everything under /api/v1/clients/{client_id}: the tenancy layer runs before any of
    // these handlers (and before their body is read), so a route added here is protected by
    // construction, and `ClientScope` is only available here.
    let client_scoped = Router::new()
        .route(
            "/api/v1/clients/{client_id}",
            get(clients::handlers::get_client)
                .patch(clients::handlers::update_client)
                .delete(clients::handlers::delete_client),
        )
        .route(
            "/api/v1/clients/{client_id}/products",
            get(products::handlers::list_products).post(products::handlers::create_product),
        )
        .route(
            "/api/v1/clients/{client_id}/products/{product_id}",
            get(products::handlers::get_product)
                .patch(products::handlers::update_product)
                .delete(products::handlers::delete_product),
        )
        .route(
            "/api/v1/clients/{client_id}/products/{product_id}/costs",
            patch(financial::costs::update_product_costs),
        )
        .route(
            "/api/v1/clients/{client_id}/products/{product_id}/eoq",
            get(financial::eoq::product_eoq),
        )
        .route(
            "/api/v1/clients/{client_id}/budgets",
            get(financial::budgets::handlers::list_budgets)
                .post(financial::budgets::handlers::create_budget),
        )
        .route(
            "/api/v1/clients/{client_id}/budgets/variance",
            get(financial::variance::budget_variance),
        )
        .route(
            "/api/v1/clients/{client_id}/budgets/{budget_id}",
            get(financial::budgets::handlers::get_budget)
                .patch(financial::budgets::handlers::update_budget)
                .delete(financial::budgets::handlers::delete_budget),
        )
        .route(
            "/api/v1/clients/{client_id}/cost-tracking",
            get(financial::cost_tracking::handlers::list_cost_tracking),
        )
        .route(
            "/api/v1/clients/{client_id}/cost-tracking/aggregate",
            post(financial::cost_tracking::handlers::aggregate_cost_tracking),
        )
        .route(
            "/api/v1/clients/{client_id}/order-requests",
            get(order_requests::handlers::list_order_requests)
                .post(order_requests::handlers::create_order_request),
        )
        .route(
            "/api/v1/clients/{client_id}/order-requests/{order_request_id}",
            get(order_requests::handlers::get_order_request),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::tenancy::require_client_access,
        ));

    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/admin/migrations", get(admin::migrations::list_migrations))
        .route("/api/v1/auth/login", post(auth::handlers::login))
        .route("/api/v1/me", get(auth::handlers::me))
        .route(
            "/api/v1/clients",
            get(clients::handlers::list_clients).post(clients::handlers::create_client),
        )
        .route(
            "/api/v1/users",
            get(users::handlers::list_users).post(users::handlers::create_user),
        )
        .route(
            "/api/v1/users/{user_id}",
            get(users::handlers::get_user)
                .patch(users::handlers::update_user)
                .delete(users::handlers::delete_user),
        )
        .merge(client_scoped)
        .fallback(|| async { ApiError::NotFound("no route matches this path".into()) })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .with_state(state);

    let trace = TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
        let request_id = req
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id)
    });

    // Router::layer wraps every route (and the fallback) in turn, innermost first:
    // limits, timeout and panic catching; then the problem+json rewrite of whatever those
    // (or axum's own rejections) answered; then CORS, request ids and tracing outermost.
    routes
        .layer(
            ServiceBuilder::new()
                .layer(RequestBodyLimitLayer::new(cfg.body_limit_bytes))
                .layer(DefaultBodyLimit::max(cfg.body_limit_bytes)),
        )
        .layer(ServiceBuilder::new().layer(CatchPanicLayer::new()).layer(
            TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, cfg.request_timeout),
        ))
        .layer(middleware::from_fn(problem_layer::problem_json_errors))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(cors(&cfg.cors_allowed_origins)),
        )
}

/// CORS for the dashboard's origins only; with none configured, browsers get no CORS headers.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            REQUEST_ID,
        ])
        .expose_headers([header::ETAG, header::LOCATION, REQUEST_ID])
        .max_age(Duration::from_secs(3600))
}
