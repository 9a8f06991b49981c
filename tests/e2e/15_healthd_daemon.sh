#!/bin/bash
# 15_healthd_daemon: xlb-healthd as a daemon. It starts from the health in
# the maps without flapping; a backend whose server is killed is down within
# fall x interval + timeout (plus one round of slack), new connections go to
# the others while the other backends' established connections carry on;
# the backend comes back after `rise` passes; SIGTERM exits cleanly and
# withdraws the VIP routes (kept with --withdraw-on-exit no); the textfile
# holds the metrics.
#
# Probes go through the health-check NAT path, to the VIP on each backend.
source "$(dirname "$0")/common.sh"
e2e_require xlb
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 120
WEB=192.0.2.10
ECHO=192.0.2.11
BE1=198.51.100.101

e2e_step "lab: 2 backends, checks every 1s (timeout 500ms, rise 2, fall 2)"
lab_up 2 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "neighbours"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
lab_xlb -f - <<EOT || e2e_abort "ruleset"
service add web tcp $WEB:80
backend add web $(lab_addr be1)
backend add web $(lab_addr be2)
check add web http path / expect 200-299 interval 1s timeout 500ms rise 2 fall 2
service add echo tcp $ECHO:7
backend add echo $(lab_addr be1)
backend add echo $(lab_addr be2)
check add echo tcp interval 1s timeout 500ms rise 2 fall 2
EOT
[[ $(lab_addr be1) == "$BE1" ]] || e2e_abort "unexpected be1 address"

start_healthd() {
	lab_bg lb1 "$1" "$HEALTHD" --pin-path "$LAB_BPFFS/lb1" --kernel-table 100 \
		--textfile "$LAB_DIR/xlb.prom" "${@:2}"
	HEALTHD_PID=$LAB_LAST_PID
}
transitions() { grep -c '^Health check' "$LAB_LOGS/$1.log"; }
health_of() { # SERVICE ADDR
	e2e_py "[b['health'] for b in m['backends'] if b['address'] == '$2'][0]" \
		m="$(lab_xlb -j backend list "$1")"
}
wait_health() { # SERVICE ADDR HEALTH SECONDS
	local end=$((${EPOCHREALTIME/./} + $4 * 1000000))
	while ((${EPOCHREALTIME/./} < end)); do
		[[ $(health_of "$1" "$2") == "$3" ]] && return 0
		sleep 0.1
	done
	return 1
}

e2e_step "healthd starts from the stored health"
start_healthd healthd1
lab_sleep 3
e2e_check "no transition logged at start (no flap)" test "$(transitions healthd1)" -eq 0
e2e_check "the VIP routes are in table 100" \
	test "$(ip -n "$(lab_ns lb1)" route show table 100 proto 250 | grep -c blackhole)" -eq 2
e2e_check "the textfile says both backends up" \
	test "$(grep -c '^xlb_backend_up{.*} 1$' "$LAB_DIR/xlb.prom")" -eq 4
e2e_check "the textfile says the VIP is announced" grep -q "^xlb_vip_announced{vip=\"$WEB\"} 1$" "$LAB_DIR/xlb.prom"

e2e_step "long-lived connections to echo, HTTP to web"
ready=$LAB_LOGS/hold.ready stop=$LAB_LOGS/hold.stop
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold $ECHO 7 --conns 20 \
	--interval 0.2 --duration 40 --ready-file "$ready" --stop-file "$stop"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do [[ -s $ready ]] && break; lab_sleep 0.1; done
[[ -s $ready ]] || e2e_abort "the connections did not open"
r=$(lab_client http "http://$WEB/" --count 40 --parallel 4)
e2e_expect "HTTP reaches both backends" "r['ok'] == 40 and len(r['backends']) == 2" r="$r"

e2e_step "kill be1's servers"
lab_stop_servers be1
t0=${EPOCHREALTIME/./}
e2e_check "be1 down in web within fall x interval + timeout + 1 s" wait_health web $BE1 down 4
t1=${EPOCHREALTIME/./}
e2e_note "be1 down after $(((t1 - t0) / 1000)) ms"
e2e_check "be1 down in echo too" wait_health echo $BE1 down 2
r=$(lab_client http "http://$WEB/" --count 40 --parallel 4)
e2e_expect "new HTTP connections all go to be2, none fails" \
	"r['ok'] == 40 and r['backends'] == {'be2': 40}" r="$r"
touch "$stop"
wait "$hold_pid"
h=$(cat "$LAB_LOGS/hold.log")
e2e_expect "be2's established connections carried on; only be1's broke" \
	"all(a[str(e['conn'])] == 'be1' for e in h['errors']) and \
	 any(v == 'be2' for v in a.values())" h="$h" a="$(cat "$ready")"
e2e_check "the transition was logged once per service" test "$(transitions healthd1)" -eq 2
grep '^Health check' "$LAB_LOGS/healthd1.log" | sed 's/^/          /'

e2e_step "be1's servers come back"
lab_servers be1 || e2e_abort "restart be1"
e2e_check "be1 up again within rise x interval + 1.5 s" wait_health web $BE1 up 4
# Both services, so the restart below starts from a settled state.
e2e_check "be1 up in echo too" wait_health echo $BE1 up 2
r=$(lab_client http "http://$WEB/" --count 40 --parallel 4)
e2e_expect "HTTP reaches both backends again" "r['ok'] == 40 and len(r['backends']) == 2" r="$r"

e2e_step "SIGTERM: clean exit, routes withdrawn"
kill -TERM "$HEALTHD_PID"
wait "$HEALTHD_PID"
e2e_check "exit status 0" test $? -eq 0
e2e_check "table 100 is empty" test -z "$(ip -n "$(lab_ns lb1)" route show table 100 proto 250)"
e2e_check "the withdrawal was logged" grep -q "withdrawing every VIP" "$LAB_LOGS/healthd1.log"

e2e_step "restart with --withdraw-on-exit no"
lab_xlb backend disable web "$(lab_addr be2)" >/dev/null
start_healthd healthd2 --withdraw-on-exit no
lab_sleep 3
e2e_check "no transition logged after the restart" test "$(transitions healthd2)" -eq 0
kill -TERM "$HEALTHD_PID"
wait "$HEALTHD_PID"
e2e_check "exit status 0" test $? -eq 0
e2e_check "the routes stay" \
	test "$(ip -n "$(lab_ns lb1)" route show table 100 proto 250 | grep -c blackhole)" -eq 2
e2e_finish
