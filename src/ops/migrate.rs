//! `fulfillment-ops migrate run|status|revert`: the same migrator `serve` uses, for
//! deployments that migrate in a separate job and for operators.

use std::{fmt::Write, process::ExitCode};

use crate::{
    config::DatabaseConfig,
    db::{
        migrations::{self, Catalog, MigrationReport, MigrationRun, Migrator, RevertTarget},
        pool,
    },
};

/// Exit code of `migrate status` when the database is not up to date (pending or modified).
pub const EXIT_NOT_UP_TO_DATE: i32 = 3;

/// `migrate run [--to VERSION]`: applies what is pending and says what it applied.
pub async fn run(to: Option<String>) -> anyhow::Result<ExitCode> {
    let applied = apply(&DatabaseConfig::from_env()?, to).await?;
    if applied.is_empty() {
        println!("nothing to apply: the database is up to date");
    }
    for m in applied {
        println!("applied {} ({} ms)", m.name, m.duration_ms);
    }
    Ok(ExitCode::SUCCESS)
}

/// `migrate status [--json]`: every migration's state; [`EXIT_NOT_UP_TO_DATE`] when anything
/// is pending or modified.
pub async fn status(json: bool) -> anyhow::Result<ExitCode> {
    let report = report(&DatabaseConfig::from_env()?).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_table(&report));
    }
    if !report.summary.up_to_date {
        return Ok(ExitCode::from(EXIT_NOT_UP_TO_DATE as u8));
    }
    Ok(ExitCode::SUCCESS)
}

/// `migrate revert [--to VERSION]`: the newest applied migration, or every one newer than
/// `to` (`0`: all of them).
pub async fn revert(to: Option<String>) -> anyhow::Result<ExitCode> {
    let cfg = DatabaseConfig::from_env()?;
    let catalog = Catalog::embedded();
    let target = to.map_or(RevertTarget::Last, RevertTarget::To);
    for m in Migrator::for_database(&catalog, &cfg)
        .revert(target)
        .await?
    {
        println!("reverted {} ({} ms)", m.name, m.duration_ms);
    }
    Ok(ExitCode::SUCCESS)
}

/// Applies the embedded migrations that are pending, up to and including `to`.
pub async fn apply(cfg: &DatabaseConfig, to: Option<String>) -> anyhow::Result<Vec<MigrationRun>> {
    let catalog = Catalog::embedded();
    Ok(Migrator::for_database(&catalog, cfg)
        .run_up_to(to.as_deref())
        .await?)
}

/// Where every embedded migration stands, on a connection of its own.
pub async fn report(cfg: &DatabaseConfig) -> anyhow::Result<MigrationReport> {
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
