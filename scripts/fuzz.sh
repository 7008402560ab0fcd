#!/usr/bin/env bash
# Run every cargo-fuzz target for a bounded time; keep crash inputs as
# regression tests (fuzz/regressions/<target>/, replayed by cargo test).
# Usage: scripts/fuzz.sh [TARGET...]   (SECS=60 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${SECS:-60}
export RUSTC_BOOTSTRAP=1   # cargo fuzz needs -Z flags; this stable toolchain accepts them so
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cd fuzz/fuzz_targets && ls ./*.rs | sed 's|^\./||; s|\.rs$||')
fi
status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/regressions/$t"
  # Seeds: the shipped transcripts and lessons, the handout's message.
  case $t in
    transcript) cp transcripts/*.json "fuzz/corpus/$t/" ;;
    lesson) cp lessons/*.json "fuzz/corpus/$t/" ;;
    message) cp tests/fixtures/*.eml "fuzz/corpus/$t/" ;;
  esac
  echo "== $t ($SECS s)"
  if ! cargo fuzz run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 -max_len=65536 2>"fuzz/$t.log"; then
    status=1
    echo "   CRASH — input kept in fuzz/regressions/$t/ (log: fuzz/$t.log)"
    cp fuzz/artifacts/"$t"/* "fuzz/regressions/$t/" 2>/dev/null || true
  else
    grep -E "^#[0-9]+.*(DONE|pulse)" "fuzz/$t.log" | tail -1 || true
  fi
done
exit $status
