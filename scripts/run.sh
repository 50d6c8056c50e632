#!/usr/bin/env bash
# Installs what is missing, builds the planner and the server, starts the local AWS sandbox
# (moto on 127.0.0.1) and `stackplan serve` pointed at it.
#   scripts/run.sh [--addr 127.0.0.1:8080]          planner + sandbox deploys
#   scripts/run.sh --role-arn arn:aws:iam::…:role/… planner + deploys to real AWS (no sandbox)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

build_web
say "building the stackplan server (release)"
cargo build --release --locked -p server

sandbox_args=()
case " $* " in
  *" --role-arn"*|*" --aws-endpoint"*) ;;  # real AWS, or a sandbox of the user's own
  *)
    install_python_tools
    port="${STACKPLAN_SANDBOX_PORT:-$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    say "starting the local AWS sandbox (moto) on 127.0.0.1:$port"
    "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" > "$ROOT/target/moto.log" 2>&1 &
    moto_pid=$!
    trap 'kill "$moto_pid" 2>/dev/null' EXIT INT TERM
    for _ in $(seq 1 100); do
      "$VENV/bin/python" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.5)" 2>/dev/null && break
      sleep 0.2
    done
    sandbox_args=(--aws-endpoint "http://127.0.0.1:$port")
    ;;
esac

say "starting the planner"
"$ROOT/target/release/stackplan" serve --dist "$ROOT/dist" "${sandbox_args[@]}" "$@"
