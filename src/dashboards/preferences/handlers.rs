//! `/api/v1/me/preferences`. Responses carry `ETag: "<version>"`; `If-None-Match` on `GET`
//! answers 304 when nothing changed, and a write whose `If-Match` is stale answers 412 and
//! changes nothing. A write without `If-Match` applies unconditionally. Reads are answered
//! from the replica's cache of rendered preferences when it holds the caller's
//! ([`crate::dashboards::cache`]); a write forgets them there once committed.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use diesel_async::AsyncConnection;

use super::{
    body::PreferencesBody,
    queries,
    types::{Preferences, PreferencesView},
};
use crate::http::prelude::*;
use crate::{
    auth::principal::CurrentUser,
    dashboards::{
        cache::{Page, PageCache, Read},
        concurrency::{Condition, etag},
    },
    http::conn::LazyDb,
};

/// Without a row a user's preferences are the defaults at version 1, the version the row
/// gets when it is first written (see [`queries::lock`]).
const UNSAVED_VERSION: i32 = 1;

/// The view, rendered once.
fn render(view: &PreferencesView) -> ApiResult<Page> {
    Page::render(view, view.version, None)
}

/// The rendered view with its `ETag`; the front end revalidates (`no-cache`) rather than
/// guessing.
fn tagged(page: Page) -> Response {
    let version = page.version;
    let mut res = page.json();
    let headers = res.headers_mut();
    headers.insert(header::ETAG, etag(version));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    res
}

#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "dashboards", security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header, description = "An ETag of an earlier answer: 304 when it is still current")),
    responses((status = 200, body = PreferencesView), (status = 304, description = "Not modified since the ETag sent"),
        (status = 401, body = Problem)))]
pub async fn get_preferences(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    db: LazyDb,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let unchanged = Condition::if_none_match(&headers)?;
    let page = pages
        .get_or_load(Read::Preferences, &user, async || {
            let row = queries::get(&mut *db.conn().await?, user.id).await?;
            render(&match row {
                Some(row) => {
                    PreferencesView::new(row.preferences(), row.version, Some(row.updated_at))
                }
                None => PreferencesView::new(Preferences::default(), UNSAVED_VERSION, None),
            })
        })
        .await?;
    if unchanged != Condition::Absent && unchanged.matches(page.version) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, etag(page.version));
        return Ok(res);
    }
    Ok(tagged(page))
}

/// Applies the body to the saved preferences (`PATCH`) or to the defaults (`PUT`), under the
/// row's lock, after checking `If-Match`. Nothing is written when nothing changes; the
/// replica's cached read of them is forgotten once the transaction has ended.
async fn write(
    user: CurrentUser,
    pages: &PageCache,
    mut conn: crate::db::DbConn,
    headers: &HeaderMap,
    body: PreferencesBody,
    replace: bool,
) -> ApiResult<Response> {
    let expected = Condition::if_match(headers)?;
    let view = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = queries::lock(conn, user.id).await?;
            if !expected.matches(row.version) {
                return Err(ApiError::PreconditionFailed(format!(
                    "If-Match: the preferences changed since that ETag (elsewhere, e.g. in another tab); they are now at \"{}\"; reload them and apply the change again",
                    row.version
                )));
            }
            let current = row.preferences();
            let base = if replace { Preferences::default() } else { current.clone() };
            let next = body.applied_to(&base)?;
            if next == current {
                return Ok(PreferencesView::new(current, row.version, Some(row.updated_at)));
            }
            let row = queries::write(conn, user.id, &next).await?;
            Ok(PreferencesView::new(row.preferences(), row.version, Some(row.updated_at)))
        })
        .await;
    pages.forget_user(user.id);
    Ok(tagged(render(&view?)?))
}

#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "dashboards", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body(content = PreferencesBody, description = "Every preference; keys left out return to their defaults"),
    responses((status = 200, body = PreferencesView), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn replace_preferences(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    Db(conn): Db,
    headers: HeaderMap,
    extract::Json(body): extract::Json<PreferencesBody>,
) -> ApiResult<Response> {
    write(user, &pages, conn, &headers, body, true).await
}

#[utoipa::path(patch, path = "/api/v1/me/preferences", tag = "dashboards", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body(content = PreferencesBody, description = "The keys to change, merged key by key into nested objects; keys left out stay"),
    responses((status = 200, body = PreferencesView), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_preferences(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    Db(conn): Db,
    headers: HeaderMap,
    extract::Json(body): extract::Json<PreferencesBody>,
) -> ApiResult<Response> {
    write(user, &pages, conn, &headers, body, false).await
}
