#!/usr/bin/env bash
# The OpenAPI fuzzer (schemathesis, every check on) against the real server deploying into the
# local sandbox. Fails on any failure, or when fewer than 1,000 requests were sent.
#   scripts/fuzz-api.sh            (scripts/test.sh runs it after building the server)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
install_system_tools
install_python_tools
install_fuzzer

bin="${STACKPLAN_BIN:-$ROOT/target/release/stackplan}"
work="$(mktemp -d)"
cleanup() { kill "${server_pid:-}" "${SANDBOX_PID:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

moto_port="$(free_port)"
start_sandbox "$moto_port" "$work/moto.log"

port="$(free_port)"
token="fuzz-$(od -An -N16 -tx1 /dev/urandom | tr -d " \n")"
STACKPLAN_TOKENS="$token" RUST_LOG="${RUST_LOG:-info}" "$bin" serve --addr "127.0.0.1:$port" --dist "$ROOT/dist" \
  --aws-endpoint "http://127.0.0.1:$moto_port" > "$work/server.log" 2>&1 &
server_pid=$!
wait_port "$port"

say "schemathesis: every check, against http://127.0.0.1:$port (sandbox at :$moto_port)"
set +e
(cd "$ROOT/tests/fuzz" && "$FUZZ_VENV/bin/st" run "http://127.0.0.1:$port/api/openapi.json" \
  --url "http://127.0.0.1:$port" -H "Authorization: Bearer $token" \
  --checks all --workers 1 --request-timeout 60 --no-color --seed 20261128 --generation-database none \
  --report har --report-har-path "$work/requests.har" --max-failures 20)
status=$?
set -e
requests="$("$VENV/bin/python" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["log"]["entries"]))' "$work/requests.har")"
echo "schemathesis sent $requests requests; exit $status"
if [ "$status" -ne 0 ]; then
  echo "--- server log ---"; tail -n 50 "$work/server.log"
  cp "$work/server.log" "${TMPDIR:-/tmp}/stackplan-fuzz-server.log" 2>/dev/null || true
  exit "$status"
fi
if [ "$requests" -lt 1000 ]; then
  echo "schemathesis sent only $requests requests (at least 1,000 are wanted)" >&2
  exit 1
fi
