//! The SQL of budgets: the list, and writes that keep the overlap rule race-free.

use chrono::NaiveDate;
use diesel::{PgExpressionMethods, prelude::*, sql_types::Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{
    BudgetError,
    types::{Budget, BudgetFields, BudgetFilter, BudgetKey, UpdateBudget},
};
use crate::{
    db::{
        query::FilterSome,
        schema::{budgets, products},
    },
    http::pagination::PageRequest,
    keyset_page, owned_row,
};

/// Sort key of the budget list: `(period_start, id)`.
pub fn key(b: &Budget) -> BudgetKey {
    (b.period_start, b.id)
}

/// A client's budgets by `(period_start, id)`; `from`/`to` keep those overlapping the window.
pub async fn list_budgets(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    filter: &BudgetFilter,
    page: &PageRequest<BudgetKey>,
) -> QueryResult<Vec<Budget>> {
    let q = budgets::table
        .filter(budgets::client_id.eq(client_id))
        .select(Budget::as_select())
        .into_boxed()
        .filter_some(filter.from, |from| budgets::period_end.ge(from))
        .filter_some(filter.to, |to| budgets::period_start.le(to))
        .filter_some(filter.product_id, |id| budgets::product_id.eq(id))
        .filter_some(filter.category.clone(), |c| budgets::category.eq(c));
    keyset_page!(q, page, asc(budgets::period_start, budgets::id))
        .load(conn)
        .await
}

/// A budget of this client (another client's budget is "not found").
pub async fn get_budget(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<Budget> {
    owned_row!(budgets, client_id = client_id, id, as Budget)
        .first(conn)
        .await
}

/// Serializes budget writes of one client until the transaction ends. The overlap rule spans
/// rows (no unique index can express it), so two writers must not both check and then both
/// insert; a transaction-scoped advisory lock on a key derived from the client id makes the
/// check-then-write atomic without locking the table, and writers of other clients never wait.
async fn lock_client_budgets(conn: &mut AsyncPgConnection, client_id: Uuid) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("fulfillment-ops/budgets/{client_id}"))
        .execute(conn)
        .await?;
    Ok(())
}

/// The product must be this client's; locked (KEY SHARE) so it cannot vanish before the write.
async fn check_product(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    product_id: Option<Uuid>,
) -> Result<(), BudgetError> {
    let Some(product_id) = product_id else {
        return Ok(());
    };
    owned_row!(products, client_id = client_id, product_id)
        .select(products::id)
        .for_key_share()
        .first::<Uuid>(conn)
        .await
        .optional()?
        .map(|_| ())
        .ok_or(BudgetError::NoSuchProduct)
}

/// [`BudgetError::Overlap`] when another budget of the same scope (client, product or none,
/// category or none) overlaps these dates. Run under [`lock_client_budgets`].
async fn refuse_overlap(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    fields: &BudgetFields,
    except: Option<Uuid>,
) -> Result<(), BudgetError> {
    let mut q = budgets::table
        .filter(budgets::client_id.eq(client_id))
        .filter(budgets::product_id.is_not_distinct_from(fields.product_id))
        .filter(budgets::category.is_not_distinct_from(fields.category.clone()))
        .filter(budgets::period_start.le(fields.period_end))
        .filter(budgets::period_end.ge(fields.period_start))
        .select((budgets::id, budgets::period_start, budgets::period_end))
        .order((budgets::period_start.asc(), budgets::id.asc()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(budgets::id.ne(id));
    }
    match q
        .first::<(Uuid, NaiveDate, NaiveDate)>(conn)
        .await
        .optional()?
    {
        None => Ok(()),
        Some((other, start, end)) => Err(BudgetError::Overlap { other, start, end }),
    }
}

/// Inserts a budget after checking its product and the overlap rule, in one transaction under
/// the client's budget lock.
pub async fn create_budget(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    fields: BudgetFields,
) -> Result<Budget, BudgetError> {
    conn.transaction::<_, BudgetError, _>(async move |conn| {
        lock_client_budgets(conn, client_id).await?;
        check_product(conn, client_id, fields.product_id).await?;
        refuse_overlap(conn, client_id, &fields, None).await?;
        Ok(diesel::insert_into(budgets::table)
            .values((
                budgets::client_id.eq(client_id),
                budgets::product_id.eq(fields.product_id),
                budgets::category.eq(&fields.category),
                budgets::period_start.eq(fields.period_start),
                budgets::period_end.eq(fields.period_end),
                budgets::budgeted_amount.eq(&fields.budgeted_amount),
                budgets::notes.eq(&fields.notes),
            ))
            .returning(Budget::as_returning())
            .get_result(conn)
            .await?)
    })
    .await
}

/// Applies a PATCH to the budget as it is inside the transaction (so a concurrent PATCH of
/// another field is not lost), then checks product and overlap as on create.
pub async fn update_budget(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
    body: &UpdateBudget,
) -> Result<Budget, BudgetError> {
    conn.transaction::<_, BudgetError, _>(async move |conn| {
        lock_client_budgets(conn, client_id).await?;
        let current: Budget = owned_row!(budgets, client_id = client_id, id, as Budget)
            .for_update()
            .first(conn)
            .await?;
        let fields = body.merged(&current).map_err(BudgetError::Invalid)?;
        check_product(conn, client_id, fields.product_id).await?;
        refuse_overlap(conn, client_id, &fields, Some(id)).await?;
        Ok(diesel::update(budgets::table.find(id))
            .set(&fields)
            .returning(Budget::as_returning())
            .get_result(conn)
            .await?)
    })
    .await
}

/// Deletes a budget of this client; answers the rows deleted (0: no such budget).
pub async fn delete_budget(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<usize> {
    diesel::delete(owned_row!(budgets, client_id = client_id, id))
        .execute(conn)
        .await
}
