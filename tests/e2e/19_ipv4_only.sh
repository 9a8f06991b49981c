#!/bin/bash
# 19_ipv4_only: a load balancer host with IPv6 disabled
# (net.ipv6.conf.{all,default}.disable_ipv6=1) attaches, sets up the
# health-check port for IPv4 only (with a note, not a failure), serves an
# IPv4 VIP, and xlb-healthd health-checks its backends through the IPv4 NAT
# path.
source "$(dirname "$0")/common.sh"
e2e_require xlb
HEALTHD=${HEALTHD:-$(dirname "$LAB_XLB")/xlb-healthd}
[[ -x $HEALTHD ]] || e2e_abort "no xlb-healthd binary ('$HEALTHD')"
lab_watchdog 90
WEB=192.0.2.10

e2e_step "lab: 2 backends; IPv6 disabled on lb1"
lab_up 2 1 || e2e_abort "lab_up"
lab_servers_all || e2e_abort "servers"
lab_in lb1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
	e2e_abort "sysctl"

e2e_step "attach"
err=$(lab_xlb interface attach eth0 mode native 2>&1)
rc=$?
printf '%s\n' "$err" | sed 's/^/          /'
e2e_check "attach exits 0" test $rc -eq 0
e2e_check "a note says IPv6 is left out" grep -q "note: IPv6 is disabled" <<<"$err"
e2e_check "the health-check port has its IPv4 address" \
	grep -q "inet 198.18.255.255/32" <<<"$(ip -n "$(lab_ns lb1)" addr show dev xlbhc0)"
e2e_check "and no IPv6 one" test -z "$(ip -n "$(lab_ns lb1)" -6 addr show dev xlbhc0)"
e2e_check "attach again (upgrade) exits 0" lab_xlb interface attach eth0 mode native

e2e_step "an IPv4 service with an http check"
lab_xlb -f - <<EOT || e2e_fail "ruleset"
flush ruleset
service add web tcp $WEB:80
backend add web $(lab_addr be1)
backend add web $(lab_addr be2)
check add web http path / expect 200-299 interval 1s timeout 500ms rise 1 fall 1
EOT
r=$(lab_client http "http://$WEB/" --count 40 --parallel 4)
e2e_expect "the VIP is served by both backends" "r['ok'] == 40 and len(r['backends']) == 2" r="$r"

e2e_step "xlb-healthd --once probes through the IPv4 NAT path"
lab_in lb1 "$HEALTHD" --pin-path "$LAB_BPFFS/lb1" --once >"$LAB_LOGS/healthd.log" 2>&1
e2e_check "xlb-healthd exits 0" test $? -eq 0
sed 's/^/          /' "$LAB_LOGS/healthd.log"
e2e_check "it notes that IPv6 is disabled" grep -q "IPv6 is disabled" "$LAB_LOGS/healthd.log"
e2e_expect "both backends are up" "all(b['health'] == 'up' for b in m['backends'])" \
	m="$(lab_xlb -j backend list web)"
lab_stop_servers be1
lab_in lb1 "$HEALTHD" --pin-path "$LAB_BPFFS/lb1" --once >>"$LAB_LOGS/healthd.log" 2>&1
e2e_expect "be1 without its server is down" \
	"[b['health'] for b in m['backends']] == ['down', 'up']" m="$(lab_xlb -j backend list web)"
e2e_finish
