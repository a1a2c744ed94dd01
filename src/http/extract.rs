//! Request extractors that fail with the API's own problems.
//!
//! `Json<T>` replaces axum's: malformed JSON is a 400, a body of the wrong shape is a 422 that
//! names the offending field (via `serde_path_to_error`), a missing content type is a 415.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header,
};
use serde::de::DeserializeOwned;

use super::error::{ApiError, FieldError};

pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| ct.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest(format!("could not read the request body: {e}"))
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Deserializes JSON, telling syntax errors (400) from shape errors (422, with the field path
/// and a message in the caller's words, see [`humanize`]).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let (field, message) = locate(&path, &strip_position(&inner));
                ApiError::Validation(vec![FieldError::new(field, message)])
            }
            _ => ApiError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })?;
    // One JSON value and nothing after it (whitespace aside).
    de.end()
        .map_err(|_| ApiError::BadRequest("malformed JSON: text after the JSON value".into()))?;
    Ok(value)
}

/// The field a serde error is about, and what it should have been. serde reports a missing
/// or unknown field at its parent: name the field itself.
fn locate(path: &str, message: &str) -> (String, String) {
    let join = |name: &str| match path {
        "." => name.to_owned(),
        parent => format!("{parent}.{name}"),
    };
    if let Some(name) = between(message, "missing field `", "`") {
        return (join(name), "is required".into());
    }
    if let Some(name) = between(message, "unknown field `", "`") {
        let known = message.split_once("expected ").map(|(_, rest)| words(rest));
        let message = match known {
            Some(known) if !known.is_empty() => {
                format!("is not a field here; the fields are: {known}")
            }
            _ => "is not a field here".to_owned(),
        };
        // serde_path_to_error already puts an unknown field on the path.
        let field = if path == name || path.ends_with(&format!(".{name}")) {
            path.to_owned()
        } else {
            join(name)
        };
        return (field, message);
    }
    let field = if path == "." { "body" } else { path };
    (field.to_owned(), humanize(message))
}

/// serde's and the parsers' messages, in the caller's words: what the value must be, in the
/// format we expect, never `input is out of range` or `expected i64`.
pub fn humanize(message: &str) -> String {
    let m = message;
    if let Some(rest) = m.strip_prefix("unknown variant `") {
        let allowed = rest.split_once("expected ").map(|(_, r)| words(r));
        return match allowed {
            Some(allowed) => format!("must be one of: {allowed}"),
            None => "is not one of the allowed values".into(),
        };
    }
    const DATE_ERRORS: &[&str] = &[
        "input is out of range",
        "premature end of input",
        "input contains invalid characters",
        "trailing input",
        "input is not enough for unique date and time",
        "no possible date and time matching input",
        "a formatted date string",
    ];
    if m.contains("date and time string") {
        return "must be a timestamp like 2026-03-31T14:30:00Z".into();
    }
    if DATE_ERRORS.iter().any(|e| m.contains(e)) {
        return "must be a date like 2026-03-31".into();
    }
    if m.contains("UUID parsing failed")
        || m.contains("urn:uuid:")
        || m.contains("for simple format")
        || m.contains("invalid group")
        || m.contains("expected a UUID")
    {
        return "must be a UUID like 1b4e28ba-2fa1-11d2-883f-0016d3cca427".into();
    }
    if let Some(expected) = m.split_once(", expected ").map(|(_, e)| e) {
        let what = match expected {
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number, 0 or more",
            "a boolean" => "true or false",
            "a string" | "a borrowed string" => "a string",
            "a sequence" => "a list",
            "f32" | "f64" => "a number",
            e if e.starts_with("struct ") || e.starts_with("a map") => "an object",
            e if e.starts_with("a decimal number") => {
                "a decimal number as a string, like \"12.50\""
            }
            _ => "",
        };
        if !what.is_empty() {
            return format!("must be {what}");
        }
    }
    if m.contains("number too large to fit") || m.contains("out of range integral type") {
        return "is out of the supported range".into();
    }
    m.to_owned()
}

/// The text between `start` and the next `end`.
fn between<'a>(message: &'a str, start: &str, end: &str) -> Option<&'a str> {
    message.split_once(start)?.1.split(end).next()
}

/// serde's "one of `a`, `b`, `c`" or "`a` or `b`" as "a, b, c".
fn words(list: &str) -> String {
    list.split('`')
        .skip(1)
        .step_by(2)
        .collect::<Vec<_>>()
        .join(", ")
}

/// serde_json appends " at line 1 column 17"; the field path already says where.
fn strip_position(err: &serde_json::Error) -> String {
    let msg = err.to_string();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
    }
}

/// Query-string parameters, with errors as 422 problems naming the parameter.
pub struct Query<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|err| {
                let path = err.path().to_string();
                let field = if path == "." {
                    "query".to_owned()
                } else {
                    path
                };
                let message = humanize(&err.into_inner().to_string());
                ApiError::Validation(vec![FieldError::new(field, message)])
            })
    }
}

/// Path parameters, with a malformed one answered as a 400 naming the parameter and the
/// format it must have (`product_id: must be a UUID like …`).
pub struct Path<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::extract::{path::ErrorKind, rejection::PathRejection};
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let detail = match e.kind() {
                    ErrorKind::ParseErrorAtKey {
                        key, expected_type, ..
                    } => {
                        let what = if expected_type.contains("Uuid") {
                            humanize("UUID parsing failed")
                        } else {
                            format!("must be a {expected_type}")
                        };
                        format!("{key}: {what}")
                    }
                    ErrorKind::Message(m) => humanize(m.as_str()),
                    _ => humanize(&e.body_text()),
                };
                Err(ApiError::BadRequest(detail))
            }
            Err(e) => Err(ApiError::Internal(anyhow::anyhow!("path parameters: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        quantity: u32,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Order {
        items: Vec<Item>,
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let err = parse_json::<Order>(b"{\"items\": [").unwrap_err();
        assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
    }

    #[test]
    fn wrong_shape_names_the_field() {
        let err =
            parse_json::<Order>(br#"{"items":[{"quantity":1},{"quantity":-2}]}"#).unwrap_err();
        match err {
            ApiError::Validation(errors) => {
                assert_eq!(errors[0].field, "items[1].quantity");
                assert_eq!(errors[0].message, "must be a whole number, 0 or more");
            }
            other => panic!("expected validation, got {other:?}"),
        }
        match parse_json::<Order>(br#"{"items":[{}]}"#).unwrap_err() {
            ApiError::Validation(errors) => assert_eq!(errors[0].field, "items[0].quantity"),
            other => panic!("expected validation, got {other:?}"),
        }
    }

    #[test]
    fn messages_name_the_expected_format() {
        assert_eq!(
            humanize("input is out of range"),
            "must be a date like 2026-03-31"
        );
        assert_eq!(
            humanize("unknown variant `x`, expected one of `draft`, `submitted`"),
            "must be one of: draft, submitted"
        );
        assert!(humanize("UUID parsing failed: invalid character").contains("a UUID"));
        assert_eq!(
            humanize("invalid type: string \"a\", expected i64"),
            "must be a whole number"
        );
    }

    #[test]
    fn text_after_the_json_value_is_malformed() {
        let err = parse_json::<Order>(br#"{"items":[]} trailing"#).unwrap_err();
        assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
    }
}
