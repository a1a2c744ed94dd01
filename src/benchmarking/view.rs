//! The client's view: its own metrics beside its cohort's frozen snapshot. Everything about
//! peers comes from the snapshot row the job wrote (aggregates only); nothing here reads
//! another client's live data.

use chrono::NaiveDate;

use super::participation::ParticipationRow;
use super::types::{BenchmarkView, MetricsRow, Reason, RunRow, SnapshotRow};
use crate::financial::cost_tracking::types::format_period;

/// What the client may see for `period`: its own figures always; the cohort's only while it
/// participates (give to get) and a snapshot covers its cohort; else the reason.
pub fn compose(
    period: NaiveDate,
    participation: Option<ParticipationRow>,
    own: MetricsRow,
    snapshot: Option<SnapshotRow>,
    run: Option<RunRow>,
) -> BenchmarkView {
    let participating = participation.as_ref().is_some_and(|p| p.is_participating);
    let cohort = participation.and_then(|p| p.cohort);
    let metrics = own.by_name();
    let mut view = BenchmarkView {
        period: format_period(period),
        participating,
        metrics,
        cohort: cohort.clone(),
        cohort_used: None,
        participants: None,
        percentiles: None,
        position: None,
        suppressed: None,
        calculated_at: None,
        reason: None,
    };
    if !participating {
        view.reason = Some(Reason::NotParticipating);
        return view;
    }
    let Some(snapshot) = snapshot else {
        let too_small = run
            .zip(cohort)
            .is_some_and(|(r, c)| r.suppressed_cohorts.contains(&c));
        view.reason = Some(if too_small {
            Reason::TooFewParticipants
        } else {
            Reason::NoSnapshot
        });
        return view;
    };
    let snapshot = snapshot.into_view();
    let position = snapshot
        .percentiles
        .iter()
        .map(|(metric, figures)| {
            let own = view.metrics.get(metric).cloned().flatten();
            let at = figures.as_ref().zip(own).map(|(f, v)| f.position(&v));
            (metric.clone(), at)
        })
        .collect();
    view.cohort_used = Some(snapshot.cohort_used);
    view.participants = Some(snapshot.participants);
    view.percentiles = Some(snapshot.percentiles);
    view.position = Some(position);
    view.suppressed = Some(snapshot.suppressed);
    view.calculated_at = Some(snapshot.calculated_at);
    view
}
