#!/bin/bash
# 32_prefix_vip: prefix VIPs (issue 18) through real TCP. One service on
# 192.0.2.20/30:80 (be1, be2) serves two addresses of the prefix (.21 and
# .23); the exact VIP 192.0.2.22 inside the prefix goes to its own service
# (be3); 192.0.2.24, outside, is no VIP. The prefix's HTTP check probes its
# first host address (192.0.2.21) through the NAT path: the backends hold
# .21-.23 on lo but not the network address .20, so probes to .20 would
# time out and take both backends down. xlb-healthd announces the prefix
# VIP as 192.0.2.20/30 and the exact one as a host route (kernel table 100).
# shellcheck disable=SC2034 # read by lab.sh (the addresses on the backends' lo)
LAB_VIPS4=(192.0.2.21 192.0.2.22 192.0.2.23)
# shellcheck disable=SC2034
LAB_VIPS6=()
source "$(dirname "$0")/common.sh"
e2e_require xlb
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 100

e2e_step "lab with 3 backends holding 192.0.2.21-23 on lo; net 192.0.2.20/30:80, one 192.0.2.22:80"
lab_up 3 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "lb1 cannot resolve the backends"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
lab_xlb -f - <<EOT || e2e_abort "ruleset"
service add net tcp 192.0.2.20/30:80
backend add net $(lab_addr be1)
backend add net $(lab_addr be2)
check add net http path / interval 1s timeout 500ms rise 2 fall 2
service add one tcp 192.0.2.22:80
backend add one $(lab_addr be3)
EOT
e2e_xlb service list
e2e_xlb nat list
lab_bg lb1 healthd "$HEALTHD" --pin-path "$LAB_BPFFS/lb1" -v --kernel-table 100 --proto 250
HEALTHD_PID=$LAB_LAST_PID

get() { lab_client http "http://$1/" --count "$2" --parallel 4 --timeout "${3:-5}"; }

e2e_step "two addresses of the prefix, 60 connections each"
for vip in 192.0.2.21 192.0.2.23; do
	r=$(get $vip 60)
	e2e_note "$vip: $(e2e_py "r['backends']" r="$r")"
	e2e_expect "$vip: all 60 served by the prefix's backends, both used" \
		"r['ok'] == 60 and set(r['backends']) == {'be1', 'be2'}" r="$r"
done
flows=$(lab_xlb -j flows list)
e2e_expect "their flows are the prefix service's, under the addresses they were for" \
	"{(f['service'], f['vip']) for f in m['flows']} == {('net', '192.0.2.21'), ('net', '192.0.2.23')}" \
	m="$flows"

e2e_step "the exact VIP inside the prefix goes to its own service"
r=$(get 192.0.2.22 30)
e2e_expect "192.0.2.22: all 30 on be3" "r['ok'] == 30 and r['backends'] == {'be3': 30}" r="$r"

e2e_step "outside the prefix: no VIP"
e2e_expect "flows get names no service for 192.0.2.24" "r['reason'] == 'no service'" \
	r="$(lab_xlb -j flows get tcp 198.51.100.7:4000 192.0.2.24:80)"
r=$(get 192.0.2.24 2 1)
e2e_expect "192.0.2.24: nothing answers" "r['ok'] == 0" r="$r"

e2e_step "the check probes 192.0.2.21 (the first host address) through the NAT path; routes"
lab_sleep 3.5
e2e_check "probes to 192.0.2.21 passed" \
	grep -q "http 192\.0\.2\.21:80 via 198\.18\..* ok, HTTP status 200" "$LAB_LOGS/healthd.log"
e2e_check "no probe failed" bash -c "! grep -q 'failed' '$LAB_LOGS/healthd.log'"
e2e_expect "both backends up" "[b['health'] for b in m['backends']] == ['up', 'up']" \
	m="$(lab_xlb -j backend list net)"
routes=$(ip -n "$(lab_ns lb1)" route show table 100 proto 250)
e2e_note "table 100: $(echo $routes)"
e2e_check "the prefix VIP is announced as its prefix, the exact VIP as a host" \
	bash -c "grep -q '^blackhole 192.0.2.20/30' <<<'$routes' && grep -q '^blackhole 192.0.2.22 ' <<<'$routes'"
kill -TERM "$HEALTHD_PID"
wait "$HEALTHD_PID"
e2e_check "healthd exits with 0" test $? -eq 0
e2e_finish
