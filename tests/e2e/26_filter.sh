#!/bin/bash
# 26_filter: the filter stage before the balancer and a chained program
# (issue 17). One client source prefix is dropped while another is served;
# a rate-limited source gets about its rate (xlb's own counters of the
# limit); an operator's XDP program chained in front (tests/lab/
# drop_port.bpf.c) drops UDP port 9999 before xlb sees it and continues
# into xlb for the rest, and the chain and the filter stay across `interface
# attach` again. With neither rules nor a chain, eth0 runs the balancer
# itself (xlb_xdp); with either, xlb's entry program (xlb_entry).
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 150
DROP_PORT_OBJ=$(dirname "$LAB_XDP_PASS")/drop_port.bpf.o
[[ -f $DROP_PORT_OBJ ]] || e2e_skip "no $DROP_PORT_OBJ (build the target xlb_lab_drop_port)"

# The name of the XDP program lb1's eth0 runs.
xdp_prog_name() {
	local id
	id=$(lab_in lb1 bpftool -j net show dev eth0 |
		"$LAB_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["xdp"][0]["id"])') || return 1
	bpftool -j prog show id "$id" | "$LAB_PYTHON" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["name"]))'
}

e2e_step "lab with 3 backends; client sources 203.0.113.10 (to drop) and .20 (served)"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
for a in 203.0.113.10 203.0.113.20; do lab_in client ip addr add "$a/24" dev eth0; done
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add dns udp 192.0.2.53 || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add dns "$(lab_addr "$be" 4)" || e2e_abort "backend add"
done

e2e_expect "no rule: eth0 runs the balancer" "n == 'xlb_xdp'" n="$(xdp_prog_name)"

e2e_step "drop src 203.0.113.8/29: .10 is dropped, .20 is served"
e2e_xlb filter add drop src 203.0.113.8/29 || e2e_abort "filter add"
e2e_expect "a rule: eth0 runs the entry program" "n == 'xlb_entry'" n="$(xdp_prog_name)"
r=$(lab_client udp 192.0.2.53 53 --flows 5 --packets 2 --source 203.0.113.10 --retries 0 --timeout 0.3)
e2e_expect "nothing from .10 answered" "r['answered'] == 0" r="$r"
r=$(lab_client udp 192.0.2.53 53 --flows 20 --packets 2 --source 203.0.113.20)
e2e_expect "all 40 from .20 answered" "r['answered'] == 40" r="$r"
f=$(e2e_xlb_quiet -j filter list)
e2e_expect "the drop rule counted the 10 datagrams" "f['filters'][0]['packets'] >= 10" f="$f"

e2e_step "limit src 203.0.113.16/28 rate 100 pps burst 10: 1000 datagrams in 2 s from .20"
e2e_xlb filter add limit src 203.0.113.16/28 rate 100 pps burst 10 || e2e_abort "filter add"
lab_in client "$LAB_PYTHON" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("203.0.113.20", 0))
t0 = time.monotonic()
for i in range(1000):
    while time.monotonic() < t0 + i * 0.002:
        pass
    s.sendto(b"x" * 32, ("192.0.2.53", 53))
'
f=$(e2e_xlb_quiet -j filter list)
e2e_note "limit dropped $(e2e_py "f['filters'][1]['packets']" f="$f") of 1000"
e2e_expect "about 2 s x 100 pps + 10 passed (150..300)" \
	"150 <= 1000 - f['filters'][1]['packets'] <= 300" f="$f"
e2e_xlb filter del limit src 203.0.113.16/28 || e2e_abort "filter del"

e2e_step "chain drop_port.bpf.o: UDP to port 9999 never reaches xlb"
e2e_xlb interface attach eth0 chain "$DROP_PORT_OBJ" || e2e_abort "attach chain"
before=$(e2e_xlb_quiet -j stats)
lab_client udp 192.0.2.53 9999 --flows 10 --packets 1 --source 203.0.113.20 --retries 0 --timeout 0.2 >/dev/null
after=$(e2e_xlb_quiet -j stats)
e2e_expect "xlb counted none of them" \
	"[x['packets'] for x in a['services']] == [x['packets'] for x in b['services']]" a="$after" b="$before"
r=$(lab_client udp 192.0.2.53 53 --flows 10 --packets 2 --source 203.0.113.20)
e2e_expect "port 53 still served through the chain" "r['answered'] == 20" r="$r"

e2e_step "interface attach again: the chain and the filter stay"
e2e_xlb interface attach eth0 || e2e_abort "attach again"
r=$(lab_client udp 192.0.2.53 53 --flows 5 --packets 1 --source 203.0.113.10 --retries 0 --timeout 0.3)
e2e_expect "nothing from .10 answered" "r['answered'] == 0" r="$r"
before=$(e2e_xlb_quiet -j stats)
lab_client udp 192.0.2.53 9999 --flows 10 --packets 1 --source 203.0.113.20 --retries 0 --timeout 0.2 >/dev/null
after=$(e2e_xlb_quiet -j stats)
e2e_expect "port 9999 still dropped by the chain" \
	"[x['packets'] for x in a['services']] == [x['packets'] for x in b['services']]" a="$after" b="$before"

e2e_step "no rule, chain none: eth0 runs the balancer itself again"
e2e_xlb filter del drop src 203.0.113.8/29 || e2e_abort "filter del"
e2e_expect "the chain alone keeps the entry program" "n == 'xlb_entry'" n="$(xdp_prog_name)"
e2e_xlb interface attach eth0 chain none || e2e_abort "chain none"
e2e_expect "eth0 runs xlb_xdp" "n == 'xlb_xdp'" n="$(xdp_prog_name)"
before=$(e2e_xlb_quiet -j stats)
lab_client udp 192.0.2.53 9999 --flows 10 --packets 1 --source 203.0.113.20 --retries 0 --timeout 0.2 >/dev/null
after=$(e2e_xlb_quiet -j stats)
e2e_expect "port 9999 reaches xlb now (the backends have no server there)" \
	"sum(x['packets'] for x in a['services']) - sum(x['packets'] for x in b['services']) >= 10" \
	a="$after" b="$before"
r=$(lab_client udp 192.0.2.53 53 --flows 5 --packets 1 --source 203.0.113.10)
e2e_expect ".10 is served now" "r['answered'] == 5" r="$r"
e2e_finish
