#!/bin/bash
# The Debian package as an operator meets it (`make deb-check`, after
# `make deb`): installed with dpkg, the programs, man pages, completion,
# units and conffile are where Debian puts them and work; the units it
# installs pass `systemd-analyze verify`; removing and purging it leaves a
# running datapath attached (checked in a network namespace of its own with
# a private bpffs, where the maintainer scripts run); nothing is left behind.
# usage: install.sh DIR_WITH_THE_DEB
set -u
DIR=$1
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit 77; }
DEB=$(ls "$DIR"/xlb_*.deb 2>/dev/null | head -1)
[[ -f $DEB ]] || { echo "FAIL: no xlb_*.deb in $DIR (make deb)"; exit 1; }
if dpkg -s xlb >/dev/null 2>&1; then echo "FAIL: xlb is installed already"; exit 1; fi
NS=xlbdeb$$
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
# dpkg takes a lock that other package work on this machine may hold.
dpkg_retry() {
  for _ in $(seq 60); do
    out=$(dpkg "$@" 2>&1) && { echo "$out"; return 0; }
    grep -q "lock" <<<"$out" || { echo "$out"; return 1; }
    sleep 2
  done
  return 1
}
cleanup() {
  ip netns del $NS 2>/dev/null
  dpkg -s xlb >/dev/null 2>&1 && dpkg_retry --purge xlb >/dev/null
}
trap cleanup EXIT

step "dpkg -i $(basename "$DEB")"
dpkg_retry -i "$DEB" || fail "dpkg -i"
/usr/sbin/xlb --version | grep -q "^xlb " || fail "xlb --version"
/usr/sbin/xlb-healthd --version | grep -q "^xlb-healthd " || fail "xlb-healthd --version"
/usr/sbin/xlb-syncd --version | grep -q "^xlb-syncd " || fail "xlb-syncd --version"
for page in xlb xlb.conf xlb-healthd xlb-syncd; do man -w "$page" >/dev/null || fail "man -w $page"; done
man -w xlb | grep -q "man8/xlb.8" || fail "xlb(8) in man8"
man -w 5 xlb.conf | grep -q "man5/xlb.conf.5" || fail "xlb.conf(5) in man5"
completions=$(pkg-config --variable=completionsdir bash-completion)
[[ -f $completions/xlb ]] || fail "no bash completion in $completions"
units=$(pkg-config --variable=systemdsystemunitdir systemd)
for u in xlb.service xlb-attach@.service xlb-healthd.service xlb-syncd.service; do
  [[ -f $units/$u ]] || fail "no $units/$u"
done
grep -q "^ExecStart=/usr/sbin/xlb -f /etc/xlb/xlb.conf" "$units/xlb.service" || fail "ExecStart path"
[[ -f $(pkg-config --variable=tmpfilesdir systemd)/xlb.conf ]] || fail "no tmpfiles.d/xlb.conf"
dpkg-query -W -f='${Conffiles}\n' xlb | grep -q "/etc/xlb/xlb.conf" || fail "xlb.conf not a conffile"
[[ -f /usr/share/doc/xlb/examples/bird-include.conf ]] || fail "no examples in the doc dir"
out=$(cd "$units" && systemd-analyze verify xlb.service xlb-healthd.service xlb-syncd.service 2>&1)
[[ -z $out ]] || fail "systemd-analyze verify: $out"

step "remove and purge with a datapath attached (own netns, private bpffs)"
ip netns add $NS || fail "netns"
export -f dpkg_retry fail
nsenter --net=/var/run/netns/$NS unshare -m --propagation private bash -s <<'EOF' || fail "remove"
set -u
mount -t bpf bpf /sys/fs/bpf || fail "private bpffs"
ip link add xlbd0 type veth peer name xlbd1 && ip link set xlbd0 up || fail "veth"
/usr/sbin/xlb interface attach xlbd0 >/dev/null || fail "attach"
cp /usr/sbin/xlb /tmp/xlb.deb-check.$$   # to look after the package is gone
dpkg_retry -r xlb && dpkg_retry --purge xlb || fail "dpkg -r/--purge"
/tmp/xlb.deb-check.$$ interface list | grep -q xlbd0; rc=$?
ip -d link show xlbd0 | grep -q "xdp"; rc2=$?
rm -f /tmp/xlb.deb-check.$$
[[ $rc == 0 && $rc2 == 0 ]] || fail "the datapath was detached by removing the package"
EOF
dpkg -s xlb >/dev/null 2>&1 && fail "still installed"
[[ ! -e /usr/sbin/xlb && ! -e /etc/xlb/xlb.conf ]] || fail "files left after purge"
echo "PASS"
