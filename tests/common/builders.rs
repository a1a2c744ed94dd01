//! Typed fixtures, written with Diesel against `fulfillment_ops::db::schema`: a renamed or
//! retyped column fails to compile here instead of failing a raw SQL string at run time.
//!
//! Each builder starts from the smallest valid row (what the tests used to insert by hand)
//! and names only what a test cares about; `TestApp::insert` runs it on the test's database:
//!
//! ```ignore
//! let acme = app.insert(NewClient::named("Acme").default_lead_days(10, 4)).await;
//! let tee = app.insert(NewProduct::new(acme, "TEE").category("tops")).await;
//! app.insert(OrderHistory::of(acme).line(tee, 30, at("2025-03-01T00:00:00Z"), "submitted"))
//!     .await;
//! ```

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use fulfillment_ops::db::schema::{
    budgets, clients, cost_tracking, demand_forecasts, order_request_items,
    order_request_transitions, order_requests, products, shipment_items, shipments, stock_levels,
    users,
};
use uuid::Uuid;

/// Something a test inserts: a builder run on a connection, answering what the test needs
/// back (usually the new row's id).
pub trait Fixture {
    type Output;
    fn insert(
        self,
        conn: &mut AsyncPgConnection,
    ) -> impl std::future::Future<Output = Self::Output> + Send;
}

/// `"2025-03-01"` as a date; panics on a typo, which is a bug in the test.
pub fn date(s: &str) -> NaiveDate {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} is not a date: {e}"))
}

/// `"2025-03-01T00:00:00Z"` as an instant.
pub fn at(s: &str) -> DateTime<Utc> {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} is not an RFC 3339 instant: {e}"))
}

/// `days` days before now.
pub fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::days(days)
}

/// `months` calendar months before now (`now() - INTERVAL '2 years'` is `months_ago(24)`).
pub fn months_ago(months: u32) -> DateTime<Utc> {
    Utc::now() - chrono::Months::new(months)
}

/// An exact decimal, `"0.10"`.
pub fn dec(s: &str) -> BigDecimal {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} is not a decimal: {e}"))
}

// ---------------------------------------------------------------------------------------------

/// A client; by default in the apparel industry, without lead-time defaults.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = clients)]
pub struct NewClient {
    id: Option<Uuid>,
    name: String,
    industry: Option<String>,
    default_supplier_lead_days: Option<i32>,
    default_shipping_lead_days: Option<i32>,
}

impl NewClient {
    pub fn named(name: &str) -> Self {
        Self {
            id: None,
            name: name.to_owned(),
            industry: Some("apparel".to_owned()),
            default_supplier_lead_days: None,
            default_shipping_lead_days: None,
        }
    }

    pub fn id(mut self, id: Uuid) -> Self {
        self.id = Some(id);
        self
    }

    pub fn industry(mut self, industry: Option<&str>) -> Self {
        self.industry = industry.map(str::to_owned);
        self
    }

    pub fn default_lead_days(mut self, supplier: i32, shipping: i32) -> Self {
        self.default_supplier_lead_days = Some(supplier);
        self.default_shipping_lead_days = Some(shipping);
        self
    }
}

impl Fixture for NewClient {
    type Output = Uuid;
    async fn insert(self, conn: &mut AsyncPgConnection) -> Uuid {
        diesel::insert_into(clients::table)
            .values(&self)
            .returning(clients::id)
            .get_result(conn)
            .await
            .unwrap_or_else(|e| panic!("insert client {self:?}: {e}"))
    }
}

// ---------------------------------------------------------------------------------------------

/// A user with the given role; `TestApp::user` adds the test password and a token.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    email: String,
    name: String,
    role: String,
    client_id: Option<Uuid>,
    password_hash: String,
}

