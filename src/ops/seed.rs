//! `fulfillment-ops seed-demo`: applies the migrations, fills an empty database with the demo
//! world of [`crate::seed`] and prints the logins.

use std::process::ExitCode;

use crate::{config::DatabaseConfig, ops::migrate, seed::SeedOptions};

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
    print!("{report}");
    Ok(ExitCode::SUCCESS)
}
