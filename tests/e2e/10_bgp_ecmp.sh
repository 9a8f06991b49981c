#!/bin/bash
# 10_bgp_ecmp: two load balancers announce the same VIP over BGP (real BIRD 2
# in every namespace); the router merges the two paths into one ECMP route
# with an L4 hash, so client connections cross both lbs. Each lb builds the
# same Maglev table, so every flow reaches the same backend whichever lb it
# crosses: when lb2 withdraws the VIP, its connections carry on through lb1.
source "$(dirname "$0")/common.sh"
e2e_require xlb bird birdc
lab_watchdog 100
VIP=192.0.2.10
PORT=7
N=40

# bird_lb LB: announce VIP/32 (a static blackhole only BGP uses) to the router.
bird_lb() {
	local lb=$1 conf=$LAB_DIR/bird-$1.conf
	cat >"$conf" <<-CONF
		router id $(lab_addr "$lb");
		protocol device {}
		protocol static vips { ipv4; route $VIP/32 blackhole; }
		protocol bgp uplink {
			local $(lab_addr "$lb") as 65001;
			neighbor $(lab_addr router) as 65000;
			ipv4 { import none; export where proto = "vips"; };
		}
	CONF
	lab_bird "$lb" "$conf"
}

# bird_router: learn the VIPs from both lbs, install them as one ECMP route.
bird_router() {
	local conf=$LAB_DIR/bird-router.conf lb
	{
		echo "router id $(lab_addr router);"
		echo "protocol device {}"
		echo "protocol kernel { ipv4 { import none; export all; }; merge paths on; }"
		for lb in lb1 lb2; do
			echo "protocol bgp $lb { local $(lab_addr router) as 65000;"
			echo "  neighbor $(lab_addr "$lb") as 65001; ipv4 { import all; export none; }; }"
		done
	} >"$conf"
	lab_bird router "$conf"
}

# vip_route: the router's kernel route to the VIP, one line per next hop.
vip_route() { lab_in router ip -4 route show "$VIP/32" | tr -s ' '; }

e2e_step "lab with 2 load balancers and 3 backends; VIP announced by BIRD on both"
lab_up 3 2 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_in router sysctl -qw net.ipv4.fib_multipath_hash_policy=1 || e2e_abort "L4 hash"
lab_unroute_vip "$LAB_VIP_NET4"
for lb in lb1 lb2; do
	lab_prime_neigh "$lb" || e2e_abort "$lb cannot resolve the backends"
	e2e_xlb "@$lb" interface attach eth0 mode native || e2e_abort "attach on $lb"
	e2e_xlb "@$lb" service add echo tcp "$VIP:$PORT" || e2e_abort "service add on $lb"
	# Not the same order of commands on both: the tables must still agree.
	[[ $lb == lb1 ]] && order=(be1 be2 be3) || order=(be2 be3 be1)
	for be in "${order[@]}"; do
		e2e_xlb "@$lb" backend add echo "$(lab_addr "$be")" || e2e_abort "backend add on $lb"
	done
	bird_lb "$lb" || e2e_abort "bird on $lb"
done
bird_router || e2e_abort "bird on the router"
for ((i = 0; i < 100; i++)); do
	[[ $(vip_route) == *"nexthop via $(lab_addr lb1)"*"nexthop via $(lab_addr lb2)"* ]] && break
	lab_sleep 0.1
done
e2e_note "router: $(vip_route | tr '\n' ' ')"
e2e_check "the router has one ECMP route to the VIP over both lbs" \
	grep -q "nexthop via $(lab_addr lb2)" <<<"$(vip_route)"

e2e_step "$N long-lived connections spread over both lbs"
ready=$LAB_LOGS/hold.ready stop=$LAB_LOGS/hold.stop
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold "$VIP" "$PORT" --conns $N \
	--interval 0.1 --duration 60 --ready-file "$ready" --stop-file "$stop"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do
	[[ -s $ready ]] && break
	lab_sleep 0.1
done
[[ -s $ready ]] || e2e_abort "the connections did not open"
lab_sleep 1
f1=$(lab_xlb @lb1 flows count) f2=$(lab_xlb @lb2 flows count)
e2e_note "flows: lb1 $f1, lb2 $f2"
e2e_check "both lbs carry some of them" test "$f1" -gt 0 -a "$f2" -gt 0

e2e_step "lb2 withdraws the VIP; its connections move to lb1"
lab_birdc lb2 disable vips >/dev/null
for ((i = 0; i < 100; i++)); do
	[[ $(vip_route) != *nexthop* ]] && break
	lab_sleep 0.1
done
e2e_note "router: $(vip_route | tr '\n' ' ')"
e2e_check "the router's route now goes to lb1 only" grep -q "via $(lab_addr lb1)" <<<"$(vip_route)"
lab_sleep 2
touch "$stop"
wait "$hold_pid"
r=$(cat "$LAB_LOGS/hold.log")
e2e_note "errors: $(e2e_py "r['errors'][:3]" r="$r")"
e2e_expect "all $N connections carried on, each to the backend it had" \
	"r['ok'] and r['open_at_end'] == $N" r="$r"
s=$(e2e_xlb_quiet @lb1 -j stats)
e2e_expect "lb1 re-balanced none of them" "s['global']['flow_rebalanced'] == 0" s="$s"

e2e_step "lb2 announces again: the router is back to ECMP"
lab_birdc lb2 enable vips >/dev/null
for ((i = 0; i < 100; i++)); do
	[[ $(vip_route) == *nexthop* ]] && break
	lab_sleep 0.1
done
e2e_check "ECMP again" grep -q "nexthop via $(lab_addr lb2)" <<<"$(vip_route)"
e2e_finish