impl NewUser {
    /// A user named after its role, with a unique email.
    pub fn new(role: &str, client_id: Option<Uuid>, password_hash: &str) -> Self {
        Self {
            email: format!("{role}-{}@example.com", Uuid::new_v4().simple()),
            name: format!("Test {role}"),
            role: role.to_owned(),
            client_id,
            password_hash: password_hash.to_owned(),
        }
    }

    pub fn email(&self) -> &str {
        &self.email
    }
}

impl Fixture for NewUser {
    type Output = Uuid;
    async fn insert(self, conn: &mut AsyncPgConnection) -> Uuid {
        diesel::insert_into(users::table)
            .values(&self)
            .returning(users::id)
            .get_result(conn)
            .await
            .unwrap_or_else(|e| panic!("insert user {}: {e}", self.email))
    }
}

// ---------------------------------------------------------------------------------------------

/// A product of a client: its sku is its name, 100 in stock, no costs, no lead times.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct {
    id: Option<Uuid>,
    client_id: Uuid,
    sku: String,
    name: String,
    category: Option<String>,
    current_stock: i32,
    unit_cost: Option<BigDecimal>,
    reorder_cost: Option<BigDecimal>,
    holding_cost_rate: Option<BigDecimal>,
    supplier_lead_days: Option<i32>,
    shipping_lead_days: Option<i32>,
    processing_lead_days: Option<i32>,
    created_at: Option<DateTime<Utc>>,
}

impl NewProduct {
    pub fn new(client_id: Uuid, sku: &str) -> Self {
        Self {
            id: None,
            client_id,
            sku: sku.to_owned(),
            name: sku.to_owned(),
            category: None,
            current_stock: 100,
            unit_cost: None,
            reorder_cost: None,
            holding_cost_rate: None,
            supplier_lead_days: None,
            shipping_lead_days: None,
            processing_lead_days: None,
            created_at: None,
        }
    }

    pub fn id(mut self, id: Uuid) -> Self {
        self.id = Some(id);
        self
    }

    /// Created at that instant rather than now (a product exists from its creation on).
    pub fn created_at(mut self, at: DateTime<Utc>) -> Self {
        self.created_at = Some(at);
        self
    }

    pub fn category(mut self, category: &str) -> Self {
        self.category = Some(category.to_owned());
        self
    }

    pub fn stock(mut self, units: i32) -> Self {
        self.current_stock = units;
        self
    }

    /// The EOQ inputs, written directly (no `last_cost_update` stamp, as the API would).
    pub fn costs(mut self, unit_cost: &str, reorder_cost: &str, holding_cost_rate: &str) -> Self {
        self.unit_cost = Some(dec(unit_cost));
        self.reorder_cost = Some(dec(reorder_cost));
        self.holding_cost_rate = Some(dec(holding_cost_rate));
        self
    }

    pub fn lead_days(
        mut self,
        supplier: Option<i32>,
        shipping: Option<i32>,
        processing: Option<i32>,
    ) -> Self {
        self.supplier_lead_days = supplier;
        self.shipping_lead_days = shipping;
        self.processing_lead_days = processing;
        self
    }
}

impl Fixture for NewProduct {
    type Output = Uuid;
    async fn insert(self, conn: &mut AsyncPgConnection) -> Uuid {
        diesel::insert_into(products::table)
            .values(&self)
            .returning(products::id)
            .get_result(conn)
            .await
            .unwrap_or_else(|e| panic!("insert product {}: {e}", self.sku))
    }
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = order_requests)]
struct OrderRow {
    id: Option<Uuid>,
    client_id: Uuid,
    status: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = order_request_items)]
struct ItemRow {
    id: Option<Uuid>,
    order_request_id: Uuid,
    product_id: Uuid,
    quantity: i32,
}

/// One order request and its lines. Without `at` it is created now; without `status` it
/// takes the column's default (`submitted`).
#[derive(Debug, Clone)]
pub struct NewOrder {
    row: OrderRow,
    items: Vec<(Option<Uuid>, Uuid, i32)>,
}

