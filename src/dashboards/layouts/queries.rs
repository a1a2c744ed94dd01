//! Every SQL statement about layouts and their kept versions. Errors stay Diesel's; handlers
//! map them to HTTP. Every statement filters by the owner, so another user's layout is
//! simply not found.

use diesel::{
    prelude::*,
    sql_types::{Integer, Jsonb, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{Layout, LayoutFields, LayoutVersion};
use crate::{
    db::schema::{dashboard_layout_versions as versions, dashboard_layouts as layouts},
    http::pagination::PageRequest,
    keyset_page, owned_row,
};

/// Versions kept per layout, besides the current one (Grafana keeps 20 too).
pub const KEPT_VERSIONS: i32 = 20;

diesel::define_sql_function! {
    fn jsonb_array_length(array: Jsonb) -> Integer;
}

/// Sort key of the layout list: name, then id.
pub fn key(l: &Layout) -> (String, Uuid) {
    (l.name.clone(), l.id)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    page: &PageRequest<(String, Uuid)>,
) -> QueryResult<Vec<Layout>> {
    let q = layouts::table
        .filter(layouts::user_id.eq(user_id))
        .select(Layout::as_select())
        .into_boxed();
    keyset_page!(q, page, asc(layouts::name, layouts::id))
        .load(conn)
        .await
}

pub async fn get(conn: &mut AsyncPgConnection, user_id: Uuid, id: Uuid) -> QueryResult<Layout> {
    owned_row!(layouts, user_id = user_id, id, as Layout)
        .first(conn)
        .await
}

/// The layout, row-locked until the transaction ends.
pub async fn get_for_update(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    id: Uuid,
) -> QueryResult<Layout> {
    owned_row!(layouts, user_id = user_id, id, as Layout)
        .for_update()
        .first(conn)
        .await
}

/// Locks all of the user's layouts, in id order (so two writers cannot deadlock), before a
/// write that moves the default: two concurrent "make default" calls then run one after the
/// other, and the second clears what the first set. Answers the ids locked.
pub async fn lock_all(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<Vec<Uuid>> {
    layouts::table
        .filter(layouts::user_id.eq(user_id))
        .select(layouts::id)
        .order(layouts::id)
        .for_update()
        .load(conn)
        .await
}

/// Clears the user's default, unless it is `keep`.
pub async fn clear_default(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> QueryResult<usize> {
    let mut q = diesel::update(layouts::table)
        .filter(layouts::user_id.eq(user_id).and(layouts::is_default))
        .into_boxed();
    if let Some(keep) = keep {
        q = q.filter(layouts::id.ne(keep));
    }
    q.set(layouts::is_default.eq(false)).execute(conn).await
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    fields: &LayoutFields,
) -> QueryResult<Layout> {
    diesel::insert_into(layouts::table)
        .values((
            layouts::user_id.eq(user_id),
            layouts::name.eq(&fields.name),
            layouts::widgets.eq(&fields.widgets),
            layouts::is_default.eq(fields.is_default.unwrap_or(false)),
        ))
        .returning(Layout::as_returning())
        .get_result(conn)
        .await
}

/// Writes a new version of the layout (`is_default` `None` leaves it), bumping `version`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &LayoutFields,
) -> QueryResult<Layout> {
    let target = layouts::table.find(id);
    let content = (
        layouts::name.eq(&fields.name),
        layouts::widgets.eq(&fields.widgets),
        layouts::version.eq(layouts::version + 1),
    );
    let q = diesel::update(target);
    match fields.is_default {
        Some(is_default) => {
            q.set((content, layouts::is_default.eq(is_default)))
                .returning(Layout::as_returning())
                .get_result(conn)
                .await
        }
        None => {
            q.set(content)
                .returning(Layout::as_returning())
                .get_result(conn)
                .await
        }
    }
}

/// Makes the layout the default (the caller cleared the previous one).
pub async fn set_default(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Layout> {
    diesel::update(layouts::table.find(id))
        .set(layouts::is_default.eq(true))
        .returning(Layout::as_returning())
        .get_result(conn)
        .await
}

/// Deletes the layout (and, by cascade, its kept versions); answers the rows deleted.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(layouts::table.find(id)).execute(conn).await
}

/// Keeps the layout as it is now (before a change replaces it), then prunes the history to
/// the newest [`KEPT_VERSIONS`]; call inside the transaction of the change.
pub async fn keep_version(conn: &mut AsyncPgConnection, current: &Layout) -> QueryResult<()> {
    diesel::insert_into(versions::table)
        .values((
            versions::layout_id.eq(current.id),
            versions::version.eq(current.version),
            versions::name.eq(&current.name),
            versions::widgets.eq(&current.widgets),
            versions::saved_at.eq(current.updated_at),
        ))
        .execute(conn)
        .await?;
    diesel::sql_query(include_str!("prune_versions.sql"))
        .bind::<SqlUuid, _>(current.id)
        .bind::<Integer, _>(KEPT_VERSIONS)
        .execute(conn)
        .await?;
    Ok(())
}

/// The kept versions of a layout, newest first, after `page.after`.
pub async fn versions(
    conn: &mut AsyncPgConnection,
    layout_id: Uuid,
    page: &PageRequest<i32>,
) -> QueryResult<Vec<LayoutVersion>> {
    let mut q = versions::table
        .filter(versions::layout_id.eq(layout_id))
        .select((
            versions::version,
            versions::name,
            versions::saved_at,
            jsonb_array_length(versions::widgets),
        ))
        .into_boxed();
    if let Some(after) = page.after {
        q = q.filter(versions::version.lt(after));
    }
    q.order(versions::version.desc())
        .limit(page.fetch())
        .load(conn)
        .await
}

/// The name and widgets of a kept version.
pub async fn kept_version(
    conn: &mut AsyncPgConnection,
    layout_id: Uuid,
    version: i32,
) -> QueryResult<(String, serde_json::Value)> {
    versions::table
        .find((layout_id, version))
        .select((versions::name, versions::widgets))
        .first(conn)
        .await
}

/// The layout the dashboard draws: the default, else the most recently saved.
pub async fn effective(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<Option<Layout>> {
    layouts::table
        .filter(layouts::user_id.eq(user_id))
        .select(Layout::as_select())
        .order((
            layouts::is_default.desc(),
            layouts::updated_at.desc(),
            layouts::id.desc(),
        ))
        .first(conn)
        .await
        .optional()
}
