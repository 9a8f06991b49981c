#!/bin/bash
# 21_vlan_trunk: two DSR backends on different VLANs behind one trunk port.
# lb1's eth1 is the trunk; `backend add ... dev eth1 vlan N` makes xlb push
# the 802.1Q tag of each backend's VLAN. This kernel has neither 802.1Q
# devices nor bridge VLAN filtering, so the switch is modelled by
# tests/lab/vlan_switch.bpf.c on the switch side of the trunk (trunk0 in
# the router's namespace): it pops the tag and redirects the frame to the
# access port of its VLAN, the device with ifindex 1000 + VID (acc100 for
# VLAN 100, acc200 for VLAN 200, made with `ip link add ... index N`).
# vb1 is on VLAN 100 (10.81.0.0/24), vb2 on VLAN 200 (10.82.0.0/24); both
# answer the clients through the router (DSR). Untagged clients.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 120
N=300
VLAN_SWITCH=$(dirname "$LAB_XDP_PASS")/vlan_switch.bpf.o
[[ -r $VLAN_SWITCH ]] || e2e_abort "no $VLAN_SWITCH (build the target xlb_lab_vlan_switch)"

# access_backend N VID: vbN behind access port accVID (ifindex 1000 + VID).
access_backend() {
	local node=vb$1 vid=$2 net=10.8$1.0 vip
	_lab_new_ns "$node" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 || return 1
	_lab_ip router <<-RULES || return 1
		link add acc$vid index $((1000 + vid)) type veth peer name eth0 netns $LAB_ID-$node
		addr add $net.1/24 dev acc$vid
		link set acc$vid up
	RULES
	{
		echo "addr add $net.$((100 + $1))/24 dev eth0"
		echo "link set eth0 up"
		echo "route add default via $net.1"
		for vip in "${LAB_VIPS4[@]}"; do echo "addr add $vip/32 dev lo"; done
	} | _lab_ip "$node" || return 1
	# Frames redirected into acc$vid reach eth0 only when eth0 runs XDP.
	ip -n "$LAB_ID-$node" link set dev eth0 xdp obj "$LAB_XDP_PASS" sec xdp || return 1
	lab_in router ethtool -K "acc$vid" tx off >/dev/null && lab_in "$node" ethtool -K eth0 tx off >/dev/null
}

e2e_step "lab: lb1 eth1 = trunk to a modelled VLAN switch; vb1 on VLAN 100, vb2 on VLAN 200"
lab_up 0 1 || e2e_abort "lab_up"
_lab_ip router <<-RULES || e2e_abort "trunk"
	link add trunk0 type veth peer name eth1 netns $LAB_ID-lb1
	link set trunk0 up
RULES
_lab_ip lb1 <<<'link set eth1 up' || e2e_abort "eth1"
ip -n "$LAB_ID-router" link set dev trunk0 xdp obj "$VLAN_SWITCH" sec xdp || e2e_abort "vlan_switch"
lab_in router ethtool -K trunk0 tx off >/dev/null && lab_in lb1 ethtool -K eth1 tx off >/dev/null
access_backend 1 100 || e2e_abort "vb1"
access_backend 2 200 || e2e_abort "vb2"
for i in 1 2; do lab_servers "vb$i" || e2e_abort "servers on vb$i"; done
e2e_xlb interface attach eth0 mode native || e2e_abort "attach eth0"
e2e_xlb interface attach eth1 mode native || e2e_abort "attach eth1"
e2e_xlb service add web tcp 192.0.2.10:80 || e2e_abort "service add"
e2e_xlb backend add web 10.81.0.101 mac "$(lab_mac vb1)" dev eth1 vlan 100 || e2e_abort "vb1"
e2e_xlb backend add web 10.82.0.102 mac "$(lab_mac vb2)" dev eth1 vlan 200 || e2e_abort "vb2"
rs=$(e2e_xlb_quiet list ruleset)
e2e_check "list ruleset prints dev and vlan" test -n "$(grep 'dev eth1 vlan 200' <<<"$rs")"

e2e_step "$N HTTP connections through the trunk"
g0=$(e2e_xlb_quiet -j stats)
r=$(lab_client http "http://192.0.2.10/" --count "$N" --parallel 8)
g1=$(e2e_xlb_quiet -j stats)
e2e_note "client: $(e2e_py "r['backends']" r="$r"), errors $(e2e_py "r['errors']" r="$r")"
e2e_expect "all $N connections succeed" "r['ok'] == $N" r="$r"
e2e_expect "both VLANs' backends get connections" \
	"r['backends'].get('vb1', 0) > 0 and r['backends'].get('vb2', 0) > 0" r="$r"
e2e_expect "the packets left by XDP_REDIRECT into the trunk" \
	"b['global']['redirect'] - a['global']['redirect'] >= 3 * $N" a="$g0" b="$g1"

e2e_step "a wrong VLAN reaches nobody: vb1 moved to VLAN 300 (no access port) takes no connection"
e2e_xlb backend set web 10.81.0.101 vlan 300 || e2e_abort "backend set"
e2e_xlb backend disable web 10.82.0.102 || e2e_abort "disable"
r=$(lab_client http "http://192.0.2.10/" --count 5 --parallel 1 --timeout 1 2>/dev/null)
e2e_expect "no connection succeeds" "r['ok'] == 0" r="$r"
e2e_finish
