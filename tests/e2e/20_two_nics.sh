#!/bin/bash
# 20_two_nics: clients on one segment, backends on another. lb1 has a second
# interface, eth1, on the router's bridge br2 (10.77.0.0/24) where two DSR
# backends (sb1, sb2) live; xlb is attached to eth0 and eth1 (one shared
# state). Client packets come in on eth0 and leave by XDP_REDIRECT out of
# eth1: the next-hop table says so (the backends' route is on-link through
# the attached eth1), with eth1's MAC as source. Then the same with the
# egress forced by `dev eth1` and the route gone.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 120
N=300

# side_backend N: sbN on br2 with the VIPs on lo, replying via the router.
side_backend() {
	local node=sb$1 vip
	_lab_new_ns "$node" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 || return 1
	_lab_ip router <<-RULES || return 1
		link add $node type veth peer name eth0 netns $LAB_ID-$node
		link set $node master br2 up
	RULES
	{
		echo "addr add 10.77.0.$((100 + $1))/24 dev eth0"
		echo "link set eth0 up"
		echo "route add default via 10.77.0.1"
		for vip in "${LAB_VIPS4[@]}"; do echo "addr add $vip/32 dev lo"; done
	} | _lab_ip "$node" || return 1
	lab_in router ethtool -K "$node" tx off >/dev/null && lab_in "$node" ethtool -K eth0 tx off >/dev/null
}

e2e_step "lab: lb1 eth0 towards the clients, eth1 on br2 (10.77.0.0/24) with sb1 and sb2"
lab_up 0 1 || e2e_abort "lab_up"
_lab_ip router <<-RULES || e2e_abort "br2"
	link add br2 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	addr add 10.77.0.1/24 dev br2
	link set br2 up
	link add lb1n2 type veth peer name eth1 netns $LAB_ID-lb1
	link set lb1n2 master br2 up
RULES
_lab_ip lb1 <<<$'addr add 10.77.0.10/24 dev eth1\nlink set eth1 up' || e2e_abort "eth1"
# Frames redirected into a veth are received only when its peer runs XDP.
ip -n "$LAB_ID-router" link set dev lb1n2 xdp obj "$LAB_XDP_PASS" sec xdp || e2e_abort "xdp_pass"
lab_in router ethtool -K lb1n2 tx off >/dev/null && lab_in lb1 ethtool -K eth1 tx off >/dev/null
for i in 1 2; do
	side_backend "$i" || e2e_abort "sb$i"
	lab_servers "sb$i" || e2e_abort "servers on sb$i"
done
e2e_xlb interface attach eth0 mode native || e2e_abort "attach eth0"
e2e_xlb interface attach eth1 mode native || e2e_abort "attach eth1"
e2e_xlb service add web tcp 192.0.2.10:80 || e2e_abort "service add"
e2e_xlb backend add web 10.77.0.101 || e2e_abort "backend add sb1"
e2e_xlb backend add web 10.77.0.102 || e2e_abort "backend add sb2"
e2e_xlb interface list

run_clients() {
	local what=$1 g0 g1 r
	g0=$(e2e_xlb_quiet -j stats)
	r=$(lab_client http "http://192.0.2.10/" --count "$N" --parallel 8)
	g1=$(e2e_xlb_quiet -j stats)
	e2e_note "client: $(e2e_py "r['backends']" r="$r"), errors $(e2e_py "r['errors']" r="$r")"
	e2e_expect "$what: all $N connections succeed" "r['ok'] == $N" r="$r"
	e2e_expect "$what: both backends get connections" \
		"r['backends'].get('sb1', 0) > 0 and r['backends'].get('sb2', 0) > 0" r="$r"
	e2e_expect "$what: every forwarded packet left by XDP_REDIRECT, none by XDP_TX" \
		"b['global']['redirect'] - a['global']['redirect'] >= 3 * $N and \
		 b['global']['tx'] - a['global']['tx'] == 0" a="$g0" b="$g1"
	e2e_expect "$what: no FIB lookup" "b['global']['fib_lookups'] == a['global']['fib_lookups']" \
		a="$g0" b="$g1"
}

e2e_step "$N HTTP connections: in on eth0, out on eth1 (the backends' on-link route)"
run_clients "route"

e2e_step "dev eth1 forces the egress: the same with the lb's route to 10.77.0.0/24 gone"
lab_in lb1 ip route del 10.77.0.0/24 dev eth1 || e2e_abort "route del"
e2e_xlb backend set web 10.77.0.101 dev eth1 || e2e_abort "backend set"
e2e_xlb backend set web 10.77.0.102 dev eth1 || e2e_abort "backend set"
rs=$(e2e_xlb_quiet list ruleset)
e2e_check "list ruleset prints dev eth1" test -n "$(grep 'dev eth1' <<<"$rs")"
run_clients "dev eth1"
e2e_finish
