#!/usr/bin/env bash
# Installs what is missing, builds the planner and the server, and starts `stackplan serve`.
#   scripts/run.sh [--addr 127.0.0.1:8080]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

build_web
say "building the stackplan server (release)"
cargo build --release --locked -p server
say "starting the planner"
exec "$ROOT/target/release/stackplan" serve --dist "$ROOT/dist" "$@"
