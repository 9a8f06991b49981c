#!/usr/bin/env bash
# A/B of the datapath: an older commit's xlb_bench_datapath and this build's,
# run in turn (A B A B ...) in one invocation, each figure as the median of
# its rounds, with the ratio new / old.
#
#   bash bench/ab.sh BUILD_DIR [--ref REF] [--rounds N] [--runs N] [--calls N] [--json]
#                    [--args "BENCH OPTIONS"] [--new-args "BENCH OPTIONS"]
#
# --args passes more options to both benches (both must know them), e.g.
# "--quick-ab" or "--churn-only" (issue 16's churn figure, from 837f7c6).
# --new-args passes options to this build's bench only: what the new build
# pays for a configuration the old one cannot have (e.g. "--prefix": a
# prefix VIP service present, issue 18).
#
# REF defaults to 26e1acc (the last commit of map layout 2). The old tree is
# exported with `git archive` and built once into a cache directory
# (XLB_AB_CACHE, default /var/tmp/xlb-ab/SHA); only its bench target is
# built, in SHA/src/build: the same relative paths as a checkout's build/,
# so with ccache's base_dir above both (XLB_AB_CACHE under /work on the
# project machine) the files REF shares with this tree are cache hits.
# Each side configures its own object through its own control plane, so
# the A/B holds across map layouts (xlb_bench_datapath
# --baseline loads an older object into this build's state and therefore
# needs the same layout).
#
# Needs root (BPF, bpffs). Prints figures, fails only when it cannot run.
set -euo pipefail

BUILD=${1:?usage: bench/ab.sh BUILD_DIR [--ref REF] [--rounds N] [--runs N] [--calls N] [--json]}
shift
REF=26e1acc ROUNDS=2 RUNS=3 CALLS=1000 JSON=0 EXTRA="" NEW_EXTRA=""
while [ $# -gt 0 ]; do
  case $1 in
    --ref) REF=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --calls) CALLS=$2; shift ;;
    --json) JSON=1 ;;
    --args) EXTRA=$2; shift ;;
    --new-args) NEW_EXTRA=$2; shift ;;
    *) echo "ab.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(git -C "$HERE" rev-parse --show-toplevel)
SHA=$(git -C "$REPO" rev-parse --short=12 "$REF^{commit}")
OLD=${XLB_AB_CACHE:-/var/tmp/xlb-ab}/$SHA
NEW_BENCH=$BUILD/bench/xlb_bench_datapath
OLD_BENCH=$OLD/src/build/bench/xlb_bench_datapath
[ -x "$NEW_BENCH" ] || { echo "ab.sh: $NEW_BENCH not built" >&2; exit 1; }

build_old() {
  [ -x "$OLD_BENCH" ] && return
  echo "ab.sh: building $REF ($SHA) into $OLD" >&2
  rm -rf "$OLD/src"
  mkdir -p "$OLD/src"
  git -C "$REPO" archive "$SHA" | tar -x -C "$OLD/src"
  cmake -S "$OLD/src" -B "$OLD/src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$OLD/src/build" -j2 --target xlb_bench_datapath >/dev/null
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
build_old
# shellcheck disable=SC2206 # EXTRA is a list of options, split on purpose
ARGS=(--json --runs "$RUNS" --calls "$CALLS" $EXTRA)
# shellcheck disable=SC2206 # the same
NEW_ARGS=(${NEW_EXTRA})
for r in $(seq 1 "$ROUNDS"); do
  echo "ab.sh: round $r/$ROUNDS: old" >&2
  "$OLD_BENCH" "${ARGS[@]}" >"$TMP/old.$r.json"
  echo "ab.sh: round $r/$ROUNDS: new" >&2
  # --flood 0: the flood is this build's own figure, not an A/B.
  "$NEW_BENCH" "${ARGS[@]}" "${NEW_ARGS[@]}" --flood 0 >"$TMP/new.$r.json"
done

/usr/bin/python3 "$HERE/ab_report.py" "$REF ($SHA)" "$JSON" "$TMP"/old.*.json -- "$TMP"/new.*.json
