#!/bin/bash
# 00_lab: the lab itself, without xlb. The topology carries real traffic when
# the router sends a VIP straight to a backend; backends never answer ARP for
# a VIP; an lb without xlb forwards nothing; and every exit path (success,
# failure, TERM, Ctrl-C (INT to the process group), watchdog, SIGKILL + gc)
# leaves no namespace, directory, mount or process behind.
source "$(dirname "$0")/common.sh"
e2e_require
lab_watchdog 100

e2e_step "lab up: client, router, 1 lb, 3 backends"
t0=${EPOCHREALTIME/./}
lab_up 3 1 || e2e_abort "lab_up"
e2e_note "lab $LAB_ID up in $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
e2e_check "namespaces exist" test "$(ip netns list | grep -c "^$LAB_ID-")" -eq 6
e2e_check "private bpffs is mounted" mountpoint -q "$LAB_BPFFS"
e2e_check "xdp_pass is on the router side of lb1" \
	bash -c "ip -n $(lab_ns router) -j link show lb1 | grep -q '\"xdp\"'"
lab_servers_all || e2e_abort "servers"
e2e_check "lb1 resolves every backend (ARP and ND)" lab_prime_neigh lb1

e2e_step "VIPs routed straight to a backend (no load balancer)"
for target in be1 be2; do
	lab_route_vip "$LAB_VIP_NET4" "$target"
	lab_route_vip "$LAB_VIP_NET6" "$target"
	r=$(lab_client http http://192.0.2.10/ --count 50 --parallel 4)
	e2e_expect "HTTP 192.0.2.10: 50 of 50 answered by $target" \
		"r['ok'] == 50 and r['backends'] == {'$target': 50}" r="$r"
	[[ $target == be1 ]] && continue
	r=$(lab_client http "http://[2001:db8::10]/" --count 50 --parallel 4)
	e2e_expect "HTTP [2001:db8::10]: 50 of 50 answered by $target" \
		"r['ok'] == 50 and r['backends'] == {'$target': 50}" r="$r"
	for vip in 192.0.2.53 2001:db8::53; do
		r=$(lab_client udp "$vip" 53 --flows 10 --packets 3)
		e2e_expect "UDP $vip:53: 30 of 30 answered by $target, from the VIP" \
			"r['answered'] == 30 and r['backends'] == {'$target': 10}" r="$r"
	done
	r=$(lab_client hold 192.0.2.11 7 --conns 4 --duration 0.5 --interval 0.1)
	e2e_expect "TCP echo 192.0.2.11:7 on 4 connections by $target" \
		"r['ok'] and r['by_backend'] == {'$target': 4}" r="$r"
done
r=$(lab_client stream 2001:db8::10 7 --duration 1.5)
e2e_expect "a 1.5 s TCP stream over IPv6 is echoed intact" "r['ok']" r="$r"

e2e_step "the backends do not answer ARP for a VIP (arp_ignore)"
lab_in router ip route replace 192.0.2.10/32 dev br0
r=$(lab_client http http://192.0.2.10/ --count 1 --timeout 2)
e2e_expect "an on-link route to the VIP gets no answer" "r['ok'] == 0" r="$r"
e2e_check "the router has no MAC for the VIP" \
	bash -c "! ip -n $(lab_ns router) neigh show 192.0.2.10 | grep -q lladdr"
lab_in router ip route del 192.0.2.10/32 dev br0

e2e_step "an lb without xlb forwards nothing"
lab_route_vip "$LAB_VIP_NET4" lb1
r=$(lab_client http http://192.0.2.10/ --count 1 --timeout 1)
e2e_expect "VIP traffic routed to lb1 is not answered" "r['ok'] == 0" r="$r"

e2e_step "cleanup on every exit path"
# A child script builds a small lab, records its id, then ends as told.
child() {
	local how=$1
	cat <<EOF
source "$LAB_SRC_DIR/lab.sh"
LAB_XDP_PASS="$LAB_XDP_PASS"
lab_up 1 1 || exit 3
[[ $how == TERM || $how == INT || $how == KILL ]] && { lab_servers_all || exit 3; }
echo "\$LAB_ID" > "$LAB_LOGS/child-$how.id"
case $how in
ok) exit 0 ;;
fail) false || exit 1 ;;
watchdog) lab_watchdog 1; sleep 30 ;;
KILL) exec {fd}<> <(:); read -r -t 30 -u "\$fd" ;; # waits without a child process
*) lab_sleep 30 ;;
esac
EOF
}
leftovers() { # ID: what a lab with that id left behind
	local pid=${1#"$LAB_PREFIX"-}
	pid=${pid%%-*}
	# A child's processes: its process group (set -m: the child's pid).
	[[ $pid != "$$" ]] && pgrep -g "$pid" 2>/dev/null
	ip netns list | grep "^$1-"
	ls -d "/tmp/$1" 2>/dev/null
	grep " /tmp/$1/" /proc/mounts
	return 0
}
set -m # job control: background children get their own signals (INT too)
for how in ok fail TERM INT watchdog KILL; do
	child "$how" >"$LAB_LOGS/child-$how.sh"
	bash "$LAB_LOGS/child-$how.sh" >"$LAB_LOGS/child-$how.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ -s $LAB_LOGS/child-$how.id ]] && break
		lab_sleep 0.1
	done
	id=$(cat "$LAB_LOGS/child-$how.id" 2>/dev/null)
	case $how in
	TERM | KILL) kill "-$how" "$pid" ;;
	INT) kill -INT -- "-$pid" ;; # like Ctrl-C: the whole process group
	esac
	{ wait "$pid"; } 2>/dev/null
	rc=$?
	if [[ $how == KILL ]]; then
		e2e_check "after SIGKILL the lab is left behind (rc $rc)" test -n "$(leftovers "$id")"
		lab_gc
		what="SIGKILL + lab_gc"
	else
		what="exit by $how (rc $rc)"
	fi
	for ((i = 0; i < 20; i++)); do # killed processes may take a moment to go
		[[ -z $(leftovers "$id") ]] && break
		lab_sleep 0.1
	done
	e2e_check "$what: nothing of lab $id is left" test -n "$id" -a -z "$(leftovers "$id")"
done
set +m

e2e_step "lab down"
id=$LAB_ID
lab_down
e2e_check "nothing of lab $id is left" test -z "$(leftovers "$id")"
e2e_finish
