#!/usr/bin/env bash
# Installs what is missing, then runs every check and every test. CI runs exactly this.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
install_system_tools

install_python_tools
install_cfn_guard
install_fuzzer
install_wasm_target

say "sandbox extensions: unit tests against moto $MOTO_VERSION alone"
(cd sandbox && PYTHONPATH=. "$VENV/bin/python" run_tests.py)

say "cargo fmt --check"
cargo fmt --all --check

say "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "the domain core builds for wasm32-unknown-unknown"
cargo check -p shared --target wasm32-unknown-unknown --locked

say "tests: unit, snapshot, property, CLI, HTTP, and the template judges (cfn-lint, checkov, cfn-guard)"
cargo test --workspace --locked

say "the domain core's unit tests as the browser builds it (no serde paths, no price sources)"
cargo test -p shared --lib --no-default-features --locked

say "browser tests: Chromium against the real server and the real release build"
install_chromium
install_playwright
build_web
cargo build --release --locked -p server
node --test --test-concurrency=1 tests/e2e/

say "OpenAPI fuzzer: schemathesis, every check, against the server deploying into moto"
bash scripts/fuzz-api.sh
