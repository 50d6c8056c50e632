# Shared helpers for the project's scripts: idempotent installs of everything the product and
# its tests need on a bare machine. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
FUZZ_VENV="$ROOT/.venv-fuzz"
TOOLS="$ROOT/.tools"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/binaryen/bin:$PATH"

# Versions verified on these machines (../shared/reference/toolchain.md).
TRUNK_VERSION=0.21.14
CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
MOTO_VERSION=5.2.5
BINARYEN_VERSION=132.0.0
TWIGGY_VERSION=0.8.0
# Cuts the planner's wasm at its split points (scripts/build-wasm.mjs).
WASM_SPLIT_VERSION=0.2.4
PLAYWRIGHT_VERSION=1.65.1
# Deque's accessibility rules, run inside the browser tests' pages (WCAG 2.2 A/AA).
AXE_VERSION=4.14.1
# AWS Control Tower's proactive controls as Guard rules, with a cfn-guard binary.
CFN_GUARD_RULES_VERSION=0.0.62
SCHEMATHESIS_VERSION=4.32.5

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

need_root_or_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Node (npm's wasm-opt, Playwright, cfn-guard, the build's precompression and the browser
# tests) and Python with its venv module (moto, cfn-lint, checkov, schemathesis), from Debian's
# packages when the machine lacks them (Debian's python3 has no ensurepip without python3-venv).
# Installs Debian packages (`apt_install chromium`), saying which.
apt_install() {
  say "installing Debian's $*"
  need_root_or_sudo apt-get update -qq
  need_root_or_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_system_tools() {
  local missing=()
  { command -v node && command -v npm; } >/dev/null || missing+=(nodejs npm)
  python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3 python3-venv)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
  # Playwright and the build's scripts need Node 18 or later.
  if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
    echo "Node $(node --version) is too old: Stackplan's scripts need Node 18 or later" >&2
    return 1
  fi
}

install_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

install_python_tools() {
  local want="cfn-lint==$CFN_LINT_VERSION checkov==$CHECKOV_VERSION moto[server]==$MOTO_VERSION"
  local stamp="$VENV/.stackplan-tools"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/cfn-lint" ]; then
    return
  fi
  say "installing cfn-lint, checkov and moto into .venv"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $want
  echo "$want" > "$stamp"
}

# schemathesis has its own virtualenv: its dependencies (packaging>=24) conflict with checkov's.
install_fuzzer() {
  local want="schemathesis==$SCHEMATHESIS_VERSION"
  local stamp="$FUZZ_VENV/.stackplan-tools"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$FUZZ_VENV/bin/st" ]; then
    return
  fi
  say "installing schemathesis into .venv-fuzz"
  [ -x "$FUZZ_VENV/bin/python" ] || python3 -m venv "$FUZZ_VENV"
  "$FUZZ_VENV/bin/pip" install --quiet --disable-pip-version-check "$want"
  echo "$want" > "$stamp"
}

free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_port() {
  for _ in $(seq 1 150); do
    "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.5)" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "nothing answers on 127.0.0.1:$1" >&2; return 1
}

# The local AWS sandbox: moto's server with the project's extensions (sandbox/), on loopback.
#   start_sandbox PORT LOG [PACE_MS]   sets SANDBOX_PID and returns once moto itself answers
# (its own /moto-api/, not just anything on the port). If it exits first (the port is taken,
# say) or never answers, it is stopped and the log says why.
start_sandbox() {
  # Something already answering there would be taken for the new sandbox.
  if "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.5)" 2>/dev/null; then
    echo "127.0.0.1:$1 is taken by another program: stop it, or choose another port" >&2
    return 1
  fi
  PYTHONPATH="$ROOT/sandbox" "$VENV/bin/python" -m stackplan_sandbox -H 127.0.0.1 -p "$1" \
    --pace-ms "${3:-0}" > "$2" 2>&1 &
  SANDBOX_PID=$!
  for _ in $(seq 1 150); do
    if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
      echo "the sandbox exited before it answered on 127.0.0.1:$1; its log ($2):" >&2
      tail -n 20 "$2" >&2
      return 1
    fi
    "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$1/moto-api/data.json', timeout=0.5)" \
      2>/dev/null && return 0
    sleep 0.2
  done
  kill "$SANDBOX_PID" 2>/dev/null
  echo "the sandbox did not answer on 127.0.0.1:$1 within 30 s; its log is $2" >&2
  return 1
}

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

install_trunk() {
  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

install_wasm_bindgen() {
  local v
  v="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $v\$"; then
    say "installing wasm-bindgen-cli $v (matches Cargo.lock)"
    # Without --locked: with it, this version fails to resolve webpki-roots here.
    cargo install wasm-bindgen-cli --version "$v" --force
  fi
}

# Debian's binaryen (wasm-opt 108) silently breaks current wasm-bindgen output; npm's works.
install_wasm_opt() {
  if [ ! -x "$TOOLS/node_modules/binaryen/bin/wasm-opt" ]; then
    say "installing wasm-opt (npm binaryen $BINARYEN_VERSION)"
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm install --silent --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null)
  fi
}

install_wasm_split() {
  if ! [ -x "$HOME/.cargo/bin/wasm-split-cli" ] || ! grep -qx "$WASM_SPLIT_VERSION" "$HOME/.cargo/.wasm-split-version" 2>/dev/null; then
    say "installing wasm-split-cli $WASM_SPLIT_VERSION (about a minute on 2 cores)"
    cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked --force
    echo "$WASM_SPLIT_VERSION" > "$HOME/.cargo/.wasm-split-version"
  fi
}

# The size breakdown of scripts/measure-web.mjs (not needed to build or test).
install_twiggy() {
  if ! twiggy --version 2>/dev/null | grep -q " $TWIGGY_VERSION\$"; then
    say "installing twiggy $TWIGGY_VERSION (about 3 minutes on 2 cores)"
    cargo install twiggy --version "$TWIGGY_VERSION" --locked
  fi
}

# scripts/count-instructions.sh counts instructions with callgrind (not needed to build or test).
install_valgrind() {
  if ! command -v valgrind >/dev/null; then
    apt_install valgrind
  fi
}

install_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
}

