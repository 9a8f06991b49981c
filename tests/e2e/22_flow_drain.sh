#!/bin/bash
# 22_flow_drain: the drain runbook with idle timeouts. A backend with live
# connections is disabled; its connections keep working; once they are
# closed, `flows count SERVICE backend ADDR` reaches 0 within the TCP timeout
# plus one sweep (short timeouts here: tcp 3 s, tcp-syn 2 s).
source "$(dirname "$0")/common.sh"
e2e_require xlb
lab_watchdog 100
VIP=192.0.2.10
PORT=7
TIMEOUT=3

e2e_step "lab with 2 backends; service echo tcp $VIP:$PORT; timeouts tcp ${TIMEOUT}s"
lab_up 2 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
e2e_xlb set timeout tcp "$TIMEOUT" tcp-syn 2 || e2e_abort "set timeout"
e2e_xlb service add echo tcp "$VIP:$PORT" || e2e_abort "service add"
e2e_xlb backend add echo "$(lab_addr be1)" || e2e_abort "backend add"
e2e_xlb backend add echo "$(lab_addr be2)" || e2e_abort "backend add"
if grep -qx "set timeout tcp 3s tcp-syn 2s" <<<"$(lab_xlb list ruleset)"; then
	e2e_ok "list ruleset prints the timeouts"
else
	e2e_fail "list ruleset prints the timeouts"
fi

e2e_step "20 live connections (a line echoed on each every 0.2 s)"
ready=$LAB_LOGS/hold.ready stop=$LAB_LOGS/hold.stop
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold "$VIP" "$PORT" --conns 20 \
	--interval 0.2 --duration 80 --ready-file "$ready" --stop-file "$stop"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do
	[[ -s $ready ]] && break
	lab_sleep 0.1
done
[[ -s $ready ]] || e2e_abort "the connections did not open"
held=$(cat "$ready")
on_be1=$(e2e_py "sum(1 for v in h.values() if v == 'be1')" h="$held")
e2e_note "connections on be1: $on_be1"
e2e_expect "some of the 20 connections are on be1" "0 < $on_be1 < 20"

e2e_step "drain be1"
e2e_xlb backend disable echo "$(lab_addr be1)"
lab_sleep $((TIMEOUT + 2))
count=$(e2e_xlb_quiet -j flows count echo backend "$(lab_addr be1)")
e2e_expect "after longer than the timeout, be1's live connections are still counted" \
	"c['flows'] == $on_be1" c="$count"
list=$(e2e_xlb_quiet -j flows list echo backend "$(lab_addr be1)")
e2e_expect "and listed as established, recently seen" \
	"all(f['state'] == 'established' and f['age'] <= 1 and f['timeout'] == $TIMEOUT for f in l['flows'])" l="$list"
client=$(e2e_py "l['flows'][0]['client'] + ':' + str(l['flows'][0]['client_port'])" l="$list")
get=$(e2e_xlb_quiet -j flows get tcp "$client" "$VIP:$PORT")
e2e_expect "flows get: pinned to be1 by its flow entry" \
	"g['reason'] == 'flow entry' and g['backend'] == '$(lab_addr be1)'" g="$get"

e2e_step "close the connections; sweep once a second (as xlb-healthd does)"
touch "$stop"
wait "$hold_pid"
r=$(cat "$LAB_LOGS/hold.log")
e2e_expect "every echo came back while draining" "r['ok'] and r['open_at_end'] == 20" r="$r"
t0=${EPOCHREALTIME/./}
zero_after=""
removed=0
for ((i = 0; i < 20; i++)); do
	swept=$(e2e_xlb_quiet -j flows expire)
	removed=$((removed + $(e2e_py "s['expired']" s="$swept")))
	n=$(e2e_py "c['flows']" c="$(e2e_xlb_quiet -j flows count echo backend "$(lab_addr be1)")")
	if ((n == 0)); then
		zero_after=$(((${EPOCHREALTIME/./} - t0) / 1000))
		# The count may have crossed a second the sweep before it had not:
		# entries it skips as expired are still in the table until the next
		# sweep, which xlb-healthd would make a second later.
		swept=$(e2e_xlb_quiet -j flows expire)
		removed=$((removed + $(e2e_py "s['expired']" s="$swept")))
		break
	fi
	lab_sleep 1
done
e2e_note "be1's count reached 0 after ${zero_after:-never} ms; sweeps removed $removed entries"
# The datapath's clock has whole seconds: an entry expires up to 1 s after
# its timeout, then waits at most one sweep (1 s); 1 s more for the polling.
e2e_expect "flows count backend be1 reaches 0 within the timeout, its 1 s granularity and one sweep (+1 s)" \
	"'$zero_after' != '' and int('$zero_after' or 0) <= ($TIMEOUT + 3) * 1000"
e2e_expect "the sweeps removed the entries (the table itself empties)" "$removed >= $on_be1"
get=$(e2e_xlb_quiet -j flows get tcp "$client" "$VIP:$PORT")
e2e_expect "flows get: no entry now; the Maglev table gives be2 (be1 is drained)" \
	"g['reason'] == 'table slot' and 'entry' not in g and g['backend'] == '$(lab_addr be2)'" g="$get"
e2e_finish
