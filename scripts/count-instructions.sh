#!/usr/bin/env bash
# Instructions per run of the planner's in-process steps, counted by callgrind: unlike times,
# these do not move with the load of a shared machine, so a change can be compared with its
# parent. Each step runs 1 and 11 times; a run is a tenth of the difference (setup cancels).
#   scripts/count-instructions.sh [step ...]   (default: every step, both examples)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
install_valgrind
cd "$ROOT"
cargo build --release --locked -q -p server --example steps
bin="$ROOT/target/release/examples/steps"
steps=("$@")
if [ ${#steps[@]} -eq 0 ]; then
  for s in template generate render estimate link comparison; do steps+=("$s" "$s-lambda"); done
fi
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for step in "${steps[@]}"; do
  one=$(count "$step" 1)
  eleven=$(count "$step" 11)
  printf '%-20s %12d instructions a run\n' "$step" $(((eleven - one) / 10))
done
