#!/bin/bash
# 08_lb_failover: two load balancers configured with the same backends, in a
# different order of commands, choose the same backend for every flow
# (identical Maglev tables and hashing, no shared state). So when the router
# moves the VIP from lb1 to lb2, established connections carry on through lb2.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100
VIP=192.0.2.10
PORT=7
N=30

e2e_step "lab with 2 load balancers and 3 backends"
lab_up 3 2 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
order1=(be1 be2 be3)
order2=(be3 be1 be2)
for lb in lb1 lb2; do
	lab_prime_neigh "$lb" || e2e_abort "$lb cannot resolve the backends"
	e2e_xlb "@$lb" interface attach eth0 mode native || e2e_abort "attach on $lb"
	e2e_xlb "@$lb" service add echo tcp "$VIP:$PORT" || e2e_abort "service add on $lb"
	[[ $lb == lb1 ]] && order=("${order1[@]}") || order=("${order2[@]}")
	for be in "${order[@]}"; do
		w=1
		[[ $be == be3 ]] && w=2
		e2e_xlb "@$lb" backend add echo "$(lab_addr "$be")" weight $w || e2e_abort "backend add on $lb"
	done
done

e2e_step "$N long-lived connections through lb1"
ready=$LAB_LOGS/hold.ready stop=$LAB_LOGS/hold.stop
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold "$VIP" "$PORT" --conns $N \
	--interval 0.1 --duration 60 --ready-file "$ready" --stop-file "$stop"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do
	[[ -s $ready ]] && break
	lab_sleep 0.1
done
[[ -s $ready ]] || e2e_abort "the connections did not open"
e2e_note "connections per backend: $(e2e_py "dict(__import__('collections').Counter(h.values()))" h="$(cat "$ready")")"
lab_sleep 1
e2e_check "lb1 has their flows" test "$(lab_xlb @lb1 flows count)" -ge $N
e2e_check "lb2 has none" test "$(lab_xlb @lb2 flows count)" -eq 0

e2e_step "the router moves the VIPs to lb2"
lab_route_vip "$LAB_VIP_NET4" lb2
lab_sleep 2
touch "$stop"
wait "$hold_pid"
r=$(cat "$LAB_LOGS/hold.log")
e2e_note "rounds: $(e2e_py "r['rounds']" r="$r"), errors: $(e2e_py "r['errors'][:3]" r="$r")"
e2e_expect "all $N connections carried on through lb2" "r['ok'] and r['open_at_end'] == $N" r="$r"
e2e_check "lb2 now has their flows" test "$(lab_xlb @lb2 flows count)" -ge $N
s=$(e2e_xlb_quiet @lb2 -j stats)
e2e_expect "lb2 re-balanced none of them (no flow_rebalanced, no drops)" \
	"s['global']['flow_rebalanced'] == 0 and s['global']['drop'] == 0" s="$s"

e2e_step "new connections through lb2, then lb1: weights 1:1:2 on both"
for lb in lb2 lb1; do
	lab_route_vip "$LAB_VIP_NET4" "$lb"
	r=$(lab_client hold "$VIP" "$PORT" --conns 450 --duration 0)
	e2e_note "via $lb: $(e2e_py "r['by_backend']" r="$r")"
	e2e_expect "via $lb: all 450 open; be3 (weight 2) gets 50% +- 9%, be1 and be2 25% +- 9%" \
		"r['ok'] and abs(r['by_backend'].get('be3', 0) / 450 - 0.5) <= 0.09 and \
		 all(abs(r['by_backend'].get(b, 0) / 450 - 0.25) <= 0.09 for b in ('be1', 'be2'))" r="$r"
done
e2e_finish
