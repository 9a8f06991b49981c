#!/bin/bash
# Runs every libFuzzer harness of tests/fuzz for SECONDS each, on a copy of
# its committed seed corpus (new inputs go to BUILD/fuzz-corpus, crashes to
# BUILD/fuzz-artifacts), and prints each one's final figures.
#   tests/fuzz/run.sh BUILD SECONDS [RUNS]
# With RUNS (the smoke of make check) each harness starts afresh from the
# committed corpus with a fixed seed and stops after RUNS inputs, so a clean
# clone explores exactly what the developer's run did: a finding there is
# reproducible, and CI is never red on the luck of a mutation.
set -euo pipefail
build=$1
seconds=$2
runs=${3:-}
limit=()
[ -n "$runs" ] && limit=(-runs="$runs" -seed=1)
here=$(cd "$(dirname "$0")" && pwd)
status=0
for t in ruleset ipvsadm store sync; do
  corpus=$build/fuzz-corpus/$t
  artifacts=$build/fuzz-artifacts/$t/
  [ -n "$runs" ] && rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  log=$build/fuzz-$t.log
  echo "fuzz_$t: ${seconds}s"
  if ! "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "${limit[@]}" -artifact_prefix="$artifacts" "$corpus" "$here/corpus/$t" >"$log" 2>&1; then
    echo "fuzz_$t FAILED (log: $log, inputs: $artifacts)"
    tail -40 "$log"
    status=1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov: ' "$log" | tail -3 || true
done
exit $status
