//! The catalogue side of the demo world, decided in Rust from a seeded `StdRng`: which
//! clients exist, what they sell, at what cost, with which lead times, and each product's
//! demand parameters (base rate, trend, seasonality, replenishment policy).
//!
//! This is the part that needs string handling and per-industry vocabulary, and it is small
//! (one row per product), so it is clearer here than in SQL. The history that follows from
//! these parameters (orders, stock, forecasts: the bulk of the rows) is generated set-based
//! in SQL (`sql.rs`). The result is handed to PostgreSQL as one array per column.

use rand::{Rng, SeedableRng, rngs::StdRng, seq::index::sample};
use tokio_postgres::types::ToSql;

use super::catalog::{CATALOG, Industry};

/// Share of products deliberately left without cost fields, and (independently) without
/// lead times, so the "missing input" paths of EOQ and reorder timing have cases to show.
const MISSING_SHARE: f64 = 0.10;
/// Share of clients that have default lead times configured.
const CLIENTS_WITH_DEFAULTS: f64 = 0.7;
/// Share of products with a growth or decline trend.
const TRENDING_SHARE: f64 = 0.3;

/// Order lines per product per month, before seasonality, trend and popularity.
///
/// Dense enough in small worlds that every product has a visible history, thinning out in
/// large ones so that the 100 000-product world stays around a million lines (≈ 10 per
/// product a year): 4 a month up to 4 000 products, then 4·√(4 000 / products). (The
/// seasonal curve averages about 1.1, so real counts run a little above this.)
pub(super) fn lines_per_product_month(total_products: usize) -> f64 {
    const DENSE: f64 = 4.0;
    const DENSE_UP_TO: f64 = 4_000.0;
    DENSE * (DENSE_UP_TO / total_products.max(1) as f64).sqrt().min(1.0)
}

pub(super) struct ClientSpec {
    pub name: String,
    pub industry: &'static str,
    /// Local part of the client user's email: "northwind-apparel".
    pub slug: String,
    /// Default lead times: supplier, shipping, processing, safety buffer.
    pub default_lead: Option<[i32; 4]>,
    pub created_days_before: i32,
}

/// The clients, one array per `seed_clients` column (see `sql::LOAD_CLIENTS`).
#[derive(Default)]
pub(super) struct ClientColumns {
    pub client_no: Vec<i32>,
    pub name: Vec<String>,
    pub industry: Vec<&'static str>,
    /// The default lead times (`default_supplier_days` …).
    pub default_lead: LeadColumns,
    pub created_days_before: Vec<i32>,
}

impl ClientColumns {
    /// The parameters of `sql::LOAD_CLIENTS`, in its column order.
    pub fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let mut params: Vec<&(dyn ToSql + Sync)> =
            vec![&self.client_no, &self.name, &self.industry];
        params.extend(self.default_lead.params());
        params.push(&self.created_days_before);
        params
    }
}

/// Lead-time parts, one array each, as both work tables hold them.
#[derive(Default)]
pub(super) struct LeadColumns {
    pub supplier_days: Vec<Option<i32>>,
    pub shipping_days: Vec<Option<i32>>,
    pub processing_days: Vec<Option<i32>>,
    pub safety_days: Vec<Option<i32>>,
}

impl LeadColumns {
    /// Appends one row: supplier, shipping, processing, safety buffer; all NULL for `None`.
    fn push(&mut self, lead: Option<[i32; 4]>) {
        let [supplier, shipping, processing, safety] = lead.map_or([None; 4], |l| l.map(Some));
        self.supplier_days.push(supplier);
        self.shipping_days.push(shipping);
        self.processing_days.push(processing);
        self.safety_days.push(safety);
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 4] {
        [
            &self.supplier_days,
            &self.shipping_days,
            &self.processing_days,
            &self.safety_days,
        ]
    }
}

/// The products, one array per `seed_products` column (see `sql::LOAD_PRODUCTS`). Money is
/// in cents and the holding rate in basis points, so PostgreSQL's NUMERIC gets exact values.
#[derive(Default)]
pub(super) struct ProductColumns {
    pub product_no: Vec<i32>,
    pub client_no: Vec<i32>,
    pub sku: Vec<String>,
    pub name: Vec<String>,
    pub category: Vec<&'static str>,
    pub unit_cost_cents: Vec<Option<i64>>,
    pub unit_price_cents: Vec<Option<i64>>,
    pub reorder_cost_cents: Vec<Option<i64>>,
    pub holding_rate_bp: Vec<Option<i32>>,
    pub cost_days_ago: Vec<Option<i32>>,
    pub lead: LeadColumns,
    pub created_days_before: Vec<i32>,
    /// Expected order lines a week at the reference season, before trend.
    pub lines_per_week: Vec<f64>,
    /// Mean units per order line (quantities are geometric with this mean).
    pub units_per_line: Vec<f64>,
    /// Log growth per year (0 for most products).
    pub trend: Vec<f64>,
    /// Strength of the Q4 peak and summer dip for this product.
    pub season_amp: Vec<f64>,
    /// Replenishment: stock is topped up to `order_up_to` every `cycle_weeks`.
    pub cycle_weeks: Vec<i32>,
    pub cycle_phase: Vec<i32>,
    pub order_up_to: Vec<i32>,
    /// How far this product's forecasts stray from actual demand (log-normal sigma) and
    /// their systematic bias.
    pub forecast_noise: Vec<f64>,
    pub forecast_bias: Vec<f64>,
}

