//! `/api/v1/me/layouts`: the caller's own dashboards. Another user's layout answers 404
//! whatever the caller's role: every query filters by the caller. Every write forgets the
//! caller's cached dashboard on this replica once it has committed
//! ([`crate::dashboards::cache`]): the caller's next page load draws it.

use std::sync::Arc;

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::IntoResponse,
};
use diesel::{OptionalExtension, result::Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{
    queries,
    types::{Layout, LayoutBody, LayoutFields, LayoutPath, LayoutVersion, RestoreBody},
};
use crate::http::prelude::*;
use crate::{
    auth::principal::CurrentUser,
    dashboards::{
        cache::PageCache,
        concurrency::{Condition, LayoutError, LayoutResult, etag},
    },
    db::errors::violates,
};

/// A layout with its version as the `ETag`.
type Tagged = ([(header::HeaderName, HeaderValue); 1], Json<Layout>);

fn tagged(layout: Layout) -> Tagged {
    ([(header::ETAG, etag(layout.version))], Json(layout))
}

/// A write that ran into the one-default index: only a concurrent default switch gets here
/// (the writes below lock the user's layouts first), and retrying settles it.
fn write_error(e: DieselError) -> LayoutError {
    if violates(&e, "dashboard_layouts_one_default_per_user") {
        return ApiError::Conflict(
            "another layout was made the default at the same moment; retry".into(),
        )
        .into();
    }
    ApiError::from_query(e, "layout").into()
}

/// Locks the layout for a write and checks it is at `based_on` (when one was named).
async fn lock_at(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    id: Uuid,
    based_on: Option<i64>,
) -> LayoutResult<Layout> {
    let current = queries::get_for_update(conn, user, id)
        .await
        .or_not_found("layout")?;
    match based_on {
        Some(b) if b != i64::from(current.version) => Err(LayoutError::Stale {
            based_on: b,
            current: current.version,
        }),
        _ => Ok(current),
    }
}

/// Saves `fields` as the layout's next version, keeping the one it replaces; clears the
/// previous default first when this one becomes it. Inside the caller's transaction.
async fn save_version(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    current: &Layout,
    fields: &LayoutFields,
) -> LayoutResult<Layout> {
    if fields.is_default == Some(true) {
        queries::clear_default(conn, user, Some(current.id)).await?;
    }
    queries::keep_version(conn, current).await?;
    queries::update(conn, current.id, fields)
        .await
        .map_err(write_error)
}

#[utoipa::path(get, path = "/api/v1/me/layouts", tag = "dashboards", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<Layout>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list_layouts(
    user: CurrentUser,
    Db(mut conn): Db,
    page: PageRequest<(String, Uuid)>,
) -> ApiResult<Page<Layout>> {
    let rows = queries::list(&mut conn, user.id, &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |l| l))
}

#[utoipa::path(post, path = "/api/v1/me/layouts", tag = "dashboards", security(("bearer" = [])),
    request_body = LayoutBody,
    responses((status = 201, body = Layout), (status = 401, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn create_layout(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<LayoutBody>,
) -> LayoutResult<impl IntoResponse> {
    let fields = body.for_create()?;
    let layout = conn
        .transaction::<_, LayoutError, _>(async |conn| {
            if fields.is_default == Some(true) {
                queries::lock_all(conn, user.id).await?;
                queries::clear_default(conn, user.id, None).await?;
            }
            queries::insert(conn, user.id, &fields)
                .await
                .map_err(write_error)
        })
        .await?;
    pages.forget_user(user.id);
    let location = format!("/api/v1/me/layouts/{}", layout.id);
    Ok((
        [(header::ETAG, etag(layout.version))],
        Created::at(location, layout),
    ))
}

#[utoipa::path(get, path = "/api/v1/me/layouts/{layout_id}", tag = "dashboards", security(("bearer" = [])),
    params(LayoutPath),
    responses((status = 200, body = Layout), (status = 404, body = Problem)))]
pub async fn get_layout(
    user: CurrentUser,
    Db(mut conn): Db,
    Path(path): Path<LayoutPath>,
) -> ApiResult<Tagged> {
    let layout = queries::get(&mut conn, user.id, path.layout_id).await;
    Ok(tagged(layout.or_not_found("layout")?))
}

