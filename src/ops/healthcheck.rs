//! `fulfillment-ops healthcheck`: GET /healthz on the local server, for Docker's HEALTHCHECK.
//! Plain HTTP/1.1 over a TCP socket, so the runtime image needs no curl.

use std::{net::SocketAddr, process::ExitCode, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// How long `healthcheck` waits for the answer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// `healthcheck [--addr ADDR]`: probes `addr`, else `LISTEN_ADDR`, else 127.0.0.1:8080.
pub async fn run(addr: Option<SocketAddr>) -> anyhow::Result<ExitCode> {
    let addr = match addr {
        Some(a) => a,
        None => std::env::var("LISTEN_ADDR")
            .ok()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
    };
    check(addr, TIMEOUT).await?;
    Ok(ExitCode::SUCCESS)
}

/// Returns Ok when /healthz answers 200 within the timeout.
pub async fn check(addr: SocketAddr, timeout: Duration) -> anyhow::Result<()> {
    // A server bound to 0.0.0.0 is reached on loopback.
    let target = if addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    };
    let probe = async {
        let mut stream = TcpStream::connect(target).await?;
        stream
            .write_all(
                format!("GET /healthz HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await?;
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    let buf = tokio::time::timeout(timeout, probe)
        .await
        .map_err(|_| anyhow::anyhow!("no answer from {target} within {timeout:?}"))??;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(64)]).into_owned();
    if head.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        anyhow::bail!(
            "unhealthy: {}",
            head.lines().next().unwrap_or("empty answer")
        )
    }
}
