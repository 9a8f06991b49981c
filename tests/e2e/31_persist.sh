#!/bin/bash
# 31_persist: `persist D` (issue 18). Every connection of a client address
# goes to the backend of its last one, across a pool change (a backend
# added, which moves connections under the Maglev table alone); once the
# address has been silent for longer than D it is balanced anew, and some
# addresses then land elsewhere (each again on one backend).
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100
NSRC=16 PER=20 D=8

e2e_step "lab with 3 backends; the client gets $NSRC IPv4 addresses; persist ${D}s, 2 backends"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
src4=()
for ((i = 0; i < NSRC; i++)); do
	src4+=(--source "203.0.113.$((10 + i))")
	lab_in client ip addr add "203.0.113.$((10 + i))/24" dev eth0
done
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add sticky tcp 192.0.2.10:80 persist "${D}s" || e2e_abort "service add"
e2e_xlb backend add sticky "$(lab_addr "${LAB_BACKENDS[0]}" 4)" || e2e_abort "backend add"
e2e_xlb backend add sticky "$(lab_addr "${LAB_BACKENDS[1]}" 4)" || e2e_abort "backend add"
e2e_xlb service list

# Connections from every address; prints the client's JSON report.
connect() {
	lab_client http http://192.0.2.10/ --count $((NSRC * PER)) --parallel 8 "${src4[@]}"
}
# {address: backend} of a report whose addresses each saw one backend.
placed() { e2e_py "{s: list(v)[0] for s, v in r['by_source'].items()}" r="$1"; }

e2e_step "$((NSRC * PER)) connections, $PER from each address"
r1=$(connect)
e2e_expect "all connections succeed" "r['ok'] == $((NSRC * PER))" r="$r1"
e2e_expect "every address stays on one backend" \
	"len(r['by_source']) == $NSRC and all(len(v) == 1 for v in r['by_source'].values())" r="$r1"
e2e_note "per backend: $(e2e_py "r['backends']" r="$r1")"

e2e_step "a third backend joins; within ${D}s every address keeps its backend"
e2e_xlb backend add sticky "$(lab_addr "${LAB_BACKENDS[2]}" 4)" || e2e_abort "backend add"
r2=$(connect)
e2e_expect "all connections succeed" "r['ok'] == $((NSRC * PER))" r="$r2"
e2e_expect "every address on the backend it had before the change" \
	"$(placed "$r1") == {s: list(v)[0] for s, v in r['by_source'].items()} and \
all(len(v) == 1 for v in r['by_source'].values())" r="$r2"

e2e_step "after ${D}s of silence the addresses are balanced anew"
sleep $((D + 3))
swept=$(e2e_xlb_quiet -j flows expire)
e2e_note "sweep: $swept"
e2e_expect "the sweep removed the expired persistence entries" "r['persist'] == $NSRC" r="$swept"
r3=$(connect)
e2e_expect "all connections succeed" "r['ok'] == $((NSRC * PER))" r="$r3"
e2e_expect "every address again on one backend" \
	"all(len(v) == 1 for v in r['by_source'].values())" r="$r3"
e2e_note "moved: $(e2e_py "sum(list(v)[0] != $(placed "$r2")[s] for s, v in r['by_source'].items())" r="$r3") of $NSRC"
e2e_expect "some addresses moved (the new backend among their places)" \
	"any(list(v)[0] != $(placed "$r2")[s] for s, v in r['by_source'].items())" r="$r3"
e2e_finish
