//! What `seed_demo` hands back: the counts of what it wrote and the logins it created, and
//! the summary printed from them.

use std::{fmt, time::Duration};

use super::{DEMO_DOMAIN, SHARED_CLIENT_PASSWORD_ABOVE};

/// How many logins the summary lists; the rest share the client users' password (which only
/// happens above [`SHARED_CLIENT_PASSWORD_ABOVE`] clients).
const CREDENTIALS_SHOWN: usize = 25;

/// A login created by the seed, with its password in clear: shown once, stored only hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedCredential {
    pub email: String,
    pub password: String,
    /// `admin`, `operator` or `client`.
    pub role: String,
    /// The client of a `client` user.
    pub client_name: Option<String>,
}

/// What was created, counted from the inserts themselves.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub clients: i64,
    pub products: i64,
    pub order_requests: i64,
    pub order_lines: i64,
    pub stock_levels: i64,
    pub demand_forecasts: i64,
    /// Products the lead-time recalculation gave an order-by date.
    pub lead_time_dated: i64,
    /// Of those, the products due within 14 days (`GET …/reorder-alerts`).
    pub reorder_alerts: i64,
    pub shipments: i64,
    pub shipment_events: i64,
    /// Months of costs aggregated into `cost_tracking` (the history's, this one included).
    pub cost_months: i64,
    /// `cost_tracking` rows written (one per product and month).
    pub cost_rows: i64,
    /// Budgets created from those actuals (`GET …/budgets/variance`).
    pub budgets: i64,
    /// The demo benchmark programme (participants, snapshots, what privacy withheld).
    pub benchmarks: super::BenchmarkSeed,
    /// One entry per user: admin, operator, then one per client. With more than 20 clients
    /// all client users share one password (every entry shows it); the `Display` output says
    /// so.
    pub credentials: Vec<SeedCredential>,
    pub elapsed: Duration,
}

impl SeedReport {
    fn client_password_shared(&self) -> bool {
        let mut client_passwords = self
            .credentials
            .iter()
            .filter(|c| c.role == "client")
            .map(|c| c.password.as_str());
        match client_passwords.next() {
            Some(first) => {
                self.credentials.len() > SHARED_CLIENT_PASSWORD_ABOVE + 2
                    && client_passwords.all(|p| p == first)
            }
            None => false,
        }
    }
}

/// The summary `seed-demo` prints: counts, time, then the logins (passwords appear nowhere
/// else).
impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Seeded in {:.1} s: {} clients, {} products, {} order requests, {} order lines, \
             {} stock levels, {} demand forecasts, {} shipments with {} carrier events.",
            self.elapsed.as_secs_f64(),
            self.clients,
            self.products,
            self.order_requests,
            self.order_lines,
            self.stock_levels,
            self.demand_forecasts,
            self.shipments,
            self.shipment_events
        )?;
        writeln!(
            f,
            "Lead times recalculated: {} products with an order-by date, {} reorder alerts \
             due within 14 days.",
            self.lead_time_dated, self.reorder_alerts
        )?;
        writeln!(
            f,
            "Costs aggregated for {} months ({} monthly rows); {} budgets set against them.",
            self.cost_months, self.cost_rows, self.budgets
        )?;
        writeln!(f, "{}", self.benchmarks)?;
        writeln!(
            f,
            "Logins for POST /api/v1/auth/login (passwords are shown only now):"
        )?;
        if self.client_password_shared() {
            writeln!(
                f,
                "  (more than {SHARED_CLIENT_PASSWORD_ABOVE} clients: all client users share \
                 one password)"
            )?;
        }
        let width = self
            .credentials
            .iter()
            .take(CREDENTIALS_SHOWN)
            .map(|c| c.email.len())
            .max()
            .unwrap_or(0);
        for c in self.credentials.iter().take(CREDENTIALS_SHOWN) {
            write!(f, "  {:<8} {:<width$}  {}", c.role, c.email, c.password)?;
            match &c.client_name {
                Some(name) => writeln!(f, "  ({name})")?,
                None => writeln!(f)?,
            }
        }
        let more = self.credentials.len().saturating_sub(CREDENTIALS_SHOWN);
        if more > 0 {
            writeln!(
                f,
                "  … and {more} more client users (<client>@{DEMO_DOMAIN}, sharing the \
                 client users' password above)"
            )?;
        }
        Ok(())
    }
}
