//! The `fulfillment-ops` command line: `serve`, `migrate run|status|revert`, `user create`,
//! `seed-demo`, `jobs aggregate-costs`, `jobs recalculate-lead-times`,
//! `jobs benchmark-snapshots`, `jobs run NAME`, `healthcheck`.
//!
//! Only the arguments live here; every subcommand's body is a function in `fulfillment_ops::ops`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fulfillment_ops::{config, ops};

/// jemalloc instead of glibc's malloc: glibc keeps the freed 19 MiB Argon2 buffers of every
/// concurrent sign-in in its per-thread arenas (698 MiB after 5 s of wrong passwords, never
/// given back); jemalloc's background thread returns freed memory within seconds, idle or not.
/// Chosen over glibc and mimalloc by measurement (docs/benchmarks.md, "Memory").
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
    /// Recompute every client's projected stockout and last order-by dates as of today (UTC);
    /// idempotent, safe to overlap with another run or with the API.
    RecalculateLeadTimes,
    /// (Re)compute every benchmark cohort's snapshot of one month (percentiles under the
    /// privacy rules), replacing the month's snapshots atomically; safe to overlap.
    BenchmarkSnapshots {
        /// The month, YYYY-MM (UTC), not after the current one.
        #[arg(long, value_name = "YYYY-MM")]
        period: String,
    },
    /// Run one scheduled job now, under the same advisory lock as the scheduler, and record
    /// it in the job_runs ledger; exits 3 when another replica is running it.
    Run {
        #[arg(value_parser = ["aggregate_costs", "recalculate_lead_times", "benchmark_snapshots", "refresh_delays", "prune_activity"])]
        name: String,
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
    ops::execute(run(cli.command))
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => ops::serve().await,
        Command::Migrate { action } => match action {
            MigrateAction::Run { to } => ops::migrate::run(to).await,
            MigrateAction::Status { json } => ops::migrate::status(json).await,
            MigrateAction::Revert { to } => ops::migrate::revert(to).await,
        },
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
        } => ops::users::create(email, password, password_stdin, &role, client_id, name).await,
        Command::SeedDemo {
            clients,
            products_per_client,
            months,
            rng_seed,
        } => ops::seed::seed_demo(clients, products_per_client, months, rng_seed).await,
        Command::Jobs {
            action: JobAction::AggregateCosts { period },
        } => ops::jobs::aggregate_costs(&period).await,
        Command::Jobs {
            action: JobAction::RecalculateLeadTimes,
        } => ops::jobs::recalculate_lead_times().await,
        Command::Jobs {
            action: JobAction::BenchmarkSnapshots { period },
        } => ops::jobs::benchmark_snapshots(&period).await,
        Command::Jobs {
            action: JobAction::Run { name },
        } => ops::jobs::run(&name).await,
        Command::Healthcheck { addr } => ops::healthcheck::run(addr).await,
    }
}
