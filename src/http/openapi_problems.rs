//! Completes every operation of the OpenAPI document with the error answers the framework can
//! give it, so the contract declares every status code and content type a client can meet
//! (checked by schemathesis-style clients): handlers document what is theirs (404 of their
//! resource, 409 of their constraint…), this adds what the stack adds to every route:
//!
//! | status | when the operation… |
//! |---|---|
//! | 400 | has a body or parameters (malformed JSON, a path or query value of the wrong type) |
//! | 401, 403 | requires a token |
//! | 404 | names a resource in its path |
//! | 413, 415 | has a body (over the body limit; not `application/json`) |
//! | 422 | has a body or parameters |
//! | 503 | always, except `/healthz` (database unavailable, request timeout, replica full) |
//!
//! Every error answer is `application/problem+json`, as the service sends it.

use utoipa::openapi::{
    Content, OpenApi, Ref, RefOr, ResponseBuilder,
    path::{Operation, PathItem},
};

use super::error::PROBLEM_JSON;

/// Applies the rules above to every operation of `doc`.
pub fn complete(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in operations(item) {
            complete_operation(path, op);
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn complete_operation(path: &str, op: &mut Operation) {
    let has_body = op.request_body.is_some();
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let rules: [(&str, bool, &str); 8] = [
        (
            "400",
            has_body || has_params,
            "Malformed JSON, or a path or query value of the wrong type",
        ),
        ("401", secured, "Missing, invalid or expired token"),
        ("403", secured, "The caller's role may not do this"),
        (
            "404",
            path.contains('{'),
            "Not found, or another client's (never told apart)",
        ),
        ("413", has_body, "The body is larger than the limit"),
        ("415", has_body, "The body is not application/json"),
        (
            "422",
            has_body || has_params,
            "Invalid fields, each named in `errors`",
        ),
        (
            "503",
            path != "/healthz",
            "Database unavailable, request timeout or replica full; see Retry-After",
        ),
    ];
    for (status, applies, description) in rules {
        if applies && !op.responses.responses.contains_key(status) {
            op.responses
                .responses
                .insert(status.to_owned(), problem_response(description));
        }
    }
    for (status, response) in op.responses.responses.iter_mut() {
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        if let RefOr::T(response) = response
            && let Some(content) = response.content.shift_remove("application/json")
        {
            response.content.insert(PROBLEM_JSON.to_owned(), content);
        }
    }
}

fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem")))),
            )
            .build(),
    )
}
