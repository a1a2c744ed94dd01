//! Query pieces every feature writes the same way: a row that belongs to its owner, and a
//! list filter applied only when the request gives it.

use diesel::query_dsl::methods::FilterDsl;

/// `$table`'s row `$id` that belongs to `$owner` (through the column `$column`), optionally
/// selected `as $row`: another owner's row is simply not there, which the handler answers as
/// "not found". Finish it with `.first(conn)`, after `.for_update()` to lock the row, or use
/// it as the target of an `update`/`delete`.
///
/// ```ignore
/// owned_row!(products, client_id = client_id, id, as Product).first(conn).await
/// diesel::update(owned_row!(products, client_id = client_id, id)).set(…)
/// ```
#[macro_export]
macro_rules! owned_row {
    ($table:ident, $column:ident = $owner:expr, $id:expr) => {
        ::diesel::QueryDsl::filter(
            $table::table,
            ::diesel::BoolExpressionMethods::and(
                ::diesel::ExpressionMethods::eq($table::id, $id),
                ::diesel::ExpressionMethods::eq($table::$column, $owner),
            ),
        )
    };
    ($table:ident, $column:ident = $owner:expr, $id:expr, as $row:ty) => {
        ::diesel::QueryDsl::select(
            $crate::owned_row!($table, $column = $owner, $id),
            <$row as ::diesel::SelectableHelper<::diesel::pg::Pg>>::as_select(),
        )
    };
}

/// A list's optional filters on a boxed query: each applies only when the request gave it.
pub trait FilterSome: Sized {
    /// `self.filter(predicate(value))` when there is a value, `self` unchanged when not.
    fn filter_some<V, P>(self, value: Option<V>, predicate: impl FnOnce(V) -> P) -> Self
    where
        Self: FilterDsl<P, Output = Self>,
    {
        match value {
            Some(value) => FilterDsl::filter(self, predicate(value)),
            None => self,
        }
    }
}

impl<Q> FilterSome for Q {}
