# orgaudit as a container image:
#   docker build -t orgaudit .
#   docker run --rm orgaudit eval /demo-org.json
#   docker run --rm -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN \
#     -v "$PWD:/data" orgaudit scan --save-snapshot /data/snapshot.json -f sarif -o /data/orgaudit.sarif
# The build stage compiles the locked dependencies; the image holds only the
# binary, CA certificates and the demo snapshot, and runs as a non-root user.
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked \
    && cp target/release/orgaudit /orgaudit \
    && /orgaudit --version

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --create-home orgaudit
COPY --from=build /orgaudit /usr/local/bin/orgaudit
COPY fixtures/demo-org.json /demo-org.json
USER 10001:10001
WORKDIR /data
ENTRYPOINT ["orgaudit"]
CMD ["--help"]
