#!/bin/bash
# 07_crash_safety: with traffic running and xlb applying ruleset files in a
# loop, every xlb process is killed with SIGKILL, again and again. Traffic goes
# on (the datapath needs no process); a new xlb command sees the full state
# (services unchanged; each file applied whole or not at all); and the next
# write works (no stale lock).
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100
KILLS=15

# xlb_pids: the xlb processes running in lb1 (the lab's own, by pid).
xlb_pids() {
	local pid exe
	for pid in $(ip netns pids "$(lab_ns lb1)"); do
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
		[[ $exe -ef $LAB_XLB ]] && echo "$pid"
	done
	return 0
}
# weights: {"web": [w1, w2, w3], "echo": [...]} in backend address order.
weights() {
	local s
	s=$(lab_xlb -j stats) || return 1
	e2e_py "{x['name']: [b['weight'] for b in sorted(x['backends'], key=lambda b: b['address'])] for x in s['services']}" s="$s"
}

e2e_step "lab with 3 backends; services web tcp 192.0.2.10:80 and echo tcp 192.0.2.10:7"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add web tcp 192.0.2.10:80 || e2e_abort "service add"
e2e_xlb service add echo tcp 192.0.2.10:7 || e2e_abort "service add"
for be in "${LAB_BACKENDS[@]}"; do
	e2e_xlb backend add web "$(lab_addr "$be")" || e2e_abort "backend add"
	e2e_xlb backend add echo "$(lab_addr "$be")" || e2e_abort "backend add"
done
services_before=$(e2e_xlb_quiet -j service list) || e2e_abort "service list"

# Two ruleset files that change every weight of both services.
for f in A B; do
	for svc in web echo; do
		for i in 1 2 3; do
			[[ $f == A ]] && w=$i || w=$((4 - i))
			echo "backend set $svc $(lab_addr "be$i") weight $w"
		done
	done >"$LAB_LOGS/ruleset-$f.conf"
done
A='{"echo": [1, 2, 3], "web": [1, 2, 3]}'
B='{"echo": [3, 2, 1], "web": [3, 2, 1]}'
INITIAL=$(weights)
e2e_note "weights at start: $INITIAL"

e2e_step "traffic: a TCP stream and 10 long-lived connections"
stop=$LAB_LOGS/stop
lab_bg client stream "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" stream 192.0.2.10 7 --duration 60 \
	--rate 2e6 --stop-file "$stop" --ready-file "$LAB_LOGS/stream.ready"
stream_pid=$LAB_LAST_PID
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold 192.0.2.10 7 --conns 10 \
	--interval 0.1 --duration 60 --stop-file "$stop" --ready-file "$LAB_LOGS/hold.ready"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do
	[[ -s $LAB_LOGS/stream.ready && -s $LAB_LOGS/hold.ready ]] && break
	lab_sleep 0.1
done

e2e_step "xlb -f A / xlb -f B in a loop, and SIGKILL to every xlb process until $KILLS kills hit one"
lab_bg lb1 writer bash -c 'while :; do
		"$1" --pin-path "$2" -f "$3" && echo applied
		"$1" --pin-path "$2" -f "$4" && echo applied
	done' writer "$LAB_XLB" "$LAB_BPFFS/lb1" "$LAB_LOGS/ruleset-A.conf" "$LAB_LOGS/ruleset-B.conf"
writer_pid=$LAB_LAST_PID
hits=0
# Rounds go on until KILLS of them hit a running xlb: how many miss depends on
# how long one xlb -f lasts against a pgrep here, not on xlb's safety.
for ((k = 0; hits < KILLS && k < 6 * KILLS; k++)); do
	lab_sleep "0.$((RANDOM % 2))$((RANDOM % 10))"
	# Wait for the next xlb the writer starts (its child), then kill -9 it
	# wherever it is: starting, parsing, writing maps, committing.
	for ((i = 0; i < 200; i++)); do
		pids=$(pgrep -P "$writer_pid")
		[[ -n $pids ]] && break
	done
	lab_sleep "0.00$((RANDOM % 10))"
	pids=$(pgrep -P "$writer_pid")
	if [[ -n $pids ]]; then
		kill -KILL $pids 2>/dev/null && hits=$((hits + 1))
	fi
done
lab_kill "$writer_pid"
pids=$(xlb_pids)
[[ -n $pids ]] && kill -KILL $pids
lab_sleep 0.2
e2e_note "$hits of $k kills hit a running xlb; $(grep -c '^applied' "$LAB_LOGS/writer.log") files applied in between"
e2e_check "kills hit running xlb processes" test "$hits" -ge 5
e2e_check "no xlb process is left" test -z "$(xlb_pids)"

e2e_step "with no xlb process: traffic goes on"
r=$(lab_client http http://192.0.2.10/ --count 200 --parallel 8)
e2e_expect "200 new HTTP connections succeed" "r['ok'] == 200" r="$r"
lab_sleep 1
touch "$stop"
wait "$stream_pid" "$hold_pid"
r=$(cat "$LAB_LOGS/stream.log")
h=$(cat "$LAB_LOGS/hold.log")
e2e_note "stream: $(e2e_py "r['received']" r="$r") bytes, longest stall $(e2e_py "r['max_stall']" r="$r") s; hold: $(e2e_py "h['rounds']" h="$h") rounds"
e2e_expect "the stream went on intact" "r['ok']" r="$r"
e2e_expect "the 10 long-lived connections kept working" "h['ok']" h="$h"

e2e_step "a new xlb sees the full state"
e2e_xlb service list
services_after=$(e2e_xlb_quiet -j service list)
e2e_expect "service list unchanged (services, their backends, states and MACs)" \
	"(lambda f: f(a) == f(b))(lambda d: [({k: v for k, v in s.items() if k != 'backends'}, \
	  sorted((x['address'], x['state'], x['mac']) for x in s['backends'])) for s in nocounters(d)['services']])" \
	a="$services_before" b="$services_after"
w=$(weights)
e2e_note "weights now: $w"
e2e_expect "every file was applied whole or not at all (weights are the start's, A's or B's)" \
	"w in (i, a, b)" w="$w" i="$INITIAL" a="$A" b="$B"
e2e_check "the next write works (no stale lock): xlb -f A" lab_xlb -f "$LAB_LOGS/ruleset-A.conf"
e2e_expect "and is applied" "w == a" w="$(weights)" a="$A"
r=$(lab_client http http://192.0.2.10/ --count 300 --parallel 8)
e2e_expect "new connections follow the weights 1:2:3 (be3 > be1)" \
	"r['ok'] == 300 and r['backends'].get('be3', 0) > r['backends'].get('be1', 0)" r="$r"
e2e_finish
