//! Two tabs must not silently overwrite each other: versions, ETags and the conditional
//! headers of this feature.
//!
//! Layouts and preferences both carry an integer `version` the database bumps on every
//! write; its ETag is that number in quotes (`"7"`). A layout write names the version it was
//! based on (body `version` or `If-Match`) and a stale one answers 409 with the current
//! version in the problem (`current_version`); a preferences write with a stale `If-Match`
//! answers 412, as HTTP says for a failed precondition.

use axum::{
    Json,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use diesel::result::Error as DieselError;
use serde::Serialize;

use crate::http::error::{ApiError, PROBLEM_JSON, Problem};

/// The strong ETag of a version.
pub fn etag(version: i32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header")
}

/// What an `If-Match` or `If-None-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// No such header.
    Absent,
    /// `*`: any current version.
    Any,
    /// The versions listed (`"3", "4"`; weak tags compare by their version too).
    Versions(Vec<i32>),
}

impl Condition {
    /// Reads the header; a value that is not one of our ETags is a 400 naming the header.
    pub fn from_header(headers: &HeaderMap, name: header::HeaderName) -> Result<Self, ApiError> {
        let Some(raw) = headers.get(&name) else {
            return Ok(Self::Absent);
        };
        let bad = || {
            ApiError::BadRequest(format!(
                "{name} must be an ETag this API handed out, like \"3\" (quotes included), or *"
            ))
        };
        let text = raw.to_str().map_err(|_| bad())?.trim();
        if text == "*" {
            return Ok(Self::Any);
        }
        text.split(',')
            .map(|tag| {
                let tag = tag.trim();
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag.strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .and_then(|t| t.parse::<i32>().ok())
                    .ok_or_else(bad)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Versions)
    }

    pub fn if_match(headers: &HeaderMap) -> Result<Self, ApiError> {
        Self::from_header(headers, header::IF_MATCH)
    }

    pub fn if_none_match(headers: &HeaderMap) -> Result<Self, ApiError> {
        Self::from_header(headers, header::IF_NONE_MATCH)
    }

    /// Whether the resource at `version` satisfies the condition (an absent one always does).
    pub fn matches(&self, version: i32) -> bool {
        match self {
            Self::Absent | Self::Any => true,
            Self::Versions(versions) => versions.contains(&version),
        }
    }

    /// The one version a layout write is based on: the body's `version`, `If-Match`, or both
    /// when they agree.
    pub fn based_on(&self, body: Option<i64>) -> Result<Option<i64>, ApiError> {
        let header = match self {
            Self::Absent | Self::Any => None,
            Self::Versions(v) if v.len() == 1 => Some(i64::from(v[0])),
            Self::Versions(_) => {
                return Err(ApiError::BadRequest(
                    "If-Match must name one version for a layout write".into(),
                ));
            }
        };
        match (body, header) {
            (Some(b), Some(h)) if b != h => Err(ApiError::invalid(
                "version",
                format!("is {b} but If-Match names version {h}; send one or make them agree"),
            )),
            (b, h) => Ok(b.or(h)),
        }
    }
}

/// The error of a layout route: an [`ApiError`], or a write based on a version that is no
/// longer current (409 naming `current_version`, with its ETag).
#[derive(Debug)]
pub enum LayoutError {
    Api(ApiError),
    Stale { based_on: i64, current: i32 },
}

impl From<ApiError> for LayoutError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<DieselError> for LayoutError {
    fn from(e: DieselError) -> Self {
        Self::Api(e.into())
    }
}

/// The problem of a stale write: RFC 9457 allows extension members; the front end reloads
/// `current_version` and re-applies its edit.
#[derive(Serialize)]
struct StaleProblem {
    #[serde(flatten)]
    problem: Problem,
    current_version: i32,
}

impl IntoResponse for LayoutError {
    fn into_response(self) -> Response {
        match self {
            Self::Api(e) => e.into_response(),
            Self::Stale { based_on, current } => {
                let problem = Problem::of(
                    StatusCode::CONFLICT,
                    format!(
                        "version: this edit is based on version {based_on}, but the layout is at version {current} (changed elsewhere, e.g. in another tab); reload it and apply the edit again"
                    ),
                );
                let body = StaleProblem {
                    problem,
                    current_version: current,
                };
                let mut res = (StatusCode::CONFLICT, Json(body)).into_response();
                let headers = res.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
                headers.insert(header::ETAG, etag(current));
                res
            }
        }
    }
}

pub type LayoutResult<T> = Result<T, LayoutError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(value: &str) -> Result<Condition, ApiError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_str(value).unwrap());
        Condition::if_match(&headers)
    }

    #[test]
    fn reads_tags_lists_weak_tags_and_star() {
        assert_eq!(cond("\"3\"").unwrap(), Condition::Versions(vec![3]));
        assert_eq!(
            cond("W/\"3\", \"4\"").unwrap(),
            Condition::Versions(vec![3, 4])
        );
        assert_eq!(cond("*").unwrap(), Condition::Any);
        assert!(cond("3").is_err(), "an unquoted tag is not an ETag");
        assert!(cond("\"abc\"").is_err());
    }

    #[test]
    fn body_version_and_if_match_must_agree() {
        let three = Condition::Versions(vec![3]);
        assert_eq!(three.based_on(None).unwrap(), Some(3));
        assert_eq!(three.based_on(Some(3)).unwrap(), Some(3));
        assert!(three.based_on(Some(2)).is_err());
        assert_eq!(Condition::Absent.based_on(Some(5)).unwrap(), Some(5));
    }
}
