#!/bin/bash
# 09_vip_semantics: what a VIP means on the wire. A port-0 service takes every
# port of its protocol; a VIP port without a service is dropped and counted
# (the host never answers on a VIP); traffic to the load balancer's own
# address passes untouched; deleting a backend re-balances only the flows
# pinned to it (their connections reset), the others carry on. Ping to a
# VIP is answered by lb1 while the VIP can serve.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100

e2e_step "lab with 3 backends; a server on lb1's own address"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_servers lb1 --http 8080 --udp-echo 5353 || e2e_abort "servers on lb1"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add web tcp 192.0.2.10:80 || e2e_abort "service add"
e2e_xlb service add anytcp tcp 192.0.2.11 || e2e_abort "service add"
e2e_xlb service add anyudp udp 192.0.2.11 || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	for svc in web anytcp anyudp; do
		e2e_xlb backend add "$svc" "$(lab_addr "$be")" || e2e_abort "backend add"
	done
done
e2e_xlb service list

e2e_step "port-0 services: every port of 192.0.2.11"
r=$(lab_client http http://192.0.2.11/ --count 60)
e2e_expect "TCP port 80: 60 of 60 answered, by all 3 backends" "r['ok'] == 60 and len(r['backends']) == 3" r="$r"
r=$(lab_client hold 192.0.2.11 7 --conns 30 --duration 0.5 --interval 0.1)
e2e_expect "TCP port 7: 30 echo connections work, on all 3 backends" "r['ok'] and len(r['by_backend']) == 3" r="$r"
r=$(lab_client udp 192.0.2.11 53 --flows 30 --packets 2)
e2e_expect "UDP port 53: 60 of 60 answered, no flow split" \
	"r['answered'] == 60 and not r['split_flows'] and len(r['backends']) == 3" r="$r"

e2e_step "a VIP port without a service is dropped and counted"
g0=$(e2e_xlb_quiet -j stats)
r=$(lab_client hold 192.0.2.10 7 --conns 2 --duration 0 --timeout 1)
e2e_expect "TCP 192.0.2.10:7 (no service) is not answered" "r['by_backend'] == {} and len(r['errors']) == 2" r="$r"
r=$(lab_client udp 192.0.2.10 53 --flows 2 --packets 1 --timeout 0.5 --retries 0)
e2e_expect "UDP 192.0.2.10:53 (no service) is not answered" "r['answered'] == 0" r="$r"
g1=$(e2e_xlb_quiet -j stats)
e2e_expect "drop_no_service counted them (2 SYNs + retries, 2 datagrams)" \
	"g1['global']['drop_no_service'] - g0['global']['drop_no_service'] >= 4" g0="$g0" g1="$g1"

e2e_step "traffic to lb1's own address passes"
r=$(lab_client http http://198.51.100.11:8080/ --count 10)
e2e_expect "HTTP to lb1:8080 answered by lb1's own server" "r['backends'] == {'lb1': 10}" r="$r"
r=$(lab_client udp 198.51.100.11 5353 --flows 3 --packets 2)
e2e_expect "UDP to lb1:5353 answered by lb1's own server" "r['backends'] == {'lb1': 3}" r="$r"

e2e_step "ping: the VIP answers from lb1 while it can serve"
# Backends never see ICMP to a VIP: an answer is lb1's (echo_replies).
e2e_xlb service add web6 tcp "[2001:db8::10]:80" || e2e_abort "service add"
e2e_xlb backend add web6 "$(lab_addr be1 6)" || e2e_abort "backend add"
g0=$(e2e_xlb_quiet -j stats)
e2e_check "ping 192.0.2.10 and 2001:db8::10 are answered" \
	lab_in client sh -c "ping -c 2 -i 0.2 -W 1 192.0.2.10 && ping -6 -c 2 -i 0.2 -W 1 2001:db8::10"
g1=$(e2e_xlb_quiet -j stats)
e2e_expect "by the datapath: echo_replies counted 4" \
	"g1['global']['echo_replies'] - g0['global']['echo_replies'] == 4" g0="$g0" g1="$g1"
for be in "${LAB_BACKENDS[@]}"; do e2e_xlb_quiet backend disable web "$(lab_addr "$be")"; done
e2e_check "with every backend of 192.0.2.10 disabled, ping is not answered" \
	lab_in client sh -c "! ping -c 1 -W 1 192.0.2.10"
for be in "${LAB_BACKENDS[@]}"; do e2e_xlb_quiet backend enable web "$(lab_addr "$be")"; done
e2e_xlb set icmp-echo off
e2e_check "set icmp-echo off: not answered" lab_in client sh -c "! ping -c 1 -W 1 192.0.2.11"
e2e_xlb set icmp-echo on
e2e_xlb service del web6

e2e_step "backend del: only the flows pinned to the deleted backend move"
e2e_xlb service add echo tcp 192.0.2.10:7 || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add echo "$(lab_addr "$be")" || e2e_abort "backend add"
done
ready=$LAB_LOGS/hold.ready stop=$LAB_LOGS/hold.stop
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold 192.0.2.10 7 --conns 24 \
	--interval 0.1 --duration 60 --ready-file "$ready" --stop-file "$stop"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do
	[[ -s $ready ]] && break
	lab_sleep 0.1
done
[[ -s $ready ]] || e2e_abort "the connections did not open"
held=$(cat "$ready")
on_be1=$(e2e_py "sum(v == 'be1' for v in h.values())" h="$held")
e2e_note "connections per backend: $(e2e_py "dict(__import__('collections').Counter(h.values()))" h="$held")"
g0=$(e2e_xlb_quiet -j stats)
e2e_xlb backend del echo "$(lab_addr be1)"
lab_sleep 1.5
touch "$stop"
wait "$hold_pid"
r=$(cat "$LAB_LOGS/hold.log")
g1=$(e2e_xlb_quiet -j stats)
e2e_expect "the $on_be1 connections on be1 were reset, the others carried on" \
	"sorted(int(e['conn']) for e in r['errors']) == sorted(int(k) for k, v in h.items() if v == 'be1') \
	 and r['open_at_end'] == 24 - $on_be1" r="$r" h="$held"
e2e_expect "flow_rebalanced counted the $on_be1 moved flows" \
	"g1['global']['flow_rebalanced'] - g0['global']['flow_rebalanced'] == $on_be1" g0="$g0" g1="$g1"
e2e_finish
