//! A statement from a `.sql` file that the connection keeps prepared: [`Sql`] and
//! [`Prepared`].
//!
//! Why: Diesel's `sql_query` marks itself unsafe to cache (`AstPass::unsafe_to_cache_prepared`),
//! so diesel-async prepares it anew on every call: one extra round trip (Parse/Describe before
//! Bind/Execute) and a fresh plan each time. For the computing statements (EOQ, variance, the
//! order insert) planning cost as much as running. A query whose `QueryId` is not static and
//! which does not call `unsafe_to_cache_prepared` is cached by its SQL text and bind types
//! (`StatementCacheKey::Sql`), so it is prepared once per connection and PostgreSQL may settle
//! on a generic plan after five runs. (Hand-written alternatives in this crate:
//! `shipments::events::RefreshState`, `benchmarking::queries::PreparedMetrics`.)
//!
//! The file keeps its `$1…$n` (pasteable into psql). The text is cut once at each `$n`
//! outside comments and string literals; each place becomes a Diesel bind of the n-th value,
//! so a parameter used three times is sent three times (PostgreSQL's own numbering is Diesel's).
//! Comments are dropped from what is sent.

use std::{marker::PhantomData, sync::OnceLock};

use diesel::{
    QueryResult,
    pg::Pg,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    serialize::ToSql,
    sql_types::{HasSqlType, Untyped},
};

/// The text of a statement with `$n` placeholders, cut at them on first use.
pub struct Sql {
    text: &'static str,
    pieces: OnceLock<Vec<Piece>>,
}

/// Text to send, then the 1-based parameter that follows it (none after the last piece).
struct Piece {
    text: String,
    param: Option<usize>,
}

impl Sql {
    pub const fn new(text: &'static str) -> Self {
        Self {
            text,
            pieces: OnceLock::new(),
        }
    }

    /// The statement as written (with its comments and `$n`), e.g. to `PREPARE` it in psql.
    pub fn text(&self) -> &'static str {
        self.text
    }

    fn pieces(&self) -> &[Piece] {
        self.pieces.get_or_init(|| cut(self.text))
    }

    /// How many parameters the text names (its highest `$n`).
    pub fn params(&self) -> usize {
        self.pieces()
            .iter()
            .filter_map(|p| p.param)
            .max()
            .unwrap_or(0)
    }

    /// The statement with no value bound yet; bind `$1`, `$2`, … in order.
    pub fn query<'a>(&'static self) -> Prepared<'a> {
        Prepared {
            sql: self,
            binds: Vec::new(),
        }
    }
}

/// Cuts `text` at each `$n` outside `--` comments and `'…'` literals, dropping the comments.
fn cut(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut current = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        current.push('\n');
                        break;
                    }
                }
            }
            '\'' => {
                current.push(c);
                for c in chars.by_ref() {
                    current.push(c);
                    if c == '\'' {
                        break;
                    }
                }
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut n = 0usize;
                while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                    n = n * 10 + d as usize;
                    chars.next();
                }
                pieces.push(Piece {
                    text: std::mem::take(&mut current),
                    param: Some(n),
                });
            }
            _ => current.push(c),
        }
    }
    pieces.push(Piece {
        text: current,
        param: None,
    });
    pieces
}

/// One bound value and its SQL type.
trait Bind: Send {
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

struct Typed<ST, V>(V, PhantomData<fn() -> ST>);

impl<ST, V> Bind for Typed<ST, V>
where
    Pg: HasSqlType<ST>,
    V: ToSql<ST, Pg> + Send,
{
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<ST, V>(&self.0)
    }
}

/// [`Sql`] with its values: run it with diesel-async's `RunQueryDsl` (`load`, `get_result`,
/// `execute`); rows load as `QueryableByName`, as with `sql_query`.
pub struct Prepared<'a> {
    sql: &'static Sql,
    binds: Vec<Box<dyn Bind + 'a>>,
}

impl<'a> Prepared<'a> {
    /// Binds the next parameter (`$1` first) as SQL type `ST`.
    pub fn bind<ST, V>(mut self, value: V) -> Self
    where
        Pg: HasSqlType<ST>,
        V: ToSql<ST, Pg> + Send + 'a,
        ST: 'a,
    {
        self.binds
            .push(Box::new(Typed::<ST, V>(value, PhantomData)));
        self
    }
}

impl QueryFragment<Pg> for Prepared<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for piece in self.sql.pieces() {
            out.push_sql(&piece.text);
            if let Some(n) = piece.param {
                let bind = self.binds.get(n - 1).ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(
                        format!(
                            "${n} is used but only {} values are bound",
                            self.binds.len()
                        )
                        .into(),
                    )
                })?;
                bind.push(&mut out)?;
            }
        }
        Ok(())
    }
}

impl QueryId for Prepared<'_> {
    type QueryId = ();
    // Not static: cached by its text and bind types instead (see the module doc).
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Prepared<'_> {
    type SqlType = Untyped;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_outside_comments_and_literals_become_binds() {
        let pieces = cut("-- $1 uuid: the client\nSELECT $1::uuid, '$2', $10 -- $3\n, $1");
        let params: Vec<_> = pieces.iter().map(|p| p.param).collect();
        assert_eq!(params, [Some(1), Some(10), Some(1), None]);
        let text: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(text, "\nSELECT ::uuid, '$2',  \n, ");
    }
}
