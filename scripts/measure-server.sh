#!/usr/bin/env bash
# Measures the server under load and faults, and prints the figures (nothing is asserted about
# time; the run fails only if a watcher lost or duplicated an event, or a poller leaked):
# idle memory of the release binary, price requests, /health under 500 slow clients, faults of
# CloudFormation (hang, panic, 503, throttling), shutdown with open streams, and an SSE fan-out of
# 1,000 watchers and 200 reconnects on one stack deploying over LOAD_SECONDS (default 60).
# Everything runs on 127.0.0.1 and stops by itself. See server/benches/load.rs.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
install_system_tools

install_wasm_target
build_web
cargo build --release --locked -p server
cargo bench --locked -p server --bench load
