#!/bin/bash
# 16_healthd_ecmp: two load balancers announce the same VIPs over BGP (BIRD
# on each, fed by xlb-healthd through a kernel table); the router's BIRD
# merges the paths (`merge paths on`) and the kernel hashes flows on L4.
# Client connections cross both lbs; when lb2 withdraws (its backends
# drained), the established connections that crossed it carry on through
# lb1, because both lbs build identical Maglev tables.
#
# Probes go through the health-check NAT path, to the VIP on each backend.
source "$(dirname "$0")/common.sh"
e2e_require xlb bird birdc
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 140
WEB=192.0.2.10
ECHO=192.0.2.11
N=30

e2e_step "lab: 3 backends, 2 lbs with the same ruleset in a different order"
lab_up 3 2 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
order1=(be1 be2 be3)
order2=(be3 be1 be2)
for lb in lb1 lb2; do
	lab_prime_neigh "$lb" || e2e_abort "$lb cannot resolve the backends"
	e2e_xlb "@$lb" interface attach eth0 mode native || e2e_abort "attach on $lb"
	[[ $lb == lb1 ]] && order=("${order1[@]}") || order=("${order2[@]}")
	{
		echo "service add web tcp $WEB:80"
		echo "check add web tcp rise 1 fall 1"
		echo "service add echo tcp $ECHO:7"
		echo "check add echo tcp rise 1 fall 1"
		for be in "${order[@]}"; do
			echo "backend add web $(lab_addr "$be")"
			echo "backend add echo $(lab_addr "$be")"
		done
	} | lab_xlb "@$lb" -f - || e2e_abort "ruleset on $lb"
done

lab_bgp_ecmp lb1 lb2 || e2e_abort "BIRD"

healthd() { # LB
	lab_in "$1" "$HEALTHD" --pin-path "$LAB_BPFFS/$1" --once --kernel-table 100 \
		>>"$LAB_LOGS/healthd-$1.log" 2>&1
}

e2e_step "both lbs announce: the router has two next hops"
healthd lb1 && healthd lb2 || e2e_abort "healthd"
e2e_check "$WEB via lb1 and lb2" lab_wait_nexthops $WEB 2
e2e_check "$ECHO via lb1 and lb2" lab_wait_nexthops $ECHO 2
ip -n "$(lab_ns router)" route show $WEB/32 | sed 's/^/          /'

e2e_step "HTTP connections cross both lbs"
r=$(lab_client http "http://$WEB/" --count 200 --parallel 8)
e2e_expect "all 200 answered, by every backend" "r['ok'] == 200 and len(r['backends']) == 3" r="$r"
f1=$(lab_xlb @lb1 flows count) f2=$(lab_xlb @lb2 flows count)
e2e_note "flows: lb1 $f1, lb2 $f2"
e2e_check "lb1 carried some" test "$f1" -gt 0
e2e_check "lb2 carried some" test "$f2" -gt 0

e2e_step "$N long-lived connections, then lb2 withdraws"
ready=$LAB_LOGS/hold.ready stop=$LAB_LOGS/hold.stop
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold $ECHO 7 --conns $N \
	--interval 0.1 --duration 60 --ready-file "$ready" --stop-file "$stop"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do [[ -s $ready ]] && break; lab_sleep 0.1; done
[[ -s $ready ]] || e2e_abort "the connections did not open"
lab_sleep 0.5
e2e_note "echo flows: lb1 $(lab_xlb @lb1 flows count echo), lb2 $(lab_xlb @lb2 flows count echo)"
e2e_check "lb2 carries some of them" test "$(lab_xlb @lb2 flows count echo)" -gt 0
for be in be1 be2 be3; do lab_xlb @lb2 backend disable echo "$(lab_addr $be)"; done
healthd lb2
e2e_check "the router now routes $ECHO via lb1 only" lab_wait_nexthops $ECHO 1
e2e_check "$WEB keeps both next hops" test "$(lab_vip_nexthops $WEB)" -eq 2
lab_sleep 2
touch "$stop"
wait "$hold_pid"
r=$(cat "$LAB_LOGS/hold.log")
e2e_note "rounds: $(e2e_py "r['rounds']" r="$r"), errors: $(e2e_py "r['errors'][:3]" r="$r")"
e2e_expect "all $N connections carried on through lb1" "r['ok'] and r['open_at_end'] == $N" r="$r"
s=$(e2e_xlb_quiet @lb1 -j stats)
e2e_expect "lb1 re-balanced none of them" "s['global']['flow_rebalanced'] == 0" s="$s"
e2e_finish
