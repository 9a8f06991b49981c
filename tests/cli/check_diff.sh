#!/bin/bash
# `xlb -c` against the live state (issue 19): it says when it cannot read
# it (nothing attached, or an unreadable pin path) instead of silently
# checking against nothing, and `-c --diff -f FILE` prints what applying
# would change. Own netns, own bpffs (--pin-path), root; 77 = skipped.
# usage: check_diff.sh XLB_BINARY
set -u
XLB=$1
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit 77; }
TMP=$(mktemp -d /tmp/xlb-check-diff.XXXXXX)
NS=xlbcdiff$$
cleanup() { ip netns del $NS 2>/dev/null; umount "$TMP/bpf" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir "$TMP/bpf" && mount -t bpf bpf "$TMP/bpf" || fail "bpffs"
export XLB_PIN_PATH=$TMP/bpf/xlb
ip netns add $NS || fail "netns"
x() { nsenter --net=/var/run/netns/$NS "$XLB" "$@"; }

cat >"$TMP/a.conf" <<'EOT'
flush ruleset
service add web tcp 192.0.2.10:80
backend add web 198.51.100.21 mac 02:00:00:00:00:21
EOT
x -c -f "$TMP/a.conf" 2>"$TMP/err" || fail "-c before attach"
grep -q "note: cannot read the live state at $XLB_PIN_PATH (nothing attached): checking against an empty configuration" "$TMP/err" ||
  fail "no note before attach: $(cat "$TMP/err")"
x --pin-path "$TMP/bpf" -c -f "$TMP/a.conf" 2>"$TMP/err"
grep -q "warning: cannot read the live state at $TMP/bpf" "$TMP/err" || fail "no warning for a wrong pin path: $(cat "$TMP/err")"

nsenter --net=/var/run/netns/$NS ip link add xlbc0 type veth peer name xlbc1 || fail "veth"
x interface attach xlbc0 >/dev/null && x -f "$TMP/a.conf" || fail "attach and apply"
x -c -f "$TMP/a.conf" 2>"$TMP/err" || fail "-c after attach"
[[ ! -s $TMP/err ]] || fail "stderr with a readable state: $(cat "$TMP/err")"
out=$(x -c --diff -f "$TMP/a.conf") || fail "-c --diff"
[[ -z $out ]] || fail "diff of the same file: $out"
sed -e 's/198.51.100.21/198.51.100.22/; s/00:21$/00:22/' "$TMP/a.conf" >"$TMP/b.conf"
out=$(x -c --diff -f "$TMP/b.conf") || fail "-c --diff b"
expected="-backend add web 198.51.100.21 weight 1 mac 02:00:00:00:00:21
+backend add web 198.51.100.22 weight 1 mac 02:00:00:00:00:22"
[[ $out == "$expected" ]] || fail "diff: got
$out
expected
$expected"
x -j -c --diff -f "$TMP/b.conf" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["added"])==1 and len(d["removed"])==1, d' ||
  fail "json diff"
x list ruleset | grep -q 198.51.100.21 || fail "-c --diff changed the state"
x --diff -f "$TMP/b.conf" 2>/dev/null && fail "--diff without -c accepted"
echo PASS
