//! `fulfillment-ops seed-demo`: applies the migrations, fills an empty database with the demo
//! world of [`crate::seed`] and prints the logins.

use std::process::ExitCode;

use crate::{
    config::DatabaseConfig,
    ops::migrate,
    seed::{SeedOptions, SeedReport},
};

/// How many logins are printed; the rest share the client users' password.
const CREDENTIALS_SHOWN: usize = 25;

/// The world's size: each option left out takes [`SeedOptions::default`]'s value.
pub async fn seed_demo(
    clients: Option<usize>,
    products_per_client: Option<usize>,
    months: Option<u32>,
    rng_seed: Option<u64>,
) -> anyhow::Result<ExitCode> {
    let cfg = DatabaseConfig::from_env()?;
    migrate::apply(&cfg, None).await?;
    let defaults = SeedOptions::default();
    let opts = SeedOptions {
        clients: clients.unwrap_or(defaults.clients),
        products_per_client: products_per_client.unwrap_or(defaults.products_per_client),
        months: months.unwrap_or(defaults.months),
        rng_seed: rng_seed.unwrap_or(defaults.rng_seed),
    };
    let report = crate::seed::seed_demo(cfg.url.expose(), &opts).await?;
    print_report(&report);
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &SeedReport) {
    println!(
        "seeded in {:.1}s: {} clients, {} products, {} order requests, {} order lines, \
         {} stock levels, {} demand forecasts",
        report.elapsed.as_secs_f64(),
        report.clients,
        report.products,
        report.order_requests,
        report.order_lines,
        report.stock_levels,
        report.demand_forecasts
    );
    println!("{}", report.benchmarks);
    println!("\nsign in with POST /api/v1/auth/login:");
    for c in report.credentials.iter().take(CREDENTIALS_SHOWN) {
        println!(
            "  {:<9} {:<40} {}{}",
            c.role,
            c.email,
            c.password,
            c.client_name
                .as_deref()
                .map(|n| format!("   ({n})"))
                .unwrap_or_default()
        );
    }
    if report.credentials.len() > CREDENTIALS_SHOWN {
        println!(
            "  … and {} more client users (<client>@demo.example, sharing the client users' password above)",
            report.credentials.len() - CREDENTIALS_SHOWN
        );
    }
}
