#!/bin/bash
# 03_udp: UDP services over IPv4 and IPv6. The datagrams of one flow (one
# source port) all go to one backend; many flows spread over the backends;
# every datagram is answered, from the VIP.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100

e2e_step "lab with 3 backends; services dns udp 192.0.2.53:53 and dns6 udp [2001:db8::53]:53"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add dns udp 192.0.2.53:53 || e2e_abort "service add"
e2e_xlb service add dns6 udp "[2001:db8::53]:53" || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add dns "$(lab_addr "$be" 4)" || e2e_abort "backend add"
	e2e_xlb backend add dns6 "$(lab_addr "$be" 6)" || e2e_abort "backend add"
done

declare -A keys=([dns]="[]" [dns6]="[]") # the flows (source ADDR:PORT) of each service
for fam in 4 6; do
	if [[ $fam == 4 ]]; then vip=192.0.2.53 svc=dns; else vip=2001:db8::53 svc=dns6; fi

	e2e_step "IPv$fam: one flow, 200 datagrams"
	r=$(lab_client udp "$vip" 53 --flows 1 --packets 200)
	e2e_expect "all 200 answered by a single backend" \
		"r['answered'] == 200 and not r['split_flows'] and len(r['backends']) == 1" r="$r"
	e2e_note "flow on $(e2e_py "list(r['backends'])[0]" r="$r")"
	keys[$svc]=$(e2e_py "sorted(set(k + list(r['flow_backends'])))" k="${keys[$svc]}" r="$r")

	e2e_step "IPv$fam: 300 flows of 3 datagrams"
	r=$(lab_client udp "$vip" 53 --flows 300 --packets 3)
	e2e_note "flows per backend: $(e2e_py "r['backends']" r="$r"), lost: $(e2e_py "r['lost']" r="$r"), $(e2e_py "r['seconds']" r="$r") s"
	e2e_expect "all 900 datagrams answered" "r['answered'] == 900" r="$r"
	e2e_expect "no flow was split over backends" "r['split_flows'] == []" r="$r"
	for be in "${LAB_BACKENDS[@]}"; do
		e2e_expect "$be serves 33% +- 10% of the flows" \
			"abs(r['backends'].get('$be', 0) / 300 - 1/3) <= 0.10" r="$r"
	done
	keys[$svc]=$(e2e_py "sorted(set(k + list(r['flow_backends'])))" k="${keys[$svc]}" r="$r")
done

e2e_step "xlb's counters"
e2e_xlb stats
s=$(e2e_xlb_quiet -j stats)
for svc in dns dns6; do
	n=$(e2e_py "len(k)" k="${keys[$svc]}")
	e2e_expect "stats: $svc counted $n flows (one per source port) and 1100 packets" \
		"[(x['flows'], x['packets']) for x in s['services'] if x['name'] == '$svc'] == [($n, 1100)]" s="$s"
done
e2e_finish