install_playwright() {
  if [ ! -d "$TOOLS/node_modules/playwright-core" ]; then
    say "installing playwright-core $PLAYWRIGHT_VERSION (it drives Debian's chromium; no browser download)"
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm install --silent --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
  fi
  if ! grep -q "\"version\": \"$AXE_VERSION\"" "$TOOLS/node_modules/axe-core/package.json" 2>/dev/null; then
    say "installing axe-core $AXE_VERSION (the browser tests' accessibility rules)"
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm install --silent --no-audit --no-fund "axe-core@$AXE_VERSION" >/dev/null)
  fi
}

install_cfn_guard() {
  local pkg="$TOOLS/node_modules/@cdklabs/cdk-validator-cfnguard"
  # Linux binaries for x86_64 and aarch64, as `uname -m` names them.
  if [ ! -x "$pkg/bin/ubuntu/$(uname -m)/cfn-guard" ] || ! grep -q "\"version\": \"$CFN_GUARD_RULES_VERSION\"" "$pkg/package.json"; then
    say "installing cfn-guard and the Control Tower controls (@cdklabs/cdk-validator-cfnguard $CFN_GUARD_RULES_VERSION)"
    mkdir -p "$TOOLS"
    # Its peer dependency (aws-cdk-lib) is for CDK apps; the rules and the binary need nothing.
    (cd "$TOOLS" && npm install --silent --no-audit --no-fund --legacy-peer-deps \
      "@cdklabs/cdk-validator-cfnguard@$CFN_GUARD_RULES_VERSION" >/dev/null)
  fi
}

install_web_toolchain() {
  install_wasm_target
  install_wasm_opt
  install_wasm_bindgen
  install_wasm_split
  install_trunk
}

# The planner's release build into dist/: Trunk builds the page, its CSS and public/; then
# scripts/build-wasm.mjs builds the wasm, splits it, binds it and writes it into the page.
build_web() {
  install_web_toolchain
  say "building the planner (trunk build --release, then scripts/build-wasm.mjs)"
  # The builds run cargo offline: the crates are fetched first (a fresh machine has none).
  (cd "$ROOT" && cargo fetch --locked && trunk build --release --offline)
  node "$ROOT/scripts/build-wasm.mjs" "$ROOT/dist"
  if grep -q 'stackplan:wasm' "$ROOT/dist/index.html"; then
    echo "dist/index.html has no start script: scripts/build-wasm.mjs did not write it" >&2
    return 1
  fi
  node "$ROOT/scripts/precompress.mjs" "$ROOT/dist"
}
