//! The bodies of the command-line subcommands; `main.rs` only parses and dispatches.
//!
//! Every body returns the process's exit code, so `main.rs` has nothing to decide.

pub mod healthcheck;
pub mod jobs;
pub mod migrate;
pub mod seed;
pub mod users;

use std::{future::Future, process::ExitCode};

use crate::{
    config::{self, Config},
    telemetry,
};

/// Runs one subcommand: sets up logging (per `LOG_FORMAT`) and the async runtime, then
/// reports a failure on stderr (and in the log) as exit code 1. A `LOG_FORMAT` that does not
/// parse is exit code 2, before anything else runs.
pub fn execute(command: impl Future<Output = anyhow::Result<ExitCode>>) -> ExitCode {
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
    match runtime.block_on(command) {
        Ok(code) => code,
        // Said once: as a JSON line for a log collector, else as a plain line for a person.
        Err(e) => {
            match format {
                config::LogFormat::Json => tracing::error!(error = format!("{e:#}"), "failed"),
                config::LogFormat::Text => eprintln!("error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// `serve`: the HTTP API until SIGTERM (see [`crate::serve`]).
pub async fn serve() -> anyhow::Result<ExitCode> {
    crate::serve(Config::from_env()?).await?;
    Ok(ExitCode::SUCCESS)
}
