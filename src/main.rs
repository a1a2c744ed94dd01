//! The `fulfillment-ops` command line: `serve`, `migrate run|status|revert`, `healthcheck`.

use std::{process::ExitCode, time::Duration};

use clap::{Parser, Subcommand};
use fulfillment_ops::{
    config::{self, Config, DatabaseConfig},
    ops, telemetry,
};

#[derive(Parser)]
#[command(
    name = "fulfillment-ops",
    version,
    about = "Backend of the Fulfillment Operations Dashboard"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations (per MIGRATE_ON_STARTUP) and serve the HTTP API.
    Serve,
    /// Inspect and change the database schema.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Manage users from the command line (the first admin).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Fill an empty database with a realistic demo world (applies migrations first) and print
    /// the users' credentials.
    SeedDemo {
        /// Number of clients (default 6).
        #[arg(long)]
        clients: Option<usize>,
        /// Products per client (default 40).
        #[arg(long)]
        products_per_client: Option<usize>,
        /// Months of order history ending today (default 12).
        #[arg(long)]
        months: Option<u32>,
        /// Seed of the random generator: the same seed gives the same world.
        #[arg(long)]
        rng_seed: Option<u64>,
    },
    /// Scheduled jobs, for cron or a Kubernetes CronJob.
    Jobs {
        #[command(subcommand)]
        action: JobAction,
    },
    /// Exit 0 when the local server's /healthz answers 200 (for container HEALTHCHECKs).
    Healthcheck {
        /// Address to probe; defaults to LISTEN_ADDR.
        #[arg(long)]
        addr: Option<std::net::SocketAddr>,
    },
}

#[derive(Subcommand)]
enum JobAction {
    /// (Re)compute one month's cost_tracking rows (costs and EOQ) of every client's products;
    /// idempotent, safe to overlap with another run or with the API.
    AggregateCosts {
        /// The month, YYYY-MM (UTC), not after the current one.
        #[arg(long, value_name = "YYYY-MM")]
        period: String,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create a user and print its id.
    Create {
        #[arg(long)]
        email: String,
        /// The password (at least 12 characters); or use --password-stdin.
        #[arg(long, conflicts_with = "password_stdin")]
        password: Option<String>,
        /// Read the password from the first line of standard input (keeps it out of the
        /// shell history).
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, value_parser = ["admin", "operator", "client"])]
        role: String,
        /// The client of a `client` user.
        #[arg(long)]
        client_id: Option<uuid::Uuid>,
        /// Display name (default: the email's local part).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration (under the advisory lock).
    Run {
        /// Apply only up to and including this version.
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
    },
    /// Show every migration's state; exits 3 when anything is pending or modified.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revert the newest applied migration, or every one newer than --to.
    Revert {
        /// Revert until this version is the newest applied (0 reverts everything).
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
    },
}

fn main() -> ExitCode {
    config::load_dotenv();
    let cli = Cli::parse();
    let format = match config::log_format() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "failed");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            let config = Config::from_env()?;
            fulfillment_ops::serve(config).await?;
        }
        Command::Migrate { action } => {
            let cfg = DatabaseConfig::from_env()?;
            match action {
                MigrateAction::Run { to } => {
                    let applied = ops::migrate::run(&cfg, to).await?;
                    if applied.is_empty() {
                        println!("nothing to apply: the database is up to date");
                    }
                    for m in applied {
                        println!("applied {} ({} ms)", m.name, m.duration_ms);
                    }
                }
                MigrateAction::Status { json } => {
                    let report = ops::migrate::status(&cfg).await?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&report)?);
                    } else {
                        print!("{}", ops::migrate::render_table(&report));
                    }
                    if !report.summary.up_to_date {
                        return Ok(ExitCode::from(ops::migrate::EXIT_NOT_UP_TO_DATE as u8));
                    }
                }
                MigrateAction::Revert { to } => {
                    for m in ops::migrate::revert(&cfg, to).await? {
                        println!("reverted {} ({} ms)", m.name, m.duration_ms);
                    }
                }
            }
        }
        Command::User {
            action:
                UserAction::Create {
                    email,
                    password,
                    password_stdin,
                    role,
                    client_id,
                    name,
                },
        } => {
            let cfg = DatabaseConfig::from_env()?;
            let password = match (password, password_stdin) {
                (Some(p), _) => p,
                (None, true) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
                (None, false) => anyhow::bail!("give --password or --password-stdin"),
            };
            let role = fulfillment_ops::auth::principal::Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("--role must be admin, operator or client"))?;
            let id = ops::users::create_user(&cfg, email, name, password, role, client_id).await?;
            println!("{id}");
        }
        Command::SeedDemo {
            clients,
            products_per_client,
            months,
            rng_seed,
        } => {
            let cfg = DatabaseConfig::from_env()?;
            ops::migrate::run(&cfg, None).await?;
            let defaults = fulfillment_ops::seed::SeedOptions::default();
            let opts = fulfillment_ops::seed::SeedOptions {
                clients: clients.unwrap_or(defaults.clients),
                products_per_client: products_per_client.unwrap_or(defaults.products_per_client),
                months: months.unwrap_or(defaults.months),
                rng_seed: rng_seed.unwrap_or(defaults.rng_seed),
            };
            let report = fulfillment_ops::seed::seed_demo(cfg.url.expose(), &opts).await?;
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
            println!("\nsign in with POST /api/v1/auth/login:");
            for c in report.credentials.iter().take(25) {
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
            if report.credentials.len() > 25 {
                println!(
                    "  … and {} more client users (<client>@demo.example, sharing the client users' password above)",
                    report.credentials.len() - 25
                );
            }
        }
        Command::Jobs {
            action: JobAction::AggregateCosts { period },
        } => {
            let cfg = DatabaseConfig::from_env()?;
            let (clients, rows) = ops::jobs::aggregate_costs(&cfg, &period).await?;
            println!("aggregated {period}: {rows} product months of {clients} clients");
        }
        Command::Healthcheck { addr } => {
            let addr = match addr {
                Some(a) => a,
                None => std::env::var("LISTEN_ADDR")
                    .ok()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8080))),
            };
            ops::healthcheck::check(addr, Duration::from_secs(3)).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
