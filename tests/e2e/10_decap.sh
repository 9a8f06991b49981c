#!/bin/bash
# 10_decap: xlb-decap on a real stack. A tunnel backend (tb1, routed behind
# the router, VIPs on lo, no kernel tunnel module) runs `xlb decap attach
# eth0`; lb1 stands in for the load balancer's encapsulating side and sends
# client packets in every tunnel (ipip, gre, gue, fou) x outer family x
# inner family, TCP SYNs and UDP datagrams (tests/lab/encap_send.py). The
# backend's own stack must take the inner packets: the UDP echo server
# answers and the HTTP server's SYN-ACK comes back, from the VIP, to the
# client, straight through the router. Then: counters by method, detach
# (no more answers), refresh (a new address is picked up).
source "$(dirname "$0")/common.sh"
e2e_require xlb tcpdump
lab_watchdog 100

VIP4=192.0.2.10
VIP6=2001:db8::10

e2e_step "lab: client, router, lb1 (the sender), tb1 (routed, xlb-decap on eth0)"
lab_up 0 1 || e2e_abort "lab_up"
lab_add_tunnel_backend || e2e_abort "lab_add_tunnel_backend"
lab_servers tb1 --http 80 --udp-echo 53 || e2e_abort "servers"
e2e_check "no kernel tunnel device can be made here (the backend relies on xlb-decap)" \
	bash -c "! ip -n $(lab_ns tb1) link add t0 type ipip remote 10.0.0.1 2>/dev/null"
d=$(lab_decap tb1 -j list)
e2e_expect "decap list: eth0 attached natively, default ports, tb1's addresses" \
	"[(x['name'], x['mode'], x['gue_port'], x['fou_port']) for x in d['devices']] == [('eth0', 'native', 6080, 5555)] and {'10.99.0.101', '2001:db8:3::101'} <= {a['address'] for a in d['addresses']}" d="$d"

ROUTER_MAC=$(lab_mac router)
# send METHOD OUTER-FAMILY INNER-FAMILY PROTO SPORT [OUTER-DST]
send() {
	local method=$1 of=$2 inf=$3 proto=$4 sport=$5 odst=${6:-} vip dport=53
	[[ $inf == 6 ]] && vip=$VIP6 || vip=$VIP4
	[[ $proto == tcp ]] && dport=80
	[[ -z $odst ]] && odst=$(lab_addr tb1 "$of")
	lab_encap_send lb1 --iface eth0 --dst-mac "$ROUTER_MAC" --method "$method" \
		--outer-src "$(lab_addr lb1 "$of")" --outer-dst "$odst" \
		--inner-src "$(lab_addr client "$inf")" --inner-dst "$vip" \
		--proto "$proto" --sport "$sport" --dport "$dport"
}
# answered PROTO SPORT: did the client get the VIP's answer on that port?
answered() {
	local n
	if [[ $1 == udp ]]; then
		n=$(tcpdump -n -r "$LAB_LOGS/capture-client-eth0.pcap" "udp and src port 53 and dst port $2" 2>/dev/null | wc -l)
	else
		n=$(tcpdump -n -r "$LAB_LOGS/capture-client-eth0.pcap" "tcp and src port 80 and dst port $2" 2>/dev/null | grep -c 'Flags \[S\.\]')
	fi
	((n > 0))
}

e2e_step "every method x outer family x inner family, TCP and UDP"
e2e_capture_start client eth0 "src net 192.0.2.0/24 or src net 2001:db8::/64" || e2e_abort "capture"
declare -A cases=()
sport=41000
for method in ipip gre gue fou; do
	for of in 4 6; do
		for inf in 4 6; do
			for proto in udp tcp; do
				sport=$((sport + 1))
				cases[$sport]="$method $proto ${inf}in${of}"
				send "$method" "$of" "$inf" "$proto" "$sport" || e2e_fail "encap_send $method"
			done
		done
	done
done
lab_sleep 1.5
e2e_capture_stop
for sport in $(printf '%s\n' "${!cases[@]}" | sort -n); do
	read -r method proto mix <<<"${cases[$sport]}"
	if answered "$proto" "$sport"; then
		e2e_ok "$method $mix $proto: the VIP answered the client ($([[ $proto == tcp ]] && echo SYN-ACK || echo UDP echo))"
	else
		e2e_fail "$method $mix $proto: no answer from the VIP to client port $sport"
	fi
done
e2e_check "the UDP echo came from tb1's server" \
	bash -c "tcpdump -n -A -r '$LAB_LOGS/capture-client-eth0.pcap' 'udp and src port 53' 2>/dev/null | grep -q 'tb1 hello'"

d=$(lab_decap tb1 -j list)
lab_decap tb1 list | sed -n '/Counters/,$p' | sed 's/^/        /'
e2e_expect "counters: 8 packets decapsulated per method, no drop" \
	"[d['counters'][m] for m in ('ipip', 'gre', 'gue', 'fou')] == [8, 8, 8, 8] and all(v == 0 for k, v in d['counters'].items() if k.startswith('drop_'))" d="$d"

e2e_step "refresh: a new address is decapsulated only once xlb-decap knows it"
lab_in tb1 ip addr add 10.99.0.201/24 dev eth0
e2e_capture_start client eth0 "src net 192.0.2.0/24" || e2e_abort "capture"
send fou 4 4 udp 42001 10.99.0.201
e2e_check "xlb decap refresh" lab_decap tb1 refresh
send fou 4 4 udp 42002 10.99.0.201
lab_sleep 1
e2e_capture_stop
if answered udp 42001; then e2e_fail "answered before the refresh"; else e2e_ok "not decapsulated before the refresh"; fi
if answered udp 42002; then e2e_ok "decapsulated after the refresh"; else e2e_fail "no answer after the refresh"; fi

e2e_step "detach: the same tunnel packets are no longer taken"
e2e_check "xlb decap detach eth0" lab_decap tb1 detach eth0
e2e_check "nothing of xlb-decap stays pinned" bash -c "[[ ! -e $LAB_BPFFS/tb1/decap ]]"
e2e_capture_start client eth0 "src net 192.0.2.0/24" || e2e_abort "capture"
send ipip 4 4 udp 43001
send gue 4 4 udp 43002
lab_sleep 1
e2e_capture_stop
if answered udp 43001 || answered udp 43002; then e2e_fail "answered without xlb-decap"; else e2e_ok "no answer without xlb-decap"; fi
e2e_check "attach again" lab_decap tb1 attach eth0 mode native
e2e_check "and again (idempotent: the program is replaced in place)" lab_decap tb1 attach eth0
d=$(lab_decap tb1 -j list)
e2e_expect "one device, the counters start over" \
	"len(d['devices']) == 1 and d['counters']['ipip'] == 0" d="$d"
e2e_finish
