#!/bin/bash
# 28_dynamic_weights: `weights flows` (least connections) with the real
# xlb-healthd. be1 holds 30 long-lived connections when be2 and be3 join;
# within a weights round (5 s) xlb-healthd lowers be1's effective weight and
# raises the others', so new connections go mostly to be2 and be3, while the
# connections on be1 carry on. The numbers are printed for the notes.
source "$(dirname "$0")/common.sh"
e2e_require xlb
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 120
ECHO=192.0.2.11

e2e_step "lab: echo with weights flows, be1 alone first"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "neighbours"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
lab_xlb -f - <<EOT || e2e_abort "ruleset"
service add echo tcp $ECHO:7 weights flows
backend add echo $(lab_addr be1)
EOT
e2e_check "list ruleset prints the mode back" \
	grep -q "service add echo tcp $ECHO:7 sched mh weights flows" <(lab_xlb list ruleset)
effective_of() { # ADDR
	e2e_py "[b['effective_weight'] for b in m['backends'] if b['address'] == '$1'][0]" \
		m="$(lab_xlb -j backend list echo)"
}
hold() { # TAG CONNS DURATION: opens CONNS echo connections (pid in LAB_LAST_PID)
	local ready=$LAB_LOGS/$1.ready
	lab_bg client "$1" "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold $ECHO 7 --conns "$2" \
		--interval 0.5 --duration "$3" --ready-file "$ready" --stop-file "$LAB_LOGS/$1.stop"
	for ((i = 0; i < 100; i++)); do [[ -s $ready ]] && break; lab_sleep 0.1; done
	[[ -s $ready ]] || e2e_abort "the connections of $1 did not open"
}

e2e_step "30 long-lived connections on be1, then be2 and be3 join"
hold old 30 40
old_pid=$LAB_LAST_PID old=$(cat "$LAB_LOGS/old.ready")
e2e_expect "the 30 connections are on be1" "len(a) == 30 and set(a.values()) == {'be1'}" a="$old"
e2e_xlb backend add echo "$(lab_addr be2)"
e2e_xlb backend add echo "$(lab_addr be3)"
e2e_check "before a round every backend has 100 per unit of weight" \
	test "$(effective_of "$(lab_addr be2)")" == 100

e2e_step "xlb-healthd: a weights round lowers be1"
lab_bg lb1 healthd "$HEALTHD" --pin-path "$LAB_BPFFS/lb1"
for ((i = 0; i < 80; i++)); do
	(($(effective_of "$(lab_addr be1)") < 100)) && break
	lab_sleep 0.1
done
w1=$(effective_of "$(lab_addr be1)") w2=$(effective_of "$(lab_addr be2)")
w3=$(effective_of "$(lab_addr be3)")
e2e_note "effective weights: be1 $w1, be2 $w2, be3 $w3"
e2e_check "be1 lower than 100 within 8 s" test "$w1" -lt 100
e2e_check "be2 and be3 above 100" test "$w2" -gt 100 -a "$w3" -gt 100
e2e_check "the rewrite was logged" \
	grep -q "dynamic weights (flows) of service echo" "$LAB_LOGS/healthd.log"

e2e_step "new connections go mostly to be2 and be3"
hold new 60 5
new_pid=$LAB_LAST_PID new=$(cat "$LAB_LOGS/new.ready")
e2e_note "new connections: $(e2e_py "{b: list(a.values()).count(b) for b in ('be1', 'be2', 'be3')}" a="$new")"
e2e_expect "be1 takes fewer than a fifth of what be2 and be3 each take" \
	"5 * list(a.values()).count('be1') < min(list(a.values()).count(b) for b in ('be2', 'be3'))" \
	a="$new"
touch "$LAB_LOGS/old.stop" "$LAB_LOGS/new.stop"
wait "$old_pid" "$new_pid"
h=$(cat "$LAB_LOGS/old.log")
e2e_expect "the connections on be1 carried on, none broke" "h['ok'] and not h['errors']" h="$h"
e2e_finish
