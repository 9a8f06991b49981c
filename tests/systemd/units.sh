#!/bin/bash
# The shipped systemd units, proved without booting:
#  1. `systemd-analyze verify` accepts them (configured as `cmake --install`
#     does, naming the programs of this build);
#  2. xlb-healthd.service's exposure (`systemd-analyze security`) is <= 5;
#  3. the boot case: with only tmpfiles.d/xlb.conf applied (no xlb-healthd
#     ever run) BIRD parses the shipped examples/bird-include.conf, and
#     without it BIRD does not (the reason for the tmpfiles entry);
#  4. the exact commands of the units (ExecStart/ExecReload, instance and
#     environment substituted) in a network namespace of its own with a
#     private bpffs and a private /run: attach, apply, reload, and healthd
#     telling the service manager READY=1 then WATCHDOG=1.
# usage: units.sh SRCDIR XLB_BINARY XLB_HEALTHD_BINARY
set -u
SRC=$1
XLB=$2
HEALTHD=$3
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit 77; }
for t in systemd-analyze systemd-tmpfiles bird unshare nsenter python3; do
  command -v $t >/dev/null || { echo "SKIP: no $t"; exit 77; }
done
[[ -x $XLB && -x $HEALTHD ]] || { echo "FAIL: no binaries '$XLB' '$HEALTHD'"; exit 1; }

TMP=$(mktemp -d /tmp/xlb-units.XXXXXX)
NS=xlbunits$$
cleanup() {
  [[ -n ${NOTIFY_PID:-} ]] && kill "$NOTIFY_PID" 2>/dev/null
  ip netns del $NS 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }

SBIN=$(cd "$(dirname "$XLB")" && pwd)
[[ -x $SBIN/xlb-healthd ]] || fail "the units name both programs in one directory ($SBIN)"
for u in xlb.service xlb-attach@.service xlb-healthd.service xlb-syncd.service; do
  sed "s#@XLB_SBINDIR@#$SBIN#g" "$SRC/systemd/$u.in" >"$TMP/$u"
done
cp "$TMP/xlb-attach@.service" "$TMP/xlb-attach@xlbt0.service"

step "systemd-analyze verify"
out=$(cd "$TMP" && systemd-analyze verify --man=no xlb.service xlb-attach@xlbt0.service \
  xlb-healthd.service xlb-syncd.service 2>&1)
[[ -z $out ]] || fail "verify: $out"

step "systemd-analyze security xlb-healthd.service <= 5"
score=$(systemd-analyze security --offline=true "$TMP/xlb-healthd.service" 2>&1 |
  sed -n 's/.*Overall exposure level for xlb-healthd.service: \([0-9.]*\).*/\1/p')
echo "exposure: $score"
[[ -n $score ]] && awk -v s="$score" 'BEGIN { exit !(s <= 5.0) }' || fail "exposure '$score'"

# A unit's command line: the first KEY= line, instance and variables substituted.
unit_cmd() {
  grep -m1 "^$2=" "$TMP/$1" | cut -d= -f2- |
    sed -e "s#%I#xlbt0#g" -e "s#\$XLB_ATTACH_OPTS##" -e "s#\$XLB_HEALTHD_OPTS#$HEALTHD_OPTS#" \
      -e "s#/etc/xlb/xlb.conf#$TMP/xlb.conf#g" -e "s#/var/lib/prometheus/node-exporter#$TMP#g"
}
HEALTHD_OPTS=$(sed -n 's/^Environment="XLB_HEALTHD_OPTS=\(.*\)"$/\1/p' "$TMP/xlb-healthd.service")
[[ -n $HEALTHD_OPTS ]] || fail "no XLB_HEALTHD_OPTS in the unit"
ATTACH=$(unit_cmd xlb-attach@.service ExecStart)
APPLY=$(unit_cmd xlb.service ExecStart)
RELOAD=$(unit_cmd xlb.service ExecReload)
DAEMON=$(unit_cmd xlb-healthd.service ExecStart)
echo "attach: $ATTACH"; echo "apply: $APPLY"; echo "reload: $RELOAD"; echo "healthd: $DAEMON"

# The sample /etc/xlb/xlb.conf first (comments only), then a real ruleset.
cp "$SRC/systemd/xlb.conf" "$TMP/xlb.conf"
cat >"$TMP/web.conf" <<'EOF'
flush ruleset
service add web tcp 192.0.2.10:80
backend add web 198.51.100.21 mac 02:00:00:00:00:21
check add web tcp interval 1s timeout 200ms
EOF
cat >"$TMP/notify.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
out = open(sys.argv[2], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode() + "\n")
EOF

ip netns add $NS || fail "netns"
export TMP SRC ATTACH APPLY RELOAD DAEMON
nsenter --net=/var/run/netns/$NS unshare -m --propagation private bash -s <<'EOF' || fail "in the namespace"
set -u
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
mount -t tmpfs tmpfs /run || fail "private /run"
mount -t bpf bpf /sys/fs/bpf || fail "private bpffs"

step "boot: BIRD with the shipped include example before any xlb-healthd"
bird -p -c "$SRC/examples/bird-include.conf" 2>/dev/null && fail "bird parsed it without /run/xlb/vips.conf"
systemd-tmpfiles --create "$SRC/systemd/tmpfiles.conf" || fail "systemd-tmpfiles"
bird -p -c "$SRC/examples/bird-include.conf" || fail "bird -p after tmpfiles.d"

step "xlb-attach@xlbt0.service, then xlb.service with the sample xlb.conf"
ip link add xlbt0 type veth peer name xlbt1 && ip link set xlbt0 up && ip link set xlbt1 up || fail "veth"
$ATTACH || fail "attach: $ATTACH"
$APPLY || fail "apply the sample: $APPLY"

step "reload with a ruleset, twice (flush ruleset makes it idempotent)"
cp "$TMP/web.conf" "$TMP/xlb.conf"
$RELOAD && $RELOAD || fail "reload: $RELOAD"
xlb=${APPLY%% *}
$xlb list ruleset | grep -q "backend add web 198.51.100.21" || fail "ruleset not applied"

step "xlb-healthd: READY=1, then WATCHDOG=1 from the event loop"
python3 "$TMP/notify.py" "$TMP/notify.sock" "$TMP/notify.log" &
notify=$!
for _ in $(seq 50); do [[ -S $TMP/notify.sock ]] && break; sleep 0.1; done
NOTIFY_SOCKET=$TMP/notify.sock $DAEMON 2>"$TMP/healthd.log" &
daemon=$!
for _ in $(seq 100); do grep -q "WATCHDOG=1" "$TMP/notify.log" 2>/dev/null && break; sleep 0.1; done
kill -TERM $daemon; wait $daemon; rc=$?
kill $notify 2>/dev/null
cat "$TMP/notify.log"
[[ $rc == 0 ]] || { cat "$TMP/healthd.log"; fail "healthd exit $rc"; }
[[ $(head -1 "$TMP/notify.log") == READY=1* ]] || fail "READY=1 not first"
grep -q "^WATCHDOG=1" "$TMP/notify.log" || fail "no WATCHDOG=1"
[[ -s $TMP/xlb.prom ]] || fail "no textfile written"
bird -p -c "$SRC/examples/bird-include.conf" || fail "bird -p after xlb-healthd"
exit 0
EOF
echo "PASS"
