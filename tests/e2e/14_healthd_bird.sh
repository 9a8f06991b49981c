#!/bin/bash
# 14_healthd_bird: xlb-healthd announces a VIP to a real BIRD 2 on the lb,
# which peers over BGP with a real BIRD on the router. The router has the
# VIP /32 while a backend is healthy, loses it when every backend is down
# (servers killed, then backends disabled), and regains it on recovery; in
# both export modes: (a) include file + birdc configure, (b) kernel table
# learnt by BIRD's kernel protocol. The lb's BIRD configs are the shipped
# examples (examples/bird-include.conf, examples/bird-kernel.conf).
#
# Probes go through the health-check NAT path, to the VIP on each backend.
source "$(dirname "$0")/common.sh"
e2e_require xlb bird birdc
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 140
VIP=192.0.2.10
EXAMPLES=$E2E_DIR/../../examples

e2e_step "lab: 2 backends with HTTP, lb1 with xlb and a tcp check (rise 1, fall 1)"
lab_up 2 1 || e2e_abort "lab_up"
lab_servers be1 --http 80 && lab_servers be2 --http 80 || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "neighbours"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add web tcp $VIP:80 || e2e_abort "service add"
for be in be1 be2; do e2e_xlb backend add web "$(lab_addr $be)" || e2e_abort "backend add"; done
e2e_xlb check add web tcp rise 1 fall 1 interval 1s timeout 500ms || e2e_abort "check add"
lab_unroute_vip "$LAB_VIP_NET4"
LB=$(lab_addr lb1)

cat >"$LAB_DIR/router.conf" <<EOT
router id 198.51.100.1;
protocol device { }
protocol kernel { ipv4 { import none; export all; }; }
protocol bgp lb1 {
  local 198.51.100.1 as 65000; neighbor $LB as 65101;
  ipv4 { import all; export none; };
}
EOT
lab_bird router "$LAB_DIR/router.conf" || e2e_abort "router bird"

healthd() {
	lab_in lb1 "$HEALTHD" --pin-path "$LAB_BPFFS/lb1" --once "$@" \
		>>"$LAB_LOGS/healthd.log" 2>&1
}

# router_has_vip yes|no: wait (up to 15 s) until the router's FIB has (or
# lacks) the VIP /32 learnt by BGP.
router_has_vip() {
	local i have
	for ((i = 0; i < 150; i++)); do
		have=no
		[[ -n $(ip -n "$(lab_ns router)" route show $VIP/32 proto bird) ]] && have=yes
		[[ $have == "$1" ]] && return 0
		sleep 0.1
	done
	# What each hop believed, for the failure report.
	lab_xlb backend list
	ip -n "$(lab_ns lb1)" route show table 100
	cat "$LAB_DIR/vips.conf"
	lab_birdc lb1 show route
	lab_birdc router show protocols
	lab_birdc router show route
	tail -n 5 "$LAB_LOGS/healthd.log"
	return 1
}

# run_mode NAME CONF HEALTHD-ARGS...: one export mode from start to end.
run_mode() {
	local name=$1 conf=$2
	shift 2
	e2e_step "mode $name: BIRD on lb1 with $(basename "$conf")"
	sed -e "s/198\.51\.100\.11/$LB/g" -e "s#/run/xlb/vips.conf#$LAB_DIR/vips.conf#" \
		"$conf" >"$LAB_DIR/lb1-$name.conf"
	printf 'define XLB_VIPS = [ ];\ndefine XLB_VIPS6 = [ ];\n' >"$LAB_DIR/vips.conf"
	e2e_check "the lb config parses (bird -p)" bird -p -c "$LAB_DIR/lb1-$name.conf"
	lab_bird lb1 "$LAB_DIR/lb1-$name.conf" || e2e_abort "lb1 bird"
	local bird_pid=$LAB_LAST_PID
	e2e_check "both healthy: healthd --once announces" healthd "$@"
	e2e_check "the router learns $VIP/32 over BGP" router_has_vip yes
	ip -n "$(lab_ns router)" route show $VIP/32 | sed 's/^/          /'
	lab_stop_servers be1
	healthd "$@"
	e2e_check "one server killed: still announced" router_has_vip yes
	lab_stop_servers be2
	healthd "$@"
	e2e_check "both killed: backends down in the maps" \
		test "$(lab_xlb -j backend list | grep -o '"health":"down"' | wc -l)" -eq 2
	e2e_check "both killed: the router loses the route" router_has_vip no
	lab_servers be1 --http 80 || e2e_abort "restart be1"
	healthd "$@"
	e2e_check "be1 back: the router regains the route" router_has_vip yes
	lab_servers be2 --http 80 || e2e_abort "restart be2"
	healthd "$@"
	e2e_xlb backend disable web "$(lab_addr be1)"
	e2e_xlb backend disable web "$(lab_addr be2)"
	healthd "$@"
	e2e_check "both disabled (healthy but drained): withdrawn" router_has_vip no
	e2e_xlb backend enable web "$(lab_addr be2)"
	healthd "$@"
	e2e_check "be2 enabled: announced again" router_has_vip yes
	e2e_xlb backend enable web "$(lab_addr be1)"
	lab_kill "$bird_pid"
}

run_mode include "$EXAMPLES/bird-include.conf" \
	--bird-include "$LAB_DIR/vips.conf" --bird-socket "$LAB_DIR/bird-lb1.ctl"
e2e_check "the include file names the VIP" grep -q "define XLB_VIPS = \[ $VIP/32 \];" "$LAB_DIR/vips.conf"
router_has_vip no || e2e_note "(the router still had the route after lb1's BIRD stopped)"

run_mode kernel "$EXAMPLES/bird-kernel.conf" --kernel-table 100 --proto 250
e2e_check "the kernel table holds the blackhole" \
	test -n "$(ip -n "$(lab_ns lb1)" route show table 100 proto 250 $VIP)"
e2e_note "healthd log:"
sed 's/^/          /' "$LAB_LOGS/healthd.log"
e2e_finish
