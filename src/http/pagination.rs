//! Keyset pagination: `?limit=` (default 50, at most 500) and an opaque `?cursor=`; lists
//! answer `{"data": [...], "next_cursor": "..." | null}`.
//!
//! The cursor is the sort key of the last row served (base64url of its JSON), so the next page
//! starts strictly after it: no row is lost or served twice while rows are added, and deep
//! pages cost what the first does (no OFFSET).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::{IntoParams, ToSchema};

use axum::{extract::FromRequestParts, http::request::Parts};

use super::{
    error::{ApiError, ApiResult},
    extract::Query,
};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Rows per page, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A validated page request: how many rows, and the key to start after. As an extractor it
/// reads `limit` and `cursor` from the query string (other parameters are the filter's), so
/// a list handler takes `page: PageRequest<Key>` beside its `Query<Filter>` and documents
/// both with `params(Filter, PageQuery)`.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    pub limit: i64,
    pub after: Option<K>,
}

impl<K> PageRequest<K> {
    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

impl PageQuery {
    pub fn parse<K: DeserializeOwned>(&self) -> ApiResult<PageRequest<K>> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                ApiError::invalid("cursor", "is not a cursor this list handed out")
            })?),
        };
        Ok(PageRequest { limit, after })
    }
}

impl<S, K> FromRequestParts<S> for PageRequest<K>
where
    S: Send + Sync,
    K: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(query) = Query::<PageQuery>::from_request_parts(parts, state).await?;
        query.parse()
    }
}

fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Option<K> {
    let bytes = B64.decode(cursor).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    B64.encode(serde_json::to_vec(key).expect("cursor keys serialize"))
}

// A page of a list; a handler returns it as its response (`http::json` writes it into one
// buffer sized after the first row; the derived `Serialize` is the shape it must match).
// (A plain comment: a doc comment would become the schema's description in the OpenAPI document.)
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `?cursor=` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says another page exists.
    pub fn from_rows<R, K: Serialize>(
        mut rows: Vec<R>,
        req: &PageRequest<impl Sized>,
        key: impl Fn(&R) -> K,
        view: impl Fn(R) -> T,
    ) -> Self {
        let more = rows.len() as i64 > req.limit;
        rows.truncate(req.limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(&key(r)))
        } else {
            None
        };
        Self {
            data: rows.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}

/// Keyset-paginates a boxed Diesel query on its sort key: the rows strictly after the page's
/// `after` key, in key order, and one more than the page (for [`Page::from_rows`]). The
/// two-column forms also bound the first column alone (`a >= x` / `a <= x`): PostgreSQL
/// cannot start an index scan from the `OR`, so without it a deep page read every row before
/// the cursor. One definition of the page dance for every list:
///
/// ```ignore
/// keyset_page!(q, page, asc(clients::name, clients::id)).load(conn).await
/// keyset_page!(q, page, desc(order_requests::created_at, order_requests::id))
/// keyset_page!(q, page, asc(products::sku))
/// ```
#[macro_export]
macro_rules! keyset_page {
    ($q:expr, $page:expr, asc($a:expr, $b:expr)) => {{
        let mut q = $q;
        if let Some((x, y)) = $page.after.clone() {
            q = q.filter($a.ge(x.clone()));
            q = q.filter($a.gt(x.clone()).or($a.eq(x).and($b.gt(y))));
        }
        q.order(($a.asc(), $b.asc())).limit($page.fetch())
    }};
    ($q:expr, $page:expr, desc($a:expr, $b:expr)) => {{
        let mut q = $q;
        if let Some((x, y)) = $page.after.clone() {
            q = q.filter($a.le(x.clone()));
            q = q.filter($a.lt(x.clone()).or($a.eq(x).and($b.lt(y))));
        }
        q.order(($a.desc(), $b.desc())).limit($page.fetch())
    }};
    ($q:expr, $page:expr, asc($a:expr)) => {{
        let mut q = $q;
        if let Some(x) = $page.after.clone() {
            q = q.filter($a.gt(x));
        }
        q.order($a.asc()).limit($page.fetch())
    }};
}
