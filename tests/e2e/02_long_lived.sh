#!/bin/bash
# 02_long_lived: 20 open TCP connections stay usable (a line echoed on every
# connection every 0.2 s) while a backend is added, another drained and
# weights changed; new connections follow each change.
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100
VIP=192.0.2.10
PORT=7

e2e_step "lab with 3 backends; service echo tcp $VIP:$PORT on be1 and be2"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb service add echo tcp "$VIP:$PORT" || e2e_abort "service add"
e2e_xlb backend add echo "$(lab_addr be1)" || e2e_abort "backend add"
e2e_xlb backend add echo "$(lab_addr be2)" || e2e_abort "backend add"

# probe TEXT PYEXPR: 100 new connections; PYEXPR over n = {backend: count}.
probe() {
	local r
	r=$(lab_client hold "$VIP" "$PORT" --conns 100 --duration 0)
	e2e_note "new connections: $(e2e_py "r['by_backend']" r="$r")"
	e2e_expect "$1" "r['ok'] and (lambda n: $2)(r['by_backend'])" r="$r"
}

e2e_step "20 long-lived connections"
ready=$LAB_LOGS/hold.ready stop=$LAB_LOGS/hold.stop
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold "$VIP" "$PORT" --conns 20 \
	--interval 0.2 --duration 80 --ready-file "$ready" --stop-file "$stop"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do
	[[ -s $ready ]] && break
	lab_sleep 0.1
done
[[ -s $ready ]] || e2e_abort "the long-lived connections did not open"
held=$(cat "$ready")
e2e_note "connections per backend: $(e2e_py "dict(__import__('collections').Counter(h.values()))" h="$held")"
e2e_expect "20 connections open, on be1 and be2 only" \
	"len(h) == 20 and set(h.values()) <= {'be1', 'be2'}" h="$held"
probe "new connections go to be1 and be2" "set(n) == {'be1', 'be2'}"

e2e_step "add be3"
e2e_xlb backend add echo "$(lab_addr be3)"
lab_sleep 1
probe "new connections reach be3 too" "set(n) == {'be1', 'be2', 'be3'}"

e2e_step "drain be1 (backend disable)"
e2e_xlb backend disable echo "$(lab_addr be1)"
lab_sleep 1
probe "no new connection goes to the drained be1" "'be1' not in n and set(n) == {'be2', 'be3'}"

e2e_step "weights: be2 4, be3 1"
e2e_xlb backend set echo "$(lab_addr be2)" weight 4
e2e_xlb backend set echo "$(lab_addr be3)" weight 1
lab_sleep 1
probe "be2 gets most new connections" "n.get('be2', 0) > 2 * n.get('be3', 0) and 'be1' not in n"
e2e_xlb backend list echo

e2e_step "stop the long-lived connections"
lab_sleep 1
touch "$stop"
wait "$hold_pid"
r=$(cat "$LAB_LOGS/hold.log")
e2e_note "rounds: $(e2e_py "r['rounds']" r="$r"), errors: $(e2e_py "r['errors'][:5]" r="$r")"
e2e_expect "all 20 connections still open and every echo came back" \
	"r['ok'] and r['open_at_end'] == 20 and r['rounds'] >= 20" r="$r"
e2e_finish
