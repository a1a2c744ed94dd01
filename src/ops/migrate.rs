//! `fulfillment-ops migrate run|status|revert`: the same migrator `serve` uses, for
//! deployments that migrate in a separate job and for operators.

use std::fmt::Write;

use crate::{
    config::DatabaseConfig,
    db::{
        migrations::{self, Catalog, MigrationReport, MigrationRun, Migrator, RevertTarget},
        pool,
    },
};

/// Exit code of `migrate status` when the database is not up to date (pending or modified).
pub const EXIT_NOT_UP_TO_DATE: i32 = 3;

pub async fn run(cfg: &DatabaseConfig, to: Option<String>) -> anyhow::Result<Vec<MigrationRun>> {
    let catalog = Catalog::embedded();
    Ok(Migrator::for_database(&catalog, cfg)
        .run_up_to(to.as_deref())
        .await?)
}

pub async fn revert(cfg: &DatabaseConfig, to: Option<String>) -> anyhow::Result<Vec<MigrationRun>> {
    let catalog = Catalog::embedded();
    let target = to.map_or(RevertTarget::Last, RevertTarget::To);
    Ok(Migrator::for_database(&catalog, cfg).revert(target).await?)
}

pub async fn status(cfg: &DatabaseConfig) -> anyhow::Result<MigrationReport> {
    let catalog = Catalog::embedded();
    let name = pool::application_name(&cfg.instance_id, "status");
    let mut conn = pool::connect(cfg.url.expose(), cfg.connect_timeout, &name).await?;
    Ok(migrations::status(&mut conn, &catalog).await?)
}

/// The status as a table for humans.
pub fn render_table(report: &MigrationReport) -> String {
    let mut out = String::new();
    let width = report
        .migrations
        .iter()
        .filter_map(|m| m.name.as_ref().map(String::len))
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:<14}  {:<width$}  {:<8}  {:<25}  {:>9}",
        "VERSION", "NAME", "STATE", "APPLIED AT", "DURATION"
    );
    for m in &report.migrations {
        let state = serde_json::to_value(m.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<14}  {:<width$}  {:<8}  {:<25}  {:>9}",
            m.version,
            m.name.as_deref().unwrap_or("?"),
            state,
            m.applied_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(|| "-".into()),
            m.duration_ms
                .map(|d| format!("{d} ms"))
                .unwrap_or_else(|| "-".into()),
        );
        if let Some(f) = &m.last_failure {
            let _ = writeln!(
                out,
                "{:<14}  last attempt by {} at {} failed: {}",
                "",
                f.instance_id,
                f.started_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                f.error.as_deref().unwrap_or("interrupted before finishing")
            );
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\ncurrent {}, latest {}: {} pending, {} modified, {} unknown: {}",
        s.current_version.as_deref().unwrap_or("none"),
        s.latest_version.as_deref().unwrap_or("none"),
        s.pending_count,
        s.modified_count,
        s.unknown_count,
        if s.up_to_date {
            "up to date"
        } else {
            "NOT up to date"
        }
    );
    out
}
