//! Reading Diesel's errors: which constraint a write ran into.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Whether `e` is a unique, foreign-key or check violation of the named constraint. Features
/// turn their own constraints into 409s or 422s in the user's words with this, before the
/// generic mapping in `http::error` sees them.
pub fn violates(e: &DieselError, constraint: &str) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation
                | DatabaseErrorKind::ForeignKeyViolation
                | DatabaseErrorKind::CheckViolation,
            info,
        ) if info.constraint_name() == Some(constraint)
    )
}
