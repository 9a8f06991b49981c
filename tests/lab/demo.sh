#!/bin/bash
# demo.sh: xlb in one command. As root on Debian 12:
#
#   tests/lab/demo.sh [BUILD_DIR]        (default: $XLB_BUILD or ./build)
#
# Builds xlb with cmake if needed, makes a lab in network namespaces (a
# client, a router, a load balancer and 3 backends, see lab.sh), attaches
# xlb to the load balancer's interface, applies examples/demo.conf with
# `xlb -f`, sends real HTTP and UDP traffic and shows where it went, drains
# one backend, fails another (xlb-healthd takes it out), and removes everything. Nothing outside the
# lab's own namespaces is touched; the addresses are documentation ranges.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${XLB_BUILD:-$REPO/build}}
CONF=$REPO/examples/demo.conf

bold=$'\e[1m' dim=$'\e[2m' off=$'\e[0m'
[[ -t 1 ]] || bold="" dim="" off=""
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
xlb() { # the operator's `xlb`, in the load balancer's namespace
	printf '%s# xlb %s%s\n' "$dim" "$*" "$off"
	lab_xlb "$@"
}
die() {
	echo "demo: $*" >&2
	exit 1
}

[[ $(id -u) == 0 ]] || die "run me as root (network namespaces and XDP need it)"

# ---------------------------------------------------------------- build
if [[ ! -x $BUILD/cmd/xlb || ! -x $BUILD/cmd/xlb-healthd || ! -r $BUILD/tests/lab/xdp_pass.bpf.o ]]; then
	missing=()
	for t in cmake c++ clang bpftool pkg-config ip ethtool python3; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	if ((${#missing[@]})); then
		echo "demo: missing: ${missing[*]}. On Debian 12:" >&2
		echo "  apt-get install cmake g++ clang llvm bpftool libbpf-dev libnl-3-dev libnl-route-3-dev \\" >&2
		echo "      libcli11-dev nlohmann-json3-dev libgtest-dev libreadline-dev pkg-config iproute2 ethtool python3" >&2
		exit 1
	fi
	say "building xlb in $BUILD (a few minutes; log: $BUILD/demo-build.log)"
	mkdir -p "$BUILD" || die "cannot create $BUILD"
	log=$BUILD/demo-build.log
	{ cmake -S "$REPO" -B "$BUILD" && cmake --build "$BUILD" -j"$(nproc)" --target xlb xlb-healthd xlb_lab_xdp_pass; } \
		>"$log" 2>&1 || { tail -n 20 "$log"; die "the build failed (log: $log)"; }
	[[ -x $BUILD/cmd/xlb ]] || die "the build did not produce $BUILD/cmd/xlb"
	echo "built $BUILD/cmd/xlb"
fi

# shellcheck source=lab.sh
source "$REPO/tests/lab/lab.sh"
LAB_XLB=$BUILD/cmd/xlb
LAB_XDP_PASS=$BUILD/tests/lab/xdp_pass.bpf.o
T0=$SECONDS

# spread TITLE JSON: a bar per backend from a clients.py result.
spread() {
	"$LAB_PYTHON" - "$1" "$2" <<'EOF'
import json, sys
title, r = sys.argv[1], json.loads(sys.argv[2])
counts = r["backends"]
total = sum(counts.values())
failed = r.get("failed", r.get("lost", 0))
print(f"{title}: {total} answered" + (f", {failed} failed" if failed else ""))
for be in ("be1", "be2", "be3"):
    n = counts.get(be, 0)
    pct = 100 * n / total if total else 0
    print(f"  {be}  {'#' * round(pct / 2.5):<40} {n:4d}  {pct:5.1f}%")
EOF
}

# ------------------------------------------------------------------ lab
say "lab: client -- router -- [bridge] -- lb1 (xlb) + be1 be2 be3"
lab_up 3 1 || die "cannot build the lab"
lab_servers_all || die "cannot start the backend servers"
lab_prime_neigh lb1 || die "lb1 cannot reach the backends"
cat <<EOF
  client  203.0.113.2    2001:db8:1::2     (namespace $(lab_ns client))
  router  203.0.113.1 | 198.51.100.1       routes 192.0.2.0/24 and 2001:db8::/64 to lb1
  lb1     198.51.100.11  2001:db8:2::11    xlb, XDP on eth0
  be1-3   198.51.100.101-103, 2001:db8:2::101-103, VIPs on lo; replies go
          straight back through the router (direct server return)
EOF

say "attach xlb and apply examples/demo.conf"
xlb interface attach eth0 || die "attach failed"
xlb -f "$CONF" || die "xlb -f failed"
xlb service list
xlb backend list

say "traffic"
spread "300 HTTP requests to http://192.0.2.10/" "$(lab_client http http://192.0.2.10/ --count 300)"
spread "300 HTTP requests to http://[2001:db8::10]/" "$(lab_client http "http://[2001:db8::10]/" --count 300)"
spread "UDP 192.0.2.53:53, 60 flows of 5 datagrams (flows per backend)" \
	"$(lab_client udp 192.0.2.53 53 --flows 60 --packets 5)"
xlb stats

say "drain be1: no new connections (existing ones would continue)"
xlb backend disable web 198.51.100.101
spread "300 HTTP requests to http://192.0.2.10/" "$(lab_client http http://192.0.2.10/ --count 300)"

say "health checks: xlb-healthd probes every backend through the VIP (health-check NAT)"
xlb check add web http interval 500ms timeout 300ms rise 2 fall 2
printf '%s# xlb-healthd &%s\n' "$dim" "$off"
lab_bg lb1 healthd "$BUILD/cmd/xlb-healthd" --pin-path "$LAB_BPFFS/lb1"
sleep 1.5

say "fail be2: its servers stop and its VIPs leave lo"
printf '%s# (on be2) kill its servers; ip addr del 192.0.2.10/32 dev lo%s\n' "$dim" "$off"
lab_stop_servers be2
lab_vip_del be2 192.0.2.10
sleep 1.5 # fall 2 x interval 500 ms + timeout 300 ms
printf '%sxlb-healthd: %s%s\n' "$dim" "$(grep -m1 '^Health check' "$LAB_LOGS/healthd.log")" "$off"
xlb backend list web
spread "300 HTTP requests to http://192.0.2.10/" "$(lab_client http http://192.0.2.10/ --count 300)"

say "be1 back in service"
xlb backend enable web 198.51.100.101
spread "300 HTTP requests to http://192.0.2.10/" "$(lab_client http http://192.0.2.10/ --count 300)"
xlb stats web

say "done in $((SECONDS - T0)) s; removing the lab"
lab_down
echo "ok"
