#!/bin/bash
# Runs every libFuzzer harness of tests/fuzz for SECONDS each, on a copy of
# its committed seed corpus (new inputs go to BUILD/fuzz-corpus, crashes to
# BUILD/fuzz-artifacts), and prints each one's final figures.
#   tests/fuzz/run.sh BUILD SECONDS
set -euo pipefail
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
status=0
for t in ruleset ipvsadm store; do
  corpus=$build/fuzz-corpus/$t
  artifacts=$build/fuzz-artifacts/$t/
  mkdir -p "$corpus" "$artifacts"
  log=$build/fuzz-$t.log
  echo "fuzz_$t: ${seconds}s"
  if ! "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" "$here/corpus/$t" >"$log" 2>&1; then
    echo "fuzz_$t FAILED (log: $log, inputs: $artifacts)"
    tail -40 "$log"
    status=1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov: ' "$log" | tail -3 || true
done
exit $status
