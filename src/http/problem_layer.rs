//! Turns every error response that did not come from `ApiError` into problem+json.
//!
//! Axum's own rejections, the router's 404/405 fallbacks, the body-limit layer's 413 and the
//! timeout layer's 503 all answer with plain text or an empty body. This middleware sits
//! outermost and rewrites any 4xx/5xx that is not already `application/problem+json`, keeping
//! the framework's message as `detail` for 4xx (it says what was wrong with the request) and
//! replacing it with a generic one for 5xx (it might say something internal).

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::error::{PROBLEM_JSON, Problem};

pub async fn problem_json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let already = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(PROBLEM_JSON));
    if already {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let text = to_bytes(body, 16 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let problem = Problem::of(status, detail_for(status, text));
    let rewritten = problem.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(PROBLEM_JSON),
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        parts.headers.insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static(super::error::RETRY_AFTER_SECONDS),
        );
    }
    let (_, new_body) = rewritten.into_parts();
    Response::from_parts(parts, Body::new(new_body))
}

fn detail_for(status: StatusCode, framework_text: String) -> String {
    match status {
        StatusCode::NOT_FOUND => "no route matches this path".into(),
        StatusCode::METHOD_NOT_ALLOWED => "this route does not accept this method".into(),
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is larger than the limit".into(),
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE
            if framework_text.is_empty() =>
        {
            "the request took longer than the server allows".into()
        }
        s if s.is_server_error() => "an internal error occurred; it has been logged".into(),
        _ if framework_text.is_empty() => status.canonical_reason().unwrap_or("error").into(),
        _ => framework_text,
    }
}
