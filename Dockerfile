# syntax=docker/dockerfile:1
# The demo web app (crates/bazoola-demo) in a small image:
#
#   docker build -t bazoola-demo .
#   docker run --rm -p 5000:5000 -v bazoola-demo-data:/data bazoola-demo
#
# Arguments after the image name go to the server (e.g. `--reset`).

ARG DEBIAN_RELEASE=bookworm

FROM rust:1-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY . .
# The cargo registry and the target directory are BuildKit cache mounts, kept between
# builds but never part of an image layer, so the binary is copied out of the mount in
# the same step that builds it.
ENV CARGO_PROFILE_RELEASE_DEBUG=0 \
    CARGO_PROFILE_RELEASE_STRIP=symbols
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release -p bazoola-demo \
    && install -D -m 0755 target/release/bazoola-demo /out/bazoola-demo

FROM debian:${DEBIAN_RELEASE}-slim
RUN groupadd --system --gid 10001 bazoola \
    && useradd --system --uid 10001 --gid bazoola --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin bazoola \
    && mkdir /data \
    && chown bazoola:bazoola /data
COPY --from=build /out/bazoola-demo /usr/local/bin/bazoola-demo
USER bazoola:bazoola
WORKDIR /data
# The database directory: a named volume keeps it across containers (a bind-mounted
# host directory must be writable by uid 10001).
VOLUME ["/data"]
EXPOSE 5000
ENTRYPOINT ["/usr/local/bin/bazoola-demo", "--host", "0.0.0.0", "--port", "5000", "--data-dir", "/data"]
