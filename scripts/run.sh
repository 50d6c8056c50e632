#!/usr/bin/env bash
# Installs what is missing, builds the planner and the server, starts the local AWS sandbox
# (moto on 127.0.0.1) and `stackplan serve` pointed at it.
#   scripts/run.sh [--addr 127.0.0.1:8080]          planner + sandbox deploys
#   scripts/run.sh --role-arn arn:aws:iam::…:role/… planner + deploys to real AWS (no sandbox;
#                                                   STACKPLAN_ROLE_ARN in the environment too)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
install_system_tools

build_web
say "building the stackplan server (release)"
cargo build --release --locked -p server

sandbox_args=()
# Real AWS, or a sandbox of the user's own, given as a flag or in the server's environment.
own_target=""
[[ -n "${STACKPLAN_ROLE_ARN:-}" || -n "${STACKPLAN_AWS_ENDPOINT:-}" ]] && own_target=yes
case " $* " in
  *" --role-arn"*|*" --aws-endpoint"*) own_target=yes ;;
esac
case "$own_target" in
  yes) say "no local sandbox: deploys go where --role-arn or --aws-endpoint (or STACKPLAN_ROLE_ARN, STACKPLAN_AWS_ENDPOINT) says" ;;
  *)
    install_python_tools
    port="${STACKPLAN_SANDBOX_PORT:-$(free_port)}"
    pace="${STACKPLAN_SANDBOX_PACE_MS:-150}"
    say "starting the local AWS sandbox (moto $MOTO_VERSION with the project's extensions) on 127.0.0.1:$port, $pace ms per resource"
    # Set first: Ctrl-C while the sandbox starts stops it too.
    trap 'kill "${SANDBOX_PID:-}" 2>/dev/null' EXIT INT TERM
    start_sandbox "$port" "$ROOT/target/sandbox.log" "$pace"
    sandbox_args=(--aws-endpoint "http://127.0.0.1:$port")
    ;;
esac

say "starting the planner"
"$ROOT/target/release/stackplan" serve --dist "$ROOT/dist" "${sandbox_args[@]}" "$@"