impl ProductColumns {
    /// The parameters of `sql::LOAD_PRODUCTS`, in its column order.
    pub fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![
            &self.product_no,
            &self.client_no,
            &self.sku,
            &self.name,
            &self.category,
            &self.unit_cost_cents,
            &self.unit_price_cents,
            &self.reorder_cost_cents,
            &self.holding_rate_bp,
            &self.cost_days_ago,
        ];
        params.extend(self.lead.params());
        params.extend::<[&(dyn ToSql + Sync); 10]>([
            &self.created_days_before,
            &self.lines_per_week,
            &self.units_per_line,
            &self.trend,
            &self.season_amp,
            &self.cycle_weeks,
            &self.cycle_phase,
            &self.order_up_to,
            &self.forecast_noise,
            &self.forecast_bias,
        ]);
        params
    }
}

pub(super) struct World {
    pub clients: Vec<ClientSpec>,
    pub client_columns: ClientColumns,
    pub products: ProductColumns,
}

/// Builds the catalogue for `clients` × `products_per_client`, deterministically from `seed`.
pub(super) fn build(clients: usize, products_per_client: usize, seed: u64) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let density = lines_per_product_month(clients * products_per_client);
    let mut specs = Vec::with_capacity(clients);
    let mut cc = ClientColumns::default();
    let mut pc = ProductColumns::default();
    for i in 0..clients {
        let (spec, industry, sku_prefix) = client(i, &mut rng);
        let client_no = i as i32 + 1;
        // Client-level seasonality: some brands are more Q4-driven than their industry.
        let client_season = industry.season_amp * rng.gen_range(0.8..1.2);
        cc.client_no.push(client_no);
        cc.name.push(spec.name.clone());
        cc.industry.push(spec.industry);
        cc.default_lead.push(spec.default_lead);
        cc.created_days_before.push(spec.created_days_before);

        let missing = (products_per_client as f64 * MISSING_SHARE)
            .round()
            .max(1.0) as usize;
        let missing = if products_per_client >= 2 { missing } else { 0 };
        let without_costs = sample(&mut rng, products_per_client, missing);
        let without_lead = sample(&mut rng, products_per_client, missing);
        let without_costs: Vec<usize> = without_costs.into_vec();
        let without_lead: Vec<usize> = without_lead.into_vec();

        for j in 0..products_per_client {
            let product_no = (pc.product_no.len() + 1) as i32;
            pc.product_no.push(product_no);
            pc.client_no.push(client_no);
            let category = &industry.categories[rng.gen_range(0..industry.categories.len())];
            let item = category.items[rng.gen_range(0..category.items.len())];
            let variant = industry.variants[rng.gen_range(0..industry.variants.len())];
            pc.sku
                .push(format!("{sku_prefix}-{}-{:04}", category.sku, j + 1));
            pc.name.push(format!("{item}, {variant}"));
            pc.category.push(category.name);

            if without_costs.contains(&j) {
                pc.unit_cost_cents.push(None);
                pc.unit_price_cents.push(None);
                pc.reorder_cost_cents.push(None);
                pc.holding_rate_bp.push(None);
                pc.cost_days_ago.push(None);
            } else {
                let cost = (rng.gen_range(category.cost.0..category.cost.1) * 100.0).round() as i64;
                let cost = cost.max(10);
                let raw_price = cost as f64 * rng.gen_range(1.5..2.6);
                // Shelf prices end in .99 once they are above a few dollars.
                let price = if raw_price >= 500.0 {
                    (raw_price / 100.0).floor() as i64 * 100 + 99
                } else {
                    raw_price.round() as i64
                };
                pc.unit_cost_cents.push(Some(cost));
                pc.unit_price_cents.push(Some(price.max(cost + 1)));
                pc.reorder_cost_cents
                    .push(Some(rng.gen_range(2_500..=15_000)));
                pc.holding_rate_bp.push(Some(rng.gen_range(1_500..=3_500)));
                pc.cost_days_ago.push(Some(rng.gen_range(1..=120)));
            }

            let lead = if without_lead.contains(&j) {
                None
            } else if let Some([sup, ship, proc, safety]) = spec.default_lead {
                // Products of a client with defaults start from them, with the supplier's
                // and carrier's own variation.
                Some([
                    ((sup as f64 * rng.gen_range(0.8..1.2)).round() as i32).max(1),
                    (ship + rng.gen_range(-3..=3)).max(1),
                    proc,
                    safety,
                ])
            } else {
                Some(industry_lead(industry, &mut rng))
            };
            pc.lead.push(lead);
            pc.created_days_before
                .push(rng.gen_range(0..=spec.created_days_before));

            // Demand: popularity is log-normal (a few best sellers, a long tail) with mean 1.
            let popularity = (0.9 * normal(&mut rng) - 0.405).exp();
            let lines_per_week = density * 12.0 / 52.0 * popularity;
            let units_per_line = (industry.units_per_line * rng.gen_range(0.7..1.3)).max(1.05);
            pc.lines_per_week.push(lines_per_week);
            pc.units_per_line.push(units_per_line);
            pc.trend.push(if rng.gen_bool(TRENDING_SHARE) {
                rng.gen_range(-0.6..0.9)
            } else {
                0.0
            });
            pc.season_amp
                .push((client_season * rng.gen_range(0.7..1.3)).min(2.0));

            // Replenishment: a periodic order-up-to policy. Coverage below 1 (about one
            // product in five) means the order-up-to level does not last a cycle at average
            // demand; the Q4 peak pushes more products over the edge. Either way some weeks
            // end at zero stock, which is what the stockout-rate metric needs.
            let cycle_weeks = rng.gen_range(2..=8);
            let coverage = 1.35 * (0.35 * normal(&mut rng)).exp();
            let weekly_units = lines_per_week * units_per_line;
            pc.cycle_weeks.push(cycle_weeks);
            pc.cycle_phase.push(rng.gen_range(0..cycle_weeks));
            pc.order_up_to
                .push(((coverage * cycle_weeks as f64 * weekly_units).ceil() as i32).max(1));
            pc.forecast_noise.push(rng.gen_range(0.08..0.4));
            pc.forecast_bias.push(rng.gen_range(-0.1..0.1));
        }
        specs.push(spec);
    }
    World {
        clients: specs,
        client_columns: cc,
        products: pc,
    }
}

