#!/bin/bash
# 05_persistence: `sched sh` hashes the source address only, so every
# connection of one client address lands on one backend, while different
# addresses spread. The same clients on a default (mh) service are spread
# per connection, which shows the two schedulers differ.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100
NSRC=16 PER=25

e2e_step "lab with 3 backends; the client gets $NSRC IPv4 and $NSRC IPv6 addresses"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
src4=() src6=()
for ((i = 0; i < NSRC; i++)); do
	src4+=(--source "203.0.113.$((10 + i))")
	src6+=(--source "2001:db8:1::$((100 + i))")
	lab_in client ip addr add "203.0.113.$((10 + i))/24" dev eth0
	lab_in client ip addr add "2001:db8:1::$((100 + i))/64" dev eth0 nodad
done
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add sticky tcp 192.0.2.10:80 sched sh || e2e_abort "service add"
e2e_xlb service add sticky6 tcp "[2001:db8::10]:80" sched sh || e2e_abort "service add"
e2e_xlb service add spread tcp 192.0.2.11:80 || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add sticky "$(lab_addr "$be" 4)" || e2e_abort "backend add"
	e2e_xlb backend add sticky6 "$(lab_addr "$be" 6)" || e2e_abort "backend add"
	e2e_xlb backend add spread "$(lab_addr "$be" 4)" || e2e_abort "backend add"
done
e2e_xlb service list

for url in http://192.0.2.10/ "http://[2001:db8::10]/"; do
	if [[ $url == *\[* ]]; then src=("${src6[@]}"); else src=("${src4[@]}"); fi
	e2e_step "sched sh: $((NSRC * PER)) connections to $url, $PER from each address"
	r=$(lab_client http "$url" --count $((NSRC * PER)) --parallel 8 "${src[@]}")
	e2e_note "per backend: $(e2e_py "r['backends']" r="$r"); addresses per backend: \
$(e2e_py "dict(__import__('collections').Counter(list(v)[0] for v in r['by_source'].values() if len(v) == 1))" r="$r")"
	e2e_expect "all $((NSRC * PER)) connections succeed" "r['ok'] == $((NSRC * PER))" r="$r"
	e2e_expect "every address stays on one backend" \
		"len(r['by_source']) == $NSRC and all(len(v) == 1 for v in r['by_source'].values())" r="$r"
	e2e_expect "the addresses spread over more than one backend" "len(r['backends']) >= 2" r="$r"
done

e2e_step "sched mh (default) with the same addresses: spread per connection"
r=$(lab_client http http://192.0.2.11/ --count $((NSRC * PER)) --parallel 8 "${src4[@]}")
e2e_expect "all $((NSRC * PER)) connections succeed" "r['ok'] == $((NSRC * PER))" r="$r"
e2e_expect "most addresses see more than one backend" \
	"sum(len(v) > 1 for v in r['by_source'].values()) >= $NSRC * 3 // 4" r="$r"
e2e_finish
