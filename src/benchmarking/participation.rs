//! Participation: the request body, its validation, the stored row and the view. The cohort
//! itself is named in the database (`participation.sql`), so the slug rule is written once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    db::schema::benchmark_participation,
    http::{error::ApiResult, validation::validate},
    text_enum,
};

/// Longest `industry` accepted (characters).
pub const MAX_INDUSTRY: usize = 100;

text_enum! {
    /// A client's size, by active SKUs (`benchmark_size_band` in the database holds the edges).
    pub enum SizeBand {
        /// Fewer than 100 active SKUs.
        Small,
        /// 100 to 999.
        Medium,
        /// 1 000 to 9 999.
        Large,
        /// 10 000 or more.
        Enterprise,
    }
}

/// `PUT …/benchmark/participation`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutParticipation {
    /// Required. `true` opts in (stamps `opted_in_at`), `false` opts out (stamps
    /// `opted_out_at`; later snapshots leave the client out).
    pub is_participating: Option<bool>,
    /// At most 100 characters, with at least one letter or digit; absent or null: the
    /// client's own industry.
    pub industry: Option<String>,
    /// Absent or null: derived from the client's active SKU count.
    #[schema(value_type = Option<SizeBand>)]
    pub size_band: Option<String>,
}

/// A validated participation write.
#[derive(Debug)]
pub struct ParticipationInput {
    pub is_participating: bool,
    pub industry: Option<String>,
    pub size_band: Option<SizeBand>,
}

impl PutParticipation {
    /// One 422 naming every bad field.
    pub fn validate(&self) -> ApiResult<ParticipationInput> {
        validate(|v| {
            let is_participating = v
                .required("is_participating", self.is_participating.as_ref())
                .copied()
                .unwrap_or(false);
            let industry = v.opt_text("industry", self.industry.as_deref(), MAX_INDUSTRY);
            if industry
                .as_ref()
                .is_some_and(|i| !i.chars().any(|c| c.is_ascii_alphanumeric()))
            {
                v.error(
                    "industry",
                    "must contain at least one letter or digit (a-z, 0-9): the cohort is named \
                     after them",
                );
            }
            let size_band = self
                .size_band
                .as_deref()
                .and_then(|s| v.word::<SizeBand>("size_band", s));
            ParticipationInput {
                is_participating,
                industry,
                size_band,
            }
        })
    }
}

/// A client's participation as stored (or the default of a client that never set one).
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = benchmark_participation)]
pub struct ParticipationRow {
    pub client_id: Uuid,
    pub anonymous_id: Uuid,
    pub is_participating: bool,
    pub industry: Option<String>,
    pub size_band: Option<String>,
    pub size_band_derived: bool,
    pub cohort: Option<String>,
    pub opted_in_at: Option<DateTime<Utc>>,
    pub opted_out_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// `GET/PUT …/benchmark/participation`: the client's own participation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Participation {
    pub is_participating: bool,
    pub industry: Option<String>,
    #[schema(value_type = Option<SizeBand>)]
    pub size_band: Option<String>,
    /// Whether `size_band` was derived from the active SKU count (re-derived before every
    /// snapshot run) rather than given.
    pub size_band_derived: bool,
    /// `<industry>/<size_band>`, e.g. `apparel/small`; null until an industry is known.
    pub cohort: Option<String>,
    /// The client's own pseudonym in benchmark computations; null until the first PUT.
    pub anonymous_id: Option<Uuid>,
    pub opted_in_at: Option<DateTime<Utc>>,
    pub opted_out_at: Option<DateTime<Utc>>,
}

impl Participation {
    /// The view of a stored row, or the starting point (not participating) without one.
    pub fn of(row: Option<ParticipationRow>) -> Self {
        match row {
            Some(r) => Self {
                is_participating: r.is_participating,
                industry: r.industry,
                size_band: r.size_band,
                size_band_derived: r.size_band_derived,
                cohort: r.cohort,
                anonymous_id: Some(r.anonymous_id),
                opted_in_at: r.opted_in_at,
                opted_out_at: r.opted_out_at,
            },
            None => Self {
                is_participating: false,
                industry: None,
                size_band: None,
                size_band_derived: false,
                cohort: None,
                anonymous_id: None,
                opted_in_at: None,
                opted_out_at: None,
            },
        }
    }
}