/// Client `i` (0-based): industries rotate so the first clients all differ; brands are
/// assigned so every (brand, industry) pair is used once before names get a number.
fn client(i: usize, rng: &mut StdRng) -> (ClientSpec, &'static Industry, String) {
    let (brands, industries) = (&CATALOG.brands, &CATALOG.industries);
    let industry = &industries[i % industries.len()];
    let round = i / industries.len();
    let brand = &brands[(i % industries.len() * 3 + round) % brands.len()];
    let repeat = round / brands.len();
    let (name, sku_prefix) = if repeat == 0 {
        (
            format!("{} {}", brand.0, industry.label),
            format!("{}{}", brand.1, industry.code),
        )
    } else {
        (
            format!("{} {} {}", brand.0, industry.label, repeat + 1),
            format!("{}{}{}", brand.1, industry.code, repeat + 1),
        )
    };
    let default_lead = rng
        .gen_bool(CLIENTS_WITH_DEFAULTS)
        .then(|| industry_lead(industry, rng));
    let spec = ClientSpec {
        slug: slug(&name),
        name,
        industry: industry.key,
        default_lead,
        created_days_before: rng.gen_range(60..=720),
    };
    (spec, industry, sku_prefix)
}

/// Lead-time parts drawn from the industry's ranges: supplier, shipping, processing, safety.
fn industry_lead(industry: &Industry, rng: &mut StdRng) -> [i32; 4] {
    [
        rng.gen_range(industry.supplier_days.0..=industry.supplier_days.1),
        rng.gen_range(industry.shipping_days.0..=industry.shipping_days.1),
        rng.gen_range(1..=3),
        rng.gen_range(2..=7),
    ]
}

/// "Northwind Apparel 2" → "northwind-apparel-2".
fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A standard normal draw (Box–Muller; `rand_distr` is not a dependency).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.r#gen::<f64>();
    let u2: f64 = rng.r#gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_names() {
        assert_eq!(slug("Northwind Apparel"), "northwind-apparel");
        assert_eq!(slug("Blue Fern Foods 2"), "blue-fern-foods-2");
        let world = build(700, 2, 1);
        assert_eq!(world.clients[0].name, "Northwind Apparel");
        let mut slugs: Vec<_> = world.clients.iter().map(|c| c.slug.clone()).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 700, "client slugs (and so emails) are unique");
    }

    #[test]
    fn prices_exceed_costs_and_some_inputs_are_missing() {
        let world = build(3, 40, 7);
        let p = &world.products;
        for (cost, price) in p.unit_cost_cents.iter().zip(&p.unit_price_cents) {
            if let (Some(c), Some(pr)) = (cost, price) {
                assert!(pr > c);
            }
        }
        assert_eq!(p.unit_cost_cents.iter().filter(|c| c.is_none()).count(), 12);
        assert_eq!(
            p.lead.supplier_days.iter().filter(|c| c.is_none()).count(),
            12
        );
    }

    #[test]
    fn density_thins_out_at_scale() {
        assert_eq!(lines_per_product_month(240), 4.0);
        let at_scale = lines_per_product_month(100_000) * 12.0 * 100_000.0;
        assert!((900_000.0..1_000_000.0).contains(&at_scale), "{at_scale}");
    }
}