impl NewOrder {
    pub fn new(client_id: Uuid) -> Self {
        Self {
            row: OrderRow {
                id: None,
                client_id,
                status: None,
                created_at: None,
            },
            items: Vec::new(),
        }
    }

    pub fn id(mut self, id: Uuid) -> Self {
        self.row.id = Some(id);
        self
    }

    pub fn status(mut self, status: &str) -> Self {
        self.row.status = Some(status.to_owned());
        self
    }

    pub fn at(mut self, created_at: DateTime<Utc>) -> Self {
        self.row.created_at = Some(created_at);
        self
    }

    pub fn item(mut self, product_id: Uuid, quantity: i32) -> Self {
        self.items.push((None, product_id, quantity));
        self
    }

    /// A line with a fixed id.
    pub fn item_with_id(mut self, id: Uuid, product_id: Uuid, quantity: i32) -> Self {
        self.items.push((Some(id), product_id, quantity));
        self
    }
}

/// An order as inserted: its id and its lines' ids, in the order given.
#[derive(Debug, Clone)]
pub struct InsertedOrder {
    pub id: Uuid,
    pub items: Vec<Uuid>,
}

impl Fixture for NewOrder {
    type Output = InsertedOrder;
    async fn insert(self, conn: &mut AsyncPgConnection) -> InsertedOrder {
        OrderHistory { orders: vec![self] }
            .insert(conn)
            .await
            .pop()
            .expect("one order")
    }
}

/// Many order requests over dates, inserted in two statements (orders, then lines).
#[derive(Debug, Clone)]
pub struct OrderHistory {
    orders: Vec<NewOrder>,
}

impl OrderHistory {
    /// An empty history; `client_id` is the client of every [`line`](Self::line).
    pub fn of(client_id: Uuid) -> OrderHistoryOf {
        OrderHistoryOf {
            client_id,
            history: Self { orders: Vec::new() },
        }
    }
}

/// An [`OrderHistory`] of one client.
#[derive(Debug, Clone)]
pub struct OrderHistoryOf {
    client_id: Uuid,
    history: OrderHistory,
}

impl OrderHistoryOf {
    /// An order of one line, created at `at` with `status`.
    pub fn line(
        mut self,
        product_id: Uuid,
        quantity: i32,
        at: DateTime<Utc>,
        status: &str,
    ) -> Self {
        self.history.orders.push(
            NewOrder::new(self.client_id)
                .at(at)
                .status(status)
                .item(product_id, quantity),
        );
        self
    }

    /// An order of one line, created at `at` with the default status.
    pub fn line_at(mut self, product_id: Uuid, quantity: i32, at: DateTime<Utc>) -> Self {
        self.history.orders.push(
            NewOrder::new(self.client_id)
                .at(at)
                .item(product_id, quantity),
        );
        self
    }

    /// Any order.
    pub fn order(mut self, order: NewOrder) -> Self {
        self.history.orders.push(order);
        self
    }
}

impl Fixture for OrderHistoryOf {
    type Output = Vec<InsertedOrder>;
    async fn insert(self, conn: &mut AsyncPgConnection) -> Vec<InsertedOrder> {
        self.history.insert(conn).await
    }
}

