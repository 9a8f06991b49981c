#!/bin/bash
# 24_backup_tier: a backup pool (`priority 1`) with xlb-healthd. New
# connections go to the primaries only; when both fail their checks the
# backup takes them over; when the primaries recover, new connections go
# back to them while the connections opened on the backup carry on there.
source "$(dirname "$0")/common.sh"
e2e_require xlb
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 120
WEB=192.0.2.10
ECHO=192.0.2.11

e2e_step "lab: be1, be2 primaries, be3 a backup (priority 1); checks every 1s"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "neighbours"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
lab_xlb -f - <<EOT || e2e_abort "ruleset"
service add web tcp $WEB:80
backend add web $(lab_addr be1)
backend add web $(lab_addr be2)
backend add web $(lab_addr be3) priority 1
check add web http path / expect 200-299 interval 1s timeout 500ms rise 2 fall 2
service add echo tcp $ECHO:7
backend add echo $(lab_addr be1)
backend add echo $(lab_addr be2)
backend add echo $(lab_addr be3) priority 1
check add echo tcp interval 1s timeout 500ms rise 2 fall 2
EOT
e2e_check "list ruleset prints the tier back" \
	grep -q "backend add web $(lab_addr be3) weight 1 priority 1" <(lab_xlb list ruleset)
lab_bg lb1 healthd "$HEALTHD" --pin-path "$LAB_BPFFS/lb1"
new_flows_of() { # SERVICE ADDR
	e2e_py "[b['new_flows'] for b in m['backends'] if b['address'] == '$2'][0]" \
		m="$(lab_xlb -j backend list "$1")"
}
wait_new_flows() { # SERVICE ADDR true|false SECONDS
	local end=$((${EPOCHREALTIME/./} + $4 * 1000000))
	while ((${EPOCHREALTIME/./} < end)); do
		[[ $(new_flows_of "$1" "$2") == "$3" ]] && return 0
		sleep 0.1
	done
	return 1
}

e2e_step "primaries up: the backup takes nothing"
e2e_check "be3 stands by" test "$(new_flows_of web "$(lab_addr be3)")" == false
r=$(lab_client http "http://$WEB/" --count 40 --parallel 4)
e2e_expect "HTTP reaches be1 and be2 only" \
	"r['ok'] == 40 and set(r['backends']) == {'be1', 'be2'}" r="$r"

e2e_step "both primaries' servers die: the backup takes over"
lab_stop_servers be1
lab_stop_servers be2
e2e_check "be3 takes new flows within fall x interval + timeout + 2 s" \
	wait_new_flows web "$(lab_addr be3)" true 5
e2e_check "in echo too" wait_new_flows echo "$(lab_addr be3)" true 3
r=$(lab_client http "http://$WEB/" --count 40 --parallel 4)
e2e_expect "every new HTTP connection goes to be3, none fails" \
	"r['ok'] == 40 and r['backends'] == {'be3': 40}" r="$r"
ready=$LAB_LOGS/hold.ready stop=$LAB_LOGS/hold.stop
lab_bg client hold "$LAB_PYTHON" "$LAB_SRC_DIR/clients.py" hold $ECHO 7 --conns 20 \
	--interval 0.2 --duration 40 --ready-file "$ready" --stop-file "$stop"
hold_pid=$LAB_LAST_PID
for ((i = 0; i < 100; i++)); do [[ -s $ready ]] && break; lab_sleep 0.1; done
[[ -s $ready ]] || e2e_abort "the connections did not open"
e2e_expect "the 20 long-lived connections are on be3" \
	"len(a) == 20 and set(a.values()) == {'be3'}" a="$(cat "$ready")"

e2e_step "the primaries recover: new flows go back, the backup's connections stay"
lab_servers be1 || e2e_abort "restart be1"
lab_servers be2 || e2e_abort "restart be2"
e2e_check "be3 stands by again within rise x interval + 2 s" \
	wait_new_flows web "$(lab_addr be3)" false 5
e2e_check "in echo too" wait_new_flows echo "$(lab_addr be3)" false 3
# One primary back is enough to take the tier back; wait for both.
for be in be1 be2; do
	e2e_check "$be takes new flows again" wait_new_flows web "$(lab_addr $be)" true 5
done
r=$(lab_client http "http://$WEB/" --count 40 --parallel 4)
e2e_expect "new HTTP connections reach be1 and be2 only" \
	"r['ok'] == 40 and set(r['backends']) == {'be1', 'be2'}" r="$r"
lab_sleep 2
touch "$stop"
wait "$hold_pid"
h=$(cat "$LAB_LOGS/hold.log")
e2e_expect "the connections on be3 carried on through both switches, none broke" \
	"h['ok'] and not h['errors']" h="$h"
e2e_finish
