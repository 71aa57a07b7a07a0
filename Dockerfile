# syntax=docker/dockerfile:1

# --- build -----------------------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# SQLite, libpq and OpenSSL are built from source and linked statically (see Cargo.toml).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && install -m 0755 target/release/kho /usr/local/bin/kho

# --- runtime ---------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/kho --shell /usr/sbin/nologin kho \
    && install -d -o kho -g kho -m 0750 /var/lib/kho
COPY --from=builder /usr/local/bin/kho /usr/local/bin/kho

ENV KHO_DATA_DIR=/var/lib/kho \
    KHO_BIND=0.0.0.0:5000
WORKDIR /var/lib/kho
USER kho
VOLUME ["/var/lib/kho"]
EXPOSE 5000
CMD ["kho", "serve"]
