#!/bin/bash
# 17_healthd_nat: xlb-healthd probes through the health-check NAT path, so a
# backend that serves the port on its own address but lacks the VIP is
# down: taking the VIP off its lo brings it down after `fall` probes,
# putting it back brings it up after `rise`. Skips until the NAT path
# (`xlb nat list`) is in the build.
source "$(dirname "$0")/common.sh"
e2e_require xlb
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 100
WEB=192.0.2.10

e2e_step "lab: 2 backends serving HTTP on every address, checks every 1s, rise 2, fall 3"
lab_up 2 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_prime_neigh lb1 || e2e_abort "neighbours"
e2e_xlb interface attach eth0 mode native || e2e_abort "attach"
lab_xlb -f - <<EOT || e2e_abort "ruleset"
service add web tcp $WEB:80
backend add web $(lab_addr be1)
backend add web $(lab_addr be2)
check add web http path / interval 1s timeout 500ms rise 2 fall 3
EOT
e2e_xlb nat list
lab_bg lb1 healthd "$HEALTHD" --pin-path "$LAB_BPFFS/lb1" -v
HEALTHD_PID=$LAB_LAST_PID
BE1=$(lab_addr be1)

health_of() { # ADDR
	e2e_py "[b['health'] for b in m['backends'] if b['address'] == '$1'][0]" \
		m="$(lab_xlb -j backend list web)"
}
wait_health() { # ADDR HEALTH SECONDS
	local end=$((${EPOCHREALTIME/./} + $3 * 1000000))
	while ((${EPOCHREALTIME/./} < end)); do
		[[ $(health_of "$1") == "$2" ]] && return 0
		sleep 0.1
	done
	return 1
}

lab_sleep 2.5
e2e_check "both up with the VIP on their lo" test "$(health_of "$BE1")" = up
e2e_check "probes passed through the NAT path" \
	grep -q "via 198\.18\..* for backend $BE1 .*ok, HTTP status 200" "$LAB_LOGS/healthd.log"

e2e_step "be1 loses the VIP (it still serves port 80 on its own address)"
lab_vip_del be1 $WEB
t0=${EPOCHREALTIME/./}
e2e_check "be1 down within fall x interval + timeout + 1 s" wait_health "$BE1" down 5
e2e_note "down after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
e2e_check "be2 stays up" test "$(health_of "$(lab_addr be2)")" = up
e2e_check "the reason is a timeout (the backend drops what is not for it)" \
	grep -q "backend $BE1 .* failed: timeout, 3/3 -> DOWN" "$LAB_LOGS/healthd.log"
r=$(lab_client http "http://$WEB/" --count 20 --parallel 4)
e2e_expect "clients reach be2 only" "r['ok'] == 20 and r['backends'] == {'be2': 20}" r="$r"

e2e_step "be1 gets the VIP back"
lab_vip_add be1 $WEB
e2e_check "be1 up within rise x interval + 1.5 s" wait_health "$BE1" up 4
r=$(lab_client http "http://$WEB/" --count 40 --parallel 4)
e2e_expect "clients reach both again" "r['ok'] == 40 and len(r['backends']) == 2" r="$r"
kill -TERM "$HEALTHD_PID"
wait "$HEALTHD_PID"
e2e_check "healthd exits with 0" test $? -eq 0
e2e_finish
