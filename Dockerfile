# opctl, for running `opctl watch` as a pod (`[watch] deploy = true` renders the Deployment).
#
#   docker build -t <registry>/opctl:v0.1.0 .   # the version in Cargo.toml; pin it in [watch] image
#
# Two stages: a Rust builder, then distroless (glibc, CA certificates, no shell), non-root.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so source edits do not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && for b in $(sed -n '/^\[\[bench\]\]/,/^$/s/^name = "\(.*\)"/\1/p' Cargo.toml); do echo 'fn main() {}' > benches/$b.rs; done \
 && cargo build --release --locked --bin opctl \
 && rm -rf src benches
COPY src ./src
COPY data ./data
COPY benches ./benches
# Touch so cargo rebuilds the crate itself over the placeholder.
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked --bin opctl \
 && install -D -m 0755 target/release/opctl /out/opctl

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/opctl /usr/local/bin/opctl
# The rendered pod runs as 10001:10001 with a read-only root filesystem; this is the image default.
USER 10001:10001
EXPOSE 9090
ENTRYPOINT ["/usr/local/bin/opctl"]
CMD ["--help"]