impl Fixture for OrderHistory {
    type Output = Vec<InsertedOrder>;
    async fn insert(self, conn: &mut AsyncPgConnection) -> Vec<InsertedOrder> {
        if self.orders.is_empty() {
            return Vec::new();
        }
        // Ids are chosen here (v4, as the column default would), so the answer does not
        // depend on the order of RETURNING rows.
        let mut rows = Vec::new();
        let mut items = Vec::new();
        let mut inserted = Vec::new();
        for order in self.orders {
            let id = order.row.id.unwrap_or_else(Uuid::new_v4);
            rows.push(OrderRow {
                id: Some(id),
                ..order.row
            });
            let mut item_ids = Vec::new();
            for (item_id, product_id, quantity) in order.items {
                let item_id = item_id.unwrap_or_else(Uuid::new_v4);
                item_ids.push(item_id);
                items.push(ItemRow {
                    id: Some(item_id),
                    order_request_id: id,
                    product_id,
                    quantity,
                });
            }
            inserted.push(InsertedOrder {
                id,
                items: item_ids,
            });
        }
        diesel::insert_into(order_requests::table)
            .values(&rows)
            .execute(conn)
            .await
            .unwrap_or_else(|e| panic!("insert order requests: {e}"));
        // Each order's first transition, as the API records it (by nobody: a fixture).
        let ids: Vec<Uuid> = inserted.iter().map(|o: &InsertedOrder| o.id).collect();
        diesel::insert_into(order_request_transitions::table)
            .values(
                order_requests::table
                    .filter(order_requests::id.eq_any(&ids))
                    .select((
                        order_requests::id,
                        order_requests::status,
                        order_requests::created_at,
                    )),
            )
            .into_columns((
                order_request_transitions::order_request_id,
                order_request_transitions::to_status,
                order_request_transitions::changed_at,
            ))
            .execute(conn)
            .await
            .unwrap_or_else(|e| panic!("insert order transitions: {e}"));
        if !items.is_empty() {
            diesel::insert_into(order_request_items::table)
                .values(&items)
                .execute(conn)
                .await
                .unwrap_or_else(|e| panic!("insert order request items: {e}"));
        }
        inserted
    }
}

// ---------------------------------------------------------------------------------------------

/// A budget of a client over `[period_start, period_end]`, client-wide unless scoped.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = budgets)]
pub struct NewBudget {
    client_id: Uuid,
    product_id: Option<Uuid>,
    category: Option<String>,
    period_start: NaiveDate,
    period_end: NaiveDate,
    budgeted_amount: BigDecimal,
    notes: Option<String>,
}

impl NewBudget {
    pub fn new(client_id: Uuid, period_start: &str, period_end: &str, amount: &str) -> Self {
        Self {
            client_id,
            product_id: None,
            category: None,
            period_start: date(period_start),
            period_end: date(period_end),
            budgeted_amount: dec(amount),
            notes: None,
        }
    }

    pub fn product(mut self, product_id: Uuid) -> Self {
        self.product_id = Some(product_id);
        self
    }

    pub fn category(mut self, category: &str) -> Self {
        self.category = Some(category.to_owned());
        self
    }

    pub fn notes(mut self, notes: &str) -> Self {
        self.notes = Some(notes.to_owned());
        self
    }
}

impl Fixture for NewBudget {
    type Output = Uuid;
    async fn insert(self, conn: &mut AsyncPgConnection) -> Uuid {
        diesel::insert_into(budgets::table)
            .values(&self)
            .returning(budgets::id)
            .get_result(conn)
            .await
            .unwrap_or_else(|e| panic!("insert budget {self:?}: {e}"))
    }
}

// ---------------------------------------------------------------------------------------------

/// A month's total cost of a product, as the aggregation would have stored it (every other
/// figure at its column default).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cost_tracking)]
pub struct NewCostRow {
    client_id: Uuid,
    product_id: Uuid,
    period: NaiveDate,
    total_cost: BigDecimal,
}

impl NewCostRow {
    pub fn new(client_id: Uuid, product_id: Uuid, period: &str, total_cost: &str) -> Self {
        Self {
            client_id,
            product_id,
            period: date(period),
            total_cost: dec(total_cost),
        }
    }
}

impl Fixture for NewCostRow {
    type Output = Uuid;
    async fn insert(self, conn: &mut AsyncPgConnection) -> Uuid {
        diesel::insert_into(cost_tracking::table)
            .values(&self)
            .returning(cost_tracking::id)
            .get_result(conn)
            .await
            .unwrap_or_else(|e| panic!("insert cost row {self:?}: {e}"))
    }
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = stock_levels)]
struct StockRow {
    product_id: Uuid,
    recorded_on: NaiveDate,
    quantity: i32,
}