#[utoipa::path(put, path = "/api/v1/me/layouts/{layout_id}", tag = "dashboards", security(("bearer" = [])),
    params(LayoutPath, ("If-Match" = Option<String>, Header, description = "The ETag the edit is based on (or body `version`)")),
    request_body = LayoutBody,
    responses((status = 200, body = Layout), (status = 404, body = Problem),
        (status = 409, description = "The layout changed since `version`; the problem's `current_version` says what it is now", body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn replace_layout(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    Db(mut conn): Db,
    Path(path): Path<LayoutPath>,
    headers: HeaderMap,
    extract::Json(body): extract::Json<LayoutBody>,
) -> LayoutResult<Tagged> {
    let based_on = Condition::if_match(&headers)?.based_on(body.version)?;
    let (fields, based_on) = body.for_replace(based_on)?;
    let layout = conn
        .transaction::<_, LayoutError, _>(async |conn| {
            if fields.is_default == Some(true) {
                queries::lock_all(conn, user.id).await?;
            }
            let current = lock_at(conn, user.id, path.layout_id, Some(based_on)).await?;
            save_version(conn, user.id, &current, &fields).await
        })
        .await?;
    pages.forget_user(user.id);
    Ok(tagged(layout))
}

#[utoipa::path(delete, path = "/api/v1/me/layouts/{layout_id}", tag = "dashboards", security(("bearer" = [])),
    params(LayoutPath, ("If-Match" = Option<String>, Header, description = "Delete only if the layout is still at this ETag")),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_layout(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    Db(mut conn): Db,
    Path(path): Path<LayoutPath>,
    headers: HeaderMap,
) -> LayoutResult<StatusCode> {
    let based_on = Condition::if_match(&headers)?.based_on(None)?;
    conn.transaction::<_, LayoutError, _>(async |conn| {
        let current = lock_at(conn, user.id, path.layout_id, based_on).await?;
        queries::delete(conn, current.id).await?;
        Ok(())
    })
    .await?;
    pages.forget_user(user.id);
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/me/layouts/{layout_id}/default", tag = "dashboards", security(("bearer" = [])),
    params(LayoutPath),
    responses((status = 200, body = Layout), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn make_default(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    Db(mut conn): Db,
    Path(path): Path<LayoutPath>,
) -> LayoutResult<Tagged> {
    let id = path.layout_id;
    let layout = conn
        .transaction::<_, LayoutError, _>(async |conn| {
            if !queries::lock_all(conn, user.id).await?.contains(&id) {
                return Err(ApiError::not_found("layout").into());
            }
            queries::clear_default(conn, user.id, Some(id)).await?;
            queries::set_default(conn, id).await.map_err(write_error)
        })
        .await?;
    pages.forget_user(user.id);
    Ok(tagged(layout))
}

#[utoipa::path(get, path = "/api/v1/me/layouts/{layout_id}/versions", tag = "dashboards", security(("bearer" = [])),
    params(LayoutPath, PageQuery),
    responses((status = 200, description = "The kept previous versions, newest first (at most 20)", body = Page<LayoutVersion>),
        (status = 404, body = Problem)))]
pub async fn list_versions(
    user: CurrentUser,
    Db(mut conn): Db,
    Path(path): Path<LayoutPath>,
    page: PageRequest<i32>,
) -> ApiResult<Page<LayoutVersion>> {
    let layout = queries::get(&mut conn, user.id, path.layout_id)
        .await
        .or_not_found("layout")?;
    let rows = queries::versions(&mut conn, layout.id, &page).await?;
    Ok(Page::from_rows(rows, &page, |v| v.version, |v| v))
}

#[utoipa::path(post, path = "/api/v1/me/layouts/{layout_id}/restore", tag = "dashboards", security(("bearer" = [])),
    params(LayoutPath, ("If-Match" = Option<String>, Header, description = "Restore only if the layout is still at this ETag")),
    request_body = RestoreBody,
    responses((status = 200, description = "The layout, with the kept version's name and widgets as a new version", body = Layout),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn restore_layout(
    user: CurrentUser,
    State(pages): State<Arc<PageCache>>,
    Db(mut conn): Db,
    Path(path): Path<LayoutPath>,
    headers: HeaderMap,
    extract::Json(body): extract::Json<RestoreBody>,
) -> LayoutResult<Tagged> {
    let based_on = Condition::if_match(&headers)?.based_on(None)?;
    let layout = conn
        .transaction::<_, LayoutError, _>(async |conn| {
            let current = lock_at(conn, user.id, path.layout_id, based_on).await?;
            let wanted = i32::try_from(body.version).unwrap_or(0);
            if wanted == current.version {
                return Err(ApiError::invalid(
                    "version",
                    format!("{wanted} is the current version; there is nothing to restore"),
                )
                .into());
            }
            let (name, widgets) = queries::kept_version(conn, current.id, wanted)
                .await
                .optional()?
                .ok_or_else(|| {
                    ApiError::invalid(
                        "version",
                        format!(
                            "version {} of this layout is not kept; GET …/versions lists the newest {} (it is at version {})",
                            body.version,
                            queries::KEPT_VERSIONS,
                            current.version
                        ),
                    )
                })?;
            let fields = LayoutFields {
                name,
                widgets,
                is_default: None,
            };
            save_version(conn, user.id, &current, &fields).await
        })
        .await?;
    pages.forget_user(user.id);
    Ok(tagged(layout))
}
