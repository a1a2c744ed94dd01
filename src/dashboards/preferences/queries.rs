//! Every SQL statement about preferences: one row per user (`user_preferences_user_id_key`).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{Preferences, PreferencesRow};
use crate::db::schema::user_preferences as prefs;

pub async fn get(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Option<PreferencesRow>> {
    prefs::table
        .filter(prefs::user_id.eq(user_id))
        .select(PreferencesRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The user's row, created with every default (version 1, which is what a user without a
/// row is answered as) if there is none, and locked until the transaction ends. A concurrent
/// first write waits on the other's insert and then on its lock.
pub async fn lock(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<PreferencesRow> {
    diesel::insert_into(prefs::table)
        .values(prefs::user_id.eq(user_id))
        .on_conflict(prefs::user_id)
        .do_nothing()
        .execute(conn)
        .await?;
    prefs::table
        .filter(prefs::user_id.eq(user_id))
        .select(PreferencesRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// Writes every preference, bumping the version.
pub async fn write(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    p: &Preferences,
) -> QueryResult<PreferencesRow> {
    let notifications = serde_json::to_value(&p.notifications).expect("notifications serialize");
    diesel::update(prefs::table.filter(prefs::user_id.eq(user_id)))
        .set((
            prefs::compact_mode.eq(p.compact_mode),
            prefs::color_scheme.eq(p.color_scheme),
            prefs::default_view.eq(p.default_view.map(|d| d.as_str())),
            prefs::timezone.eq(&p.timezone),
            prefs::realtime_updates_enabled.eq(p.realtime.enabled),
            prefs::realtime_refresh_seconds.eq(p.realtime.refresh_interval_seconds),
            prefs::realtime_channels.eq(p
                .realtime
                .channels
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()),
            prefs::notification_settings.eq(notifications),
            prefs::version.eq(prefs::version + 1),
        ))
        .returning(PreferencesRow::as_returning())
        .get_result(conn)
        .await
}
