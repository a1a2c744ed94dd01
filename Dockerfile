# ---- build ------------------------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src

# Dependencies first, against stub sources, so that this layer is reused until Cargo.toml or
# Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
COPY .cargo ./.cargo
RUN mkdir -p src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && echo 'fn main() {}' > build.rs \
    && cargo build --release --locked \
    && rm -rf src build.rs

# The real sources. build.rs fingerprints migrations/ and the binary embeds them. Touch the
# sources so that cargo rebuilds the crate rather than trusting the stubs' newer artifacts.
COPY build.rs ./
COPY migrations ./migrations
COPY src ./src
RUN touch build.rs src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && install -m 755 target/release/fulfillment-ops /usr/local/bin/fulfillment-ops

# ---- runtime ----------------------------------------------------------------------------------
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app

COPY --from=builder /usr/local/bin/fulfillment-ops /usr/local/bin/fulfillment-ops

ENV LISTEN_ADDR=0.0.0.0:8080
EXPOSE 8080

# `fulfillment-ops healthcheck` GETs /healthz on LISTEN_ADDR: no curl in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["fulfillment-ops", "healthcheck"]

USER app
ENTRYPOINT ["fulfillment-ops"]
CMD ["serve"]
