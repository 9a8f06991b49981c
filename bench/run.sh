#!/usr/bin/env bash
# Runs every benchmark against a build and prints their tables (`make bench`).
#
#   bash bench/run.sh BUILD_DIR [--json] [--quick]
#
# --json   each benchmark's JSON, one document per line-separated block
# --quick  fewer runs and packets (a smoke run, not figures to publish)
#
# Needs root (BPF, bpffs, network namespaces). Nothing here is a test: the
# benchmarks print figures and targets; they fail only when they cannot run.
set -euo pipefail

BUILD=${1:?usage: bench/run.sh BUILD_DIR [--json] [--quick]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)
JSON=()
QUICK=0
for a in "$@"; do
  case $a in
    --json) JSON=(--json) ;;
    --quick) QUICK=1 ;;
    *) echo "run.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

if [ $QUICK = 1 ]; then
  MAGLEV=(--runs 3) DATAPATH=(--runs 3 --calls 500) DECAP=(--runs 3 --calls 500) CONTROL=(--runs 3)
  WIRE=(--runs 1 --packets 1000000)
else
  MAGLEV=() DATAPATH=(--scale) DECAP=() CONTROL=() WIRE=()
fi

section() { [ ${#JSON[@]} -gt 0 ] || printf '\n== %s ==\n\n' "$1"; }

section "Maglev quality (xlb_bench_maglev)"
"$BUILD/bench/xlb_bench_maglev" "${JSON[@]}" "${MAGLEV[@]}"
section "Datapath ns/packet (xlb_bench_datapath)"
"$BUILD/bench/xlb_bench_datapath" "${JSON[@]}" "${DATAPATH[@]}"
section "Flow sync (xlb_bench_sync)"
"$BUILD/bench/xlb_bench_sync" "${JSON[@]}"
section "xlb-decap ns/packet (xlb_bench_decap)"
"$BUILD/bench/xlb_bench_decap" "${JSON[@]}" "${DECAP[@]}"
section "Control plane (control_bench.sh)"
bash "$HERE/control_bench.sh" "$BUILD" "${JSON[@]}" "${CONTROL[@]}"
section "Wire rate over veth (wire_bench.sh)"
bash "$HERE/wire_bench.sh" "$BUILD" "${JSON[@]}" "${WIRE[@]}"