/// Stock readings of one product.
#[derive(Debug, Clone)]
pub struct StockReadings {
    product_id: Uuid,
    rows: Vec<StockRow>,
}

impl StockReadings {
    pub fn of(product_id: Uuid) -> Self {
        Self {
            product_id,
            rows: Vec::new(),
        }
    }

    pub fn on(mut self, recorded_on: &str, quantity: i32) -> Self {
        self.rows.push(StockRow {
            product_id: self.product_id,
            recorded_on: date(recorded_on),
            quantity,
        });
        self
    }
}

impl Fixture for StockReadings {
    type Output = ();
    async fn insert(self, conn: &mut AsyncPgConnection) {
        diesel::insert_into(stock_levels::table)
            .values(&self.rows)
            .execute(conn)
            .await
            .unwrap_or_else(|e| panic!("insert stock readings: {e}"));
    }
}

// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = shipments)]
struct ShipmentRow {
    id: Option<Uuid>,
    order_request_id: Uuid,
    client_id: Uuid,
    carrier: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = shipment_items)]
struct ShipmentItemRow {
    shipment_id: Uuid,
    product_id: Uuid,
    order_request_item_id: Option<Uuid>,
    quantity: i32,
}

/// A shipment of an order request, with the lines it carries.
#[derive(Debug, Clone)]
pub struct NewShipment {
    row: ShipmentRow,
    items: Vec<(Uuid, Option<Uuid>, i32)>,
}

impl NewShipment {
    pub fn new(client_id: Uuid, order_request_id: Uuid, carrier: &str) -> Self {
        Self {
            row: ShipmentRow {
                id: None,
                order_request_id,
                client_id,
                carrier: carrier.to_owned(),
            },
            items: Vec::new(),
        }
    }

    pub fn id(mut self, id: Uuid) -> Self {
        self.row.id = Some(id);
        self
    }

    /// A line carrying `quantity` of a product, for an order line (or none).
    pub fn item(mut self, product_id: Uuid, order_item: Option<Uuid>, quantity: i32) -> Self {
        self.items.push((product_id, order_item, quantity));
        self
    }
}

impl Fixture for NewShipment {
    type Output = Uuid;
    async fn insert(self, conn: &mut AsyncPgConnection) -> Uuid {
        let id: Uuid = diesel::insert_into(shipments::table)
            .values(&self.row)
            .returning(shipments::id)
            .get_result(conn)
            .await
            .unwrap_or_else(|e| panic!("insert shipment: {e}"));
        let items: Vec<ShipmentItemRow> = self
            .items
            .iter()
            .map(
                |&(product_id, order_request_item_id, quantity)| ShipmentItemRow {
                    shipment_id: id,
                    product_id,
                    order_request_item_id,
                    quantity,
                },
            )
            .collect();
        if !items.is_empty() {
            diesel::insert_into(shipment_items::table)
                .values(&items)
                .execute(conn)
                .await
                .unwrap_or_else(|e| panic!("insert shipment items: {e}"));
        }
        id
    }
}

// ---------------------------------------------------------------------------------------------

/// A product's demand forecast for one month (`period`: the month's first day).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = demand_forecasts)]
pub struct NewForecast {
    product_id: Uuid,
    period: NaiveDate,
    forecast_units: BigDecimal,
}

impl NewForecast {
    pub fn new(product_id: Uuid, period: &str, forecast_units: &str) -> Self {
        Self {
            product_id,
            period: date(period),
            forecast_units: dec(forecast_units),
        }
    }
}

impl Fixture for NewForecast {
    type Output = ();
    async fn insert(self, conn: &mut AsyncPgConnection) {
        diesel::insert_into(demand_forecasts::table)
            .values(&self)
            .execute(conn)
            .await
            .unwrap_or_else(|e| panic!("insert forecast {self:?}: {e}"));
    }
}
