//! Structured logs with `tracing`: human-readable text by default, one JSON object per line
//! with `LOG_FORMAT=json`. `RUST_LOG` filters (default `info`). Logs go to stderr, so that
//! stdout carries only a command's output (`migrate status --json` stays parseable). Text is
//! coloured only when stderr is a terminal (and `NO_COLOR` is unset): a file or a pipe to a
//! log collector gets plain text, never escape codes.

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let registry = tracing_subscriber::registry().with(filter);
    // try_init: tests and repeated calls keep the first subscriber instead of panicking.
    let _ = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_target(false)
                    .with_ansi(colour())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}

/// Colour codes only for a person at a terminal (<https://no-color.org>).
fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
