//! The middleware stack around every route, and the fallback for paths no route matches.
//!
//! `routes.rs` hands over its routes; this module adds what every request goes through. It
//! knows no feature.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, MatchedPath, Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use super::{error::ApiError, metrics, problem_layer, state::AppState};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How large a request body may be and how long a request may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub body_bytes: usize,
    pub timeout: Duration,
}

/// The limits of each request: its route's own, when `routes.rs` named the route (by its
/// template), else `BODY_LIMIT_BYTES` and `REQUEST_TIMEOUT`.
#[derive(Clone)]
struct RouteLimits {
    default: Limits,
    own: Arc<HashMap<&'static str, Limits>>,
}

/// Answers 413 at once when the declared length is over the route's limit, else caps the body
/// at it (a body without a length fails when it reads past the limit, which extractors answer
/// with 413), and answers 503 when the route runs longer than its timeout. It runs after
/// routing (a `Router::layer`), so the matched route template is known.
async fn limit(State(limits): State<RouteLimits>, req: Request, next: Next) -> Response {
    let l = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| limits.own.get(p.as_str()))
        .copied()
        .unwrap_or(limits.default);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > l.body_bytes as u64) {
        return ApiError::PayloadTooLarge.into_response();
    }
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, l.body_bytes)));
    match tokio::time::timeout(l.timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Wraps the service's routes in the stack, innermost first: metrics (by route template);
/// body limits and timeouts (per route: `own_limits` names the routes that differ from
/// `BODY_LIMIT_BYTES`/`REQUEST_TIMEOUT`), panic catching; the problem+json rewrite of whatever
/// those (or axum's own rejections) answered; CORS, request ids and tracing outermost.
pub fn wrap(
    routes: Router<AppState>,
    state: AppState,
    own_limits: HashMap<&'static str, Limits>,
) -> Router {
    let cfg = state.config.clone();
    let pool = state.pool.clone();
    let limits = RouteLimits {
        default: Limits {
            body_bytes: cfg.body_limit_bytes,
            timeout: cfg.request_timeout,
        },
        own: Arc::new(own_limits),
    };
    let routes = routes
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

    routes
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(limits, limit))
                .layer(DefaultBodyLimit::max(cfg.body_limit_bytes))
                .layer(middleware::from_fn_with_state(
                    pool,
                    super::conn::retry_lost_reads,
                )),
        )
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(problem_layer::problem_json_errors))
        .layer(
            ServiceBuilder::new()
                .layer(middleware::map_request(drop_unfit_request_id))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(cors(&cfg.cors_allowed_origins)),
        )
}
/// Longest caller-given `x-request-id` kept (a UUID is 36; trace ids are at most 55).
const MAX_REQUEST_ID_LEN: usize = 128;

/// A caller's `x-request-id` is echoed in the response and written to every log line of the
/// request, so it is kept only when short and made of printable id characters; otherwise it is
/// dropped and [`SetRequestIdLayer`] generates one, as for a request that sent none.
async fn drop_unfit_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    let fit = req
        .headers()
        .get(&REQUEST_ID)
        .map(|v| fit_request_id(v.as_bytes()));
    if fit == Some(false) {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

fn fit_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.:/+=@".contains(c))
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
            header::IF_NONE_MATCH,
            REQUEST_ID,
        ])
        .expose_headers([header::ETAG, header::LOCATION, REQUEST_ID])
        .max_age(Duration::from_secs(3600))
}
