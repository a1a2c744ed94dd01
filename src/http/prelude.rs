//! What a handler imports from the framework, in one line (`use crate::http::prelude::*;`):
//! the pieces of `docs/adding-a-feature.md`'s protocol table that every handler file names.

pub use super::{
    conn::Db,
    error::{ApiError, ApiResult, OrNotFound, Problem},
    extract::{self, Path, Query},
    pagination::{Page, PageQuery, PageRequest},
    response::Created,
    state::AppState,
};
